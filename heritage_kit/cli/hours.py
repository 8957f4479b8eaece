"""``heritage-kit hours check PACK`` and ``heritage-kit hours explain VALUE``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from heritage_kit.errors import HoursError


def register(sub: argparse._SubParsersAction) -> None:
    hours = sub.add_parser("hours", help="opening hours: check a pack's values, explain one value")
    hsub = hours.add_subparsers(dest="hours_command", metavar="ACTION")
    hsub.required = True

    c = hsub.add_parser(
        "check",
        help="list every opening_hours value of a pack that was repaired or cannot be read",
        description="Reads every POI's opening_hours with the lenient normaliser and lists each value it "
        "repaired (with what it changed) or could not read (evaluated as 'unknown', never guessed open).",
    )
    c.add_argument("path", help="pack folder or .zip")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--strict", action="store_true", help="exit 1 when any value was repaired or is unreadable")
    c.set_defaults(func=cmd_check)

    s = hsub.add_parser(
        "scan",
        help="list suspicious readings of a pack's (or a JSON file's) opening_hours values",
        description="Lists each value whose reading a mapper would not agree with: weekday lists, comment-only "
        "or time-less rules rewritten as flagged guesses (shown 'hours uncertain', never 'open'), days read as open "
        "all day or open stretches past midnight that the text does not say, unreadable values.",
    )
    s.add_argument("path", help="pack folder or .zip, or a .json/.geojson file holding opening_hours values")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.add_argument("--strict", action="store_true", help="exit 1 when anything suspicious is found")
    s.set_defaults(func=cmd_scan)

    e = hsub.add_parser("explain", help="how one opening_hours value is read, and its state at a time")
    e.add_argument("value", help="an opening_hours value, e.g. 'Mo-Sa 09:00-12:30 / 14:00-19:30'")
    e.add_argument("--at", help="ISO date-time (local to --timezone); default now")
    e.add_argument("--country", default="FR", help="country for public holidays (default FR)")
    e.add_argument("--timezone", default="Europe/Paris", help="IANA timezone (default Europe/Paris)")
    e.add_argument("--lang", default="en", help="fr or en")
    e.set_defaults(func=cmd_explain)


def check_pack(pack) -> list[dict]:
    """One entry per POI whose opening_hours was repaired or is unreadable."""
    from heritage_kit.hours import hours_for

    m = pack.manifest
    out = []
    for poi in pack.pois:
        if poi.opening_hours is None:
            continue
        oh = hours_for(poi.opening_hours, country=m.country, timezone=m.timezone)
        if oh.readable and not oh.changes:
            continue
        out.append(
            {
                "id": poi.id,
                "name": poi.name.get(),
                "value": poi.opening_hours,
                "status": "repaired" if oh.readable else "unreadable",
                "read_as": oh.value,
                "changes": list(oh.changes),
                "error": oh.error,
            }
        )
    return out


def cmd_check(args) -> int:
    from heritage_kit.packs import load_pack

    pack = load_pack(args.path)
    problems = check_pack(pack)
    total = sum(1 for p in pack.pois if p.opening_hours is not None)
    repaired = sum(1 for p in problems if p["status"] == "repaired")
    unreadable = len(problems) - repaired
    if args.json:
        json.dump(
            {"pack": pack.manifest.town_id, "values": total, "repaired": repaired, "unreadable": unreadable,
             "problems": problems},
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
    else:
        for p in problems:
            if p["status"] == "repaired":
                print(f"repaired   {p['id']} ({p['name']}): {p['value']!r} -> {p['read_as']!r}")
                for change in p["changes"]:
                    print(f"             - {change}")
            else:
                print(f"unreadable {p['id']} ({p['name']}): {p['value']!r}: {p['error']} (shown as 'unknown')")
        print(
            f"{pack.manifest.town_id}: {total} opening_hours values, {total - len(problems)} valid, "
            f"{repaired} repaired, {unreadable} unreadable"
        )
    return 1 if args.strict and problems else 0


def _scan_source(path: str) -> tuple[str, set[str], str, str]:
    """(name, values, country, timezone) of a pack or of a JSON file with opening_hours values."""
    import pathlib

    from heritage_kit.errors import PackError
    from heritage_kit.hours_scan import values_in

    p = pathlib.Path(path)
    if p.is_file() and p.suffix.lower() in (".json", ".geojson"):
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PackError(f"{p}: not a JSON file ({exc})") from None
        return p.name, values_in(doc), "FR", "Europe/Paris"
    from heritage_kit.packs import load_pack

    pack = load_pack(path)
    m = pack.manifest
    return m.town_id, {poi.opening_hours for poi in pack.pois if poi.opening_hours}, m.country, m.timezone


def cmd_scan(args) -> int:
    from dataclasses import asdict

    from heritage_kit.hours_scan import KINDS, scan_values

    name, values, country, tz = _scan_source(args.path)
    found = scan_values(values, country=country, timezone=tz)
    counts = {kind: sum(1 for f in found if f.kind == kind) for kind in KINDS}
    if args.json:
        json.dump({"source": name, "values": len(values), "suspicious": len({f.value for f in found}),
                   "counts": counts, "findings": [asdict(f) for f in found]}, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for f in found:
            print(f"{f.kind:<21} {f.value!r} -> {f.read_as!r}: {f.detail}")
        listed = ", ".join(f"{k} {n}" for k, n in counts.items() if n) or "nothing suspicious"
        print(f"{name}: {len(values)} distinct opening_hours values, {len({f.value for f in found})} suspicious ({listed})")
    return 1 if args.strict and found else 0


def cmd_explain(args) -> int:
    from heritage_kit.hours import OpeningHours

    oh = OpeningHours(args.value, country=args.country, timezone=args.timezone)
    if args.at:
        try:
            at = datetime.fromisoformat(args.at)
        except ValueError:
            raise HoursError(f"--at: not an ISO date-time: {args.at!r}") from None
    else:
        at = datetime.now(oh.timezone)
    if not oh.readable:
        print(f"unreadable: {oh.error}")
    elif oh.changes:
        print(f"read as: {oh.value}" + (" (a flagged guess: apps show 'hours uncertain', never 'open')"
                                        if oh.repair.uncertain else ""))
        for change in oh.changes:
            print(f"  - {change}")
    else:
        print(f"valid: {oh.value}")
    print(f"{oh.state(at).value} at {oh.localize(at):%Y-%m-%d %H:%M %Z}: {oh.describe(at, args.lang)}")
    return 0
