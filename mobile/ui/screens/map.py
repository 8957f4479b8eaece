"""The map screen: the offline map, zoom buttons, locate, legend and route summary."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty

from mobile.presenters.map_view import missing_data_notice
from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets.offline_map import OfflineMap  # noqa: F401 - used by the kv rule

Builder.load_file(os.path.join(os.path.dirname(__file__), "map.kv"))


class MapScreen(HKScreen):
    info_text = StringProperty("")

    def refresh(self) -> None:
        app = App.get_running_app()
        self.info_text = app.map_info_text()

    def missing_data(self, scene, _lang: str) -> str:
        """The notice over the map (kv re-reads it when the scene or the language changes)."""
        return missing_data_notice(scene, App.get_running_app().tr)

    def show_route(self, poi_id: str, box: tuple[float, float, float, float] | None) -> None:
        """"Take me there": ring the target and fit the view to the route's box (scene metres)."""
        m = self.ids.map
        m.selected = poi_id
        if box is not None:
            m.fit(box)

    def locate(self) -> None:
        app = App.get_running_app()
        m = self.ids.map
        if app.position is not None:
            m.centre_on_latlon(app.position.lat, app.position.lon, min_scale=1.5)
        else:
            m.fit()
