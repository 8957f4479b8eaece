"""``heritage-kit pack validate|info|build|schema``."""

from __future__ import annotations

import argparse
from collections import Counter

from heritage_kit.categories import category_label


def register(sub: argparse._SubParsersAction) -> None:
    pack = sub.add_parser("pack", help="content packs: validate, info, build, rehash, schema, publish, audio")
    psub = pack.add_subparsers(dest="pack_command", metavar="ACTION")
    psub.required = True

    v = psub.add_parser("validate", help="check a pack; exit 0 when valid, 1 with the report")
    v.add_argument("path", help="pack folder or .zip")
    v.add_argument("--public-key", default=None, help="the town's public key (hex, or a file holding it): "
                   "the pack must be signed by it")
    v.set_defaults(func=cmd_validate)

    kg = psub.add_parser("keygen", help="make an Ed25519 key pair for signing a town's packs")
    kg.add_argument("--out", required=True, help="private key file to write (the public key goes to FILE.pub)")
    kg.set_defaults(func=cmd_keygen)

    sg = psub.add_parser("sign", help="sign a pack folder's manifest (writes manifest.sig)")
    sg.add_argument("path", help="pack folder")
    sg.add_argument("--key", required=True, help="private key file (from pack keygen)")
    sg.set_defaults(func=cmd_sign)

    i = psub.add_parser("info", help="counts by kind and category, bbox, languages, attribution")
    i.add_argument("path", help="pack folder or .zip")
    i.add_argument("--lang", default="en", help="language of category labels (fr or en)")
    i.set_defaults(func=cmd_info)

    b = psub.add_parser(
        "build",
        help="build a pack from a declarative config (content/<town>/build.json)",
        description="Build a content pack from content/<town>/build.json: import the sources, merge Mérimée and "
        "OSM records, check the curated trails, write the pack atomically and validate it.",
    )
    b.add_argument("--config", required=True, help="build config (JSON), e.g. content/monaco/build.json")
    b.add_argument("--out", required=True, help="pack folder, or a .zip file")
    b.add_argument("--root", default=None, help="folder that relative source paths start from (default: the "
                   "recipe's folder, then its parents; never the current folder)")
    b.add_argument("--progress", action="store_true", help="show a progress bar on long imports")
    b.set_defaults(func=cmd_build)

    r = psub.add_parser(
        "rehash",
        help="after a hand edit of a pack's files: validate, then recompute the manifest's checksums",
        description="Reads every file of the pack, lists new and deleted files, recomputes SHA-256 and sizes, "
        "validates the pack as 'pack validate' does and only then writes the new manifest.json (atomically). "
        "An invalid edit changes nothing: the report says what to fix.",
    )
    r.add_argument("path", help="pack folder or .zip")
    r.add_argument("--bump", action="store_true", help="also add one to the manifest's version")
    r.set_defaults(func=cmd_rehash)

    s = psub.add_parser("schema", help="write the JSON Schema of each pack file (default: docs/schema/)")
    s.add_argument("--out", default="docs/schema", help="folder for the schema files")
    s.add_argument("--check", action="store_true", help="exit 1 when the files there are stale, write nothing")
    s.set_defaults(func=cmd_schema)

    pub = psub.add_parser("publish", help="copy a pack as a content-addressed zip into a publish folder "
                          "and update its index.json")
    pub.add_argument("path", help="pack folder or .zip")
    pub.add_argument("--to", required=True, help="publish folder (served as static files)")
    pub.add_argument("--min-app-version", default=None,
                     help="oldest app version that reads this pack (default, and at least: the pack's reader_min_version)")
    pub.add_argument("--key", default=None, help="the town's private key file (pack keygen): sign the zip")
    pub.add_argument("--no-delta", action="store_true", help="do not publish a patch from the previous version")
    pub.set_defaults(func=cmd_publish)

    from heritage_kit.cli.export import register_pack_audio

    register_pack_audio(psub)


def _key_text(value: str) -> str:
    import os

    if os.path.isfile(value):
        with open(value, encoding="ascii") as fh:
            return fh.read().strip()
    return value.strip()


def cmd_keygen(args) -> int:
    import os

    from heritage_kit.packs.signing import generate_keypair

    private, public = generate_keypair()
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(private + "\n")
    with open(args.out + ".pub", "w", encoding="ascii") as fh:
        fh.write(public + "\n")
    print(f"private key: {args.out} (keep it secret)\npublic key:  {args.out}.pub  {public}")
    return 0


def cmd_sign(args) -> int:
    from heritage_kit.packs.signing import sign_pack

    print(f"signed: {sign_pack(args.path, _key_text(args.key))}")
    return 0


def cmd_validate(args) -> int:
    from heritage_kit.packs import validate_pack

    report = validate_pack(args.path, public_key=_key_text(args.public_key) if args.public_key else None)
    print(report)
    return 0 if report.ok else 1


def cmd_build(args) -> int:
    from heritage_kit.packs import save_pack, validate_pack
    from heritage_kit.packs.build import build_pack

    result = build_pack(args.config, root=args.root, progress=args.progress)
    save_pack(result.pack, args.out)
    print(result.summary())
    report = validate_pack(args.out)
    if not report.ok:
        print(report)
        return 1
    print(f"wrote {args.out} ({len(report.warnings)} warning(s))")
    return 0


def cmd_rehash(args) -> int:
    from heritage_kit.packs.rehash import rehash_pack

    result = rehash_pack(args.path, bump=args.bump)
    if not result.report.ok:
        print(result.report)
        print(f"{args.path}: not rehashed (nothing written): fix the problems above, then run again")
        return 1
    if not result.written:
        print(f"{args.path}: checksums already up to date")
        return 0
    for label, names in (("changed", result.changed), ("added", result.added), ("removed", result.removed)):
        for name in names:
            print(f"{label:<8} {name}")
    print(f"{args.path}: rehashed and valid ({len(result.report.warnings)} warning(s))")
    return 0


def cmd_publish(args) -> int:
    from heritage_kit.packs.publish import publish_pack

    result = publish_pack(args.path, args.to, min_app_version=args.min_app_version,
                          sign_key=_key_text(args.key) if args.key else None, deltas_enabled=not args.no_delta)
    e = result.entry
    print(f"{'already published' if result.reused else 'published'} {result.path} "
          f"({e.town_id} v{e.version}, {e.size} bytes, sha256 {e.sha256[:12]}); index: {args.to}/index.json")
    for d in e.deltas:
        print(f"delta from v{d.from_version}: {d.file} ({d.size} bytes, {100 * d.size / e.size:.1f} % of the zip)")
    return 0


def cmd_schema(args) -> int:
    from heritage_kit.packs.schema import check_schemas, write_schemas

    if args.check:
        stale = check_schemas(args.out)
        if stale:
            print("stale or missing schema files (run `heritage-kit pack schema`): " + ", ".join(stale))
            return 1
        print(f"{args.out}: schemas up to date")
        return 0
    for path in write_schemas(args.out):
        print(f"wrote {path}")
    return 0


def cmd_info(args) -> int:
    from heritage_kit.packs import load_pack

    pack = load_pack(args.path)
    print(format_info(pack, lang=args.lang))
    return 0


def _basemap_line(pack) -> str:
    doc = getattr(pack, "basemap", None)
    if not doc:
        return "basemap: no (no map layers: streets and POIs only)"
    from heritage_kit.basemap import layer_counts

    counts = layer_counts(doc)
    return f"basemap: {len(doc['features'])} features (" + ", ".join(f"{k} {v}" for k, v in counts.items()) + ")"


def format_info(pack, lang: str = "en") -> str:
    from heritage_kit.packs.coverage import pack_coverage

    m = pack.manifest
    kinds = Counter(p.kind for p in pack.pois)
    cats = Counter(c for p in pack.pois for c in p.categories)
    lines = [
        f"{m.town_name} ({m.town_id}) — pack v{m.version}, format {m.format_version}, created {m.created:%Y-%m-%d}",
        f"centre {m.centre.lat:.5f}, {m.centre.lon:.5f}; bbox S {m.bbox.south:.5f} W {m.bbox.west:.5f} "
        f"N {m.bbox.north:.5f} E {m.bbox.east:.5f}; timezone {m.timezone}",
        f"languages: {', '.join(m.languages)}",
        f"POIs: {len(pack.pois)} (" + ", ".join(f"{k} {kinds[k]}" for k in ("heritage", "commerce", "service") if kinds[k]) + ")",
        "categories: " + ", ".join(f"{category_label(c, lang)} {n}" for c, n in cats.most_common()),
        f"trails: {len(pack.trails)}" + "".join(f"\n  - {t.id}: {t.title.get(lang)} ({len(t.stops)} stops"
                                           + (f", {t.length_m / 1000:.1f} km" if t.length_m else "")
                                           + (f", {t.duration_min:.0f} min" if t.duration_min else "") + ")"
                                           for t in pack.trails),
        f"streets: {'yes, ' + str(len(pack.streets.get('features', []))) + ' ways' if pack.streets else 'no (straight-line routing)'}",
        _basemap_line(pack),
        f"media files: {len(pack.media)}",
        "coverage (POIs with a text, a photo, opening hours):",
        *pack_coverage(pack).lines(),
    ]
    if getattr(pack, "build", None):
        raw = pack.build.get("sources")
        srcs = [str(s.get("path", "?")) for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []
        lines.append("built from: " + (", ".join(srcs) or "?") + " (recipe: build.json)")
    lines += [
        "attribution:",
    ]
    lines += [f"  {a.text} — {a.licence}" + (f" <{a.url}>" if a.url else "") for a in m.attributions]
    return "\n".join(lines)
