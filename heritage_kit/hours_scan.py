"""Suspicious readings of ``opening_hours`` values (``heritage-kit hours scan``), for :mod:`heritage_kit.hours`.

A value can be valid grammar and still be read in a way its mapper never
meant. :func:`scan_value` lists, for one value, each reading a visitor would
not agree with:

- ``weekday-list``, ``comment-only``, ``lone-days``: the lenient reader
  (:mod:`heritage_kit.hours_repair`) rewrote a valid reading that would show
  the place open all day (``Mo-Tu, Th-Sa 06:30-13:30``…). The rewrite is a
  flagged guess: apps show "hours uncertain", never "open";
- ``all-day-unsaid``: the reading (after repair) has a day open from 00:00 to
  24:00 although the text says neither ``24/7``, ``00:00-24:00`` nor ``open``
  (e.g. a partial rule read as open all day);
- ``past-midnight-unsaid``: an open stretch runs past midnight although no
  time range in the text ends after midnight (``22:00-02:00``, ``18:00-24:00``,
  ``20:00+``) — an "open until" crossing midnight nobody wrote;
- ``unreadable``: no reading at all (shown as "unknown").

Pure: values in, findings out; :mod:`heritage_kit.cli.hours` reads the pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from heritage_kit.hours import DEFAULT_TIMEZONE, OpeningHours
from heritage_kit.hours_repair import _BARE_DAY_LIST_MSG, _COMMENT_ONLY_MSG, _LONE_DAYS_MSG

__all__ = ["Suspicion", "scan_value", "scan_values", "KINDS"]

_KIND_OF_CHANGE = {_BARE_DAY_LIST_MSG: "weekday-list", _COMMENT_ONLY_MSG: "comment-only", _LONE_DAYS_MSG: "lone-days"}
KINDS = ("weekday-list", "comment-only", "lone-days", "all-day-unsaid", "past-midnight-unsaid", "unreadable")

_SAYS_ALL_DAY = re.compile(r"24/7|00:00-24:00|\bopen\b")
_RANGE = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)(\+?)|(\d\d):(\d\d)\+")


@dataclass(frozen=True, slots=True)
class Suspicion:
    """One suspicious reading of ``value``: ``kind`` (one of :data:`KINDS`) and a sentence in ``detail``."""

    value: str
    read_as: str | None
    kind: str
    detail: str


def _says_past_midnight(text: str) -> bool:
    for m in _RANGE.finditer(text):
        if m.group(6) is not None or m.group(5):
            return True  # "20:00+" (open end)
        start, end = int(m.group(1)) * 60 + int(m.group(2)), int(m.group(3)) * 60 + int(m.group(4))
        if end <= start or end >= 24 * 60:
            return True
    return bool(_SAYS_ALL_DAY.search(text))


def _midnight(day: date, oh: OpeningHours) -> datetime:
    return datetime.combine(day, time(0, 0), oh.timezone)


def _all_day_open(oh: OpeningHours, start: datetime, end: datetime) -> date | None:
    """The first local date in ``[start, end)`` read as open from 00:00 to 24:00, if any."""
    for iv in oh.open_intervals(start, end):
        day = iv.start.date() if iv.start.timetz().replace(tzinfo=None) == time(0, 0) else iv.start.date() + timedelta(1)
        if _midnight(day + timedelta(1), oh) <= iv.end:
            return day
    return None


def _past_midnight(oh: OpeningHours, start: datetime, end: datetime) -> datetime | None:
    """The start of the first open stretch that runs past a midnight, if any."""
    for iv in oh.open_intervals(start, end):
        if iv.end < end and iv.end > _midnight(iv.start.date() + timedelta(1), oh):
            return iv.start
    return None


def scan_value(
    value: str,
    *,
    country: str = "FR",
    timezone: str = DEFAULT_TIMEZONE,
    year: int = 2026,
) -> list[Suspicion]:
    """Every suspicious reading of ``value`` over ``year`` (``[]``: read as a mapper would)."""
    oh = OpeningHours(value, country=country, timezone=timezone)
    read = oh.value
    if not oh.readable:
        return [Suspicion(value, None, "unreadable", oh.error or "not readable")]
    out = [Suspicion(value, read, _KIND_OF_CHANGE[c], c) for c in oh.changes if c in _KIND_OF_CHANGE]
    start, end = datetime(year, 1, 1, tzinfo=oh.timezone), datetime(year + 1, 1, 1, tzinfo=oh.timezone)
    says_all_day = bool(_SAYS_ALL_DAY.search(read or ""))
    if not says_all_day:
        day = _all_day_open(oh, start, end)
        if day is not None:
            out.append(Suspicion(value, read, "all-day-unsaid", f"read as open all day on {day.isoformat()}"))
    if not _says_past_midnight(read or ""):
        when = _past_midnight(oh, start, end)
        if when is not None:
            out.append(Suspicion(value, read, "past-midnight-unsaid",
                                 f"an open stretch from {when:%Y-%m-%d %H:%M} runs past midnight"))
    return out


def scan_values(values, *, country: str = "FR", timezone: str = DEFAULT_TIMEZONE) -> list[Suspicion]:
    """:func:`scan_value` over distinct non-empty ``values``, in sorted order."""
    out: list[Suspicion] = []
    for value in sorted({v for v in values if v and v.strip()}):
        out.extend(scan_value(value, country=country, timezone=timezone))
    return out


def values_in(obj) -> set[str]:
    """Every string under an ``opening_hours`` key anywhere in a JSON document (GeoJSON, Overpass, lists)."""
    found: set[str] = set()
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "opening_hours" and isinstance(value, str):
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found
