"""Accepted opening-hours changes, back to OpenStreetMap: an osmChange file or a task list (pure, no I/O).

The town reviews what this writes and uploads it itself (JOSM opens ``.osc`` files; the task list is for
mappers who edit by hand, e.g. in MapComplete or StreetComplete) — nothing is ever uploaded from here.

Input: :class:`HoursChange` records (an accepted resident's contribution, a verified merchant's edit…) and,
when the town downloaded them, the *current* OSM elements (:class:`OsmElement`, with their version).
:func:`plan` decides, per change, whether it can be written:

* the new value must be read by the strict parser (``OpeningHours(value, lenient=False)``);
* several changes of one element: the latest wins, the others are reported as superseded;
* with OSM data: the element must be there (with a version), its ``opening_hours`` must not already be the
  new value, and must still be the value the POI was imported with (or one of the earlier accepted changes,
  uploaded since) — otherwise a mapper changed it since, and their newer edit is not overwritten (a
  *conflict*, reported).

:func:`osmchange_xml` writes the osmChange 0.6 document: one ``<modify>`` per element, carrying its full
current tags (OSM replaces all tags of a modified element), the new ``opening_hours`` and
``check_date:opening_hours`` = the day the change was accepted (the documented OSM key for "this value was
verified on that day": StreetComplete and mappers read it to know how fresh the hours are, and the survey
it records is the shop's own statement, not a copy of another database), at the version read — so the OSM
API refuses the upload with a version conflict if the element changed after the download.

Without OSM data, :func:`task_rows` gives the task list (what to change where, with the plain reading of
the new hours in French and English); :func:`tasks_geojson`, :func:`tasks_markdown` and :func:`tasks_csv`
write it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal
from xml.etree import ElementTree as ET

from heritage_kit.errors import HoursError

__all__ = [
    "HoursChange",
    "OsmElement",
    "Ready",
    "Skipped",
    "Plan",
    "SKIP_REASONS",
    "CHECK_DATE_KEY",
    "plan",
    "osmchange_xml",
    "task_rows",
    "tasks_geojson",
    "tasks_markdown",
    "tasks_csv",
    "plain_hours",
    "osm_url",
    "applied_tags",
]

CHECK_DATE_KEY = "check_date:opening_hours"
OSM_BASE_URL = "https://www.openstreetmap.org"
ChangeSource = Literal["contribution", "merchant"]


@dataclass(frozen=True)
class HoursChange:
    """One accepted change of a POI's ``opening_hours``.

    ``old_value`` is the value the POI carried when it was imported from OSM (``None``: it had none);
    ``old_known=False`` when that is not known (the pack given already carries the change), which makes a
    conflict impossible to rule out. ``when`` is the time the change was accepted.
    """

    poi_id: str
    osm_ref: str  # "node/123", "way/45", "relation/6"
    old_value: str | None
    new_value: str
    when: datetime
    source: ChangeSource = "contribution"
    note: str = ""  # e.g. "contribution 1a2b3c4d by Marie P."
    name: str = ""  # the shop's name, for people reading the list
    lat: float | None = None
    lon: float | None = None
    old_known: bool = True

    @property
    def osm_type(self) -> str:
        return self.osm_ref.partition("/")[0]

    @property
    def osm_id(self) -> int:
        return int(self.osm_ref.partition("/")[2])


@dataclass(frozen=True)
class OsmElement:
    """An OSM element as downloaded: what a ``<modify>`` must repeat (tags, position, node list, members)."""

    type: Literal["node", "way", "relation"]
    id: int
    version: int
    tags: Mapping[str, str]
    lat: float | None = None  # nodes
    lon: float | None = None
    nodes: tuple[int, ...] = ()  # ways
    members: tuple[tuple[str, int, str], ...] = ()  # relations: (type, ref, role)
    deleted: bool = False

    @property
    def ref(self) -> str:
        return f"{self.type}/{self.id}"


# reason code -> (French, English); {osm} is the OSM value, {new} the proposed one
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "not_in_osm": ("lieu absent d'OpenStreetMap (ajouté par la ville ou un commerçant) : à cartographier d'abord",
                   "place not in OpenStreetMap (added by the town or a merchant): map it first"),
    "invalid": ("valeur refusée par le lecteur d'horaires : {new}",
                "value refused by the opening-hours parser: {new}"),
    "superseded": ("remplacé par un changement plus récent du même élément",
                   "replaced by a later change of the same element"),
    "missing": ("élément absent du fichier OSM (supprimé, ou hors de l'extrait)",
                "element not in the OSM file (deleted, or outside the extract)"),
    "deleted": ("élément supprimé dans OpenStreetMap", "element deleted in OpenStreetMap"),
    "no_version": ("le fichier OSM ne donne pas la version de l'élément (télécharger avec les métadonnées, "
                   "Overpass « out meta »)",
                   "the OSM file gives no version for the element (download with metadata, Overpass 'out meta')"),
    "unchanged": ("OpenStreetMap a déjà ces horaires : {osm}", "OpenStreetMap already has these hours: {osm}"),
    "conflict": ("un contributeur OSM a changé les horaires depuis l'import ({old} → {osm}) : non écrasé",
                 "an OSM mapper changed the hours since the import ({old} → {osm}): not overwritten"),
    "old_unknown": ("valeur importée inconnue (le paquet donné contient déjà le changement) : donner le paquet "
                    "sur lequel la modification a été acceptée",
                    "imported value unknown (the pack given already carries the change): give the pack the "
                    "edit was accepted against"),
}


@dataclass(frozen=True)
class Skipped:
    change: HoursChange
    reason: str  # a key of SKIP_REASONS
    osm_value: str | None = None

    def message(self, lang: str = "en") -> str:
        fr, en = SKIP_REASONS[self.reason]
        return (fr if lang == "fr" else en).format(new=self.change.new_value, osm=_shown(self.osm_value),
                                                   old=_shown(self.change.old_value))


@dataclass(frozen=True)
class Ready:
    change: HoursChange
    element: OsmElement | None = None  # None in a task list made without OSM data

    def tags(self) -> dict[str, str]:
        """The element's full tags after the change."""
        return {**(self.element.tags if self.element is not None else {}), **applied_tags(self.change)}


def applied_tags(change: HoursChange) -> dict[str, str]:
    """The tags a change sets: ``opening_hours`` and ``check_date:opening_hours`` (the day it was accepted)."""
    return {"opening_hours": change.new_value, CHECK_DATE_KEY: change.when.date().isoformat()}


@dataclass
class Plan:
    ready: list[Ready] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    checked_against_osm: bool = False


def _shown(value: str | None) -> str:
    return value if value else "∅"


def _valid(value: str, country: str) -> bool:
    from heritage_kit.hours import OpeningHours

    try:
        OpeningHours(value, country=country, lenient=False)
    except HoursError:
        return False
    return True


def plan(
    changes: Iterable[HoursChange],
    elements: Mapping[str, OsmElement] | None = None,
    *,
    country: str = "FR",
) -> Plan:
    """Which changes can be written, and why the others cannot (see the module's rules).

    ``elements`` maps ``"node/123"`` to the current element; ``None`` means no OSM data (a task list,
    not checked against OSM).
    """
    out = Plan(checked_against_osm=elements is not None)
    latest: dict[str, HoursChange] = {}
    ours: dict[str, set[str]] = {}  # every accepted value per element: OSM holding one is no mapper's edit
    for ch in changes:
        value = ch.new_value.strip()
        ch = ch if value == ch.new_value else replace(ch, new_value=value)
        if not _valid(ch.new_value, country):
            out.skipped.append(Skipped(ch, "invalid"))
            continue
        if not ch.osm_ref:
            out.skipped.append(Skipped(ch, "not_in_osm"))
            continue
        ours.setdefault(ch.osm_ref, set()).add(ch.new_value)
        before = latest.get(ch.osm_ref)
        if before is not None and before.when > ch.when:
            out.skipped.append(Skipped(ch, "superseded"))
            continue
        if before is not None:
            out.skipped.append(Skipped(before, "superseded"))
        latest[ch.osm_ref] = ch
    for ref in sorted(latest, key=_ref_key):
        ch = latest[ref]
        if elements is None:
            out.ready.append(Ready(ch))
            continue
        el = elements.get(ref)
        reason, osm_value = _check(ch, el, ours[ref])
        if reason:
            out.skipped.append(Skipped(ch, reason, osm_value))
        else:
            out.ready.append(Ready(ch, el))
    return out


def _check(ch: HoursChange, el: OsmElement | None, ours: set[str]) -> tuple[str | None, str | None]:
    if el is None:
        return "missing", None
    if el.deleted:
        return "deleted", None
    if el.version < 1:
        return "no_version", None
    osm_value = el.tags.get("opening_hours")
    now = (osm_value or "").strip()
    if now == ch.new_value:
        return "unchanged", osm_value
    if now in ours:  # an earlier accepted change of ours, already uploaded: no mapper's edit to keep
        return None, osm_value
    if not ch.old_known:
        return "old_unknown", osm_value
    if now != (ch.old_value or "").strip():
        return "conflict", osm_value
    return None, osm_value


def _ref_key(ref: str) -> tuple[str, int]:
    kind, _, num = ref.partition("/")
    return kind, int(num) if num.isdigit() else 0


# -- osmChange -------------------------------------------------------------------------
def _coord(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def osmchange_xml(result: Plan, *, generator: str = "heritage-kit", comment: str = "") -> bytes:
    """The osmChange 0.6 document (UTF-8 bytes) modifying every ready element; empty ``<modify>`` if none.

    ``comment`` (suggested changeset tags, a reminder for the reviewer) goes in an XML comment: osmChange
    has no place for changeset tags.
    """
    root = ET.Element("osmChange", {"version": "0.6", "generator": generator})
    if comment:
        root.append(ET.Comment(" " + comment.replace("--", "- -") + " "))
    modify = ET.SubElement(root, "modify")
    for item in result.ready:
        el = item.element
        if el is None:
            raise ValueError(f"{item.change.osm_ref}: no OSM element to modify (a task list has no osmChange)")
        attrs = {"id": str(el.id), "version": str(el.version)}
        if el.type == "node":
            if el.lat is None or el.lon is None:
                raise ValueError(f"{el.ref}: a node needs its position")
            attrs.update(lat=_coord(el.lat), lon=_coord(el.lon))
        node = ET.SubElement(modify, el.type, attrs)
        for ref in el.nodes:
            ET.SubElement(node, "nd", {"ref": str(ref)})
        for mtype, mref, role in el.members:
            ET.SubElement(node, "member", {"type": mtype, "ref": str(mref), "role": role})
        for k, v in sorted(item.tags().items()):
            ET.SubElement(node, "tag", {"k": k, "v": v})
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# -- task list ---------------------------------------------------------------------------
def osm_url(ref: str) -> str:
    """The element's page on openstreetmap.org (empty for a place not in OSM)."""
    return f"{OSM_BASE_URL}/{ref}" if ref else ""


def _md_osm(row: dict) -> str:
    return f"[{row['osm']}]({row['osm_url']})" if row["osm"] else "—"


def plain_hours(value: str | None, lang: str, *, country: str = "FR") -> str:
    """The value in plain words (the hours editor's reading), or the raw value when it is not a simple week."""
    from heritage_kit.hours_editor import describe_form, from_value

    if not value:
        return "—"
    reading = from_value(value, country=country)
    if reading.form is None:
        return value
    return "; ".join(describe_form(reading.form, lang))


def task_rows(result: Plan, *, country: str = "FR") -> list[dict]:
    """One task per ready change, then one per skipped change (``status`` says which)."""
    rows = []
    items: list[tuple[HoursChange, str, str | None, Skipped | None]] = [
        (r.change, "ready", r.element.tags.get("opening_hours") if r.element else None, None) for r in result.ready]
    items += [(s.change, "skipped", s.osm_value, s) for s in result.skipped]
    for ch, status, osm_value, skip in items:
        rows.append({
            "status": status,
            "name": ch.name,
            "poi_id": ch.poi_id,
            "osm": ch.osm_ref,
            "osm_url": osm_url(ch.osm_ref),
            "old": ch.old_value,
            "old_known": ch.old_known,
            "osm_now": osm_value,
            "new": ch.new_value,
            "check_date": ch.when.date().isoformat(),
            "new_fr": plain_hours(ch.new_value, "fr", country=country),
            "new_en": plain_hours(ch.new_value, "en", country=country),
            "source": ch.source,
            "note": ch.note,
            "accepted": ch.when.isoformat(),
            "reason": skip.reason if skip else None,
            "reason_fr": skip.message("fr") if skip else None,
            "reason_en": skip.message("en") if skip else None,
            # MapComplete's tag_apply / import buttons read a JSON object of tags from a property
            "tags": json.dumps(applied_tags(ch), ensure_ascii=False) if skip is None else None,
            "lat": ch.lat,
            "lon": ch.lon,
        })
    return rows


def tasks_geojson(rows: Sequence[dict]) -> str:
    """The task list as a GeoJSON FeatureCollection, MapComplete / MapRoulette style: one point per change to
    make, its ``id`` (``hk-hours/node/123``, MapRoulette's task name), ``tags`` (a JSON object of the tags to
    set, what MapComplete's ``tag_apply`` reads), ``osm_id`` (the element to apply them to) and the readable
    fields. Changes left out are listed apart, in the foreign member ``skipped`` (not tasks)."""
    features, skipped = [], []
    for row in rows:
        props = {k: v for k, v in row.items() if k not in ("lat", "lon")}
        if row["status"] != "ready":
            skipped.append(props)
            continue
        geom = ({"type": "Point", "coordinates": [row["lon"], row["lat"]]}
                if row["lat"] is not None and row["lon"] is not None else None)
        props = {"id": f"hk-hours/{row['osm']}", "osm_id": row["osm"], **props}
        features.append({"type": "Feature", "id": props["id"], "geometry": geom, "properties": props})
    doc = {"type": "FeatureCollection", "features": features, "skipped": skipped}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _md(value: str | None) -> str:
    return (value or "—").replace("|", "\\|").replace("\n", " ")


def tasks_markdown(rows: Sequence[dict], *, title: str = "") -> str:
    """The task list for people: to do first, then what was left out and why (French and English)."""
    ready = [r for r in rows if r["status"] == "ready"]
    skipped = [r for r in rows if r["status"] != "ready"]
    lines = [f"# {title or 'Horaires à reporter dans OpenStreetMap / Opening hours to copy to OpenStreetMap'}", ""]
    lines += ["Vérifier chaque ligne puis modifier l'élément dans OpenStreetMap (`opening_hours`, et "
              f"`{CHECK_DATE_KEY}` = la date indiquée). / Check each line, then edit the element in OpenStreetMap "
              f"(`opening_hours`, and `{CHECK_DATE_KEY}` = the date given).", ""]
    lines += [f"## À faire / To do ({len(ready)})", ""]
    if ready:
        lines += ["| commerce / shop | OSM | avant / before | après / after | lecture / reading | date |",
                  "|---|---|---|---|---|---|"]
        for r in ready:
            lines.append(f"| {_md(r['name'])} | {_md_osm(r)} | `{_md(r['old'])}` | "
                         f"`{_md(r['new'])}` | {_md(r['new_fr'])} / {_md(r['new_en'])} | {r['check_date']} |")
    else:
        lines.append("Rien à reporter. / Nothing to copy.")
    if skipped:
        lines += ["", f"## Laissés de côté / Left out ({len(skipped)})", ""]
        lines += ["| commerce / shop | OSM | proposé / proposed | raison / reason |", "|---|---|---|---|"]
        for r in skipped:
            lines.append(f"| {_md(r['name'])} | {_md_osm(r)} | `{_md(r['new'])}` | "
                         f"{_md(r['reason_fr'])} / {_md(r['reason_en'])} |")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("status", "name", "osm", "osm_url", "old", "osm_now", "new", "new_fr", "new_en", "check_date",
               "source", "note", "reason_en")


def _cell(value) -> object:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (a contributor's pseudonym, a shop's name)
    is prefixed with ``'`` (OWASP's CSV-injection rule)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def tasks_csv(rows: Sequence[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([_cell(r[c]) for c in CSV_COLUMNS])
    return buf.getvalue()
