"""Dated events of a town: markets, sales, concerts, the European Heritage Days, guided visits.

An event is attached to a POI of the pack (``poi``) or to a place (``location``), or both. ``start`` and
``end`` are **local** wall-clock times, without an offset: they are read in the pack's timezone (the
manifest's ``timezone``), so a market at 07:00 stays at 07:00 on both sides of a change of summer time.
A ``recurrence`` repeats the first occurrence (``start``–``end``) weekly, monthly or yearly; the expansion
into dated occurrences is :func:`heritage_kit.events.occurrences` (python-dateutil's ``rrule`` underneath).

Packs carry them as ``events.json`` (``{"events": [Event, …]}``, pack format 1.2).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from heritage_kit.models.poi import Source
from heritage_kit.models.text import LocalizedText
from heritage_kit.types import HttpUrl, LatLon, PoiId

__all__ = ["Event", "Recurrence", "EVENT_KINDS", "WEEKDAYS", "HOLIDAY_RULES"]

EVENT_KINDS: tuple[str, ...] = (
    "market", "sale", "concert", "heritage_days", "guided_visit", "festival", "exhibition", "closure", "other",
)
EventKind = Literal["market", "sale", "concert", "heritage_days", "guided_visit", "festival", "exhibition",
                    "closure", "other"]
WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# what an occurrence falling on a public holiday does: takes place anyway, does not take place, or is held
# the day before / the day after (a Thursday market held on the Wednesday of Ascension week)
HOLIDAY_RULES: tuple[str, ...] = ("keep", "skip", "day_before", "day_after")
HolidayRule = Literal["keep", "skip", "day_before", "day_after"]

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
EventId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.:-]*$")]
_MAX_SPAN_DAYS = 366  # one occurrence lasts at most a year (a sale of a few weeks, a summer exhibition)


class Recurrence(BaseModel):
    """How the first occurrence repeats (a subset of iCalendar's RRULE, expanded by python-dateutil).

    * ``weekly`` on ``weekdays`` (default: ``start``'s weekday), every ``interval`` weeks;
    * ``monthly`` on the ``nth`` ``weekdays`` of the month (``nth`` 1…5, or -1 for the last; "first Sunday":
      ``weekdays: ["SU"], nth: 1``), or on ``start``'s day of the month without ``weekdays``;
    * ``yearly`` in ``months`` (default: ``start``'s month), on the ``nth`` ``weekdays`` of that month
      (the European Heritage Days: ``months: [9], weekdays: ["SA"], nth: 3``), or on ``start``'s date.

    ``until`` (a local date, included) or ``count`` ends it; ``except_dates`` are cancelled occurrences;
    ``on_public_holiday`` says what an occurrence on a public holiday of the pack's country does.
    """

    model_config = _STRICT

    freq: Literal["weekly", "monthly", "yearly"]
    interval: Annotated[int, Field(ge=1, le=52)] = 1
    weekdays: Annotated[list[Weekday], Field(max_length=7)] | None = None
    nth: Annotated[int, Field(ge=-1, le=5)] | None = None
    months: Annotated[list[Annotated[int, Field(ge=1, le=12)]], Field(min_length=1, max_length=12)] | None = None
    until: date | None = None
    count: Annotated[int, Field(ge=1, le=10_000)] | None = None
    except_dates: Annotated[list[date], Field(max_length=500)] = Field(default_factory=list)
    on_public_holiday: HolidayRule = "keep"

    @model_validator(mode="after")
    def _check(self):
        if self.nth == 0:
            raise ValueError("nth must be 1 to 5, or -1 for the last")
        if self.nth is not None and not self.weekdays:
            raise ValueError("nth needs weekdays (e.g. weekdays: [\"SU\"], nth: 1 for the first Sunday)")
        if self.nth is not None and self.freq == "weekly":
            raise ValueError("nth is for monthly or yearly recurrences")
        if self.months is not None and self.freq != "yearly":
            raise ValueError("months is for yearly recurrences")
        if self.weekdays is not None and len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError("a weekday repeats")
        if self.until is not None and self.count is not None:
            raise ValueError("give until or count, not both")
        return self


def _local(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError("give a local time without a UTC offset (e.g. \"2026-09-19T10:00\"): "
                         "the pack's timezone applies")
    return value


class Event(BaseModel):
    """A dated event (see the module docstring)."""

    model_config = _STRICT

    id: EventId
    kind: EventKind
    title: LocalizedText
    text: LocalizedText | None = None
    start: datetime  # local time, no offset
    end: datetime  # local time, no offset, after start
    recurrence: Recurrence | None = None
    poi: PoiId | None = None
    location: LatLon | None = None
    # the POI is open to visitors during the event (a market on its marketplace); default: true for a market
    # or a sale held at a POI
    opens_poi: bool | None = None
    # the POI is closed to visitors during the event (a private ceremony in a church, works)
    closes_poi: bool = False
    url: HttpUrl | None = None
    source: Source

    @field_validator("start", "end")
    @classmethod
    def _no_offset(cls, value: datetime) -> datetime:
        return _local(value)

    @model_validator(mode="after")
    def _check(self):
        if self.poi is None and self.location is None:
            raise ValueError("an event needs a poi (a POI id of the pack) or a location (lat/lon)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if (self.end - self.start).days > _MAX_SPAN_DAYS:
            raise ValueError(f"one occurrence may last at most {_MAX_SPAN_DAYS} days")
        if self.closes_poi and self.opens_poi:
            raise ValueError("an event cannot both open and close its POI")
        if (self.closes_poi or self.opens_poi) and self.poi is None:
            raise ValueError("opens_poi / closes_poi need the event's poi")
        if self.source.licence is None:
            raise ValueError("the event's source needs its licence (e.g. \"Licence Ouverte 2.0\", \"CC0\")")
        return self

    @property
    def opens(self) -> bool:
        """Whether the event makes its POI open (``opens_poi``, by default a market or a sale at a POI)."""
        if self.closes_poi or self.poi is None:
            return False
        return self.opens_poi if self.opens_poi is not None else self.kind in ("market", "sale")
