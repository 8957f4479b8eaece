"""Trails: curated trails of the pack, and "plan my walk" (minutes, start here, step-free)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.markup import escape

__all__ = ["TrailRow", "PlannedWalk", "TrailsPresenter", "itinerary_to_walk"]


@dataclass(frozen=True)
class TrailRow:
    trail_id: str
    title: str  # escaped
    detail: str  # escaped
    description: str  # escaped


@dataclass
class PlannedWalk:
    """A walk proposed by ``plan_trail``: stops in order and the walking line."""

    stop_ids: list[str]
    geometry: list[LatLon] = field(default_factory=list)
    length_m: float = 0.0
    duration_s: float = 0.0


def itinerary_to_walk(itinerary) -> PlannedWalk:
    """Read a :class:`heritage_kit.routing` itinerary (stops / visits, legs, geometry, totals)."""
    stops = getattr(itinerary, "stops", None)
    if stops is None:
        stops = [getattr(v, "poi_id", None) or getattr(v, "poi", v) for v in getattr(itinerary, "visits", [])]
    ids = [s if isinstance(s, str) else getattr(s, "poi_id", None) or getattr(s, "id", None) for s in stops]
    ids = [i for i in ids if isinstance(i, str)]
    geometry = list(getattr(itinerary, "geometry", None) or [])
    if not geometry:
        for leg in getattr(itinerary, "legs", None) or []:
            geometry.extend(getattr(leg, "geometry", None) or [])
    length = float(getattr(itinerary, "length_m", 0.0) or getattr(itinerary, "walk_m", 0.0) or 0.0)
    duration = getattr(itinerary, "duration_s", None)
    if duration is None:
        duration = float(getattr(itinerary, "total_min", 0.0) or getattr(itinerary, "duration_min", 0.0) or 0.0) * 60
    return PlannedWalk(ids, geometry, length, float(duration))


Planner = Callable[..., PlannedWalk]


class TrailsPresenter:
    def __init__(self, pack, tr: Translator, *, planner: Planner | None = None) -> None:
        self.pack = pack
        self.tr = tr
        self.planner = planner
        self.planned: PlannedWalk | None = None

    def rows(self) -> list[TrailRow]:
        lang = self.tr.lang
        rows = []
        for t in self.pack.trails:
            bits = [self.tr.tr("trails.stops", n=len(t.stops))]
            if t.length_m:
                bits.append(self.tr.distance(t.length_m))
            if t.duration_min:
                bits.append(self.tr.minutes(t.duration_min))
            desc = t.description.get(lang) if t.description else ""
            rows.append(TrailRow(t.id, escape(t.title.get(lang)), escape(" · ".join(bits)), escape(desc)))
        return rows

    def plan(self, *, minutes: int, start: LatLon, start_time: datetime, step_free: bool) -> str:
        """Ask the planner for a walk; returns the escaped summary line (the walk is kept in ``planned``)."""
        self.planned = None
        if self.planner is None:
            return escape(self.tr.tr("trails.plan_failed", message="—"))
        try:
            walk = self.planner(start=start, minutes=minutes, start_time=start_time, step_free=step_free)
        except (LookupError, ValueError) as exc:
            return escape(self.tr.tr("trails.plan_failed", message=str(exc)))
        if not walk.stop_ids:
            return escape(self.tr.tr("trails.plan_failed", message=self.tr.tr("explore.no_result")))
        self.planned = walk
        names = ", ".join(self.pack.poi(s).name.get(self.tr.lang) for s in walk.stop_ids[:6])
        more = "…" if len(walk.stop_ids) > 6 else ""
        head = self.tr.tr(
            "trails.planned",
            n=len(walk.stop_ids),
            distance=self.tr.distance(walk.length_m),
            duration=self.tr.minutes(walk.duration_s / 60),
        )
        return escape(f"{head}\n{names}{more}")
