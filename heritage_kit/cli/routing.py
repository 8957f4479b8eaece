"""``heritage-kit route …`` and ``heritage-kit trail plan …``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from heritage_kit.types import LatLon


SNAP_NOTICE_M = 30.0  # say how far a point is from the network beyond this


def latlon(text: str) -> LatLon:
    try:
        lat_s, lon_s = text.split(",")
        return LatLon(lat=float(lat_s), lon=float(lon_s))
    except Exception:  # noqa: BLE001 - argparse turns this into a clean usage error
        raise argparse.ArgumentTypeError(f"expected LAT,LON in degrees (e.g. 43.7311,7.4197), got {text!r}") from None


def when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date and time such as 2026-11-22T10:00, got {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("route", help="the walking route between two points of a pack's town")
    r.add_argument("pack", help="pack folder or .zip")
    r.add_argument("--from", dest="a", type=latlon, required=True, metavar="LAT,LON")
    r.add_argument("--to", dest="b", type=latlon, required=True, metavar="LAT,LON")
    r.add_argument("--step-free", action="store_true", help="avoid every flight of steps")
    r.add_argument("--fastest", action="store_true", help="fastest rather than shortest (steps are slow)")
    r.add_argument("--geojson", metavar="FILE", help="also write the route as a GeoJSON Feature")
    r.add_argument("--lang", default="en", choices=["en", "fr"])
    r.set_defaults(func=cmd_route)

    t = sub.add_parser("trail", help="time-budget trails")
    tsub = t.add_subparsers(dest="trail_command", metavar="ACTION")
    tsub.required = True
    p = tsub.add_parser("plan", help="the best trail within a time budget, shops open on arrival")
    p.add_argument("pack", help="pack folder or .zip")
    p.add_argument("--start", type=latlon, required=True, metavar="LAT,LON")
    p.add_argument("--end", type=latlon, metavar="LAT,LON", help="finish here (default: at the last stop)")
    p.add_argument("--loop", action="store_true", help="come back to the start")
    p.add_argument("--minutes", type=float, required=True)
    p.add_argument("--at", type=when, required=True, metavar="YYYY-MM-DDTHH:MM", help="start time (pack's local time)")
    p.add_argument("--step-free", action="store_true")
    p.add_argument("--interest", action="append", default=[], metavar="KIND|CATEGORY",
                   help="weight a kind (heritage, commerce) or a category (bakery, church…); repeatable")
    p.add_argument("--must", action="append", default=[], metavar="POI_ID", help="always visit this POI; repeatable")
    p.add_argument("--any-hours", action="store_true", help="do not require shops and museums to be open")
    p.add_argument("--gpx", metavar="FILE", help="write the trail as GPX")
    p.add_argument("--geojson", metavar="FILE", help="write the trail as GeoJSON")
    p.add_argument("--time-limit", type=float, default=1.0, metavar="SECONDS", help="planner time limit")
    p.add_argument("--lang", default="en", choices=["en", "fr"])
    p.set_defaults(func=cmd_trail_plan)

    from heritage_kit.cli.export import register_trail

    register_trail(tsub)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def cmd_route(args) -> int:
    from heritage_kit.packs import load_pack
    from heritage_kit.routing import network_for_pack

    pack = load_pack(args.pack)
    net = network_for_pack(pack)
    route = net.route(args.a, args.b, step_free=args.step_free, metric="time" if args.fastest else "length")
    fr = args.lang == "fr"
    mins = route.duration_s / 60
    if fr:
        line = f"{route.length_m:.0f} m, {mins:.0f} min à pied"
        if route.flights:
            line += f", {route.flights} escalier(s)" + (f" ({route.step_count} marches)" if route.step_count else "")
        elif args.step_free:
            line += ", sans marches"
    else:
        line = f"{route.length_m:.0f} m, {mins:.0f} min walk"
        if route.flights:
            line += f", {route.flights} flight(s) of steps" + (f" ({route.step_count} steps)" if route.step_count else "")
        elif args.step_free:
            line += ", step-free"
    print(line)
    for label_en, label_fr, d in (("start", "départ", route.snap_m[0]), ("end", "arrivée", route.snap_m[1])):
        if d > SNAP_NOTICE_M:
            kind_fr = "sans marches " if args.step_free else ""
            kind_en = "step-free " if args.step_free else ""
            print(f"{label_fr} : à {d:.0f} m du chemin {kind_fr}le plus proche" if fr
                  else f"{label_en}: {d:.0f} m from the nearest {kind_en}way")
    if route.straight_line:
        print(route.note["fr" if fr else "en"])
    if args.geojson:
        _write(args.geojson, json.dumps(route.to_geojson(), ensure_ascii=False))
    return 0


def cmd_trail_plan(args) -> int:
    from heritage_kit.packs import load_pack
    from heritage_kit.routing import plan_trail

    pack = load_pack(args.pack)
    if args.loop and args.end:
        raise SystemExit("heritage-kit: error: give --end or --loop, not both")
    it = plan_trail(
        pack,
        start=args.start,
        end=args.start if args.loop else args.end,
        start_time=args.at,
        minutes=args.minutes,
        interests=args.interest or None,
        step_free=args.step_free,
        must_visit=args.must,
        shops_open_on_arrival=not args.any_hours,
        time_limit_s=args.time_limit,
        lang=args.lang,
    )
    print(it.summary(args.lang))
    if args.gpx:
        _write(args.gpx, it.to_gpx(name=f"{pack.manifest.town_name} — {args.minutes:.0f} min"))
    if args.geojson:
        _write(args.geojson, json.dumps(it.to_geojson(), ensure_ascii=False))
    return 0
