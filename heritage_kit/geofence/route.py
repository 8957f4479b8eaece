"""Route mode (rule 8): the walker tracked along their planned path by a Kalman filter.

:class:`RouteFilter` is the whole filter: built from the route's points and
the config, :meth:`RouteFilter.step` takes one trusted fix and the engine's
:class:`~heritage_kit.geofence.state.GeofenceState` (whose ``track`` and
``route_*`` fields it updates) and tells where to judge the fences.
:class:`Polyline` is the route in metres on the tangent plane at its first
point, with the projection the filter searches along.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Any, Mapping, Sequence

import numpy as np

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import SIGMA_PER_ACCURACY, metres_per_degree
from heritage_kit.geofence.config import GeofenceConfig
from heritage_kit.geofence.model import Fix
from heritage_kit.geofence.state import GeofenceState, RouteCoords, Track

__all__ = ["RouteFilter", "Polyline", "route_coords"]


def route_coords(points: Any) -> RouteCoords:
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
    return RouteCoords(tuple(lats), tuple(lons))


class Polyline:
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


class RouteFilter:
    """The extended Kalman filter along one route (rule 8 of :mod:`heritage_kit.geofence`).

    Its state lives in the :class:`GeofenceState` given to :meth:`step` (so it
    is saved and restored with the rest); the filter itself holds only the
    route's geometry and the config.
    """

    __slots__ = ("coords", "line", "config")

    def __init__(self, coords: RouteCoords, config: GeofenceConfig) -> None:
        self.coords = coords
        self.line = Polyline(coords.lat, coords.lon)
        self.config = config

    @property
    def length(self) -> float:
        """Length of the route (m)."""
        return self.line.length

    def step(
        self, fix: Fix, st: GeofenceState, at: tuple[float, float, float] | None = None
    ) -> tuple[float, float, float] | None:
        """Kalman step along the route: (lat, lon, accuracy) to judge fences at, or None (off the route).

        ``at``: the (lat, lon, accuracy) measured, when not the fix's own — the engine gives the free-walking
        filter's position (``route_from_free``); the fix's time and Doppler speed are used as they are.

        State: arc length ``s``, speed ``v`` and the GPS bias ``(bx, by)``
        (east, north, m; Ornstein–Uhlenbeck with ``route_bias_tau_s`` and
        ``route_bias_fraction`` of the fix's variance). A fix is projected on
        the route at ``z``; its offset from the route point there, split along
        and across the route, measures ``s - z + b·tangent`` and ``b·normal``:
        the offset across the route tells the bias, which turns into an offset
        along it at the next corner.
        """
        r = self.line
        cfg = self.config
        t = fix.timestamp
        if at is None:
            m_lat, m_lon, acc = fix.lat, fix.lon, fix.accuracy_m
        else:
            m_lat, m_lon, acc = at
        x = (m_lon - r.lon0) * r.kx
        y = (m_lat - r.lat0) * r.ky
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
            # measured below like any fix
            cov = [big, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, var_bias, 0.0, var_bias]
            tr = st.track = Track(z, fix.speed or 0.0, 0.0, 0.0, cov, t)
        xs = [tr.s_m, tr.speed_mps, tr.bias_east_m, tr.bias_north_m]  # the state vector (s, v, bx, by)
        p = tr.cov  # updated in place
        dt = t - tr.t
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
            # speed below ``stationary_mps`` is a halt (|noise| would creep forward),
            # and so is standing still by the smoothed Doppler (rule 9)
            fr = st.free
            if speed < cfg.stationary_mps or (fr is not None and fr.t == fix.timestamp and fr.ema is not None
                                              and fr.ema < cfg.still_mps):
                zv = 0.0
            else:
                zv = -speed if xs[1] < -cfg.stationary_mps else speed
            # Doppler noise grows with poor reception (speed_noise_per_accuracy)
            sn = max(cfg.route_speed_noise_mps, cfg.speed_noise_per_accuracy * acc)
            _kf_update(xs, p, 0.0, 1.0, 0.0, 0.0, sn * sn, zv - xs[1])
        s = xs[0]
        if s < 0.0:
            xs[0] = s = 0.0
        elif s > r.length:
            xs[0] = s = r.length
        tr.s_m, tr.speed_mps, tr.bias_east_m, tr.bias_north_m = xs
        tr.t = t
        if s > st.route_done_m:
            st.route_done_m = s
        st.route_done_t = t
        px, py, _tx, _ty = r.frame(s)
        lat, lon = r.latlon(px, py)
        acc_s = math.sqrt(max(p[0], 0.0)) / SIGMA_PER_ACCURACY
        return lat, lon, (acc_s if acc_s > cfg.route_min_accuracy_m else cfg.route_min_accuracy_m)
