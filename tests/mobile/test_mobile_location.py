"""Location providers: replay of positions (simulated walk, GPX) delivered through the scheduler."""

import threading
from datetime import datetime, timedelta, timezone

import pytest

from mobile.platform.location import PlyerGpsProvider, ReplayProvider
from mobile.presenters.location import Position

T0 = datetime(2026, 7, 15, 9, 0, tzinfo=timezone.utc)


class Queue:
    """Stands in for Clock.schedule_once: callbacks are queued, run by the 'UI thread' (the test)."""

    def __init__(self):
        self.items = []
        self.lock = threading.Lock()
        self.threads = set()

    def __call__(self, fn):
        with self.lock:
            self.threads.add(threading.current_thread().name)
            self.items.append(fn)

    def run(self):
        with self.lock:
            items, self.items = self.items, []
        for fn in items:
            fn()


def settle(q, p):
    """Run the UI queue until the provider's positions are loaded (the worker hands them over)."""
    for _ in range(500):
        q.run()
        if p.loaded.is_set():
            return
        threading.Event().wait(0.005)
    raise AssertionError("never loaded")


def positions(n=5):
    return [Position(43.73 + i * 1e-4, 7.42, 8.0, T0 + timedelta(seconds=2 * i)) for i in range(n)]


def test_replay_loads_off_thread_and_delivers_on_the_ui_queue():
    q = Queue()
    loaded_in = []

    def load():
        loaded_in.append(threading.current_thread().name)
        return positions()

    got = []
    p = ReplayProvider(q, load, name="sim", clock=lambda: datetime(2030, 1, 1, tzinfo=timezone.utc))
    p.start(got.append)
    settle(q, p)
    assert loaded_in and loaded_in[0] != threading.current_thread().name  # loading was off the UI thread
    while p.step() is not None:
        pass
    assert len(got) == 5 and p.finished
    # re-stamped to "now" keeping the recorded pace
    assert got[0].time == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert got[4].time - got[0].time == timedelta(seconds=8)


def test_replay_ticks_at_recorded_pace_times_speedup():
    q = Queue()
    got = []
    p = ReplayProvider(q, positions, speedup=4.0, schedule_interval=lambda fn, dt: None)
    p.start(got.append)
    settle(q, p)
    assert p.positions
    p._tick(0.1)  # 0.4 s of walk: only the first fix (t=0) is due
    assert len(got) == 1
    p._tick(1.0)  # 4.4 s: fixes at 2 s and 4 s
    assert len(got) == 3
    assert p._tick(10.0) is False and len(got) == 5


def test_replay_errors_are_reported_not_raised():
    q = Queue()
    errors = []

    def load():
        raise FileNotFoundError("walk.gpx: no such file")

    p = ReplayProvider(q, load)
    p.start(lambda pos: None, errors.append)
    settle(q, p)
    assert errors == ["walk.gpx: no such file"]
    empty = ReplayProvider(q, lambda: [])
    empty.start(lambda pos: None, errors.append)
    settle(q, empty)
    assert errors[-1] == "empty track"


def test_stopped_provider_delivers_nothing():
    q = Queue()
    got = []
    p = ReplayProvider(q, positions)
    p.start(got.append)
    settle(q, p)
    p.stop()
    p.step()
    assert got == []


def test_plyer_gps_on_desktop_reports_an_error_instead_of_crashing():
    q = Queue()
    errors = []
    p = PlyerGpsProvider(q)
    p.start(lambda pos: None, errors.append)
    q.run()
    assert errors  # plyer has no GPS implementation on Linux desktops
    # a plyer callback from its own thread is queued for the UI thread
    got = []
    p.on_position = got.append
    p.running = True
    t = threading.Thread(target=p._on_location, kwargs={"lat": 43.7, "lon": 7.4, "accuracy": 12.0, "speed": 1.2})
    t.start()
    t.join()
    assert got == []
    q.run()
    assert got[0].lat == 43.7 and got[0].accuracy_m == 12.0 and got[0].speed_mps == 1.2
    p._on_location(lat="x", lon=None)  # junk from the platform is dropped
    q.run()
    assert len(got) == 1
