"""Events in time: dated occurrences of a pack's events, and what they do to a POI's opening.

Pure functions (no I/O):

* :func:`occurrences` expands events (:class:`heritage_kit.models.event.Event`) into dated, timezone-aware
  :class:`Occurrence` s overlapping a window. Recurrences are python-dateutil ``rrule`` s over **local
  wall-clock** times: a weekly market at 07:00 is at 07:00 before and after a change of summer time (its
  UTC time moves by an hour). A local time that does not exist (02:30 on the night clocks go forward) is
  moved forward by the gap (03:30); one that happens twice (02:30 when clocks go back) is the first, in
  summer time. Public holidays of the pack's country (:func:`heritage_kit.hours.is_public_holiday`, the
  opening-hours-py calendar) apply the recurrence's ``on_public_holiday``: ``keep``, ``skip``, or held the
  ``day_before`` / ``day_after`` (not held at all when that day is a holiday too). ``except_dates`` are
  cancelled. An event without recurrence is its one occurrence (its holiday rule does not apply).
* :func:`poi_event_windows` — for one POI, the stretches an event opens it (a market on its marketplace)
  and closes it (``closes_poi``: a ceremony in a church) within a window;
* :func:`availability` combines them with the POI's opening hours: ``(open hours ∪ opened) − closed``;
  :func:`open_throughout` checks a visit against that (the trail planner's proof, heritage_kit.routing.trail).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import rrule as _rr

from heritage_kit.errors import ArgumentTypeError
from heritage_kit.hours import is_public_holiday
from heritage_kit.models.event import Event

__all__ = ["Occurrence", "occurrences", "poi_event_windows", "availability", "open_throughout", "upcoming",
           "Span"]

Span = tuple[datetime, datetime]  # [start, end), aware

_FREQ = {"weekly": _rr.WEEKLY, "monthly": _rr.MONTHLY, "yearly": _rr.YEARLY}
_WEEKDAY = {"MO": _rr.MO, "TU": _rr.TU, "WE": _rr.WE, "TH": _rr.TH, "FR": _rr.FR, "SA": _rr.SA, "SU": _rr.SU}
_SHIFT = {"day_before": -1, "day_after": 1}
_MARGIN = timedelta(days=2)  # a holiday move shifts an occurrence by a day: look a little wider


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated occurrence of an event; ``start``/``end`` aware, in the pack's timezone."""

    event: Event
    start: datetime
    end: datetime
    moved_from: date | None = None  # held on another day because its own day is a public holiday

    @property
    def poi(self) -> str | None:
        return self.event.poi


def _zone(tz: tzinfo | str) -> tzinfo:
    if isinstance(tz, str):
        return ZoneInfo(tz)
    if isinstance(tz, tzinfo):
        return tz
    raise ArgumentTypeError(f"tz: expected a timezone name or tzinfo, got {type(tz).__name__}", argument="tz",
                            value=tz)


def _aware(local: datetime, tz: tzinfo) -> datetime:
    """A local wall-clock time in ``tz``; a time in a spring-forward gap moves forward by the gap."""
    return local.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def _naive_local(dt: datetime, tz: tzinfo) -> datetime:
    if not isinstance(dt, datetime):
        raise ArgumentTypeError(f"expected a datetime, got {type(dt).__name__}", argument="start/end", value=dt)
    return dt if dt.tzinfo is None else dt.astimezone(tz).replace(tzinfo=None)


def _rule(event: Event) -> _rr.rrule:
    r = event.recurrence
    assert r is not None
    byweekday = None
    if r.weekdays:
        byweekday = [_WEEKDAY[w](r.nth) if r.nth is not None else _WEEKDAY[w] for w in r.weekdays]
    bymonth = r.months
    if r.freq == "yearly" and bymonth is None and byweekday is not None:
        bymonth = [event.start.month]
    until = datetime.combine(r.until, time.max) if r.until is not None else None
    return _rr.rrule(_FREQ[r.freq], dtstart=event.start, interval=r.interval, byweekday=byweekday,
                     bymonth=bymonth, until=until, count=r.count)


def _local_starts(event: Event, lo: datetime, hi: datetime, country: str) -> Iterable[tuple[datetime, date | None]]:
    """Local start times within [lo, hi] (naive), with the date an occurrence was moved from."""
    r = event.recurrence
    if r is None:
        if lo <= event.start <= hi:
            yield event.start, None
        return
    cancelled = set(r.except_dates)
    for start in _rule(event).between(lo, hi, inc=True):
        day = start.date()
        if day in cancelled:
            continue
        if r.on_public_holiday != "keep" and is_public_holiday(day, country):
            if r.on_public_holiday == "skip":
                continue
            moved = start + timedelta(days=_SHIFT[r.on_public_holiday])
            if is_public_holiday(moved.date(), country) or moved.date() in cancelled:
                continue
            yield moved, day
            continue
        yield start, None


def occurrences(events: Iterable[Event], start: datetime, end: datetime, tz: tzinfo | str, *,
                country: str = "FR") -> list[Occurrence]:
    """Every occurrence of ``events`` overlapping ``[start, end)``, by start time (see the module docstring).

    ``start``/``end``: aware, or naive local times in ``tz`` (the pack's timezone); ``country``: whose public
    holidays apply (the pack manifest's ``country``).
    """
    zone = _zone(tz)
    lo_local, hi_local = _naive_local(start, zone), _naive_local(end, zone)
    win_start, win_end = _aware(lo_local, zone), _aware(hi_local, zone)
    out: list[Occurrence] = []
    if win_end <= win_start:
        return out
    for event in events:
        length = event.end - event.start  # wall-clock length: 07:00–13:00 stays 07:00–13:00 across DST
        for local, moved_from in _local_starts(event, lo_local - length - _MARGIN, hi_local + _MARGIN, country):
            s, e = _aware(local, zone), _aware(local + length, zone)
            if s < win_end and e > win_start:
                out.append(Occurrence(event, s, e, moved_from))
    out.sort(key=lambda o: (o.start, o.event.id))
    return out


def upcoming(events: Iterable[Event], now: datetime, tz: tzinfo | str, *, days: int = 7,
             country: str = "FR") -> list[Occurrence]:
    """The occurrences still to come or under way from ``now`` for ``days`` days ("This week")."""
    zone = _zone(tz)
    at = _aware(_naive_local(now, zone), zone)
    return occurrences(events, at, at + timedelta(days=days), zone, country=country)


# -- what events do to a POI ------------------------------------------------------------------------------
def _merge(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    holes = _merge(holes)
    for a, b in _merge(spans):
        cur = a
        for ha, hb in holes:
            if hb <= cur or ha >= b:
                continue
            if ha > cur:
                out.append((cur, ha))
            cur = max(cur, hb)
            if cur >= b:
                break
        if cur < b:
            out.append((cur, b))
    return out


def poi_event_windows(occs: Iterable[Occurrence], poi_id: str) -> tuple[list[Span], list[Span]]:
    """(opened, closed): the merged stretches the occurrences open and close POI ``poi_id``."""
    opened: list[Span] = []
    closed: list[Span] = []
    for o in occs:
        if o.event.poi != poi_id:
            continue
        if o.event.closes_poi:
            closed.append((o.start, o.end))
        elif o.event.opens:
            opened.append((o.start, o.end))
    return _merge(opened), _merge(closed)


def availability(open_spans: Sequence[Span] | None, opened: Sequence[Span], closed: Sequence[Span], *,
                 window: Span) -> list[Span] | None:
    """When a POI may be visited within ``window``: ``(open_spans ∪ opened) − closed``.

    ``open_spans`` are the open intervals of its opening hours, or None when nothing constrains the visit (a
    square, a statue; or hours not checked): then an event can only close it, and None comes back when no
    event does.
    """
    a, b = window
    clip = [(max(s, a), min(e, b)) for s, e in closed]
    if open_spans is None:
        if not any(e > s for s, e in clip):
            return None
        return _subtract([window], clip)
    spans = _merge([*open_spans, *((max(s, a), min(e, b)) for s, e in opened)])
    return _subtract(spans, clip)


def open_throughout(spans: Sequence[Span], begin: datetime, minutes: float) -> bool:
    """Whether one of ``spans`` covers the whole visit ``[begin, begin + minutes]``."""
    finish = begin + timedelta(minutes=minutes)
    return any(s <= begin and finish <= e for s, e in _merge(spans))
