"""In-app geofencing: arrival alerts on every GPS fix, with no platform cap.

Pure logic (no file, network or clock access): the engine is a deterministic
state machine fed with :class:`Fix` objects; the same sequence of fixes always
gives the same events.

Typical use (the app)::

    fences = fences_for(pack)                      # one fence per POI
    engine = GeofenceEngine(fences, config=GeofenceConfig())
    engine.set_active(trail.stops, next_id=trail.stops[0])
    engine.set_route(planned_path)                 # walk mode: LatLon points (rule 8)
    for fix in gps:                                # every GPS fix
        for event in engine.update(fix):           # enter / exit / dwell
            notify(event)
        sleep(engine.suggest_interval(fix))        # battery
    saved = engine.state.to_dict()                 # JSON-ready, app restart
    engine = GeofenceEngine(fences, state=GeofenceState.from_dict(saved))

How a fix is judged (every rule is a field of :class:`GeofenceConfig`):

1. *Accuracy gate.* A fix whose reported accuracy is worse than
   ``max_accuracy_m`` is ignored. For each fence, a fix decides only if its
   accuracy circle is small against what must be decided (``accuracy <=
   accuracy_gate x`` the enter radius of a circle, the buffer of a footprint —
   at least 10 m); otherwise that fence keeps its state.
2. *Jump rejection.* A fix further from the last accepted fix than a walker
   can go (``max_speed_mps x dt + jump_accuracy_factor x (both accuracies)``)
   is rejected (multipath); ``reanchor_fixes`` consecutive mutually-consistent
   rejected fixes re-anchor the track (the walker really did move).
3. *Enter.* A fence is entered after ``enter_fixes`` hits among
   ``enter_window`` consecutive decisive fixes, a hit being a fix inside its
   enter radius less ``enter_margin`` x the fix's accuracy (a fix barely
   inside is no evidence). With ``exclusive`` (default) a fix is a hit for one
   fence only, the nearest (distance to its centre relative to its size) of
   those whose zone holds it, counting the fences the walker is already in:
   the building across the street is not announced.
4. *Hysteresis.* A fence is left after ``exit_fixes`` trusted fixes beyond its
   exit radius (``radius x exit_factor + exit_margin_m`` unless the fence sets
   its own), so a walker at the edge does not flicker.
5. *Halts.* Fixes whose Doppler speed is below ``stationary_mps`` form a
   *halt*; from its ``halt_mean_fixes``-th fix on, fences are judged at the
   accuracy-weighted mean of the halt (standing still, the mean is steadier
   than one fix). After ``halt_arrival_s`` seconds, if the walker has walked
   ``moved_m`` since the last alert, the *next stop*
   (``set_active(..., next_id=...)``) is entered when the halt's mean is within
   its enter radius + ``halt_slack`` x the mean accuracy (gate:
   ``halt_gate`` x the fence's gate) and nearer than any other watched fence:
   people stop where they were going. A walker waiting at a crossing far from
   the next stop gets nothing. With ``hold_when_still`` (default), a walker
   halted in a fence without having walked ``moved_m`` since the last alert
   neither enters another fence nor leaves (the apparent move is noise).
   Fixes without speed are judged by position only.
6. *Dwell.* One ``dwell`` event after ``dwell_s`` seconds inside.
7. *Alerts.* An ``enter`` is an alert. It is silenced (the stay is still
   tracked, and its ``exit``/``dwell`` are silent too) when the fence alerted
   less than ``cooldown_s`` ago, or when ``alerts_per_hour`` alerts were given
   in the last hour (the *next stop* set by :meth:`GeofenceEngine.set_active`
   is exempt from that budget).

8. *Route* (optional, :meth:`GeofenceEngine.set_route`). When the walker's
   planned path is known (walk mode: the routed legs through the stops), an
   extended Kalman filter tracks the walker *along* it. State: arc length
   ``s``, speed ``v`` (constant-speed model, white acceleration noise
   ``route_accel``) and the GPS bias (east, north), an Ornstein–Uhlenbeck
   process (``route_bias_tau_s``, ``route_bias_fraction`` of the fix's
   variance ``(accuracy / 1.515)²``; the rest is white). Each trusted fix
   (after rules 1–2) is projected on the route near the prediction; its
   offset from the route is split *along* the route (measures ``s`` + bias)
   and *across* it (measures the bias only: a fix pushed across the street is
   taken for bias, not believed, and that estimate corrects ``s`` at the next
   corner); within ``route_linearise_m`` of the prediction the split is made
   at the predicted point (an EKF), further away at the projection. The
   Doppler speed measures ``v`` (forward; below ``stationary_mps``, 0), so
   progress is dead-reckoned between fixes; while the fix's speed says the
   walker stands still, the split is always made at the predicted point (a
   fix landing past a corner or a turn-back is bias, not progress). Fences
   are judged at the route point at the filtered ``s``, with the filter's
   accuracy (at least ``route_min_accuracy_m``), a hit needing
   ``route_enter_margin`` x that accuracy inside the zone; a halt's arrival
   (rule 5) uses ``route_halt_slack`` (default 0: the halt's mean route point
   must be inside the zone) instead of ``halt_slack``. Gating: a fix further from the route than
   ``max(route_gate_m, route_gate_accuracy x accuracy)`` is not used; after
   ``route_off_fixes`` such fixes in a row the walker has left the route (a
   detour, a skipped stop) and the engine falls back to rules 1–7 on raw
   fixes, until ``route_on_fixes`` consecutive fixes near the route lock it
   again — ahead of the progress already made (a route may pass a place
   twice) and within walking reach, else anywhere. After a gap of more than
   ``route_max_gap_s`` without fixes (a dropout) the walker may have stopped
   or walked on: the filter keeps its bias estimate (decayed over the gap)
   and reopens ``s`` (variance + (``max_speed_mps`` x gap / 2)²) and ``v``
   (zero, free), so the next fixes place the walker without taking the bias
   for progress. Without a route, nothing changes.

Distances are metres on the WGS84 ellipsoid's local tangent plane at the fix
(the same radii as :class:`heritage_kit.geo.LocalProjection`), exact to ~0.1%
within a few km — far below GPS error.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry import shape as _shape

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import SIGMA_PER_ACCURACY, metres_per_degree
from heritage_kit.types import LatLon

__all__ = [
    "Fix",
    "Fence",
    "GeofenceEvent",
    "GeofenceConfig",
    "GeofenceState",
    "GeofenceEngine",
    "OsFence",
    "DEFAULT_RADIUS_M",
    "CATEGORY_RADIUS_M",
    "fences_for",
    "metres_per_degree",
]

EventKind = Literal["enter", "exit", "dwell"]

# --------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------
# value types
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
    """

    id: str
    center: LatLon
    radius_m: float
    exit_radius_m: float | None = None
    footprint: Any = None
    priority: int = 0

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
        cls, id: str, *, lat: float, lon: float, radius_m: float, exit_radius_m: float | None = None, priority: int = 0
    ) -> "Fence":
        return cls(id, LatLon(lat=lat, lon=lon), float(radius_m), exit_radius_m, None, priority)

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
    ) -> "Fence":
        geom = _as_geometry(footprint, id)
        if center is None:
            p = geom.representative_point()
            center = LatLon(lat=p.y, lon=p.x)
        return cls(id, center, float(buffer_m), exit_buffer_m, geom, priority)

    @property
    def is_polygon(self) -> bool:
        return self.footprint is not None


def _as_geometry(footprint: Any, fence_id: str):
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


@dataclass(frozen=True, slots=True, kw_only=True)
class GeofenceConfig:
    """Tuning of :class:`GeofenceEngine` (see the module docstring for the rules; ``route_*``: rule 8)."""

    exit_factor: float = 1.25
    exit_margin_m: float = 10.0
    max_accuracy_m: float = 50.0
    accuracy_gate: float = 1.5
    enter_margin: float = 0.3
    max_speed_mps: float = 3.0
    jump_accuracy_factor: float = 1.0
    reanchor_fixes: int = 5
    enter_fixes: int = 2
    enter_window: int = 2
    exit_fixes: int = 2
    dwell_s: float = 30.0
    cooldown_s: float = 600.0
    alerts_per_hour: int | None = 60
    exclusive: bool = True
    stationary_mps: float = 0.5
    hold_when_still: bool = True
    moved_m: float = 25.0
    halt_arrival_s: float | None = 5.0
    halt_slack: float = 0.3
    halt_gate: float = 2.0
    halt_mean_fixes: int = 3
    walking_speed_mps: float = 1.4
    route_gate_m: float = 25.0
    route_gate_accuracy: float = 2.5
    route_off_fixes: int = 5
    route_on_fixes: int = 3
    route_accel: float = 0.3
    route_bias_fraction: float = 0.6
    route_bias_tau_s: float = 60.0
    route_speed_noise_mps: float = 0.3
    route_min_accuracy_m: float = 3.0
    route_enter_margin: float = 1.2
    route_linearise_m: float = 5.0
    route_max_gap_s: float = 10.0
    route_halt_slack: float = 0.0
    min_interval_s: float = 1.0
    max_interval_s: float = 30.0

    def __post_init__(self) -> None:
        checks = {
            "exit_factor": self.exit_factor >= 1.0,
            "exit_margin_m": self.exit_margin_m >= 0.0,
            "max_accuracy_m": self.max_accuracy_m > 0.0,
            "accuracy_gate": self.accuracy_gate > 0.0,
            "enter_margin": 0.0 <= self.enter_margin < 1.0,
            "max_speed_mps": self.max_speed_mps > 0.0,
            "jump_accuracy_factor": self.jump_accuracy_factor >= 0.0,
            "reanchor_fixes": self.reanchor_fixes >= 1,
            "enter_fixes": self.enter_fixes >= 1,
            "enter_window": self.enter_window >= self.enter_fixes,
            "exit_fixes": self.exit_fixes >= 1,
            "dwell_s": self.dwell_s >= 0.0,
            "cooldown_s": self.cooldown_s >= 0.0,
            "alerts_per_hour": self.alerts_per_hour is None or self.alerts_per_hour >= 0,
            "walking_speed_mps": self.walking_speed_mps > 0.0,
            "stationary_mps": self.stationary_mps >= 0.0,
            "halt_arrival_s": self.halt_arrival_s is None or self.halt_arrival_s >= 0.0,
            "halt_slack": self.halt_slack >= 0.0,
            "halt_gate": self.halt_gate > 0.0,
            "halt_mean_fixes": self.halt_mean_fixes >= 0,
            "moved_m": self.moved_m >= 0.0,
            "min_interval_s": 0.0 < self.min_interval_s <= self.max_interval_s,
            "route_gate_m": self.route_gate_m > 0.0,
            "route_gate_accuracy": self.route_gate_accuracy >= 0.0,
            "route_off_fixes": self.route_off_fixes >= 1,
            "route_on_fixes": self.route_on_fixes >= 1,
            "route_accel": self.route_accel > 0.0,
            "route_bias_fraction": 0.0 <= self.route_bias_fraction < 1.0,
            "route_bias_tau_s": self.route_bias_tau_s > 0.0,
            "route_speed_noise_mps": self.route_speed_noise_mps > 0.0,
            "route_min_accuracy_m": self.route_min_accuracy_m >= 0.0,
            "route_enter_margin": 0.0 <= self.route_enter_margin < 3.0,
            "route_linearise_m": self.route_linearise_m >= 0.0,
            "route_max_gap_s": self.route_max_gap_s > 0.0,
            "route_halt_slack": self.route_halt_slack >= 0.0,
        }
        if self.exit_factor == 1.0 and self.exit_margin_m == 0.0:
            checks["exit_margin_m"] = False  # no hysteresis at all
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise GeofenceError(f"GeofenceConfig: invalid {', '.join(bad)}")

    def exit_radius(self, fence: Fence) -> float:
        if fence.exit_radius_m is not None:
            return fence.exit_radius_m
        return fence.radius_m * self.exit_factor + self.exit_margin_m


# --------------------------------------------------------------------------
# default radii
DEFAULT_RADIUS_M: dict[str, float] = {"heritage": 30.0, "commerce": 15.0, "service": 20.0}
"""Default enter radius by POI kind when no category below applies."""

CATEGORY_RADIUS_M: dict[str, float] = {
    # large sites and open spaces: you "are at" them well before their centre
    "castle": 60.0, "palace": 60.0, "fort": 50.0, "cathedral": 45.0, "monastery": 45.0,
    "square": 40.0, "garden": 50.0, "cemetery": 50.0, "archaeological_site": 50.0,
    "marketplace": 35.0, "viewpoint": 25.0, "station": 40.0, "hospital": 50.0,
    # ordinary buildings
    "church": 30.0, "museum": 30.0, "theatre": 30.0, "townhall": 30.0, "building": 25.0,
    "tower": 25.0, "bridge": 30.0, "town_gate": 25.0,
    # small things in the street
    "statue": 15.0, "memorial": 15.0, "artwork": 15.0, "fountain": 15.0, "house": 15.0,
    "defibrillator": 10.0, "drinking_water": 10.0, "toilets": 15.0, "bicycle_parking": 10.0,
}
"""Enter radius (m) by category; a POI takes the largest of its categories."""

MIN_RADIUS_M = 12.0
"""``fences_for(..., separate=True)`` never shrinks a circle below this."""


def fences_for(
    pack_or_pois: Any,
    *,
    ids: Iterable[str] | None = None,
    radius_by_category: Mapping[str, float] | None = None,
    radius_by_kind: Mapping[str, float] | None = None,
    use_footprints: bool = True,
    footprint_buffer_m: float = 15.0,
    separate: bool = False,
    grow: float = 1.0,
    min_radius_m: float = MIN_RADIUS_M,
    priority: Mapping[str, int] | None = None,
) -> list[Fence]:
    """One fence per POI of a :class:`~heritage_kit.packs.ContentPack` or a list of POIs.

    Radius: the largest of ``CATEGORY_RADIUS_M`` (overridable per category
    with ``radius_by_category``) over the POI's categories, else
    ``DEFAULT_RADIUS_M`` by kind — small for shop fronts (15 m), 30 m for a
    monument, 40–60 m for squares, castles and gardens. A POI with a
    footprint becomes a polygon fence buffered by ``footprint_buffer_m``
    (unless ``use_footprints=False``). ``ids`` keeps only those POIs, in that
    order.

    Fitting to the neighbourhood uses the *gap* from each POI (its point or
    footprint) to the nearest other one among those given: ``separate=True``
    shrinks a radius (or footprint buffer) to at most half the gap, never below
    ``min_radius_m`` (or the default itself when smaller), so stops 30 m apart
    stay apart; ``grow > 1`` lets an isolated POI's radius or buffer grow up to
    ``grow`` x its default, still within half the gap, so a lone fort is
    announced from a sensible distance while a shop among shops keeps 15 m.
    """
    pois = list(getattr(pack_or_pois, "pois", pack_or_pois))
    if ids is not None:
        by_id = {p.id: p for p in pois}
        wanted = list(ids)
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise GeofenceError(f"fences_for: no POI {missing[0]!r}")
        pois = [by_id[i] for i in wanted]
    cat_r = dict(CATEGORY_RADIUS_M)
    cat_r.update(radius_by_category or {})
    kind_r = dict(DEFAULT_RADIUS_M)
    kind_r.update(radius_by_kind or {})
    prio = priority or {}
    if grow < 1.0:
        raise GeofenceError("fences_for: grow must be >= 1")
    polys = [bool(use_footprints and p.footprint is not None) for p in pois]
    radii: list[float] = []
    for p, is_poly in zip(pois, polys):
        if is_poly:
            radii.append(float(footprint_buffer_m))
            continue
        rs = [cat_r[c] for c in p.categories if c in cat_r]
        radii.append(max(rs) if rs else kind_r.get(p.kind, 25.0))
    if (separate or grow > 1.0) and len(pois) > 1:
        lat0 = float(np.mean([p.location.lat for p in pois]))
        lon0 = float(np.mean([p.location.lon for p in pois]))
        kx, ky = metres_per_degree(lat0)
        scale, origin = np.array([kx, ky]), np.array([lon0, lat0])
        cores = []
        for p, is_poly in zip(pois, polys):
            if is_poly:
                cores.append(shapely.transform(_as_geometry(p.footprint, p.id), lambda c: (c - origin) * scale))
            else:
                cores.append(shapely.Point((p.location.lon - lon0) * kx, (p.location.lat - lat0) * ky))
        tree = shapely.STRtree(cores)
        (src, _dst), gap = tree.query_nearest(cores, exclusive=True, return_distance=True, all_matches=False)
        half = np.full(len(pois), np.inf)
        half[src] = gap / 2.0
        for i, r0 in enumerate(list(radii)):
            r = r0
            if separate:
                r = max(min(r, half[i]), min(min_radius_m, r0))
            if grow > 1.0:
                r = max(r, min(grow * r0, half[i]))
            radii[i] = float(r)
    fences: list[Fence] = []
    for p, r, is_poly in zip(pois, radii, polys):
        pr = int(prio.get(p.id, 0))
        if is_poly:
            fences.append(Fence.polygon(p.id, p.footprint, buffer_m=r, center=p.location, priority=pr))
        else:
            fences.append(Fence(p.id, p.location, r, None, None, pr))
    return fences


# --------------------------------------------------------------------------
# state
_TRACK_FIELDS = ("s_m", "speed_mps", "bias_east_m", "bias_north_m", "covariance", "t")


def _full_cov(upper: Sequence[float]) -> list[float]:
    """The row-major 4x4 covariance from its upper triangle (p00 p01 p02 p03 p11 p12 p13 p22 p23 p33)."""
    p00, p01, p02, p03, p11, p12, p13, p22, p23, p33 = upper
    return [p00, p01, p02, p03, p01, p11, p12, p13, p02, p12, p22, p23, p03, p13, p23, p33]


class _Stay:
    __slots__ = ("entered", "alerted", "dwelled", "out")

    def __init__(self, entered: float, alerted: bool, dwelled: bool = False, out: int = 0) -> None:
        self.entered = entered
        self.alerted = alerted
        self.dwelled = dwelled
        self.out = out


class GeofenceState:
    """Everything the engine remembers between fixes, keyed by fence id.

    ``to_dict()`` gives plain JSON-ready data; ``from_dict()`` restores it, so
    an app restarted mid-walk neither re-announces the fence it is in nor
    forgets cooldowns, the hourly budget or the active set.

    Version 2 adds the route (:meth:`GeofenceEngine.set_route`: its points
    and the walker's filtered progress along it), so route mode resumes
    where it was; version-1 states (no route) still load.
    """

    VERSION = 2
    VERSIONS = (1, 2)

    def __init__(self) -> None:
        self.last_t: float | None = None
        self.anchor: tuple[float, float, float, float] | None = None  # lat, lon, t, acc
        self.rejected: tuple[float, float, float, float] | None = None
        self.n_rejected = 0
        self.inside: dict[str, _Stay] = {}
        self.pending: dict[str, list[int]] = {}  # fence id -> [hits, misses]
        self.last_alert: dict[str, float] = {}
        self.alerts: deque[float] = deque()
        self.active: frozenset[str] | None = None
        self.next_id: str | None = None
        self.speed_mps: float | None = None
        self.moved_m = 1e9  # metres walked (Doppler) since the last alert
        self.halt: list[float] | None = None  # since, sum w, w.lat, w.lon, w.acc, done, n
        self.route: tuple[tuple[float, ...], tuple[float, ...]] | None = None  # (lats, lons) of the route
        self.track: list[float] | None = None  # s, v, bx, by, covariance (upper triangle), t: on the route
        self.route_miss = 0  # consecutive fixes off the route while locked
        self.route_hits = 0  # consecutive fixes near the route while not locked
        self.route_done_m = 0.0  # furthest filtered progress along the route
        self.route_done_t: float | None = None  # time of the last fix on the route

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.VERSION,
            "last_t": self.last_t,
            "anchor": list(self.anchor) if self.anchor else None,
            "rejected": list(self.rejected) if self.rejected else None,
            "n_rejected": self.n_rejected,
            "inside": {
                k: {"entered": s.entered, "alerted": s.alerted, "dwelled": s.dwelled, "out": s.out}
                for k, s in self.inside.items()
            },
            "pending": {k: list(v) for k, v in self.pending.items()},
            "last_alert": dict(self.last_alert),
            "alerts": list(self.alerts),
            "active": sorted(self.active) if self.active is not None else None,
            "next_id": self.next_id,
            "speed_mps": self.speed_mps,
            "halt": list(self.halt) if self.halt is not None else None,
            "moved_m": self.moved_m,
            "route": None if self.route is None else {"lat": list(self.route[0]), "lon": list(self.route[1])},
            "track": None if self.track is None else dict(zip(_TRACK_FIELDS, [*self.track[:4], _full_cov(self.track[4:14]), self.track[14]])),
            "route_miss": self.route_miss,
            "route_hits": self.route_hits,
            "route_done_m": self.route_done_m,
            "route_done_t": self.route_done_t,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "GeofenceState":
        where = "geofence state"
        try:
            if data.get("version") not in cls.VERSIONS:
                raise GeofenceError(
                    f"{where}: field 'version': expected one of {cls.VERSIONS}, got {data.get('version')!r}"
                )
            st = cls()
            st.last_t = None if data.get("last_t") is None else float(data["last_t"])
            for name in ("anchor", "rejected"):
                v = data.get(name)
                if v is not None:
                    if len(v) != 4:
                        raise GeofenceError(f"{where}: field {name!r}: expected [lat, lon, t, accuracy]")
                    setattr(st, name, tuple(float(x) for x in v))
            st.n_rejected = int(data.get("n_rejected", 0))
            for k, s in (data.get("inside") or {}).items():
                st.inside[str(k)] = _Stay(float(s["entered"]), bool(s["alerted"]), bool(s["dwelled"]), int(s["out"]))
            st.pending = {str(k): [int(v[0]), int(v[1])] for k, v in (data.get("pending") or {}).items()}
            st.last_alert = {str(k): float(v) for k, v in (data.get("last_alert") or {}).items()}
            st.alerts = deque(float(t) for t in data.get("alerts") or [])
            act = data.get("active")
            st.active = None if act is None else frozenset(str(a) for a in act)
            st.next_id = None if data.get("next_id") is None else str(data["next_id"])
            st.speed_mps = None if data.get("speed_mps") is None else float(data["speed_mps"])
            halt = data.get("halt")
            if halt is not None and len(halt) != 7:
                raise GeofenceError(f"{where}: field 'halt': expected 7 numbers")
            st.halt = None if halt is None else [float(x) for x in halt]
            st.moved_m = float(data.get("moved_m", 1e9))
            route = data.get("route")
            if route is not None:
                lats, lons = [float(x) for x in route["lat"]], [float(x) for x in route["lon"]]
                if len(lats) != len(lons) or len(lats) < 2:
                    raise GeofenceError(f"{where}: field 'route': expected lat and lon lists of one length >= 2")
                st.route = (tuple(lats), tuple(lons))
            track = data.get("track")
            if track is not None:
                if st.route is None:
                    raise GeofenceError(f"{where}: field 'track' without a route")
                cov = [float(c) for c in track["covariance"]]
                if len(cov) != 16:
                    raise GeofenceError(f"{where}: field 'track.covariance': expected 16 numbers (4x4)")
                st.track = [*(float(track[k]) for k in _TRACK_FIELDS[:4]), *(cov[i] for i in _SYM), float(track["t"])]
            st.route_miss = int(data.get("route_miss", 0))
            st.route_hits = int(data.get("route_hits", 0))
            st.route_done_m = float(data.get("route_done_m", 0.0))
            st.route_done_t = None if data.get("route_done_t") is None else float(data["route_done_t"])
        except GeofenceError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GeofenceError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None
        return st


# --------------------------------------------------------------------------
# route mode


def _route_coords(points: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(lats, lons) of a route given as points with named ``lat``/``lon``.

    ``points``: an iterable of objects with ``.lat``/``.lon`` (``LatLon``,
    ``Fix``) or mappings with ``"lat"``/``"lon"``, or an object with a
    ``geometry`` of such points (``heritage_kit.routing.Route``, an
    ``Itinerary``). Bare tuples are refused: their order is ambiguous.
    Consecutive repeated points are dropped; two distinct points are needed.
    """
    geometry = getattr(points, "geometry", None)
    if geometry is not None and not isinstance(points, (list, tuple)):
        points = geometry
    lats: list[float] = []
    lons: list[float] = []
    for k, p in enumerate(points):
        if isinstance(p, Mapping):
            lat, lon = p.get("lat"), p.get("lon")
        else:
            lat, lon = getattr(p, "lat", None), getattr(p, "lon", None)
        if lat is None or lon is None:
            raise GeofenceError(
                f"set_route: point {k} has no named lat/lon ({type(p).__name__}); use LatLon(lat=..., lon=...)"
            )
        lat, lon = float(lat), float(lon)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise GeofenceError(f"set_route: point {k} out of range ({lat}, {lon})")
        if lats and lat == lats[-1] and lon == lons[-1]:
            continue
        lats.append(lat)
        lons.append(lon)
    if len(lats) < 2:
        raise GeofenceError("set_route: a route needs at least two distinct points")
    return tuple(lats), tuple(lons)


class _Route:
    """A route polyline in metres on the tangent plane at its first point."""

    __slots__ = ("lat0", "lon0", "kx", "ky", "x", "y", "dx", "dy", "inv2", "seg", "s", "length", "arrays")

    def __init__(self, lats: Sequence[float], lons: Sequence[float]) -> None:
        self.lat0, self.lon0 = lats[0], lons[0]
        self.kx, self.ky = metres_per_degree(self.lat0)
        x = [(lo - self.lon0) * self.kx for lo in lons]
        y = [(la - self.lat0) * self.ky for la in lats]
        self.x, self.y = x, y
        self.dx = [x[i + 1] - x[i] for i in range(len(x) - 1)]
        self.dy = [y[i + 1] - y[i] for i in range(len(y) - 1)]
        self.seg = [math.hypot(a, b) for a, b in zip(self.dx, self.dy)]
        self.inv2 = [1.0 / (g * g) if g > 0.0 else 0.0 for g in self.seg]
        cum = [0.0]
        for g in self.seg:
            cum.append(cum[-1] + g)
        self.s = cum
        self.length = cum[-1]
        self.arrays = None  # numpy arrays for a search along a long stretch, built on first use

    def project(self, x: float, y: float, lo: float, hi: float, c: float = 0.0, kappa: float = 0.0) -> tuple[float, float]:
        """(arc length s, distance d) of the route point near (x, y) among arc lengths [lo, hi].

        Each segment offers its point nearest (x, y); the one minimising
        ``d² + kappa (s - c)²`` wins (``kappa`` > 0 prefers points near the
        expected arc length ``c`` where the route passes the same place twice).
        """
        cum = self.s
        i0 = bisect_right(cum, lo) - 1
        if i0 < 0:
            i0 = 0
        i1 = bisect_left(cum, hi, i0)
        n = len(self.seg)
        if i1 > n:
            i1 = n
        if i1 <= i0:
            i1 = i0 + 1
        if i1 - i0 > 24:
            return self._project_np(x, y, i0, i1, c, kappa)
        xs, ys, dxs, dys, inv2, seg = self.x, self.y, self.dx, self.dy, self.inv2, self.seg
        best = math.inf
        best_s = cum[i0]
        best_d2 = 0.0
        for i in range(i0, i1):
            ex, ey = x - xs[i], y - ys[i]
            dx, dy = dxs[i], dys[i]
            u = (ex * dx + ey * dy) * inv2[i]
            if u < 0.0:
                u = 0.0
            elif u > 1.0:
                u = 1.0
            ex -= u * dx
            ey -= u * dy
            d2 = ex * ex + ey * ey
            si = cum[i] + u * seg[i]
            cost = d2 + kappa * (si - c) * (si - c) if kappa else d2
            if cost < best:
                best, best_s, best_d2 = cost, si, d2
        return best_s, math.sqrt(best_d2)

    def _project_np(self, x: float, y: float, i0: int, i1: int, c: float, kappa: float) -> tuple[float, float]:
        if self.arrays is None:
            self.arrays = tuple(
                np.asarray(a, dtype=float) for a in (self.x[:-1], self.y[:-1], self.dx, self.dy, self.inv2, self.seg, self.s[:-1])
            )
        xs, ys, dxs, dys, inv2, seg, cum = (a[i0:i1] for a in self.arrays)
        ex, ey = x - xs, y - ys
        u = np.clip((ex * dxs + ey * dys) * inv2, 0.0, 1.0)
        d2 = (ex - u * dxs) ** 2 + (ey - u * dys) ** 2
        si = cum + u * seg
        cost = d2 + kappa * (si - c) ** 2 if kappa else d2
        k = int(np.argmin(cost))  # the first of equals: deterministic
        return float(si[k]), math.sqrt(float(d2[k]))

    def frame(self, s: float) -> tuple[float, float, float, float]:
        """(x, y, unit tangent x, unit tangent y) in metres of the route at arc length ``s`` (clamped)."""
        cum = self.s
        i = bisect_right(cum, s) - 1
        n = len(self.seg)
        if i < 0:
            i = 0
        elif i >= n:
            i = n - 1
        g = self.seg[i]
        u = (s - cum[i]) / g if g > 0.0 else 0.0
        if u < 0.0:
            u = 0.0
        elif u > 1.0:
            u = 1.0
        dx, dy = self.dx[i], self.dy[i]
        inv = 1.0 / g if g > 0.0 else 0.0
        return self.x[i] + u * dx, self.y[i] + u * dy, dx * inv, dy * inv

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / self.ky, self.lon0 + x / self.kx


def _kf_update(x: list[float], p: list[float], h0: float, h1: float, h2: float, h3: float, r: float, inn: float) -> None:
    """Scalar Kalman update, in place, of state ``x`` (4) and covariance ``p``.

    ``p`` holds the upper triangle of the symmetric 4x4 covariance:
    p00 p01 p02 p03 p11 p12 p13 p22 p23 p33. ``h`` is the measurement row,
    ``r`` its noise variance, ``inn`` the measurement minus ``h · x``.
    """
    p00, p01, p02, p03, p11, p12, p13, p22, p23, p33 = p
    a0 = p00 * h0 + p01 * h1 + p02 * h2 + p03 * h3
    a1 = p01 * h0 + p11 * h1 + p12 * h2 + p13 * h3
    a2 = p02 * h0 + p12 * h1 + p22 * h2 + p23 * h3
    a3 = p03 * h0 + p13 * h1 + p23 * h2 + p33 * h3
    si = 1.0 / (a0 * h0 + a1 * h1 + a2 * h2 + a3 * h3 + r)
    g = inn * si
    x[0] += a0 * g
    x[1] += a1 * g
    x[2] += a2 * g
    x[3] += a3 * g
    k0, k1, k2, k3 = a0 * si, a1 * si, a2 * si, a3 * si
    p[:] = (
        p00 - k0 * a0, p01 - k0 * a1, p02 - k0 * a2, p03 - k0 * a3,
        p11 - k1 * a1, p12 - k1 * a2, p13 - k1 * a3,
        p22 - k2 * a2, p23 - k2 * a3,
        p33 - k3 * a3,
    )


_SYM = (0, 1, 2, 3, 5, 6, 7, 10, 11, 15)  # the upper triangle of a row-major 4x4


# --------------------------------------------------------------------------
# engine
_CELL_DEG = 0.001  # grid cell (about 110 m x 75 m in France)
_INV_CELL = 1.0 / _CELL_DEG
_ROW = 400_000  # > 360 / _CELL_DEG: one int key per cell


def _cell_key(lat: float, lon: float) -> int:
    return math.floor(lat * _INV_CELL) * _ROW + math.floor(lon * _INV_CELL)


_EMPTY: tuple[int, ...] = ()


class GeofenceEngine:
    """Arrival alerts on every GPS fix (see the module docstring for the rules).

    ``update(fix)`` is the hot path: one dict lookup in a uniform lat/lon grid
    of ~200 m cells gives the few fences whose exit zone may hold the fix;
    circle distances are plain arithmetic; polygon footprints are prepared
    shapely geometries in metres around their own centre.
    """

    def __init__(
        self,
        fences: Sequence[Fence],
        *,
        config: GeofenceConfig | None = None,
        state: GeofenceState | None = None,
    ) -> None:
        self.config = cfg = config or GeofenceConfig()
        self.fences: tuple[Fence, ...] = tuple(fences)
        n = len(self.fences)
        self._index: dict[str, int] = {}
        self._ids: list[str] = []
        self._lat: list[float] = []
        self._lon: list[float] = []
        self._rin: list[float] = []
        self._rout: list[float] = []
        self._gate_in: list[float] = []  # largest accuracy that may decide enter
        self._gate_out: list[float] = []
        self._poly: list[Any] = []  # None or (geom_m, lat0, lon0, kx0, ky0)
        self._prio: list[int] = []
        self._os_r: list[float] = []  # radius of the circle holding the enter zone
        self._inv_size: list[float] = []  # 1 / (equivalent radius of the enter zone)
        grid: dict[int, list[int]] = {}
        for i, f in enumerate(self.fences):
            if f.id in self._index:
                raise GeofenceError(f"fence {f.id!r} appears twice")
            self._index[f.id] = i
            lat0, lon0 = f.center.lat, f.center.lon
            kx0, ky0 = metres_per_degree(lat0)
            rin, rout = f.radius_m, cfg.exit_radius(f)
            self._ids.append(f.id)
            self._lat.append(lat0)
            self._lon.append(lon0)
            self._rin.append(rin)
            self._rout.append(rout)
            self._prio.append(f.priority)
            if f.footprint is not None:
                scale = np.array([kx0, ky0])
                origin = np.array([lon0, lat0])
                geom = shapely.transform(_as_geometry(f.footprint, f.id), lambda c: (c - origin) * scale)
                shapely.prepare(geom)
                self._poly.append((geom, lat0, lon0, kx0, ky0))
                minx, miny, maxx, maxy = geom.bounds
                size = math.sqrt(max(geom.area, 1.0) / math.pi)
                reach = max(math.hypot(minx, miny), math.hypot(minx, maxy), math.hypot(maxx, miny), math.hypot(maxx, maxy))
                self._os_r.append(reach + rin)
                s_lat, n_lat = lat0 + (miny - rout) / ky0, lat0 + (maxy + rout) / ky0
                w_lon, e_lon = lon0 + (minx - rout) / kx0, lon0 + (maxx + rout) / kx0
                # what a fix must decide is the distance to the walls, not the size
                gate_size_in, gate_size_out = max(rin, 10.0), rout
                self._inv_size.append(1.0 / max(size + rin, 1.0))
            else:
                self._poly.append(None)
                self._os_r.append(rin)
                # 1.01: the fix's own latitude changes metres/degree a little
                s_lat, n_lat = lat0 - 1.01 * rout / ky0, lat0 + 1.01 * rout / ky0
                w_lon, e_lon = lon0 - 1.01 * rout / kx0, lon0 + 1.01 * rout / kx0
                gate_size_in, gate_size_out = rin, rout
                self._inv_size.append(1.0 / max(rin, 1.0))
            self._gate_in.append(cfg.accuracy_gate * gate_size_in)
            self._gate_out.append(cfg.accuracy_gate * gate_size_out)
            for iy in range(math.floor(s_lat * _INV_CELL), math.floor(n_lat * _INV_CELL) + 1):
                for ix in range(math.floor(w_lon * _INV_CELL), math.floor(e_lon * _INV_CELL) + 1):
                    grid.setdefault(iy * _ROW + ix, []).append(i)
        self._grid: dict[int, tuple[int, ...]] = {k: tuple(v) for k, v in grid.items()}
        self._np_lat = np.asarray(self._lat, dtype=float)
        self._np_lon = np.asarray(self._lon, dtype=float)
        self._np_rin = np.asarray(self._os_r, dtype=float)
        self._active: list[bool] = [True] * n
        self._mpd_key = None
        self._mpd = (0.0, 0.0)
        self._route: _Route | None = None
        self._state = GeofenceState()
        if state is not None:
            self.state = state

    # -- state and active set ------------------------------------------------
    @property
    def state(self) -> GeofenceState:
        """The engine's memory; ``state.to_dict()`` to save, assign to restore."""
        return self._state

    @state.setter
    def state(self, value: GeofenceState) -> None:
        if not isinstance(value, GeofenceState):
            raise GeofenceError("engine.state must be a GeofenceState (use GeofenceState.from_dict)")
        # forget fences this engine does not know (pack updated since the save)
        known = self._index
        value.inside = {k: v for k, v in value.inside.items() if k in known}
        value.pending = {k: v for k, v in value.pending.items() if k in known}
        self._state = value
        self._apply_active()
        self._route = None if value.route is None else _Route(*value.route)
        if value.route is None:
            value.track = None

    def set_active(self, fence_ids: Iterable[str] | None, *, next_id: str | None = None) -> None:
        """Watch only ``fence_ids`` (``None``: every fence).

        ``next_id`` (e.g. the trail's next stop) goes first when several events
        happen on one fix and is exempt from the hourly alert budget. Stays in
        fences that become inactive are forgotten silently; cooldowns are kept.
        Unknown ids raise :class:`GeofenceError`.
        """
        st = self._state
        if fence_ids is None:
            st.active = None
        else:
            ids = frozenset(fence_ids)
            unknown = sorted(i for i in ids if i not in self._index)
            if unknown:
                raise GeofenceError(f"set_active: unknown fence {unknown[0]!r}")
            st.active = ids
        if next_id is not None and next_id not in self._index:
            raise GeofenceError(f"set_active: unknown next fence {next_id!r}")
        st.next_id = next_id
        self._apply_active()
        if st.active is not None:
            st.inside = {k: v for k, v in st.inside.items() if k in st.active}
            st.pending = {k: v for k, v in st.pending.items() if k in st.active}

    def set_route(self, points: Any) -> None:
        """Follow the walker along their planned path (``None``: no route, the plain rules).

        ``points``: the path as points with named ``lat``/``lon`` (a list of
        ``LatLon``, a ``heritage_kit.routing.Route`` or anything with such a
        ``geometry``) — in walk mode, the routed legs through the remaining
        stops. Setting the same route again keeps the progress along it (an
        app resuming a walk); another route starts tracking afresh. See rule 8
        of the module docstring.
        """
        st = self._state
        if points is None:
            st.route, st.track = None, None
            st.route_miss = st.route_hits = 0
            st.route_done_m, st.route_done_t = 0.0, None
            self._route = None
            return
        coords = _route_coords(points)
        if coords == st.route and self._route is not None:
            return
        st.route = coords
        st.track = None
        st.route_miss = st.route_hits = 0
        st.route_done_m, st.route_done_t = 0.0, None
        self._route = _Route(*coords)

    @property
    def route_progress_m(self) -> float | None:
        """Metres walked along the route (filtered), or None without a route or off it."""
        tr = self._state.track
        return None if tr is None or self._route is None else tr[0]

    @property
    def route_length_m(self) -> float | None:
        """Length of the route set with :meth:`set_route` (None without one)."""
        return None if self._route is None else self._route.length

    def _route_step(self, fix: Fix, t: float) -> tuple[float, float, float] | None:
        """Kalman step along the route: (lat, lon, accuracy) to judge fences at, or None (off the route).

        State: arc length ``s``, speed ``v`` and the GPS bias ``(bx, by)``
        (east, north, m; Ornstein–Uhlenbeck with ``route_bias_tau_s`` and
        ``route_bias_fraction`` of the fix's variance). A fix is projected on
        the route at ``z``; its offset from the route point there, split along
        and across the route, measures ``s - z + b·tangent`` and ``b·normal``:
        the offset across the route tells the bias, which turns into an offset
        along it at the next corner.
        """
        r = self._route
        st, cfg = self._state, self.config
        x = (fix.lon - r.lon0) * r.kx
        y = (fix.lat - r.lat0) * r.ky
        acc = fix.accuracy_m
        sig = acc * SIGMA_PER_ACCURACY
        if sig < 1.0:
            sig = 1.0
        var_bias = cfg.route_bias_fraction * sig * sig
        var_white = sig * sig - var_bias
        gate = cfg.route_gate_accuracy * acc
        if gate < cfg.route_gate_m:
            gate = cfg.route_gate_m
        tr = st.track
        if tr is None:
            # not locked: look ahead of the progress made so far (a route may pass
            # a place twice), preferring the nearest along; else anywhere
            floor = st.route_done_m
            reach = math.inf
            if st.route_done_t is not None:  # no further than one can walk since
                reach = floor + 50.0 + cfg.max_speed_mps * (t - st.route_done_t)
            z, d = r.project(x, y, floor - 30.0, reach, floor, 0.01)
            if d > gate:
                z, d = r.project(x, y, -math.inf, math.inf)
            if d > gate:
                st.route_hits = 0
                return None
            st.route_hits += 1
            if st.route_hits < cfg.route_on_fixes:
                return None
            st.route_miss = 0
            big = sig * sig + 100.0
            # s, v, bx, by; covariance (upper triangle); t — measured below like any fix
            tr = st.track = [z, fix.speed or 0.0, 0.0, 0.0, big, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, var_bias, 0.0, var_bias, t]
        xs = tr[0:4]
        p = tr[4:14]
        dt = t - tr[14]
        if dt > 0.0:
            # predict: constant speed (white acceleration noise), the bias decays
            q = cfg.route_accel
            a = math.exp(-dt / cfg.route_bias_tau_s)
            a2 = a * a
            qb = var_bias * (1.0 - a2)
            xs[0] += xs[1] * dt
            xs[2] *= a
            xs[3] *= a
            p00, p01, p02, p03, p11, p12, p13, p22, p23, p33 = p
            p[:] = (
                p00 + dt * (2.0 * p01 + dt * p11) + q * dt * dt * dt / 3.0,
                p01 + dt * p11 + q * dt * dt / 2.0,
                a * (p02 + dt * p12),
                a * (p03 + dt * p13),
                p11 + q * dt,
                a * p12,
                a * p13,
                a2 * p22 + qb,
                a2 * p23,
                a2 * p33 + qb,
            )
            if dt > cfg.route_max_gap_s:
                # too long without a fix to extrapolate (the walker may have stopped or
                # walked on): progress and speed are open again, anywhere within half
                # of ``max_speed_mps`` x the gap; the bias estimate is kept (decayed)
                reach = 0.5 * cfg.max_speed_mps * dt
                xs[1] = 0.0
                p[0] += reach * reach
                p[1] = p[5] = p[6] = 0.0
                if p[4] < 1.0:
                    p[4] = 1.0
        s = xs[0]
        pss = p[0]
        # measure: the fix projected on the route near the prediction
        w = 3.0 * math.sqrt(pss) + 2.0 * sig + 10.0
        z, d = r.project(x, y, s - w, s + w, s, var_white / (pss + var_bias + var_white))
        if d <= gate:
            st.route_miss = 0
            if abs(z - s) <= cfg.route_linearise_m or (fix.speed is not None and fix.speed < cfg.stationary_mps):
                # linearise at the prediction (an EKF); far from it, at the projection —
                # unless the walker stands still: then an offset along the route is
                # bias, even where a fix lands past a corner or a turn-back
                z = s
            px, py, tx, ty = r.frame(z)
            ex, ey = x - px, y - py
            along = ex * tx + ey * ty
            across = -ex * ty + ey * tx
            _kf_update(xs, p, 1.0, 0.0, tx, ty, var_white, z + along - xs[0] - xs[2] * tx - xs[3] * ty)
            _kf_update(xs, p, 0.0, 0.0, -ty, tx, var_white, across + xs[2] * ty - xs[3] * tx)
        else:
            st.route_miss += 1
            if st.route_miss >= cfg.route_off_fixes:
                st.track = None  # left the route: plain rules until back on it
                st.route_hits = 0
                return None
        speed = fix.speed
        if speed is not None:
            # Doppler measures |v|: forward unless the track clearly goes back; a
            # speed below ``stationary_mps`` is a halt (|noise| would creep forward)
            if speed < cfg.stationary_mps:
                zv = 0.0
            else:
                zv = -speed if xs[1] < -cfg.stationary_mps else speed
            _kf_update(xs, p, 0.0, 1.0, 0.0, 0.0, cfg.route_speed_noise_mps * cfg.route_speed_noise_mps, zv - xs[1])
        s = xs[0]
        if s < 0.0:
            xs[0] = s = 0.0
        elif s > r.length:
            xs[0] = s = r.length
        tr[0:4] = xs
        tr[4:14] = p
        tr[14] = t
        if s > st.route_done_m:
            st.route_done_m = s
        st.route_done_t = t
        px, py, _tx, _ty = r.frame(s)
        lat, lon = r.latlon(px, py)
        acc_s = math.sqrt(max(p[0], 0.0)) / SIGMA_PER_ACCURACY
        return lat, lon, (acc_s if acc_s > cfg.route_min_accuracy_m else cfg.route_min_accuracy_m)

    @property
    def active_ids(self) -> frozenset[str] | None:
        return self._state.active

    def _apply_active(self) -> None:
        act = self._state.active
        if act is None:
            self._active = [True] * len(self.fences)
        else:
            self._active = [fid in act for fid in self._ids]

    # -- distances -------------------------------------------------------------
    def _dist(self, i: int, lat: float, lon: float, kx: float, ky: float) -> float:
        poly = self._poly[i]
        if poly is None:
            return math.hypot((lon - self._lon[i]) * kx, (lat - self._lat[i]) * ky)
        geom, lat0, lon0, kx0, ky0 = poly
        x, y = (lon - lon0) * kx0, (lat - lat0) * ky0
        if shapely.contains_xy(geom, x, y):
            return 0.0
        return geom.distance(shapely.Point(x, y))

    def distance_m(self, fence_id: str, lat: float, lon: float) -> float:
        """Metres from (lat, lon) to a fence (centre of a circle, edge of a polygon)."""
        i = self._index.get(fence_id)
        if i is None:
            raise GeofenceError(f"unknown fence {fence_id!r}")
        kx, ky = metres_per_degree(lat)
        return self._dist(i, lat, lon, kx, ky)

    # -- the hot path ------------------------------------------------------------
    def update(self, fix: Fix) -> list[GeofenceEvent]:
        """Feed one fix; the events it causes, highest priority first."""
        st = self._state
        cfg = self.config
        t = fix.timestamp
        if st.last_t is not None and t <= st.last_t:
            return []  # stale or repeated fix
        acc = fix.accuracy_m
        if acc > cfg.max_accuracy_m:
            return []  # accuracy gate: cannot decide anything
        lat, lon = fix.lat, fix.lon
        key = int(lat * 100.0)  # metres per degree change < 0.02% within 0.01 deg
        if key == self._mpd_key:
            kx, ky = self._mpd
        else:
            kx, ky = self._mpd = metres_per_degree(lat)
            self._mpd_key = key
        # jump rejection against the last accepted fix
        anchor = st.anchor
        if anchor is not None:
            dt = t - anchor[2]
            d = math.hypot((lon - anchor[1]) * kx, (lat - anchor[0]) * ky)
            if d > cfg.max_speed_mps * dt + cfg.jump_accuracy_factor * (acc + anchor[3]):
                rj = st.rejected
                if rj is not None and math.hypot((lon - rj[1]) * kx, (lat - rj[0]) * ky) <= (
                    cfg.max_speed_mps * (t - rj[2]) + cfg.jump_accuracy_factor * (acc + rj[3])
                ):
                    st.n_rejected += 1
                else:
                    st.n_rejected = 1
                st.rejected = (lat, lon, t, acc)
                if st.n_rejected < cfg.reanchor_fixes:
                    return []
                st.pending.clear()  # the track moved: re-confirm from here
            if dt > 0:
                v = d / dt
                st.speed_mps = v if st.speed_mps is None else 0.7 * st.speed_mps + 0.3 * v
                speed = fix.speed
                if speed is not None and speed >= cfg.stationary_mps:
                    st.moved_m += speed * (dt if dt < 10.0 else 10.0)
        st.anchor = (lat, lon, t, acc)
        st.rejected = None
        st.n_rejected = 0
        st.last_t = t
        enter_margin = cfg.enter_margin
        halt_slack = cfg.halt_slack
        if self._route is not None:
            on_route = self._route_step(fix, t)
            if on_route is not None:
                lat, lon, acc = on_route  # judged at the filtered point on the route
                enter_margin = cfg.route_enter_margin
                halt_slack = cfg.route_halt_slack

        events: list[GeofenceEvent] = []
        inside = st.inside
        pending = st.pending
        active = self._active
        rin, rout = self._rin, self._rout
        gin, gout = self._gate_in, self._gate_out
        ids = self._ids
        poly = self._poly
        clat, clon = self._lat, self._lon
        # a halt: Doppler says we stand still; its fixes are averaged (accuracy-weighted)
        speed = fix.speed
        halted = speed is not None and speed < cfg.stationary_mps
        if halted:
            h = st.halt
            if h is None:
                st.halt = h = [t, 0.0, 0.0, 0.0, 0.0, 0.0, 0]  # since, sum w, w.lat, w.lon, w.acc, done, n
            w = 1.0 / (acc * acc + 1.0)
            h[1] += w
            h[2] += lat * w
            h[3] += lon * w
            h[4] += acc * w
            h[6] += 1
            if cfg.halt_mean_fixes and h[6] >= cfg.halt_mean_fixes:
                # standing still, the mean of the halt is a better position than this fix
                lat, lon = h[2] / h[1], h[3] / h[1]
                if int(lat * 100.0) != key:
                    kx, ky = metres_per_degree(lat)
        elif st.halt is not None:
            st.halt = None
        cands = self._grid.get(math.floor(lat * _INV_CELL) * _ROW + math.floor(lon * _INV_CELL), _EMPTY)
        exclusive = cfg.exclusive
        margin = enter_margin * acc
        # halted where the last alert was given, without having walked away:
        # apparent moves are noise
        still = halted and cfg.hold_when_still and bool(inside) and st.moved_m < cfg.moved_m
        best = -1
        best_rel = math.inf
        held = False  # a fence in reach could not be decided (accuracy): keep counts
        best_d = 0.0
        entering: list[tuple[int, float]] | None = None
        hits: list[tuple[int, float]] = []
        inv_size = self._inv_size
        seen_inside = 0
        for i in cands:
            if not active[i]:
                continue
            if poly[i] is None:
                d = math.hypot((lon - clon[i]) * kx, (lat - clat[i]) * ky)
            else:
                d = self._dist(i, lat, lon, kx, ky)
            fid = ids[i]
            stay = inside.get(fid)
            if stay is not None:
                seen_inside += 1
                if acc <= gout[i] and not still:
                    if d > rout[i]:
                        stay.out += 1
                        if stay.out >= cfg.exit_fixes:
                            del inside[fid]
                            if stay.alerted:
                                events.append(GeofenceEvent("exit", fid, t, d))
                            continue
                    else:
                        stay.out = 0
                if stay.alerted and not stay.dwelled and t - stay.entered >= cfg.dwell_s and d <= rout[i]:
                    stay.dwelled = True
                    events.append(GeofenceEvent("dwell", fid, t, d))
                if exclusive and d <= rin[i]:
                    rel = d if poly[i] is None else math.hypot((lon - clon[i]) * kx, (lat - clat[i]) * ky)
                    rel *= inv_size[i]
                    if rel < best_rel:
                        best_rel, best, best_d = rel, -1, d  # the fence we are in is nearest
                continue
            if d <= rin[i] - margin:
                if acc > gin[i] or still:
                    held = True  # the accuracy circle cannot decide this fence
                    continue
                if exclusive:
                    rel = d if poly[i] is None else math.hypot((lon - clon[i]) * kx, (lat - clat[i]) * ky)
                    rel *= inv_size[i]
                    if rel < best_rel:
                        best_rel, best, best_d = rel, i, d
                else:
                    hits.append((i, d))
        if seen_inside < len(inside):
            # stays whose fence is not in this cell: the fix is beyond its exit zone
            here = {ids[i] for i in cands}
            for fid in [k for k in inside if k not in here]:
                i = self._index[fid]
                stay = inside[fid]
                if acc <= gout[i] and not still:
                    stay.out += 1
                    if stay.out >= cfg.exit_fixes:
                        del inside[fid]
                        if stay.alerted:
                            events.append(GeofenceEvent("exit", fid, t, self._dist(i, lat, lon, kx, ky)))
        if exclusive and best >= 0:
            hits.append((best, best_d))
        # evidence: ``enter_fixes`` hits among ``enter_window`` decisive fixes
        if pending and not held:
            slack = cfg.enter_window - cfg.enter_fixes
            hit_ids = {ids[i] for i, _ in hits} if hits else ()
            for k in [k for k in pending if k not in hit_ids]:
                c = pending[k]
                c[1] += 1
                if c[1] > slack:
                    del pending[k]
        for i, d in hits:
            fid = ids[i]
            c = pending.get(fid)
            if c is None:
                pending[fid] = c = [0, 0]
            c[0] += 1
            if c[0] >= cfg.enter_fixes:
                if entering is None:
                    entering = []
                entering.append((i, d))
        if cfg.halt_arrival_s is not None and halted:
            h = st.halt
            if h is not None:
                if not h[5] and not entering and t - h[0] >= cfg.halt_arrival_s and st.moved_m >= cfg.moved_m:
                    arrived = self._halt_arrival(h, kx, ky, halt_slack)
                    if arrived is not None:
                        h[5] = 1.0
                        pending.pop(ids[arrived[0]], None)
                        entering = [arrived]
        if entering:
            if len(entering) > 1:
                nid = st.next_id
                entering.sort(key=lambda e: (ids[e[0]] != nid, -self._prio[e[0]], e[1]))
            if st.halt is not None:
                st.halt[5] = 1.0  # this halt has given its arrival
            for i, d in entering:
                fid = ids[i]
                pending.pop(fid, None)
                alerted = self._may_alert(fid, t)
                inside[fid] = _Stay(t, alerted)
                if alerted:
                    st.moved_m = 0.0
                    events.append(GeofenceEvent("enter", fid, t, d))
                    if cfg.dwell_s <= 0.0:
                        inside[fid].dwelled = True
                        events.append(GeofenceEvent("dwell", fid, t, d))
        if len(events) > 1:
            nid = st.next_id
            prio, index = self._prio, self._index
            order = {"exit": 0, "enter": 1, "dwell": 2}
            events.sort(key=lambda e: (order[e.kind], e.fence_id != nid, -prio[index[e.fence_id]]))
        return events

    def _halt_arrival(self, h: list[float], kx: float, ky: float, slack: float) -> tuple[int, float] | None:
        """The next stop, if the walker has halted by it (see ``halt_arrival_s``)."""
        st, cfg = self._state, self.config
        nid = st.next_id
        if nid is None or nid in st.inside:
            return None
        n = self._index[nid]
        if not self._active[n]:
            return None
        mlat, mlon, macc = h[2] / h[1], h[3] / h[1], h[4] / h[1]
        if macc > cfg.halt_gate * self._gate_in[n]:
            return None
        d = self._dist(n, mlat, mlon, kx, ky)
        if d > self._rin[n] + slack * macc:
            return None
        # the next stop must be the nearest active fence (relative to size) at the halt
        inv, clat, clon = self._inv_size, self._lat, self._lon
        mine = math.hypot((mlon - clon[n]) * kx, (mlat - clat[n]) * ky) * inv[n]
        for i in self._grid.get(_cell_key(mlat, mlon), _EMPTY):
            if i != n and self._active[i]:
                if math.hypot((mlon - clon[i]) * kx, (mlat - clat[i]) * ky) * inv[i] < mine:
                    return None
        return n, d

    def _may_alert(self, fid: str, t: float) -> bool:
        st, cfg = self._state, self.config
        last = st.last_alert.get(fid)
        if last is not None and t - last < cfg.cooldown_s:
            return False
        alerts = st.alerts
        while alerts and alerts[0] <= t - 3600.0:
            alerts.popleft()
        if cfg.alerts_per_hour is not None and len(alerts) >= cfg.alerts_per_hour and fid != st.next_id:
            return False
        alerts.append(t)
        st.last_alert[fid] = t
        return True

    # -- battery: when to take the next fix -----------------------------------
    def suggest_interval(self, fix: Fix) -> float:
        """Seconds until the next fix is worth taking.

        The gap to the nearest active fence boundary (the enter radius of a
        fence outside, the exit radius of one the walker is in), less the fix's
        accuracy, walked at the larger of the measured speed and
        ``walking_speed_mps``, halved for safety; clamped to
        [``min_interval_s``, ``max_interval_s``]. While an enter or exit waits
        for confirmation, ``min_interval_s``.
        """
        cfg = self.config
        st = self._state
        if st.pending or any(s.out for s in st.inside.values()):
            return cfg.min_interval_s
        lat, lon = fix.lat, fix.lon
        kx, ky = metres_per_degree(lat)
        speed = max(fix.speed or 0.0, st.speed_mps or 0.0, cfg.walking_speed_mps)
        iy, ix = math.floor(lat * _INV_CELL), math.floor(lon * _INV_CELL)
        # rings of grid cells around the fix; a fence in no scanned cell has its
        # exit zone at least ``k`` cells away
        need = 2.0 * cfg.max_interval_s * speed + fix.accuracy_m
        cell_m = _CELL_DEG * min(kx, ky)
        gap = math.inf
        k = 0
        while True:
            for dy in range(-k, k + 1):
                step = 1 if abs(dy) == k else 2 * k
                for dx in range(-k, k + 1, step if k else 1):
                    for i in self._grid.get((iy + dy) * _ROW + ix + dx, _EMPTY):
                        if not self._active[i]:
                            continue
                        d = self._dist(i, lat, lon, kx, ky)
                        g = (self._rout[i] - d) if self._ids[i] in st.inside else (d - self._rin[i])
                        if g < gap:
                            gap = g
            bound = k * cell_m
            if gap <= bound or bound >= need:
                gap = min(gap, bound) if gap > bound else gap
                break
            k += 1
        interval = 0.5 * (gap - fix.accuracy_m) / speed
        return float(min(max(interval, cfg.min_interval_s), cfg.max_interval_s))

    # -- while the app sleeps: a rolling set for the OS ---------------------------
    def os_fences(self, fix: Fix, limit: int) -> list[OsFence]:
        """The ``limit`` circles the OS should watch (20 on iOS, 100 on Android).

        ``limit - 1`` nearest active fences (by distance to their enter zone;
        polygons as the circle holding footprint and buffer), plus one
        ``refresh`` region centred on the fix whose radius reaches the nearest
        fence left out: when the OS reports leaving it, wake and call again.
        With fewer fences than ``limit - 1``, no refresh region is needed.
        """
        if limit < 1:
            raise GeofenceError("os_fences: limit must be >= 1")
        idx = np.flatnonzero(np.asarray(self._active, dtype=bool))
        if idx.size == 0:
            return []
        kx, ky = metres_per_degree(fix.lat)
        d = np.hypot((self._np_lon[idx] - fix.lon) * kx, (self._np_lat[idx] - fix.lat) * ky) - self._np_rin[idx]
        if idx.size <= limit:
            order = np.argsort(d, kind="stable")
            return [self._os_fence(int(idx[j])) for j in order]
        k = limit - 1
        part = np.argpartition(d, k)
        near = part[:k]
        near = near[np.argsort(d[near], kind="stable")]
        out = [self._os_fence(int(idx[j])) for j in near]
        reach = float(d[part[k]])  # gap to the nearest fence left out
        out.append(OsFence("refresh", fix.lat, fix.lon, max(reach, 50.0), "refresh"))
        return out

    def _os_fence(self, i: int) -> OsFence:
        return OsFence(self._ids[i], self._lat[i], self._lon[i], float(self._os_r[i]))

    def __len__(self) -> int:
        return len(self.fences)

    def __repr__(self) -> str:
        act = "all" if self._state.active is None else str(len(self._state.active))
        return f"<GeofenceEngine {len(self.fences)} fences, {act} active, {len(self._state.inside)} inside>"


def _ids_in(cands: tuple[int, ...], ids: list[str]) -> set[str]:
    return {ids[i] for i in cands}
