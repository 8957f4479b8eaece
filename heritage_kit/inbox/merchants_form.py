"""The verified merchant's web edit form (``/merchants/edit``), as flat form fields <-> an edit (pure).

The hours part is the hours editor's week (:class:`heritage_kit.hours_editor.WeekForm`) laid out as a grid:
per day two ranges (a lunch break is the gap between them) ``Mo_1_open``, ``Mo_1_close``, ``Mo_2_open``,
``Mo_2_close``; exceptional closures ``closure_1_start`` / ``closure_1_end`` (up to :data:`CLOSURES`);
``holidays`` (``closed`` / ``as_usual``). :func:`edit_fields` turns the posted form into the fields
:func:`heritage_kit.inbox.merchants.check_edit` checks (the JSON API's shape), so the web form and the API share
every check; :func:`form_values` fills the grid from a shop's current ``opening_hours`` when the editor can read
it (:func:`heritage_kit.hours_editor.from_value`), else leaves it empty and says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from heritage_kit.hours_editor import DAYS, from_value

__all__ = ["CLOSURES", "RANGES", "edit_fields", "form_values", "field_of"]

RANGES = 2
CLOSURES = 3


def _hours(form: Mapping[str, str]) -> dict[str, Any] | None:
    days: dict[str, list[list[str]]] = {}
    touched = False
    for d in DAYS:
        ranges = []
        for k in range(1, RANGES + 1):
            a, b = (form.get(f"{d}_{k}_{x}", "").strip() for x in ("open", "close"))
            if a or b:
                touched = True
                ranges.append([a or "?", b or "?"])
        if ranges:
            days[d] = ranges
    closures = []
    for k in range(1, CLOSURES + 1):
        a, b = (form.get(f"closure_{k}_{x}", "").strip() for x in ("start", "end"))
        if a or b:
            touched = True
            closures.append([a or b] if not (a and b) or a == b else [a, b])
    if not touched:
        return None
    holidays = form.get("holidays") if form.get("holidays") in ("closed", "as_usual") else "closed"
    return {"days": days, "closures": closures, "holidays": holidays}


def edit_fields(form: Mapping[str, str]) -> dict[str, Any]:
    """The posted web form as an edit's fields (what :func:`~heritage_kit.inbox.merchants.check_edit` takes)."""
    out: dict[str, Any] = {}
    hours = _hours(form)
    if hours is not None:
        out["hours"] = hours
    description = {lg: form.get(f"description_{lg}", "").strip() for lg in ("fr", "en")}
    if any(description.values()):
        out["description"] = {k: v for k, v in description.items() if v}
    for k in ("website", "phone"):
        if form.get(k, "").strip():
            out[k] = form[k].strip()
    if form.get("step_free") in ("yes", "no"):
        out["step_free"] = form["step_free"] == "yes"
    return out


def form_values(opening_hours: str | None, *, country: str = "FR") -> tuple[dict[str, str], dict[str, str] | None]:
    """The grid's values from the shop's current hours, and (when the editor cannot read them) why, FR/EN."""
    reading = from_value(opening_hours, country=country)
    if reading.form is None:
        return {}, {"fr": reading.fr, "en": reading.en}
    values: dict[str, str] = {}
    for i, d in enumerate(DAYS):
        for k, r in enumerate(reading.form.days[i][:RANGES], start=1):
            a, b = str(r).split("-")
            values[f"{d}_{k}_open"], values[f"{d}_{k}_close"] = a, b
    for k, c in enumerate(reading.form.closures[:CLOSURES], start=1):
        values[f"closure_{k}_start"] = c.start.isoformat()
        values[f"closure_{k}_end"] = c.last.isoformat()
    values["holidays"] = "as_usual" if reading.form.holidays == "as_usual" else "closed"
    return values, None


def field_of(error_field: str) -> str:
    """The web form's input for an error's field: ``hours.days.Mo.ranges[1].end`` -> ``Mo_2_close``."""
    m = re.match(r"^hours\.days\.(\w\w)(?:\.ranges)?\[(\d+)\](?:\.(start|end))?", error_field)
    if m:
        return f"{m[1]}_{int(m[2]) + 1}_{'close' if m[3] == 'end' else 'open'}"
    m = re.match(r"^hours\.closures\[(\d+)\](?:\.(end))?", error_field)
    if m:
        return f"closure_{int(m[1]) + 1}_{'end' if m[2] else 'start'}"
    if error_field.startswith("description."):
        return "description_" + error_field.split(".")[1]
    return error_field.split(".")[0]
