"""``inbox review show``: one submission (``InboxService.detail``) as labelled text for the terminal (issue 22
item 9): texts per language, the position in decimal degrees, photos, duplicate hints, edits and the audit log
with its details flattened — no dict or JSON fragments (``--json`` prints the record itself)."""

from __future__ import annotations

__all__ = ["format_detail"]

_LABELS = {"name": "Nom / Name", "description": "Description", "category": "Catégorie / Category",
           "location": "Position", "dates": "Dates"}


def _localised(value) -> list[str]:
    """``{"fr": "Lavoir", "en": "Wash-house"}`` as ``[fr] Lavoir`` lines (a plain value as itself)."""
    if isinstance(value, dict):
        return [f"[{lang}] {text}" for lang, text in value.items()]
    return [str(value)]


def _detail_value(key: str, value) -> list[str]:
    if key == "location" and isinstance(value, dict):
        return [f"{value.get('lat'):.6f}, {value.get('lon'):.6f}"]
    return _localised(value)


def _poi_name(poi: dict | None) -> str:
    name = (poi or {}).get("name") or {}
    return (name.get("fr") or name.get("en") or next(iter(name.values()), "")) if isinstance(name, dict) else str(name)


def _flat(detail, prefix: str = "") -> list[tuple[str, str]]:
    """``{"edits": {"dates": "1850"}}`` as ``[("edits.dates", "1850")]`` (lists joined with commas)."""
    out: list[tuple[str, str]] = []
    for k, v in (detail or {}).items():
        if isinstance(v, dict):
            out += _flat(v, f"{prefix}{k}.")
        elif isinstance(v, list):
            out.append((prefix + str(k), ", ".join(map(str, v))))
        else:
            out.append((prefix + str(k), str(v)))
    return out


def format_detail(d: dict) -> str:
    """A submission for the terminal: labelled lines, texts per language, no JSON (``--json`` gives that)."""
    sub = d["submission"]
    p = sub.get("proposal", {})
    published = f" (v{d['published_version']})" if d["published_version"] else ""
    lines = [f"{d['uuid']}  {sub['kind']}  [{d['status']}]{published}",
             f"  Contributeur / Contributor: {sub['contributor']}",
             f"  Envoyé / Sent:              {sub['created']}",
             f"  Licence:                    {sub['licence']}"]
    if sub.get("target"):
        target = _poi_name(d["target_poi"])
        lines.append(f"  Cible / Target:             {sub['target']}" + (f"  {target}" if target else ""))
    for key, label in _LABELS.items():
        if p.get(key) is None:
            continue
        values = _detail_value(key, p[key])
        lines.append(f"  {label + ':':<27} {values[0]}")
        lines += [f"  {'':<27} {v}" for v in values[1:]]
    for src in p.get("sources", []):
        lines.append(f"  {'Source:':<27} {src['name']}" + (f" <{src['url']}>" if src.get("url") else ""))
    lines.append(f"  {'Photos:':<27} {len(d['photos'])}")
    lines += [f"    #{x['n']}  {x['width']}x{x['height']}  sha256 {x['sha256'][:12]}" for x in d["photos"]]
    if d["duplicate_hints"]:
        lines.append("  Doublons possibles / Possible duplicates:")
        lines += [f"    {h['poi_id']} {h['name']}  {h['distance_m']} m  ({h['score']} %)" for h in d["duplicate_hints"]]
    if d["message"]:
        lines.append(f"  {'Message:':<27} {d['message']}")
    if d["edits"]:
        lines.append("  Corrections / Edits:")
        lines += [f"    {k}: {v}" for k, v in _flat(d["edits"])]
    lines.append("  Journal / Audit:")
    for a in d["audit"]:
        detail = "  ".join(f"{k}={v}" for k, v in _flat(a["detail"]))
        lines.append(f"    {a['at'][:19].replace('T', ' ')}  {a['actor']}  {a['action']}  "
                     f"{a['from_status'] or '-'} → {a['to_status'] or '-'}" + (f"  {detail}" if detail else ""))
    return "\n".join(lines)
