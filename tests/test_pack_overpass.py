"""``pack build`` from Overpass, end to end over a real local HTTP server (issue 13, "Périgueux").

The answer served is tests/data/overpass/chambery-centre.json.gz: the Overpass ``[out:json]`` / ``out geom``
answer to ``build_query(CENTRE, streets=True)``, converted from the real Chambéry OSM extract (a stand-in for a
live recording; see tests/data/overpass/README.md). The real ``fetch_overpass`` / ``fetch_pois`` talk to it
through a real ``requests.Session``; the recipe path builds a pack with streets, shops with hours and heritage.
"""

from __future__ import annotations

import gzip
import json
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from heritage_kit.geo import geodesic_m
from heritage_kit.errors import FetchError, PackError, SourceDataError
from heritage_kit.hours import OpeningHours
from heritage_kit.importers._overpass import build_query, fetch_overpass, fetch_pois
from heritage_kit.importers.osm import import_osm
from heritage_kit.packs import load_pack, save_pack
from heritage_kit.packs.build import build_pack
from heritage_kit.routing import WalkingGraph
from heritage_kit.routing.overpass_ways import graph_from_overpass, graph_from_ways, overpass_ways
from heritage_kit.types import BBox

HERE = pathlib.Path(__file__).parent / "data" / "overpass"
ANSWER_GZ = HERE / "chambery-centre.json.gz"
CENTRE = BBox(south=45.5645, west=5.9290, north=45.5672, east=5.9345)
EXTRACT = "osm/chambery-faubourg-montmelian.osm.gz"
BAKERY = "osm:node/3441430863"  # Aux Délices du Faubourg: "Mo-Tu, Th-Sa 06:30-13:30, 15:00-19:00"
POST_OFFICE = "osm:node/1486157513"
CHURCH = "osm:way/101945424"  # Église du Sacré-Cœur


class Overpass:
    """A local stand-in Overpass server: one behaviour per path, every POSTed query kept."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        answer_gz = ANSWER_GZ.read_bytes()
        answer = gzip.decompress(answer_gz)
        partial = json.loads(answer)
        partial["elements"] = partial["elements"][:5]
        partial["remark"] = 'runtime error: Query timed out in "query" at line 3 after 91 seconds.'
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, body: bytes, headers: dict[str, str], length: int | None = None) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                outer.queries.append(parse_qs(self.rfile.read(n).decode())["data"][0])
                js = {"Content-Type": "application/json"}
                route = self.path.split("/")[1]
                if route == "ok":  # Overpass servers answer gzip-encoded when asked
                    self._send(200, answer_gz, {**js, "Content-Encoding": "gzip"}, len(answer_gz))
                elif route == "429":
                    self._send(429, b"<html>Too Many Requests</html>", {"Retry-After": "30"}, 30)
                elif route == "504":
                    self._send(504, b"<html>Gateway Timeout</html>", {}, 28)
                elif route == "truncated":  # the connection drops before Content-Length bytes arrived
                    self._send(200, answer[: len(answer) // 2], js, len(answer))
                    self.close_connection = True
                elif route == "cut":  # no length announced: the body just ends mid-JSON
                    self._send(200, answer[: len(answer) // 2], {**js, "Connection": "close"})
                    self.close_connection = True
                elif route == "remark":
                    body = json.dumps(partial).encode()
                    self._send(200, body, js, len(body))

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, route: str) -> str:
        return f"{self.base}/{route}/api/interpreter"

    def __enter__(self) -> "Overpass":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def overpass():
    with Overpass() as srv:
        yield srv


@pytest.fixture()
def session():
    with requests.Session() as s:
        yield s


def recipe(tmp_path, url: str | None, **changes) -> pathlib.Path:
    config = {
        "town_id": "chambery-overpass",
        "town_name": "Chambéry – Faubourg Montmélian (Overpass)",
        "created": "2021-01-01T00:00:00Z",
        "clip": {"bbox": f"{CENTRE.south},{CENTRE.west},{CENTRE.north},{CENTRE.east}"},
        "sources": [{"type": "overpass", "url": url}],
        "streets": "overpass",
        "trails": [{"id": "faubourg", "title": {"fr": "Le faubourg", "en": "The faubourg"},
                    "stops": [CHURCH, "osm:node/1486157466", BAKERY]}],
        "attributions": [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0",
                          "url": "https://www.openstreetmap.org/copyright"}],
    }
    config.update(changes)
    path = tmp_path / "build.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path


# -- the fixture answers the query the code sends ---------------------------------------


def test_the_recorded_query_is_the_one_the_code_sends():
    # if build_query changes, regenerate the answer (tests/data/overpass/README.md says how)
    assert (HERE / "chambery-centre.overpassql").read_text(encoding="utf-8") == build_query(CENTRE, streets=True)
    assert 'way["highway"](45.5645,5.929,45.5672,5.9345);' in build_query(CENTRE, streets=True)
    assert "highway" not in build_query(CENTRE)


def test_the_answer_has_the_overpass_shape():
    doc = json.loads(gzip.decompress(ANSWER_GZ.read_bytes()))
    assert doc["version"] == 0.6 and "ODbL" in doc["osm3s"]["copyright"]
    kinds = [(e["type"], e["id"]) for e in doc["elements"]]
    order = {"node": 0, "way": 1, "relation": 2}
    assert kinds == sorted(kinds, key=lambda k: (order[k[0]], k[1]))  # Overpass sorts a union by type, id
    way = next(e for e in doc["elements"] if e["type"] == "way")
    assert set(way) == {"type", "id", "bounds", "nodes", "geometry", "tags"}
    assert len(way["nodes"]) == len(way["geometry"])


# -- fetch_pois over HTTP ------------------------------------------------------------------------


def test_fetch_pois_from_the_local_server(overpass, session, raw_dir):
    res = fetch_pois(CENTRE, session=session, url=overpass.url("ok"))
    assert overpass.queries[-1] == build_query(CENTRE)
    by_id = {p.id: p for p in res.pois}
    assert by_id[BAKERY].kind == "commerce" and by_id[BAKERY].opening_hours == "Mo-Tu, Th-Sa 06:30-13:30, 15:00-19:00"
    assert by_id[POST_OFFICE].opening_hours.startswith("Mo-Fr 09:00-12:00,14:00-17:00")
    assert by_id[CHURCH].kind == "heritage"
    # the same POIs as the osmium importer reads from the extract itself for the same box
    from_file = import_osm(raw_dir / EXTRACT, bbox=CENTRE)
    assert sorted(by_id) == sorted(p.id for p in from_file.pois)


# -- the recipe path ---------------------------------------------------------------------------


def test_build_a_pack_from_an_overpass_recipe(overpass, session, tmp_path, raw_dir):
    result = build_pack(recipe(tmp_path, overpass.url("ok")), session=session)
    assert overpass.queries[-1] == build_query(CENTRE, streets=True)
    pack = result.pack
    kinds = {p.kind for p in pack.pois}
    assert kinds == {"heritage", "commerce", "service"}
    shops_with_hours = [p for p in pack.pois if p.kind == "commerce" and p.opening_hours]
    assert [p.id for p in shops_with_hours] == [BAKERY]
    # the hours read as the mapper meant, flagged as a repair: closed on a Monday night, not "open all day"
    oh = OpeningHours(pack.poi(BAKERY).opening_hours, timezone=pack.manifest.timezone)
    assert oh.changes and oh.describe(oh.localize(None).replace(2026, 7, 13, 22, 0), "en").startswith("Closed")
    # streets: the same walking network as the osmium path builds from the extract for this box
    file_graph = WalkingGraph.from_osm(raw_dir / EXTRACT, bbox=CENTRE)
    assert pack.streets == file_graph.to_geojson()
    assert len(pack.streets["features"]) == 91
    # the trail is routed along those streets, not straight lines
    assert not any("straight-line" in n for n in result.notes)
    trail = pack.trail("faubourg")
    stops = [pack.poi(i).location for i in trail.stops]
    straight = sum(geodesic_m(a.lat, a.lon, b.lat, b.lon) for a, b in zip(stops, stops[1:]))
    assert straight < trail.length_m < 2 * straight
    save_pack(pack, tmp_path / "pack")
    again = load_pack(tmp_path / "pack")
    assert again.streets == pack.streets and again.build["sources"] == [
        {"type": "overpass", "url": overpass.url("ok"), "lang": "fr", "require_name": True}
    ]


def test_the_cli_builds_from_overpass(overpass, tmp_path, capsys):
    from heritage_kit.cli import main

    assert main(["pack", "build", "--config", str(recipe(tmp_path, overpass.url("ok"))),
                 "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "streets.geojson").is_file()
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("route", "error", "fragment"),
    [
        ("429", FetchError, "rate limited \\(HTTP 429\\)"),
        ("504", FetchError, "overloaded \\(HTTP 504\\)"),
        ("truncated", FetchError, "cut off before its end"),
        ("cut", SourceDataError, "not JSON: it stops after .*truncated answer"),
        ("remark", SourceDataError, "runtime error: Query timed out"),
    ],
)
def test_server_failures_are_clear_errors(overpass, session, tmp_path, route, error, fragment):
    with pytest.raises(error, match=fragment) as info:
        fetch_overpass(build_query(CENTRE), session=session, url=overpass.url(route))
    assert overpass.url(route) in str(info.value)
    with pytest.raises(error, match=fragment):
        build_pack(recipe(tmp_path, overpass.url(route)), session=session)


def test_a_refusal_carries_its_status_and_the_servers_hint(overpass, session):
    with pytest.raises(FetchError, match="wait 30 s and try again") as info:
        fetch_overpass(build_query(CENTRE), session=session, url=overpass.url("429"))
    assert (info.value.status_code, info.value.retry_after) == (429, 30.0)
    assert isinstance(info.value, OSError)
    with pytest.raises(FetchError) as info:
        fetch_overpass(build_query(CENTRE), session=session, url=overpass.url("504"))
    assert (info.value.status_code, info.value.retry_after) == (504, None)


def test_the_cli_reports_a_server_failure_in_one_line(overpass, tmp_path, capsys):
    from heritage_kit.cli import main

    assert main(["pack", "build", "--config", str(recipe(tmp_path, overpass.url("504"))),
                 "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "HTTP 504" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"clip": None}, "needs clip.bbox"),
        ({"sources": [{"type": "osm", "url": "http://127.0.0.1:9/"}]}, "only for an overpass source"),
        ({"sources": [{"type": "overpass"}]}, "give 'path' or 'url'"),
        ({"sources": [{"type": "overpass", "url": "http://x/", "path": "a.json"}]}, "not both"),
    ],
)
def test_bad_overpass_recipes_are_clear(tmp_path, changes, fragment):
    with pytest.raises(PackError, match=fragment):
        build_pack(recipe(tmp_path, "http://127.0.0.1:9/api/interpreter", **changes), root=tmp_path)


def test_overpass_streets_need_an_overpass_source(tmp_path, raw_dir):
    merimee = [{"type": "merimee", "path": str(raw_dir / "merimee" / "mh-perigueux-1500m.geojson")}]
    with pytest.raises(PackError, match='streets: "overpass" needs an overpass source'):
        build_pack(recipe(tmp_path, None, sources=merimee, trails=[]))


def test_a_saved_partial_answer_is_refused(tmp_path):
    doc = json.loads(gzip.decompress(ANSWER_GZ.read_bytes()))
    doc["elements"] = doc["elements"][:20]
    doc["remark"] = "runtime error: Query run out of memory using about 2048 MB of RAM."
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SourceDataError, match=r"answer.json: Overpass answered with an error: runtime error: Query run"):
        build_pack(recipe(tmp_path, None, sources=[{"type": "overpass", "path": str(answer)}]))


def test_a_saved_answer_file_builds_the_same_pack(overpass, session, tmp_path):
    answer = tmp_path / "answer.json"
    answer.write_bytes(gzip.decompress(ANSWER_GZ.read_bytes()))
    from_file = build_pack(recipe(tmp_path, None, sources=[{"type": "overpass", "path": str(answer)}])).pack
    from_url = build_pack(recipe(tmp_path, overpass.url("ok")), session=session).pack
    assert [p.id for p in from_file.pois] == [p.id for p in from_url.pois]
    assert from_file.streets == from_url.streets


# -- the pure constructor from ways ------------------------------------------------------------


def test_graph_from_ways_applies_the_foot_rules():
    a, b, c, d = (45.0, 5.0), (45.0, 5.001), (45.001, 5.001), (45.001, 5.0)
    ways = [
        (1, {"highway": "footway"}, [a, b]),
        (2, {"highway": "steps", "step_count": "12", "oneway:foot": "-1"}, [b, c]),
        (3, {"highway": "motorway"}, [c, d]),  # not walkable
        (4, {"highway": "residential", "foot": "no"}, [d, a]),  # not walkable
    ]
    g = graph_from_ways(ways)
    assert (g.node_count, g.edge_count) == (3, 2)
    steps = [f for f in g.to_geojson()["features"] if f["properties"].get("steps")]
    assert steps[0]["properties"]["step_count"] == 12 and steps[0]["properties"]["oneway_foot"] is True
    assert steps[0]["geometry"]["coordinates"] == [[5.001, 45.001], [5.001, 45.0]]  # drawn the walkable way
    # a way leaving the bbox is cut to the part inside
    cut = graph_from_ways([(5, {"highway": "path"}, [a, b, (46.0, 5.002)])], bbox=BBox(south=44.9, west=4.9, north=45.1, east=5.1))
    assert cut.edge_count == 1
    with pytest.raises(SourceDataError, match="no walkable way"):
        graph_from_ways([(3, {"highway": "motorway"}, [c, d])], source="test ways")


def test_overpass_ways_need_geometry_and_good_positions():
    doc = {"elements": [{"type": "way", "id": 7, "nodes": [1, 2], "tags": {"highway": "footway"}}]}
    with pytest.raises(SourceDataError, match=r"way/7, field geometry: missing \(the query must print 'out geom'\)"):
        list(overpass_ways(doc, source="answer.json"))
    doc["elements"][0]["geometry"] = [{"lat": 45.0, "lon": 5.0}, {"lat": "x", "lon": 5.0}]
    with pytest.raises(SourceDataError, match="answer.json: way/7, field geometry: bad position"):
        list(overpass_ways(doc, source="answer.json"))
    with pytest.raises(SourceDataError, match="no 'elements' list"):
        list(overpass_ways({"remark": "x"}))
    # a null position (out geom(bbox) clipping) is a gap, not a crash
    doc["elements"][0]["geometry"] = [{"lat": 45.0, "lon": 5.0}, {"lat": 45.0, "lon": 5.001}, None,
                                      {"lat": 45.0, "lon": 5.002}]
    assert graph_from_overpass(doc).edge_count == 1
