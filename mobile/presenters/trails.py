"""Trails: curated trails of the pack, and "plan my walk" (minutes, start here, step-free, interests,
open on arrival, the places marked "must visit" on their POI page), with the arrival time at every stop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.errors import error_reason
from mobile.presenters.markup import escape

__all__ = ["INTERESTS", "TrailRow", "PlanOptions", "PlannedWalk", "TrailsPresenter", "itinerary_to_walk", "make_planner"]

# The interests offered on the trails screen: catalogue key suffix -> kinds / categories given to
# ``plan_trail(interests=…)`` (each matching POI's score is multiplied by ``INTEREST_WEIGHT``).
INTERESTS: dict[str, tuple[str, ...]] = {
    "monuments": ("castle", "palace", "fort", "town_gate", "tower", "monument", "archaeological_site", "ruins"),
    "churches": ("cathedral", "church", "chapel", "monastery", "place_of_worship"),
    "museums": ("museum", "gallery"),
    "shops": ("commerce",),
    "cafes": ("cafe", "bakery", "pastry", "ice_cream"),
}


@dataclass(frozen=True)
class TrailRow:
    trail_id: str
    title: str  # escaped
    detail: str  # escaped
    description: str  # escaped


@dataclass(frozen=True)
class PlanOptions:
    """What the visitor chose on the trails screen."""

    minutes: int = 60
    start_here: bool = True
    step_free: bool = False
    interests: tuple[str, ...] = ()  # keys of INTERESTS
    open_on_arrival: bool = True  # shops, cafés and museums only when open on arrival
    must_visit: tuple[str, ...] = ()  # POI ids marked "must visit" on their page, always in the plan

    def interest_keys(self) -> list[str]:
        """The kinds / categories for ``plan_trail(interests=…)``."""
        return [k for name in self.interests for k in INTERESTS.get(name, ())]


@dataclass
class PlannedWalk:
    """A walk proposed by ``plan_trail``: stops in order, the walking line, the arrival at each stop."""

    stop_ids: list[str]
    geometry: list[LatLon] = field(default_factory=list)
    length_m: float = 0.0
    duration_s: float = 0.0
    arrivals: list[datetime] = field(default_factory=list)  # one per stop when the planner gives them


def itinerary_to_walk(itinerary) -> PlannedWalk:
    """Read a :class:`heritage_kit.routing` itinerary (stops / visits, legs, geometry, totals)."""
    stops = getattr(itinerary, "stops", None)
    if stops is None:
        stops = [getattr(v, "poi_id", None) or getattr(v, "poi", v) for v in getattr(itinerary, "visits", [])]
    ids = [s if isinstance(s, str) else getattr(s, "poi_id", None) or getattr(s, "id", None) for s in stops]
    arrivals = [getattr(s, "arrival", None) for s, i in zip(stops, ids) if isinstance(i, str)]
    ids = [i for i in ids if isinstance(i, str)]
    geometry = list(getattr(itinerary, "geometry", None) or [])
    if not geometry:
        for leg in getattr(itinerary, "legs", None) or []:
            geometry.extend(getattr(leg, "geometry", None) or [])
    length = float(getattr(itinerary, "length_m", 0.0) or getattr(itinerary, "walk_m", 0.0) or 0.0)
    duration = getattr(itinerary, "duration_s", None)
    if duration is None:
        duration = float(getattr(itinerary, "total_min", 0.0) or getattr(itinerary, "duration_min", 0.0) or 0.0) * 60
    times = arrivals if all(isinstance(a, datetime) for a in arrivals) else []
    return PlannedWalk(ids, geometry, length, float(duration), times)


Planner = Callable[..., PlannedWalk]


def make_planner(pack, network=None) -> Planner:
    """The app's planner: :func:`heritage_kit.routing.plan_trail` on ``pack`` (its walking ``network``
    when built), read as a :class:`PlannedWalk`. Routing is CPU work: call it off the UI thread."""

    def plan(*, start: LatLon, minutes: int, start_time: datetime, step_free: bool,
             interests: list[str] | None = None, open_on_arrival: bool = True,
             must_visit: list[str] | None = None) -> PlannedWalk:
        from heritage_kit.routing import plan_trail

        return itinerary_to_walk(plan_trail(pack, start=start, minutes=minutes, start_time=start_time,
                                            step_free=step_free, interests=interests or None,
                                            must_visit=tuple(must_visit or ()),
                                            shops_open_on_arrival=open_on_arrival, network=network))

    return plan


class TrailsPresenter:
    def __init__(self, pack, tr: Translator, *, planner: Planner | None = None, badges=None) -> None:
        self.pack = pack
        self.tr = tr
        self.planner = planner
        self.badges = badges  # HoursBadges: a "must visit" place closed for the whole walk is left out, saying so
        self.planned: PlannedWalk | None = None

    def rows(self) -> list[TrailRow]:
        lang = self.tr.lang
        rows = []
        for t in self.pack.trails:
            bits = [self.tr.count("trails.stops", len(t.stops))]
            if t.length_m:
                bits.append(self.tr.distance(t.length_m))
            if t.duration_min:
                bits.append(self.tr.minutes(t.duration_min))
            desc = t.description.get(lang) if t.description else ""
            rows.append(TrailRow(t.id, escape(t.title.get(lang)), escape(" · ".join(bits)), escape(desc)))
        return rows

    def interest_labels(self) -> list[tuple[str, str]]:
        """(key, label) of the interests offered on screen, in ``INTERESTS`` order."""
        return [(k, self.tr.tr(f"trails.interest.{k}")) for k in INTERESTS]

    def must_visit_text(self, ids) -> str:
        """"Must visit: A, B" (escaped) for the places marked on their page; "" when none."""
        names = [self.pack.poi(i).name.get(self.tr.lang) for i in ids if self._has(i)]
        return escape(self.tr.tr("trails.must_visit", names=", ".join(names))) if names else ""

    def _has(self, poi_id: str) -> bool:
        try:
            self.pack.poi(poi_id)
        except (KeyError, LookupError):
            return False
        return True

    def plan(self, *, minutes: int, start: LatLon, start_time: datetime, step_free: bool,
             interests: list[str] | None = None, open_on_arrival: bool = True,
             must_visit: list[str] | None = None) -> str:
        """Ask the planner for a walk; returns the escaped summary (the walk is kept in ``planned``):
        the totals, then one line per stop with its arrival time when the planner gives them."""
        self.planned = None
        if self.planner is None:
            return escape(self.tr.tr("trails.plan_failed", message="—"))
        extra = {}
        if interests:
            extra["interests"] = list(interests)
        if not open_on_arrival:
            extra["open_on_arrival"] = False
        must = [i for i in (must_visit or ()) if self._has(i)]
        closed = self._closed_during(must, start_time, minutes)
        must = [i for i in must if i not in closed]
        if must:
            extra["must_visit"] = must
        note = ""
        if closed:
            note = "\n" + self.tr.tr("trails.must_visit_closed", names=", ".join(
                self.pack.poi(i).name.get(self.tr.lang) for i in closed))
        try:
            walk = self.planner(start=start, minutes=minutes, start_time=start_time, step_free=step_free, **extra)
        except (LookupError, ValueError) as exc:
            reason = self.tr.tr("trails.must_visit_failed") if must else error_reason(exc, self.tr)
            return escape(self.tr.tr("trails.plan_failed", message=reason) + note)
        if not walk.stop_ids:
            return escape(self.tr.tr("trails.plan_failed", message=self.tr.tr("explore.no_result")) + note)
        self.planned = walk
        head = self.tr.count(
            "trails.planned",
            len(walk.stop_ids),
            distance=self.tr.distance(walk.length_m),
            duration=self.tr.minutes(walk.duration_s / 60),
        )
        if len(walk.arrivals) == len(walk.stop_ids):
            tz = self.pack.timezone
            lines = [self.tr.tr("trails.arrival", time=self._clock(t, tz),
                                name=self.pack.poi(s).name.get(self.tr.lang))
                     for s, t in zip(walk.stop_ids, walk.arrivals)]
            return escape("\n".join([head, *lines]) + note)
        names = ", ".join(self.pack.poi(s).name.get(self.tr.lang) for s in walk.stop_ids[:6])
        more = "…" if len(walk.stop_ids) > 6 else ""
        return escape(f"{head}\n{names}{more}{note}")

    def _closed_during(self, ids: list[str], start_time: datetime, minutes: int) -> list[str]:
        """The places of ``ids`` whose hours say they are closed for the whole walk."""
        from heritage_kit.errors import HoursError
        from mobile.presenters.hours import state_name

        if self.badges is None:
            return []
        out = []
        for i in ids:
            oh = self.badges.hours(self.pack.poi(i).opening_hours)
            if oh is None:
                continue
            try:
                ivs = oh.intervals(start_time, start_time + timedelta(minutes=minutes))
            except HoursError:
                continue
            if ivs and not any(state_name(iv.state) in ("open", "unknown") for iv in ivs):
                out.append(i)
        return out

    def _clock(self, t: datetime, tz) -> str:
        local = t.astimezone(tz) if tz is not None and t.tzinfo is not None else t
        return self.tr.time(local.hour, local.minute)
