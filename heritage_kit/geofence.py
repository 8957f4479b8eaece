"""In-app geofencing: arrival alerts on every GPS fix, with no platform cap.

Pure logic (no file, network or clock access): the engine is a deterministic
state machine fed with :class:`Fix` objects; the same sequence of fixes always
gives the same events.

Typical use (the app)::

    fences = fences_for(pack)                      # one fence per POI
    engine = GeofenceEngine(fences, config=GeofenceConfig())
    engine.set_active(trail.stops, next_id=trail.stops[0])
    for fix in gps:                                # every GPS fix
        for event in engine.update(fix):           # enter / exit / dwell
            notify(event)
        sleep(engine.suggest_interval(fix))        # battery
    saved = engine.state.to_dict()                 # JSON-ready, app restart
    engine = GeofenceEngine(fences, state=GeofenceState.from_dict(saved))

How a fix is judged (every rule is a field of :class:`GeofenceConfig`):

1. *Accuracy gate.* A fix whose reported accuracy is worse than
   ``max_accuracy_m`` is ignored. For each fence, a fix decides only if its
   accuracy circle is small against the fence (``accuracy <= accuracy_gate x
   fence size``); otherwise that fence keeps its state.
2. *Jump rejection.* A fix further from the last accepted fix than a walker
   can go (``max_speed_mps x dt + jump_accuracy_factor x (both accuracies)``)
   is rejected; ``reanchor_fixes`` consecutive mutually-consistent rejected
   fixes re-anchor the track (the walker really did move, e.g. after a tunnel).
3. *Enter.* A fence is entered after ``enter_fixes`` trusted fixes among
   ``enter_window`` consecutive decisive ones inside its enter radius less
   ``enter_margin`` x the fix's accuracy (a fix barely inside is not evidence). With ``exclusive`` (default), only the fence
   nearest the fix (distance to its centre relative to its size) among those whose enter zone
   holds it can be entered: the building across the street is not announced.
4. *Hysteresis.* A fence is left only after ``exit_fixes`` trusted fixes
   beyond its exit radius (``radius x exit_factor + exit_margin_m`` unless the
   fence sets its own), so a walker at the edge does not flicker.
5. *Standing still.* When the fix reports a speed (Doppler) below
   ``stationary_mps`` while the walker is in a fence, the walker is not going
   anywhere: no other fence is entered and no fence is left on that fix (the
   apparent move is GPS noise). Fixes without speed are judged by position only.
6. *Dwell.* One ``dwell`` event after ``dwell_s`` seconds inside.
7. *Alerts.* An ``enter`` is an alert. It is silenced (the stay is still
   tracked, and its ``exit``/``dwell`` are silent too) when the fence alerted
   less than ``cooldown_s`` ago, or when ``alerts_per_hour`` alerts were given
   in the last hour (the *next stop* set by :meth:`GeofenceEngine.set_active`
   is exempt from that budget).

Distances are metres on the WGS84 ellipsoid's local tangent plane at the fix
(the same radii as :class:`heritage_kit.geo.LocalProjection`), exact to ~0.1%
within a few km — far below GPS error.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry import shape as _shape

from heritage_kit.errors import GeofenceError
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
_A = 6_378_137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_DEG = math.pi / 180.0


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, metres per degree of latitude) at ``lat``.

    The meridian and prime-vertical radii of WGS84, as in
    :class:`heritage_kit.geo.LocalProjection`.
    """
    s = math.sin(lat * _DEG)
    w2 = 1.0 - _E2 * s * s
    w = math.sqrt(w2)
    return _A / w * math.cos(lat * _DEG) * _DEG, _A * (1 - _E2) / (w2 * w) * _DEG


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
    """Tuning of :class:`GeofenceEngine` (see the module docstring for the rules)."""

    exit_factor: float = 1.25
    exit_margin_m: float = 10.0
    max_accuracy_m: float = 50.0
    accuracy_gate: float = 1.5
    enter_margin: float = 0.3
    smooth_s: float = 0.0
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
    stationary_mps: float | None = 0.5
    walking_speed_mps: float = 1.4
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
            "smooth_s": self.smooth_s >= 0.0,
            "jump_accuracy_factor": self.jump_accuracy_factor >= 0.0,
            "reanchor_fixes": self.reanchor_fixes >= 1,
            "enter_fixes": self.enter_fixes >= 1,
            "enter_window": self.enter_window >= self.enter_fixes,
            "exit_fixes": self.exit_fixes >= 1,
            "dwell_s": self.dwell_s >= 0.0,
            "cooldown_s": self.cooldown_s >= 0.0,
            "alerts_per_hour": self.alerts_per_hour is None or self.alerts_per_hour >= 0,
            "walking_speed_mps": self.walking_speed_mps > 0.0,
            "stationary_mps": self.stationary_mps is None or self.stationary_mps >= 0.0,
            "min_interval_s": 0.0 < self.min_interval_s <= self.max_interval_s,
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
    footprint_buffer_m: float = 10.0,
    separate: bool = False,
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
    order. ``separate=True`` shrinks circles so no two enter zones overlap
    (each radius at most half the distance to the nearest other fence's
    centre, never below ``min_radius_m``): stops 30 m apart stay apart.
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
    radii: list[float] = []
    for p in pois:
        rs = [cat_r[c] for c in p.categories if c in cat_r]
        radii.append(max(rs) if rs else kind_r.get(p.kind, 25.0))
    if separate and len(pois) > 1:
        lat = np.array([p.location.lat for p in pois])
        lon = np.array([p.location.lon for p in pois])
        kx, ky = metres_per_degree(float(lat.mean()))
        x, y = (lon - lon.mean()) * kx, (lat - lat.mean()) * ky
        tree = shapely.STRtree(shapely.points(x, y))
        _, dist = tree.query_nearest(shapely.points(x, y), exclusive=True, return_distance=True, all_matches=False)
        for i, d in enumerate(dist):
            radii[i] = max(min(radii[i], d / 2.0), min(min_radius_m, radii[i]))
    fences: list[Fence] = []
    for p, r in zip(pois, radii):
        pr = int(prio.get(p.id, 0))
        if use_footprints and p.footprint is not None and not separate:
            fences.append(Fence.polygon(p.id, p.footprint, buffer_m=footprint_buffer_m, center=p.location, priority=pr))
        else:
            fences.append(Fence(p.id, p.location, float(r), None, None, pr))
    return fences


# --------------------------------------------------------------------------
# state
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
    """

    VERSION = 1

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
        self.recent: deque[tuple[float, float, float, float]] = deque()  # t, lat, lon, weight

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
            "recent": [list(r) for r in self.recent],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "GeofenceState":
        where = "geofence state"
        try:
            if data.get("version") != cls.VERSION:
                raise GeofenceError(f"{where}: field 'version': expected {cls.VERSION}, got {data.get('version')!r}")
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
            st.recent = deque(tuple(float(x) for x in r[:4]) for r in data.get("recent") or [])
        except GeofenceError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GeofenceError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None
        return st


# --------------------------------------------------------------------------
# engine
_CELL_DEG = 0.002  # grid cell (about 220 m x 150 m in France)
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
                gate_size_in, gate_size_out = size + rin, size + rout
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
        kx, ky = metres_per_degree(lat)
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
                st.recent.clear()
            if dt > 0:
                v = d / dt
                st.speed_mps = v if st.speed_mps is None else 0.7 * st.speed_mps + 0.3 * v
        st.anchor = (lat, lon, t, acc)
        st.rejected = None
        st.n_rejected = 0
        st.last_t = t
        if cfg.smooth_s > 0.0:
            # accuracy-weighted mean of the accepted fixes of the last smooth_s seconds
            recent = st.recent
            w = 1.0 / (acc * acc + 1.0)
            recent.append((t, lat, lon, w))
            horizon = t - cfg.smooth_s
            while recent[0][0] <= horizon:
                recent.popleft()
            if len(recent) > 1:
                sw = slat = slon = 0.0
                for _, a, o, ww in recent:
                    sw += ww
                    slat += a * ww
                    slon += o * ww
                lat, lon = slat / sw, slon / sw

        events: list[GeofenceEvent] = []
        inside = st.inside
        pending = st.pending
        active = self._active
        rin, rout = self._rin, self._rout
        gin, gout = self._gate_in, self._gate_out
        ids = self._ids
        poly = self._poly
        clat, clon = self._lat, self._lon
        cands = self._grid.get(math.floor(lat * _INV_CELL) * _ROW + math.floor(lon * _INV_CELL), _EMPTY)
        exclusive = cfg.exclusive
        margin = cfg.enter_margin * acc
        # standing still (Doppler speed) in a fence: apparent moves are noise
        still = (
            fix.speed is not None
            and cfg.stationary_mps is not None
            and fix.speed < cfg.stationary_mps
            and bool(inside)
        )
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
        if entering:
            if len(entering) > 1:
                nid = st.next_id
                entering.sort(key=lambda e: (ids[e[0]] != nid, -self._prio[e[0]], e[1]))
            for i, d in entering:
                fid = ids[i]
                del pending[fid]
                alerted = self._may_alert(fid, t)
                inside[fid] = _Stay(t, alerted)
                if alerted:
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
        iy, ix = math.floor(lat * _INV_CELL), math.floor(lon * _INV_CELL)
        gap = math.inf
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for i in self._grid.get((iy + dy) * _ROW + ix + dx, _EMPTY):
                    if not self._active[i]:
                        continue
                    d = self._dist(i, lat, lon, kx, ky)
                    g = (self._rout[i] - d) if self._ids[i] in st.inside else (d - self._rin[i])
                    if g < gap:
                        gap = g
        if gap == math.inf:
            # nothing within one grid cell: at least ~cell size away
            gap = _CELL_DEG * kx
        speed = max(fix.speed or 0.0, st.speed_mps or 0.0, cfg.walking_speed_mps)
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
