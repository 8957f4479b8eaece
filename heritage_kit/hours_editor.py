"""The merchant's hours editor: a structured week <-> a canonical OSM ``opening_hours`` value.

A :class:`WeekForm` is what a shopkeeper fills in: per day closed or a few time
ranges (a lunch break is two ranges, :meth:`WeekForm.with_lunch_break`),
exceptional closures (a date or a date range), and public holidays closed
(``PH off``), as usual, or with their own hours.

* :func:`to_value` writes the compact, canonical value: equal days grouped
  (``Mo-Fr``; ``Mo-Tu,Th-Sa`` with a comma *inside* one selector, never the
  ``", "`` rule separator that makes ``Mo-Tu, Th-Sa 06:30-13:30`` open all day
  on Monday and Tuesday), then ``PH off``, then the closures
  (``2026 Dec 24-26,2027 Jan 01 off``); the result is checked by the project's
  parser (:class:`heritage_kit.hours.OpeningHours`, opening-hours-py).
* :func:`problems` lists what is wrong, each naming its day and field, in
  French and English; :func:`to_value` raises them as one
  :class:`~heritage_kit.errors.HoursEditError`.
* :func:`describe_form` reads the form back in plain French or English.
* :func:`from_value` reads a simple existing value into a form, or says why it
  cannot (the raw value is kept, never rewritten).

Times are minutes from midnight (``24:00`` = 1440 closes at midnight); ranges
past midnight are not offered. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Iterable, Literal

from heritage_kit.errors import HoursEditError, HoursError
from heritage_kit.i18n import lang_of, text

__all__ = [
    "DAYS",
    "TimeRange",
    "Closure",
    "WeekForm",
    "Problem",
    "Reading",
    "parse_time",
    "problems",
    "to_value",
    "describe_form",
    "from_value",
]

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
"""OSM day codes, Monday first (index = ``date.weekday()``)."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
Holidays = Literal["closed", "as_usual", "hours"]


# --------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------


def parse_time(value: str | int) -> int:
    """``"09:30"``, ``"9:30"``, ``"9h30"``, ``"9h"``, ``"0930"`` or minutes -> minutes from midnight.

    Raises ``ValueError`` (with the value) when unreadable or past 24:00.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    else:
        s = str(value).strip().lower().replace(" ", "")
        m = re.fullmatch(r"(\d{1,2})(?:[:h.](\d{2})?)?|(\d{2})(\d{2})", s)
        if not m:
            raise ValueError(f"unreadable time {value!r}")
        hh, mm = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if mm is not None and int(mm) > 59:
            raise ValueError(f"unreadable time {value!r}")
        minutes = int(hh) * 60 + int(mm or 0)
    if not 0 <= minutes <= 1440:
        raise ValueError(f"unreadable time {value!r}")
    return minutes


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """Open from ``start`` to ``end`` (minutes from midnight; ``end`` 1440 = midnight)."""

    start: int
    end: int

    @classmethod
    def of(cls, start: str | int, end: str | int) -> "TimeRange":
        """``TimeRange.of("09:00", "12:30")`` (raises ``ValueError`` on an unreadable time)."""
        return cls(parse_time(start), parse_time(end))

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True, slots=True)
class Closure:
    """Closed from ``start`` to ``end`` inclusive (``end=None``: that day only)."""

    start: date
    end: date | None = None

    @property
    def last(self) -> date:
        return self.end or self.start

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.last


def _ranges(items: Iterable[TimeRange | tuple[str | int, str | int]]) -> tuple[TimeRange, ...]:
    return tuple(r if isinstance(r, TimeRange) else TimeRange.of(*r) for r in items)


def _day_index(day: str | int) -> int:
    if isinstance(day, int):
        if 0 <= day < 7:
            return day
    elif day[:2].capitalize() in DAYS:
        return DAYS.index(day[:2].capitalize())
    raise HoursError(f"unknown day {day!r} (give one of {', '.join(DAYS)} or 0-6)")


@dataclass(frozen=True, slots=True)
class WeekForm:
    """A shop's week: ``days[i]`` the ranges of day ``i`` (Monday first; empty = closed)."""

    days: tuple[tuple[TimeRange, ...], ...] = ((),) * 7
    closures: tuple[Closure, ...] = ()
    holidays: Holidays = "closed"
    holiday_ranges: tuple[TimeRange, ...] = ()

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise HoursError(f"a week has 7 days, got {len(self.days)}")
        if self.holidays not in ("closed", "as_usual", "hours"):
            raise HoursError(f"holidays must be 'closed', 'as_usual' or 'hours', got {self.holidays!r}")

    # -- building -------------------------------------------------------------
    @classmethod
    def weekly(cls, ranges: dict[str, Iterable], **kw) -> "WeekForm":
        """``WeekForm.weekly({"Mo-Fr": [("09:00", "12:00"), ("14:00", "19:00")], "Sa": [("09:00", "19:00")]})``."""
        days: list[tuple[TimeRange, ...]] = [()] * 7
        for sel, rs in ranges.items():
            for i in _selector_days(sel):
                days[i] = _ranges(rs)
        return cls(days=tuple(days), **kw)

    def with_day(self, day: str | int, ranges: Iterable = ()) -> "WeekForm":
        """This form with ``day``'s ranges replaced (empty: closed)."""
        days = list(self.days)
        days[_day_index(day)] = _ranges(ranges)
        return replace(self, days=tuple(days))

    def closed_on(self, day: str | int) -> "WeekForm":
        return self.with_day(day, ())

    def copy_day(self, source: str | int, targets: Iterable[str | int]) -> "WeekForm":
        """``source``'s ranges given to every day of ``targets``."""
        form = self
        for t in targets:
            form = form.with_day(t, self.days[_day_index(source)])
        return form

    def with_lunch_break(self, day: str | int, start: str | int, end: str | int) -> "WeekForm":
        """Split the range of ``day`` that holds ``start``–``end`` into two (a lunch break).

        Raises :class:`~heritage_kit.errors.HoursEditError` (field ``lunch``) when the
        break does not fall strictly inside one opening range of that day.
        """
        i = _day_index(day)
        where = f"days.{DAYS[i]}.lunch"
        try:
            a, b = parse_time(start), parse_time(end)
        except ValueError:
            bad = start if not _readable(start) else end
            raise _error([_problem("bad_time", DAYS[i], where, value=bad)]) from None
        out: list[TimeRange] = []
        done = False
        for r in self.days[i]:
            if not done and r.start < a < b < r.end:
                out += [TimeRange(r.start, a), TimeRange(b, r.end)]
                done = True
            else:
                out.append(r)
        if not done:
            raise _error([_problem("lunch_outside", DAYS[i], where, start=_hhmm(a), end=_hhmm(b))])
        return self.with_day(i, out)

    def with_closure(self, start: date, end: date | None = None) -> "WeekForm":
        return replace(self, closures=self.closures + (Closure(start, end),))

    def without_closure(self, index: int) -> "WeekForm":
        return replace(self, closures=self.closures[:index] + self.closures[index + 1:])

    def without_past_closures(self, today: date) -> "WeekForm":
        """Closures that ended before ``today`` dropped (the caller gives today: no clock here)."""
        return replace(self, closures=tuple(c for c in self.closures if c.last >= today))

    def with_holidays(self, mode: Holidays, ranges: Iterable = ()) -> "WeekForm":
        return replace(self, holidays=mode, holiday_ranges=_ranges(ranges))

    # -- reading ----------------------------------------------------------------
    def is_open(self, at: datetime, *, public_holiday: bool = False) -> bool:
        """What the form says at local time ``at`` (the oracle the tests compare the parser with)."""
        day = at.date()
        if any(c.covers(day) for c in self.closures):
            return False
        ranges = self.days[day.weekday()]
        if public_holiday and self.holidays == "closed":
            return False
        if public_holiday and self.holidays == "hours":
            ranges = self.holiday_ranges
        m = at.hour * 60 + at.minute
        return any(r.start <= m < r.end for r in ranges)


# --------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a form: ``code``, the ``day`` (``"Tu"``, or ``None``), the ``field``, and the sentences."""

    code: str
    day: str | None
    field: str
    fr: str
    en: str

    def text(self, lang: str) -> str:
        return self.fr if lang_of(lang) == "fr" else self.en


def _where(day: str | None, field_name: str, lang: str) -> str:
    if field_name.startswith("holidays"):
        return text("hours.edit.holidays", lang)
    if day is None:
        return field_name
    name = text(f"hours.day.{DAYS.index(day)}", lang)
    return name[:1].upper() + name[1:]


def _problem(code: str, day: str | None, field_name: str, **fmt) -> Problem:
    fr = text(f"hours.edit.{code}", "fr", where=_where(day, field_name, "fr"), **fmt)
    en = text(f"hours.edit.{code}", "en", where=_where(day, field_name, "en"), **fmt)
    return Problem(code, day, field_name, fr, en)


def _error(found: list[Problem]) -> HoursEditError:
    first = found[0]
    return HoursEditError(f"{first.field}: {first.en}", problems=tuple(found))


def _readable(value: object) -> bool:
    try:
        parse_time(value)  # type: ignore[arg-type]
        return True
    except ValueError:
        return False


def _range_problems(ranges: tuple[TimeRange, ...], day: str | None, base: str) -> list[Problem]:
    out: list[Problem] = []
    for k, r in enumerate(ranges):
        if r.end <= r.start:
            out.append(_problem("end_before_start", day, f"{base}[{k}].end", start=_hhmm(r.start), end=_hhmm(r.end)))
    ordered = sorted((r, k) for k, r in enumerate(ranges) if r.end > r.start)
    for (r1, k1), (r2, k2) in zip(ordered, ordered[1:]):
        if r2.start < r1.end:
            out.append(_problem("overlap", day, f"{base}[{max(k1, k2)}].start", a=_dash(r1), b=_dash(r2)))
    return out


def _dash(r: TimeRange) -> str:
    return f"{_hhmm(r.start)}–{_hhmm(r.end)}"


def problems(form: WeekForm) -> list[Problem]:
    """Everything wrong with ``form`` (empty: it can be written)."""
    out: list[Problem] = []
    for i, ranges in enumerate(form.days):
        out += _range_problems(ranges, DAYS[i], f"days.{DAYS[i]}.ranges")
    if not any(form.days):
        out.append(_problem("no_open_day", None, "days"))
    if form.holidays == "hours":
        if not form.holiday_ranges:
            out.append(_problem("ph_no_hours", None, "holidays.ranges"))
        out += _range_problems(form.holiday_ranges, None, "holidays.ranges")
    for k, c in enumerate(form.closures):
        if c.end is not None and c.end < c.start:
            out.append(_problem("closure_order", None, f"closures[{k}].end",
                                start=c.start.isoformat(), end=c.end.isoformat()))
    return out


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _selector(indices: list[int]) -> str:
    """``[0, 1, 3, 4, 5]`` -> ``Mo-Tu,Th-Sa`` (one selector, commas inside, no space)."""
    return ",".join(DAYS[a] if a == b else f"{DAYS[a]}-{DAYS[b]}" for a, b in _runs(indices))


def _times(ranges: tuple[TimeRange, ...]) -> str:
    return ",".join(str(r) for r in sorted(ranges, key=lambda r: r.start))


def _osm_date(d: date, *, year: bool = True, month: bool = True) -> str:
    parts = ([str(d.year)] if year else []) + ([_MONTHS[d.month - 1]] if month else []) + [f"{d.day:02d}"]
    return " ".join(parts)


def _closure_selector(c: Closure) -> str:
    if c.end is None or c.end == c.start:
        return _osm_date(c.start)
    if (c.end.year, c.end.month) == (c.start.year, c.start.month):
        return f"{_osm_date(c.start)}-{c.end.day:02d}"
    return f"{_osm_date(c.start)}-{_osm_date(c.end)}"


def _groups(form: WeekForm) -> list[tuple[list[int], tuple[TimeRange, ...]]]:
    groups: dict[tuple[TimeRange, ...], list[int]] = {}
    for i, ranges in enumerate(form.days):
        if ranges:
            groups.setdefault(tuple(sorted(ranges, key=lambda r: r.start)), []).append(i)
    return sorted(((days, ranges) for ranges, days in groups.items()), key=lambda g: g[0][0])


def to_value(form: WeekForm, *, country: str = "FR") -> str:
    """The canonical ``opening_hours`` value of ``form``, checked by the parser.

    Raises :class:`~heritage_kit.errors.HoursEditError` listing every problem.
    """
    found = problems(form)
    if found:
        raise _error(found)
    groups = _groups(form)
    if len(groups) == 1 and len(groups[0][0]) == 7 and groups[0][1] == (TimeRange(0, 1440),):
        rules = ["24/7"]
    else:
        rules = [f"{_selector(days)} {_times(ranges)}" for days, ranges in groups]
    if form.holidays == "closed":
        rules.append("PH off")
    elif form.holidays == "hours":
        rules.append(f"PH {_times(form.holiday_ranges)}")
    closures = sorted(set(form.closures), key=lambda c: (c.start, c.last))
    if closures:
        rules.append(",".join(_closure_selector(c) for c in closures) + " off")
    value = "; ".join(rules)
    from heritage_kit.hours import OpeningHours

    try:
        OpeningHours(value, country=country, lenient=False)
    except HoursError:  # a bug here, never the merchant's: still a clear error
        raise _error([_problem("invalid", None, "value", value=value)]) from None
    return value


# --------------------------------------------------------------------------
# Plain words
# --------------------------------------------------------------------------


def _day_name(i: int, lang: str) -> str:
    return text(f"hours.day.{i}", lang)


def _day_list(indices: list[int], lang: str) -> str:
    parts = []
    for a, b in _runs(indices):
        if a == b:
            parts.append(_day_name(a, lang))
        elif b == a + 1:
            parts += [_day_name(a, lang), _day_name(b, lang)]
        else:
            parts.append(text("hours.edit.days_range", lang, a=_day_name(a, lang), b=_day_name(b, lang)))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f" {text('hours.edit.and', lang)} " + parts[-1]


def _hours_words(ranges: tuple[TimeRange, ...], lang: str) -> str:
    if ranges == (TimeRange(0, 1440),):
        return text("hours.edit.all_day", lang)
    return ", ".join(_dash(r) for r in sorted(ranges, key=lambda r: r.start))


def _date_words(d: date, lang: str, *, month: bool = True, year: bool = True) -> str:
    words = [text("hours.first", lang) if d.day == 1 else str(d.day)]
    words += [text(f"hours.month.{d.month}", lang)] if month else []
    return " ".join(words + ([str(d.year)] if year else []))


def _span_words(c: Closure, lang: str) -> tuple[str, str]:
    """``("24", "26 décembre 2026")``, ``("31 décembre 2026", "2 janvier 2027")``: the start says only what differs."""
    a, b = c.start, c.last
    return _date_words(a, lang, month=(a.year, a.month) != (b.year, b.month), year=a.year != b.year), _date_words(b, lang)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def describe_form(form: WeekForm, lang: str = "en") -> list[str]:
    """The form in plain words, one line per group: ``Du lundi au vendredi : 09:00–12:00, 14:00–19:00``…"""
    lang = lang_of(lang)
    lines = [_cap(text("hours.edit.line", lang, days=_day_list(days, lang), hours=_hours_words(ranges, lang)))
             for days, ranges in _groups(form)]
    closed = [i for i, r in enumerate(form.days) if not r]
    if closed:
        lines.append(text("hours.edit.closed_days", lang, days=_day_list(closed, lang)))
    if form.holidays == "closed":
        lines.append(text("hours.edit.ph_closed", lang))
    elif form.holidays == "hours":
        lines.append(text("hours.edit.ph_hours", lang, hours=_hours_words(form.holiday_ranges, lang)))
    else:
        lines.append(text("hours.edit.ph_as_usual", lang))
    for c in sorted(form.closures, key=lambda c: c.start):
        if c.end is None or c.end == c.start:
            lines.append(text("hours.edit.closure_day", lang, date=_date_words(c.start, lang)))
        else:
            start, end = _span_words(c, lang)
            lines.append(text("hours.edit.closure_range", lang, start=start, end=end))
    return lines


# --------------------------------------------------------------------------
# Reading an existing value
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reading:
    """:func:`from_value`'s answer: the ``form``, or ``None`` with the part it could not read (``raw`` kept)."""

    raw: str
    form: WeekForm | None
    part: str = ""
    fr: str = ""
    en: str = ""

    @property
    def editable(self) -> bool:
        return self.form is not None


_WD = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_WD_SEL = re.compile(rf"{_WD}(?:-{_WD})?(?:,{_WD}(?:-{_WD})?)*")
_TIME = r"\d{2}:\d{2}-\d{2}:\d{2}"
_TIMES = re.compile(rf"{_TIME}(?:,{_TIME})*")
_DATE = r"(\d{4}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2})"
_DATE_ITEM = re.compile(rf"{_DATE}(?:-(?:{_DATE}|(\d{{1,2}})))?")
_OFF = ("off", "closed")


def _selector_days(sel: str) -> list[int]:
    if not _WD_SEL.fullmatch(sel):
        raise HoursError(f"unreadable day selector {sel!r} (write e.g. Mo-Fr or Mo-Tu,Th-Sa)")
    out: list[int] = []
    for part in sel.split(","):
        a, _, b = part.partition("-")
        i, j = DAYS.index(a), DAYS.index(b or a)
        out += list(range(i, j + 1)) if i <= j else list(range(i, 7)) + list(range(0, j + 1))
    return out


def _time_ranges(s: str) -> tuple[TimeRange, ...]:
    return tuple(TimeRange.of(*r.split("-")) for r in s.split(","))


def _closures(sel: str) -> list[Closure]:
    out: list[Closure] = []
    for item in sel.split(","):
        m = _DATE_ITEM.fullmatch(item.strip())
        if not m:
            raise ValueError(item)
        start = date(int(m[1]), _MONTHS.index(m[2]) + 1, int(m[3]))
        end = None
        if m[4]:
            end = date(int(m[4]), _MONTHS.index(m[5]) + 1, int(m[6]))
        elif m[7]:
            end = date(start.year, start.month, int(m[7]))
        out.append(Closure(start, end))
    return out


def _apply(rule: str, days: list, state: dict) -> None:
    """One rule of the simple grammar into ``days``/``state``; ``ValueError(rule)`` when outside it."""
    if rule == "24/7":
        days[:] = [(TimeRange(0, 1440),)] * 7
        return
    head, _, rest = rule.partition(" ")
    if _TIMES.fullmatch(rule):
        days[:] = [_time_ranges(rule)] * 7
    elif head == "PH":
        if rest in _OFF:
            state["holidays"], state["holiday_ranges"] = "closed", ()
        elif _TIMES.fullmatch(rest):
            state["holidays"], state["holiday_ranges"] = "hours", _time_ranges(rest)
        else:
            raise ValueError(rule)
    elif _WD_SEL.fullmatch(head) and (rest in _OFF or _TIMES.fullmatch(rest)):
        ranges = () if rest in _OFF else _time_ranges(rest)
        for i in _selector_days(head):
            days[i] = ranges
    else:
        sel, _, tail = rule.rpartition(" ")
        if tail not in _OFF or not sel:
            raise ValueError(rule)
        state["closures"] += _closures(sel)


def _cannot(raw: str, part: str, code: str = "cannot_read", *, why: Problem | None = None) -> Reading:
    fr, en = (text(f"hours.edit.{code}", lang, part=why.text(lang) if why else part, value=raw) for lang in ("fr", "en"))
    return Reading(raw=raw, form=None, part=part, fr=fr, en=en)


def from_value(value: str | None, *, country: str = "FR") -> Reading:
    """Read a simple existing value into a form (``Reading.form``), or say which part cannot be edited.

    The simple grammar: rules joined by ``;``, each ``<days> <ranges|off>``, ``<ranges>``,
    ``24/7``, ``PH <ranges|off>`` or ``<dates> off``. The form is written back and compared with
    the original over a holiday-free fortnight; any difference keeps the raw value.
    """
    raw = (value or "").strip()
    if not raw:
        return Reading(raw="", form=WeekForm(holidays="as_usual"))
    from heritage_kit.hours import OpeningHours

    try:
        original = OpeningHours(raw, country=country, lenient=False)
    except HoursError:
        return _cannot(raw, raw, "invalid")
    days: list[tuple[TimeRange, ...]] = [()] * 7
    state: dict = {"holidays": "as_usual", "holiday_ranges": (), "closures": []}
    for rule in (r.strip() for r in raw.split(";")):
        if not rule:
            continue
        try:
            _apply(rule, days, state)
        except ValueError:
            return _cannot(raw, rule)
    try:
        form = WeekForm(days=tuple(days), closures=tuple(state["closures"]), holidays=state["holidays"],
                        holiday_ranges=state["holiday_ranges"])
        again = OpeningHours(to_value(form, country=country), country=country, lenient=False)
    except HoursEditError as exc:
        return _cannot(raw, exc.field or raw, why=exc.problems[0] if exc.problems else None)
    start = datetime(2024, 1, 8)  # a Monday; no French (or most countries') holiday until the 22nd
    if _open_spans(original, start) != _open_spans(again, start):
        return _cannot(raw, raw)
    return Reading(raw=raw, form=form)


def _open_spans(oh, start: datetime) -> list[tuple[datetime, datetime]]:
    return [(iv.start, iv.end) for iv in oh.open_intervals(start, start + timedelta(days=14))]

