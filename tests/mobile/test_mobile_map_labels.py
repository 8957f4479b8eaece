"""Map labels without a window: street names along their streets, upright, spaced, never overlapping."""

import math

import numpy as np
import pytest
import shapely

from heritage_kit.packs import load_pack
from mobile.presenters.map_labels import (REPEAT_PX, CollisionGrid, layout_labels, short_name, street_label_spots,
                                          upright)
from mobile.presenters.map_view import MapScene, Viewport, chain_lines


def estimate(text: str, kind: str) -> tuple[float, float]:
    """About what the app's font gives: 0.55 em per character, 1.3 em high."""
    size = {"place": 15.0, "housenumber": 9.5}.get(kind, 12.0)
    return len(text) * size * 0.55 + 4, size * 1.3 + 4


@pytest.mark.parametrize("angle, expected", [(0, 0), (45, 45), (90, 90), (91, -89), (180, 0), (-90, 90),
                                             (-135, 45), (270, 90), (359, -1), (-181, -1)])
def test_labels_are_never_upside_down(angle, expected):
    assert upright(angle) == pytest.approx(expected)


def test_collision_grid_refuses_overlaps_only():
    g = CollisionGrid((0, 0, 400, 400), cell=4)
    assert g.place(100, 100, 80, 16)
    assert not g.place(150, 105, 80, 16)  # overlaps the first
    assert g.place(100, 130, 80, 16)  # just above it
    # two parallel diagonal labels 36 px apart both fit although their bounds overlap
    assert g.place(250, 250, 100, 14, 45)
    assert g.place(250 - 25.5, 250 + 25.5, 100, 14, 45)
    assert not g.place(250 + 5, 250 + 5, 60, 14, -45)  # crosses the first diagonal
    assert not g.place(395, 200, 40, 14)  # leaves the region


def test_a_straight_street_carries_its_name_in_the_middle_reading_left_to_right():
    pts = np.array([[0.0, 0.0], [100.0, 100.0], [200.0, 200.0]])
    spots = list(street_label_spots(pts, 120, 16))
    assert spots[0][:2] == pytest.approx((100, 100))
    assert all(a == pytest.approx(45) for *_xy, a in spots)
    back = list(street_label_spots(pts[::-1], 120, 16))  # drawn the other way: the same upright angle
    assert back[0][2] == pytest.approx(45)
    assert list(street_label_spots(pts, 300, 16)) == []  # longer than the street


def test_a_bend_is_not_labelled_across_the_corner():
    pts = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, -100.0]])  # an L: 100 px each way
    for x, y, a in street_label_spots(pts, 80, 16):
        on_first = abs(y) < 6 and a == pytest.approx(0)
        on_second = abs(x - 100) < 6 and a == pytest.approx(90)
        assert on_first or on_second, (x, y, a)
    assert list(street_label_spots(pts, 150, 16)) == []  # only fits around the corner


def test_the_ways_of_one_street_are_chained_end_to_end():
    a = np.array([[0.0, 0.0], [10.0, 0.0]])
    b = np.array([[20.0, 0.0], [10.0, 0.0]])  # drawn backwards
    c = np.array([[20.0, 0.0], [30.0, 5.0]])
    far = np.array([[100.0, 100.0], [110.0, 100.0]])
    out = chain_lines([a, b, c, far])
    assert len(out) == 2
    assert out[0].tolist() == [[0, 0], [10, 0], [20, 0], [30, 5]]


def test_long_poi_names_are_cut_at_a_word():
    assert short_name("Palais Princier") == "Palais Princier"
    cut = short_name("Statue de la princesse découvrant les richesses de l'océan")
    assert cut.endswith("…") and len(cut) <= 30 and cut[:-1] in "Statue de la princesse découvrant les richesses"


@pytest.fixture(scope="module")
def monaco_scene(content_dir):
    pack = load_pack(content_dir / "monaco")
    return pack, MapScene.from_pack(pack)


def _view(scene, pack, mpp):
    vp = Viewport(width=432, height=800)
    vp.scale = 1.0 / mpp
    c = pack.manifest.centre
    vp.cx, vp.cy = scene.to_xy(c.lat, c.lon)
    return vp


def _boxes_overlap(placements) -> list:
    polys = [shapely.Polygon(p.corners()) for p in placements]
    tree = shapely.STRtree(polys)
    bad = []
    for i, j in zip(*tree.query(polys, predicate="intersects")):
        if i < j and polys[i].intersection(polys[j]).area > 1.0:
            bad.append((placements[i].text, placements[j].text))
    return bad


@pytest.mark.parametrize("mpp", [2.0, 1.0, 0.35])
def test_monaco_labels_do_not_overlap_and_stay_upright(monaco_scene, mpp):
    pack, scene = monaco_scene
    vp = _view(scene, pack, mpp)
    labels = layout_labels(scene, vp, lang="fr", measure=estimate)
    kinds = {p.kind for p in labels}
    assert kinds & {"street", "street_major"}
    assert _boxes_overlap(labels) == []
    assert all(-90 < p.angle <= 90 for p in labels)
    for p in labels:  # every label inside the laid-out area
        assert (p.corners() >= -0.5).all() and (p.corners()[:, 0] <= 432.5).all() and (p.corners()[:, 1] <= 800.5).all()
    names = {st.name for st in scene.streets if st.name}
    assert all(p.text in names for p in labels if p.kind.startswith("street"))
    assert ("housenumber" in kinds) == (mpp < 0.5)
    # a name repeated on a long street: its copies far apart
    by_name: dict[str, list] = {}
    for p in labels:
        if p.kind.startswith("street"):
            by_name.setdefault(p.text, []).append((p.x, p.y))
    for pts in by_name.values():
        for i, a in enumerate(pts):
            for b in pts[i + 1:]:
                assert math.dist(a, b) >= REPEAT_PX


def test_street_labels_follow_their_street(monaco_scene):
    """The label's centre lies on its street and its direction is the street's there."""
    pack, scene = monaco_scene
    vp = _view(scene, pack, 1.0)
    labels = [p for p in layout_labels(scene, vp, lang="fr", measure=estimate) if p.kind.startswith("street")]
    assert len(labels) >= 5
    lines = {}
    for st in scene.streets:
        if st.name:
            sx, sy = vp.to_screen(st.xy[:, 0], st.xy[:, 1])
            lines.setdefault(st.name, []).append(shapely.LineString(np.column_stack([sx, sy])))
    for p in labels:
        street = shapely.MultiLineString(lines[p.text])
        assert street.distance(shapely.Point(p.x, p.y)) <= 0.5 * p.h
        a = math.radians(p.angle)
        ends = [shapely.Point(p.x + math.cos(a) * s * p.w / 2, p.y + math.sin(a) * s * p.w / 2) for s in (-1, 1)]
        assert all(street.distance(e) <= 0.6 * p.h for e in ends), p.text


def test_town_view_shows_place_names_only_and_trail_stops_are_named_first(monaco_scene):
    pack, scene = monaco_scene
    far = layout_labels(scene, _view(scene, pack, 4.0), lang="en", measure=estimate)
    assert far and {p.kind for p in far} <= {"place", "square"}
    vp = _view(scene, pack, 1.0)
    stop = pack.poi(pack.trails[0].stops[0])
    vp.cx, vp.cy = scene.to_xy(stop.location.lat, stop.location.lon)
    near = layout_labels(scene, vp, lang="en", measure=estimate)
    pois = [p.text for p in near if p.kind == "poi"]
    stops = {short_name(pack.poi(s).name.get("en")) for t in pack.trails for s in t.stops}
    ranked = [p for p in pois if p in stops]
    assert ranked and pois[: len(ranked)] == ranked  # placed (and listed) before other heritage names
    # English names in English
    en_names = {short_name(p.name.get("en")) for p in pack.pois}
    assert set(pois) <= en_names


def test_no_labels_without_names(pack):
    pack.streets = None
    scene = MapScene.from_pack(pack)
    vp = Viewport(width=400, height=700)
    vp.fit(scene.poi_extent())
    vp.scale = 1.0
    labels = layout_labels(scene, vp, lang="fr", measure=estimate)
    assert all(p.kind == "poi" for p in labels)


def _cut_by(view, p) -> bool:
    c = p.corners()
    x0, y0, x1, y1 = view
    inside = (c[:, 0] >= x0 - 0.5).all() and (c[:, 0] <= x1 + 0.5).all() and (c[:, 1] >= y0 - 0.5).all() \
        and (c[:, 1] <= y1 + 0.5).all()
    outside = (c[:, 0] <= x0).all() or (c[:, 0] >= x1).all() or (c[:, 1] <= y0).all() or (c[:, 1] >= y1).all()
    return not inside and not outside


@pytest.mark.parametrize("mpp", [2.0, 1.0, 0.35])
def test_no_label_is_cut_by_the_edge_of_the_screen(monaco_scene, mpp):
    """Issue 13: laid out over the widget's pan margin (as the app does), every label is either wholly on screen
    or wholly in the margin — never half drawn at the edge; names near the edge are moved, not lost."""
    pack, scene = monaco_scene
    vp = _view(scene, pack, mpp)
    margin = (-108.0, -200.0, 432.0 + 108.0, 800.0 + 200.0)  # PAN_MARGIN = 0.25 of the widget on each side
    labels = layout_labels(scene, vp, lang="fr", measure=estimate, region=margin)
    view = (0.0, 0.0, 432.0, 800.0)
    assert [p.text for p in labels if _cut_by(view, p)] == []
    on_screen = [p for p in labels if not _cut_by(view, p) and (p.corners()[:, 0] > 0).all()
                 and (p.corners()[:, 0] < 432).all() and (p.corners()[:, 1] > 0).all()
                 and (p.corners()[:, 1] < 800).all()]
    alone = layout_labels(scene, vp, lang="fr", measure=estimate)  # the view alone, as before
    assert len(on_screen) >= 0.8 * len(alone) and any(not (p in on_screen) for p in labels)  # the margin's kept


def test_a_label_at_the_edge_moves_to_its_next_spot():
    from mobile.presenters.map_labels import straddles

    view = (0.0, 0.0, 400.0, 300.0)
    assert straddles(view, 395, 150, 40, 12) and straddles(view, 200, -2, 40, 12)
    assert not straddles(view, 200, 150, 40, 12) and not straddles(view, 460, 150, 40, 12)
    assert straddles(view, 200, 297, 60, 12, 90)  # turned: its height is 60 px
    assert not straddles(view, 200, 250, 60, 12, 90)
