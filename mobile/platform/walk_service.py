"""The walk with the screen off: an Android foreground service and native geofences.

While a walk is in progress and the app goes to the background, the walk is
handed to a foreground service (``services = Walk:…`` in ``buildozer.spec``,
type ``location``, a persistent notification): the service process restores
the same walk from ``walk.json`` (:class:`BackgroundWalk`, through the app's
own :class:`~mobile.presenters.walk_session.WalkSession`), feeds it the GPS,
posts the arrival alerts as notifications and saves after each change. When
the app comes back it stops the service and restores the walk from the same
file, so exactly one process owns the walk at a time and nothing is lost
either way.

The service also keeps Android's geofencing API watching the rolling set of
native fences (:meth:`heritage_kit.geofence.GeofenceEngine.os_fences`, at most
:data:`ANDROID_FENCE_LIMIT`): should the system stop the service's GPS, the
fences' PendingIntent starts it again near the next stop.

Everything Android goes through a *bridge* (``autoclass`` plus the service and
activity handles, :class:`JniusBridge` on a phone); tests pass a fake one. On
the desktop :func:`walk_service` returns :class:`DesktopWalkService`, which
does nothing: the desktop app stays in the foreground.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence

__all__ = [
    "ANDROID_FENCE_LIMIT",
    "AndroidWalkService",
    "BackgroundWalk",
    "DesktopWalkService",
    "FenceChanges",
    "GPS_INTERVALS_S",
    "JniusBridge",
    "NativeGeofences",
    "WalkService",
    "gps_interval",
    "fence_changes",
    "walk_service",
]

log = logging.getLogger(__name__)

ANDROID_FENCE_LIMIT = 100  # geofences per app (Android's documented limit)
SERVICE_CLASS = "org.heritagekit.heritagekit.ServiceWalk"  # package.domain + package.name + "Service" + name
_GMS = "com.google.android.gms.location."


class Bridge(Protocol):
    """What the Android side needs: Java classes and the current Context."""

    def autoclass(self, name: str) -> Any: ...

    def context(self) -> Any: ...


class JniusBridge:
    """The real bridge on a phone (pyjnius; the service's Context inside the service process)."""

    def autoclass(self, name: str) -> Any:
        from jnius import autoclass

        return autoclass(name)

    def context(self) -> Any:
        import os

        if "PYTHON_SERVICE_ARGUMENT" in os.environ:
            return self.autoclass("org.kivy.android.PythonService").mService
        return self.autoclass("org.kivy.android.PythonActivity").mActivity


# -- the rolling set of native geofences ---------------------------------------------------------
@dataclass(frozen=True)
class FenceChanges:
    add: tuple  # OsFence records to register
    remove: tuple[str, ...]  # request ids to unregister


def fence_changes(watched: dict[str, Any], wanted: Sequence[Any]) -> FenceChanges:
    """What to tell the OS so it watches ``wanted`` instead of ``watched`` (id -> OsFence).

    A fence whose circle moved or changed size is removed and added again;
    unchanged ones are left alone (each registration costs the OS a wake-up).
    """
    want = {f.id: f for f in wanted}
    remove = [i for i, f in watched.items() if i not in want or _circle(want[i]) != _circle(f)]
    add = [f for i, f in want.items() if i not in watched or i in remove]
    return FenceChanges(tuple(add), tuple(sorted(remove)))


def _circle(f) -> tuple[float, float, float]:
    return (round(f.lat, 7), round(f.lon, 7), round(f.radius_m, 1))


class NativeGeofences:
    """Android's GeofencingClient kept in step with :meth:`GeofenceEngine.os_fences`."""

    def __init__(self, bridge: Bridge, *, limit: int = ANDROID_FENCE_LIMIT) -> None:
        self.bridge = bridge
        self.limit = limit
        self.watched: dict[str, Any] = {}
        self._client = None
        self._intent = None

    def _setup(self) -> None:
        if self._client is not None:
            return
        b = self.bridge
        ctx = b.context()
        self._client = b.autoclass(_GMS + "LocationServices").getGeofencingClient(ctx)
        intent = b.autoclass("android.content.Intent")(ctx, b.autoclass(SERVICE_CLASS))
        pending = b.autoclass("android.app.PendingIntent")
        # FLAG_MUTABLE: the system fills in the geofencing event (required from Android 12)
        self._intent = pending.getService(ctx, 0, intent, pending.FLAG_UPDATE_CURRENT | pending.FLAG_MUTABLE)

    def sync(self, wanted: Sequence[Any]) -> FenceChanges:
        """Register / unregister so the OS watches exactly ``wanted`` (at most ``limit``)."""
        wanted = list(wanted)[: self.limit]
        changes = fence_changes(self.watched, wanted)
        if not changes.add and not changes.remove:
            return changes
        self._setup()
        b = self.bridge
        if changes.remove:
            ids = b.autoclass("java.util.ArrayList")()
            for i in changes.remove:
                ids.add(i)
                self.watched.pop(i, None)
            self._client.removeGeofences(ids)
        if changes.add:
            geofence = b.autoclass(_GMS + "Geofence")
            fences = b.autoclass("java.util.ArrayList")()
            for f in changes.add:
                builder = b.autoclass(_GMS + "Geofence$Builder")()
                builder.setRequestId(f.id)
                builder.setCircularRegion(float(f.lat), float(f.lon), float(f.radius_m))
                builder.setExpirationDuration(geofence.NEVER_EXPIRE)
                builder.setTransitionTypes(geofence.GEOFENCE_TRANSITION_ENTER | geofence.GEOFENCE_TRANSITION_EXIT)
                fences.add(builder.build())
            request = b.autoclass(_GMS + "GeofencingRequest$Builder")()
            request.setInitialTrigger(b.autoclass(_GMS + "GeofencingRequest").INITIAL_TRIGGER_ENTER)
            request.addGeofences(fences)
            self._client.addGeofences(request.build(), self._intent)
            self.watched.update({f.id: f for f in changes.add})
        return changes

    def clear(self) -> None:
        if self.watched and self._client is not None:
            self._client.removeGeofences(self._intent)
        self.watched.clear()


# -- starting and stopping the service (the app's side) -------------------------------------------
class WalkService:
    """Hands the walk to a background service while the app sleeps."""

    available = False
    running = False

    def start(self, *, title: str, text: str, argument: dict) -> None:
        """The app is going to the background with a walk in progress (saved to ``walk.json`` first)."""

    def stop(self) -> None:
        """The app is back: the service stops; the app restores the walk from ``walk.json``."""


class DesktopWalkService(WalkService):
    """The desktop fallback: no background service (the window stays open); records calls for the app."""

    def __init__(self) -> None:
        self.started: list[dict] = []

    def start(self, *, title: str, text: str, argument: dict) -> None:
        self.started.append({"title": title, "text": text, "argument": argument})
        self.running = True

    def stop(self) -> None:
        self.running = False


class AndroidWalkService(WalkService):
    """p4a's generated ``ServiceWalk`` (foreground, sticky, type location) started with a JSON argument."""

    available = True

    def __init__(self, bridge: Bridge, *, icon: str = "icon") -> None:
        self.bridge = bridge
        self.icon = icon

    def start(self, *, title: str, text: str, argument: dict) -> None:
        service = self.bridge.autoclass(SERVICE_CLASS)
        service.start(self.bridge.context(), self.icon, title, text, json.dumps(argument))
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.bridge.autoclass(SERVICE_CLASS).stop(self.bridge.context())
        self.running = False


def walk_service(platform: str | None = None) -> WalkService:
    """The service for this platform (``kivy.utils.platform`` is passed in by the app)."""
    if platform == "android":
        return AndroidWalkService(JniusBridge())
    return DesktopWalkService()


# -- the walk inside the service process ------------------------------------------------------------
class _ServiceHost:
    """The :class:`~mobile.presenters.walk_session.WalkHost` of the service process: no UI, no worker."""

    def __init__(self, pack, tr) -> None:
        self.pack = pack
        self.tr = tr
        self.badges = None
        self.position = None
        self.walk = None
        self.highlight: list[str] = []

    def router(self, step_free: bool = False):
        return None  # the leg drawn on the map is the app's business; arrivals need no router

    def run_io(self, work: Callable[[], Any], done=None, failed=None) -> None:
        try:
            result = work()
        except Exception as exc:  # noqa: BLE001 - a save that fails must not stop the walk
            log.warning("walk service: %s", exc)
            if failed is not None:
                failed(exc)
            return
        if done is not None:
            done(result)

    def trails_presenter(self):
        return None

    def walk_started(self) -> None:
        pass


GPS_INTERVALS_S: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0)
"""The intervals the walk service asks the GPS for: the engine's suggestion rounded down to one of these."""


def gps_interval(suggested: float) -> float:
    """The largest of :data:`GPS_INTERVALS_S` not above ``suggested`` (the shortest one below it)."""
    best = GPS_INTERVALS_S[0]
    for step in GPS_INTERVALS_S:
        if step <= suggested:
            best = step
    return best


class BackgroundWalk:
    """The walk in progress, restored from ``store`` and fed positions in the service process.

    ``notify(title, body)`` posts an arrival (plyer's notification on a
    phone); ``geofences`` (a :class:`NativeGeofences`) is kept on the next
    stops after every position, and ``on_interval(seconds)`` is called when
    the GPS should be asked for fixes at another interval
    (:meth:`GeofenceEngine.suggest_interval`, rounded down to
    :data:`GPS_INTERVALS_S`): every second near a stop, up to 30 s far from
    any. ``active`` is False when there was no walk to
    take over (or it finished): the service then stops itself.
    """

    def __init__(self, pack, store, tr, *, notify: Callable[[str, str], None],
                 geofences: NativeGeofences | None = None,
                 on_interval: Callable[[float], None] | None = None) -> None:
        from mobile.presenters.walk_session import WalkSession

        self.host = _ServiceHost(pack, tr)
        self.session = WalkSession(self.host, store)
        self.notify = notify
        self.geofences = geofences
        self.on_interval = on_interval
        self.interval_s = GPS_INTERVALS_S[0]  # what the GPS is asked for now (the service starts at 1 s)
        self.active = self.session.restore(store.load())

    @property
    def walk(self):
        return self.host.walk

    def on_position(self, position) -> list:
        if not self.active or self.walk is None:
            return []
        self.host.position = position
        alerts = self.session.on_position(position)
        for alert in alerts:
            try:
                self.notify(alert.title, alert.body)
            except Exception as exc:  # noqa: BLE001 - a notification refused must not lose the walk
                log.warning("walk service: notification failed: %s", exc)
        from mobile.presenters.arrivals import position_to_fix

        fix = position_to_fix(position)
        engine = self.walk.engine.engine
        if self.geofences is not None:
            self.geofences.sync(engine.os_fences(fix, self.geofences.limit))
        # battery: ask the GPS for the engine's suggested interval (a few steps, so the request rarely changes)
        wanted = gps_interval(engine.suggest_interval(fix))
        if wanted != self.interval_s:
            self.interval_s = wanted
            if self.on_interval is not None:
                try:
                    self.on_interval(wanted)
                except Exception as exc:  # noqa: BLE001 - a GPS that refuses keeps its old interval
                    log.warning("walk service: GPS interval not changed: %s", exc)
        if self.walk.next_id is None:  # the walk is over: the app shows the summary when it comes back
            self.active = False
            if self.geofences is not None:
                self.geofences.clear()
        return alerts
