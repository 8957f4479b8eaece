"""``heritage-kit import osm|merimee FILE …``: read open data into POIs (GeoJSON out)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from heritage_kit.errors import SourceDataError


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import open data: osm, merimee")
    isub = imp.add_subparsers(dest="import_command", metavar="SOURCE")
    isub.required = True

    o = isub.add_parser("osm", help="OpenStreetMap: .osm, .osm.gz, .osm.bz2, .osm.pbf, Overpass .json")
    o.add_argument("files", nargs="+", metavar="FILE")
    _common(o)
    o.add_argument("--lang", default="fr", help="language of the plain 'name' tag (default fr)")
    o.add_argument("--all", action="store_true", help="keep unnamed POIs too (named after their category)")
    o.add_argument("--progress", action="store_true", help="progress bar")
    o.set_defaults(func=cmd_osm)

    m = isub.add_parser("merimee", help="base Mérimée GeoJSON (.geojson, .geojson.gz)")
    m.add_argument("files", nargs="+", metavar="FILE")
    _common(m)
    m.add_argument("--lenient", action="store_true", help="report bad records and keep the rest (default: stop)")
    m.add_argument("--progress", action="store_true", help="progress bar")
    m.set_defaults(func=cmd_merimee)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bbox", help="keep only what lies in S,W,N,E (degrees)")
    p.add_argument("--clip", help="keep only what lies in this GeoJSON Polygon/MultiPolygon file")
    p.add_argument("--out", help="write the POIs as a GeoJSON FeatureCollection here (default: a summary only)")


def _clip(args):
    if not args.clip:
        return None
    try:
        doc = json.loads(Path(args.clip).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceDataError(f"{args.clip}: cannot read the clip polygon: {exc}") from None
    if doc.get("type") == "FeatureCollection" and doc.get("features"):
        doc = doc["features"][0]
    if doc.get("type") == "Feature":
        doc = doc.get("geometry") or {}
    return doc


def _bbox(args):
    from heritage_kit.importers.clip import parse_bbox

    try:
        return parse_bbox(args.bbox)
    except ValueError as exc:
        raise SourceDataError(f"--bbox: {exc}") from None


def _finish(args, pois, reports) -> int:
    from heritage_kit.packs.geojson import pois_to_feature_collection

    for r in reports:
        print(r, file=sys.stderr)
    kinds = Counter(p.kind for p in pois)
    print(f"{len(pois)} POIs: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())), file=sys.stderr)
    if args.out:
        Path(args.out).write_text(
            json.dumps(pois_to_feature_collection(pois), ensure_ascii=False, allow_nan=False), encoding="utf-8"
        )
        print(f"wrote {args.out}", file=sys.stderr)
    errors = sum(1 for r in reports for p in r.problems if p.severity == "error")
    return 1 if errors else 0


def cmd_osm(args) -> int:
    from heritage_kit.importers.osm import import_osm

    try:
        bbox, clip = _bbox(args), _clip(args)
        results = [import_osm(f, bbox=bbox, clip=clip, lang=args.lang, require_name=not args.all,
                              progress=args.progress) for f in args.files]
    except ValueError as exc:  # bad clip polygon
        raise SourceDataError(str(exc)) from None
    pois, seen = [], set()
    for r in results:
        for p in r.pois:
            if p.id not in seen:
                seen.add(p.id)
                pois.append(p)
    return _finish(args, pois, [r.report for r in results])


def cmd_merimee(args) -> int:
    from heritage_kit.importers.merimee import import_merimee

    try:
        bbox, clip = _bbox(args), _clip(args)
        results = [import_merimee(f, bbox=bbox, clip=clip, strict=not args.lenient, progress=args.progress)
                   for f in args.files]
    except ValueError as exc:
        if isinstance(exc, SourceDataError):
            raise
        raise SourceDataError(str(exc)) from None
    pois, seen = [], set()
    for r in results:
        for p in r.pois:
            if p.id not in seen:
                seen.add(p.id)
                pois.append(p)
    return _finish(args, pois, [r.report for r in results])
