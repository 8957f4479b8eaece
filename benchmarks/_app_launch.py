"""Started by ``test_bench_app.py`` in a fresh process: print the wall-clock time of the first frame, exit.

    python benchmarks/_app_launch.py app|bare PACK

``app``: the heritage-kit app on PACK (the same ``HeritageApp`` that ``python -m mobile`` runs, a fresh app
folder from ``HERITAGE_KIT_APP_DIR``); the first frame is the first buffer flip with the map drawn (the pack
read and checked, its map scene projected, streets and markers made). ``bare``: a Kivy app with one label, same window: what any Kivy app
costs on this machine (interpreter, Kivy import, SDL/GL window) before its first frame.
"""

from __future__ import annotations

import os
import sys
import time

MODE = sys.argv[1]
PACK = sys.argv[2] if len(sys.argv) > 2 else None
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from kivy.config import Config  # noqa: E402

Config.set("graphics", "width", "432")
Config.set("graphics", "height", "912")

from kivy.app import App  # noqa: E402
from kivy.core.window import Window  # noqa: E402


def report(*_a) -> None:
    print(f"FIRST_FRAME {time.time():.6f}", flush=True)
    os._exit(0)  # the measure ends at the first frame, not at a clean shutdown


if MODE == "bare":
    from kivy.uix.label import Label

    class Bare(App):
        def build(self):
            Window.bind(on_flip=report)
            return Label(text="bare")

    Bare().run()
else:
    from mobile.app import HeritageApp

    app = HeritageApp(pack_path=PACK, lang="en", auto_replay=False)
    # The map is drawn in the frame where the pack's scene reaches it (Kivy redraws only what changed,
    # so no later flip may come): report the first flip once the scene is there.
    Window.bind(on_flip=lambda *_a: app.scene is not None and report())
    app.run()
