"""The geofencing value types: a GPS :class:`Fix`, a :class:`Fence`, the events and the OS's circles.

Pure and light (no engine): :mod:`heritage_kit.gpx`, :mod:`heritage_kit.simulate`
and the app import these without loading the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import shapely
from shapely.geometry import shape as _shape

from heritage_kit.errors import GeofenceError
from heritage_kit.types import LatLon

__all__ = ["EventKind", "Fix", "Fence", "GeofenceEvent", "OsFence", "as_geometry"]

EventKind = Literal["enter", "exit", "dwell"]


@dataclass(frozen=True, slots=True)
class Fix:
    """One GPS fix.

    ``timestamp`` is POSIX seconds (float); ``accuracy_m`` the reported
    horizontal accuracy (Android's 68% radius); ``speed`` m/s and ``bearing``
    degrees clockwise from north when the device gives them.
    """

    lat: float
    lon: float
    accuracy_m: float
    timestamp: float
    speed: float | None = None
    bearing: float | None = None

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not (-180.0 <= self.lon <= 180.0):
            raise GeofenceError(f"fix at t={self.timestamp}: lat/lon out of range ({self.lat}, {self.lon})")
        if not (self.accuracy_m >= 0.0) or not math.isfinite(self.accuracy_m):
            raise GeofenceError(f"fix at t={self.timestamp}: accuracy_m must be a finite number >= 0")
        if not math.isfinite(self.timestamp):
            raise GeofenceError("fix: timestamp must be finite POSIX seconds")

    @property
    def location(self) -> LatLon:
        return LatLon(lat=self.lat, lon=self.lon)


@dataclass(frozen=True, slots=True)
class Fence:
    """A place to be announced on arrival.

    A *circle* when ``footprint`` is None: the walker is inside within
    ``radius_m`` of ``center``. A *polygon* when ``footprint`` is a GeoJSON
    Polygon/MultiPolygon (lon, lat order, as GeoJSON says) or a shapely
    geometry in lon/lat: the walker is inside within ``radius_m`` of the
    footprint (a buffer; 0 = the walls). ``center`` is then the POI's point,
    used for distances shown to the user and for the OS fallback circle.
    ``exit_radius_m`` (> ``radius_m``) overrides the config's hysteresis.
    ``priority``: higher goes first when several events happen on one fix.
    ``halt_only`` (a shop): walking past is no arrival — the walker must stop
    (rule 10), unless the fence is watched explicitly (a trail's stop).
    """

    id: str
    center: LatLon
    radius_m: float
    exit_radius_m: float | None = None
    footprint: Any = None
    priority: int = 0
    halt_only: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise GeofenceError(f"fence {self.id!r}: id must be a non-empty string")
        if not isinstance(self.center, LatLon):
            raise GeofenceError(f"fence {self.id!r}: center must be a LatLon")
        if not (0.0 <= self.radius_m < 100_000.0):
            raise GeofenceError(f"fence {self.id!r}: radius_m must be in [0, 100 km), got {self.radius_m}")
        if self.footprint is None and self.radius_m <= 0.0:
            raise GeofenceError(f"fence {self.id!r}: a circle needs radius_m > 0")
        if self.exit_radius_m is not None and not (self.exit_radius_m > self.radius_m):
            raise GeofenceError(
                f"fence {self.id!r}: exit_radius_m ({self.exit_radius_m}) must be larger than radius_m ({self.radius_m})"
            )

    @classmethod
    def circle(
        cls,
        id: str,
        *,
        lat: float,
        lon: float,
        radius_m: float,
        exit_radius_m: float | None = None,
        priority: int = 0,
        halt_only: bool = False,
    ) -> "Fence":
        return cls(id, LatLon(lat=lat, lon=lon), float(radius_m), exit_radius_m, None, priority, halt_only)

    @classmethod
    def polygon(
        cls,
        id: str,
        footprint: Any,
        *,
        buffer_m: float = 0.0,
        exit_buffer_m: float | None = None,
        center: LatLon | None = None,
        priority: int = 0,
        halt_only: bool = False,
    ) -> "Fence":
        geom = as_geometry(footprint, id)
        if center is None:
            p = geom.representative_point()
            center = LatLon(lat=p.y, lon=p.x)
        return cls(id, center, float(buffer_m), exit_buffer_m, geom, priority, halt_only)

    @property
    def is_polygon(self) -> bool:
        return self.footprint is not None


def as_geometry(footprint: Any, fence_id: str):
    """A valid shapely (Multi)Polygon in lon/lat from a GeoJSON mapping, a shapely geometry or a POI footprint."""
    try:
        if hasattr(footprint, "geom_type"):
            geom = footprint
        elif hasattr(footprint, "shape"):  # heritage_kit.models.poi.Footprint
            geom = footprint.shape()
        else:
            geom = _shape(footprint)
    except Exception as exc:  # noqa: BLE001 - any malformed GeoJSON
        raise GeofenceError(f"fence {fence_id!r}: footprint is not a GeoJSON polygon ({exc})") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise GeofenceError(f"fence {fence_id!r}: footprint must be a non-empty Polygon or MultiPolygon")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


@dataclass(frozen=True, slots=True)
class GeofenceEvent:
    """``kind`` enter / exit / dwell for ``fence_id`` at the fix's ``timestamp``.

    ``distance_m``: metres from the fix to the fence — to the centre of a
    circle, to the footprint's edge for a polygon (0 inside).
    """

    kind: EventKind
    fence_id: str
    timestamp: float
    distance_m: float


@dataclass(frozen=True, slots=True)
class OsFence:
    """A circle for the operating system to watch while the app sleeps.

    ``kind`` is ``"poi"`` for a fence, or ``"refresh"`` for the region around
    the walker whose exit should wake the app to compute a new set.
    """

    id: str
    lat: float
    lon: float
    radius_m: float
    kind: Literal["poi", "refresh"] = "poi"
