"""Evaluate arrival alerts on seeded simulated walks through the Monaco pack.

    python benchmarks/eval_geofence.py                   # content/monaco, 24 walks per sigma
    python benchmarks/eval_geofence.py --walks 40 --json out.json
    python benchmarks/eval_geofence.py --all-active      # every POI of the pack watched, not only the stops

For each sigma (5, 10, 20 m) and each walk (seed), a trail of the pack is chosen
(walks alternate over the pack's trails). The walker starts 150 m before the
first stop, visits the trail's stops in order along the routing graph's
streets when ``heritage_kit.routing.WalkingGraph`` and the pack's streets
exist (straight segments otherwise — the output says which), pausing 30–120 s
at each, while the phone reports a fix every second with the noise model of
:mod:`heritage_kit.simulate` (Gaussian error tied to the reported accuracy,
drifting bias, 50–150 m multipath jumps, dropouts).

The engine holds one fence per POI of the pack (:func:`fences_for`, default
radii) and, like the app in trail mode, watches the trail's stops with the
next unvisited stop as ``next_id`` (``--all-active``: watches every POI).

Definitions (a fence's *zone* is its enter radius around the POI, or around
the footprint for polygon fences — exactly what the engine tests):

* **visit** — a planned stop: the maximal interval of the *true* track inside
  the stop's zone that contains the walker's pause at the stop.
* **recall** — visits with at least one ``enter`` alert for that stop between
  10 s before the visit starts and 10 s after it ends, over all visits.
* **precision** — ``enter`` alerts that fall (with the same ±10 s) inside some
  true interval of the walker in that fence's zone (a planned visit or a
  pass-by), over all ``enter`` alerts.
* **delay** — alert time minus the visit's start (first true entry into the
  zone), for detected visits; negative = the alert came before the walker was
  truly inside.
* **alerts per visit** — ``enter`` alerts for the stop in the visit's window.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import statistics
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from heritage_kit.geo import LocalProjection  # noqa: E402
from heritage_kit.geofence import GeofenceConfig, GeofenceEngine, fences_for  # noqa: E402
from heritage_kit.simulate import NoiseModel, path_through, simulate_walk  # noqa: E402
from heritage_kit.types import LatLon  # noqa: E402

SIGMAS = (5.0, 10.0, 20.0)
WINDOW_S = 10.0
APPROACH_M = 150.0


def load_monaco(pack_path: pathlib.Path):
    from heritage_kit.packs import load_pack

    return load_pack(pack_path)


def leg_router(pack):
    """A function (a, b) -> list[LatLon] along streets, or None (straight segments)."""
    try:
        from heritage_kit.routing import WalkingGraph  # type: ignore
    except ImportError:
        return None, "straight segments (heritage_kit.routing not available)"
    try:
        graph = WalkingGraph.from_pack(pack) if hasattr(WalkingGraph, "from_pack") else WalkingGraph(pack.streets)
    except Exception as exc:  # noqa: BLE001 - report and fall back
        return None, f"straight segments (no walking graph: {type(exc).__name__}: {exc})"

    def route(a: LatLon, b: LatLon):
        try:
            return list(graph.route(a, b).geometry)
        except Exception:  # noqa: BLE001 - an unroutable leg is walked straight
            return [a, b]

    return route, "streets (heritage_kit.routing.WalkingGraph)"


def approach_point(stops: list[LatLon]) -> LatLon:
    """A start APPROACH_M before the first stop, away from the second."""
    p = LocalProjection(stops[0].lat, stops[0].lon)
    if len(stops) > 1:
        x, y = p.to_xy(stops[1].lat, stops[1].lon)
        n = math.hypot(x, y) or 1.0
        dx, dy = -x / n, -y / n
    else:
        dx, dy = 0.0, -1.0
    lat, lon = p.to_latlon(dx * APPROACH_M, dy * APPROACH_M)
    return LatLon(lat=lat, lon=lon)


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


def run_walk(pack, trail, seed: int, sigma: float, *, router, all_active: bool, fences, config) -> dict:
    stops = [pack.poi(s).location for s in trail.stops]
    start = approach_point(stops)
    waypoints = [start, *stops]
    legs = None
    if router is not None:
        legs = [router(a, b) for a, b in zip(waypoints, waypoints[1:])]
    path, idx = path_through(waypoints, legs)
    walk = simulate_walk(path, seed=seed, stop_vertices=idx[1:], noise=NoiseModel(sigma_m=sigma), start_time=1.8e9)
    engine = GeofenceEngine(fences, config=config)
    remaining = list(trail.stops)
    engine.set_active(None if all_active else remaining, next_id=remaining[0])
    alerts: list[tuple[str, float]] = []
    for fix in walk.fixes:
        for ev in engine.update(fix):
            if ev.kind != "enter":
                continue
            alerts.append((ev.fence_id, ev.timestamp))
            if ev.fence_id in remaining:
                # the app: the next stop is the first not yet announced after this one
                k = remaining.index(ev.fence_id)
                remaining = remaining[k + 1 :] + [r for r in remaining[:k]]
                engine.set_active(None if all_active else list(trail.stops), next_id=remaining[0] if remaining else None)

    # truth: where the walker really was, in every watched fence's zone
    fence_ids = {a for a, _ in alerts} | set(trail.stops)
    zones: dict[str, list[tuple[float, float]]] = {}
    for fid in fence_ids:
        r = engine.fences[engine._index[fid]].radius_m
        d = np.array([engine.distance_m(fid, la, lo) for la, lo in zip(walk.lat, walk.lon)])
        zones[fid] = true_intervals(d <= r, walk.t)

    visits = []
    for sv in walk.stops:
        fid = trail.stops[sv.stop]
        mid = (sv.arrive + sv.leave) / 2
        iv = next(((a, b) for a, b in zones[fid] if a <= mid <= b), None)
        if iv is None:  # cannot happen: the walker stands at the POI
            raise RuntimeError(f"walk {seed}: stop {fid} never inside its own zone")
        hits = [t for f, t in alerts if f == fid and iv[0] - WINDOW_S <= t <= iv[1] + WINDOW_S]
        visits.append({"stop": fid, "start": iv[0], "end": iv[1], "alerts": len(hits), "delay": (hits[0] - iv[0]) if hits else None})
    correct = 0
    false_alerts = []
    for fid, t in alerts:
        if any(a - WINDOW_S <= t <= b + WINDOW_S for a, b in zones.get(fid, [])):
            correct += 1
        else:
            false_alerts.append(fid)
    return {
        "seed": seed,
        "trail": trail.id,
        "visits": visits,
        "alerts": len(alerts),
        "correct_alerts": correct,
        "false_alerts": false_alerts,
        "fixes": len(walk.fixes),
        "multipath": len(walk.extra["multipath"]),
        "dropouts": len(walk.extra["dropouts"]),
        "duration_s": walk.duration_s,
    }


def summarise(results: list[dict]) -> dict:
    visits = [v for r in results for v in r["visits"]]
    detected = [v for v in visits if v["alerts"] > 0]
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
        "alerts_per_visit_max": max((v["alerts"] for v in visits), default=0),
        "alerts": n_alerts,
        "false_alerts": sum(len(r["false_alerts"]) for r in results),
        "multipath_episodes": sum(r["multipath"] for r in results),
        "dropouts": sum(r["dropouts"] for r in results),
        "walked_min": sum(r["duration_s"] for r in results) / 60.0,
    }


def evaluate(pack, *, walks: int = 24, sigmas=SIGMAS, all_active: bool = False, config: GeofenceConfig | None = None):
    if not pack.trails:
        raise SystemExit("the pack has no trail to walk")
    router, how = leg_router(pack)
    fences = fences_for(pack)
    config = config or GeofenceConfig()
    table = {}
    details = {}
    for sigma in sigmas:
        res = []
        for seed in range(walks):
            trail = pack.trails[seed % len(pack.trails)]
            res.append(
                run_walk(pack, trail, 1000 * int(sigma) + seed, sigma, router=router, all_active=all_active, fences=fences, config=config)
            )
        table[sigma] = summarise(res)
        details[sigma] = res
    return table, details, how


def markdown(table: dict, how: str, pack, all_active: bool) -> str:
    lines = [
        f"Pack `{pack.manifest.town_id}` ({len(pack.pois)} POIs, {len(pack.trails)} trails: "
        + ", ".join(f"`{t.id}` {len(t.stops)} stops" for t in pack.trails)
        + f"); legs walked along {how}; watching {'every POI' if all_active else 'the trail stops'}.",
        "",
        "| σ (m) | walks | visits | recall | precision | median delay (s) | p90 delay (s) | alerts/visit (mean, max) | false alerts | multipath episodes | dropouts |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sigma, s in table.items():
        lines.append(
            f"| {sigma:g} | {s['walks']} | {s['visits']} | {s['recall']:.3f} | {s['precision']:.3f} | "
            f"{s['median_delay_s']:.1f} | {s['p90_delay_s']:.1f} | {s['alerts_per_visit_mean']:.2f}, {s['alerts_per_visit_max']} | "
            f"{s['false_alerts']} | {s['multipath_episodes']} | {s['dropouts']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", type=pathlib.Path, default=ROOT / "content" / "monaco")
    ap.add_argument("--walks", type=int, default=24, help="walks per sigma (default 24)")
    ap.add_argument("--sigma", type=float, action="append", help="noise sigma(s) in metres (default 5, 10, 20)")
    ap.add_argument("--all-active", action="store_true", help="watch every POI, not only the trail stops")
    ap.add_argument("--json", type=pathlib.Path, help="write the summary and per-walk details here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pack = load_monaco(args.pack)
    table, details, how = evaluate(pack, walks=args.walks, sigmas=tuple(args.sigma or SIGMAS), all_active=args.all_active)
    print(markdown(table, how, pack, args.all_active))
    print(f"\n({time.perf_counter() - t0:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps({"summary": {str(k): v for k, v in table.items()}, "walks": {str(k): v for k, v in details.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
