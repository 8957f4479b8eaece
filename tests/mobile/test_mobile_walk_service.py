"""The walk with the screen off: service hand-over, arrivals as notifications, native geofences.

Android is replaced by a fake Java bridge that behaves like the parts of the
platform the code talks to (a GeofencingClient that keeps the registered
fences, builders that build, p4a's generated service class); the walk, its
engine and its saved state are the app's real ones.
"""

from __future__ import annotations

import json

import pytest

from heritage_kit.geofence import GeofenceEngine, fences_for
from heritage_kit.geofence.model import OsFence
from heritage_kit.packs import load_pack
from mobile.i18n import Translator
from mobile.platform.storage import JsonStore
from mobile.platform.walk_service import (
    GPS_INTERVALS_S,
    gps_interval,
    ANDROID_FENCE_LIMIT,
    SERVICE_CLASS,
    AndroidWalkService,
    BackgroundWalk,
    DesktopWalkService,
    NativeGeofences,
    fence_changes,
    walk_service,
)
from mobile.presenters.arrivals import position_to_fix, simulate_walk
from mobile.presenters.walk_session import WalkSession


# -- a fake of the Java side ------------------------------------------------------------------------
class FakeArrayList(list):
    def add(self, item):
        self.append(item)
        return True


class FakeGeofence:
    NEVER_EXPIRE = -1
    GEOFENCE_TRANSITION_ENTER = 1
    GEOFENCE_TRANSITION_EXIT = 2


class FakeGeofenceBuilder:
    def __init__(self):
        self.values = {}

    def setRequestId(self, rid):
        assert isinstance(rid, str) and rid
        self.values["id"] = rid
        return self

    def setCircularRegion(self, lat, lon, radius):
        assert all(isinstance(v, float) for v in (lat, lon, radius)), "Java wants doubles and a float"
        assert -90 <= lat <= 90 and -180 <= lon <= 180 and radius > 0
        self.values["circle"] = (lat, lon, radius)
        return self

    def setExpirationDuration(self, ms):
        self.values["expires"] = ms
        return self

    def setTransitionTypes(self, types):
        self.values["types"] = types
        return self

    def build(self):
        assert {"id", "circle", "expires", "types"} <= set(self.values), "Geofence.Builder.build() throws"
        return dict(self.values)


class FakeRequestBuilder:
    def __init__(self):
        self.fences = None
        self.trigger = None

    def setInitialTrigger(self, trigger):
        self.trigger = trigger
        return self

    def addGeofences(self, fences):
        assert len(fences) > 0, "GeofencingRequest with no geofence throws"
        self.fences = list(fences)
        return self

    def build(self):
        return {"fences": self.fences, "trigger": self.trigger}


class FakeClient:
    """Keeps the registered fences as Google Play services does (and its 100 limit)."""

    def __init__(self):
        self.fences: dict[str, dict] = {}
        self.calls = []

    def addGeofences(self, request, intent):
        assert intent is not None
        self.calls.append(("add", len(request["fences"])))
        for f in request["fences"]:
            self.fences[f["id"]] = f
        if len(self.fences) > ANDROID_FENCE_LIMIT:
            raise RuntimeError("GEOFENCE_TOO_MANY_GEOFENCES")

    def removeGeofences(self, what):
        if isinstance(what, list):
            self.calls.append(("remove", len(what)))
            for i in what:
                self.fences.pop(i, None)
        else:  # the PendingIntent: everything
            self.calls.append(("remove-all", len(self.fences)))
            self.fences.clear()


class FakeService:
    started = []
    stopped = 0

    @classmethod
    def start(cls, ctx, icon, title, text, arg):
        cls.started.append({"ctx": ctx, "icon": icon, "title": title, "text": text, "arg": json.loads(arg)})

    @classmethod
    def stop(cls, ctx):
        cls.stopped += 1


class FakePendingIntent:
    FLAG_UPDATE_CURRENT = 134217728
    FLAG_MUTABLE = 33554432
    made = []

    @classmethod
    def getService(cls, ctx, code, intent, flags):
        cls.made.append(flags)
        return ("pending", intent, flags)


class FakeBridge:
    def __init__(self):
        self.client = FakeClient()
        FakeService.started, FakeService.stopped = [], 0

    def context(self):
        return "context"

    def autoclass(self, name):
        client = self.client
        classes = {
            "java.util.ArrayList": FakeArrayList,
            "com.google.android.gms.location.Geofence": FakeGeofence,
            "com.google.android.gms.location.Geofence$Builder": FakeGeofenceBuilder,
            "com.google.android.gms.location.GeofencingRequest$Builder": FakeRequestBuilder,
            "com.google.android.gms.location.GeofencingRequest": type("GR", (), {"INITIAL_TRIGGER_ENTER": 1}),
            "com.google.android.gms.location.LocationServices":
                type("LS", (), {"getGeofencingClient": staticmethod(lambda ctx: client)}),
            "android.content.Intent": lambda ctx, cls: ("intent", cls),
            "android.app.PendingIntent": FakePendingIntent,
            SERVICE_CLASS: FakeService,
        }
        return classes[name]


# -- native geofences ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def monaco():
    import pathlib

    return load_pack(pathlib.Path(__file__).resolve().parents[2] / "content" / "monaco")


def test_fence_changes_touch_only_what_moved():
    a, b, c = OsFence("a", 43.7, 7.4, 40.0), OsFence("b", 43.71, 7.41, 40.0), OsFence("c", 43.72, 7.42, 40.0)
    watched = {"a": a, "b": b}
    ch = fence_changes(watched, [a, OsFence("b", 43.71, 7.41, 80.0), c])
    assert ch.remove == ("b",) and [f.id for f in ch.add] == ["b", "c"]
    assert fence_changes({"a": a}, [a]) == fence_changes({}, [])


def test_native_geofences_follow_the_rolling_set_within_the_android_limit(monaco):
    engine = GeofenceEngine(fences_for(monaco))
    assert len(monaco.pois) > ANDROID_FENCE_LIMIT  # the rolling set is needed
    bridge = FakeBridge()
    native = NativeGeofences(bridge)
    here = monaco.manifest.centre
    from heritage_kit.geofence import Fix

    fix = Fix(lat=here.lat, lon=here.lon, accuracy_m=10.0, timestamp=0.0)
    wanted = engine.os_fences(fix, native.limit)
    native.sync(wanted)
    assert set(bridge.client.fences) == {f.id for f in wanted} and len(bridge.client.fences) == ANDROID_FENCE_LIMIT
    f0 = wanted[0]
    assert bridge.client.fences[f0.id]["circle"] == (f0.lat, f0.lon, f0.radius_m)
    assert bridge.client.fences[f0.id]["types"] == 3  # enter | exit
    assert FakePendingIntent.made[-1] & FakePendingIntent.FLAG_MUTABLE
    # the same position again: nothing to tell the OS
    calls = len(bridge.client.calls)
    native.sync(engine.os_fences(fix, native.limit))
    assert len(bridge.client.calls) == calls
    # walk 600 m east: the set rolls, the OS ends up watching exactly the new set
    far = Fix(lat=here.lat, lon=here.lon + 0.0075, accuracy_m=10.0, timestamp=60.0)
    moved = engine.os_fences(far, native.limit)
    native.sync(moved)
    assert set(bridge.client.fences) == {f.id for f in moved}
    kinds = [k for k, _ in bridge.client.calls[calls:]]
    assert kinds == ["remove", "add"]
    native.clear()
    assert bridge.client.fences == {} and native.watched == {}


# -- the service hand-over ----------------------------------------------------------------------------
def test_android_service_start_and_stop_through_the_bridge():
    bridge = FakeBridge()
    svc = AndroidWalkService(bridge)
    svc.start(title="Balade", text="Prochain arrêt : Palais", argument={"pack": "/p", "user_dir": "/u", "lang": "fr"})
    assert FakeService.started[-1]["arg"] == {"pack": "/p", "user_dir": "/u", "lang": "fr"}
    assert FakeService.started[-1]["title"] == "Balade" and svc.running
    svc.stop()
    svc.stop()  # twice: one stop sent
    assert FakeService.stopped == 1 and not svc.running


def test_desktop_fallback_and_platform_choice():
    assert isinstance(walk_service("linux"), DesktopWalkService)
    assert isinstance(walk_service(None), DesktopWalkService)
    assert walk_service("linux").available is False


class _AppHost:
    """The app's side of a walk, as WalkSession sees it (synchronous I/O)."""

    def __init__(self, pack, lang="fr"):
        self.pack, self.tr, self.badges, self.position, self.walk, self.highlight = pack, Translator(lang), None, None, None, []

    def router(self, step_free=False):
        return None

    def run_io(self, work, done=None, failed=None):
        work()

    def trails_presenter(self):
        return None

    def walk_started(self):
        pass


def test_background_walk_takes_over_notifies_each_arrival_once_and_hands_back(pack, tmp_path):
    store = JsonStore(tmp_path / "walk.json")
    app = _AppHost(pack)
    session = WalkSession(app, store)
    session.start_trail("rocher")
    stops = list(app.walk.stop_ids)
    positions = simulate_walk(pack, stops, seed=3)
    # the app walks the first part, then goes to the background (state saved at each change)
    half = len(positions) // 3
    for p in positions[:half]:
        session.on_position(p)
    assert session.save_now()  # the app's on_pause: written at once, before the service starts
    assert store.load()["visited"] == list(app.walk.visited)
    seen_by_app = list(app.walk.visited)

    notes = []
    bridge = FakeBridge()
    bg = BackgroundWalk(pack, store, Translator("fr"), notify=lambda t, b: notes.append((t, b)),
                        geofences=NativeGeofences(bridge))
    assert bg.active and bg.walk.visited == seen_by_app
    for p in positions[half:]:
        bg.on_position(p)
    # every stop the app had not reached was announced once, in French, in order
    rest = [s for s in stops if s not in seen_by_app]
    assert 0 < len(seen_by_app) and len(rest) >= 2  # the hand-over happened mid-walk
    assert [t for t, _ in notes] == [Translator("fr")("walk.arrived", name=pack.poi(s).name.get("fr")) for s in rest]
    assert not bg.active and bridge.client.fences == {}  # finished: the fences are gone
    # the app comes back: the same walk, finished, nothing announced again
    back = _AppHost(pack)
    again = WalkSession(back, store)
    assert again.restore(store.load())
    assert back.walk.next_id is None and set(back.walk.visited) == set(stops)
    assert all(not back.walk.on_position(p) for p in positions[-5:])


def test_save_now_without_a_walk_writes_nothing(pack, tmp_path):
    store = JsonStore(tmp_path / "walk.json")
    assert not WalkSession(_AppHost(pack), store).save_now() and not (tmp_path / "walk.json").exists()


def test_background_walk_without_a_saved_walk_is_inactive(pack, tmp_path):
    bg = BackgroundWalk(pack, JsonStore(tmp_path / "walk.json"), Translator("en"), notify=lambda t, b: None)
    assert not bg.active and bg.on_position(simulate_walk(pack, [pack.trail("rocher").stops[0]])[0]) == []


def test_a_failing_notification_does_not_lose_the_walk(pack, tmp_path):
    store = JsonStore(tmp_path / "walk.json")
    app = _AppHost(pack, "en")
    WalkSession(app, store).start_trail("rocher")

    def refuse(title, body):
        raise RuntimeError("notifications disabled by the user")

    bg = BackgroundWalk(pack, store, Translator("en"), notify=refuse)
    stops = list(bg.walk.stop_ids)
    for p in simulate_walk(pack, stops, seed=5):
        bg.on_position(p)
    assert set(store.load()["visited"]) == set(stops)


def test_position_to_fix_is_what_the_native_set_is_computed_from(pack):
    # the background walk computes the native set from the same fix type the engine uses
    p = simulate_walk(pack, [pack.trail("rocher").stops[0]])[0]
    f = position_to_fix(p)
    assert (f.lat, f.lon) == (p.lat, p.lon)


def test_gps_interval_rounds_the_suggestion_down_to_a_few_steps():
    assert gps_interval(0.5) == 1.0 and gps_interval(1.0) == 1.0 and gps_interval(7.9) == 5.0
    assert gps_interval(30.0) == 30.0 and gps_interval(1e9) == GPS_INTERVALS_S[-1]


def test_background_walk_asks_the_gps_for_the_suggested_interval(pack, tmp_path):
    # the service feeds fixes at the interval it asked for (as the phone would); far from the stops it asks
    # for fewer fixes, by a stop every second, and every stop is still announced
    store = JsonStore(tmp_path / "walk.json")
    WalkSession(_AppHost(pack, "en"), store).start_trail("rocher")
    asked = []
    bg = BackgroundWalk(pack, store, Translator("en"), notify=lambda t, b: None, on_interval=asked.append)
    stops = list(bg.walk.stop_ids)
    positions = simulate_walk(pack, stops, seed=7)
    taken, next_t = 0, None
    for p in positions:
        t = p.time.timestamp()
        if next_t is not None and t < next_t - 1e-6:
            continue
        taken += 1
        bg.on_position(p)
        next_t = t + bg.interval_s
        if not bg.active:
            break
    assert set(store.load()["visited"]) == set(stops)
    assert asked and set(asked) <= set(GPS_INTERVALS_S) and max(asked) > 1.0 and 1.0 in asked
    assert taken < 0.8 * len(positions)  # fewer fixes than a fixed 1 s interval
    # a GPS that refuses the change does not stop the walk
    def refuse(seconds):
        raise RuntimeError("no")

    store2 = JsonStore(tmp_path / "walk2.json")
    WalkSession(_AppHost(pack, "en"), store2).start_trail("rocher")
    bg2 = BackgroundWalk(pack, store2, Translator("en"), notify=lambda t, b: None, on_interval=refuse)
    for p in positions:
        bg2.on_position(p)
    assert set(store2.load()["visited"]) == set(stops)
