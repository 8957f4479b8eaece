"""The map's geometry without a window: projection, viewport, pan, pinch zoom, tap picking."""

import math

import numpy as np
import pytest

from heritage_kit.geo import geodesic_m
from mobile.presenters.map_view import KIND_ORDER, MapScene, Viewport


def test_scene_projects_pois_and_streets_in_metres(pack):
    scene = MapScene.from_pack(pack)
    assert scene.poi_ids == [p.id for p in pack.pois]
    assert [KIND_ORDER[k] for k in scene.poi_kinds] == [p.kind for p in pack.pois]
    # distances in the scene agree with geodesic ones
    a, b = pack.pois[0], pack.pois[2]
    d_scene = float(np.hypot(*(scene.poi_xy[0] - scene.poi_xy[2])))
    assert d_scene == pytest.approx(geodesic_m(a.lat, a.lon, b.lat, b.lon), rel=2e-3)
    assert len(scene.streets) == 4
    assert [s.major for s in scene.streets] == [False, False, True, False]
    assert scene.streets[0].pedestrian and scene.streets[0].name == "Rue Basse"
    x0, y0, x1, y1 = scene.extent
    assert x0 < scene.poi_xy[:, 0].min() <= scene.poi_xy[:, 0].max() < x1 or x0 <= scene.poi_xy[:, 0].min()


def test_scene_without_streets(pack):
    pack.streets = None
    assert MapScene.from_pack(pack).streets == []


def test_viewport_round_trip_and_fit(pack):
    scene = MapScene.from_pack(pack)
    vp = Viewport(width=400, height=800)
    vp.fit(scene.poi_extent(), margin_px=20)
    sx, sy = vp.to_screen(scene.poi_xy[:, 0], scene.poi_xy[:, 1])
    assert sx.min() >= 19.9 and sx.max() <= 380.1 and sy.min() >= 19.9 and sy.max() <= 780.1
    wx, wy = vp.to_world(123.0, 456.0)
    assert vp.to_screen(wx, wy) == pytest.approx((123.0, 456.0))
    flat = vp.points(scene.poi_xy[:3])
    assert flat[0::2] == pytest.approx(sx[:3]) and flat[1::2] == pytest.approx(sy[:3])


def test_pan_moves_content_with_the_finger():
    vp = Viewport(width=400, height=400, scale=2.0)
    before = vp.to_screen(10.0, 10.0)
    vp.pan(30, -15)
    after = vp.to_screen(10.0, 10.0)
    assert after[0] - before[0] == pytest.approx(30) and after[1] - before[1] == pytest.approx(-15)


def test_zoom_keeps_the_anchor_still_and_clamps():
    vp = Viewport(width=400, height=400, scale=1.0)
    anchor = (300.0, 100.0)
    world = vp.to_world(*anchor)
    vp.zoom(2.5, anchor)
    assert vp.scale == pytest.approx(2.5)
    assert vp.to_screen(*world) == pytest.approx(anchor)
    vp.zoom(1e6)
    assert vp.scale == vp.max_scale
    vp.zoom(1e-9)
    assert vp.scale == vp.min_scale
    rev = vp.revision
    vp.zoom(float("nan"))
    vp.zoom(-1)
    assert vp.revision == rev


def test_hit_finds_the_nearest_marker_within_the_radius(pack):
    scene = MapScene.from_pack(pack)
    vp = Viewport(width=400, height=800)
    vp.fit(scene.poi_extent())
    vp.zoom(4.0)
    for i, pid in enumerate(scene.poi_ids):
        if not vp.visible(*scene.poi_xy[i]):
            continue
        sx, sy = vp.to_screen(*scene.poi_xy[i])
        assert vp.hit(scene, sx + 3, sy - 3, radius_px=10) == pid
    sx, sy = vp.to_screen(*scene.poi_xy[0])
    assert vp.hit(scene, sx + 200, sy + 200, radius_px=10) is None


def test_line_xy(pack):
    scene = MapScene.from_pack(pack)
    line = scene.line_xy([p.location for p in pack.pois[:3]])
    assert line.shape == (3, 2)
    assert np.allclose(line, scene.poi_xy[:3])
    assert scene.line_xy([]).shape == (0, 2)


def test_zoomed_out_streets_are_simplified_keeping_line_ends(pack):
    from mobile.presenters.map_view import StreetLine

    scene = MapScene.from_pack(pack)
    t = np.linspace(0, 100, 101)  # a straight 100 m street with a vertex every metre
    scene.streets = [StreetLine(np.column_stack([t, t * 0]), major=False), StreetLine(np.array([[0.0, 50], [3, 50]]))]
    a, b = scene.segments(major=False)
    assert len(a) == 101
    sa, sb = scene.segments(major=False, tol_m=10.0)
    assert 10 <= len(sa) <= 12  # about one segment per 10 m cell
    assert sa[0].tolist() == [0.0, 0.0] and [100.0, 0.0] in sb.tolist()  # line ends kept
    assert [3.0, 50.0] in sb.tolist()  # a short line keeps its segment
    assert not any(x[1] == 0 and y[1] == 50 for x, y in zip(sa, sb))  # never joins two lines
    assert scene.segments(major=False) is scene.segments(major=False)  # cached


def test_heading_is_drawn_only_for_a_moving_walker_with_a_bearing():
    from datetime import datetime, timezone

    from mobile.presenters.location import Position
    from mobile.presenters.map_view import heading_of

    t = datetime(2026, 6, 1, 10, tzinfo=timezone.utc)
    assert heading_of(Position(43.73, 7.42, 8.0, t)) is None  # no bearing
    assert heading_of(Position(43.73, 7.42, 8.0, t, speed_mps=0.1, bearing_deg=90.0)) is None  # standing still
    assert heading_of(Position(43.73, 7.42, 8.0, t, speed_mps=1.3, bearing_deg=-90.0)) == 270.0
    assert heading_of(Position(43.73, 7.42, 8.0, t, bearing_deg=45.0)) == 45.0  # speed unknown
    assert heading_of(Position(43.73, 7.42, 8.0, t, bearing_deg=float("nan"))) is None


@pytest.mark.parametrize("bearing, direction", [(0, (0, 1)), (90, (1, 0)), (180, (0, -1)), (270, (-1, 0))])
def test_heading_arrow_points_along_the_bearing_ahead_of_the_dot(bearing, direction):
    from mobile.presenters.map_view import heading_arrow

    v = np.array(heading_arrow(10.0, 20.0, bearing, 5.0)).reshape(4, 4)[:, :2] - (10.0, 20.0)
    tip = v[0]
    assert tip / np.hypot(*tip) == pytest.approx(direction, abs=1e-9)
    assert np.hypot(*tip) > 5.0  # beyond the dot
    fwd = np.array(direction, float)
    assert (v @ fwd > 0).all()  # the whole wedge is ahead of the centre
    left, right = v[1], v[3]
    cross = lambda a, b: a[0] * b[1] - a[1] * b[0]  # noqa: E731
    assert cross(fwd, left) > 0 > cross(fwd, right)  # one wing each side of the bearing


def test_the_map_says_plainly_what_a_pack_lacks(content_dir, pack):
    """Issue 13: no street map, no shop data — said over the map, in FR and EN, not a blank map."""
    from heritage_kit.packs import load_pack
    from mobile.i18n import Translator
    from mobile.presenters.map_view import missing_data_notice

    perigueux = MapScene.from_pack(load_pack(content_dir / "perigueux"))
    assert not (perigueux.poi_kinds == KIND_ORDER.index("commerce")).any()  # 30 Mérimée points, no shop
    fr = missing_data_notice(perigueux, Translator("fr"))
    assert "Pas encore de plan des rues" in fr and "Pas encore de données sur les commerces" in fr
    en = missing_data_notice(perigueux, Translator("en"))
    assert en.splitlines() == ["No street map for this town yet: routes are straight lines.",
                               "No shop data for this town yet."]
    assert missing_data_notice(MapScene.from_pack(load_pack(content_dir / "monaco")), Translator("en")) == ""
    pack.pois = [p for p in pack.pois if p.kind != "commerce"]  # streets, but its shops taken out
    assert pack.streets and missing_data_notice(MapScene.from_pack(pack), Translator("en")) == \
        "No shop data for this town yet."
    assert missing_data_notice(None, Translator("en")) == ""
