"""Entry point of the ``Walk`` foreground service (python-for-android runs it in its own process).

The app starts it with a JSON argument ``{"pack": PATH, "user_dir": PATH,
"lang": "fr"|"en"}`` when it goes to the background during a walk (see
:mod:`mobile.platform.walk_service`). It restores the walk from
``walk.json``, feeds it the GPS through plyer, notifies arrivals, keeps the
native geofences on the next stops, asks the GPS for fixes at the engine's
``suggest_interval`` (1 s near a stop, up to 30 s far from any), saves after every change and ends when
the walk is over or the app stops it. No Kivy here: a service has no window.
"""

from __future__ import annotations

import json
import os
import pathlib
import threading


def main() -> int:
    from mobile.i18n import Translator
    from mobile.platform.location import PlyerGpsProvider
    from mobile.platform.storage import JsonStore
    from mobile.platform.walk_service import BackgroundWalk, JniusBridge, NativeGeofences

    from heritage_kit.packs import load_pack

    arg = json.loads(os.environ.get("PYTHON_SERVICE_ARGUMENT") or "{}")
    pack = load_pack(arg["pack"])
    store = JsonStore(pathlib.Path(arg["user_dir"]) / "walk.json")

    def notify(title: str, body: str) -> None:
        from plyer import notification, vibrator

        notification.notify(title=title, message=body, app_name=title, timeout=10)
        vibrator.vibrate(0.4)

    def on_interval(seconds: float) -> None:
        # plyer's Android gps.start calls requestLocationUpdates again with the same listener: Android replaces
        # the request, so this changes the interval without losing the stream
        from plyer import gps as plyer_gps

        plyer_gps.start(minTime=int(seconds * 1000), minDistance=1)

    lock = threading.Lock()
    walk = BackgroundWalk(pack, store, Translator(arg.get("lang", "fr")), notify=notify,
                          geofences=NativeGeofences(JniusBridge()), on_interval=on_interval)
    done = threading.Event()

    def on_position(position) -> None:  # plyer's thread: one position at a time
        with lock:
            walk.on_position(position)
            if not walk.active:
                done.set()

    gps = PlyerGpsProvider(schedule=lambda fn: fn())
    gps.start(on_position, on_error=lambda message: None)
    if not walk.active:
        done.set()
    done.wait()
    gps.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
