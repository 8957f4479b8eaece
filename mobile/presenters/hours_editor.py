"""The hours editor screen's presenter: a shop's week as the merchant types it, read back live.

Built on :mod:`heritage_kit.hours_editor` (``WeekForm``, ``problems``, ``to_value``,
``describe_form``, ``from_value``). The presenter keeps a *draft* — the texts as typed,
per day open or closed with one or more time ranges (two: a lunch break), the
exceptional closures (a date or a date range) and the public holidays choice — and
turns it into a ``WeekForm`` on every change: :meth:`HoursEditorPresenter.state`
gives the plain French/English reading, the problems per section (a day, the
holidays, a closure) and the OSM value it will send.

Save (:meth:`HoursEditorPresenter.save`, run off the UI thread by
:class:`HoursEditFlow`) enqueues an ``edit`` submission with
``proposal.opening_hours`` in the app's durable outbox, the same one as the
contribution form; it appears in "My submissions" and leaves with the
background send. No kivy, no I/O of its own (the outbox is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from heritage_kit.errors import SubmissionError
from heritage_kit.hours_editor import (
    DAYS,
    Closure,
    Problem,
    TimeRange,
    WeekForm,
    describe_form,
    from_value,
    parse_time,
    problems,
    to_value,
)
from heritage_kit.i18n import text as lib_text
from mobile.i18n import Translator
from mobile.presenters.contribute import SaveResult
from mobile.presenters.markup import escape

__all__ = ["DayDraft", "ClosureDraft", "EditorState", "HoursEditorPresenter", "HoursEditFlow", "parse_date",
           "HOLIDAY_MODES"]

HOLIDAY_MODES = ("closed", "as_usual", "hours")
DEFAULT_RANGE = ("09:00", "18:00")
DEFAULT_BREAK = ("12:00", "14:00")
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"),
)


def parse_date(value: str) -> date:
    """``24/12/2026``, ``24.12.2026`` or ``2026-12-24`` -> a date; ``ValueError`` (with the value) otherwise."""
    s = value.strip()
    for rx in _DATE_FORMS:
        m = rx.fullmatch(s)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                break
    raise ValueError(f"unreadable date {value!r}")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _dmy(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


@dataclass
class DayDraft:
    """One day as typed: open or closed, its ranges as ``[start, end]`` texts (kept while closed)."""

    open: bool = False
    ranges: list[list[str]] = field(default_factory=lambda: [list(DEFAULT_RANGE)])


@dataclass
class ClosureDraft:
    """An exceptional closure as typed: a first day and an optional last day (``""``: that day only)."""

    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class EditorState:
    """What the screen shows after every change (texts escaped for markup)."""

    reading: list[str]  # the plain-language lines of the week
    problems: dict[str, str]  # section ("day.0"… "day.6", "holidays", "closure.0"…, "week") -> its messages
    value: str  # the OSM value that will be sent; "" while there are problems
    ok: bool


def _section(p: Problem) -> str:
    f = p.field
    if f.startswith("days.") and p.day in DAYS:
        return f"day.{DAYS.index(p.day)}"
    if f.startswith("holidays"):
        return "holidays"
    m = re.match(r"closures\[(\d+)\]", f)
    if m:
        return f"closure.{m[1]}"
    return "week"


class HoursEditorPresenter:
    """The editor of one POI's opening hours (``poi_id`` of ``pack``), pre-filled from its current value.

    ``outbox`` is an ``Outbox`` or a callable returning one (opened on the worker thread);
    ``today`` drops closures already over from the pre-filled week (no clock here).
    """

    def __init__(self, pack, tr: Translator, outbox, poi_id: str, *, today: date, author: str = "") -> None:
        self.pack = pack
        self.tr = tr
        self._outbox = outbox
        self.poi = pack.poi(poi_id)
        self.today = today
        self.author = author
        self.consent = False
        self.saved_value: str | None = None  # the value of the last successful save (a second tap adds nothing)
        self.reading = from_value(self.poi.opening_hours, country=pack.manifest.country or "FR")
        form = self.reading.form or WeekForm(holidays="as_usual")
        self.load(form.without_past_closures(today))

    # -- the draft --------------------------------------------------------------------
    def load(self, form: WeekForm) -> None:
        """The draft from a form (each day's texts; a closed day keeps the first open day's hours to reopen with)."""
        first = next((r for r in form.days if r), (TimeRange.of(*DEFAULT_RANGE),))
        self.days = [DayDraft(open=bool(r), ranges=[[_hhmm(x.start), _hhmm(x.end)] for x in (r or first)])
                     for r in form.days]
        self.closures = [ClosureDraft(_dmy(c.start), _dmy(c.end) if c.end and c.end != c.start else "")
                         for c in form.closures]
        self.holidays = form.holidays
        ph = form.holiday_ranges or first
        self.holiday_ranges = [[_hhmm(x.start), _hhmm(x.end)] for x in ph[:1]]

    @property
    def outbox(self):
        if callable(self._outbox) and not hasattr(self._outbox, "enqueue"):
            self._outbox = self._outbox()
        return self._outbox

    def title(self) -> str:
        return escape(self.tr.tr("hours_editor.for", name=self.poi.name.get(self.tr.lang)))

    def notice(self) -> str:
        """Why the current value could not be pre-filled (with the value itself), else ""; escaped."""
        if self.reading.editable:
            return ""
        why = self.reading.fr if self.tr.lang == "fr" else self.reading.en
        return escape(self.tr.tr("hours_editor.unreadable", why=why))

    def current_value(self) -> str:
        return escape(self.tr.tr("hours_editor.current", value=self.poi.opening_hours or "—"))

    def day_name(self, i: int) -> str:
        return _cap(lib_text(f"hours.day.{i}", self.tr.lang))

    def set_open(self, day: int, is_open: bool) -> None:
        self.days[day].open = is_open

    def set_time(self, day: int, k: int, which: int, value: str) -> None:
        """The ``which`` (0 opening, 1 closing) time of range ``k`` of ``day``, as typed."""
        self.days[day].ranges[k][which] = value

    @staticmethod
    def tidy_time(value: str) -> str:
        """A time as typed written the usual way when readable (``9h30`` -> ``09:30``), else unchanged."""
        try:
            return _hhmm(parse_time(value))
        except ValueError:
            return value

    def add_break(self, day: int) -> None:
        """A lunch break in ``day``'s one range: 12:00–14:00 when inside it, else its middle hour."""
        d = self.days[day]
        a, b = d.ranges[0]
        try:
            start, end = parse_time(a), parse_time(b)
        except ValueError:
            d.ranges = [[a, DEFAULT_BREAK[0]], [DEFAULT_BREAK[1], b]]
            return
        lunch = tuple(parse_time(t) for t in DEFAULT_BREAK)
        if not start < lunch[0] < lunch[1] < end:
            mid = (start + end) // 2 // 30 * 30
            lunch = (mid, mid + 30) if start < mid < mid + 30 < end else (end, end)
        d.ranges = [[a, _hhmm(lunch[0])], [_hhmm(lunch[1]), b]]

    def remove_break(self, day: int) -> None:
        """One range again, from the first opening to the last closing."""
        d = self.days[day]
        d.ranges = [[d.ranges[0][0], d.ranges[-1][1]]]

    def copy_day(self, source: int, targets) -> None:
        """``source``'s open/closed state and ranges given to each day of ``targets``."""
        src = self.days[source]
        for t in targets:
            if t != source:
                self.days[t] = DayDraft(open=src.open, ranges=[list(r) for r in src.ranges])

    def copy(self, source: int, targets) -> str:
        """"Copy" tapped: :meth:`copy_day`, and what it did in words (escaped)."""
        targets = sorted(set(targets) - {source})
        if not targets:
            return escape(self.tr.tr("hours_editor.copy_none"))
        self.copy_day(source, targets)
        return escape(self.tr.tr("hours_editor.copied", day=self.day_name(source),
                                 days=", ".join(self.day_name(t) for t in targets)))

    def day_names(self) -> list[str]:
        return [self.day_name(i) for i in range(7)]

    def short_day_names(self) -> list[str]:
        """``Mon``… / ``Lun``… for the copy targets."""
        return [self.day_name(i)[:3] for i in range(7)]

    def set_holidays(self, mode: str) -> None:
        if mode not in HOLIDAY_MODES:
            raise ValueError(f"holidays must be one of {', '.join(HOLIDAY_MODES)}, not {mode!r}")
        self.holidays = mode

    def set_holiday_time(self, which: int, value: str) -> None:
        self.holiday_ranges[0][which] = value

    def add_closure(self) -> int:
        self.closures.append(ClosureDraft())
        return len(self.closures) - 1

    def set_closure(self, k: int, which: int, value: str) -> None:
        c = self.closures[k]
        if which == 0:
            c.start = value
        else:
            c.end = value

    def remove_closure(self, k: int) -> None:
        del self.closures[k]

    # -- reading the draft ------------------------------------------------------------------
    def build(self) -> tuple[WeekForm, list[Problem]]:
        """The form the draft says, and every problem (unreadable texts first, then the model's)."""
        bad: list[Problem] = []
        days = []
        for i, d in enumerate(self.days):
            base = f"days.{DAYS[i]}.ranges"
            days.append(self._ranges(d.ranges, DAYS[i], base, bad) if d.open else ())
        ph = self._ranges(self.holiday_ranges, None, "holidays.ranges", bad) if self.holidays == "hours" else ()
        closures, drafted = [], []  # drafted[j]: the draft row of the form's closure j
        for k, c in enumerate(self.closures):
            start = self._date(c.start, k, 0, bad)
            end = self._date(c.end, k, 1, bad) if c.end.strip() else None
            if start is not None and (end is not None or not c.end.strip()):
                closures.append(Closure(start, end))
                drafted.append(k)
        form = WeekForm(days=tuple(days), closures=tuple(closures), holidays=self.holidays,
                        holiday_ranges=ph if self.holidays == "hours" else ())
        found = [_renumbered(p, drafted) for p in problems(form)]
        if any(d.open for d in self.days):  # an open day whose times are unreadable is not "no open day"
            found = [p for p in found if p.code != "no_open_day"]
        if self.holidays == "hours" and ph == () and bad:
            found = [p for p in found if p.code != "ph_no_hours"]
        return form, bad + found

    def _problem(self, code: str, key: str, day: str | None, fld: str, *, where: dict | None = None,
                 **fmt) -> Problem:
        """A problem in both languages (``key``: the library's ``hours.edit.*`` or the app's catalogue)."""
        texts = {}
        for lang in ("fr", "en"):
            if where is not None:
                w = where[lang]
            elif fld.startswith("holidays"):
                w = lib_text("hours.edit.holidays", lang)
            else:
                w = _cap(lib_text(f"hours.day.{DAYS.index(day)}", lang))
            texts[lang] = (lib_text(key, lang, where=w, **fmt) if key.startswith("hours.edit.")
                           else Translator(lang).tr(key, where=w, **fmt))
        return Problem(code, day, fld, texts["fr"], texts["en"])

    def _ranges(self, ranges, day: str | None, base: str, bad: list[Problem]) -> tuple[TimeRange, ...]:
        out = []
        for k, (a, b) in enumerate(ranges):
            times = []
            for which, value in ((0, a), (1, b)):
                try:
                    times.append(parse_time(value))
                except ValueError:
                    fld = f"{base}[{k}].{'start' if which == 0 else 'end'}"
                    bad.append(self._problem("bad_time", "hours.edit.bad_time", day, fld, value=value.strip()))
            if len(times) == 2:
                out.append(TimeRange(*times))
        return tuple(out)

    def _date(self, value: str, k: int, which: int, bad: list[Problem]) -> date | None:
        try:
            return parse_date(value)
        except ValueError:
            fld = f"closures[{k}].{'start' if which == 0 else 'end'}"
            where = {lang: Translator(lang).tr("hours_editor.closure_n", n=k + 1) for lang in ("fr", "en")}
            bad.append(self._problem("bad_date", "hours_editor.bad_date", None, fld, where=where, value=value.strip()))
            return None

    def state(self) -> EditorState:
        """The live reading, the problems per section and the value to send (escaped)."""
        form, found = self.build()
        lang = self.tr.lang
        by: dict[str, list[str]] = {}
        for p in found:
            by.setdefault(_section(p), []).append(p.text(lang))
        value = ""
        if not found:
            value = to_value(form, country=self.pack.manifest.country or "FR")
        return EditorState([escape(line) for line in describe_form(form, lang)],
                           {k: escape("\n".join(v)) for k, v in by.items()}, escape(value), not found)

    # -- saving -------------------------------------------------------------------------------
    def field_errors(self) -> dict[str, str]:
        """What stops the save, per section (the hours' sections, ``author``, ``consent``, ``week``); not escaped."""
        from heritage_kit.submissions import validate_submission

        form, found = self.build()
        errors: dict[str, str] = {}
        for p in found:
            sec = _section(p)
            errors[sec] = (errors[sec] + "\n" if sec in errors else "") + p.text(self.tr.lang)
        value = "" if found else to_value(form, country=self.pack.manifest.country or "FR")
        if value and value == (self.poi.opening_hours or "").strip():
            errors["week"] = self.tr.tr("hours_editor.unchanged")
        elif value and value == self.saved_value:
            errors["week"] = self.tr.tr("hours_editor.already_saved")
        lib = validate_submission(self._submission(value or "24/7"), pack=self.pack)
        if "contributor" in lib:
            errors["author"] = lib["contributor"].get(self.tr.lang)
        if "consent" in lib:
            errors["consent"] = lib["consent"].get(self.tr.lang)
        return errors

    def describe(self, errors: dict[str, str]) -> str:
        return self.tr.tr("contrib.invalid", message=" ".join(v.replace("\n", " ") for v in errors.values()))

    def _submission(self, value: str):
        from heritage_kit.submissions import Proposal, Submission

        return Submission(kind="edit", target=self.poi.id, proposal=Proposal(opening_hours=value),
                          contributor=self.author.strip(), consent=self.consent)

    def ready(self):
        """The ``edit`` submission of the draft as it is now, or the :class:`SaveResult` saying what stops it.

        Call on the UI thread (it reads the draft the screen changes); :meth:`enqueue` stores it."""
        errors = self.field_errors()
        if errors:
            return SaveResult(False, escape(self.describe(errors)))
        form, _ = self.build()
        return self._submission(to_value(form, country=self.pack.manifest.country or "FR"))

    def enqueue(self, sub) -> SaveResult:
        """Store ``sub`` (from :meth:`ready`) in the outbox (call off the UI thread: SQLite)."""
        try:
            item = self.outbox.enqueue(sub)
        except SubmissionError as exc:
            msgs = getattr(exc, "messages", None) or {}
            text = " ".join(m.get(self.tr.lang) if hasattr(m, "get") else str(m) for m in msgs.values()) or str(exc)
            return SaveResult(False, escape(self.tr.tr("contrib.invalid", message=text)))
        self.saved_value = sub.proposal.opening_hours
        return SaveResult(True, escape(self.tr.tr("contrib.saved_outbox")), item.uuid)

    def save(self) -> SaveResult:
        """:meth:`ready` then :meth:`enqueue`, in one call (off the UI thread)."""
        sub = self.ready()
        return sub if isinstance(sub, SaveResult) else self.enqueue(sub)


def _renumbered(p: Problem, drafted: list[int]) -> Problem:
    """A model problem on ``closures[j]`` named after its row of the draft (unreadable rows are not in the form)."""
    m = re.match(r"closures\[(\d+)\]", p.field)
    return replace(p, field=f"closures[{drafted[int(m[1])]}]{p.field[m.end():]}") if m else p


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class HoursEditFlow:
    """Save tapped: check on the UI thread, enqueue on the worker thread, then the background send.

    ``host`` is the app (``run_io``, ``tr``, ``inbox_credentials``, ``contributions``); ``screen`` has
    ``show_errors`` / ``show_saving`` / ``show_result``. A tap while a save runs does nothing.
    """

    def __init__(self, host: Any) -> None:
        self.host = host
        self.saving = False

    def save(self, p: HoursEditorPresenter, screen) -> bool:
        if self.saving:
            return False
        tr = self.host.tr
        errors = p.field_errors()
        screen.show_errors({k: escape(v) for k, v in errors.items()})
        if errors:
            screen.show_result(escape(p.describe(errors)), False)
            return False
        sub = p.ready()  # the draft as it is at the tap, read on the UI thread
        self.saving = True
        screen.show_saving(True)

        def finished(res: SaveResult) -> None:
            self.saving = False
            screen.show_saving(False)
            if not res.ok:
                screen.show_result(res.text, False)
                return
            url, _token = self.host.inbox_credentials()
            screen.show_result(escape(tr("contrib.saved_sending" if url.strip() else "contrib.saved_no_server")), True)
            self.host.contributions.send_in_background()

        def failed(exc: BaseException) -> None:
            from mobile.presenters.errors import error_reason

            finished(SaveResult(False, escape(tr("common.error", message=error_reason(exc, tr)))))

        self.host.run_io(lambda: p.enqueue(sub), finished, failed)
        return True
