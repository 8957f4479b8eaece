"""The app (issue 7): launch to the first map frame, one location update, map redraw on pan and zoom.

Real Kivy drawing off-screen (SDL ``offscreen`` driver, Mesa's software GL on this machine: no GPU), on the
full Monaco pack (``content/monaco``). Each group has baselines timed in the same run:

* **app-launch** (goal ≤ 2 s) — a fresh process (``benchmarks/_app_launch.py``) from ``Popen`` to the first
  buffer flip that shows the Monaco map (pack read and checked, map scene projected, markers and streets
  drawn); baseline: the same for a bare Kivy app showing one label (interpreter, Kivy, SDL and GL window).
  Timed on the wall clock whatever ``--benchmark-timer`` says (the work is in the child process).
* **app-location-update** (goal ≤ 16 ms, one frame at 60 Hz) — what the app does for one GPS fix during a
  walk: the walk presenter (geofence engine update, arrival alerts, next-stop route on the walking network
  when the next stop changes, open shops along the way), the walk view, the map's position layer (accuracy
  circle, dot, route) re-made, and one frame drawn: timed once up to the GL commands issued (the UI
  thread's work; a phone's GPU rasterises) and once until the frame is rasterised (``glFinish``; here Mesa's
  software rasteriser, no GPU). Every fix of a seeded simulated walk through the first four stops of
  Monaco's first trail. Baselines: the frame alone (nothing changed), and a naive update that re-makes the
  whole map (streets and every marker) per fix.
* **app-pan-zoom** — a pan (transform only, then a frame) and a settled zoom step (base layer re-made at the
  new scale, then a frame), against the frame alone.

    python -m pytest benchmarks/test_bench_app.py --benchmark-only --benchmark-timer=time.process_time

(``process_time`` counts the CPU of every thread of the process, Mesa's rendering threads included.)
"""

from __future__ import annotations

import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-bench-"))

ROOT = pathlib.Path(__file__).resolve().parents[1]
MONACO = ROOT / "content" / "monaco"
LAUNCHER = ROOT / "benchmarks" / "_app_launch.py"
MAP_SIZE = (432, 912 - 52 - 54)  # the phone-sized window less the top bar and the navigation bar
LAUNCH_ROUNDS = 5


# -- launch ----------------------------------------------------------------------------------------
def _launch(mode: str, app_dir: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HERITAGE_KIT_APP_DIR": app_dir, "LANG": "en_GB.UTF-8"}
    env.pop("KIVY_GL_BACKEND", None)
    t0 = time.time()
    out = subprocess.run([sys.executable, str(LAUNCHER), mode, str(MONACO)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("FIRST_FRAME ")]
    assert lines, f"{mode} launch gave no frame (exit {out.returncode}): {out.stderr[-2000:]}"
    return float(lines[0].split()[1]) - t0


def _bench_launch(benchmark, mode: str) -> float:
    benchmark._timer = time.perf_counter  # the work happens in a child process: wall clock
    seen: list[float] = []

    def run():
        with tempfile.TemporaryDirectory() as app_dir:  # a first launch: no saved settings or walk
            seen.append(_launch(mode, app_dir))

    benchmark.pedantic(run, rounds=LAUNCH_ROUNDS, iterations=1, warmup_rounds=1)
    benchmark.extra_info["first_frame_s"] = [round(s, 3) for s in seen[1:]]
    benchmark.extra_info["first_frame_median_s"] = round(statistics.median(seen[1:]), 3)
    return statistics.median(seen[1:])


@pytest.mark.benchmark(group="app-launch")
def test_launch_bare_kivy_baseline(benchmark):
    _bench_launch(benchmark, "bare")


@pytest.mark.benchmark(group="app-launch")
def test_launch_to_first_map_frame_monaco(benchmark):
    median = _bench_launch(benchmark, "app")
    assert median <= 2.0, f"first map frame after {median:.2f} s (goal ≤ 2 s)"


# -- in-process drawing -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kivy_window():
    from kivy.config import Config

    Config.set("graphics", "width", str(MAP_SIZE[0]))
    Config.set("graphics", "height", str(MAP_SIZE[1]))
    from kivy.core.window import Window

    return Window


@pytest.fixture(scope="module")
def monaco():
    from heritage_kit.packs import load_pack

    return load_pack(MONACO)


@pytest.fixture(scope="module")
def network(monaco):
    from heritage_kit.routing import WalkingGraph

    return WalkingGraph.for_pack(monaco)


@pytest.fixture(scope="module")
def offline_map(kivy_window, monaco):
    from mobile.presenters.map_view import MapScene
    from mobile.presenters.settings import NORMAL
    from mobile.ui.widgets.offline_map import OfflineMap

    m = OfflineMap(size_hint=(None, None), size=MAP_SIZE, pos=(0, 0))
    kivy_window.add_widget(m)
    m.theme = NORMAL
    m.scene = MapScene.from_pack(monaco)
    m.fit()
    m.rebuild_now()
    yield m
    kivy_window.remove_widget(m)


def _frame_fn(window, *, finish: bool = True):
    from kivy.graphics.opengl import glFinish

    def frame() -> None:
        window.dispatch("on_draw")  # clear + render the window's canvas (the map): GL commands issued
        if finish:
            glFinish()  # ... and rasterised: Mesa's software rasteriser has finished the frame

    return frame


def _finish_previous():
    from kivy.graphics.opengl import glFinish

    glFinish()  # untimed (pedantic setup): the previous frame's rasterisation does not spill into this round


def _walk(monaco, network, n_stops: int = 4):
    """A fresh walk presenter on the first ``n_stops`` of Monaco's first trail and the seeded simulated fixes."""
    from mobile.i18n import Translator
    from mobile.presenters.arrivals import GeofenceArrivals, simulate_walk
    from mobile.presenters.hours import HoursBadges
    from mobile.presenters.walk import WalkPresenter

    trail = monaco.trails[0]
    stops = list(trail.stops)[:n_stops]

    def router(a, b):
        return list(network.route(a, b).geometry)

    m = monaco.manifest
    walk = WalkPresenter(monaco, trail, tr=Translator("en"), engine=GeofenceArrivals(monaco, stops), router=router,
                         badges=HoursBadges(country=m.country, timezone=m.timezone), stops=stops)
    fixes = simulate_walk(monaco, stops, seed=7, router=router)
    return walk, fixes


def _bench_update(benchmark, window, m, monaco, network, *, finish: bool) -> None:
    walk, fixes = _walk(monaco, network)
    frame = _frame_fn(window, finish=finish)
    m.highlight = list(walk.stop_ids)
    m.rebuild_now()
    it = iter(fixes)
    alerts: list[str] = []

    def update() -> None:
        pos = next(it)
        alerts.extend(a.poi_id for a in walk.on_position(pos))  # geofence engine, alerts, next leg
        v = walk.view()  # what the walk screen shows
        m.route = v.route
        m.position = pos
        m._build_overlay()  # accuracy circle, dot, route: what the overlay trigger does on the next frame
        frame()

    benchmark.pedantic(update, setup=_finish_previous, rounds=len(fixes), iterations=1)
    benchmark.extra_info["fixes"] = len(fixes)
    benchmark.extra_info["alerts"] = len(alerts)
    assert sorted(alerts) == sorted(set(walk.stop_ids))  # every stop alerted, once
    m.position = None
    m.route = []
    m.highlight = []
    m.rebuild_now()


@pytest.mark.benchmark(group="app-location-update")
def test_location_update_ui_thread_work(benchmark, kivy_window, offline_map, monaco, network):
    """The UI thread's part (the frame's rasterisation is a GPU's job on a phone)."""
    _bench_update(benchmark, kivy_window, offline_map, monaco, network, finish=False)


@pytest.mark.benchmark(group="app-location-update")
def test_location_update_with_frame_rasterised(benchmark, kivy_window, offline_map, monaco, network):
    """Everything, the frame rasterised in software (Mesa llvmpipe, no GPU here)."""
    _bench_update(benchmark, kivy_window, offline_map, monaco, network, finish=True)


@pytest.mark.benchmark(group="app-location-update")
def test_location_update_baseline_frame_only(benchmark, kivy_window, offline_map):
    benchmark.pedantic(_frame_fn(kivy_window), setup=_finish_previous, rounds=100, iterations=1, warmup_rounds=3)


@pytest.mark.benchmark(group="app-location-update")
def test_location_update_naive_full_redraw(benchmark, kivy_window, offline_map):
    frame = _frame_fn(kivy_window)

    def naive() -> None:
        offline_map.rebuild_now()  # streets and every marker re-made, as a widget without layers would
        frame()

    benchmark.pedantic(naive, setup=_finish_previous, rounds=30, iterations=1, warmup_rounds=2)


def _bench_view_steps(benchmark, window, m, step, *, rounds: int) -> None:
    """``step(i, m)`` changes the view, then a frame is drawn; from the whole town in view, back to it after."""
    frame = _frame_fn(window)
    m.fit()
    m.rebuild_now()
    steps = iter(range(10**6))

    def run() -> None:
        step(next(steps), m)
        frame()

    benchmark.pedantic(run, setup=_finish_previous, rounds=rounds, iterations=1, warmup_rounds=2)
    m.fit()
    m.rebuild_now()


def _pan(i: int, m) -> None:
    m.pan_by(4.0 if (i // 50) % 2 == 0 else -4.0, 1.5)  # a finger dragging back and forth


def _zoom(i: int, m) -> None:
    m.zoom_by(1.25 if (i // 6) % 2 == 0 else 0.8)  # in six steps, out six steps
    m.rebuild_now()  # a settled zoom: the base layer re-made at the new scale


@pytest.mark.benchmark(group="app-pan-zoom")
def test_pan_redraw(benchmark, kivy_window, offline_map):
    _bench_view_steps(benchmark, kivy_window, offline_map, _pan, rounds=100)


@pytest.mark.benchmark(group="app-pan-zoom")
def test_zoom_step_redraw(benchmark, kivy_window, offline_map):
    _bench_view_steps(benchmark, kivy_window, offline_map, _zoom, rounds=36)


@pytest.mark.benchmark(group="app-pan-zoom")
def test_pan_zoom_baseline_frame_only(benchmark, kivy_window, offline_map):
    benchmark.pedantic(_frame_fn(kivy_window), setup=_finish_previous, rounds=100, iterations=1, warmup_rounds=3)
