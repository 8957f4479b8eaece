"""``heritage-kit inbox osm-changes``: accepted opening-hours changes as an osmChange file or a task list.

The adapters around the pure :mod:`heritage_kit.export.osmchange`:

* :data:`CHANGE_PROVIDERS` — where changes come from, each ``provider(storage, pack, base) -> [HoursChange]``;
  today :func:`contribution_changes` (approved ``edit`` contributions, published or not, proposing
  ``opening_hours`` for a POI that has an OSM ref);
* :func:`read_osm_elements` — the current elements (with their versions) from an ``.osm`` / ``.osm.pbf`` /
  ``.osc`` file, read with pyosmium.

Nothing is uploaded: the town reviews the file and uploads it (JOSM) or hands the task list to mappers.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from heritage_kit.errors import ConfigurationError, SourceDataError
from heritage_kit.export.osmchange import (
    HoursChange,
    OsmElement,
    osmchange_xml,
    plan,
    task_rows,
    tasks_csv,
    tasks_geojson,
    tasks_markdown,
)

__all__ = ["register", "CHANGE_PROVIDERS", "contribution_changes", "read_osm_elements", "collect_changes",
           "OSM_SUFFIXES", "parse_since"]

OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf", ".osc", ".osc.gz", ".osc.bz2", ".xml")
_KINDS = {"n": "node", "w": "way", "r": "relation"}
ChangeProvider = Callable[[Any, Any, Any], Iterable[HoursChange]]


def register(isub: argparse._SubParsersAction) -> None:
    """Add ``osm-changes`` to the ``inbox`` sub-commands."""
    o = isub.add_parser("osm-changes",
                        help="accepted opening-hours changes as an osmChange file (or a task list) to review "
                             "and upload to OpenStreetMap yourself")
    g = o.add_mutually_exclusive_group(required=True)
    g.add_argument("--db", help="SQLite inbox database")
    g.add_argument("--database", metavar="URL", help="postgresql://… (or sqlite:///FILE)")
    o.add_argument("--pack", required=True, help="the town's current pack (folder or .zip)")
    o.add_argument("--base-pack", metavar="PACK",
                   help="the pack the POIs were imported in, before the contributions were published "
                        "(gives the imported hours to detect mappers' edits; default: --pack)")
    o.add_argument("--osm", metavar="FILE",
                   help="the current OSM elements (.osm, .osm.pbf, .osc, with versions); without it: a task list")
    o.add_argument("--out", required=True,
                   help="FILE.osc (osmChange, plus FILE.md to review it), or with --tasks / without --osm: "
                        "FILE.json (GeoJSON task list) plus FILE.md and FILE.csv")
    o.add_argument("--since", metavar="DATE", help="only changes accepted from that day (YYYY-MM-DD) or time on")
    o.add_argument("--tasks", action="store_true", help="write the task list even with --osm")
    o.set_defaults(func=cmd_osm_changes)


# -- where changes come from -----------------------------------------------------------
def _approved_at(storage, st) -> datetime:
    """When the submission was approved (its audit), else its last update."""
    stamps = [a.at for a in storage.audit(st.uuid) if a.action == "approve"]
    return _instant(stamps[-1] if stamps else st.updated)


def _instant(value: str | datetime) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def contribution_changes(storage, pack, base=None) -> list[HoursChange]:
    """Approved (or published) resident ``edit`` contributions proposing ``opening_hours`` for an OSM POI.

    The old value is the POI's hours in ``base`` (the pack the POIs were imported in; default ``pack``).
    Without ``base``, when the pack's hours are those of a published contribution (``inbox publish`` wrote
    them in), the imported value is not known (``old_known=False``).
    """
    town = pack.manifest.town_id
    pois = {p.id: p for p in pack.pois}
    base_pois = {p.id: p for p in (base or pack).pois}
    accepted = []
    for st in storage.approved(include_published=True):
        sub = st.submission
        if st.town not in ("", town) or sub.kind != "edit" or not sub.proposal.opening_hours:
            continue
        poi = pois.get(sub.target or "")
        if poi is not None:  # a place without an OSM ref is reported ("not_in_osm"), not silently dropped
            accepted.append((st, poi, sub.proposal.opening_hours.strip()))
    published = {(poi.id, new) for st, poi, new in accepted if st.published_version is not None}
    out = []
    for st, poi, new in accepted:
        sub = st.submission
        before = base_pois.get(poi.id)
        old = before.opening_hours if before is not None else None
        old_known = before is not None and (base is not None or (poi.id, (old or "").strip()) not in published)
        out.append(HoursChange(
            poi_id=poi.id, osm_ref=poi.refs.osm or "", old_value=old, new_value=new, when=_approved_at(storage, st),
            source="contribution", note=f"contribution {st.uuid[:8]} by {sub.contributor}",
            name=poi.display_name("fr"), lat=poi.lat, lon=poi.lon, old_known=old_known))
    return out


def merchant_changes(storage, pack, base=None) -> list[HoursChange]:
    """Verified merchants' hours (:func:`heritage_kit.inbox.merchants.merchant_osm_changes`; imported here, when
    the command runs, so the CLI still starts on the core install without the server extra)."""
    from heritage_kit.inbox.merchants import merchant_osm_changes

    return merchant_osm_changes(storage, pack, base)


# Each provider returns HoursChange records: residents' accepted edits, verified merchants' edits.
CHANGE_PROVIDERS: list[ChangeProvider] = [contribution_changes, merchant_changes]


def collect_changes(storage, pack, base=None, *, since: datetime | None = None,
                    providers: Sequence[ChangeProvider] | None = None) -> list[HoursChange]:
    """Every provider's changes accepted from ``since`` on, oldest first, their times in the town's time zone
    (so ``check_date:opening_hours`` is the town's day of the decision, not UTC's)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(pack.manifest.timezone)
    changes: list[HoursChange] = []
    for provider in CHANGE_PROVIDERS if providers is None else providers:
        changes.extend(replace(c, when=c.when.astimezone(zone)) for c in provider(storage, pack, base))
    if since is not None:
        changes = [c for c in changes if c.when >= since]
    return sorted(changes, key=lambda c: c.when)


# -- OSM elements ------------------------------------------------------------------------
def read_osm_elements(path: str | os.PathLike, wanted: Iterable[str] | None = None) -> dict[str, OsmElement]:
    """``{"node/123": OsmElement}`` of an OSM file (of the ``wanted`` refs only, when given).

    In a change file the highest version of each element wins (a deletion marks it ``deleted``).
    """
    from heritage_kit.extras import require

    path = Path(path)
    if not path.is_file():
        raise SourceDataError(f"--osm {path}: no such file")
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise SourceDataError(f"--osm {path}: not an OSM file (expected {', '.join(OSM_SUFFIXES)})")
    osmium = require("osmium", feature="reading OSM files")
    keep = set(wanted) if wanted is not None else None
    found: dict[str, OsmElement] = {}
    try:
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION):
            kind = _KINDS[obj.type_str()]
            ref = f"{kind}/{obj.id}"
            if keep is not None and ref not in keep:
                continue
            el = _element(kind, obj)
            old = found.get(ref)
            if old is None or el.version >= old.version:
                found[ref] = el
    except RuntimeError as exc:
        raise SourceDataError(f"--osm {path}: cannot read OSM data: {exc}") from None
    return found


def _element(kind: str, obj) -> OsmElement:
    deleted = bool(getattr(obj, "deleted", False)) or not bool(getattr(obj, "visible", True))
    lat = lon = None
    nodes: tuple[int, ...] = ()
    members: tuple[tuple[str, int, str], ...] = ()
    if kind == "node" and obj.location.valid():
        lat, lon = obj.location.lat, obj.location.lon
    elif kind == "way":
        nodes = tuple(int(n.ref) for n in obj.nodes)
    elif kind == "relation":
        members = tuple((_KINDS[m.type], int(m.ref), m.role) for m in obj.members)
    return OsmElement(type=kind, id=int(obj.id),  # type: ignore[arg-type]  # kind is one of _KINDS' values
                      version=int(obj.version), tags=dict(obj.tags), lat=lat, lon=lon, nodes=nodes, members=members,
                      deleted=deleted)


# -- the command ---------------------------------------------------------------------------
def parse_since(value: str | None, zone: str = "UTC") -> datetime | None:
    """``--since``: a day (midnight in the town's ``zone``) or an ISO time (UTC when it names no offset)."""
    from zoneinfo import ZoneInfo

    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigurationError(f"--since {value!r}: expected a date YYYY-MM-DD (or an ISO time)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(zone) if len(value.strip()) == 10 else timezone.utc)
    return when


def _storage(args):
    from heritage_kit.inbox.storage import open_storage

    if args.db and not os.path.exists(args.db):
        raise ConfigurationError(f"--db {args.db}: no such inbox database")
    if args.database and args.database.startswith("sqlite:///") and not os.path.exists(args.database[10:]):
        raise ConfigurationError(f"--database {args.database}: no such inbox database")
    return open_storage(args.database or args.db)


def _stem(out: str, suffixes: tuple[str, ...]) -> str:
    low = out.lower()
    for s in suffixes:
        if low.endswith(s):
            return out[: -len(s)]
    return out


def _write(path: str, data: str | bytes) -> None:
    target = Path(path)
    if not target.absolute().parent.is_dir():
        raise ConfigurationError(f"--out {path}: folder {target.absolute().parent} does not exist")
    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def cmd_osm_changes(args) -> int:
    from heritage_kit.packs import load_pack

    pack = load_pack(args.pack)
    since = parse_since(args.since, pack.manifest.timezone)
    base = load_pack(args.base_pack) if args.base_pack else None
    storage = _storage(args)
    try:
        changes = collect_changes(storage, pack, base, since=since)
    finally:
        storage.close()
    country = getattr(pack.manifest, "country", None) or "FR"
    elements = read_osm_elements(args.osm, {c.osm_ref for c in changes if c.osm_ref}) if args.osm else None
    result = plan(changes, elements, country=country)
    rows = task_rows(result, country=country)
    town = pack.manifest.town_name
    written: list[str] = []
    outputs: list[tuple[str, str | bytes]]
    if elements is None or args.tasks:
        stem = _stem(args.out, (".geojson", ".json", ".md", ".csv"))
        json_path = args.out if args.out.lower().endswith((".json", ".geojson")) else stem + ".json"
        outputs = [(json_path, tasks_geojson(rows)), (stem + ".md", tasks_markdown(rows, title=_title(town))),
                   (stem + ".csv", tasks_csv(rows))]
    else:
        stem = _stem(args.out, (".osc",))
        comment = (f"review before upload; suggested changeset tags: comment=Opening hours of {town} shops "
                   f"confirmed by residents and merchants, source=survey, created_by=heritage-kit")
        outputs = [(args.out, osmchange_xml(result, comment=comment)),
                   (stem + ".md", tasks_markdown(rows, title=_title(town)))]
    for path, data in outputs:
        _write(path, data)
        written.append(path)
    for s in result.skipped:
        print(f"  skipped {s.change.osm_ref} ({s.change.name}): {s.message('en')}")
    what = "task(s)" if elements is None or args.tasks else "element(s) to modify"
    print(f"{town}: {len(result.ready)} {what}, {len(result.skipped)} left out; written {', '.join(written)}")
    if elements is None:
        print("  not checked against OpenStreetMap (no --osm): check each value on the map before editing")
    print("  nothing was uploaded: review, then upload it yourself (e.g. JOSM: File > Open, then Upload)")
    return 0


def _title(town: str) -> str:
    return f"{town} — horaires à reporter dans OpenStreetMap / opening hours to copy to OpenStreetMap"
