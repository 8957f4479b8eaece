"""Opening hours: "is it open now", "will it still be open when I arrive".

The OpenStreetMap ``opening_hours`` grammar is parsed and evaluated by
opening-hours-py (no hand-written parser here). This module adds what a
visitor's phone needs on top of it:

* a **lenient normaliser** (:func:`repair`) for the frequent mistakes mappers
  make (``09:00-12:30 / 14:00-19:30``, ``9h30``, French day names, typographic
  dashes…). It says what it changed; what it cannot repair is *unreadable* and
  evaluates to ``unknown`` — never a crash, never a guessed "open";
* evaluation in the pack's timezone with the country's public holidays for
  ``PH`` (France by default: 14 July, 25 December, Easter Monday…);
* :meth:`OpeningHours.is_open_for` (open on arrival and for the whole visit),
  :meth:`OpeningHours.intervals` (time windows for the route planner) and
  :meth:`OpeningHours.describe` in French and English.

Naive datetimes are read as local time in the place's timezone; aware ones are
converted. Every datetime returned is aware, in the place's timezone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import opening_hours as _oh

from heritage_kit.errors import HoursError
from heritage_kit.i18n import lang_of, text

__all__ = [
    "State",
    "Interval",
    "Repair",
    "OpeningHours",
    "repair",
    "hours_for",
    "is_public_holiday",
    "calendar_country",
    "DEFAULT_TIMEZONE",
]

DEFAULT_TIMEZONE = "Europe/Paris"
_DESCRIBE_HORIZON = timedelta(days=14)


class State(StrEnum):
    """The state of a place at an instant (compares equal to its string)."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


_STATE_OF = {_oh.State.OPEN: State.OPEN, _oh.State.CLOSED: State.CLOSED, _oh.State.UNKNOWN: State.UNKNOWN}


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of time of one state; ``comment`` is the value's comment, if any."""

    start: datetime
    end: datetime
    state: State
    comment: str = ""

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60.0


# --------------------------------------------------------------------------
# Lenient normaliser
# --------------------------------------------------------------------------


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


def _parses(value: str) -> bool:
    try:
        return bool(_oh.validate(value))
    except Exception:  # pragma: no cover - the binding only returns bools
        return False


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
    if _parses(text):
        changes = ("surrounding spaces removed",) if text != original else ()
        return Repair(original=original, value=text, changes=changes)
    changes: list[str] = []
    for pattern, replacement, message in _FIXES:
        new = pattern.sub(replacement, text)
        if new != text:
            changes.append(message)
            text = new
    new = _COMMA_DAYS.sub("; ", text)
    if new != text:
        changes.append(_COMMA_DAYS_MSG)
        text = new
    text = re.sub(r" {2,}", " ", text).strip()
    if text and _parses(text):
        return Repair(original=original, value=text, changes=tuple(changes))
    return Repair(
        original=original,
        value=None,
        changes=tuple(changes),
        error="not valid opening_hours syntax" + (f" even after repair (tried {text!r})" if changes else ""),
    )


# --------------------------------------------------------------------------
# Public holidays
# --------------------------------------------------------------------------


# French overseas departments and collectivities have their own ISO codes but no
# calendar in opening-hours-py: they get the national French holidays (their local
# ones, such as the abolition of slavery day, are not known).
_CALENDAR_OF = {code: "FR" for code in ("GP", "MQ", "GF", "RE", "YT", "BL", "MF", "PM", "NC", "PF", "WF", "TF")}


def calendar_country(country: str) -> str:
    """The country whose public-holiday calendar applies to ``country``."""
    code = (country or "FR").upper()
    return _CALENDAR_OF.get(code, code)


@lru_cache(maxsize=32)
def _holiday_probe(country: str) -> Any:
    try:
        return _oh.OpeningHours("PH", country=country, auto_country=False, auto_timezone=False)
    except Exception as exc:
        if type(exc).__name__ == "UnknownCountryError":
            raise HoursError(f"no public-holiday calendar for country code {country!r}") from None
        raise


@lru_cache(maxsize=4096)
def is_public_holiday(day: date, country: str = "FR") -> bool:
    """Whether ``day`` is a public holiday in ``country`` (opening-hours-py's calendar)."""
    return bool(_holiday_probe(calendar_country(country)).is_open(datetime.combine(day, time(12, 0))))


# --------------------------------------------------------------------------
# OpeningHours
# --------------------------------------------------------------------------

_PH_TOKEN = re.compile(r"\bPH\b")


def _zone(timezone: str | tzinfo | None) -> ZoneInfo:
    if timezone is None:
        return ZoneInfo(DEFAULT_TIMEZONE)
    if isinstance(timezone, ZoneInfo):
        return timezone
    name = timezone if isinstance(timezone, str) else getattr(timezone, "key", None) or str(timezone)
    if name in ("UTC+00:00", "UTC"):
        name = "UTC"
    try:
        return ZoneInfo(name)
    except Exception:
        raise HoursError(f"unknown timezone {timezone!r} (give an IANA name such as 'Europe/Paris')") from None


class OpeningHours:
    """An ``opening_hours`` value of one place, evaluated in its timezone.

    ``OpeningHours("Mo-Sa 09:00-19:30; PH off", country="FR", timezone="Europe/Paris")``

    With ``lenient=True`` (the default) invalid values are repaired when
    possible (:attr:`changes` says how) and otherwise read as always
    ``unknown`` (:attr:`error` says why). With ``lenient=False`` an invalid
    value raises :class:`~heritage_kit.errors.HoursError`.
    """

    __slots__ = ("raw", "repair", "country", "timezone", "_oh")

    def __init__(
        self,
        value: str | None,
        *,
        country: str = "FR",
        timezone: str | tzinfo | None = DEFAULT_TIMEZONE,
        location: Any = None,
        lenient: bool = True,
    ) -> None:
        self.raw = value
        self.country = calendar_country(country)
        _holiday_probe(self.country)  # an unknown country is a clear error, whatever the value
        self.timezone = _zone(timezone)
        if lenient:
            self.repair = repair(value)
        else:
            text = (value or "").strip()
            if not text or not _parses(text):
                raise HoursError(f"invalid opening_hours value {value!r}")
            self.repair = Repair(original=value or "", value=text)
        self._oh = None
        if self.repair.value is not None:
            coords = None
            if location is not None:
                coords = (float(location.lat), float(location.lon))
            try:
                self._oh = _oh.OpeningHours(
                    self.repair.value,
                    timezone=self.timezone,
                    country=self.country,
                    coords=coords,
                    auto_country=False,
                    auto_timezone=False,
                )
            except Exception as exc:  # validate() said yes; be safe anyway
                if not lenient:
                    raise HoursError(f"invalid opening_hours value {value!r}: {exc}") from None
                self.repair = Repair(original=value or "", value=None, changes=self.repair.changes, error=str(exc))

    # -- what was read -------------------------------------------------------
    @property
    def value(self) -> str | None:
        """The value actually evaluated (repaired if needed), or ``None``."""
        return self.repair.value

    @property
    def readable(self) -> bool:
        return self._oh is not None

    @property
    def changes(self) -> tuple[str, ...]:
        return self.repair.changes

    @property
    def error(self) -> str | None:
        return self.repair.error

    @property
    def warnings(self) -> list[str]:
        return list(self._oh.warnings) if self._oh is not None else []

    def __repr__(self) -> str:
        flag = "" if self.readable else " unreadable"
        return f"<OpeningHours {self.raw!r}{flag}>"

    # -- time helpers ----------------------------------------------------------
    def localize(self, dt: datetime | None) -> datetime:
        """``dt`` as an aware datetime in this place's timezone (naive = local; ``None`` = now)."""
        return self._local(dt)

    def _local(self, dt: datetime | None) -> datetime:
        if dt is None:
            return datetime.now(self.timezone)
        if not isinstance(dt, datetime):
            raise HoursError(f"expected a datetime, got {type(dt).__name__}")
        if dt.tzinfo is None:
            return dt.replace(tzinfo=self.timezone)
        return dt.astimezone(self.timezone)

    # -- evaluation -----------------------------------------------------------
    def state(self, dt: datetime | None = None) -> State:
        """``open``, ``closed`` or ``unknown`` at ``dt`` (``unknown`` when unreadable)."""
        return self.state_and_comment(dt)[0]

    def state_and_comment(self, dt: datetime | None = None) -> tuple[State, str]:
        at = self._local(dt)
        if self._oh is None:
            return State.UNKNOWN, ""
        st, comment = self._oh.state(at)
        return _STATE_OF[st], comment

    def is_open(self, dt: datetime | None = None) -> bool:
        """True only when known to be open (never for an unreadable value)."""
        return self.state(dt) is State.OPEN

    def next_change(self, dt: datetime | None = None) -> datetime | None:
        """When the state next changes after ``dt`` (``None``: never, or unreadable)."""
        at = self._local(dt)
        if self._oh is None:
            return None
        nxt = self._oh.next_change(at)
        return None if nxt is None else self._local(nxt)

    def intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Successive intervals of constant state covering ``[start, end)``."""
        s, e = self._local(start), self._local(end)
        if e <= s:
            return []
        if self._oh is None:
            return [Interval(s, e, State.UNKNOWN, "")]
        out: list[Interval] = []
        for a, b, st, comment in self._oh.intervals(s, e):
            a, b = max(self._local(a), s), min(self._local(b), e)
            if b > a:
                out.append(Interval(a, b, _STATE_OF[st], comment))
        return out

    def open_intervals(self, start: datetime, end: datetime) -> list[Interval]:
        """Only the ``open`` intervals within ``[start, end)`` (time windows)."""
        return [iv for iv in self.intervals(start, end) if iv.state is State.OPEN]

    def is_open_for(self, arrival: datetime, minutes: float) -> bool:
        """Open on ``arrival`` and for the whole visit of ``minutes`` (known open throughout)."""
        if minutes < 0:
            raise HoursError("visit length must not be negative")
        at = self._local(arrival)
        if minutes == 0:
            return self.is_open(at)
        ivs = self.intervals(at, at + timedelta(minutes=minutes))
        return bool(ivs) and all(iv.state is State.OPEN for iv in ivs)

    def next_open(self, dt: datetime | None = None, *, within: timedelta = _DESCRIBE_HORIZON) -> datetime | None:
        """Start of the next ``open`` interval after ``dt`` (``dt`` itself if open now)."""
        at = self._local(dt)
        for iv in self.intervals(at, at + within):
            if iv.state is State.OPEN:
                return iv.start
        return None

    # -- words ------------------------------------------------------------------
    def describe(self, dt: datetime | None = None, lang: str = "en") -> str:
        """A short sentence for a visitor, in French (``fr``) or English.

        ``Ouvert jusqu'à 19:30`` / ``Open until 19:30``,
        ``Fermé · Ouvre lundi à 09:00`` / ``Closed · Opens Monday at 09:00``,
        ``Fermé (jour férié) · …``, ``Horaires inconnus`` / ``Opening hours unknown``.
        """
        lang = lang_of(lang)

        def words(key: str) -> str:
            return text(f"hours.{key}", lang)

        at = self._local(dt)
        state, comment = self.state_and_comment(at)
        note = f" ({comment})" if comment else ""
        if state is State.UNKNOWN:
            return words("unknown") + note
        if state is State.OPEN:
            until = self.next_change(at)
            if until is None:
                return words("always") + note
            return _phrase(lang, "until", until, at) + note
        closed = words("closed")
        if _PH_TOKEN.search(self.value or "") and is_public_holiday(at.date(), self.country):
            closed = words("closed_ph")
        opens = self.next_open(at)
        if opens is None:
            return closed + note
        return closed + " · " + _phrase(lang, "opens", opens, at) + note


def _phrase(lang: str, what: str, target: datetime, now: datetime) -> str:
    """``Open until 19:30``, ``Opens tomorrow at 09:00``, ``Ouvre lundi à 09:00``… (texts in :mod:`heritage_kit.i18n`)."""
    t = target.strftime("%H:%M")
    days = (target.date() - now.date()).days
    if what == "until" and days == 1 and target.time() == time(0, 0):
        return text("hours.until_midnight", lang)
    if days <= 0:
        key = "today"
    elif days == 1:
        key = "tomorrow"
    elif days < 7:
        key = "weekday"
    else:
        key = "date"
    n = text("hours.first", lang) if target.day == 1 else str(target.day)
    return text(f"hours.{what}_{key}", lang, t=t, d=text(f"hours.day.{target.weekday()}", lang), n=n,
                m=text(f"hours.month.{target.month}", lang))


@lru_cache(maxsize=16384)
def _cached(value: str | None, country: str, timezone: str) -> OpeningHours:
    return OpeningHours(value, country=country, timezone=timezone)


def hours_for(value: str | None, *, country: str = "FR", timezone: str | tzinfo = DEFAULT_TIMEZONE) -> OpeningHours:
    """A cached :class:`OpeningHours` (same value, country and timezone -> same object)."""
    tzname = timezone if isinstance(timezone, str) else getattr(timezone, "key", None)
    if tzname is None:
        return OpeningHours(value, country=country, timezone=timezone)
    return _cached(value, country.upper(), tzname)
