"""Home: the bundled towns (Monaco by default), the open pack's facts and attribution."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty

from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import make

Builder.load_file(os.path.join(os.path.dirname(__file__), "home.kv"))


class HomeScreen(HKScreen):
    summary = StringProperty("")
    empty_text = StringProperty("")

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
