"""The map with the basemap and its names (issue 13): first frame, pan, zoom, label layout.

Real Kivy drawing off-screen (SDL ``offscreen``, Mesa's software GL: no GPU here) on the full Monaco pack
(621 POIs, 5,877 street lines, basemap of 2,777 features). Groups, each with a baseline in the same run:

* **map-first-frame** (goal ≤ 1 s): from the loaded pack to the first map frame — the scene projected
  (streets, POIs, basemap), the basemap triangulated for the view's band, streets, markers and names made,
  the frame drawn and rasterised (``glFinish``). Baseline: the same pack without its basemap.
* **map-pan** (goal ≤ 16 ms per frame): a finger dragging the whole-town view, a frame per move event.
  Baseline: a frame with nothing changed.
* **map-zoom** (goal ≤ 100 ms): a settled zoom step at whole-town view (base layer and names re-made at the
  new scale, a frame drawn), and the same at street view (≈ 1.2 m/px, where street names are laid out).
  Baseline: a frame with nothing changed.
* **map-labels**: the label layout alone (pure Python, no window) at street view, against projecting the
  street lines to the screen (what any drawing of the view costs at least).

    python -m pytest benchmarks/test_bench_map.py --benchmark-only --benchmark-timer=time.process_time
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-bench-"))

from test_bench_app import MAP_SIZE, kivy_window, monaco  # noqa: E402,F401 - the same window and pack fixtures

STREET_MPP = 1.2


@pytest.fixture
def new_map(kivy_window):
    from mobile.presenters.settings import NORMAL
    from mobile.ui.widgets.offline_map import OfflineMap

    made = []

    def make():
        m = OfflineMap(size_hint=(None, None), size=MAP_SIZE, pos=(0, 0), lang="en", font_scale=1.0)
        m.theme = NORMAL
        kivy_window.add_widget(m)
        made.append(m)
        return m

    yield make
    for m in made:
        kivy_window.remove_widget(m)


def _frame(kivy_window) -> None:
    from kivy.graphics.opengl import glFinish

    kivy_window.dispatch("on_draw")
    glFinish()


def _settle() -> None:
    from kivy.graphics.opengl import glFinish

    glFinish()  # untimed: the previous frame's rasterisation does not spill into this round


# -- first frame -------------------------------------------------------------------------------------
def _bench_first_frame(benchmark, kivy_window, new_map, pack) -> None:
    from mobile.presenters.map_view import MapScene

    maps = []

    def setup():
        for m in maps:
            kivy_window.remove_widget(m)
        maps.clear()
        _settle()
        maps.append(new_map())
        return (maps[-1],), {}

    def first(m) -> None:
        m.scene = MapScene.from_pack(pack)  # projects, fits, builds base layer and names
        _frame(kivy_window)

    benchmark.pedantic(first, setup=setup, rounds=8, iterations=1, warmup_rounds=1)
    m = maps[-1]
    benchmark.extra_info["labels"] = len(m.labels)
    benchmark.extra_info["metres_per_px"] = round(1 / m.viewport.scale, 2)


@pytest.mark.benchmark(group="map-first-frame")
def test_first_frame_monaco_with_basemap(benchmark, kivy_window, new_map, monaco):
    assert monaco.basemap is not None
    _bench_first_frame(benchmark, kivy_window, new_map, monaco)


@pytest.mark.benchmark(group="map-first-frame")
def test_first_frame_monaco_without_basemap_baseline(benchmark, kivy_window, new_map, monaco):
    import copy

    bare = copy.copy(monaco)
    bare.basemap = None
    _bench_first_frame(benchmark, kivy_window, new_map, bare)


# -- pan and zoom --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scene(monaco):
    from mobile.presenters.map_view import MapScene

    return MapScene.from_pack(monaco)


@pytest.fixture
def town_map(new_map, scene, kivy_window):
    m = new_map()
    m.scene = scene
    m.fit()
    m.rebuild_now()
    _frame(kivy_window)
    return m


@pytest.mark.benchmark(group="map-pan")
def test_pan_frame_town_view(benchmark, kivy_window, town_map):
    steps = iter(range(10**6))

    def pan() -> None:
        i = next(steps)
        town_map.pan_by(4.0 if (i // 40) % 2 == 0 else -4.0, 1.5)  # back and forth, as a finger drags
        _frame(kivy_window)

    benchmark.pedantic(pan, setup=_settle, rounds=120, iterations=1, warmup_rounds=3)
    benchmark.extra_info["base_rebuilds"] = town_map.redraws


@pytest.mark.benchmark(group="map-pan")
def test_pan_frame_street_view(benchmark, kivy_window, town_map):
    town_map.zoom_by(town_map.viewport.scale and (1 / STREET_MPP) / town_map.viewport.scale)
    town_map.rebuild_now()
    steps = iter(range(10**6))

    def pan() -> None:
        i = next(steps)
        town_map.pan_by(6.0 if (i // 40) % 2 == 0 else -6.0, -2.0)
        _frame(kivy_window)

    benchmark.pedantic(pan, setup=_settle, rounds=120, iterations=1, warmup_rounds=3)
    benchmark.extra_info["labels"] = len(town_map.labels)


@pytest.mark.benchmark(group="map-pan")
def test_pan_baseline_frame_only(benchmark, kivy_window, town_map):
    benchmark.pedantic(lambda: _frame(kivy_window), setup=_settle, rounds=120, iterations=1, warmup_rounds=3)


def _bench_zoom(benchmark, kivy_window, m, rounds: int = 24) -> None:
    steps = iter(range(10**6))

    def zoom() -> None:
        i = next(steps)
        m.zoom_by(1.25 if (i // 4) % 2 == 0 else 0.8)  # in four steps, out four steps
        m.rebuild_now()  # a settled zoom: meshes and names re-made at the new scale
        _frame(kivy_window)

    benchmark.pedantic(zoom, setup=_settle, rounds=rounds, iterations=1, warmup_rounds=2)
    benchmark.extra_info["labels"] = len(m.labels)


@pytest.mark.benchmark(group="map-zoom")
def test_zoom_rerender_town_view(benchmark, kivy_window, town_map):
    _bench_zoom(benchmark, kivy_window, town_map)


@pytest.mark.benchmark(group="map-zoom")
def test_zoom_rerender_street_view(benchmark, kivy_window, town_map):
    town_map.zoom_by((1 / STREET_MPP) / town_map.viewport.scale)
    town_map.rebuild_now()
    _bench_zoom(benchmark, kivy_window, town_map)


@pytest.mark.benchmark(group="map-zoom")
def test_zoom_baseline_frame_only(benchmark, kivy_window, town_map):
    benchmark.pedantic(lambda: _frame(kivy_window), setup=_settle, rounds=60, iterations=1, warmup_rounds=3)


# -- label layout alone ----------------------------------------------------------------------------------
def _street_view(scene, monaco):
    from mobile.presenters.map_view import Viewport

    vp = Viewport(width=MAP_SIZE[0], height=MAP_SIZE[1])
    vp.scale = 1 / STREET_MPP
    c = monaco.manifest.centre
    vp.cx, vp.cy = scene.to_xy(c.lat, c.lon)
    return vp


def _estimate(text: str, kind: str) -> tuple[float, float]:
    return len(text) * 7.0 + 6, 20.0


@pytest.mark.benchmark(group="map-labels")
def test_label_layout_street_view(benchmark, scene, monaco):
    from mobile.presenters.map_labels import layout_labels

    vp = _street_view(scene, monaco)
    w, h = vp.width, vp.height
    region = (-w / 4, -h / 4, 1.25 * w, 1.25 * h)  # what the widget lays out: the view and its Fbo margin
    out = benchmark(lambda: layout_labels(scene, vp, lang="en", measure=_estimate, region=region))
    benchmark.extra_info["labels"] = len(out)
    assert len(out) >= 10


@pytest.mark.benchmark(group="map-labels")
def test_label_layout_baseline_project_streets(benchmark, scene, monaco):
    vp = _street_view(scene, monaco)
    xy = np.vstack([st.xy for st in scene.streets])
    benchmark(lambda: vp.to_screen(xy[:, 0], xy[:, 1]))
