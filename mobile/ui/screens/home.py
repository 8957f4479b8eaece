"""Home: the bundled towns (Monaco by default), the open pack's facts and attribution."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from mobile.presenters.events import this_week
from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import make

Builder.load_file(os.path.join(os.path.dirname(__file__), "home.kv"))


class HomeScreen(HKScreen):
    summary = StringProperty("")
    empty_text = StringProperty("")
    week_empty = StringProperty("")  # "No event planned in the next 7 days"
    has_pack = BooleanProperty(False)

    def refresh(self) -> None:
        app = App.get_running_app()
        presenter = app.home_presenter()
        box = self.ids.towns
        box.clear_widgets()
        rows = presenter.rows(app.pack_path)
        for row in rows:
            box.add_widget(
                make("TownCard", path=row.path, title=row.title, subtitle=row.subtitle,
                                 attribution=row.attribution, ok=row.ok, current=row.current)
            )
        self.empty_text = "" if rows else app.t("home.no_packs")
        self.summary = presenter.pack_summary(app.pack) if app.pack is not None else ""
        self._show_week(app)

    def _show_week(self, app) -> None:
        """"This week": the open pack's events of the next 7 days (mobile.presenters.events)."""
        box = self.ids.week
        box.clear_widgets()
        self.has_pack = app.pack is not None
        rows = this_week(app.pack, tr=app.tr, now=app.now()) if app.pack is not None else []
        for row in rows:
            box.add_widget(make("EventRow", poi_id=row.poi_id or "", title=row.title, when=row.when,
                                where=row.where, note=row.note))
        self.week_empty = "" if rows or app.pack is None else app.t("home.this_week_none")
