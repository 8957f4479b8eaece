"""``heritage-kit walk simulate`` and ``heritage-kit walk replay``: GPS traces of trails."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone

_KIND = {
    "en": {"enter": "arrived at", "exit": "left", "dwell": "still at"},
    "fr": {"enter": "arrivée à", "exit": "départ de", "dwell": "toujours à"},
}


def register(sub: argparse._SubParsersAction) -> None:
    walk = sub.add_parser("walk", help="simulated GPS walks of a trail (GPX) and their replay through the geofences")
    wsub = walk.add_subparsers(dest="walk_command", metavar="ACTION")
    wsub.required = True

    s = wsub.add_parser(
        "simulate",
        help="write a seeded simulated GPS trace of a trail as GPX",
        description="Walks a pack's trail along its streets (straight legs with --straight), pausing at each stop, "
        "and writes the noisy fixes (and the true track) as GPX. The noise model is documented in "
        "heritage_kit.simulate.",
    )
    s.add_argument("path", help="pack folder or .zip")
    s.add_argument("--trail", required=True, help="trail id")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--sigma", type=float, default=10.0, help="GPS error, metres per axis (default 10)")
    s.add_argument("--straight", action="store_true", help="straight legs between stops, not the streets")
    s.add_argument("--start", help="ISO date-time of the first fix (default 2026-07-01T10:00:00+00:00)")
    s.add_argument("--no-truth", action="store_true", help="leave the true track out of the GPX")
    s.add_argument("-o", "--output", required=True, help="GPX file to write")
    s.set_defaults(func=cmd_simulate)

    r = wsub.add_parser(
        "replay",
        help="feed a GPX trace to the geofencing engine and list the events",
        description="Reads the fixes of a GPX file (heritage-kit's own, or any device's) and prints the "
        "enter / exit / dwell events the engine gives for the pack's POIs (only the trail's stops with --trail).",
    )
    r.add_argument("path", help="pack folder or .zip")
    r.add_argument("gpx", help="GPX file")
    r.add_argument("--trail", help="watch only this trail's stops, the next one first")
    r.add_argument("--lang", default="en", help="fr or en")
    r.add_argument("--speed", type=float, help="walking speed in m/s for a GPX track without times (a drawn route); "
                   "`trail plan --gpx` writes times, so it needs none")
    r.add_argument("--json", action="store_true", help="machine-readable output")
    r.set_defaults(func=cmd_replay)


def cmd_simulate(args: argparse.Namespace) -> int:
    from heritage_kit.gpx import write_gpx
    from heritage_kit.packs import load_pack
    from heritage_kit.simulate import NoiseModel, simulate_trail

    pack = load_pack(args.path)
    start = datetime.fromisoformat(args.start) if args.start else datetime(2026, 7, 1, 10, tzinfo=timezone.utc)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    walk = simulate_trail(
        pack,
        args.trail,
        seed=args.seed,
        noise=NoiseModel(sigma_m=args.sigma),
        along_streets=not args.straight,
        start_time=start.timestamp(),
    )
    truth = None if args.no_truth else [(float(t), walk.true_position(float(t))) for t in walk.t]
    write_gpx(args.output, walk.fixes, truth=truth, name=f"{pack.manifest.town_id}/{args.trail} seed {args.seed}")
    print(
        f"{args.output}: {len(walk.fixes)} fixes over {walk.duration_s / 60:.1f} min, {len(walk.stops)} stops, "
        f"legs along {walk.extra['path']}, σ = {args.sigma:g} m, {len(walk.extra['multipath'])} multipath jumps, "
        f"{len(walk.extra['dropouts'])} dropouts"
    )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from heritage_kit.geofence import GeofenceEngine, fences_for
    from heritage_kit.gpx import read_gpx
    from heritage_kit.packs import load_pack

    pack = load_pack(args.path)
    fixes = read_gpx(args.gpx, speed_mps=args.speed)
    engine = GeofenceEngine(fences_for(pack))
    stops: list[str] = []
    if args.trail:
        stops = list(pack.trail(args.trail).stops)
        engine.set_active(stops, next_id=stops[0])
    lang = "fr" if args.lang.startswith("fr") else "en"
    rows = []
    for fix in fixes:
        for ev in engine.update(fix):
            rows.append(
                {
                    "time": datetime.fromtimestamp(ev.timestamp, tz=timezone.utc).isoformat(),
                    "kind": ev.kind,
                    "id": ev.fence_id,
                    "name": pack.poi(ev.fence_id).name.get(lang),
                    "distance_m": round(ev.distance_m, 1),
                }
            )
            if ev.kind == "enter" and ev.fence_id in stops:
                k = stops.index(ev.fence_id)
                stops = stops[k + 1 :] + stops[:k]
                engine.set_active(list(pack.trail(args.trail).stops), next_id=stops[0] if stops else None)
    if args.json:
        json.dump({"fixes": len(fixes), "events": rows}, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    words = _KIND[lang]
    for row in rows:
        print(f"{row['time']}  {words[row['kind']]:<11} {row['name']} ({row['id']}, {row['distance_m']:g} m)")
    enters = sum(1 for r in rows if r["kind"] == "enter")
    print(
        f"{len(fixes)} fixes, {enters} arrivals" if lang == "en" else f"{len(fixes)} positions, {enters} arrivées"
    )
    return 0
