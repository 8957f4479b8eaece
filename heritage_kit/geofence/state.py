"""What the geofence engine remembers between fixes: :class:`GeofenceState` and its named records.

``to_dict()`` / ``from_dict()`` give and take the saved format, version 2
(byte-for-byte what the single-module engine wrote: see
``tests/data/geofence_state_v2.json``); version-1 states (no route) still load.
The free-walking filter (rule 9) is saved as an optional ``free`` list, only
when it has started: an older reader ignores it, a state without it loads.
The records are mutable slotted dataclasses: the engine updates them in place
on every fix.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Sequence

from heritage_kit.errors import GeofenceError

__all__ = ["GeofenceState", "Anchor", "Stay", "Pending", "Halt", "Track", "FreeTrack", "Evidence", "RouteCoords"]

_TRACK_FIELDS = ("s_m", "speed_mps", "bias_east_m", "bias_north_m", "covariance", "t")
_SYM = (0, 1, 2, 3, 5, 6, 7, 10, 11, 15)  # the upper triangle of a row-major 4x4


def _full_cov(upper: Sequence[float]) -> list[float]:
    """The row-major 4x4 covariance from its upper triangle (p00 p01 p02 p03 p11 p12 p13 p22 p23 p33)."""
    p00, p01, p02, p03, p11, p12, p13, p22, p23, p33 = upper
    return [p00, p01, p02, p03, p01, p11, p12, p13, p02, p12, p22, p23, p03, p13, p23, p33]


@dataclass(slots=True)
class Anchor:
    """A fix as the jump test remembers it (saved as ``[lat, lon, t, accuracy]``)."""

    lat: float
    lon: float
    t: float
    acc: float

    def to_list(self) -> list[float]:
        return [self.lat, self.lon, self.t, self.acc]


@dataclass(slots=True)
class Stay:
    """The walker is in a fence: since ``entered``; ``alerted`` (its enter was an alert), ``dwelled``, and
    ``out``: consecutive trusted fixes beyond its exit radius."""

    entered: float
    alerted: bool
    dwelled: bool = False
    out: int = 0


@dataclass(slots=True)
class Pending:
    """Evidence for entering a fence (rule 3): ``hits`` and ``misses`` among the decisive fixes (saved as a pair)."""

    hits: float = 0  # an int at 1 s fixes; a fraction when a hit after a long gap is worth more (evidence_s)
    misses: int = 0


@dataclass(slots=True)
class Halt:
    """A halt (rule 5): since ``since``; accuracy-weighted sums of the fixes' latitude, longitude and accuracy
    (``weight`` is the sum of weights), ``done`` (1.0 once it has given an arrival) and ``n`` fixes.

    Saved as ``[since, weight, lat_w, lon_w, acc_w, done, n]``.
    """

    since: float
    weight: float = 0.0
    lat_w: float = 0.0
    lon_w: float = 0.0
    acc_w: float = 0.0
    done: float = 0.0
    n: float = 0  # an int while counting; a float once restored (as saved)

    def to_list(self) -> list[float]:
        return [self.since, self.weight, self.lat_w, self.lon_w, self.acc_w, self.done, self.n]


@dataclass(slots=True)
class Track:
    """The route filter's state (rule 8): arc length ``s_m``, speed, GPS bias (east, north) at time ``t``.

    ``cov`` is the upper triangle (p00 p01 p02 p03 p11 p12 p13 p22 p23 p33) of the 4x4 covariance of
    (s, v, bias east, bias north); it is saved whole (16 numbers, row-major).
    """

    s_m: float
    speed_mps: float
    bias_east_m: float
    bias_north_m: float
    cov: list[float] = field(repr=False)
    t: float


_FREE_FIELDS = (
    "lat0", "lon0", "kx", "ky", "x", "y", "bx", "by", "pxx", "pxb", "pbb", "t", "ema", "speed", "bearing", "rejected",
    "walked_blind",
)


BLIND_STEPS = 3
"""After this many steps walked in a row without a Doppler bearing, the free filter's position lags (rule 8 measures
the fix instead); one or two are the blips of a halt's noisy Doppler."""


@dataclass(slots=True)
class FreeTrack:
    """The free-walking filter's state (rule 9, :mod:`heritage_kit.geofence.track`).

    Origin (``lat0``, ``lon0``, metres per degree ``kx``, ``ky``), position (``x``, ``y``) and GPS bias
    (``bx``, ``by``) in metres east/north of it, the covariance per axis of (position, bias) as
    ``pxx``, ``pxb``, ``pbb``, the time ``t`` of the last fix, the smoothed Doppler speed ``ema``, the
    last fix's Doppler ``speed`` and ``bearing``, consecutive wild fixes ``rejected``, and ``walked_blind``: the
    steps walked in a row without a Doppler bearing since the last one dead-reckoned along a bearing (after a few,
    the position is a random walk that lags the walker, and the route filter measures the fix instead, rule 8).
    A saved state without that last value (written before it existed) reads it as "many".
    """

    lat0: float
    lon0: float
    kx: float
    ky: float
    x: float
    y: float
    bx: float
    by: float
    pxx: float
    pxb: float
    pbb: float
    t: float
    ema: float | None
    speed: float | None
    bearing: float | None
    rejected: int
    walked_blind: int = 0

    def to_list(self) -> list:
        return [getattr(self, k) for k in _FREE_FIELDS]

    @classmethod
    def from_list(cls, values: Sequence[Any]) -> "FreeTrack":
        if len(values) not in (len(_FREE_FIELDS) - 1, len(_FREE_FIELDS)):
            raise GeofenceError(f"geofence state: field 'free': expected {len(_FREE_FIELDS)} values")
        blind = values[16] if len(values) == len(_FREE_FIELDS) else BLIND_STEPS
        if not isinstance(blind, int) or isinstance(blind, bool) or blind < 0:
            raise GeofenceError("geofence state: field 'free': walked_blind must be an integer >= 0")
        try:
            v = [None if x is None else float(x) for x in values[:16]]
        except (TypeError, ValueError):
            raise GeofenceError("geofence state: field 'free': expected numbers") from None
        if any(x is None for x in v[:12]):
            raise GeofenceError("geofence state: field 'free': missing numbers")
        v[15] = int(v[15] or 0)
        return cls(*v, blind)


class RouteCoords(NamedTuple):
    """A route as the state keeps it: its points' latitudes and longitudes."""

    lat: tuple[float, ...]
    lon: tuple[float, ...]


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
        self.anchor: Anchor | None = None  # the last accepted fix
        self.rejected: Anchor | None = None  # the last rejected fix
        self.n_rejected = 0
        self.inside: dict[str, Stay] = {}
        self.pending: dict[str, Pending] = {}
        self.last_alert: dict[str, float] = {}
        self.alerts: deque[float] = deque()
        self.active: frozenset[str] | None = None
        self.next_id: str | None = None
        self.speed_mps: float | None = None
        self.moved_m = 1e9  # metres walked (Doppler) since the last alert
        self.halt: Halt | None = None
        self.route: RouteCoords | None = None
        self.track: Track | None = None  # on the route
        self.route_miss = 0  # consecutive fixes off the route while locked
        self.route_hits = 0  # consecutive fixes near the route while not locked
        self.route_done_m = 0.0  # furthest filtered progress along the route
        self.route_done_t: float | None = None  # time of the last fix on the route
        self.free: FreeTrack | None = None  # the free-walking filter (rule 9)

    def to_dict(self) -> dict[str, Any]:
        tr = self.track
        out = {
            "version": self.VERSION,
            "last_t": self.last_t,
            "anchor": self.anchor.to_list() if self.anchor else None,
            "rejected": self.rejected.to_list() if self.rejected else None,
            "n_rejected": self.n_rejected,
            "inside": {
                k: {"entered": s.entered, "alerted": s.alerted, "dwelled": s.dwelled, "out": s.out}
                for k, s in self.inside.items()
            },
            "pending": {k: [v.hits, v.misses] for k, v in self.pending.items()},
            "last_alert": dict(self.last_alert),
            "alerts": list(self.alerts),
            "active": sorted(self.active) if self.active is not None else None,
            "next_id": self.next_id,
            "speed_mps": self.speed_mps,
            "halt": self.halt.to_list() if self.halt is not None else None,
            "moved_m": self.moved_m,
            "route": None if self.route is None else {"lat": list(self.route.lat), "lon": list(self.route.lon)},
            "track": None if tr is None else dict(
                zip(_TRACK_FIELDS, [tr.s_m, tr.speed_mps, tr.bias_east_m, tr.bias_north_m, _full_cov(tr.cov), tr.t])
            ),
            "route_miss": self.route_miss,
            "route_hits": self.route_hits,
            "route_done_m": self.route_done_m,
            "route_done_t": self.route_done_t,
        }
        if self.free is not None:  # optional (a v2 reader ignores it): the free-walking filter, rule 9
            out["free"] = self.free.to_list()
        return out

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
                    setattr(st, name, Anchor(*(float(x) for x in v)))
            st.n_rejected = int(data.get("n_rejected", 0))
            for k, s in (data.get("inside") or {}).items():
                st.inside[str(k)] = Stay(float(s["entered"]), bool(s["alerted"]), bool(s["dwelled"]), int(s["out"]))
            st.pending = {str(k): Pending(v[0] if isinstance(v[0], int) else float(v[0]), int(v[1])) for k, v in (data.get("pending") or {}).items()}
            st.last_alert = {str(k): float(v) for k, v in (data.get("last_alert") or {}).items()}
            st.alerts = deque(float(t) for t in data.get("alerts") or [])
            act = data.get("active")
            st.active = None if act is None else frozenset(str(a) for a in act)
            st.next_id = None if data.get("next_id") is None else str(data["next_id"])
            st.speed_mps = None if data.get("speed_mps") is None else float(data["speed_mps"])
            halt = data.get("halt")
            if halt is not None and len(halt) != 7:
                raise GeofenceError(f"{where}: field 'halt': expected 7 numbers")
            st.halt = None if halt is None else Halt(*(float(x) for x in halt))
            st.moved_m = float(data.get("moved_m", 1e9))
            route = data.get("route")
            if route is not None:
                lats, lons = [float(x) for x in route["lat"]], [float(x) for x in route["lon"]]
                if len(lats) != len(lons) or len(lats) < 2:
                    raise GeofenceError(f"{where}: field 'route': expected lat and lon lists of one length >= 2")
                st.route = RouteCoords(tuple(lats), tuple(lons))
            track = data.get("track")
            if track is not None:
                if st.route is None:
                    raise GeofenceError(f"{where}: field 'track' without a route")
                cov = [float(c) for c in track["covariance"]]
                if len(cov) != 16:
                    raise GeofenceError(f"{where}: field 'track.covariance': expected 16 numbers (4x4)")
                s, v, bx, by = (float(track[k]) for k in _TRACK_FIELDS[:4])
                st.track = Track(s, v, bx, by, [cov[i] for i in _SYM], float(track["t"]))
            st.route_miss = int(data.get("route_miss", 0))
            st.route_hits = int(data.get("route_hits", 0))
            st.route_done_m = float(data.get("route_done_m", 0.0))
            st.route_done_t = None if data.get("route_done_t") is None else float(data["route_done_t"])
            free = data.get("free")
            st.free = None if free is None else FreeTrack.from_list(free)
        except GeofenceError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GeofenceError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None
        return st
