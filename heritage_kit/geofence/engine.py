"""The geofencing rules: :class:`GeofenceEngine`, one deterministic state machine fed with fixes.

Over 500 lines because ``update`` (the hot path, every rule on one fix) is one function, kept whole for speed.
The rules (accuracy gate, jumps, enter, hysteresis, halts, dwell, alerts, route) are described in
:mod:`heritage_kit.geofence`'s docstring; their knobs are the fields of :class:`GeofenceConfig`.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
import shapely

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import ACCURACY_PER_SIGMA, metres_per_degree
from heritage_kit.geofence.config import GeofenceConfig
from heritage_kit.geofence.model import Fence, Fix, GeofenceEvent, OsFence, as_geometry
from heritage_kit.geofence.route import RouteFilter, route_coords
from heritage_kit.geofence.state import BLIND_STEPS, Anchor, GeofenceState, Halt, Pending, Stay
from heritage_kit.geofence.track import FreeFilter

__all__ = ["GeofenceEngine"]

_CELL_DEG = 0.001  # grid cell (about 110 m x 75 m in France)
_INV_CELL = 1.0 / _CELL_DEG
_ROW = 400_000  # > 360 / _CELL_DEG: one int key per cell


def _cell_key(lat: float, lon: float) -> int:
    return math.floor(lat * _INV_CELL) * _ROW + math.floor(lon * _INV_CELL)


_EMPTY: tuple[int, ...] = ()


class GeofenceEngine:
    """Arrival alerts on every GPS fix (the rules: :mod:`heritage_kit.geofence`'s docstring).

    ``update(fix)`` is the hot path: one dict lookup in a uniform lat/lon grid
    of 0.001° cells (about 110 m × 75 m in France, ``_CELL_DEG``) gives the few fences whose exit zone may hold the fix;
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
        self._halt_only: list[bool] = []  # rule 10: walking past is no arrival
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
            self._halt_only.append(f.halt_only)
            if f.footprint is not None:
                scale = np.array([kx0, ky0])
                origin = np.array([lon0, lat0])
                geom = shapely.transform(as_geometry(f.footprint, f.id), lambda c: (c - origin) * scale)
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
        self._route: RouteFilter | None = None
        self._free = FreeFilter(cfg)
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
        self._route = None if value.route is None else RouteFilter(value.route, self.config)
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
        of :mod:`heritage_kit.geofence`'s docstring.
        """
        st = self._state
        if points is None:
            st.route, st.track = None, None
            st.route_miss = st.route_hits = 0
            st.route_done_m, st.route_done_t = 0.0, None
            self._route = None
            return
        coords = route_coords(points)
        if coords == st.route and self._route is not None:
            return
        st.route = coords
        st.track = None
        st.route_miss = st.route_hits = 0
        st.route_done_m, st.route_done_t = 0.0, None
        self._route = RouteFilter(coords, self.config)

    @property
    def route_progress_m(self) -> float | None:
        """Metres walked along the route (filtered), or None without a route or off it."""
        tr = self._state.track
        return None if tr is None or self._route is None else tr.s_m

    @property
    def route_length_m(self) -> float | None:
        """Length of the route set with :meth:`set_route` (None without one)."""
        return None if self._route is None else self._route.length

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
        # standing still? (the smoothed Doppler, rule 9: steadier than one reading)
        fr = st.free
        _, still_now = self._free.still.step(
            None if fr is None else fr.ema, fix.speed, 0.0 if fr is None else t - fr.t
        )
        # jump rejection against the last accepted fix
        anchor = st.anchor
        if anchor is not None:
            dt = t - anchor.t
            d = math.hypot((lon - anchor.lon) * kx, (lat - anchor.lat) * ky)
            if d > cfg.max_speed_mps * dt + cfg.jump_accuracy_factor * (acc + anchor.acc):
                rj = st.rejected
                if rj is not None and math.hypot((lon - rj.lon) * kx, (lat - rj.lat) * ky) <= (
                    cfg.max_speed_mps * (t - rj.t) + cfg.jump_accuracy_factor * (acc + rj.acc)
                ):
                    st.n_rejected += 1
                else:
                    st.n_rejected = 1
                st.rejected = Anchor(lat, lon, t, acc)
                if st.n_rejected < cfg.reanchor_fixes:
                    return []
                st.pending.clear()  # the track moved: re-confirm from here
            if dt > 0:
                v = d / dt
                st.speed_mps = v if st.speed_mps is None else 0.7 * st.speed_mps + 0.3 * v
                speed = fix.speed
                if speed is not None and speed >= cfg.stationary_mps:
                    st.moved_m += speed * (dt if dt < 10.0 else 10.0)
        if anchor is None:
            st.anchor = Anchor(lat, lon, t, acc)
        else:  # in place: the hot path
            anchor.lat, anchor.lon, anchor.t, anchor.acc = lat, lon, t, acc
        st.rejected = None
        st.n_rejected = 0
        prev_t = st.last_t
        st.last_t = t
        enter_margin = cfg.enter_margin
        halt_slack = cfg.halt_slack
        # rule 9: the free-walking filter runs on every trusted fix (warm when the route lets go)
        st.free, f_lat, f_lon, f_acc, _ = self._free.step(fix, st.free)
        on_route = None
        if self._route is not None:
            # the route filter measures the free filter's position (rule 8, route_from_free) when that filter
            # knows the walker's motion (it dead-reckons along Doppler bearings): its bias state and wild-fix gate
            # already worked on the fix. Walking without bearings (BLIND_STEPS in a row), the free filter is a
            # random walk that lags the walker: the fix itself is measured.
            measured = (f_lat, f_lon, f_acc) if cfg.route_from_free and st.free.walked_blind < BLIND_STEPS else None
            on_route = self._route.step(fix, st, measured)
            if on_route is not None:
                lat, lon, acc = on_route  # judged at the filtered point on the route
                enter_margin = cfg.route_enter_margin
                if prev_t is not None and cfg.evidence_s < t - prev_t <= cfg.max_interval_s:
                    # a fix after a long interval stands for that time (rule 3): it needs less margin
                    enter_margin *= cfg.evidence_s / (t - prev_t)
                halt_slack = cfg.route_halt_slack
        if on_route is None and cfg.free_filter:
            lat, lon, acc = f_lat, f_lon, f_acc

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
        halted = (speed is not None and speed < cfg.stationary_mps) if still_now is None else still_now
        if halted:
            h = st.halt
            if h is None:
                st.halt = h = Halt(t)
            w = 1.0 / (acc * acc + 1.0)
            h.weight += w
            h.lat_w += lat * w
            h.lon_w += lon * w
            h.acc_w += acc * w
            h.n += 1
            if cfg.halt_mean_fixes and h.n >= cfg.halt_mean_fixes:
                # standing still, the mean of the halt is a better position than this fix
                lat, lon = h.lat_w / h.weight, h.lon_w / h.weight
                if int(lat * 100.0) != key:
                    kx, ky = metres_per_degree(lat)
        elif st.halt is not None:
            st.halt = None
        cands = self._grid.get(math.floor(lat * _INV_CELL) * _ROW + math.floor(lon * _INV_CELL), _EMPTY)
        exclusive = cfg.exclusive
        margin = enter_margin * acc
        if on_route is not None and margin > cfg.route_margin_max_m:
            margin = cfg.route_margin_max_m
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
        # rule 10: a halt-only fence (a shop) watched among every fence is entered only standing still
        halt_only = self._halt_only if (st.active is None and not halted) else None
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
                if halt_only is not None and halt_only[i] and fid != st.next_id:
                    continue
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
                c.misses += 1
                if c.misses > slack:
                    del pending[k]
        # a hit is worth the time it stands for: 1 at 1 s fixes, up to enter_fixes at long intervals
        if hits:
            gap = t - prev_t if prev_t is not None else 0.0
            # (a gap longer than max_interval_s is a dropout, not a sampling choice: worth 1)
            worth = gap / cfg.evidence_s if cfg.evidence_s < gap <= cfg.max_interval_s else 1.0
            if worth > cfg.enter_fixes:
                worth = float(cfg.enter_fixes)
        for i, d in hits:
            fid = ids[i]
            c = pending.get(fid)
            if c is None:
                pending[fid] = c = Pending()
            c.hits += worth
            if c.hits >= cfg.enter_fixes:
                if entering is None:
                    entering = []
                entering.append((i, d))
        if cfg.halt_arrival_s is not None and halted:
            h = st.halt
            if h is not None:
                if not h.done and not entering:
                    arrived = None
                    if st.next_id is not None:
                        if t - h.since >= cfg.halt_arrival_s and st.moved_m >= cfg.moved_m:
                            arrived = self._halt_arrival(h, kx, ky, halt_slack)
                    elif cfg.free_halt_arrival and t - h.since >= cfg.free_halt_s and st.moved_m >= cfg.free_halt_moved_m:
                        arrived = self._free_halt_arrival(h, kx, ky)
                    if arrived is not None:
                        h.done = 1.0
                        pending.pop(ids[arrived[0]], None)
                        entering = [arrived]
        if entering:
            if len(entering) > 1:
                nid = st.next_id
                entering.sort(key=lambda e: (ids[e[0]] != nid, -self._prio[e[0]], e[1]))
            if st.halt is not None:
                st.halt.done = 1.0  # this halt has given its arrival
            for i, d in entering:
                fid = ids[i]
                pending.pop(fid, None)
                alerted = self._may_alert(fid, t)
                inside[fid] = Stay(t, alerted)
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

    def _halt_arrival(self, h: Halt, kx: float, ky: float, slack: float) -> tuple[int, float] | None:
        """The next stop, if the walker has halted by it (see ``halt_arrival_s``)."""
        st, cfg = self._state, self.config
        nid = st.next_id
        if nid is None or nid in st.inside:
            return None
        n = self._index[nid]
        if not self._active[n]:
            return None
        mlat, mlon, macc = h.lat_w / h.weight, h.lon_w / h.weight, h.acc_w / h.weight
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

    def _free_halt_arrival(self, h: Halt, kx: float, ky: float) -> tuple[int, float] | None:
        """Rule 11: without a next stop, the fence that best explains the halt (nearest relative to size)."""
        st, cfg = self._state, self.config
        mlat, mlon, macc = h.lat_w / h.weight, h.lon_w / h.weight, h.acc_w / h.weight
        reach = cfg.free_halt_slack * macc
        inv, clat, clon, active, poly = self._inv_size, self._lat, self._lon, self._active, self._poly
        best, best_rel, best_d = -1, math.inf, 0.0
        for i in self._grid.get(_cell_key(mlat, mlon), _EMPTY):
            if not active[i] or macc > cfg.halt_gate * self._gate_in[i]:
                continue
            d = self._dist(i, mlat, mlon, kx, ky)
            if d > self._rin[i] + reach:
                continue
            rel = d if poly[i] is None else math.hypot((mlon - clon[i]) * kx, (mlat - clat[i]) * ky)
            rel *= inv[i]
            if rel < best_rel:
                best, best_rel, best_d = i, rel, d
        if best < 0 or self._ids[best] in st.inside:
            return None  # nothing here, or the walker already is where the halt says
        return best, best_d

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
        for confirmation, ``min_interval_s``. When the free filter (rule 9)
        holds this fix, its position, the larger of its and the fix's
        accuracy and the smoothed Doppler are used (the speed between raw fixes is mostly noise at poor
        accuracy); standing still in fences already announced,
        ``still_interval_s``.
        """
        cfg = self.config
        st = self._state
        if st.pending or any(s.out for s in st.inside.values()):
            return cfg.min_interval_s
        lat, lon, acc = fix.lat, fix.lon, fix.accuracy_m
        fr = st.free
        if fr is not None and fr.t == fix.timestamp and fr.ema is not None:
            # the free filter has this fix: its position, the larger of its and the fix's accuracy (measured:
            # the filter's alone lets intervals grow too long near a stop), and the smoothed Doppler (the speed
            # between raw fixes is mostly noise at 30 m accuracy)
            lat, lon = fr.lat0 + fr.y / fr.ky, fr.lon0 + fr.x / fr.kx
            acc = max(acc, ACCURACY_PER_SIGMA * math.sqrt(max(fr.pxx, 0.0)))
            speed = max(fix.speed or 0.0, fr.ema, cfg.walking_speed_mps)
            if fr.ema < cfg.still_mps and st.inside and all(s.alerted for s in st.inside.values()):
                # standing at a stop already announced: nothing to decide until the walker walks on
                return float(min(max(cfg.still_interval_s, cfg.min_interval_s), cfg.max_interval_s))
        else:
            speed = max(fix.speed or 0.0, st.speed_mps or 0.0, cfg.walking_speed_mps)
        kx, ky = metres_per_degree(lat)
        iy, ix = math.floor(lat * _INV_CELL), math.floor(lon * _INV_CELL)
        # rings of grid cells around the fix; a fence in no scanned cell has its
        # exit zone at least ``k`` cells away
        need = 2.0 * cfg.max_interval_s * speed + acc
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
        interval = 0.5 * (gap - acc) / speed
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
