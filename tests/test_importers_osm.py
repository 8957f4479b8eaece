"""The OSM importer and its tag table on the real extracts (data/raw/osm) and an Overpass-shaped answer."""

import bz2
import gzip
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from shapely.geometry import Point, box

from heritage_kit.categories import CATEGORIES
from heritage_kit.errors import FetchError, SourceDataError
from heritage_kit.importers._overpass import build_query, fetch_overpass, fetch_pois
from heritage_kit.importers.osm import import_osm, import_overpass_json, poi_from_osm, read_osm
from heritage_kit.importers.report import ImportReport
from heritage_kit.importers.tags import TAG_TABLE, REFINEMENTS, classify
from heritage_kit.types import BBox

ROCHER = "43.7290,7.4180,43.7330,7.4290"


@pytest.fixture(scope="module")
def monaco(raw_dir):
    return import_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf")


@pytest.fixture(scope="module")
def overpass_file():
    import pathlib

    return pathlib.Path(__file__).parent / "data" / "overpass_monaco_rocher.json"


def test_monaco_counts(monaco):
    pois = monaco.pois
    kinds = Counter(p.kind for p in pois)
    assert kinds["heritage"] >= 150
    assert kinds["commerce"] >= 150
    assert all(p.name.get() for p in pois)  # named only by default
    assert len({p.id for p in pois}) == len(pois)
    # hours are carried over wherever OSM has them
    with_hours = [p for p in pois if p.kind == "commerce" and p.opening_hours]
    assert len(with_hours) > 130
    # ways and multipolygon relations are imported too, with a footprint
    types = Counter(p.id.split("/")[0] for p in pois)
    assert types["osm:way"] > 30 and types["osm:relation"] >= 1
    assert monaco.report.skipped["no name"] > 0  # unnamed objects are counted, not silently lost


def test_palais_princier_is_heritage_with_its_hours(monaco):
    palais = next(p for p in monaco.pois if p.id == "osm:relation/393226")
    assert palais.kind == "heritage"
    assert palais.categories[0] == "castle" and "palace" in palais.categories
    assert palais.name.get("fr") == "Palais princier de Monaco"
    assert palais.name.get("en") == "Prince's Palace of Monaco"
    assert palais.opening_hours == "10:00-18:00; Jul,Aug 10:00-19:00; Oct 17-Mar 25 off"
    assert palais.refs.wikidata == "Q1164788" and palais.refs.osm == "relation/393226"
    assert palais.website == "https://www.palais.mc/" and palais.wheelchair == "limited"
    # the representative point lies inside the footprint (a courtyard polygon has a hole)
    shape = palais.footprint.shape()
    assert shape.geom_type == "MultiPolygon"
    assert shape.covers(Point(palais.location.lon, palais.location.lat))
    assert palais.sources[0].licence == "ODbL 1.0"


def test_way_point_is_inside_its_footprint(monaco):
    ways = [p for p in monaco.pois if p.footprint is not None]
    assert len(ways) > 30
    for p in ways:
        assert p.footprint.shape().buffer(1e-9).covers(Point(p.location.lon, p.location.lat)), p.id


def test_names_in_every_language_and_local_name_as_french(monaco):
    museum = next(p for p in monaco.pois if p.id == "osm:way/23715051")
    assert museum.name.get("fr") == "Musée Océanographique"
    assert museum.name.get("en") == "Oceanographic Museum of Monaco"
    assert museum.name.get("it") == "Museo Oceanografico di Monaco"
    assert "zh-Hans" in museum.name.root
    # `name` goes to the pack's language when asked
    it = poi_from_osm("node", 1, {"name": "Bar Roma", "amenity": "bar"}, Point(7.42, 43.73), lang="it")
    assert it.name.root == {"it": "Bar Roma"}


@pytest.mark.parametrize("suffix", [".osm", ".osm.gz", ".osm.bz2"])
def test_xml_in_every_compression(raw_dir, tmp_path, suffix):
    xml = gzip.decompress((raw_dir / "osm" / "chambery-faubourg-montmelian.osm.gz").read_bytes())
    path = tmp_path / f"chambery{suffix}"
    path.write_bytes({".osm": xml, ".osm.gz": gzip.compress(xml), ".osm.bz2": bz2.compress(xml)}[suffix])
    pois = read_osm(path)
    names = {p.name.get("fr") for p in pois}
    assert len(pois) == 9
    assert {"Église du Sacré-Cœur", "Librairie La Bible", "La Garattine", "Pharmacie du Faubourg"} <= names
    church = next(p for p in pois if p.id == "osm:way/101945424")
    assert church.kind == "heritage" and church.categories[0] == "church"
    assert church.footprint.shape().covers(Point(church.location.lon, church.location.lat))
    post = next(p for p in pois if p.name.get() == "Chambéry Sud")
    assert post.kind == "service" and post.opening_hours.startswith("Mo-Fr 09:00-12:00,14:00-17:00")


def test_unnamed_kept_when_asked(raw_dir):
    res = import_osm(raw_dir / "osm" / "chambery-faubourg-montmelian.osm.gz", require_name=False)
    assert len(res.pois) == 14
    fountain = next(p for p in res.pois if p.categories == ["fountain"])
    assert fountain.name.get("fr") == "Fontaine" and fountain.name.get("en") == "Fountain"


def test_clip_to_bbox_and_polygon(raw_dir, monaco):
    path = raw_dir / "osm" / "monaco-2026-07.osm.pbf"
    inside = import_osm(path, bbox=ROCHER)
    bb = BBox(south=43.7290, west=7.4180, north=43.7330, east=7.4290)
    assert inside.pois and all(bb.contains(p.lat, p.lon) for p in inside.pois)
    expected = {p.id for p in monaco.pois if bb.contains(p.lat, p.lon)}
    assert {p.id for p in inside.pois} == expected
    poly = box(7.4180, 43.7290, 7.4290, 43.7330).difference(box(7.4235, 43.7290, 7.4290, 43.7330))
    west = import_osm(path, clip=poly)
    assert {p.id for p in west.pois} == {p.id for p in inside.pois if p.lon < 7.4235}


def test_overpass_json_matches_the_pbf(raw_dir, overpass_file):
    a = import_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf", bbox=ROCHER)
    b = import_overpass_json(overpass_file, bbox=ROCHER)
    assert not b.report.problems
    A = {p.id: p for p in a.pois}
    B = {p.id: p for p in b.pois}
    assert set(A) == set(B) and len(A) > 100
    for pid, pa in A.items():
        pb = B[pid]
        assert (pa.kind, pa.categories, pa.name, pa.opening_hours) == (pb.kind, pb.categories, pb.name, pb.opening_hours)
        assert abs(pa.lat - pb.lat) < 1e-5 and abs(pa.lon - pb.lon) < 1e-5
        assert (pa.footprint is None) == (pb.footprint is None)


def test_overpass_center_output_and_bad_elements():
    doc = {"elements": [
        {"type": "way", "id": 5, "center": {"lat": 43.73, "lon": 7.42}, "tags": {"shop": "bakery", "name": "Pain"}},
        {"type": "node", "id": 6, "lat": "x", "lon": 7.4, "tags": {"shop": "books", "name": "Livres"}},
        {"type": "area", "id": 7, "tags": {}},
        {"type": "node", "id": 8, "lat": 43.7, "lon": 7.4},
    ]}
    res = import_overpass_json(doc)
    assert [p.id for p in res.pois] == ["osm:way/5"]
    msgs = [str(p) for p in res.report.problems]
    assert any("node/6" in m and "geometry" in m for m in msgs)
    assert any("#2" in m and "not a node, way or relation" in m for m in msgs)
    with pytest.raises(SourceDataError, match="elements"):
        import_overpass_json({"foo": 1})


def test_bad_tag_values_are_dropped_with_a_warning():
    rep = ImportReport("test")
    poi = poi_from_osm("node", 42, {"shop": "bakery", "name": "Chez Paul", "website": "not a url at all",
                                    "wheelchair": "maybe", "wikidata": "Paul", "ref:mhs": "nope",
                                    "contact:website": "x"}, Point(5.9, 45.5), report=rep)
    assert poi is not None and poi.website is None and poi.wheelchair is None and poi.refs.wikidata is None
    fields = {p.field for p in rep.problems}
    assert {"website", "wheelchair", "refs.wikidata", "refs.merimee"} <= fields
    assert all(p.severity == "warning" and p.record == "node/42" for p in rep.problems)
    # a bare domain becomes an https URL; ref:mhs becomes the Mérimée ref with its protection
    ok = poi_from_osm("way", 7, {"historic": "church", "name": "Église", "website": "www.example.fr",
                                 "ref:mhs": "PA00082725", "heritage": "2", "heritage:operator": "mhs",
                                 "start_date": "1150"}, box(0.72, 45.18, 0.7201, 45.1801))
    assert ok.website == "https://www.example.fr" and ok.refs.merimee == "PA00082725"
    assert ok.heritage.protection == "classé" and ok.heritage.dates == "1150"


def test_tag_table_uses_only_known_categories():
    for rule in TAG_TABLE:
        assert rule.category in CATEGORIES, rule
        assert rule.kind in ("heritage", "commerce", "service")
    for cat in REFINEMENTS.values():
        assert cat in CATEGORIES


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"historic": "castle", "castle_type": "palace", "tourism": "attraction"}, ("heritage", ["castle", "attraction", "palace"])),
        ({"amenity": "place_of_worship", "building": "cathedral"}, ("heritage", ["cathedral", "place_of_worship"])),
        ({"shop": "bakery"}, ("commerce", ["bakery"])),
        ({"shop": "car"}, ("commerce", ["shop_other"])),
        ({"craft": "caterer"}, ("commerce", ["crafts"])),
        ({"amenity": "cafe"}, ("commerce", ["cafe"])),
        ({"amenity": "pharmacy", "healthcare": "pharmacy"}, ("service", ["pharmacy"])),
        ({"tourism": "artwork", "artwork_type": "statue"}, ("heritage", ["artwork", "statue"])),
        ({"historic": "memorial", "memorial": "plaque"}, ("heritage", ["memorial"])),
        ({"heritage": "2", "building": "house"}, ("heritage", ["heritage_other"])),
        ({"tourism": "information", "information": "office"}, ("service", ["tourist_info"])),
        ({"tourism": "information", "information": "board"}, None),
        ({"amenity": "parking"}, None),
        ({"historic": "no", "shop": "no"}, None),
        ({"building": "yes"}, None),
    ],
)
def test_classify(tags, expected):
    assert classify(tags) == expected


def test_bad_files(tmp_path):
    with pytest.raises(SourceDataError, match="no such file"):
        read_osm(tmp_path / "missing.osm.pbf")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(SourceDataError, match="not an OSM file"):
        read_osm(tmp_path / "x.txt")
    (tmp_path / "broken.osm.pbf").write_bytes(b"\x00\x00\x00\x0dnot a pbf file at all")
    with pytest.raises(SourceDataError, match="broken.osm.pbf"):
        read_osm(tmp_path / "broken.osm.pbf")
    (tmp_path / "broken.osm").write_text("<osm><node id='1' lat='1' lon=")
    with pytest.raises(SourceDataError, match="broken.osm"):
        read_osm(tmp_path / "broken.osm")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(SourceDataError, match="not valid JSON"):
        read_osm(tmp_path / "bad.json")


def test_progress_bar(raw_dir, capsys):
    import_osm(raw_dir / "osm" / "chambery-faubourg-montmelian.osm.gz", progress=True)
    assert "reading chambery-faubourg-montmelian.osm.gz" in capsys.readouterr().err


# -- Overpass over a real local HTTP server ---------------------------------------------
class _Server:
    def __init__(self, body: bytes, status: int = 200, ctype: str = "application/json"):
        self.requests: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                outer.requests.append(self.rfile.read(n))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/interpreter"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_fetch_pois_from_a_local_overpass(overpass_file):
    bb = BBox(south=43.7290, west=7.4180, north=43.7330, east=7.4290)
    with _Server(overpass_file.read_bytes()) as srv, requests.Session() as session:
        res = fetch_pois(bb, session=session, url=srv.url)
    from urllib.parse import parse_qs

    query = parse_qs(srv.requests[0].decode())["data"][0]
    assert query == build_query(bb)
    assert '(43.729,7.418,43.733,7.429)' in query and "out geom;" in query and 'nwr["shop"]' in query
    assert "osm:relation/393226" in {p.id for p in res.pois}
    expected = import_overpass_json(overpass_file, bbox=bb)
    assert [p.id for p in res.pois] == [p.id for p in expected.pois]


@pytest.mark.parametrize(
    ("status", "body", "error", "fragment"),
    [
        (429, b"rate limited", FetchError, "429"),
        (504, b"busy", FetchError, "overloaded"),
        (500, b"oops", FetchError, "HTTP 500"),
        (200, b"<html>not json</html>", SourceDataError, "not JSON"),
        (200, b'{"remark": "runtime error"}', SourceDataError, "elements"),
    ],
)
def test_overpass_failures_are_clear(status, body, error, fragment):
    with _Server(body, status=status) as srv, requests.Session() as session:
        with pytest.raises(error, match=fragment):
            fetch_overpass("[out:json];node(1,1,1,1);out;", session=session, url=srv.url)


def test_overpass_unreachable():
    with requests.Session() as session:
        with pytest.raises(FetchError, match="request failed"):
            fetch_overpass("x", session=session, url="http://127.0.0.1:9/", timeout=2)


def test_geojson_exports(raw_dir):
    """overpass-turbo GeoJSON exports (Niort 2019): ids from `id`/`@id`, tags from properties, polygons kept."""
    res = import_osm(raw_dir / "osm" / "niort-2019" / "niort_pharmacy.geojson")
    assert len(res.pois) == 33 and all(p.kind == "service" and p.categories[0] == "pharmacy" for p in res.pois)
    clou = next(p for p in res.pois if p.id == "osm:node/6290892159")
    assert clou.name.get() == "Pharmacie du Clou-Bouchet" and clou.address.street == "Rue Jules Siegfried"
    assert clou.opening_hours.startswith("Mo 14:00-19:00, Tu-Fr 09:00-12:15 / 14:15-19:00")  # raw, as mapped
    parking = import_osm(raw_dir / "osm" / "niort-2019" / "niort_bicycle_parking.geojson", require_name=False)
    assert len(parking.pois) == 108
    withfp = [p for p in parking.pois if p.footprint is not None]
    assert withfp and all(p.footprint.shape().buffer(1e-9).covers(Point(p.lon, p.lat)) for p in withfp)
    # the hand-edited market file has a typo (amenity=marcher): counted as skipped, not silently lost
    market = import_osm(raw_dir / "osm" / "niort-2019" / "niort_marketplace.geojson")
    assert market.pois == [] and market.report.skipped["no tag of interest"] == 1 and market.report.read == 1
