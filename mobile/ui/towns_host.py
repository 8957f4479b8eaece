"""The app side of the Towns flow (Kivy glue): the host the flow talks to, its background jobs on
``Clock``, the periodic tick, and the packs the app lists after a download.

``start_towns(app)`` is all :mod:`mobile.app` calls; downloaded packs live in
``<app folder>/packs/<town>.zip`` and the cached catalogue in ``towns.json``.
"""

from __future__ import annotations

import os

from kivy.clock import Clock

from mobile.platform.downloads import BackgroundJobs, online
from mobile.platform.storage import JsonStore, discover_packs
from mobile.presenters.towns import TownsFlow, TownsPresenter

__all__ = ["AppTownsHost", "start_towns", "TICK_SECONDS"]

TICK_SECONDS = 300.0  # the daily-check policy is asked every 5 minutes


class AppTownsHost:
    def __init__(self, app) -> None:
        self.app = app
        self.bundled = list(app.pack_entries)
        self._installed = None

    def walk_active(self) -> bool:
        walk = self.app.walk
        return walk is not None and walk.next_id is not None

    def active_pack(self):
        pack = self.app.pack
        return self.app.pack_path, (pack.manifest.town_id if pack is not None else None)

    def open_pack(self, path: str, *, reload: bool = False, pack=None) -> None:
        """Open ``path``; ``reload`` (an update of the open town): come back to the screen shown
        (the app shows the map when a pack is loaded); ``pack``: already loaded from ``path`` by the install."""
        app = self.app
        if reload and getattr(app, "sm", None) is not None and app.sm.current != "map":
            screen = app.sm.current

            def back(*_a):
                app.unbind(pack=back)
                Clock.schedule_once(lambda _dt: app.show(screen, push=False))

            app.bind(pack=back)
        app.open_pack(path, pack=pack)

    def online(self) -> bool:
        return online()

    def towns_changed(self) -> None:
        app = self.app
        installed = app.towns.presenter.installed
        if installed is not self._installed:  # Home lists the downloaded packs too, one per town
            self._installed = installed
            packs_dir = str(app.towns.presenter.packs_dir)
            best = {inst.path for inst in installed.values()}

            def listed(found):
                app.pack_entries = [e for e in self.bundled + found if e.manifest is None or e.path in best]

            app.run_io(lambda: discover_packs(packs_dir), listed)
        if getattr(app, "sm", None) is not None and app.sm.current == "towns":
            app.screen("towns").refresh()


def start_towns(app) -> TownsFlow:
    jobs = BackgroundJobs(lambda fn: Clock.schedule_once(lambda _dt: fn()))
    presenter = TownsPresenter(app.tr, JsonStore(os.path.join(app.user_dir, "towns.json")),
                               os.path.join(app.user_dir, "packs"), catalogue_url=app.settings.catalogue_url,
                               bundled=app.pack_entries,
                               key_files=[os.path.join(d, "town_keys.json") for d in app.content_dirs])
    flow = TownsFlow(presenter, AppTownsHost(app), jobs)
    app.bind(lang=lambda *_a: setattr(presenter, "tr", app.tr))
    app.bind(on_stop=lambda *_a: jobs.shutdown())
    Clock.schedule_interval(lambda _dt: flow.tick(), TICK_SECONDS)
    flow.start()
    return flow
