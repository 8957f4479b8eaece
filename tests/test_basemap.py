"""The basemap: the layer/kind table, bands and simplification, the sea from coastlines, both OSM readers."""

from __future__ import annotations

import json
import pathlib

import pytest
from shapely.geometry import LineString, Point, Polygon, box, shape

from heritage_kit.basemap import LAYERS, basemap_features, check_basemap, classify, extract_basemap, layer_counts
from heritage_kit.basemap.extract import basemap_from_overpass
from heritage_kit.basemap.features import DETAIL_TOLERANCE_M, label_of, shape_features
from heritage_kit.basemap.sea import sea_polygon
from heritage_kit.errors import SourceDataError
from heritage_kit.importers.clip import parse_bbox

ROOT = pathlib.Path(__file__).resolve().parents[1]
MONACO_PBF = ROOT / "data" / "raw" / "osm" / "monaco-2026-07.osm.pbf"
MONACO_BBOX = "43.7245,7.4085,43.7520,7.4400"  # content/monaco/build.json clip
OVERPASS = ROOT / "tests" / "data" / "overpass_monaco_basemap.json"
SEA_POINT = Point(7.4330, 43.7270)  # off the Rocher
PALACE = Point(7.4199, 43.7314)  # Place du Palais, on the Rocher


# -- the layer/kind table ------------------------------------------------------------------
@pytest.mark.parametrize("tags, expected", [
    ({"building": "yes"}, ("building", "yes", "area")),
    ({"building": "church", "name": "Cathédrale"}, ("building", "church", "area")),
    ({"leisure": "garden"}, ("park", "garden", "area")),
    ({"landuse": "cemetery"}, ("park", "cemetery", "area")),
    ({"amenity": "grave_yard"}, ("park", "cemetery", "area")),
    ({"landuse": "grass"}, ("park", "grass", "area")),
    ({"natural": "wood"}, ("park", "wood", "area")),
    ({"natural": "water", "water": "basin"}, ("water", "basin", "area")),
    ({"natural": "water"}, ("water", "water", "area")),
    ({"waterway": "riverbank"}, ("water", "river", "area")),
    ({"waterway": "river", "name": "Leysse"}, ("water", "river", "line")),
    ({"railway": "rail"}, ("railway", "rail", "line")),
    ({"railway": "tram"}, ("railway", "tram", "line")),
    ({"highway": "pedestrian", "area": "yes"}, ("pedestrian", "pedestrian", "area")),
    ({"place": "square", "name": "Place du Palais"}, ("pedestrian", "square", "area")),
    ({"man_made": "pier"}, ("pedestrian", "pier", "area")),
    ({"natural": "coastline"}, ("sea", "coastline", "line")),
])
def test_table(tags, expected):
    rule = classify(tags)
    assert (rule.layer, rule.kind, rule.shape) == expected


@pytest.mark.parametrize("tags", [
    {"building": "no"},
    {"building": "yes", "location": "underground"},
    {"building": "yes", "layer": "-1"},
    {"railway": "rail", "tunnel": "yes"},
    {"railway": "abandoned"},
    {"waterway": "stream", "tunnel": "culvert"},
    {"highway": "pedestrian"},  # a pedestrian street (a line in streets.geojson), not an area
    {"landuse": "residential"},
    {"amenity": "restaurant"},
])
def test_table_leaves_out(tags):
    assert classify(tags) is None


def test_labels():
    assert label_of({"place": "square", "name": "Place d'Armes"}) == ("square", "Place d'Armes", 1)
    assert label_of({"place": "suburb", "name": "Monaco-Ville"}) == ("place", "Monaco-Ville", 0)
    assert label_of({"addr:housenumber": "12 bis", "building": "yes"}) == ("housenumber", "12 bis", 2)
    assert label_of({"place": "square"}) is None  # a nameless square has no label
    assert label_of({"place": "region", "name": "Alpes-Maritimes"}) is None


# -- bands and simplification ----------------------------------------------------------------
def _wiggly_square(side_deg: float, n: int, wiggle_deg: float) -> Polygon:
    """A square whose south edge zigzags by ``wiggle_deg`` over ``n`` points."""
    x0, y0 = 7.42, 43.73
    south = [(x0 + side_deg * i / n, y0 + (wiggle_deg if i % 2 else 0.0)) for i in range(n + 1)]
    return Polygon(south + [(x0 + side_deg, y0 + side_deg), (x0, y0 + side_deg)])


def test_big_detailed_area_gets_a_town_copy():
    # 1 m zigzags on a 200 m park: kept at street view (0.4 m), smoothed away at town view (2 m)
    feats = shape_features("park", "park", "Jardin", _wiggly_square(0.0018, 200, 1 / 111_320))
    assert [(f["properties"]["band"], f["properties"].get("max_band")) for f in feats] == [(0, 0), (1, None)]
    town, detailed = (shape(f["geometry"]) for f in feats)
    assert len(town.exterior.coords) < 10 < 150 < len(detailed.exterior.coords)
    assert all(f["properties"]["name"] == "Jardin" for f in feats)


def test_plain_area_has_one_copy_and_small_ones_start_at_street_view():
    big = shape_features("building", "yes", None, box(7.42, 43.73, 7.4203, 43.7302))  # ~24 x 22 m
    small = shape_features("building", "yes", None, box(7.42, 43.73, 7.42005, 43.73005))  # ~4 x 5.5 m
    assert [(f["properties"]["band"], f["properties"].get("max_band")) for f in big] == [(0, None)]
    assert [(f["properties"]["band"], f["properties"].get("max_band")) for f in small] == [(1, None)]


def test_positions_are_rounded_to_6_decimals_and_simplified_within_tolerance():
    poly = Polygon([(7.4212345678, 43.7312345678), (7.4222345678, 43.7312345678),
                    (7.4222345678, 43.7322345678), (7.4212345678, 43.7322345678)])
    (feat,) = shape_features("pedestrian", "square", None, poly)
    ring = feat["geometry"]["coordinates"][0]
    assert ring[0] == [7.421235, 43.731235] == ring[-1]
    assert all(len(str(v).split(".")[1]) <= 6 for p in ring for v in p)
    assert shape(feat["geometry"]).hausdorff_distance(poly) < DETAIL_TOLERANCE_M / 111_320 + 1e-6


# -- the sea --------------------------------------------------------------------------------
BOX = box(0.0, 0.0, 1.0, 1.0)


def test_sea_is_on_the_right_of_the_coastline():
    southward = LineString([(0.5, 1.5), (0.5, -0.5)])  # going south, land on the left: the east
    sea = sea_polygon([southward], BOX)
    assert sea.contains(Point(0.25, 0.5)) and not sea.contains(Point(0.75, 0.5))
    assert sea.area == pytest.approx(0.5)
    northward = sea_polygon([LineString([(0.5, -0.5), (0.5, 1.5)])], BOX)
    assert northward.contains(Point(0.75, 0.5)) and not northward.contains(Point(0.25, 0.5))


def test_island_and_coast_in_pieces():
    # an island drawn anticlockwise (land on the left = inside), and a mainland coast in two ways
    island = LineString([(0.2, 0.2), (0.4, 0.2), (0.4, 0.4), (0.2, 0.4), (0.2, 0.2)])
    coast = [LineString([(-0.5, 0.7), (0.5, 0.7)]), LineString([(0.5, 0.7), (1.5, 0.7)])]  # eastward: land north
    sea = sea_polygon([island, *coast], BOX)
    assert sea.contains(Point(0.1, 0.1)) and sea.contains(Point(0.5, 0.5))
    assert not sea.contains(Point(0.3, 0.3)) and not sea.contains(Point(0.5, 0.9))
    assert sea.area == pytest.approx(0.7 - 0.04)


def test_no_coastline_across_the_box_means_no_sea():
    assert sea_polygon([LineString([(2, 2), (3, 3)])], BOX) is None
    assert sea_polygon([], BOX) is None


# -- whole extracts ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def monaco():
    return extract_basemap(MONACO_PBF, bbox=parse_bbox(MONACO_BBOX))


def test_monaco_basemap_from_the_project_extract(monaco):
    data = json.dumps(monaco, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(data) <= 2_000_000  # the size budget of issue 13
    counts = layer_counts(monaco)
    assert counts["building"] > 1500 and counts["park"] > 100 and counts["sea"] >= 1 and counts["water"] > 20
    assert counts["label"] > 300  # house numbers and place names
    problems, positions = check_basemap(monaco, bbox=parse_bbox(MONACO_BBOX))
    assert problems == [] and positions > 10_000
    # layers in draw order; the sea is where the sea is
    layers = [f["properties"]["layer"] for f in monaco["features"]]
    assert layers == sorted(layers, key=LAYERS.index)
    sea = [shape(f["geometry"]) for f in monaco["features"] if f["properties"]["layer"] == "sea"]
    assert all(s.contains(SEA_POINT) and not s.contains(PALACE) for s in sea)
    palace_square = [f for f in monaco["features"] if f["properties"].get("name") == "Place du Palais"]
    assert {f["properties"]["layer"] for f in palace_square} >= {"pedestrian", "label"}


def test_overpass_answer_gives_the_same_basemap_as_the_pbf():
    bbox = parse_bbox("43.7290,7.4180,43.7330,7.4290")
    from_overpass = basemap_from_overpass(OVERPASS, bbox=bbox)
    from_pbf = extract_basemap(MONACO_PBF, bbox=bbox)
    a, b = layer_counts(from_overpass), layer_counts(from_pbf)
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in ("sea", "water", "label"))
    # areas cut by the box edge: the fixture holds only ways with a node inside, and osmium and shapely
    # assemble a few broken rings differently
    assert all(abs(a[k] - b[k]) <= 2 for k in a)
    assert layer_counts(from_overpass)["sea"] >= 1 and layer_counts(from_overpass)["building"] > 100
    sea = shape(next(f["geometry"] for f in from_overpass["features"] if f["properties"]["layer"] == "sea"))
    assert sea.contains(SEA_POINT) is False  # outside this small box
    assert sea.contains(Point(7.4250, 43.7292)) and not sea.contains(PALACE)
    assert check_basemap(from_overpass, bbox=bbox)[0] == []


def test_pure_entry_point_takes_any_reader_output():
    feats = basemap_features([({"building": "yes", "addr:housenumber": "3"}, box(7.42, 43.73, 7.4203, 43.7302)),
                              ({"building": "yes"}, box(7.50, 43.73, 7.5003, 43.7302))],  # outside the box
                             bbox=parse_bbox("43.72,7.41,43.74,7.43"))
    assert [(f["properties"]["layer"], f["properties"]["kind"]) for f in feats] == [("building", "yes"),
                                                                                    ("label", "housenumber")]
    assert feats[1]["properties"] == {"layer": "label", "kind": "housenumber", "name": "3", "band": 2}


def test_unreadable_sources_are_clear_errors(tmp_path):
    with pytest.raises(SourceDataError, match="no such file"):
        extract_basemap(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1' lat='x'")
    with pytest.raises(SourceDataError, match="bad.osm"):
        extract_basemap(bad)
    (tmp_path / "answer.json").write_text('{"remark": "runtime error"}')
    with pytest.raises(SourceDataError, match="no 'elements' list"):
        extract_basemap(tmp_path / "answer.json")


# -- the contract checker ---------------------------------------------------------------------
def _feature(layer="building", geometry=None, **props):
    return {"type": "Feature",
            "geometry": geometry or {"type": "Polygon", "coordinates": [[[7.42, 43.73], [7.421, 43.73],
                                                                         [7.421, 43.731], [7.42, 43.73]]]},
            "properties": {"layer": layer, "kind": "yes", "band": 0, **props}}


@pytest.mark.parametrize("feature, field, message", [
    (_feature(layer="roads"), "properties.layer", "must be one of sea, water"),
    (_feature(band=3), "properties.band", "integer band"),
    (_feature(band=True), "properties.band", "integer band"),
    (_feature(band=1, max_band=0), "properties.max_band", "at least the feature's band"),
    (_feature(kind=""), "properties.kind", "1 to 64"),
    (_feature(name=5), "properties.name", "string"),
    (_feature(layer="label"), "geometry.type", "layer label takes Point"),
    (_feature(geometry={"type": "Polygon", "coordinates": [[[7.42, 43.73], [7.421, 43.73], [7.42, 43.73]]]}),
     "geometry.coordinates.0", "closed and have at least 4"),
    (_feature(geometry={"type": "Polygon", "coordinates": [[[7.42, 43.73], [7.421, 91.0], [7.421, 43.731],
                                                            [7.42, 43.73]]]}),
     "geometry.coordinates.0.1", "not a lon,lat on Earth"),
    (_feature(geometry={"type": "Point", "coordinates": [-20.0, 10.0]}, layer="label"),
     "geometry.coordinates", "km outside the pack's bbox"),
    (_feature(geometry={"type": "LineString", "coordinates": [[7.42, "43.73"], [7.421, 43.73]]}, layer="railway"),
     "geometry.coordinates.0", "numbers"),
    ("Feature", "type", "GeoJSON Feature"),
])
def test_checker_names_feature_and_field(feature, field, message):
    doc = {"type": "FeatureCollection", "features": [_feature(), feature]}
    problems, _ = check_basemap(doc, bbox=parse_bbox(MONACO_BBOX))
    assert len(problems) == 1
    record, got_field, got_message = problems[0]
    assert (record, got_field) == ("#1", field) and message in got_message


def test_checker_refuses_absurd_sizes(monkeypatch):
    import heritage_kit.basemap.contract as contract

    assert check_basemap([1, 2])[0][0][2].startswith("must be a GeoJSON FeatureCollection")
    monkeypatch.setattr(contract, "MAX_FEATURES", 3)
    problems, _ = check_basemap({"type": "FeatureCollection", "features": [_feature()] * 4})
    assert "more than the 3" in problems[0][2]
    monkeypatch.setattr(contract, "MAX_POSITIONS", 10)
    problems, _ = check_basemap({"type": "FeatureCollection", "features": [_feature()] * 3})
    assert "more than 10 positions" in problems[-1][2]
    many_bad = {"type": "FeatureCollection", "features": [_feature(band=9)] * 2}
    monkeypatch.setattr(contract, "_MAX_REPORTED", 1)
    problems, _ = check_basemap(many_bad)
    assert [p[0] for p in problems] == ["#0", None] and "1 more bad features" in problems[1][2]


def test_checker_accepts_integers_and_altitudes_but_not_nan():
    ok = _feature(layer="label", geometry={"type": "Point", "coordinates": [7, 44, 12.5]})
    line = _feature(layer="railway", geometry={"type": "LineString", "coordinates": [[7.42, 43.73, 3], [7, 43.731]]})
    assert check_basemap({"type": "FeatureCollection", "features": [ok, line]}, bbox=parse_bbox(MONACO_BBOX)) == ([], 3)
    nan = _feature(layer="label", geometry={"type": "Point", "coordinates": [7.42, float("nan")]})
    alt = _feature(layer="label", geometry={"type": "Point", "coordinates": [7.42, 43.73, float("inf")]})
    problems, _ = check_basemap({"type": "FeatureCollection", "features": [nan, alt]})
    assert [(r, m) for r, _f, m in problems] == [("#0", "position 7.42,nan is not a lon,lat on Earth"),
                                                 ("#1", "an altitude must be a finite number")]


def test_fetch_basemap_from_a_local_overpass():
    from urllib.parse import parse_qs

    import requests
    from test_importers_osm import _Server  # the recorded-answer HTTP server of the POI importer's tests

    from heritage_kit.basemap.extract import basemap_query, fetch_basemap

    bbox = parse_bbox("43.7290,7.4180,43.7330,7.4290")
    with _Server(OVERPASS.read_bytes()) as srv, requests.Session() as session:
        doc = fetch_basemap(bbox, session=session, url=srv.url)
    query = parse_qs(srv.requests[0].decode())["data"][0]
    assert query == basemap_query(bbox)
    assert 'nwr["building"](43.729,7.418,43.733,7.429);' in query and query.endswith("out geom;\n")
    assert '"^(breakwater|pier|quay)$"' in query and 'node["addr:housenumber"]' in query
    assert doc == basemap_from_overpass(OVERPASS, bbox=bbox)


def test_bands_of_a_view_and_which_copy_is_drawn(monaco):
    import shapely

    from heritage_kit.basemap.contract import band_for, drawn_in
    from heritage_kit.basemap.features import TOWN_TOLERANCE_M

    assert [band_for(m) for m in (10.0, 3.0, 2.9, 0.5, 0.49)] == [0, 0, 1, 1, 2]
    assert drawn_in({"band": 0, "max_band": 0}, 0) and not drawn_in({"band": 0, "max_band": 0}, 1)
    assert drawn_in({"band": 1}, 2) and not drawn_in({"band": 1}, 0)
    feats = monaco["features"]
    town = [f for f in feats if f["properties"].get("max_band") == 0]
    later = [f for f in feats if f["properties"]["band"] == 1]
    assert len(town) > 200
    tree = shapely.STRtree([shape(f["geometry"]) for f in later])
    for t in town:  # every town-view copy has its detailed copy, drawn from street view on
        g = shape(t["geometry"])
        twins = [later[i] for i in tree.query(g, predicate="intersects")
                 if {k: v for k, v in later[i]["properties"].items() if k != "band"}
                 == {k: v for k, v in t["properties"].items() if k not in ("band", "max_band")}
                 and shape(later[i]["geometry"]).hausdorff_distance(g) <= 1.5 * TOWN_TOLERANCE_M / 111_320]
        assert twins, t["properties"]
    numbers = [sum(drawn_in(f["properties"], b) and f["properties"]["kind"] == "housenumber" for f in feats)
               for b in (0, 1, 2)]
    assert numbers[:2] == [0, 0] and numbers[2] > 400


def test_a_self_crossing_ring_is_drawn_as_its_valid_parts():
    bow_tie = LineString([(7.420, 43.730), (7.421, 43.731), (7.421, 43.730), (7.420, 43.731), (7.420, 43.730)])
    feats = basemap_features([({"leisure": "garden"}, bow_tie), ({"leisure": "garden"}, Polygon(bow_tie.coords))],
                             bbox=parse_bbox("43.72,7.41,43.74,7.43"))
    assert [f["geometry"]["type"] for f in feats] == ["MultiPolygon", "MultiPolygon"]
    assert all(shape(f["geometry"]).is_valid and shape(f["geometry"]).area > 0 for f in feats)
