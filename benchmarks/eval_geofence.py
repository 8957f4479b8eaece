"""Evaluate arrival alerts on seeded simulated walks through the Monaco pack.

    python benchmarks/eval_geofence.py                   # content/monaco, 40 walks per sigma
    python benchmarks/eval_geofence.py --walks 40 --json out.json
    python benchmarks/eval_geofence.py --all-active      # every POI of the pack watched, not only the stops
    python benchmarks/eval_geofence.py --no-route        # plain mode: the engine is not told the route
    python benchmarks/eval_geofence.py --offset 8        # robustness: walker 8 m right of the route
    python benchmarks/eval_geofence.py --skip-stop       # robustness: walker skips each trail's middle stop
    python benchmarks/eval_geofence.py --free            # free walking: every POI, no next stop, no route
    python benchmarks/eval_geofence.py --interval 20     # a fix every 20 s (battery saving); --adaptive: suggest_interval
    python benchmarks/eval_geofence.py --pause 0         # every stop walked past (20, 120: paused exactly that long)
    python benchmarks/eval_geofence.py --canyon          # urban-canyon multipath (CANYON)
    python benchmarks/eval_geofence.py --matrix --walks 12 --seed-offset 100000   # the README's table (held-out seeds)

No recorded GPS trace exists (``../shared/data/gps/`` does not exist), so every walk is simulated.
The truth and the noise are simulated every second; with ``--interval`` the phone keeps one fix every
that many seconds, with ``--adaptive`` the next after ``engine.suggest_interval(fix)`` seconds.

For each sigma (5, 10, 20, 30 m) and each walk (seed), a trail of the pack is chosen
(walks alternate over the pack's trails). The walker starts about 150 m before
the first stop, visits the trail's stops in order along the pack's streets
(shortest routes of ``heritage_kit.routing.WalkingGraph``; straight segments
with ``--straight`` or when the pack has no streets — the output says which),
pausing 30–120 s at each stop and 5–20 s at ~3 random points per km that are
not stops, while the phone reports a fix every second with the noise model of
:mod:`heritage_kit.simulate` (Gaussian error tied to the reported accuracy,
drifting bias, 50–150 m multipath jumps, dropouts, noisy Doppler speed).

The engine holds one fence per POI of the pack (:func:`fences_for`, default
radii) and, like the app in trail mode, watches the trail's stops with the
next unvisited stop as ``next_id`` (``--all-active``: watches every POI).
Like the app in walk mode, it is told the walker's planned path
(``engine.set_route``: the trail's routed legs, from the start) unless
``--no-route``.

Definitions (a fence's *zone* is its enter radius around the POI, or around
the footprint for polygon fences — exactly what the engine tests):

* **true visit** — a maximal interval of the *true* track inside a fence's
  zone. Each stop has its planned visit (the one holding the walker's pause
  there) and possibly others (the street passes by it before or after).
* **recall** — stops of the walks that got an ``enter`` alert between 10 s
  before and 10 s after one of their true visits (the planned one, or passing
  by — the walker was then told while there; the table counts those), over all
  stops of all walks.
* **precision** — ``enter`` alerts that fall (with the same ±10 s) inside some
  true interval of the walker in that fence's zone (a planned visit or a
  pass-by), over all ``enter`` alerts.
* **delay** — alert time minus the start of that true visit (first true entry
  into the zone); negative = the alert came before the walker was truly inside.
* **alerts per visit** — ``enter`` alerts for the stop in a true visit's window
  (mean over the visits that were told; max over every true visit).
* **free walking** (``--free``) — recall counts only the stops the walker stopped at (passing by is no
  visit), and an alert for a ``halt_only`` fence (a shop) is correct only in a true visit during which
  the walker stood still in its zone: passing close is an arrival for a trail stop, not for a shop.
* **fixes per km** — fixes given to the engine over kilometres walked (battery).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time
from types import SimpleNamespace

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from heritage_kit.geofence import GeofenceConfig, GeofenceEngine, fences_for  # noqa: E402
from heritage_kit.simulate import NoiseModel, WalkerModel, simulate_walk, trail_path  # noqa: E402

SIGMAS = (5.0, 10.0, 20.0, 30.0)
WINDOW_S = 10.0


def load_monaco(pack_path: pathlib.Path):
    from heritage_kit.packs import load_pack

    return load_pack(pack_path)


def true_intervals(inside: np.ndarray, t: np.ndarray) -> list[tuple[float, float]]:
    """Maximal [start, end] intervals where ``inside`` is true."""
    out = []
    if not inside.any():
        return out
    edges = np.diff(np.concatenate([[0], inside.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    for s, e in zip(starts, ends):
        out.append((float(t[s]), float(t[e])))
    return out


def run_walk(
    pack,
    trail,
    seed: int,
    sigma: float,
    *,
    path,
    all_active: bool,
    fences,
    config,
    noise_options=None,
    route=None,
    visited=None,
    offset_m: float = 0.0,
    walker_options=None,
    free: bool = False,
    adaptive: bool = False,
    fixes_from=None,
) -> dict:
    """One walk: ``path`` = (the walker's path, its stop vertices); ``visited`` the ids of those stops
    (default: the trail's); ``route``: what the engine is told the walker will walk (None: plain mode).

    ``free``: free walking — every fence watched, no next stop, no route; only the stops the walker
    stopped at are counted for recall, and an alert for a halt-only fence (a shop) is correct only if
    the walker truly stood still in its zone. ``adaptive``: the phone takes the next fix
    ``engine.suggest_interval(fix)`` seconds later (the walk is simulated at 1 s and sub-sampled).
    ``fixes_from(walk)``: the fixes given to the engine instead of the walk's own (``geofence_bounds.py``: the
    positions of a filter that knows more than a phone).
    """
    path, stop_vertices = path
    visited = list(trail.stops) if visited is None else list(visited)
    noise = NoiseModel(sigma_m=sigma, **(noise_options or {}))
    walker_options = dict(walker_options or {})
    interval = float(walker_options.pop("fix_interval_s", 1.0))
    # the truth and the noise at 1 s; the phone keeps a fix every ``interval`` s (or as suggested)
    walker = WalkerModel(fix_interval_s=1.0, **walker_options)
    walk = simulate_walk(
        path, seed=seed, stop_vertices=stop_vertices, noise=noise, start_time=1.8e9, lateral_offset_m=offset_m,
        walker=walker,
    )
    if fixes_from is not None:
        walk.fixes[:] = fixes_from(walk)
    engine = GeofenceEngine(fences, config=config)
    engine.set_route(None if free else route)
    remaining = list(trail.stops)
    if free:
        engine.set_active(None, next_id=None)
    else:
        engine.set_active(None if all_active else remaining, next_id=remaining[0])
    alerts: list[tuple[str, float]] = []
    used = 0
    next_t = -1.0
    t_first = walk.fixes[0].timestamp if walk.fixes else 0.0
    for fix in walk.fixes:
        if adaptive:
            if fix.timestamp < next_t:
                continue
        elif interval > 1.0 and round(fix.timestamp - t_first) % round(interval):
            continue
        used += 1
        events = engine.update(fix)
        if adaptive:
            next_t = fix.timestamp + engine.suggest_interval(fix) - 1e-6
        for ev in events:
            if ev.kind != "enter":
                continue
            alerts.append((ev.fence_id, ev.timestamp))
            if not free and ev.fence_id in remaining:
                # the app: the next stop is the first not yet announced after this one
                k = remaining.index(ev.fence_id)
                remaining = remaining[k + 1 :] + [r for r in remaining[:k]]
                engine.set_active(None if all_active else list(trail.stops), next_id=remaining[0] if remaining else None)

    # truth: where the walker really was, in every watched fence's zone
    fence_ids = {a for a, _ in alerts} | set(trail.stops)  # a skipped stop too: it may be passed by
    zones: dict[str, list[tuple[float, float]]] = {}
    for fid in fence_ids:
        r = engine.fences[engine._index[fid]].radius_m
        d = np.array([engine.distance_m(fid, la, lo) for la, lo in zip(walk.lat, walk.lon)])
        zones[fid] = true_intervals(d <= r, walk.t)

    arc = walk.extra["arc_m"]
    still = np.concatenate([[True], np.diff(arc) == 0.0])  # the walker truly standing still
    halt_only = {f.id for f in fences if f.halt_only}
    visits = []
    for sv in walk.stops:
        if free and sv.passed:
            continue  # free walking: passing by is no visit to be told of
        fid = visited[sv.stop]
        mid = (sv.arrive + sv.leave) / 2
        planned = next(((a, b) for a, b in zones[fid] if a - 1.0 <= mid <= b + 1.0), None)
        if planned is None:  # cannot happen: the walker stands at the POI
            raise RuntimeError(f"walk {seed}: stop {fid} never inside its own zone")
        per_iv = [(iv, [t for f, t in alerts if f == fid and iv[0] - WINDOW_S <= t <= iv[1] + WINDOW_S]) for iv in zones[fid]]
        told = next(((iv, hits) for iv, hits in per_iv if hits), None)
        visits.append(
            {
                "stop": fid,
                "start": planned[0],
                "end": planned[1],
                "detected": told is not None,
                "when": None if told is None else ("at the planned visit" if told[0] == planned else "passing by"),
                "alerts": 0 if told is None else len(told[1]),
                "delay": None if told is None else told[1][0] - told[0][0],
                "max_alerts_in_a_visit": max(len(h) for _, h in per_iv),
                "true_visits": len(per_iv),
                "passed": sv.passed,
            }
        )
    correct = 0
    false_alerts = []
    for fid, t in alerts:
        ivs = zones.get(fid, [])
        if free and fid in halt_only:  # a shop: only a visit where the walker stood still in its zone
            ivs = [(a, b) for a, b in ivs if still[(walk.t >= a) & (walk.t <= b)].any()]
        if any(a - WINDOW_S <= t <= b + WINDOW_S for a, b in ivs):
            correct += 1
        else:
            # how far off in time (negative: before the walker got there) and space
            off = min(((t - a) if t < a else (t - b) for a, b in ivs), key=abs, default=None)
            pos = walk.true_position(t)
            doing = "walking"
            if any(sv.arrive <= t <= sv.leave for sv in walk.stops):
                doing = "at a stop"
            elif any(a <= t <= b for a, b in walk.extra["idles"]):
                doing = "halted elsewhere"
            false_alerts.append(
                {
                    "fence": fid,
                    "t": t,
                    "time_off_s": off,
                    "true_distance_m": round(engine.distance_m(fid, pos.lat, pos.lon), 1),
                    "walker": doing,
                }
            )
    return {
        "seed": seed,
        "trail": trail.id,
        "visits": visits,
        "alerts": len(alerts),
        "correct_alerts": correct,
        "false_alerts": false_alerts,
        "fixes": used,
        "walked_km": float(arc[-1]) / 1000.0,
        "multipath": len(walk.extra["multipath"]),
        "dropouts": len(walk.extra["dropouts"]),
        "duration_s": walk.duration_s,
    }


def summarise(results: list[dict]) -> dict:
    visits = [v for r in results for v in r["visits"]]
    detected = [v for v in visits if v["detected"]]
    delays = sorted(v["delay"] for v in detected)
    n_alerts = sum(r["alerts"] for r in results)
    return {
        "walks": len(results),
        "visits": len(visits),
        "recall": len(detected) / len(visits) if visits else float("nan"),
        "precision": sum(r["correct_alerts"] for r in results) / n_alerts if n_alerts else float("nan"),
        "median_delay_s": statistics.median(delays) if delays else float("nan"),
        "p90_delay_s": float(np.percentile(delays, 90)) if delays else float("nan"),
        "alerts_per_visit_mean": sum(v["alerts"] for v in detected) / len(detected) if detected else float("nan"),
        "alerts_per_visit_max": max((v["max_alerts_in_a_visit"] for v in visits), default=0),
        "told_passing_by": sum(1 for v in detected if v["when"] == "passing by"),
        "alerts": n_alerts,
        "false_alerts": sum(len(r["false_alerts"]) for r in results),
        "multipath_episodes": sum(r["multipath"] for r in results),
        "dropouts": sum(r["dropouts"] for r in results),
        "walked_min": sum(r["duration_s"] for r in results) / 60.0,
        "fixes_per_km": sum(r["fixes"] for r in results) / max(sum(r["walked_km"] for r in results), 1e-9),
    }


def evaluate(
    pack,
    *,
    walks: int = 40,
    sigmas=SIGMAS,
    all_active: bool = False,
    config: GeofenceConfig | None = None,
    fence_options: dict | None = None,
    noise_options: dict | None = None,
    straight: bool = False,
    use_route: bool = True,
    seed_offset: int = 0,
    offset_m: float = 0.0,
    skip_stop: bool = False,
    walker_options: dict | None = None,
    free: bool = False,
    adaptive: bool = False,
    fixes_from=None,
):
    """Summary per sigma, per-walk details, and how the legs were made.

    ``use_route``: the engine is given the trail's routed path (``set_route``).
    Robustness: ``offset_m`` puts the walker that many metres to the right of
    that path; ``skip_stop`` makes the walker skip the trail's middle stop
    (walking the routed leg from the stop before to the stop after, while the
    engine keeps the planned route and the app keeps that stop as next).
    """
    if not pack.trails:
        raise SystemExit("the pack has no trail to walk")
    paths = {}
    walked = {}
    for trail in pack.trails:
        path, stop_vertices, how = trail_path(pack, trail, along_streets=not straight)
        paths[trail.id] = (path, stop_vertices)
        visited = list(trail.stops)
        if skip_stop and len(visited) > 2:
            del visited[len(visited) // 2]
            w_path, w_vertices, _ = trail_path(pack, SimpleNamespace(stops=visited), along_streets=not straight)
            walked[trail.id] = ((w_path, w_vertices), visited)
        else:
            walked[trail.id] = ((path, stop_vertices), visited)
    if straight:
        how = "straight segments (--straight)"
    fences = fences_for(pack, **(fence_options or {}))
    config = config or GeofenceConfig()
    table = {}
    details = {}
    for sigma in sigmas:
        res = []
        for seed in range(walks):
            trail = pack.trails[seed % len(pack.trails)]
            walk_path, visited = walked[trail.id]
            res.append(
                run_walk(
                    pack,
                    trail,
                    1000 * int(sigma) + seed_offset + seed,
                    sigma,
                    path=walk_path,
                    visited=visited,
                    all_active=all_active,
                    fences=fences,
                    config=config,
                    noise_options=noise_options,
                    route=paths[trail.id][0] if use_route else None,
                    offset_m=offset_m,
                    walker_options=walker_options,
                    free=free,
                    adaptive=adaptive,
                    fixes_from=fixes_from,
                )
            )
        table[sigma] = summarise(res)
        details[sigma] = res
    return table, details, how


def markdown(table: dict, how: str, pack, all_active: bool, mode: str = "") -> str:
    lines = [
        f"Pack `{pack.manifest.town_id}` ({len(pack.pois)} POIs, {len(pack.trails)} trails: "
        + ", ".join(f"`{t.id}` {len(t.stops)} stops" for t in pack.trails)
        + f"); legs walked along {how}; watching {'every POI' if all_active else 'the trail stops'}"
        + (f"; {mode}" if mode else "")
        + ".",
        "",
        "| σ (m) | walks | stops | recall | precision | median delay (s) | p90 delay (s) | alerts/visit (mean, max) | told passing by | false alerts | multipath episodes | dropouts |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sigma, s in table.items():
        lines.append(
            f"| {sigma:g} | {s['walks']} | {s['visits']} | {s['recall']:.3f} | {s['precision']:.3f} | "
            f"{s['median_delay_s']:.1f} | {s['p90_delay_s']:.1f} | {s['alerts_per_visit_mean']:.2f}, {s['alerts_per_visit_max']} | {s['told_passing_by']} | "
            f"{s['false_alerts']} | {s['multipath_episodes']} | {s['dropouts']} |"
        )
    return "\n".join(lines)


CANYON = {"canyon_per_min": 0.5, "canyon_m": 20.0, "canyon_s": (20.0, 60.0), "canyon_tau_s": 30.0}
"""Urban-canyon multipath for ``--canyon`` and the matrix: a 20 m (per axis) AR(1) bias for 20–60 s, every ~2 min."""

MODES = {
    "route": {"use_route": True},
    "plain": {"use_route": False},
    "free": {"use_route": False, "free": True},
}
INTERVALS = (1.0, 10.0, 20.0, 30.0, "adaptive")
PAUSES = (0.0, 20.0, 120.0)


def matrix(pack, *, walks: int, sigmas=SIGMAS, seed_offset: int = 0, config=None) -> str:
    """The README's table: each mode x fix interval (default pauses, 30–120 s) and x pause (1 s fixes),
    with urban-canyon multipath on; recall / precision / median delay / max alerts per visit per sigma."""
    head = " | ".join(f"σ={s:g}: R / P / delay / max" for s in sigmas)
    lines = [f"| mode | fixes | pause (s) | {head} | fixes/km (σ=20) |", "|---|---|---|" + "---|" * len(sigmas) + "---|"]
    rows = [(m, iv, None) for m in MODES for iv in INTERVALS] + [(m, 1.0, p) for m in MODES for p in PAUSES]
    for mode, iv, pause in rows:
        walker = {"fix_interval_s": 1.0 if iv == "adaptive" else iv}
        if pause is not None:
            walker["pause_s"] = (pause, pause)
        table, _, _ = evaluate(
            pack, walks=walks, sigmas=sigmas, config=config, noise_options=CANYON, walker_options=walker,
            adaptive=iv == "adaptive", seed_offset=seed_offset, **MODES[mode],
        )
        cells = []
        for sg in sigmas:
            t = table[sg]
            cells.append(
                f"{t['recall']:.2f} / {t['precision']:.2f} / {t['median_delay_s']:.0f} / {t['alerts_per_visit_max']}"
            )
        per_km = table[20.0]["fixes_per_km"] if 20.0 in table else float("nan")
        ivs = "suggest_interval" if iv == "adaptive" else f"{iv:g} s"
        lines.append(f"| {mode} | {ivs} | {'30–120' if pause is None else f'{pause:g}'} | " + " | ".join(cells) + f" | {per_km:.0f} |")
    return "\n".join(lines)


def _assignments(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key.strip()] = json.loads(value) if value.strip() not in ("", "None") else None
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", type=pathlib.Path, default=ROOT / "content" / "monaco")
    ap.add_argument("--walks", type=int, default=40, help="walks per sigma (default 40)")
    ap.add_argument("--sigma", type=float, action="append", help="noise sigma(s) in metres (default 5, 10, 20)")
    ap.add_argument("--all-active", action="store_true", help="watch every POI, not only the trail stops")
    ap.add_argument("--straight", action="store_true", help="walk straight segments between stops, not the streets")
    ap.add_argument("--no-route", action="store_true", help="plain mode: the engine is not given the walker's route")
    ap.add_argument("--offset", type=float, default=0.0, metavar="M", help="walker M metres right of the route (robustness)")
    ap.add_argument("--skip-stop", action="store_true", help="the walker skips each trail's middle stop (robustness)")
    ap.add_argument("--free", action="store_true", help="free walking: every POI watched, no next stop, no route")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between fixes (default 1)")
    ap.add_argument("--adaptive", action="store_true", help="the next fix after engine.suggest_interval(fix) s")
    ap.add_argument("--pause", type=float, default=None, metavar="S", help="every stop paused exactly S s (0: passed by)")
    ap.add_argument("--canyon", action="store_true", help="urban-canyon multipath (CANYON noise options)")
    ap.add_argument("--matrix", action="store_true", help="the README's table: every mode, interval and pause")
    ap.add_argument("--seed-offset", type=int, default=0, help="add this to every seed (fresh walks)")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="a GeofenceConfig field (repeatable)")
    ap.add_argument("--noise", action="append", default=[], metavar="FIELD=VALUE", help="a NoiseModel field (repeatable)")
    ap.add_argument("--json", type=pathlib.Path, help="write the summary and per-walk details here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pack = load_monaco(args.pack)
    config = GeofenceConfig(**_assignments(args.set))
    noise = _assignments(args.noise)
    if args.canyon:
        noise = {**CANYON, **noise}
    if args.matrix:
        print(matrix(pack, walks=args.walks, sigmas=tuple(args.sigma or SIGMAS), seed_offset=args.seed_offset, config=config))
        print(f"\n({time.perf_counter() - t0:.1f} s)")
        return 0
    walker = {"fix_interval_s": args.interval}
    if args.pause is not None:
        walker["pause_s"] = (args.pause, args.pause)
    table, details, how = evaluate(
        pack,
        walks=args.walks,
        sigmas=tuple(args.sigma or SIGMAS),
        all_active=args.all_active,
        straight=args.straight,
        use_route=not args.no_route,
        offset_m=args.offset,
        skip_stop=args.skip_stop,
        seed_offset=args.seed_offset,
        config=config,
        noise_options=noise,
        walker_options=walker,
        free=args.free,
        adaptive=args.adaptive,
    )
    if args.set or args.noise:
        print("config: " + ", ".join(args.set + [f"noise.{n}" for n in args.noise]))
    mode = "plain mode (no route)" if args.no_route else "route mode (the engine follows the trail's routed path)"
    if args.free:
        mode = "free walking (every POI watched, no next stop, no route)"
    if args.offset:
        mode += f"; walker {args.offset:g} m right of the route"
    if args.skip_stop:
        mode += "; the walker skips each trail's middle stop"
    if args.seed_offset:
        mode += f"; seeds + {args.seed_offset}"
    print(markdown(table, how, pack, args.all_active, mode))
    print(f"\n({time.perf_counter() - t0:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps({"summary": {str(k): v for k, v in table.items()}, "walks": {str(k): v for k, v in details.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
