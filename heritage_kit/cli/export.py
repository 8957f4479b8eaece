"""``heritage-kit trail leaflet …``: a trail on paper (PDF)."""

from __future__ import annotations

import argparse
from datetime import date

import os
import tempfile
from pathlib import Path


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date such as 2026-12-12, got {text!r}") from None


def write_bytes_atomically(path: str, data: bytes) -> None:
    """Write beside the target and rename over it: never a half-written PDF."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register_trail(tsub: argparse._SubParsersAction) -> None:
    """Adds ``leaflet`` to the ``trail`` command group (created in :mod:`heritage_kit.cli.routing`)."""
    p = tsub.add_parser("leaflet", help="a printable PDF leaflet of a pack's trail (map, stops, QR codes, shops)")
    p.add_argument("pack", help="pack folder or .zip")
    p.add_argument("trail", help="trail id (see `heritage-kit pack info PACK`)")
    p.add_argument("--lang", default="fr", choices=["fr", "en"])
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--paper", default="A4", type=str.upper, choices=["A4", "A5"])
    p.add_argument("--large-print", action="store_true", help="16 pt body text and larger QR codes")
    p.add_argument("--base-url", default="https://example.org/heritage", metavar="URL",
                   help="where `heritage-kit site build` pages are published (the QR codes point there)")
    p.add_argument("--day", type=day, metavar="YYYY-MM-DD", help="the shops' hours of this day (default: today)")
    p.add_argument("--fonts", metavar="DIR", help="folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf")
    p.set_defaults(func=cmd_trail_leaflet)


def cmd_trail_leaflet(args) -> int:
    from heritage_kit.export.leaflet import find_fonts, render_leaflet
    from heritage_kit.export.leaflet_plan import plan_leaflet
    from heritage_kit.packs import load_pack

    fonts = find_fonts(args.fonts)
    pack = load_pack(args.pack)
    plan = plan_leaflet(pack, args.trail, lang=args.lang, day=args.day, base_url=args.base_url)
    data = render_leaflet(plan, fonts=fonts, paper=args.paper, large_print=args.large_print)
    write_bytes_atomically(args.out, data)
    print(f"{args.out}: {plan.title} — {len(plan.stops)} stops, {len(plan.shops)} shops, {len(data) // 1024} KiB")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("site", help="a pack as a static web site (HTML + CSS, FR and EN, no external request)")
    ssub = s.add_subparsers(dest="site_command", metavar="ACTION")
    ssub.required = True
    b = ssub.add_parser("build", help="one page per trail and per POI, an index per language")
    b.add_argument("pack", help="pack folder or .zip")
    b.add_argument("--out", required=True, metavar="DIR")
    b.add_argument("--base-url", default="https://example.org/heritage", metavar="URL",
                   help="where the site will be published (JSON-LD ids; the leaflet's QR codes use the same)")
    b.add_argument("--week-of", type=day, metavar="YYYY-MM-DD", help="the week whose hours the pages show")
    b.set_defaults(func=cmd_site_build)


def cmd_site_build(args) -> int:
    from heritage_kit.export.site import build_site
    from heritage_kit.packs import load_pack

    pack = load_pack(args.pack)
    files = build_site(pack, base_url=args.base_url, week_of=args.week_of)
    out = Path(args.out)
    for rel, data in files.items():
        write_bytes_atomically(str(out / rel), data)
    pages = sum(1 for rel in files if rel.endswith(".html"))
    print(f"{out}: {pages} pages for {pack.manifest.town_name} ({sum(map(len, files.values())) // 1024} KiB)")
    return 0


def register_pack_audio(psub: argparse._SubParsersAction) -> None:
    """Adds ``audio`` to the ``pack`` command group (created in :mod:`heritage_kit.cli.pack`)."""
    a = psub.add_parser("audio", help="read every heritage POI's text aloud into the pack (espeak-ng), "
                                      "or add a guide's recording (--record)")
    a.add_argument("pack", help="pack folder or .zip (rewritten in place, atomically)")
    a.add_argument("--lang", action="append", choices=["fr", "en"], help="default: fr and en")
    a.add_argument("--refresh", action="store_true", help="re-synthesise files whose text has changed")
    a.add_argument("--record", nargs=3, metavar=("POI_ID", "LANG", "FILE"),
                   help="add a recorded OGG/MP3 for one POI and language (wins over synthesis)")
    a.add_argument("--author", help="the recording's speaker (with --record)")
    a.add_argument("--licence", help="the recording's licence, e.g. CC-BY-4.0 (with --record)")
    a.set_defaults(func=cmd_pack_audio)


def cmd_pack_audio(args) -> int:
    from heritage_kit.export.audio import add_audio, add_recording
    from heritage_kit.export.espeak import EspeakSynthesiser
    from heritage_kit.packs import load_pack, save_pack

    pack = load_pack(args.pack)
    if args.record:
        if not (args.author and args.licence):
            raise SystemExit("heritage-kit: error: --record needs --author and --licence")
        poi_id, lang, file = args.record
        pack = add_recording(pack, poi_id, lang, Path(file).read_bytes(), author=args.author, licence=args.licence,
                             source_name=file)
        print(f"{args.pack}: recording {file} added to {poi_id} ({lang})")
    else:
        pack, report = add_audio(pack, EspeakSynthesiser(), langs=tuple(args.lang or ("fr", "en")),
                                 refresh=args.refresh)
        print(f"{args.pack}: {len(report.added)} audio files synthesised, {len(report.already)} up to date, "
              f"{len(report.kept_recorded)} recordings kept, {report.no_text} texts missing")
    save_pack(pack, args.pack)
    return 0
