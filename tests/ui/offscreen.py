"""Imported first by every off-screen UI driver (run as scripts): Kivy without a screen, a phone-sized window
(432 x 912), Escape not closing the app, and the repository on ``sys.path``. Must come before any kivy import."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from kivy.config import Config  # noqa: E402

Config.set("graphics", "width", "432")
Config.set("graphics", "height", "912")
Config.set("kivy", "exit_on_escape", "0")
