"""The hours editor: a shop's week (days, time ranges, lunch break), copy a day, public holidays,
exceptional closures; the plain reading, the problems and the OSM value live; Save to the outbox.

Display only: every change goes to :class:`mobile.presenters.hours_editor.HoursEditorPresenter`
(``app.hours_editor_presenter()``) and the screen shows its :meth:`state` again (rate-limited by a
``Clock`` trigger while typing). The rows of a day, the holiday hours and the closures are rebuilt
only when their structure changes (open/closed, a break, a copy, a closure added or removed), so a
field being typed in keeps its focus. Save runs through :class:`HoursEditFlow` (the worker thread).
"""

from __future__ import annotations

import os

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, StringProperty

from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import make

Builder.load_file(os.path.join(os.path.dirname(__file__), "hours_editor.kv"))

HOLIDAY_ROW = -1  # the "day" of the public holidays' range row


class HoursEditorScreen(HKScreen):
    title = StringProperty("")
    current = StringProperty("")  # "Current value: Mo-Su 09:00-18:00"
    notice = StringProperty("")  # the current value could not be read into the editor
    reading = StringProperty("")  # the plain-language week, one line each
    value_text = StringProperty("")  # the OSM value that will be sent (small)
    week_error = StringProperty("")
    holidays = StringProperty("as_usual")
    holidays_error = StringProperty("")
    has_closures = BooleanProperty(False)
    day_names = ListProperty([])
    copy_source = StringProperty("")
    copy_text = StringProperty("")
    errors = DictProperty({})  # author / consent after a refused save
    result_text = StringProperty("")
    result_ok = BooleanProperty(False)
    saving = BooleanProperty(False)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._live_trigger = Clock.create_trigger(lambda _dt: self.update_live(), 0.12)
        self._presenter = None
        self._building = False

    @property
    def presenter(self):
        return App.get_running_app().hours_editor_presenter()

    # -- building ----------------------------------------------------------------------
    def refresh(self) -> None:
        p = self.presenter
        if p is None:
            return
        new = p is not self._presenter
        self._presenter = p
        self.title, self.current, self.notice = p.title(), p.current_value(), p.notice()
        self.day_names = p.day_names()
        if new or self.copy_source not in self.day_names:
            self.copy_source = self.day_names[0]
        self.holidays = p.holidays
        self._building = True
        try:
            self._build_days(p)
            self._build_targets(p)
            self._build_holiday_row(p)
            self._build_closures(p)
            if new:
                self.ids.author.text = p.author
                self.ids.consent.active = p.consent
                self.result_text, self.copy_text, self.errors = "", "", {}
                self.ids.scroller.scroll_y = 1.0
        finally:
            self._building = False
        self.update_live()

    def _build_days(self, p) -> None:
        box = self.ids.days
        box.clear_widgets()
        self._cards = []
        for i, d in enumerate(p.days):
            card = make("HoursDayCard", day=i, day_name=p.day_name(i), is_open=d.open, has_break=len(d.ranges) > 1,
                        editor=self)
            self._fill_rows(card, p)
            box.add_widget(card)
            self._cards.append(card)

    def _fill_rows(self, card, p) -> None:
        rows = card.ids.rows
        rows.clear_widgets()
        d = p.days[card.day]
        card.is_open, card.has_break = d.open, len(d.ranges) > 1
        if d.open:
            for k, (a, b) in enumerate(d.ranges):
                rows.add_widget(make("HoursRangeRow", day=card.day, k=k, start=a, end=b, editor=self))

    def _build_targets(self, p) -> None:
        grid = self.ids.targets
        grid.clear_widgets()
        self._targets = []
        for i, name in enumerate(p.short_day_names()):
            t = Factory.HKToggle(text=name)
            grid.add_widget(t)
            self._targets.append(t)

    def _build_holiday_row(self, p) -> None:
        box = self.ids.ph_rows
        box.clear_widgets()
        if p.holidays == "hours":
            a, b = p.holiday_ranges[0]
            box.add_widget(make("HoursRangeRow", day=HOLIDAY_ROW, k=0, start=a, end=b, editor=self))

    def _build_closures(self, p) -> None:
        box = self.ids.closures
        box.clear_widgets()
        self._closure_rows = []
        for k, c in enumerate(p.closures):
            row = make("HoursClosureRow", k=k, start=c.start, end=c.end, editor=self)
            box.add_widget(row)
            self._closure_rows.append(row)
        self.has_closures = bool(p.closures)

    # -- live ------------------------------------------------------------------------------
    def update_live(self) -> None:
        """The presenter's state: the reading, the value, each section's problems."""
        p = self.presenter
        if p is None:
            return
        s = p.state()
        app = App.get_running_app()
        self.reading = "\n".join(s.reading)
        self.value_text = (app.t("hours_editor.value", value=s.value) if s.value
                           else app.t("hours_editor.value_pending"))
        self.week_error = s.problems.get("week", "")
        self.holidays_error = s.problems.get("holidays", "")
        for card in getattr(self, "_cards", []):
            card.error = s.problems.get(f"day.{card.day}", "")
        for row in getattr(self, "_closure_rows", []):
            row.error = s.problems.get(f"closure.{row.k}", "")
        if not self.result_ok:
            self.result_text = ""

    def _changed(self) -> None:
        if self.result_ok:  # a change after a save: the next save is a new contribution
            self.result_ok, self.result_text = False, ""
        self._live_trigger()

    # -- events from the rows ----------------------------------------------------------------
    def on_time(self, day: int, k: int, which: int, text: str) -> None:
        if self._building:
            return
        if day == HOLIDAY_ROW:
            self.presenter.set_holiday_time(which, text)
        else:
            self.presenter.set_time(day, k, which, text)
        self._changed()

    def tidy(self, field) -> None:
        """A time field left: written the usual way (``9h30`` -> ``09:30``); its on_text updates the draft."""
        tidy = self.presenter.tidy_time(field.text)
        if tidy != field.text:
            field.text = tidy

    def on_open(self, day: int, active: bool) -> None:
        p = self.presenter
        if self._building or p is None or p.days[day].open == active:
            return
        p.set_open(day, active)
        self._fill_rows(self._cards[day], p)
        self._changed()

    def on_break(self, day: int) -> None:
        p = self.presenter
        if len(p.days[day].ranges) > 1:
            p.remove_break(day)
        else:
            p.add_break(day)
        self._fill_rows(self._cards[day], p)
        self._changed()

    def choose_copy_source(self, text: str) -> None:
        if text in self.day_names:
            self.copy_source = text

    def pick_weekdays(self) -> None:
        for i, t in enumerate(self._targets):
            t.state = "down" if i < 5 else "normal"

    def copy_day(self) -> None:
        p = self.presenter
        source = self.day_names.index(self.copy_source)
        targets = [i for i, t in enumerate(self._targets) if t.state == "down"]
        self.copy_text = p.copy(source, targets)
        for i in targets:
            self._fill_rows(self._cards[i], p)
        for t in self._targets:
            t.state = "normal"
        self._changed()

    def set_holidays(self, mode: str) -> None:
        p = self.presenter
        p.set_holidays(mode)
        self.holidays = mode
        self._build_holiday_row(p)
        self._changed()

    def on_closure(self, k: int, which: int, text: str) -> None:
        if self._building:
            return
        self.presenter.set_closure(k, which, text)
        self._changed()

    def add_closure(self) -> None:
        p = self.presenter
        p.add_closure()
        self._build_closures(p)
        self._changed()

    def remove_closure(self, k: int) -> None:
        p = self.presenter
        p.remove_closure(k)
        self._build_closures(p)
        self._changed()

    def on_author(self, text: str) -> None:
        if self.presenter is not None and not self._building:
            self.presenter.author = text
            self._changed()

    def on_consent(self, active: bool) -> None:
        if self.presenter is not None and not self._building:
            self.presenter.consent = active
            self._changed()

    # -- save ----------------------------------------------------------------------------------
    def save(self) -> None:
        app = App.get_running_app()
        p = self.presenter
        if p is None or self.saving:
            return
        app.hours_edits.save(p, self)

    def show_saving(self, saving: bool) -> None:
        self.saving = saving
        if saving:
            self.result_text = ""

    def show_errors(self, errors: dict[str, str]) -> None:
        self.errors = {k: v for k, v in errors.items() if k in ("author", "consent")}
        self.update_live()

    def show_result(self, text: str, ok: bool) -> None:
        self.result_ok = ok
        self.result_text = text
        if ok:
            self.errors = {}
