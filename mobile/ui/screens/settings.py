"""Settings: language, large text, high contrast, location source."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder

from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import choose_file

Builder.load_file(os.path.join(os.path.dirname(__file__), "settings.kv"))


class SettingsScreen(HKScreen):
    def refresh(self) -> None:  # everything binds to app properties
        pass

    def choose_gpx(self) -> None:
        app = App.get_running_app()
        start = os.path.dirname(app.gpx_path) if app.gpx_path else None
        choose_file(app.t("settings.loc.gpx"), ["*.gpx", "*.GPX"], lambda path: app.set_setting("gpx_path", path),
                    start=start)
