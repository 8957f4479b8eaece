"""Settings: language, large text, high contrast, location source."""

from __future__ import annotations

import os

from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

Builder.load_file(os.path.join(os.path.dirname(__file__), "settings.kv"))


class SettingsScreen(Screen):
    def refresh(self) -> None:  # everything binds to app properties
        pass
