"""The lenient reader of raw ``opening_hours`` values (:func:`repair`), for :mod:`heritage_kit.hours`.

Invalid values go through an ordered list of targeted rewrites for the
frequent mistakes mappers make (``09:00-12:30 / 14:00-19:30``, ``9h30``, French
day names, typographic dashes…), each with a message in ``Repair.changes``;
what still does not parse is *unreadable* (``Repair.value is None``) and
evaluates to ``unknown`` — never a crash, never a guessed "open".

Valid values are used as written, except three readings that would show a place
**open all day** although its mapper never said so. Both are valid grammar, so
opening-hours-py accepts them; :func:`repair` rewrites them even then, and
says so in ``changes`` (``heritage-kit hours check`` lists them as repaired):

- ``Mo-Tu, Th-Sa 06:30-13:30`` (a real Chambéry bakery, and a Monaco
  restaurant). opening-hours-rs reads ", " as the additional-rule separator,
  so ``Mo-Tu`` is a rule alone, with no time: open 24 hours. opening_hours.js
  reads the ", " as part of the weekday list, because for it "a rule does only
  count as additional rule if the previous rule ends with a time range, a
  comment or the keywords open, unknown or closed" (its README). We follow
  opening_hours.js: ``Mo-Tu,Th-Sa 06:30-13:30``.
- ``Mo "sur rendez-vous"`` or ``"only after registration"`` (a comment, no
  time, no state). opening-hours-rs reads it as open; opening_hours.js as
  unknown ("just a comment (without state) will also result in unknown").
  We follow opening_hours.js: ``Mo unknown "sur rendez-vous"``.

- ``Mo-Fr 08:00-12:00; Sa`` (days with no time, in a value that gives times
  elsewhere). Both libraries read Saturday as open all day; the mapper most
  likely left the times out. Read as ``Sa unknown`` — here we choose
  "unknown" over opening_hours.js's "open". A value with no time at all
  (``Sa-Su``) keeps the grammar's meaning.

An explicit ``open``, ``24/7`` or ``00:00-24:00`` is left as written.

Checked against opening_hours.js 3.15 (from npm, run under Node with
TZ=Europe/Paris, 2026-12-06, by ``scripts/compare_opening_hours_js.py``; not a
dependency, not run by the tests): every
non-empty ``opening_hours`` value of the bundled packs and of the Niort sample
(190) evaluated every 30 minutes over 13–19 July 2026 (14 July is a public
holiday). The 156 values opening_hours.js accepts get the same state from
:class:`heritage_kit.hours.OpeningHours` at all 336 instants; the 34 it
rejects are French-style values repaired here (``09:00-12:30 / 14:00-19:30``).
Before these rewrites 154 were the same and 2 differed: the Chambéry and the
Monaco ``Mo-Tu, Th-Sa …`` values (open at 00:00 on Monday for us, closed for
opening_hours.js).
"""

from __future__ import annotations

import logging

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import opening_hours as _oh

_log = logging.getLogger(__name__)

__all__ = ["Repair", "repair", "parses", "MISREADING_MESSAGES"]



@dataclass(frozen=True, slots=True)
class Repair:
    """Outcome of reading a raw ``opening_hours`` value.

    ``value`` is the string handed to the parser (the original when it was
    valid, the repaired one otherwise, ``None`` when unreadable); ``changes``
    says, in English, what was rewritten; ``error`` why it is unreadable.
    """

    original: str
    value: str | None
    changes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def repaired(self) -> bool:
        return self.value is not None and bool(self.changes)

    @property
    def uncertain(self) -> bool:
        """A valid-grammar reading was rewritten to what the mapper most likely meant (a guess, flagged):
        an app shows "hours uncertain", never "open", for such a value."""
        return self.value is not None and any(c in _MISREADING_MESSAGES for c in self.changes)


_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)"
_TIME = r"\d{1,2}:\d{2}"

# French and English day names (full and usual abbreviations) -> OSM two-letter days.
_DAY_NAMES: dict[str, str] = {
    "lundi": "Mo", "lun": "Mo", "monday": "Mo", "mon": "Mo",
    "mardi": "Tu", "tuesday": "Tu", "tue": "Tu", "tues": "Tu",
    "mercredi": "We", "mer": "We", "wednesday": "We", "wed": "We",
    "jeudi": "Th", "jeu": "Th", "thursday": "Th", "thu": "Th", "thur": "Th", "thurs": "Th",
    "vendredi": "Fr", "ven": "Fr", "vend": "Fr", "friday": "Fr", "fri": "Fr",
    "samedi": "Sa", "sam": "Sa", "saturday": "Sa", "sat": "Sa",
    "dimanche": "Su", "dim": "Su", "sunday": "Su", "sun": "Su",
}
_DAY_NAME_RE = re.compile(r"\b(" + "|".join(sorted(_DAY_NAMES, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_DAY_CASE_RE = re.compile(r"\b(mo|tu|we|th|fr|sa|su|ph|sh)\b", re.IGNORECASE)

_Fix = tuple[re.Pattern[str], Any, str]


def _sub_days(m: re.Match[str]) -> str:
    return _DAY_NAMES[m.group(1).lower()]


def _day_case(m: re.Match[str]) -> str:
    d = m.group(1)
    return d.upper() if d.lower() in ("ph", "sh") else d[0].upper() + d[1].lower()


def _hhmm(m: re.Match[str]) -> str:
    hours = int(m.group(1))
    minutes = m.group(2) or "00"
    return f"{hours:02d}:{minutes}"


# Applied in order, only to values the parser rejects. Each one fixes one
# frequent mistake and has a message that names it.
_FIXES: tuple[_Fix, ...] = (
    (re.compile(r"[\u2010-\u2015\u2212\uFE63\uFF0D]"), "-", "typographic dash replaced by '-'"),
    (re.compile(r"[\u00A0\u2007\u202F\t]+"), " ", "non-breaking space or tab replaced by a space"),
    (
        re.compile(r"(?:\b7\s*j?\s*/\s*7\s*,?\s*)?\b24\s*h?\s*/\s*24\b(?:\s*,?\s*7\s*j?\s*/\s*7\b)?|\b24\s*h?\s*/\s*7\b", re.I),
        "24/7",
        "'24h/24' written as '24/7'",
    ),
    (re.compile(r"\b(?:jours?\s+f[ée]ri[ée]s?|f[ée]ri[ée]s?|public\s+holidays?)\b", re.I), "PH", "public holidays written as 'PH'"),
    (re.compile(r"\b(?:ferm[ée]e?s?)\b", re.I), "off", "'fermé' written as 'off'"),
    (_DAY_NAME_RE, _sub_days, "day names written as OSM two-letter days (Mo, Tu, We, Th, Fr, Sa, Su)"),
    (re.compile(r"\bdu\s+(?=" + _DAY + r"\b)", re.I), "", "'du' before a day range dropped"),
    (re.compile(r"\b(?:tous\s+les\s+jours|7\s*j(?:ours)?\s*/\s*7|every\s*day|daily)\b", re.I), "Mo-Su", "'tous les jours'/'daily' written as 'Mo-Su'"),
    (re.compile(r"(?<=\b" + _DAY + r")\s*:\s*(?=\d)"), " ", "':' after the days removed"),
    (re.compile(r"\b(?:de|from)\s+(?=\d)", re.I), "", "'de'/'from' before a time dropped"),
    (re.compile(r"(?<=\b" + _DAY + r")\s+(?:au|à|a|to)\s+(?=" + _DAY + r"\b)", re.I), "-", "'au'/'to' between days written as '-'"),
    (re.compile(r"(?<=\b" + _DAY + r")\s+(?:et|and|&)\s+(?=" + _DAY + r"\b)", re.I), ",", "'et'/'and' between days written as ','"),
    (re.compile(r"(?<=\b" + _DAY + r")\s*-\s+|\s+-\s*(?=" + _DAY + r"\b)"), "-", "spaces inside a day range removed"),
    (re.compile(r"(?<![\d:])(\d{1,2})\s*[hH](?:\s*(\d{2}))?(?![\d:])"), _hhmm, "'h' time separator written as ':' (9h30 -> 09:30)"),
    (re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{2})(?![\d.:])"), _hhmm, "'.' time separator written as ':' (9.30 -> 09:30)"),
    (re.compile(r"(?<=\d)\s*(?:à|to|au|a)\s*(?=\d{1,2}:\d{2})", re.I), "-", "'à'/'to' between times written as '-'"),
    (
        re.compile(r"(?<=\d\d:\d\d-)([01]\d|2[0-4])([0-5]\d)\b|\b([01]\d|2[0-4])([0-5]\d)(?=-\d\d:\d\d)"),
        lambda m: f"{m.group(1) or m.group(3)}:{m.group(2) or m.group(4)}",
        "time without ':' written with one (1300 -> 13:00)",
    ),
    (
        re.compile(r"(?<=\d\d)\s*(?:/|\bet\b|\band\b|&|\+)\s*(?=\d{1,2}:\d{2})", re.I),
        ",",
        "' / ', 'et' or '&' between time ranges written as ','",
    ),
    (re.compile(r"(?<=\d\d:\d\d)\s*-\s*(?=\d{1,2}:\d{2})"), "-", "spaces around '-' in a time range removed"),
    (re.compile(r"(?<![\d:])(\d):(\d{2})(?![\d])"), lambda m: f"0{m.group(1)}:{m.group(2)}", "single-digit hour padded (9:00 -> 09:00)"),
    (_DAY_CASE_RE, _day_case, "day abbreviations capitalised (Mo, PH)"),
    (
        re.compile(r"(?<=\b" + _DAY + r") (\d\d:\d\d)-\1(?=\s*(?:;|$))"),
        " unknown",
        "zero-length time range (e.g. 'Su 00:00-00:00') read as unknown rather than guessed",
    ),
    (re.compile(r"\s*;\s*;[\s;]*"), "; ", "empty rule removed"),
    (re.compile(r"^[\s;,|]+|[\s;,|]+$"), "", "leading or trailing separator removed"),
)

# A ',' before a day selector: the grammar reads it as an *additional* rule
# (union); people who write ``Mo-Sa 9-19, We 9-12`` mean a later day group that
# *replaces* the earlier one, which is ';'. Applied only to values that were
# invalid anyway (valid values keep the meaning the grammar gives them).
_COMMA_DAYS = re.compile(r"(?<=\d\d)\s*,\s*(?=" + _DAY + r"\b)")
_COMMA_DAYS_MSG = "',' between day groups written as ';' (a later day group replaces an earlier one)"

# ``Mo-Tu, Th-Sa 06:30-13:30``: the grammar (and opening-hours-rs) reads ", " as
# the *additional rule* separator, so ``Mo-Tu`` becomes a rule of its own with no
# time — open all day — and only ``Th-Sa`` gets the times. Mappers mean one
# weekday list (opening_hours.js reads it so: its weekday parser takes the ","
# and skips the space). Caught even in values the grammar accepts: a rule of
# bare weekdays/ranges followed by ", " and weekdays with times (or off) is
# rewritten as one list, ``Mo-Tu,Th-Sa 06:30-13:30``, and flagged as a repair.
_DAY_RANGE = _DAY + r"(?:-" + _DAY + r")?"
_BARE_DAY_LIST = re.compile(
    r"(?:^|(?<=[;,|]))(?P<lead>\s*)(?P<days>\b" + _DAY_RANGE + r"(?:\s*,\s*" + _DAY_RANGE + r")*)"
    r"(?=\s+(?:\d|off\b|closed\b|open\b|unknown\b|\"))"
)
_BARE_DAY_LIST_MSG = (
    "', ' inside a weekday list joined ('Mo-Tu, Th-Sa 06:30-13:30' -> 'Mo-Tu,Th-Sa 06:30-13:30'): "
    "the grammar would read the first days alone as open all day"
)


# ``Mo "sur rendez-vous"`` or ``"only after registration"``: a rule with a
# comment but no time and no state. opening-hours-rs reads it as *open* all
# day; opening_hours.js (README, "Comments": "just a comment (without state)
# will also result in unknown") and a visitor read it as unknown. Written with
# an explicit ``unknown`` so the app never shows that guess as "open".
_COMMENT_ONLY_RULE = re.compile(r'(?:^|(?<=;)|(?<=\|\|))(?P<sel>[^;"|]*)(?P<q>"[^"]*")(?=\s*(?:;|\|\||$))')
_TIME_OR_STATE = re.compile(r"\d{1,2}:\d{2}|\b(?:open|closed|off|unknown|sunrise|sunset|dawn|dusk)\b", re.I)
_COMMENT_ONLY_MSG = (
    "a rule with only a comment and no time ('Mo \"on appointment\"') read as unknown, "
    "as opening_hours.js does, not as open all day"
)


def _comment_rules_unknown(text: str) -> str:
    """``Mo "on appointment"`` -> ``Mo unknown "on appointment"`` (rules with a time or a state are kept)."""

    def mark(m: re.Match[str]) -> str:
        sel = m.group("sel")
        if _TIME_OR_STATE.search(sel):
            return m.group(0)
        head = sel.rstrip()
        return (head + " " if head.strip() else sel) + "unknown " + m.group("q")

    return _COMMENT_ONLY_RULE.sub(mark, text)


def _join_day_lists(text: str) -> str:
    """``Mo-Tu, Th-Sa 09:00-12:00`` -> ``Mo-Tu,Th-Sa 09:00-12:00`` (a rule start only)."""

    def join(m: re.Match[str]) -> str:
        return m.group("lead") + re.sub(r"\s*,\s*", ",", m.group("days"))

    joined = _BARE_DAY_LIST.sub(join, text)
    if joined == text:
        return text
    # the same mapper wrote ", " in the time list too: one spelling ("06:30-13:30,15:00-19:00")
    return _SPACED_TIME_LIST.sub(",", joined)


_SPACED_TIME_LIST = re.compile(r"(?<=\d\d:\d\d)\s*,\s+(?=\d\d:\d\d)")


# ``Mo-Fr 08:00-12:00; Sa``: a rule of bare days, no time, in a value whose
# other rules have times. The grammar (both libraries) reads it as open all
# Saturday; the mapper most likely left the times out. Read as unknown.
_LONE_DAYS_RULE = re.compile(
    r"(?:^|(?<=;)|(?<=\|\|))(?P<days>\s*" + _DAY_RANGE + r"(?:," + _DAY_RANGE + r")*)(?=\s*(?:;|\|\||$))"
)
_LONE_DAYS_MSG = (
    "a rule of days with no time in a value with times ('Mo-Fr 08:00-12:00; Sa') read as unknown "
    "for those days, not as open all day"
)


def _lone_days_unknown(text: str) -> str:
    """``Mo-Fr 08:00-12:00; Sa`` -> ``Mo-Fr 08:00-12:00; Sa unknown`` (a value with no time is kept)."""
    if not re.search(_TIME, text):
        return text
    return _LONE_DAYS_RULE.sub(lambda m: m.group("days") + " unknown", text)


_MISREADINGS = (
    (_join_day_lists, _BARE_DAY_LIST_MSG),
    (_comment_rules_unknown, _COMMENT_ONLY_MSG),
    (_lone_days_unknown, _LONE_DAYS_MSG),
)


_MISREADING_MESSAGES = frozenset(message for _fix, message in _MISREADINGS)


def _fix_misreadings(text: str, changes: list[str]) -> str:
    """Apply :data:`_MISREADINGS` to ``text`` (each kept only if the result still parses)."""
    for fix, message in _MISREADINGS:
        new = fix(text)
        if new != text and _parses(new):
            changes.append(message)
            text = new
    return text


def _parses(value: str) -> bool:
    try:
        return bool(_oh.validate(value))
    except Exception:  # pragma: no cover - the binding only returns bools
        return False


MISREADING_MESSAGES = _MISREADING_MESSAGES  # the changes that make a reading a flagged guess
parses = _parses  # whether opening-hours-py accepts a value as written


@lru_cache(maxsize=8192)
def repair(value: str | None) -> Repair:
    """Read a raw ``opening_hours`` value, repairing frequent mapper mistakes.

    Valid values are returned unchanged. Invalid ones go through a fixed list
    of targeted rewrites (each recorded in ``changes``); if the result parses
    it is used, else the value is unreadable (``value`` is ``None``).
    """
    if value is None:
        return Repair(original="", value=None, error="no opening_hours value")
    original = value
    text = value.strip()
    if not text:
        return Repair(original=original, value=None, error="empty opening_hours value")
    changes: list[str] = []
    if _parses(text):
        if text != original:
            changes.append("surrounding spaces removed")
        text = _fix_misreadings(text, changes)
        return _logged(Repair(original=original, value=text, changes=tuple(changes)))
    for pattern, replacement, message in _FIXES:
        new = pattern.sub(replacement, text)
        if new != text:
            changes.append(message)
            text = new
    new = _COMMA_DAYS.sub("; ", text)
    if new != text:
        changes.append(_COMMA_DAYS_MSG)
        text = new
    new = _join_day_lists(text)
    if new != text:
        changes.append(_BARE_DAY_LIST_MSG)
        text = new
    text = re.sub(r" {2,}", " ", text).strip()
    if text and _parses(text):
        text = _fix_misreadings(text, changes)
        return _logged(Repair(original=original, value=text, changes=tuple(changes)))
    return _logged(Repair(
        original=original,
        value=None,
        changes=tuple(changes),
        error="not valid opening_hours syntax" + (f" even after repair (tried {text!r})" if changes else ""),
    ))


def _logged(r: Repair) -> Repair:
    """Log what was done to a value (once per distinct value: :func:`repair` is cached)."""
    if r.value is None:
        _log.info("opening_hours %r unreadable (%s): read as unknown", r.original, r.error)
    elif r.uncertain:
        _log.info("opening_hours %r read as %r, a flagged guess (%s)", r.original, r.value, "; ".join(r.changes))
    elif r.changes:
        _log.debug("opening_hours %r repaired to %r (%s)", r.original, r.value, "; ".join(r.changes))
    return r
