"""WalkingGraph on the real Monaco and Chambéry OSM data, checked against networkx."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pytest

from heritage_kit.errors import HeritageKitError, RouteNotFound, SourceDataError
from heritage_kit.geo import haversine_m
from heritage_kit.routing import StraightLineNetwork, WalkingGraph
from heritage_kit.routing._osm_ways import is_walkable
from heritage_kit.types import BBox, LatLon


@pytest.fixture(scope="module")
def monaco(raw_dir):
    return WalkingGraph.from_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf")


@pytest.fixture(scope="module")
def chambery(raw_dir):
    return WalkingGraph.from_osm(raw_dir / "osm" / "chambery-faubourg-montmelian.osm.gz")


def nx_graph(g: WalkingGraph, *, step_free=False, metric="length") -> nx.DiGraph:
    G = nx.DiGraph()
    key = "length_m" if metric == "length" else "time_s"
    for e in g.edges():
        if step_free and e["steps"] and not e["ramp"]:
            continue
        pairs = [(e["u"], e["v"])] + ([] if e["oneway"] else [(e["v"], e["u"])])
        for a, b in pairs:
            if a == b:
                continue
            if not G.has_edge(a, b) or G[a][b]["w"] > e[key]:
                G.add_edge(a, b, w=e[key])
    return G


_NX_CACHE: dict = {}


def oracle(g: WalkingGraph, a: LatLon, b: LatLon, *, step_free=False, metric="length") -> float:
    """networkx Dijkstra on the same graph, with the two snapped points added as nodes."""
    key = (id(g), step_free, metric)
    if key not in _NX_CACHE:
        _NX_CACHE[key] = nx_graph(g, step_free=step_free, metric=metric)
    G = _NX_CACHE[key]
    G.remove_nodes_from(["S", "T"])
    s, t = g.snap(a, step_free=step_free), g.snap(b, step_free=step_free)
    edges = list(g.edges())
    for name, snap, out in (("S", s, True), ("T", t, False)):
        e = edges[snap.edge]
        cost = e["length_m"] if metric == "length" else e["time_s"]
        f = snap.offset / e["length_m"] if e["length_m"] else 0.0
        if out:
            G.add_edge("S", e["v"], w=cost * (1 - f))
            if not e["oneway"]:
                G.add_edge("S", e["u"], w=cost * f)
        else:
            G.add_edge(e["u"], "T", w=cost * f)
            if not e["oneway"]:
                G.add_edge(e["v"], "T", w=cost * (1 - f))
    best = nx.dijkstra_path_length(G, "S", "T", weight="w")
    if s.edge == t.edge:
        e = edges[s.edge]
        cost = e["length_m"] if metric == "length" else e["time_s"]
        if not (e["oneway"] and t.offset < s.offset):
            best = min(best, cost * abs(t.offset - s.offset) / e["length_m"])
    return best


def random_points(g: WalkingGraph, n: int, seed: int) -> list[LatLon]:
    """Points up to ~60 m off random junctions (in streets, courtyards, gardens)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randrange(g.node_count)
        out.append(LatLon(lat=g.node_lats[k] + rng.uniform(-5e-4, 5e-4), lon=g.node_lons[k] + rng.uniform(-7e-4, 7e-4)))
    return out


def polyline_m(r) -> float:
    lat = np.array([p.lat for p in r.geometry])
    lon = np.array([p.lon for p in r.geometry])
    return float(np.sum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])))


def test_monaco_graph_is_one_component_of_the_real_network(monaco):
    assert 3000 < monaco.node_count < 10000
    assert 100_000 < monaco.length_m < 250_000
    G = nx_graph(monaco).to_undirected()
    assert nx.is_connected(G)
    assert any(e["steps"] and e["step_count"] for e in monaco.edges())


def test_node_to_node_routes_equal_networkx_dijkstra(monaco):
    G = nx_graph(monaco)
    rng = random.Random(5)
    for _ in range(30):
        u, v = rng.randrange(monaco.node_count), rng.randrange(monaco.node_count)
        r = monaco.route(monaco.node_position(u), monaco.node_position(v))
        expected = nx.dijkstra_path_length(G, u, v, weight="w")
        assert r.length_m == pytest.approx(expected, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("metric", ["length", "time"])
def test_routes_between_arbitrary_points_equal_networkx(monaco, metric):
    pts = random_points(monaco, 24, seed=11)
    for a, b in zip(pts[::2], pts[1::2]):
        r = monaco.route(a, b, metric=metric)
        got = r.length_m if metric == "length" else r.duration_s
        assert got == pytest.approx(oracle(monaco, a, b, metric=metric), rel=1e-9, abs=1e-6)
        # the geometry is the route walked: its length is the route length
        assert polyline_m(r) == pytest.approx(r.length_m, rel=1e-6, abs=0.01)
        assert r.geometry[0] == r.start and r.geometry[-1] == r.end


def test_snapping_lands_on_an_edge_not_only_a_node(monaco):
    # midway along a long edge: the snapped point is on the edge, far from both junctions
    e = max(monaco.edges(), key=lambda e: e["length_m"] if not e["steps"] else 0)
    i = list(monaco.edges()).index(e)
    edge = monaco._edges[i]
    k = len(edge.lats) // 2
    p = LatLon(lat=edge.lats[k], lon=edge.lons[k])
    s = monaco.snap(p)
    assert s.dist < 0.5
    assert 1.0 < s.offset < e["length_m"] - 1.0


def test_step_free_routes_avoid_steps_and_equal_networkx(monaco):
    pts = random_points(monaco, 16, seed=3)
    n_differ = 0
    for a, b in zip(pts[::2], pts[1::2]):
        r = monaco.route(a, b, step_free=True)
        assert r.flights == 0 and r.step_count == 0
        assert r.length_m == pytest.approx(oracle(monaco, a, b, step_free=True), rel=1e-9, abs=1e-6)
        plain = monaco.route(a, b)
        n_differ += plain.flights > 0
    assert n_differ > 0  # Monaco is steep: ordinary routes do use steps


def test_routes_with_steps_report_their_count(monaco):
    # the two ends of a tagged flight of steps
    edges = list(monaco.edges())
    i = next(i for i, e in enumerate(edges) if e["steps"] and e["step_count"] and e["length_m"] > 10)
    ed = monaco._edges[i]
    a = LatLon(lat=ed.lats[0], lon=ed.lons[0])
    b = LatLon(lat=ed.lats[-1], lon=ed.lons[-1])
    r = monaco.route(a, b)
    if r.flights:  # the flight itself is the shortest way
        assert r.step_count >= 1
        assert r.duration_s > r.length_m / monaco.speed_mps  # steps are slower


def test_matrix_equals_point_queries(monaco):
    pts = random_points(monaco, 7, seed=21)
    m = monaco.matrix(pts)
    assert m.shape == (7, 7) and np.all(np.diag(m) == 0)
    for i in range(7):
        for j in range(7):
            if i != j:
                assert m[i, j] == pytest.approx(monaco.route(pts[i], pts[j], metric="time").duration_s, rel=1e-9)
    ml = monaco.matrix(pts, metric="length", step_free=True)
    assert ml[1, 2] == pytest.approx(monaco.route(pts[1], pts[2], step_free=True).length_m, rel=1e-9)


def test_geojson_round_trip_gives_the_same_routes(monaco):
    gj = monaco.to_geojson()
    assert gj["type"] == "FeatureCollection"
    f = gj["features"][0]
    assert f["geometry"]["type"] == "LineString" and "highway" in f["properties"]
    g2 = WalkingGraph.from_geojson(gj)
    assert (g2.node_count, g2.edge_count) == (monaco.node_count, monaco.edge_count)
    for a, b in zip(*[iter(random_points(monaco, 10, seed=8))] * 2):
        assert g2.route(a, b).length_m == pytest.approx(monaco.route(a, b).length_m, rel=1e-6)


def test_chambery_and_bbox_clip(raw_dir, chambery):
    assert chambery.node_count > 20
    full = WalkingGraph.from_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf",
                                 bbox=BBox(south=43.728, west=7.41, north=43.735, east=7.425))
    assert all(43.728 <= la <= 43.735 for la in full.node_lats)


def _line(coords, **props):
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props}


def test_oneway_foot_and_step_free_failure_are_honoured():
    # A -> B one way along the bottom; the way back is a flight of steps.
    gj = {
        "type": "FeatureCollection",
        "features": [
            _line([[7.0, 43.0], [7.001, 43.0]], highway="footway", oneway_foot=True),
            _line([[7.001, 43.0], [7.001, 43.001], [7.0, 43.001], [7.0, 43.0]], highway="steps", steps=True, step_count=40),
        ],
    }
    g = WalkingGraph.from_geojson(gj)
    a, b = LatLon(lat=43.0, lon=7.0002), LatLon(lat=43.0, lon=7.0008)
    fwd = g.route(a, b)
    assert fwd.length_m == pytest.approx(haversine_m(43.0, 7.0002, 43.0, 7.0008), rel=1e-6)
    back = g.route(b, a)
    assert back.flights == 1 and back.step_count == 40 and back.length_m > 300
    with pytest.raises(RouteNotFound, match="step-free"):
        g.route(b, a, step_free=True)
    assert isinstance(RouteNotFound("x"), LookupError) and issubclass(RouteNotFound, HeritageKitError)


def test_far_points_and_bad_geojson_give_clear_errors(monaco):
    with pytest.raises(RouteNotFound, match="m from the nearest"):
        monaco.route(LatLon(lat=43.9, lon=7.6), LatLon(lat=43.73, lon=7.42))
    with pytest.raises(SourceDataError, match=r"feature #1, field geometry.type"):
        WalkingGraph.from_geojson({"type": "FeatureCollection", "features": [
            _line([[7, 43], [7.001, 43]]), {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7, 43]}}]})
    with pytest.raises(SourceDataError, match=r"feature #0, field properties.oneway_foot: must be true or false"):
        WalkingGraph.from_geojson({"type": "FeatureCollection", "features": [_line([[7, 43], [7.001, 43]], oneway_foot="no")]})
    with pytest.raises(SourceDataError, match=r"properties.step_count"):
        WalkingGraph.from_geojson({"type": "FeatureCollection", "features": [_line([[7, 43], [7.001, 43]], step_count="12")]})
    with pytest.raises(SourceDataError, match="FeatureCollection"):
        WalkingGraph.from_geojson({"type": "Feature"})
    with pytest.raises(SourceDataError, match="bad position"):
        WalkingGraph.from_geojson({"type": "FeatureCollection", "features": [_line([[7, 43], [700, 43]])]})


def test_foot_rule_set():
    assert is_walkable({"highway": "footway"})
    assert is_walkable({"highway": "residential"})
    assert not is_walkable({"highway": "motorway"})
    assert is_walkable({"highway": "cycleway", "foot": "designated"})
    assert not is_walkable({"highway": "cycleway"})
    assert not is_walkable({"highway": "footway", "foot": "no"})
    assert not is_walkable({"highway": "service", "access": "private"})
    assert is_walkable({"highway": "service", "access": "private", "foot": "yes"})
    assert not is_walkable({"highway": "raceway"})
    assert not is_walkable({"building": "yes"})


def test_straight_line_fallback_says_so():
    net = StraightLineNetwork()
    a, b = LatLon(lat=45.0, lon=6.0), LatLon(lat=45.01, lon=6.0)
    r = net.route(a, b)
    assert r.straight_line and "1.3" in r.note["en"] and "vol d'oiseau" in r.note["fr"]
    assert r.length_m == pytest.approx(1.3 * haversine_m(45.0, 6.0, 45.01, 6.0))
    m = net.matrix([a, b])
    assert m[0, 1] == pytest.approx(r.duration_s) and m[0, 0] == 0


def test_snap_is_part_of_the_walking_network_protocol():
    # both networks answer snap(): the fallback puts every point on itself, the graph on its nearest edge
    p = LatLon(lat=45.0, lon=6.0)
    s = StraightLineNetwork().snap(p, step_free=True)
    assert (s.lat, s.lon, s.dist, s.edge) == (45.0, 6.0, 0.0, -1)
    g = WalkingGraph.from_geojson({"type": "FeatureCollection", "features": [
        _line([[6.0, 45.0], [6.001, 45.0]], highway="footway"), _line([[6.001, 45.0], [6.002, 45.0]], highway="steps", steps=True)]})
    on = g.snap(LatLon(lat=45.0001, lon=6.0005))
    assert on.lat == pytest.approx(45.0) and on.dist == pytest.approx(haversine_m(45.0001, 6.0005, 45.0, 6.0005), rel=1e-3)
    assert g.snap(LatLon(lat=45.0, lon=6.0018), step_free=True).lon == pytest.approx(6.001)
    with pytest.raises(RouteNotFound, match="m from the nearest"):
        g.snap(LatLon(lat=45.1, lon=6.0))


@pytest.mark.parametrize("step_free,metric", [(False, "length"), (True, "time")])
def test_alt_landmark_routes_stay_exact(raw_dir, monkeypatch, step_free, metric):
    import heritage_kit.routing.graph as graph_mod

    monkeypatch.setattr(graph_mod, "LANDMARKS_AFTER", 0)
    g = WalkingGraph.from_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf", landmarks=6)
    pts = random_points(g, 20, seed=99)
    for a, b in zip(pts[::2], pts[1::2]):
        r = g.route(a, b, step_free=step_free, metric=metric)
        got = r.length_m if metric == "length" else r.duration_s
        assert got == pytest.approx(oracle(g, a, b, step_free=step_free, metric=metric), rel=1e-9, abs=1e-6)
    assert g._lm_cache  # the landmark bounds were in use


@pytest.mark.parametrize("oneway", [False, True])
def test_closed_ring_edges(oneway):
    # A (7.000) — B (7.001); a square ring from B: B -> C (north) -> D (north-east) -> E (east) -> B
    B = [7.001, 43.0]
    ring = [B, [7.001, 43.001], [7.002, 43.001], [7.002, 43.0], B]
    g = WalkingGraph.from_geojson({"type": "FeatureCollection", "features": [
        _line([[7.0, 43.0], B], highway="footway"),
        _line(ring, highway="pedestrian", oneway_foot=oneway),
    ]})
    a = LatLon(lat=43.0, lon=7.0)
    p = LatLon(lat=43.0, lon=7.0017)  # on the ring's last side, 0.0003° east of B
    side = haversine_m(43.0, 7.001, 43.0, 7.0017)
    ab = haversine_m(43.0, 7.0, 43.0, 7.001)
    to_p = g.route(a, p)
    from_p = g.route(p, a)
    ring_len = sum(haversine_m(ring[i][1], ring[i][0], ring[i + 1][1], ring[i + 1][0]) for i in range(4))
    if oneway:  # B -> C -> D -> E -> p, and p -> B directly
        assert to_p.length_m == pytest.approx(ab + ring_len - side, rel=1e-9)
        assert from_p.length_m == pytest.approx(side + ab, rel=1e-9)
    else:
        assert to_p.length_m == pytest.approx(ab + side, rel=1e-9)
        assert from_p.length_m == pytest.approx(side + ab, rel=1e-9)
    for r in (to_p, from_p):
        assert polyline_m(r) == pytest.approx(r.length_m, rel=1e-6)


def test_escalators_are_one_way_and_ramped_steps_are_step_free():
    from heritage_kit.routing._osm_ways import _way_oneway

    assert _way_oneway({"highway": "steps", "conveying": "forward"}) == 1
    assert _way_oneway({"highway": "steps", "conveying": "backward"}) == -1
    assert _way_oneway({"highway": "steps", "conveying": "reversible"}) == 0
    assert _way_oneway({"highway": "steps", "conveying": "forward", "oneway:foot": "no"}) == 0
    # a short flight with a wheelchair ramp next to a long way round
    gj = {"type": "FeatureCollection", "features": [
        _line([[7.0, 43.0], [7.001, 43.0]], highway="steps", steps=True, step_count=12, wheelchair_ramp=True),
        _line([[7.0, 43.0], [7.0, 43.002], [7.001, 43.002], [7.001, 43.0]], highway="footway"),
    ]}
    g = WalkingGraph.from_geojson(gj)
    a, b = LatLon(lat=43.0, lon=7.0), LatLon(lat=43.0, lon=7.001)
    plain, free = g.route(a, b), g.route(a, b, step_free=True)
    assert plain.flights == 1 and plain.step_count == 12
    assert free.length_m == pytest.approx(plain.length_m) and free.flights == 0  # by the ramp
    assert WalkingGraph.from_geojson(g.to_geojson()).route(a, b, step_free=True).length_m == pytest.approx(free.length_m)


def test_monaco_escalators_and_ramps_are_read(monaco):
    edges = list(monaco.edges())
    assert any(e["ramp"] for e in edges)
    assert any(e["steps"] and e["oneway"] for e in edges)  # conveying=forward|backward
