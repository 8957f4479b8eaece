"""A position reported by a location provider (device GPS, simulated walk, GPX replay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from heritage_kit.types import LatLon

__all__ = ["Position"]


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    accuracy_m: float
    time: datetime  # timezone-aware
    speed_mps: float | None = None
    bearing_deg: float | None = None

    @property
    def latlon(self) -> LatLon:
        return LatLon(lat=self.lat, lon=self.lon)
