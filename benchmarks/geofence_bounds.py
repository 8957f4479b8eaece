"""How well *could* arrival alerts do on these simulated fixes? Filters that know more than a phone does.

    python benchmarks/geofence_bounds.py                          # held-out seeds (100000…), 12 walks per σ
    python benchmarks/geofence_bounds.py --walks 4 --sigma 20     # one σ, fewer walks

Issue 14's goals (recall and precision ≥ 0.95 at σ = 20 m, ≥ 0.90 at σ = 30 m) are not met in every mode; this
script asks whether any filter of the same fixes could meet them, by giving a filter knowledge no phone has and
measuring (1) its position error against the truth and (2) the engine's recall / precision when it is fed that
filter's positions instead of the phone's fixes:

* **exact motion** (the oracle): the filter is told every true displacement of the walker between two fixes (where
  they went, to the centimetre, and when they stood still). Its only unknown is the GPS error, modelled exactly as
  :mod:`heritage_kit.simulate` draws it (an Ornstein–Uhlenbeck bias of ``bias_fraction`` of the variance and
  ``bias_tau_s``, the rest white) but for the canyon episodes and multipath jumps, which it meets as the engine does
  (an unmodelled bias; a wild-fix gate). No online filter of these fixes knows more, so its error is a floor.
* **Doppler motion**: the same filter, moving by what a phone measures — the previous fix's Doppler speed along its
  bearing, standing still when the smoothed speed says so (the engine's rule 9) — instead of the truth.
* the **engine's own filters** (``FreeFilter``, rule 9; ``RouteFilter``, rule 8) on the same walks.

Along the route (route mode) the same three levels are a one-dimensional filter of the arc length walked with the
bias as two more states, measured like ``RouteFilter`` (the fix projected on the route, split along and across).

Everything here is measurement (``benchmarks/``), not engine code: the engine is unchanged by it.
"""

from __future__ import annotations

import argparse
import math
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import eval_geofence as ev  # noqa: E402
from heritage_kit.geo import ACCURACY_PER_SIGMA, SIGMA_PER_ACCURACY, metres_per_degree  # noqa: E402
from heritage_kit.geofence import GeofenceConfig, GeofenceEngine, fences_for  # noqa: E402
from heritage_kit.geofence.model import Fix  # noqa: E402
from heritage_kit.geofence.route import Polyline, route_coords  # noqa: E402
from heritage_kit.geofence.track import FreeFilter, StillDetector  # noqa: E402
from heritage_kit.simulate import NoiseModel, WalkerModel, simulate_walk, trail_path  # noqa: E402

CFG = GeofenceConfig()  # the engine's defaults: its wild-fix gate, Doppler noise and stillness
GATE2 = CFG.free_gate**2  # a fix whose innovation is beyond free_gate sigmas is not believed


class _Stillness:
    """The engine's rule 9 stillness (its :class:`StillDetector`), holding the smoothed speed between fixes."""

    def __init__(self) -> None:
        self.detector = StillDetector(CFG)
        self.ema: float | None = None

    def still(self, speed: float | None, dt: float) -> bool:
        self.ema, still = self.detector.step(self.ema, speed or 0.0, dt)
        return bool(still)


def _doppler_noise(accuracy_m: float) -> float:
    """The engine's Doppler noise at this accuracy (m/s; ``speed_noise_per_accuracy``)."""
    return max(CFG.route_speed_noise_mps, CFG.speed_noise_per_accuracy * accuracy_m)


def _truth_xy(walk, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray, float, float]:
    kx, ky = metres_per_degree(lat0)
    return (walk.lon - lon0) * kx, (walk.lat - lat0) * ky, kx, ky


def _episodes_on(walk) -> np.ndarray:
    """How much of the canyon bias is on at each true sample (0…1, faded in and out as simulate draws it)."""
    t, noise = walk.t, walk.noise
    on = np.zeros(len(t))
    for a, b in walk.extra["canyons"]:
        on = np.maximum(on, np.clip(np.minimum(t - a, b - t) / max(noise.canyon_fade_s, 1e-9), 0.0, 1.0))
    return on


def plane_filter(walk, motion: str, *, episodes: bool = False) -> tuple[list[float], list[Fix]]:
    """A Kalman filter on east/north metres, per axis (position, bias, canyon bias); ``motion``: "exact" or "doppler".

    ``episodes``: the filter also knows when each urban canyon is on (its bias a second state, AR(1) as drawn,
    the fix's variance without the canyon's share) and drops the fixes of multipath jumps; otherwise it meets
    both as the engine does (a bias it does not model; a wild-fix gate). Returns the position error of every fix it
    believed (m) and those positions as fixes (accuracy 1.515 x the posterior sigma, at least 3 m; the phone's
    Doppler speed and bearing kept), to feed the engine.
    """
    noise = walk.noise
    lat0, lon0 = float(walk.lat[0]), float(walk.lon[0])
    tx, ty, kx, ky = _truth_xy(walk, lat0, lon0)
    t0, fb = walk.t[0], noise.bias_fraction
    on = _episodes_on(walk) if episodes else np.zeros(len(walk.t))
    jumps = walk.extra["multipath"] if episodes else []
    cm2 = noise.canyon_m**2
    stillness = _Stillness()
    errs: list[float] = []
    out: list[Fix] = []
    x = None  # state: rows position, bias, canyon bias; columns east, north
    for f in walk.fixes:
        if any(a <= f.timestamp < b for a, b in jumps):
            continue
        k = int(round(f.timestamp - t0))
        acc_gps = f.accuracy_m - on[k] * noise.canyon_accuracy_share * noise.canyon_m
        sig2 = (acc_gps * SIGMA_PER_ACCURACY) ** 2
        z = np.array([(f.lon - lon0) * kx, (f.lat - lat0) * ky])
        if x is None:
            x = np.zeros((3, 2))
            x[0] = z
            p = np.diag([sig2, fb * sig2, cm2])
            last_k, last_f = k, f
            stillness.still(f.speed, 0.0)
            continue
        dt = float(k - last_k)
        if motion == "exact":
            u, q = np.array([tx[k] - tx[last_k], ty[k] - ty[last_k]]), 0.0
        else:
            if stillness.still(f.speed, dt) or last_f.bearing is None:
                u, q = np.zeros(2), (0.05 * dt) ** 2
            else:
                b = math.radians(last_f.bearing)
                u = (last_f.speed or 0.0) * dt * np.array([math.sin(b), math.cos(b)])
                sd = _doppler_noise(f.accuracy_m)
                q = (sd * dt) ** 2 + (0.2 * dt) ** 2 * dt / (dt + 5.0)  # and a turn between fixes
            if dt > 10.0:
                q += (1.5 * dt) ** 2  # a gap: the walker may have stopped or walked on
        last_k, last_f = k, f
        a, c = math.exp(-dt / noise.bias_tau_s), math.exp(-dt / noise.canyon_tau_s)
        fm = np.diag([1.0, a, c])
        x = fm @ x
        x[0] += u
        p = fm @ p @ fm.T + np.diag([q, fb * sig2 * (1.0 - a * a), cm2 * (1.0 - c * c)])
        h = np.array([1.0, 1.0, on[k]])
        s = h @ p @ h + (1.0 - fb) * sig2
        inn = z - h @ x
        if inn @ inn / s > 2.0 * GATE2:
            continue
        gain = p @ h / s
        x = x + np.outer(gain, inn)
        p = p - np.outer(gain, h @ p)
        errs.append(math.hypot(x[0, 0] - tx[k], x[0, 1] - ty[k]))
        acc = max(ACCURACY_PER_SIGMA * math.sqrt(max(p[0, 0], 0.0)), 3.0)
        out.append(Fix(lat0 + x[0, 1] / ky, lon0 + x[0, 0] / kx, round(acc, 1), f.timestamp, f.speed, f.bearing))
    return errs, out


def engine_plane_errors(walk) -> list[float]:
    """Position error of the engine's free-walking filter (rule 9) on every fix."""
    ff, tr, errs = FreeFilter(GeofenceConfig()), None, []
    lat0, lon0 = float(walk.lat[0]), float(walk.lon[0])
    tx, ty, kx, ky = _truth_xy(walk, lat0, lon0)
    for f in walk.fixes:
        k = int(round(f.timestamp - walk.t[0]))
        tr, lat, lon, _acc, _still = ff.step(f, tr)
        errs.append(math.hypot((lon - lon0) * kx - tx[k], (lat - lat0) * ky - ty[k]))
    return errs


def route_filter(walk, path, motion: str) -> list[float]:
    """Signed along-route error (m) of a filter of (arc length, bias east, bias north); ``motion``: "exact",
    "doppler" (Doppler speed, standing still when truly still) or "doppler-smoothed" (still by the smoothed Doppler)."""
    c = route_coords(path)
    line = Polyline(c.lat, c.lon)
    arc, t0, fb = walk.extra["arc_m"], walk.t[0], walk.noise.bias_fraction
    stillness = _Stillness()
    x_state = None
    errs: list[float] = []
    for f in walk.fixes:
        k = int(round(f.timestamp - t0))
        x = (f.lon - line.lon0) * line.kx
        y = (f.lat - line.lat0) * line.ky
        sig2 = max(f.accuracy_m * SIGMA_PER_ACCURACY, 1.0) ** 2
        vb, vw = fb * sig2, (1.0 - fb) * sig2
        if x_state is None:
            z, _d = line.project(x, y, 0.0, 60.0)
            x_state, p = np.array([z, 0.0, 0.0]), np.diag([sig2, vb, vb])
            last_k, last_f = k, f
            stillness.still(f.speed, 0.0)
            continue
        dt = float(k - last_k)
        smoothed_still = stillness.still(f.speed, dt)
        if motion == "exact":
            u, q = arc[k] - arc[last_k], 0.0
        else:
            moving = arc[k] != arc[last_k] if motion == "doppler" else not smoothed_still
            sd = _doppler_noise(f.accuracy_m)
            u, q = ((last_f.speed or 0.0) * dt, sd * sd * dt) if moving else (0.0, (0.05 * dt) ** 2)
            if dt > 10.0:
                q += (1.5 * dt) ** 2
        last_k, last_f = k, f
        a = math.exp(-dt / walk.noise.bias_tau_s)
        f_mat = np.diag([1.0, a, a])
        x_state = f_mat @ x_state
        x_state[0] += u
        p = f_mat @ p @ f_mat.T + np.diag([q, vb * (1.0 - a * a), vb * (1.0 - a * a)])
        s = x_state[0]
        w = 3.0 * math.sqrt(p[0, 0]) + 2.0 * math.sqrt(sig2) + 10.0
        z, d = line.project(x, y, s - w, s + w, s, vw / (p[0, 0] + vb + vw))
        if d <= max(2.5 * f.accuracy_m, 25.0):
            if abs(z - s) <= 5.0:
                z = s  # linearise at the prediction, as RouteFilter does
            px, py, ux, uy = line.frame(z)
            ex, ey = x - px, y - py
            for h, m in ((np.array([1.0, ux, uy]), z + ex * ux + ey * uy), (np.array([0.0, -uy, ux]), -ex * uy + ey * ux)):
                sv = h @ p @ h + vw
                inn = m - h @ x_state
                if inn * inn / sv > GATE2:
                    continue
                gain = p @ h / sv
                x_state = x_state + gain * inn
                p = p - np.outer(gain, h @ p)
        x_state[0] = min(max(x_state[0], 0.0), line.length)
        errs.append(float(x_state[0] - arc[k]))
    return errs


def engine_route_errors(walk, path, fences, trail) -> list[float]:
    """Signed along-route error of the engine's route filter (rule 8) on every fix it is on the route."""
    eng = GeofenceEngine(fences)
    eng.set_route(path)
    eng.set_active(list(trail.stops), next_id=trail.stops[0])
    arc, t0, errs = walk.extra["arc_m"], walk.t[0], []
    for f in walk.fixes:
        eng.update(f)
        tr = eng.state.track
        if tr is not None:
            errs.append(tr.s_m - float(arc[int(round(f.timestamp - t0))]))
    return errs


def position_errors(pack, *, walks: int, sigmas, seed_offset: int) -> dict:
    """{sigma: {filter: [errors]}} over the evaluation's walks (same seeds, trails and noise as eval_geofence)."""
    fences = fences_for(pack)
    paths = {t.id: trail_path(pack, t, along_streets=True)[:2] for t in pack.trails}
    table: dict = {}
    for sigma in sigmas:
        row: dict[str, list[float]] = {}
        for seed in range(walks):
            trail = pack.trails[seed % len(pack.trails)]
            path, stop_vertices = paths[trail.id]
            walk = simulate_walk(
                path, seed=1000 * int(sigma) + seed_offset + seed, stop_vertices=stop_vertices,
                noise=NoiseModel(sigma_m=sigma, **ev.CANYON), start_time=1.8e9, walker=WalkerModel(fix_interval_s=1.0),
            )
            row.setdefault("plane: engine FreeFilter", []).extend(engine_plane_errors(walk))
            row.setdefault("plane: Doppler motion", []).extend(plane_filter(walk, "doppler")[0])
            row.setdefault("plane: exact motion", []).extend(plane_filter(walk, "exact")[0])
            row.setdefault("plane: exact motion, episodes known", []).extend(plane_filter(walk, "exact", episodes=True)[0])
            row.setdefault("route: engine RouteFilter", []).extend(engine_route_errors(walk, path, fences, trail))
            row.setdefault("route: Doppler, still by smoothed Doppler", []).extend(route_filter(walk, path, "doppler-smoothed"))
            row.setdefault("route: Doppler, truly still", []).extend(route_filter(walk, path, "doppler"))
            row.setdefault("route: exact motion", []).extend(route_filter(walk, path, "exact"))
        table[sigma] = row
    return table


def oracle_alerts(pack, *, walks: int, sigmas, seed_offset: int, episodes: bool) -> dict:
    """{mode: {sigma: summary}}: the engine fed with the exact-motion filter's positions (its own free filter off,
    as they are already filtered), on the evaluation's walks (urban canyons on, a fix every second)."""

    def fixes_from(walk):
        return plane_filter(walk, "exact", episodes=episodes)[1]

    out = {}
    for mode, options in ev.MODES.items():
        table, _, _ = ev.evaluate(
            pack, walks=walks, sigmas=sigmas, noise_options=ev.CANYON, seed_offset=seed_offset,
            config=GeofenceConfig(free_filter=False), fixes_from=fixes_from, **options,
        )
        out[mode] = table
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", type=pathlib.Path, default=ROOT / "content" / "monaco")
    ap.add_argument("--walks", type=int, default=12)
    ap.add_argument("--sigma", type=float, action="append")
    ap.add_argument("--seed-offset", type=int, default=100000, help="default: the README's held-out seeds")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pack = ev.load_monaco(args.pack)
    sigmas = tuple(args.sigma or (10.0, 20.0, 30.0))
    errors = position_errors(pack, walks=args.walks, sigmas=sigmas, seed_offset=args.seed_offset)
    print("| filter | " + " | ".join(f"σ={s:g}: median / p90 (m)" for s in sigmas) + " |")
    print("|---|" + "---|" * len(sigmas))
    for name in errors[sigmas[0]]:
        cells = []
        for s in sigmas:
            e = np.abs(errors[s][name])
            cells.append(f"{np.median(e):.1f} / {np.percentile(e, 90):.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("| mode | positions given to the engine | " + " | ".join(f"σ={s:g}: R / P / delay" for s in sigmas) + " |")
    print("|---|---|" + "---|" * len(sigmas))
    for episodes in (False, True):
        alerts = oracle_alerts(pack, walks=args.walks, sigmas=sigmas, seed_offset=args.seed_offset, episodes=episodes)
        for mode, table in alerts.items():
            cells = [f"{t['recall']:.2f} / {t['precision']:.2f} / {t['median_delay_s']:.0f}" for t in table.values()]
            what = "exact motion, episodes known" if episodes else "exact motion"
            print(f"| {mode} | {what} | " + " | ".join(cells) + " |")
    print(f"\n({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

