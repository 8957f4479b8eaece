"""Seeded simulated walks with a documented GPS noise model (pure: no I/O).

No recorded walk of these towns exists, so geofencing is evaluated on
simulated ones. A walk is a path (a list of :class:`~heritage_kit.types.LatLon`
— street geometry from the routing graph, or straight segments), walked at a
per-walk speed with pauses at the stops; every ``fix_interval_s`` the phone
reports a :class:`~heritage_kit.geofence.Fix`.

GPS noise model (:class:`NoiseModel`), per axis (east, north), in metres:

* **Quality** ``s(t) = sigma_m · exp(q(t))`` where ``q`` is an
  Ornstein–Uhlenbeck process (std ``quality_jitter``, correlation time
  ``quality_tau_s``): reception gets better and worse slowly.
* **Reported accuracy** ``accuracy_m = 1.51 · s(t)`` — the radius holding 68%
  of a circular Gaussian of std ``s`` (what Android's ``getAccuracy`` means),
  so the error is *tied to the reported accuracy*.
* **Error** = a slowly drifting **bias** (Ornstein–Uhlenbeck, stationary std
  ``sqrt(bias_fraction)·s``, correlation time ``bias_tau_s``) + **white**
  Gaussian noise of std ``sqrt(1 - bias_fraction)·s``. Total std ≈ ``s``.
* **Multipath jumps**: episodes starting at ``multipath_per_min`` per minute,
  lasting ``multipath_s`` seconds, during which fixes are offset by 50–150 m
  (``multipath_m``) in one random direction while the reported accuracy stays
  as it was (the phone does not know).
* **Speed** (Doppler, as phones report it): the true walking speed plus
  Gaussian noise of std ``speed_noise_mps · sigma_m / 10``, as an absolute value.
* **Urban canyon** (multipath along a street): episodes starting at
  ``canyon_per_min`` per minute and lasting ``canyon_s`` seconds (tens of
  seconds: the walker goes down a narrow street between stone walls), during
  which a *persistent* bias is added — a Gauss–Markov (AR(1)) process of
  stationary std ``canyon_m`` per axis and correlation time ``canyon_tau_s``,
  faded in and out over ``canyon_fade_s`` — not white noise: tens of metres,
  the same way for tens of seconds. The reported accuracy grows by only
  ``canyon_accuracy_share`` x ``canyon_m`` (a phone underestimates multipath).
  Off by default (``canyon_per_min = 0``); drawn after every other random
  number, so a seed without canyons gives the same walk as before.
* **Bearing**: the direction of the true track (degrees clockwise from north), none while standing still.
* **Dropouts**: gaps starting at ``dropout_per_min`` per minute, lasting
  ``dropout_s`` seconds, with no fix at all.

The walker (:class:`WalkerModel`) walks at ``speed_mps`` × a per-walk
log-normal factor, pauses ``pause_s`` seconds (uniform) at each stop, and
also halts ``idle_s`` seconds at ``idle_per_km`` random points per km that are
not stops (pedestrian crossings, shop windows) — so "standing still" alone
never means "arrived".
The same seed gives the same walk, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import math

import numpy as np

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import ACCURACY_PER_SIGMA, LocalProjection
from heritage_kit.geofence.model import Fix
from heritage_kit.types import LatLon

__all__ = [
    "NoiseModel",
    "WalkerModel",
    "SimulatedWalk",
    "StopVisit",
    "simulate_walk",
    "simulate_trail",
    "trail_path",
    "path_through",
    "replay",
]



@dataclass(frozen=True, kw_only=True)
class NoiseModel:
    """GPS noise (see the module docstring). ``NoiseModel.none()``: perfect fixes."""

    sigma_m: float = 10.0
    bias_fraction: float = 0.6
    bias_tau_s: float = 60.0
    quality_jitter: float = 0.25
    quality_tau_s: float = 120.0
    multipath_per_min: float = 0.5
    multipath_m: tuple[float, float] = (50.0, 150.0)
    multipath_s: tuple[float, float] = (1.0, 4.0)
    dropout_per_min: float = 0.2
    dropout_s: tuple[float, float] = (5.0, 30.0)
    speed_noise_mps: float = 0.2
    canyon_per_min: float = 0.0
    canyon_s: tuple[float, float] = (20.0, 60.0)
    canyon_m: float = 25.0
    canyon_tau_s: float = 30.0
    canyon_fade_s: float = 5.0
    canyon_accuracy_share: float = 0.5

    def __post_init__(self) -> None:
        ok = (
            self.sigma_m >= 0
            and 0 <= self.bias_fraction <= 1
            and self.bias_tau_s > 0
            and self.quality_jitter >= 0
            and self.quality_tau_s > 0
            and self.multipath_per_min >= 0
            and self.dropout_per_min >= 0
            and self.speed_noise_mps >= 0
            and 0 <= self.multipath_m[0] <= self.multipath_m[1]
            and 0 <= self.multipath_s[0] <= self.multipath_s[1]
            and 0 <= self.dropout_s[0] <= self.dropout_s[1]
            and self.canyon_per_min >= 0
            and 0 <= self.canyon_s[0] <= self.canyon_s[1]
            and self.canyon_m >= 0
            and self.canyon_tau_s > 0
            and self.canyon_fade_s >= 0
            and self.canyon_accuracy_share >= 0
        )
        if not ok:
            raise GeofenceError(f"invalid NoiseModel: {self}")

    @classmethod
    def none(cls) -> "NoiseModel":
        return cls(sigma_m=0.0, quality_jitter=0.0, multipath_per_min=0.0, dropout_per_min=0.0, speed_noise_mps=0.0)


@dataclass(frozen=True, kw_only=True)
class WalkerModel:
    speed_mps: float = 1.3
    speed_spread: float = 0.15  # std of the per-walk log-normal speed factor
    pause_s: tuple[float, float] = (30.0, 120.0)
    idle_per_km: float = 3.0  # short stops anywhere: crossings, shop windows
    idle_s: tuple[float, float] = (5.0, 20.0)
    fix_interval_s: float = 1.0
    pass_stops: tuple[int, ...] = ()  # stop numbers walked past without stopping (pause 0)

    def __post_init__(self) -> None:
        if not (self.speed_mps > 0 and self.speed_spread >= 0 and self.fix_interval_s > 0):
            raise GeofenceError(f"invalid WalkerModel: {self}")
        if not (0 <= self.pause_s[0] <= self.pause_s[1]) or not (0 <= self.idle_s[0] <= self.idle_s[1]) or self.idle_per_km < 0:
            raise GeofenceError(f"invalid WalkerModel.pause_s: {self.pause_s}")


@dataclass(frozen=True)
class StopVisit:
    """The walker stood at path vertex ``vertex`` (stop number ``stop``) from ``arrive`` to ``leave``.

    ``arrive == leave`` when the walker passed the stop without stopping (``WalkerModel.pass_stops`` or a
    pause of 0 s); :attr:`passed` says so.
    """

    stop: int
    vertex: int
    arrive: float
    leave: float

    @property
    def passed(self) -> bool:
        return self.leave <= self.arrive


@dataclass
class SimulatedWalk:
    """A walk: the true track (every ``fix_interval_s``), the fixes, the stops."""

    seed: int
    t: np.ndarray  # sample times (s), including during dropouts
    lat: np.ndarray  # true positions at those times
    lon: np.ndarray
    fixes: list[Fix]
    stops: list[StopVisit]
    noise: NoiseModel
    walker: WalkerModel
    speed_mps: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0]) if len(self.t) else 0.0

    def true_position(self, timestamp: float) -> LatLon:
        return LatLon(
            lat=float(np.interp(timestamp, self.t, self.lat)), lon=float(np.interp(timestamp, self.t, self.lon))
        )


def path_through(stops: Sequence[LatLon], legs: Sequence[Sequence[LatLon]] | None = None) -> tuple[list[LatLon], list[int]]:
    """A path visiting ``stops`` in order and the vertex index of each stop.

    ``legs[k]`` (optional) is the geometry from stop k to stop k+1 (e.g.
    ``WalkingGraph.route(a, b).geometry``); straight segments otherwise.
    """
    if not stops:
        raise GeofenceError("path_through: no stop")
    if legs is not None and len(legs) != len(stops) - 1:
        raise GeofenceError(f"path_through: {len(stops)} stops need {len(stops) - 1} legs, got {len(legs)}")
    path: list[LatLon] = [stops[0]]
    idx = [0]
    for k in range(1, len(stops)):
        if legs is not None:
            path.extend(list(legs[k - 1])[1:-1] if len(legs[k - 1]) > 2 else [])
        path.append(stops[k])
        idx.append(len(path) - 1)
    return path, idx


def _ou(rng: np.random.Generator, n: int, dt: float, tau: float, std: float) -> np.ndarray:
    """A stationary Ornstein–Uhlenbeck series (std ``std``, correlation time ``tau``)."""
    out = np.empty(n)
    if n == 0:
        return out
    a = np.exp(-dt / tau)
    b = std * np.sqrt(1 - a * a)
    e = rng.standard_normal(n)
    x = std * e[0]
    out[0] = x
    for k in range(1, n):
        x = a * x + b * e[k]
        out[k] = x
    return out


def _episodes(rng: np.random.Generator, t: np.ndarray, per_min: float, dur: tuple[float, float]) -> list[tuple[float, float]]:
    if per_min <= 0 or len(t) == 0:
        return []
    out = []
    now = float(t[0])
    end = float(t[-1])
    while True:
        now += rng.exponential(60.0 / per_min)
        if now >= end:
            return out
        d = rng.uniform(*dur)
        out.append((now, now + d))
        now += d


def simulate_walk(
    path: Sequence[LatLon],
    *,
    seed: int,
    stop_vertices: Sequence[int] = (),
    walker: WalkerModel = WalkerModel(),
    noise: NoiseModel = NoiseModel(),
    start_time: float = 0.0,
    lateral_offset_m: float = 0.0,
) -> SimulatedWalk:
    """Walk ``path`` (straight segments between its vertices), pausing at ``stop_vertices``.

    Returns the true track sampled every ``walker.fix_interval_s`` and the noisy
    fixes (see the module docstring for the noise model). Deterministic in ``seed``.
    ``lateral_offset_m`` moves the walker that far to the right of the path
    (left if negative): the other side of the street from a planned route.
    ``extra["arc_m"]`` is the walker's arc length along ``path`` at each sample.
    """
    if len(path) < 1:
        raise GeofenceError("simulate_walk: empty path")
    for v in stop_vertices:
        if not 0 <= v < len(path):
            raise GeofenceError(f"simulate_walk: stop vertex {v} outside the path (0..{len(path) - 1})")
    rng = np.random.default_rng(seed)
    proj = LocalProjection(path[0].lat, path[0].lon)
    px, py = proj.to_xy(np.array([p.lat for p in path]), np.array([p.lon for p in path]))
    px, py = np.atleast_1d(px), np.atleast_1d(py)
    seg = np.hypot(np.diff(px), np.diff(py))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    speed = walker.speed_mps * float(np.exp(rng.normal(0.0, walker.speed_spread)))

    # a timetable of (time, arc length) knots: walk, and stand still at stops
    # and at idle points (Poisson along the path) that are not stops
    knots_t = [0.0]
    knots_s = [0.0]
    stops: list[StopVisit] = []
    idles: list[tuple[float, float]] = []
    stop_no = {v: k for k, v in enumerate(stop_vertices)}
    halts: list[tuple[float, int, int]] = [(float(cum[v]), 0, v) for v in sorted(set(stop_vertices))]
    if walker.idle_per_km > 0 and cum[-1] > 0:
        s_idle = 0.0
        while True:
            s_idle += rng.exponential(1000.0 / walker.idle_per_km)
            if s_idle >= cum[-1]:
                break
            halts.append((s_idle, 1, -1))
    halts.sort()
    for s, is_idle, v in halts:
        knots_t.append(knots_t[-1] + (s - knots_s[-1]) / speed)
        knots_s.append(s)
        if is_idle:
            pause = float(rng.uniform(*walker.idle_s))
            idles.append((float(start_time + knots_t[-1]), float(start_time + knots_t[-1] + pause)))
        else:
            pause = float(rng.uniform(*walker.pause_s))
            if stop_no[v] in walker.pass_stops:
                pause = 0.0  # drawn anyway: the other stops keep their pauses
            stops.append(StopVisit(stop_no[v], v, float(start_time + knots_t[-1]), float(start_time + knots_t[-1] + pause)))
        knots_t.append(knots_t[-1] + pause)
        knots_s.append(s)
    knots_t.append(knots_t[-1] + (cum[-1] - knots_s[-1]) / speed)
    knots_s.append(cum[-1])

    dt = walker.fix_interval_s
    t_rel = np.arange(0.0, knots_t[-1] + dt / 2, dt)
    s_t = np.interp(t_rel, knots_t, knots_s)
    tx = np.interp(s_t, cum, px)
    ty = np.interp(s_t, cum, py)
    if lateral_offset_m and len(seg):
        k = np.clip(np.searchsorted(cum, s_t, side="right") - 1, 0, len(seg) - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            nx = np.where(seg[k] > 0, np.diff(py)[k] / seg[k], 0.0)  # right of the way walked
            ny = np.where(seg[k] > 0, -np.diff(px)[k] / seg[k], 0.0)
        tx = tx + lateral_offset_m * nx
        ty = ty + lateral_offset_m * ny
    n = len(t_rel)

    sig = noise.sigma_m * np.exp(_ou(rng, n, dt, noise.quality_tau_s, noise.quality_jitter))
    unit_bias_x = _ou(rng, n, dt, noise.bias_tau_s, 1.0)
    unit_bias_y = _ou(rng, n, dt, noise.bias_tau_s, 1.0)
    wb, ww = np.sqrt(noise.bias_fraction), np.sqrt(1.0 - noise.bias_fraction)
    ex = sig * (wb * unit_bias_x + ww * rng.standard_normal(n))
    ey = sig * (wb * unit_bias_y + ww * rng.standard_normal(n))
    keep = np.ones(n, dtype=bool)
    t_abs = t_rel + start_time
    multipath = _episodes(rng, t_abs, noise.multipath_per_min, noise.multipath_s)
    for a, b in multipath:
        dist = rng.uniform(*noise.multipath_m)
        ang = rng.uniform(0.0, 2 * np.pi)
        m = (t_abs >= a) & (t_abs < b)
        ex[m] += dist * np.sin(ang)
        ey[m] += dist * np.cos(ang)
    dropouts = _episodes(rng, t_abs, noise.dropout_per_min, noise.dropout_s)
    for a, b in dropouts:
        keep[(t_abs >= a) & (t_abs < b)] = False
    acc = ACCURACY_PER_SIGMA * sig
    canyons = _episodes(rng, t_abs, noise.canyon_per_min, noise.canyon_s) if noise.canyon_m > 0 else []
    if canyons:
        # a persistent (AR(1)) bias of tens of metres during each episode, faded in and out
        cx = _ou(rng, n, dt, noise.canyon_tau_s, noise.canyon_m)
        cy = _ou(rng, n, dt, noise.canyon_tau_s, noise.canyon_m)
        on = np.zeros(n)
        fade = max(noise.canyon_fade_s, 1e-9)
        for a, b in canyons:
            on = np.maximum(on, np.clip(np.minimum(t_abs - a, b - t_abs) / fade, 0.0, 1.0))
        ex += on * cx
        ey += on * cy
        acc = acc + on * noise.canyon_accuracy_share * noise.canyon_m
    # speed as a phone's Doppler reports it: the true speed plus Gaussian noise
    # (speed_noise_mps x sigma/10 m), never negative
    v_true = np.gradient(s_t, t_rel) if n > 1 else np.zeros(n)
    v_true = np.abs(v_true + rng.normal(0.0, noise.speed_noise_mps * noise.sigma_m / 10.0, n))
    tlat, tlon = proj.to_latlon(tx, ty)
    flat, flon = proj.to_latlon(tx + ex, ty + ey)
    tlat, tlon, flat, flon = (np.atleast_1d(a) for a in (tlat, tlon, flat, flon))
    # bearing as a phone reports it with the speed: the direction walked (of the true track; no extra random
    # draws, so a seed gives the same positions as before), none while standing still
    if n > 1:
        gx, gy = np.gradient(tx, t_rel), np.gradient(ty, t_rel)
        moving = np.hypot(gx, gy) > 0.05
        heading = np.degrees(np.arctan2(gx, gy)) % 360.0
    else:
        moving, heading = np.zeros(n, dtype=bool), np.zeros(n)
    fixes = [
        Fix(float(flat[k]), float(flon[k]), round(float(acc[k]), 1), float(t_abs[k]), round(float(max(v_true[k], 0.0)), 2),
            round(float(heading[k]), 1) if moving[k] else None)
        for k in range(n)
        if keep[k]
    ]
    return SimulatedWalk(
        seed=seed,
        t=t_abs,
        lat=tlat,
        lon=tlon,
        fixes=fixes,
        stops=stops,
        noise=noise,
        walker=walker,
        speed_mps=speed,
        extra={"multipath": multipath, "dropouts": dropouts, "idles": idles, "arc_m": s_t, "canyons": canyons},
    )


APPROACH_M = 150.0


def trail_path(
    pack, trail, *, along_streets: bool = True, approach_m: float = APPROACH_M
) -> tuple[list[LatLon], list[int], str]:
    """The path of a walker doing ``trail`` (a :class:`Trail` or its id) of ``pack``.

    It starts about ``approach_m`` before the first stop and visits the stops in
    order. With ``along_streets`` and a pack with streets, every leg is the
    shortest route of :class:`heritage_kit.routing.WalkingGraph`, and the start
    is, of 12 points ``approach_m`` away, the one with the shortest route (at
    least 100 m) to the first stop; otherwise legs are straight and the start
    lies away from the second stop. Returns (path, the path vertex of each stop,
    how the legs were made). Unroutable legs are walked straight (and said so).
    """
    if isinstance(trail, str):
        trail = pack.trail(trail)
    stops = [pack.poi(s).location for s in trail.stops]
    p = LocalProjection(stops[0].lat, stops[0].lon)
    route = None
    how = "straight segments"
    failed = 0
    if along_streets and getattr(pack, "streets", None):
        from heritage_kit.routing import WalkingGraph  # lazy: only when walking streets

        graph = WalkingGraph.for_pack(pack)
        how = "streets (WalkingGraph shortest routes)"

        def route(a: LatLon, b: LatLon) -> list[LatLon]:
            nonlocal failed
            try:
                return list(graph.route(a, b).geometry)
            except Exception:  # noqa: BLE001 - a leg the graph cannot join is walked straight
                failed += 1
                return [a, b]

    start = None
    if route is not None:
        best = None
        for k in range(12):
            a = math.radians(30 * k)
            lat, lon = p.to_latlon(approach_m * math.sin(a), approach_m * math.cos(a))
            cand = LatLon(lat=lat, lon=lon)
            geom = [cand, *route(cand, stops[0])[1:-1], stops[0]]
            xs, ys = p.to_xy(np.array([g.lat for g in geom]), np.array([g.lon for g in geom]))
            length = float(np.hypot(np.diff(xs), np.diff(ys)).sum())
            if length >= 100.0 and (best is None or length < best[0]):
                best = (length, cand)
        failed = 0  # probing starts does not count
        if best is not None:
            start = best[1]
    if start is None:
        if len(stops) > 1:
            x, y = p.to_xy(stops[1].lat, stops[1].lon)
            n = math.hypot(x, y) or 1.0
            dx, dy = -x / n, -y / n
        else:
            dx, dy = 0.0, -1.0
        lat, lon = p.to_latlon(dx * approach_m, dy * approach_m)
        start = LatLon(lat=lat, lon=lon)
    waypoints = [start, *stops]
    legs = [route(a, b) for a, b in zip(waypoints, waypoints[1:])] if route is not None else None
    path, idx = path_through(waypoints, legs)
    if failed:
        how += f"; {failed} legs could not be routed and were walked straight"
    return path, idx[1:], how


def simulate_trail(
    pack,
    trail,
    *,
    seed: int,
    walker: WalkerModel = WalkerModel(),
    noise: NoiseModel = NoiseModel(),
    along_streets: bool = True,
    start_time: float = 0.0,
) -> SimulatedWalk:
    """A seeded walk of a pack's trail (see :func:`trail_path` and :func:`simulate_walk`).

    ``extra["path"]`` says how the legs were made.
    """
    path, stop_vertices, how = trail_path(pack, trail, along_streets=along_streets)
    walk = simulate_walk(path, seed=seed, stop_vertices=stop_vertices, walker=walker, noise=noise, start_time=start_time)
    walk.extra["path"] = how
    return walk


def replay(engine, fixes: Sequence[Fix]) -> list:
    """Feed ``fixes`` to ``engine.update`` in order; every event, in order."""
    events = []
    for fix in fixes:
        events.extend(engine.update(fix))
    return events
