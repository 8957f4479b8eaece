"""Trails: the pack's curated trails, and "plan my walk" through ``plan_trail``: time available,
start here, step-free, interests, open on arrival, the places marked "must visit" on their page;
the plan lists the arrival time at each stop."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from mobile.presenters.trails import PlanOptions
from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import make

Builder.load_file(os.path.join(os.path.dirname(__file__), "trails.kv"))


class TrailsScreen(HKScreen):
    plan_text = StringProperty("")
    must_visit_text = StringProperty("")  # "Must visit: …" (the places marked on their page)
    can_start_plan = BooleanProperty(False)
    planning = BooleanProperty(False)
    empty_text = StringProperty("")
    interests = ListProperty([])  # [(key, label)] offered; the chosen ones are the toggles that are down

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
        self.must_visit_text = presenter.must_visit_text(app.must_visit) if presenter else ""
        if self.can_start_plan and (presenter is None or presenter.planned is None):
            # the plan was made in another language or town (the presenter was renewed): not startable any more
            self.plan_text, self.can_start_plan = "", False
        offered = presenter.interest_labels() if presenter else []
        if offered != list(self.interests):
            chosen = self.chosen_interests()
            self.interests = offered
            grid = self.ids.interests
            grid.clear_widgets()
            for key, label in offered:
                grid.add_widget(make("InterestToggle", key=key, text=label,
                                     state="down" if key in chosen else "normal"))

    def chosen_interests(self) -> tuple[str, ...]:
        return tuple(w.key for w in reversed(self.ids.interests.children) if w.state == "down")

    def options(self) -> PlanOptions:
        return PlanOptions(
            minutes=int(self.ids.minutes.value),
            start_here=self.ids.start_here.active,
            step_free=self.ids.step_free.active,
            interests=self.chosen_interests(),
            open_on_arrival=self.ids.open_on_arrival.active,
            must_visit=tuple(App.get_running_app().must_visit),
        )

    def plan(self) -> None:
        App.get_running_app().plans.plan(self.options())

    def show_planning(self) -> None:
        self.planning = True
        self.plan_text = App.get_running_app().t("trails.planning")
        self.can_start_plan = False

    def show_plan(self, text: str, ok: bool) -> None:
        self.planning = False
        self.plan_text = text
        self.can_start_plan = ok
