"""Opening hours: "is it open now", "will it still be open when I arrive".

The OpenStreetMap ``opening_hours`` grammar is parsed and evaluated by
opening-hours-py (no hand-written parser here). This module adds what a
visitor's phone needs on top of it:

* a **lenient normaliser** (:func:`repair`) for the frequent mistakes mappers
  make (``09:00-12:30 / 14:00-19:30``, ``9h30``, French day names, typographic
  dashes…). It says what it changed; what it cannot repair is *unreadable* and
  evaluates to ``unknown`` — never a crash, never a guessed "open";
  :mod:`heritage_kit.hours_repair` holds it, with its guard against three
  valid readings that would show a place open all day although its mapper
  never said so (``Mo-Tu, Th-Sa 06:30-13:30``; ``Mo "sur rendez-vous"``;
  ``Mo-Fr 08:00-12:00; Sa``),
  compared with opening_hours.js;
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
from heritage_kit.hours_repair import Repair, repair  # the lenient reader, re-exported here
from heritage_kit.hours_repair import parses as _parses
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
    def uncertain(self) -> bool:
        """The reading is a flagged guess (:attr:`Repair.uncertain`): show "hours uncertain", never "open"."""
        return self.repair.uncertain

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
