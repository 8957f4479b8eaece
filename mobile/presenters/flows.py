"""The app's flows in plain Python: "take me there", "plan my walk", "save a contribution", "send now".

A flow reads the app's state through its :class:`Host` (in the app, :class:`mobile.app.HeritageApp`),
runs the slow part with ``host.run_io`` (the worker thread; ``done``/``failed`` come back on the UI
thread) and hands the outcome to a screen through the screen's typed ``show_*`` methods (the contract
of :mod:`mobile.ui.screens.base`); it never touches a screen's widgets. No kivy here: the tests drive
the flows with a host whose ``run_io`` runs inline.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any, Callable, Protocol

from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.contribute import ContributePresenter, SaveResult, SyncOutcome
from mobile.presenters.errors import error_reason
from mobile.presenters.location import Position
from mobile.presenters.markup import escape
from mobile.presenters.trails import PlanOptions, TrailsPresenter

__all__ = ["Host", "RouteFlow", "PlanFlow", "ContributionFlow", "fit_box", "AUTO_SEND_SECONDS"]

log = logging.getLogger("mobile")
ROUTE_PAD_M = 60.0
AUTO_SEND_SECONDS = 180.0  # the app tries the queued contributions this often (the outbox's backoff decides)


class Host(Protocol):
    """What the flows read and call on the app."""

    pack: Any
    network: Any
    scene: Any
    position: Position | None
    tr: Translator
    route: list[LatLon]
    syncing: bool

    def now(self) -> datetime: ...

    def here(self) -> LatLon: ...

    def run_io(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None,
               failed: Callable[[BaseException], None] | None = None) -> None: ...

    def schedule(self, fn: Callable[[], None]) -> None: ...

    def screen(self, name: str) -> Any: ...

    def show(self, name: str) -> None: ...

    def trails_presenter(self) -> TrailsPresenter | None: ...

    def contribute_presenter(self) -> ContributePresenter | None: ...

    def inbox_credentials(self) -> tuple[str, str]: ...


def fit_box(xy, pad: float) -> tuple[float, float, float, float] | None:
    """The view box (scene metres: min x, min y, max x, max y) around the points ``xy`` (N×2), ``pad`` around."""
    if xy is None or len(xy) == 0:
        return None
    return (float(xy[:, 0].min()) - pad, float(xy[:, 1].min()) - pad,
            float(xy[:, 0].max()) + pad, float(xy[:, 1].max()) + pad)


class RouteFlow:
    """"Take me there": the walking route from here to a POI, drawn on the map with its summary."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.summary = ""  # plain text: "Route: 450 m, 6 min walk"

    def take_me_to(self, poi_id: str, *, step_free: bool = False) -> None:
        h, tr = self.host, self.host.tr
        if h.pack is None:
            return
        if h.network is None:
            h.screen("poi").show_notice(escape(tr("poi.no_route", message=tr("poi.network_loading"))))
            return
        start, target, net = h.here(), h.pack.poi(poi_id).location, h.network

        def done(route) -> None:
            self.summary = tr("map.route", distance=tr.distance(route.length_m),
                              duration=tr.minutes(route.duration_s / 60))
            if h.position is None:
                self.summary += "\n" + tr("poi.no_position")
            h.route = list(route.geometry)
            h.show("map")
            box = fit_box(h.scene.line_xy(h.route), ROUTE_PAD_M) if h.scene is not None and len(h.route) >= 2 else None
            h.screen("map").show_route(poi_id, box)

        def failed(exc: BaseException) -> None:
            h.screen("poi").show_notice(escape(tr("poi.no_route", message=error_reason(exc, tr))))

        h.run_io(lambda: net.route(start, target, step_free=step_free), done, failed)

    def clear(self) -> None:
        self.host.route = []
        self.summary = ""

    def info_text(self, *, pick_mode: bool) -> str:
        """The map's info line (escaped): pick a point, the route's summary, or the position's accuracy."""
        h, tr = self.host, self.host.tr
        if pick_mode:
            return escape(tr("map.pick_point"))
        if h.route and self.summary:
            return escape(self.summary)
        if h.position is not None:
            return escape(tr("map.accuracy", n=int(round(h.position.accuracy_m))))
        return ""


class PlanFlow:
    """"Plan my walk" with the options of the trails screen; the result goes to ``show_plan``."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def plan(self, options: PlanOptions) -> None:
        h, tr = self.host, self.host.tr
        p = h.trails_presenter()
        if p is None:
            return
        start = h.here() if options.start_here else h.pack.manifest.centre
        now = h.now()
        screen = h.screen("trails")
        screen.show_planning()

        def work() -> str:
            return p.plan(minutes=options.minutes, start=start, start_time=now, step_free=options.step_free,
                          interests=options.interest_keys(), open_on_arrival=options.open_on_arrival,
                          must_visit=list(options.must_visit))

        def failed(exc: BaseException) -> None:
            screen.show_plan(escape(tr("trails.plan_failed", message=error_reason(exc, tr))), False)

        h.run_io(work, lambda text: screen.show_plan(text, p.planned is not None), failed)


class ContributionFlow:
    """Save a contribution (once, however often Save is tapped), send it in the background, "Send now".

    After a successful save the queued entries are sent at once on their own thread when a server
    is set (:meth:`send_in_background`), with the outbox's retry rules (its persisted backoff: an
    entry that failed waits for its next attempt); the app calls it again every few minutes
    (``AUTO_SEND_SECONDS``), so an entry saved offline leaves when the network is back, while the
    app is open. The message after saving says exactly that, or that nothing is sent without a server.
    """

    def __init__(self, host: Host, *, spawn: Callable[[Callable[[], None]], None] | None = None) -> None:
        self.host = host
        self.saving = False
        self.last_ok = False  # the last save succeeded and the form was not filled in again since
        self.last_background: SyncOutcome | None = None  # what the last background send did
        self._spawn = spawn or _daemon_thread

    def save(self) -> bool:
        """Check the form (per-field messages), then save it off the UI thread; False when nothing started.

        A tap while a save runs does nothing; so does a tap on the emptied form right after a
        success (the second tap of a double tap): the success message stays, no "field required".
        """
        h, tr = self.host, self.host.tr
        p = h.contribute_presenter()
        if p is None or self.saving:
            return False
        if self.last_ok and p.form.is_blank():
            return False
        screen = h.screen("contribute")
        errors = p.field_errors()  # the library's rules, in the user's language, per field
        screen.show_errors({field: escape(text) for field, text in errors.items()})
        if errors:
            self.last_ok = False
            screen.show_result(escape(p.describe(errors)), False)
            return False
        self.saving = True
        screen.show_saving(True)

        def finished(res: SaveResult) -> None:
            self.saving = False
            self.last_ok = res.ok
            screen.show_saving(False)
            if not res.ok:
                screen.show_result(res.text, False)
                return
            url, _token = h.inbox_credentials()
            screen.show_result(escape(tr("contrib.saved_sending" if url.strip() else "contrib.saved_no_server")), True)
            self.send_in_background()

        def failed(exc: BaseException) -> None:
            finished(SaveResult(False, escape(tr("common.error", message=error_reason(exc, tr)))))

        h.run_io(p.save, finished, failed)
        return True

    def load_submissions(self, done: Callable[[list], None]) -> None:
        p = self.host.contribute_presenter()
        if p is None:
            done([])
            return
        self.host.run_io(p.my_submissions, done)

    def send(self, done: Callable[[SyncOutcome], None]) -> None:
        """"Send now": every queued item, ignoring the backoff; the outcome to ``done`` on the UI thread."""
        self._sync(done, background=False)

    def send_in_background(self, done: Callable[[SyncOutcome], None] | None = None) -> bool:
        """Send the queued items that are due (the outbox's backoff kept), without a word on screen unless
        ``done`` is given; False when nothing started (no server, a send running, no presenter)."""
        url, _token = self.host.inbox_credentials()
        if not url.strip():
            return False
        return self._sync(done, background=True)

    def _sync(self, done: Callable[[SyncOutcome], None] | None, *, background: bool) -> bool:
        """``Outbox.sync`` on its own thread (it may wait on the network and retry), the outcome back
        on the UI thread through ``host.schedule``."""
        h, tr = self.host, self.host.tr
        p = h.contribute_presenter()
        if p is None or h.syncing:
            return False
        url, token = h.inbox_credentials()
        h.syncing = True

        def work() -> None:
            try:
                outcome = p.send_due(url, token) if background else p.send_now(url, token)
            except Exception as exc:  # noqa: BLE001 - reported on the screen, the outbox keeps the items
                log.exception("sending failed")
                outcome = SyncOutcome(False, escape(tr("common.error", message=error_reason(exc, tr))), None)
            h.schedule(lambda: finished(outcome))

        def finished(outcome: SyncOutcome | None) -> None:
            h.syncing = False
            if background:
                self.last_background = outcome
            if done is not None and outcome is not None:
                done(outcome)

        self._spawn(work)
        return True


def _daemon_thread(fn: Callable[[], None]) -> None:
    threading.Thread(target=fn, name="hk-sync", daemon=True).start()
