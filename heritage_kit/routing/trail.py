"""A time-budget trail in a town's pack: the best stops open on arrival, in order, with legs.

``plan_trail`` turns a pack into an instance of :func:`plan_visits`:

* **Scores** (:func:`poi_score`, documented in docs/architecture.md): a base
  per category (:data:`CATEGORY_SCORE`; a cathedral or castle outweighs a
  memorial plaque), times protection (``classé`` ×1.5, ``inscrit`` ×1.25) and
  small factors for a description, a Wikidata/Wikipedia link, a photo, a name
  in many languages (known abroad) and a stop on one of the pack's own trails
  (the town's curated pick), squared (a landmark outweighs many small sights); services score 0 unless asked for. ``interests`` weight kinds and
  categories: a list multiplies matching POIs by :data:`INTEREST_WEIGHT` (at
  least :data:`INTEREST_FLOOR` each) and divides the others by it, a
  mapping gives each kind/category its own weight (0 excludes it).
* **Visit durations** per category (:data:`VISIT_MINUTES`).
* **Windows** from each POI's ``opening_hours`` in the pack's timezone and
  country (public holidays included) via :class:`heritage_kit.hours.OpeningHours`:
  a visit may only *start* when the place is open for the whole visit. Shops,
  cafés and museums without readable hours are left out when
  ``shops_open_on_arrival`` is on (we cannot prove they are open).
* **Walking times** from the pack's street graph (:meth:`WalkingGraph.matrix`,
  ``step_free`` honoured) or the straight-line fallback, which the itinerary
  then reports.
* **One visit per place**: a candidate within 75 m of a better one with a
  near-equal name, the same kind and a shared category (an OSM node and the
  area mapped around it, e.g. Monaco's zoo) is left out.

The :class:`Itinerary` lists stops with arrival, visit start and departure
times, legs with geometry, totals, and for every stop with opening hours the
proof that it is open during the visit (checked again with
``OpeningHours.is_open_for`` after planning).
"""

from __future__ import annotations

import logging

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from heritage_kit.duplicates import duplicate_hints
from heritage_kit.errors import ArgumentTypeError, ArgumentValueError, PoiNotFound, RouteNotFound, StartTooFar
from heritage_kit.geo import haversine_m
from heritage_kit.routing.graph import Route, WalkingNetwork, network_for_pack
from heritage_kit.routing.snap import as_latlon
from heritage_kit.routing.visits import plan_visits, visit_schedule
from heritage_kit.types import LatLon

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.models import POI, Trail
    from heritage_kit.packs import ContentPack

_log = logging.getLogger(__name__)

__all__ = [
    "CATEGORY_SCORE",
    "VISIT_MINUTES",
    "INTEREST_WEIGHT",
    "NEEDS_OPEN",
    "Itinerary",
    "ItineraryStop",
    "Leg",
    "plan_trail",
    "poi_score",
    "visit_minutes",
]

# Base interest of a POI by its best category (heritage first, then commerce; services 0).
CATEGORY_SCORE: dict[str, float] = {
    "cathedral": 60, "castle": 55, "palace": 55, "monastery": 45, "museum": 45, "fort": 40, "church": 35,
    "archaeological_site": 35, "theatre": 30, "town_gate": 30, "chapel": 25, "tower": 25, "bridge": 20,
    "gallery": 20, "monument": 20, "building": 20, "ruins": 20, "viewpoint": 20, "garden": 18,
    "place_of_worship": 18, "attraction": 18, "square": 15, "house": 12, "fountain": 12, "statue": 10,
    "artwork": 8, "cemetery": 8, "memorial": 5, "heritage_other": 8,
    "marketplace": 15, "bakery": 12, "pastry": 12, "cheese": 10, "deli": 10, "wine": 8, "crafts": 10,
    "ice_cream": 8, "cafe": 8, "bookshop": 8, "art_shop": 8, "antiques": 8, "gift": 6, "restaurant": 6,
}
KIND_SCORE = {"heritage": 8.0, "commerce": 4.0, "service": 0.0}
# Protection multiplies the category's interest (it used to add +40: six listed houses then outweighed the
# cathedral of Chartres on a 60-minute walk, issue 22).
PROTECTION_FACTOR = {"classé": 1.5, "classé et inscrit": 1.5, "inscrit": 1.25, "other": 1.1}
INTEREST_WEIGHT = 3.0
SCORE_SCALE = 60.0  # score = interest² / SCORE_SCALE
INTEREST_FLOOR = 20.0  # an asked-for place is worth at least this before INTEREST_WEIGHT (a shop scores 4 alone)
# What a visitor would not want to miss, beyond the category (issue 16): the town put it on one of its own trails,
# and mappers named it in many languages (Monaco's Oceanographic Museum: 12; the stamp museum: 1).
CURATED_FACTOR = 1.2
WELL_KNOWN_NAMES = 5  # names in at least this many languages
WELL_KNOWN_FACTOR = 1.1

# Minutes a visit lasts, by category (the longest of a POI's categories); by kind otherwise.
VISIT_MINUTES: dict[str, float] = {
    "museum": 45, "castle": 30, "palace": 30, "cathedral": 20, "monastery": 20, "gallery": 20, "fort": 20,
    "archaeological_site": 15, "church": 10, "chapel": 8, "theatre": 10, "garden": 15, "viewpoint": 5,
    "memorial": 3, "statue": 3, "artwork": 3, "fountain": 3, "monument": 5, "building": 5, "house": 3,
    "town_gate": 5, "tower": 5, "bridge": 3, "square": 5, "ruins": 10, "cemetery": 15,
    "cafe": 20, "restaurant": 60, "ice_cream": 10, "bar": 30, "fast_food": 20, "marketplace": 20,
}
KIND_MINUTES = {"heritage": 5.0, "commerce": 10.0, "service": 5.0}

# Places that must be open to be visited at all (beyond any POI whose hours are known).
NEEDS_OPEN = frozenset({"museum", "gallery", "theatre", "cinema", "library"})


def _matches(poi: "POI", key: str) -> bool:
    return key == poi.kind or key in poi.categories


def poi_score(poi: "POI", interests: Mapping[str, float] | Sequence[str] | None = None, *,
              curated: bool = False) -> float:
    """The documented interest of a POI (see the module docstring).

    The POI's best category (or its kind) gives its *interest* (:data:`CATEGORY_SCORE`), **multiplied** by its
    protection (:data:`PROTECTION_FACTOR`) and by small factors for a text, a Wikidata/Wikipedia link, a
    photo, a name in :data:`WELL_KNOWN_NAMES` languages or more and — ``curated`` — a stop of one of the
    pack's own trails (:data:`CURATED_FACTOR`). The score is that interest squared over :data:`SCORE_SCALE` (an unlisted cathedral: 60): a visitor
    trades many small sights for one landmark — with interest itself, six listed houses outweighed the cathedral
    of Chartres on a 60-minute walk (issue 22). A list of ``interests`` is what the visitor asks for: matching
    POIs score ``INTEREST_WEIGHT`` times more (at least ``INTEREST_FLOOR`` each), the others ``INTEREST_WEIGHT``
    times less, so the asked-for places come first and the rest only fills gaps.
    """
    interest = max([CATEGORY_SCORE.get(c, 0.0) for c in poi.categories] + [KIND_SCORE.get(poi.kind, 0.0)])
    if poi.heritage is not None and poi.heritage.protection:
        interest *= PROTECTION_FACTOR.get(poi.heritage.protection, 1.0)
    if poi.description is not None:
        interest *= 1.1
    if poi.refs.wikidata or poi.refs.wikipedia:
        interest *= 1.1
    if any(m.type == "image" for m in poi.media):
        interest *= 1.05
    if len(poi.name.root) >= WELL_KNOWN_NAMES:
        interest *= WELL_KNOWN_FACTOR
    if curated:
        interest *= CURATED_FACTOR
    base = interest * interest / SCORE_SCALE
    if interests:
        if isinstance(interests, Mapping):
            weights = [float(w) for k, w in interests.items() if _matches(poi, k)]
            if weights:
                w = max(weights) if min(weights) > 0 else 0.0
                base = (base if base > 0 else 10.0) * w
        elif any(_matches(poi, k) for k in interests):
            base = max(base, INTEREST_FLOOR) * INTEREST_WEIGHT
        else:
            base /= INTEREST_WEIGHT
    return float(base)


def visit_minutes(poi: "POI") -> float:
    times = [VISIT_MINUTES[c] for c in poi.categories if c in VISIT_MINUTES]
    return float(max(times) if times else KIND_MINUTES.get(poi.kind, 5.0))


def _needs_open(poi: "POI") -> bool:
    return poi.kind == "commerce" or any(c in NEEDS_OPEN for c in poi.categories)


@dataclass(frozen=True)
class ItineraryStop:
    poi_id: str
    name: str
    kind: str
    categories: tuple[str, ...]
    location: LatLon
    arrival: datetime  # when you reach it
    start: datetime  # when the visit starts (after waiting for an opening, if any)
    departure: datetime
    score: float
    opening_hours: str | None = None
    open_checked: bool = False  # True: opening hours (or an event opening it, a market) prove it open for the visit
    events: tuple[str, ...] = ()  # ids of the pack's events held at this POI during the visit

    @property
    def wait_min(self) -> float:
        return (self.start - self.arrival).total_seconds() / 60

    @property
    def visit_min(self) -> float:
        return (self.departure - self.start).total_seconds() / 60


@dataclass(frozen=True)
class Leg:
    route: Route
    depart: datetime
    arrive: datetime
    to_poi: str | None  # None for the leg to the end point

    @property
    def length_m(self) -> float:
        return self.route.length_m

    @property
    def duration_s(self) -> float:
        return self.route.duration_s

    @property
    def geometry(self) -> tuple[LatLon, ...]:
        return self.route.geometry


@dataclass(frozen=True)
class Itinerary:
    """A planned trail: stops with times, legs with geometry, totals."""

    start: LatLon
    end: LatLon | None
    start_time: datetime
    budget_min: float
    stops: tuple[ItineraryStop, ...]
    legs: tuple[Leg, ...]
    step_free: bool = False
    straight_line: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def finish_time(self) -> datetime:
        """When the walk ends: at the end point, or when the last visit ends (free end)."""
        if self.end is not None and self.legs:
            return self.legs[-1].arrive
        if self.stops:
            return self.stops[-1].departure
        return self.start_time

    @property
    def total_min(self) -> float:
        return (self.finish_time - self.start_time).total_seconds() / 60

    @property
    def walk_m(self) -> float:
        return float(sum(leg.length_m for leg in self.legs))

    @property
    def length_m(self) -> float:
        """Walking length (same as :attr:`walk_m`)."""
        return self.walk_m

    @property
    def duration_s(self) -> float:
        """The whole trail, walks, waits and visits, in seconds."""
        return self.total_min * 60

    @property
    def walk_min(self) -> float:
        return float(sum(leg.duration_s for leg in self.legs)) / 60

    @property
    def visit_min(self) -> float:
        return float(sum(s.visit_min for s in self.stops))

    @property
    def wait_min(self) -> float:
        return float(sum(s.wait_min for s in self.stops))

    @property
    def score(self) -> float:
        return float(sum(s.score for s in self.stops))

    @property
    def step_count(self) -> int:
        return int(sum(leg.route.step_count for leg in self.legs))

    @property
    def geometry(self) -> list[LatLon]:
        out: list[LatLon] = []
        for leg in self.legs:
            for p in leg.geometry:
                if not out or out[-1] != p:
                    out.append(p)
        return out

    def summary(self, lang: str = "en") -> str:
        fr = lang.startswith("fr")
        head = (
            f"{len(self.stops)} étapes, {self.walk_m / 1000:.1f} km à pied, {self.total_min:.0f} min sur {self.budget_min:.0f}"
            if fr
            else f"{len(self.stops)} stops, {self.walk_m / 1000:.1f} km walking, {self.total_min:.0f} min of {self.budget_min:.0f}"
        )
        lines = [head]
        for i, s in enumerate(self.stops, 1):
            wait = ""
            if s.wait_min >= 0.5:
                wait = f" (attente {s.wait_min:.0f} min)" if fr else f" (wait {s.wait_min:.0f} min)"
            check = ""
            if s.open_checked:
                check = " — ouvert" if fr else " — open"
            lines.append(f"{i:2d}. {s.start:%H:%M}–{s.departure:%H:%M} {s.name}{wait}{check}")
        lines.append(("Arrivée " if fr else "Finish ") + f"{self.finish_time:%H:%M}")
        if self.straight_line:
            lines.append(self.notes.get("fr" if fr else "en", ""))
        return "\n".join(lines)

    def to_geojson(self) -> dict:
        feats = [leg.route.to_geojson() for leg in self.legs]
        for i, s in enumerate(self.stops, 1):
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [s.location.lon, s.location.lat]},
                    "properties": {
                        "order": i,
                        "poi_id": s.poi_id,
                        "name": s.name,
                        "arrival": s.arrival.isoformat(),
                        "start": s.start.isoformat(),
                        "departure": s.departure.isoformat(),
                        "open_checked": s.open_checked,
                    },
                }
            )
        return {"type": "FeatureCollection", "features": feats}

    def to_trail(self, trail_id: str, title: Mapping[str, str]) -> "Trail":
        """This itinerary as a pack :class:`~heritage_kit.models.Trail` (stops, geometry, length, duration, tags)."""
        from heritage_kit.models import Trail

        tags = []
        if self.step_free:
            tags.append("step-free")
        if self.end is not None and self.end == self.start:
            tags.append("loop")
        kinds = {s.kind for s in self.stops}
        if "heritage" in kinds:
            tags.append("heritage")
        if "commerce" in kinds:
            tags.append("shopping")
        geometry = self.geometry
        return Trail.model_validate(
            {
                "id": trail_id,
                "title": dict(title),
                "stops": [s.poi_id for s in self.stops],
                "geometry": [{"lat": p.lat, "lon": p.lon} for p in geometry] if len(geometry) >= 2 else None,
                "length_m": round(self.walk_m, 1),
                "duration_min": round(self.total_min, 1),
                "tags": tags,
            }
        )

    def timed_geometry(self) -> list[tuple[LatLon, datetime]]:
        """The walk's points with the planned time at each: along a leg in proportion to its length, and a point
        at each stop when its visit ends (the walker stays there)."""
        out: list[tuple[LatLon, datetime]] = []
        departures = {s.poi_id: s.departure for s in self.stops}
        for leg in self.legs:
            pts = list(leg.geometry) or [self.start]
            cum = [0.0]
            for a, b in zip(pts, pts[1:]):
                cum.append(cum[-1] + float(haversine_m(a.lat, a.lon, b.lat, b.lon)))
            span = (leg.arrive - leg.depart).total_seconds()
            for p, d in zip(pts, cum):
                when = leg.depart + timedelta(seconds=span * (d / cum[-1] if cum[-1] > 0 else 1.0))
                if not out or out[-1] != (p, when):
                    out.append((p, when))
            if leg.to_poi in departures and departures[leg.to_poi] > out[-1][1]:
                out.append((out[-1][0], departures[leg.to_poi]))
        return out

    def to_gpx(self, *, name: str = "heritage-kit trail") -> str:
        """The trail as GPX 1.1 (a track of the walk, a waypoint per stop), written by gpxpy."""
        import gpxpy.gpx

        g = gpxpy.gpx.GPX()
        g.creator = "heritage-kit"
        trk = gpxpy.gpx.GPXTrack(name=name)
        seg = gpxpy.gpx.GPXTrackSegment()
        for p, when in self.timed_geometry():  # timed: ``walk replay`` can feed it to the geofences
            seg.points.append(gpxpy.gpx.GPXTrackPoint(p.lat, p.lon, time=when))
        trk.segments.append(seg)
        g.tracks.append(trk)
        for i, s in enumerate(self.stops, 1):
            g.waypoints.append(
                gpxpy.gpx.GPXWaypoint(s.location.lat, s.location.lon, name=f"{i}. {s.name}", time=s.start,
                                      description=f"{s.start:%H:%M}-{s.departure:%H:%M}")
            )
        return g.to_xml(version="1.1")


@dataclass(frozen=True)
class _EventHours:
    """When a POI is open once events are counted (heritage_kit.events.availability): checks the visit the way
    ``OpeningHours.is_open_for`` does; ``proves`` is False when only closures were applied (nothing says open)."""

    spans: list
    proves: bool

    def is_open_for(self, begin: datetime, minutes: float) -> bool:
        from heritage_kit.events import open_throughout

        return open_throughout(self.spans, begin, minutes) if self.spans else not self.proves


def _local_time(t: datetime, tz) -> datetime:
    return t.replace(tzinfo=tz) if t.tzinfo is None else t.astimezone(tz)


def _mapped_twice(poi: "POI", chosen: Sequence["POI"]) -> bool:
    """``poi`` is one of ``chosen`` mapped again: within 75 m, a near-equal name (score ≥ 90), same kind and a shared
    category. Stricter than a contributor's duplicate hint: a statue by the church of the same saint, or two
    restaurants called "Mozza" and "Cozza", stay two places."""
    by_id = {c.id: c for c in chosen}
    for hint in duplicate_hints(chosen, name=poi.name.root, lat=poi.lat, lon=poi.lon, min_score=90.0):
        other = by_id[hint.poi_id]
        if other.kind == poi.kind and set(other.categories) & set(poi.categories):
            return True
    return False


FAR_FROM_PACK_M = 5000.0  # a start farther than this from every place of the pack is a mistake, not "0 stops"


def _checked_request(pack: "ContentPack", start: Any, end: Any, minutes: Any) -> tuple[LatLon, LatLon | None, float]:
    """``start``/``end`` as points and ``minutes`` as a positive number, or a clear :class:`ArgumentTypeError`,
    :class:`ArgumentValueError` or :class:`StartTooFar` naming the argument."""
    points = []
    for name, p in (("start", start), ("end", end)):
        if p is None and name == "end":
            points.append(None)
            continue
        try:
            points.append(as_latlon(p))
        except ArgumentTypeError as exc:
            raise ArgumentTypeError(f"{name}: {exc}", argument=name, value=p) from None
        except (TypeError, ValueError) as exc:  # a dict with wrong keys or out-of-range numbers
            raise ArgumentValueError(f"{name}: not a valid point: {exc}".splitlines()[0], argument=name, value=p) from None
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        raise ArgumentTypeError(f"minutes: expected a number, got {type(minutes).__name__} {minutes!r}",
                                argument="minutes", value=minutes)
    if not (minutes > 0 and math.isfinite(minutes)):
        raise ArgumentValueError(f"minutes must be a positive number of minutes, got {minutes!r}",
                                 argument="minutes", value=minutes)
    start_pt = points[0]
    if pack.pois:
        nearest = min(float(haversine_m(start_pt.lat, start_pt.lon, p.lat, p.lon)) for p in pack.pois)
        if nearest > FAR_FROM_PACK_M:
            raise StartTooFar(
                f"start ({start_pt.lat:.5f}, {start_pt.lon:.5f}) is {nearest / 1000:.1f} km from the nearest place of "
                f"the {pack.manifest.town_id!r} pack (at most {FAR_FROM_PACK_M / 1000:.0f} km): is it the right town, "
                "and lat/lon in that order?",
                distance_m=nearest, limit_m=FAR_FROM_PACK_M, value=start,
            )
    return start_pt, points[1], float(minutes)


def plan_trail(
    pack: "ContentPack",
    *,
    start: LatLon,
    end: LatLon | None = None,
    start_time: datetime,
    minutes: float,
    interests: Mapping[str, float] | Sequence[str] | None = None,
    step_free: bool = False,
    must_visit: Sequence[str] = (),
    shops_open_on_arrival: bool = True,
    events: Sequence[Any] | None = None,
    network: WalkingNetwork | None = None,
    max_candidates: int = 40,
    time_limit_s: float = 1.0,
    lang: str = "en",
) -> Itinerary:
    """The best trail from ``start`` within ``minutes`` from ``start_time`` (see the module docstring).

    ``end=None`` ends the walk at the last stop; give ``end=start`` for a loop.
    ``must_visit`` POI ids are always included, or :class:`RouteNotFound`
    says why they cannot be.

    ``events`` (default: the pack's, ``pack.events``; ``()`` for none) change when a POI may be visited
    (:mod:`heritage_kit.events`): an event opening its POI (a market on its marketplace) makes it open while it
    is held, even without opening hours; one with ``closes_poi`` makes it closed, whatever its hours say.
    """
    from heritage_kit.events import availability, occurrences, poi_event_windows
    from heritage_kit.hours import OpeningHours

    start, end, minutes = _checked_request(pack, start, end, minutes)
    net = network if network is not None else network_for_pack(pack)
    tz = pack.timezone
    t0 = _local_time(start_time, tz)
    t1 = t0 + timedelta(minutes=minutes)
    budget = minutes * 60.0
    country = pack.manifest.country
    must = list(dict.fromkeys(must_visit))
    for pid in must:
        pack.poi(pid)  # raises PoiNotFound
    occs = occurrences(getattr(pack, "events", ()) if events is None else events, t0, t1, tz, country=country)

    # -- candidates: reachable, worth a visit, best first -------------------------------------
    speed = getattr(net, "speed_mps", 1.25)
    reach = speed * budget * (1.0 if end is None else 0.5)
    if end is not None:
        reach = max(reach, float(haversine_m(start.lat, start.lon, end.lat, end.lon)) / 2 + speed * budget * 0.5)
    scored: list[tuple[float, "POI"]] = []
    curated = {pid for t in pack.trails for pid in t.stops}
    for poi in pack.pois:
        forced = poi.id in must
        s = poi_score(poi, interests, curated=poi.id in curated)
        if s <= 0 and not forced:
            continue
        d = float(haversine_m(start.lat, start.lon, poi.lat, poi.lon))
        if d > reach and not forced:
            continue
        scored.append((s, poi))
    scored.sort(key=lambda sp: (-(sp[1].id in must), -sp[0], sp[1].id))
    chosen: list[tuple[float, "POI", list[tuple[float, float]] | None, Any]] = []
    skipped = {"mapped twice": 0, "hours unknown": 0, "hours uncertain": 0, "closed": 0, "off the network": 0}
    for s, poi in scored:
        if len(chosen) >= max_candidates and poi.id not in must:
            break
        if poi.id not in must and _mapped_twice(poi, [c[1] for c in chosen]):
            skipped["mapped twice"] += 1
            continue  # the same place, mapped twice: the better-scored record is already in
        vm = visit_minutes(poi)
        windows = None
        hours = None
        opened, closed = poi_event_windows(occs, poi.id) if occs else ([], [])
        base = None  # when its hours (and events opening it) say it is open; None: not constrained
        if shops_open_on_arrival and (poi.opening_hours or _needs_open(poi)):
            hours = OpeningHours(poi.opening_hours, country=country, timezone=tz) if poi.opening_hours else None
            if hours is None or not hours.readable or hours.uncertain:  # a flagged guess proves nothing open
                why = "hours are a flagged guess" if hours is not None and hours.readable else "hours are unknown"
                hours = None
                if _needs_open(poi):
                    if not opened:
                        if poi.id in must:
                            raise RouteNotFound(f"{poi.id} ({poi.name.get(lang)}): its opening {why}")
                        skipped["hours uncertain" if "guess" in why else "hours unknown"] += 1
                        continue  # cannot prove it open
                    base = []  # open only while an event (its market) is held
            else:
                base = [(iv.start, iv.end) for iv in hours.intervals(t0, t1) if str(iv.state) == "open"]
        avail = availability(base, opened, closed, window=(t0, t1))
        if avail is not None:
            windows = []
            for a_dt, b_dt in avail:
                a = (a_dt - t0).total_seconds()
                b = (b_dt - t0).total_seconds() - vm * 60
                if b >= a:
                    windows.append((a, b))
            if not windows:
                if poi.id in must:
                    why = " (closed for an event)" if closed else ""
                    raise RouteNotFound(
                        f"{poi.id} ({poi.name.get(lang)}) is not open for a {vm:.0f}-minute visit "
                        f"between {t0:%Y-%m-%d %H:%M} and {t1:%H:%M}{why}"
                    )
                skipped["closed"] += 1
                continue
        if opened or closed:
            hours = _EventHours(avail or [], proves=base is not None)
        try:
            net.snap(poi.location, step_free=step_free)  # off the network (too far, no step-free way): skip it
        except RouteNotFound:
            if poi.id in must:
                raise
            skipped["off the network"] += 1
            continue
        chosen.append((s, poi, windows, hours))
    _log.info("plan_trail %s: %d scored within %.0f m, %d candidates (best: %s), left out: %s",
              pack.manifest.town_id, len(scored), reach, len(chosen),
              ", ".join(f"{c[1].id} {c[0]:.0f}" for c in chosen[:5]) or "none",
              ", ".join(f"{n} {why}" for why, n in skipped.items() if n) or "none")

    # -- the instance: 0 = start, 1..k = POIs, k+1 = end (if any) ------------------------------
    points = [start] + [c[1].location for c in chosen] + ([end] if end is not None else [])
    T = net.matrix(points, step_free=step_free, metric="time")
    k = len(chosen)
    big = 1.0 + sum(c[0] for c in chosen if c[1].id not in must)
    scores = [0.0] + [(c[0] + big * (c[1].id in must)) for c in chosen] + ([0.0] if end is not None else [])
    svc = [0.0] + [visit_minutes(c[1]) * 60 for c in chosen] + ([0.0] if end is not None else [])
    wins = [None] + [c[2] for c in chosen] + ([None] if end is not None else [])
    end_idx = k + 1 if end is not None else None
    if end is not None and T[0, end_idx] > budget:
        raise RouteNotFound(f"the end point is {T[0, end_idx] / 60:.0f} min away: more than the {minutes:.0f} minutes given")
    order = plan_visits(T, scores=scores, service_time=svc, windows=wins, start=0, end=end_idx, budget=budget,
                        time_limit_s=time_limit_s)
    missing = [c[1].id for i, c in enumerate(chosen, 1) if c[1].id in must and i not in order]
    if missing:
        raise RouteNotFound(f"cannot fit must-visit {', '.join(missing)} in {minutes:.0f} minutes (walking, visits and opening hours)")
    sched = visit_schedule(T, order, scores=scores, service_time=svc, windows=wins, start=0, end=end_idx, budget=budget)
    _log.info("plan_trail %s: %d stops chosen of %d candidates: %s", pack.manifest.town_id, len(order), k,
              ", ".join(chosen[i - 1][1].id for i in order) or "none")
    assert sched is not None  # plan_visits only returns feasible plans

    # -- legs with geometry, times, and the opening-hours proof --------------------------------
    stops: list[ItineraryStop] = []
    legs: list[Leg] = []
    prev_pt, prev_t = start, t0
    for pos, i in enumerate(order):
        s, poi, _w, hours = chosen[i - 1]
        route = net.route(prev_pt, poi.location, step_free=step_free, metric="time")
        arrive = t0 + timedelta(seconds=sched.arrival[pos])
        begin = t0 + timedelta(seconds=sched.begin[pos])
        depart = t0 + timedelta(seconds=sched.departure[pos])
        legs.append(Leg(route=route, depart=prev_t, arrive=arrive, to_poi=poi.id))
        checked = False
        if hours is not None:
            checked = hours.is_open_for(begin, visit_minutes(poi))
            if not checked:  # the windows came from the same hours: this would be a bug
                raise AssertionError(f"{poi.id} planned while closed at {begin:%H:%M}")
            checked = getattr(hours, "proves", True)
        held = tuple(dict.fromkeys(o.event.id for o in occs
                                   if o.event.poi == poi.id and o.start < depart and o.end > begin))
        stops.append(
            ItineraryStop(
                poi_id=poi.id, name=poi.name.get(lang), kind=poi.kind, categories=tuple(poi.categories),
                location=poi.location, arrival=arrive, start=begin, departure=depart, score=s,
                opening_hours=poi.opening_hours, open_checked=checked, events=held,
            )
        )
        prev_pt, prev_t = poi.location, depart
    if end is not None:
        route = net.route(prev_pt, end, step_free=step_free, metric="time")
        legs.append(Leg(route=route, depart=prev_t, arrive=t0 + timedelta(seconds=sched.finish), to_poi=None))
    return Itinerary(
        start=start, end=end, start_time=t0, budget_min=float(minutes), stops=tuple(stops), legs=tuple(legs),
        step_free=step_free, straight_line=net.straight_line,
        notes=dict(getattr(net, "note", {}) or {}),
    )
