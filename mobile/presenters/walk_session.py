"""The walk's lifecycle: start (a curated trail or the planned walk), positions, skip / I'm here,
save after every change, restore after a restart, stop.

:meth:`WalkSession.build` is the one place a :class:`~mobile.presenters.walk.WalkPresenter` is
made (a new walk and a restored one get the same engine, router and badges). The session keeps
the walk on its host (``host.walk``, ``host.highlight``: the app's properties the walk screen and
the map bind to) and writes its state through ``store`` (a :class:`mobile.platform.storage.JsonStore`)
on the worker thread. No kivy here.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from heritage_kit.errors import HeritageKitError
from mobile.i18n import Translator
from mobile.presenters.location import Position
from mobile.presenters.walk import Alert, WalkPresenter

__all__ = ["WalkHost", "WalkSession"]


class WalkHost(Protocol):
    pack: Any
    tr: Translator
    badges: Any
    position: Position | None
    walk: WalkPresenter | None
    highlight: list[str]

    def router(self, step_free: bool = False) -> Callable | None: ...

    def run_io(self, work: Callable[[], Any], done=None, failed=None) -> None: ...

    def trails_presenter(self) -> Any: ...

    def walk_started(self) -> None:
        """A new walk began: sounds, the simulated position source, the walk screen."""


class WalkSession:
    def __init__(self, host: WalkHost, store) -> None:
        self.host = host
        self.store = store
        self.kind = "trail"  # "trail" | "planned", saved with the walk

    # -- the one construction --------------------------------------------------------
    def build(self, trail, stops: list[str], title: str) -> WalkPresenter:
        from mobile.presenters.arrivals import GeofenceArrivals

        h = self.host
        return WalkPresenter(h.pack, trail, tr=h.tr, engine=GeofenceArrivals(h.pack, stops), router=h.router(),
                             badges=h.badges, stops=stops, title=title)

    # -- start / stop -------------------------------------------------------------------
    def start_trail(self, trail_id: str) -> None:
        trail = self.host.pack.trail(trail_id)
        self._begin(trail, list(trail.stops), trail.title.get(self.host.tr.lang), "trail")

    def start_planned(self) -> bool:
        p = self.host.trails_presenter()
        if p is None or p.planned is None:
            return False
        minutes = max(1, int(round(p.planned.duration_s / 60)))
        self._begin(None, list(p.planned.stop_ids), self.host.tr("walk.planned_title", minutes=minutes), "planned")
        return True

    def _begin(self, trail, stops: list[str], title: str, kind: str) -> None:
        h = self.host
        self.kind = kind
        walk = self.build(trail, stops, title)
        if h.position is not None:
            walk.locate(h.position)
        h.walk = walk
        h.highlight = list(stops)
        self.save()
        h.walk_started()

    def stop(self) -> None:
        self.host.walk = None
        self.host.highlight = []
        self.host.run_io(lambda: self.store.save({}))

    # -- while walking ---------------------------------------------------------------------
    def on_position(self, position: Position) -> list[Alert]:
        """Feed the walk one position; the alerts to show (the state is saved when there are some)."""
        walk = self.host.walk
        if walk is None:
            return []
        alerts = walk.on_position(position)
        if alerts:
            self.save()
        return alerts

    def skip(self) -> str | None:
        """"Skip this stop"; the id of the stop passed over."""
        return self._move_on(WalkPresenter.skip)

    def arrived(self) -> str | None:
        """"I'm here"; the id of the stop counted as visited."""
        return self._move_on(WalkPresenter.arrived)

    def _move_on(self, action) -> str | None:
        walk = self.host.walk
        if walk is None:
            return None
        sid = action(walk)
        if sid is not None:
            self.save()
        return sid

    # -- saved state ---------------------------------------------------------------------------
    def _state(self) -> dict | None:
        walk = self.host.walk
        return None if walk is None else {"kind": self.kind, **walk.to_dict()}

    def save(self) -> None:
        data = self._state()
        if data is not None:
            self.host.run_io(lambda: self.store.save(data))

    def save_now(self) -> bool:
        """Write the walk at once, on this thread (the hand-over to the walk service, which reads the file
        as soon as it starts); False when there is no walk."""
        data = self._state()
        if data is None:
            return False
        self.store.save(data)
        return True

    def restore(self, data: dict) -> bool:
        """Take back the walk in progress after a restart (no alert repeats); ``data`` as saved.
        False (and no walk) when it is of another town or no longer matches the pack."""
        h = self.host
        if not data or data.get("town_id") != h.pack.manifest.town_id:
            return False
        try:
            trail = h.pack.trail(data["trail_id"]) if data.get("trail_id") else None
            stops = list(data.get("stops") or [])
            for s in stops:
                h.pack.poi(s)
            walk = self.build(trail, stops, data.get("title") or "")
        except (KeyError, LookupError, HeritageKitError, TypeError):
            return False
        if not walk.restore(data):
            return False
        self.kind = data.get("kind", "trail")
        h.walk = walk
        h.highlight = list(stops)
        return True
