"""Walk mode: next stop, distance and direction, route line, progress, open shops;
"I'm here" and "Skip this stop" so that a walk always finishes, with what was visited and skipped."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from mobile.presenters.flows import fit_box
from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets.offline_map import OfflineMap  # noqa: F401 - used by the kv rule

Builder.load_file(os.path.join(os.path.dirname(__file__), "walk.kv"))


class WalkScreen(HKScreen):
    title_text = StringProperty("")
    next_text = StringProperty("")
    next_id = StringProperty("")
    distance_text = StringProperty("")
    progress_text = StringProperty("")
    shops_text = StringProperty("")
    stops_text = StringProperty("")
    empty_text = StringProperty("")
    finished = BooleanProperty(False)
    bearing = NumericProperty(0)
    has_bearing = BooleanProperty(False)
    route = ListProperty([])
    stop_ids = ListProperty([])
    _fitted_for = None

    def refresh(self) -> None:
        app = App.get_running_app()
        walk = app.walk
        if walk is None:
            self.empty_text = app.t("walk.none")
            self.title_text = self.next_text = self.distance_text = self.progress_text = ""
            self.shops_text = self.stops_text = self.next_id = ""
            self.route, self.stop_ids, self.has_bearing, self.finished = [], [], False, False
            return
        v = walk.view()
        self.empty_text = ""
        self.finished = v.finished
        self.title_text = v.title
        self.next_text = v.next_name
        self.next_id = v.next_id or ""
        self.distance_text = v.distance
        self.progress_text = v.progress
        self.has_bearing = v.bearing is not None
        self.bearing = v.bearing or 0.0
        self.shops_text = "\n".join(line for _id, line in v.open_shops)
        marks = {"visited": f"  — {app.t('walk.visited')}", "skipped": f"  — {app.t('walk.skipped')}", "": ""}
        self.stops_text = "\n".join(
            f"{i + 1}. {name}" + marks["visited" if seen else "skipped" if sid in v.skipped else ""]
            for i, (sid, name, seen) in enumerate(v.stops)
        )
        self.route = v.route
        if self.stop_ids != [s for s, _n, _v in v.stops]:
            self.stop_ids = [s for s, _n, _v in v.stops]
        if self._fitted_for != id(walk) and app.scene is not None:
            self._fitted_for = id(walk)
            box = fit_box(app.scene.poi_xy[[app.scene.poi_ids.index(s) for s in self.stop_ids]], 80.0)
            if box is not None:
                self.ids.map.fit(box)
