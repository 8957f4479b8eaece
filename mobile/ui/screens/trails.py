"""Trails: the pack's curated trails, and "plan my walk" through ``plan_trail``."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from mobile.ui.widgets import make

Builder.load_file(os.path.join(os.path.dirname(__file__), "trails.kv"))


class TrailsScreen(Screen):
    plan_text = StringProperty("")
    can_start_plan = BooleanProperty(False)
    empty_text = StringProperty("")

    def refresh(self) -> None:
        app = App.get_running_app()
        box = self.ids.list
        box.clear_widgets()
        presenter = app.trails_presenter()
        rows = presenter.rows() if presenter else []
        for row in rows:
            box.add_widget(make("TrailCard", trail_id=row.trail_id, title=row.title, detail=row.detail,
                                             description=row.description))
        self.empty_text = "" if rows else app.t("trails.none")

    def plan(self) -> None:
        app = App.get_running_app()
        app.plan_walk(
            minutes=int(self.ids.minutes.value),
            start_here=self.ids.start_here.active,
            step_free=self.ids.step_free.active,
        )

    def show_plan(self, text: str, ok: bool) -> None:
        self.plan_text = text
        self.can_start_plan = ok
