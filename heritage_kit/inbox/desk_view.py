"""What the desk's pages show, computed without HTTP or storage (pure): filters, diffs, edits, the map, publish.

* :func:`queue_filters` — the queue's query parameters → storage filters (and the unreadable ones);
* :func:`diff_rows` — an edit's side-by-side comparison with the current POI, words marked ``<del>`` / ``<ins>``;
* :func:`edits_from_form` — the accept form's fields → the moderator's edits (only what differs from the proposal);
* :func:`location_map` — the server-side SVG of the town's streets around the proposed (and current) location;
* :func:`publish_summary` — what a publish adds, edits and how many photos.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from heritage_kit.errors import SubmissionError
from heritage_kit.export.svgmap import svg_map
from heritage_kit.submissions.messages import Message

__all__ = ["STATUS_TABS", "PAGE_SIZE", "queue_filters", "DiffRow", "diff_rows", "word_diff", "edits_from_form",
           "location_map", "publish_summary", "title_of"]

STATUS_TABS = ("pending", "approved", "rejected", "changes_requested", "all")
KINDS = ("new_poi", "edit", "photo")
PAGE_SIZE = 25
LANGS = ("fr", "en")


def title_of(name: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    name = name or {}
    return name.get(lang) or name.get("fr") or name.get("en") or next(iter(name.values()), "") or fallback


def _choice(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def queue_filters(params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """``(storage filters, the form's values, unreadable dates)`` from the queue's query parameters.

    ``town`` is left out of the filters (the caller scopes it to the principal's towns).
    """
    status = params.get("status") if params.get("status") in STATUS_TABS else "pending"
    kind = params.get("kind") if params.get("kind") in KINDS else None
    form = {"status": status, "town": (params.get("town") or "")[:100], "kind": kind or "",
            "since": "", "until": "", "photo": params.get("photo") if _choice(params.get("photo")) is not None else "",
            "dup": params.get("dup") if _choice(params.get("dup")) is not None else ""}
    filters: dict[str, Any] = {"status": None if status == "all" else status, "kind": kind,
                               "has_photo": _choice(form["photo"]), "has_hints": _choice(form["dup"])}
    bad = []
    for key in ("since", "until"):
        raw = (params.get(key) or "").strip()[:40]
        if not raw:
            continue
        try:
            filters[key] = date.fromisoformat(raw).isoformat()
            form[key] = filters[key]
        except ValueError:
            bad.append(raw)
    try:
        page = max(1, min(10**6, int(params.get("page") or 1)))
    except ValueError:
        page = 1
    form["page"] = page
    return filters, form, bad


@dataclass(frozen=True)
class DiffRow:
    field: str  # "name", "description", "category", "location", "dates"
    lang: str | None
    current: str  # escaped HTML, changed words in <del>
    proposed: str  # escaped HTML, changed words in <ins>
    changed: bool


def word_diff(old: str, new: str) -> tuple[str, str]:
    """Both texts as escaped HTML, the words only in ``old`` in ``<del>``, those only in ``new`` in ``<ins>``."""
    a, b = old.split(), new.split()
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        x, y = escape(" ".join(a[i1:i2])), escape(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(x)
            right.append(y)
            continue
        if x:
            left.append(f"<del>{x}</del>")
        if y:
            right.append(f"<ins>{y}</ins>")
    return " ".join(left), " ".join(right)


def _location(value: Any) -> str:
    if isinstance(value, Mapping) and "lat" in value and "lon" in value:
        return f"{float(value['lat']):.6f}, {float(value['lon']):.6f}"
    return ""


def diff_rows(proposal: Mapping[str, Any], current: Mapping[str, Any] | None) -> list[DiffRow]:
    """Every field the edit proposes, beside the current POI's value (``current`` is the POI as JSON)."""
    current = current or {}
    pairs: list[tuple[str, str | None, str, str]] = []
    for key in ("name", "description"):
        prop = proposal.get(key) or {}
        cur = current.get(key) or {}
        for lang in sorted(set(prop) | set(cur), key=lambda x: (x not in LANGS, x)):
            if lang in prop:
                pairs.append((key, lang, str(cur.get(lang, "")), str(prop[lang])))
    if proposal.get("category"):
        pairs.append(("category", None, ", ".join(current.get("categories") or []), str(proposal["category"])))
    if proposal.get("location"):
        pairs.append(("location", None, _location(current.get("location")), _location(proposal["location"])))
    if proposal.get("dates"):
        pairs.append(("dates", None, str((current.get("heritage") or {}).get("dates") or ""), str(proposal["dates"])))
    rows = []
    for key, lang, old, new in pairs:
        left, right = word_diff(old, new)
        rows.append(DiffRow(key, lang, left, right, old.strip() != new.strip()))
    return rows


def _number(form: Mapping[str, str], key: str, label: str, bad: dict[str, Message]) -> float | None:
    raw = (form.get(key) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        bad[key] = Message("invalid", f"{label} : un nombre décimal", f"{label}: a decimal number")
        return None
    return value


def edits_from_form(proposal: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """The edits of the accept form: ``name_fr``, ``description_en``, … and ``lat``/``lon``, only where they
    differ from the proposal (an emptied language removes it). Raises :class:`SubmissionError` for a
    coordinate that is not a number."""
    edits: dict[str, Any] = {}
    for key in ("name", "description"):
        prop = proposal.get(key) or {}
        changed = {}
        for lang in LANGS:
            field = f"{key}_{lang}"
            if field not in form:
                continue
            value = form[field].replace("\r\n", "\n").strip()
            if value != str(prop.get(lang, "")).strip():
                changed[lang] = value
        if changed:
            edits[key] = changed
    bad: dict[str, Message] = {}
    lat, lon = _number(form, "lat", "latitude", bad), _number(form, "lon", "longitude", bad)
    if bad:
        raise SubmissionError("invalid location", {k: m.en for k, m in bad.items()}, messages=bad)
    loc = proposal.get("location") or {}
    if lat is not None and lon is not None and (abs(lat - float(loc.get("lat", 1e9))) > 1e-7
                                                or abs(lon - float(loc.get("lon", 1e9))) > 1e-7):
        edits["location"] = {"lat": lat, "lon": lon}
    return edits


def location_map(streets: Any, areas: Any, *, proposed: tuple[float, float], current: tuple[float, float] | None,
                 title: str, desc: str) -> str:
    """The SVG map: the town's streets and areas near ``proposed``, a dot there and stop 1 at ``current``."""
    lat, lon = proposed
    frame = [proposed] + ([current] if current else [])
    return svg_map(title=title, desc=desc, route=frame if current else [], marker=proposed,
                   stops=[(1, current)] if current else [], streets=streets.near(lat, lon) if streets else [],
                   areas=areas.near(lat, lon) if areas else [], width=560, height=340, min_span_m=300)


def publish_summary(before: Any, result: Any, approved: list[Any], lang: str) -> dict[str, Any]:
    """``{"added": [names], "edited": [names], "photos": n, "skipped": {uuid: why}, "merchants": [names]}`` of a
    (planned) publish (``merchants``: the shops verified merchants changed)."""
    by_uuid = {st.uuid: st for st in approved}
    pois = {p.id: p for p in result.pack.pois}
    old = {p.id for p in before.pois}
    added, edited, photos = [], [], 0
    for uuid in result.applied:
        st = by_uuid.get(uuid)
        if st is None:
            continue
        photos += st.photo_count
        poi_id = f"hk:{uuid}" if st.submission.kind == "new_poi" else st.submission.target
        poi = pois.get(poi_id)
        name = poi.name.get(lang) if poi is not None else poi_id
        (edited if poi_id in old else added).append(name)
    merchants = [pois[i].name.get(lang) for i in getattr(result, "merchant_pois", []) if i in pois]
    return {"added": added, "edited": edited, "photos": photos, "skipped": dict(result.skipped), "merchants": merchants}
