"""Walk mode: next stop, distance and direction, route line, progress, open shops;
"I'm here" and "Skip this stop" so that a walk always finishes, with what was visited and skipped.

The map follows the walker with the next stop in view (:class:`mobile.presenters.follow.FollowCamera`),
leaves the top of the map free for the arrival banner, and numbers the stops as the list does
(:class:`mobile.ui.widgets.stop_numbers.StopNumbers`). Panning or zooming stops following; the
◎ button comes back to it."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from mobile.presenters.flows import fit_box
from mobile.presenters.follow import FollowCamera
from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets.offline_map import OfflineMap  # noqa: F401 - used by the kv rule
from mobile.ui.widgets.stop_numbers import StopNumbers  # noqa: F401 - used by the kv rule

Builder.load_file(os.path.join(os.path.dirname(__file__), "walk.kv"))

BANNER_COVER = 0.25  # the arrival banner may cover the top quarter of the walk map


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
    markers = ListProperty([])  # (poi id, number, state) for the numbered markers
    show_recentre = BooleanProperty(False)
    following = BooleanProperty(True)
    _fitted_for = None
    _view_key = None  # the map's view as this screen last set it (a different one: the user moved it)
    _setting_view = False

    def __init__(self, **kwargs) -> None:
        self.camera = FollowCamera(top_cover=BANNER_COVER)
        super().__init__(**kwargs)

    def refresh(self) -> None:
        app = App.get_running_app()
        walk = app.walk
        if walk is None:
            self.empty_text = app.t("walk.none")
            self.title_text = self.next_text = self.distance_text = self.progress_text = ""
            self.shops_text = self.stops_text = self.next_id = ""
            self.route, self.stop_ids, self.has_bearing, self.finished = [], [], False, False
            self.markers, self.show_recentre = [], False
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
        self.markers = v.markers
        if self._fitted_for != id(walk) and app.scene is not None:
            self._fitted_for = id(walk)
            self.camera.recentre()
            if app.position is None:  # no walker yet: every stop
                box = fit_box(app.scene.poi_xy[[app.scene.poi_ids.index(s) for s in self.stop_ids]], 80.0)
                if box is not None:
                    self._set_view(box)
        self.follow()

    # -- follow mode ------------------------------------------------------------------
    def follow(self) -> None:
        """Keep the walker and the next stop in view while following."""
        app = App.get_running_app()
        scene = app.scene
        if scene is None or app.walk is None:
            return
        walker = scene.to_xy(app.position.lat, app.position.lon) if app.position is not None else None
        nxt = tuple(scene.poi_xy[scene.poi_ids.index(self.next_id)]) if self.next_id in scene.poi_ids else None
        if walker is None:
            box = None
        else:
            box = self.camera.box(walker, nxt)
        if box is not None:
            self._set_view(box)
        self.following = self.camera.following
        self.show_recentre = self.camera.needs_recentre_button(app.position is not None)

    def _set_view(self, box) -> None:
        m = self.ids.map
        self._setting_view = True
        try:
            m.fit(box)
        finally:
            self._setting_view = False
        self._view_key = self._key(m)

    @staticmethod
    def _key(m):
        vp = m.viewport
        return (round(vp.cx, 2), round(vp.cy, 2), round(vp.scale, 6), round(vp.width), round(vp.height))

    def map_moved(self) -> None:
        """The map's view changed (``on_frame``): a pan or zoom by the user stops following."""
        if self._setting_view or self._view_key is None:
            return
        key = self._key(self.ids.map)
        if key[3:] != self._view_key[3:]:  # resized: the map re-fits itself, not the user
            self._view_key = key
            return
        if key != self._view_key and self.camera.following:
            self.camera.user_moved()
            self.following = False
            self.show_recentre = App.get_running_app().position is not None

    def recentre(self) -> None:
        """The ◎ button: follow the walker again."""
        self.camera.recentre()
        self.follow()
