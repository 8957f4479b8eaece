"""plan_trail on the real Monaco walking network with POIs of Monaco-Ville and real opening-hours rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import gpxpy
import pytest

from heritage_kit.errors import PoiNotFound, RouteNotFound
from heritage_kit.hours import OpeningHours
from heritage_kit.packs import ContentPack, save_pack
from heritage_kit.routing import WalkingGraph, plan_trail, poi_score
from heritage_kit.types import LatLon
from rocher_support import MONUMENTS, START, poi, rocher_pack

POIS = [
    *MONUMENTS,
    poi("test:plaque", "heritage", ["memorial"], "Plaque commémorative", 43.73130, 7.42250),
    poi("test:bakery", "commerce", ["bakery"], "Boulangerie du Rocher", 43.73190, 7.42180,
        opening_hours="Mo-Sa 07:00-13:00; PH off"),
    poi("test:afternoon", "commerce", ["gift"], "Souvenirs de l'après-midi", 43.73170, 7.42350,
        opening_hours="Mo-Sa 14:00-19:00"),
    poi("test:nohours", "commerce", ["bakery"], "Boulangerie sans horaires", 43.73100, 7.42100),
    poi("test:toilets", "service", ["toilets"], "Toilettes", 43.73000, 7.42200),
]


@pytest.fixture(scope="module")
def graph(rocher_graph):
    return rocher_graph


@pytest.fixture(scope="module")
def pack(graph):
    return rocher_pack(graph, POIS)


def assert_sound(it, pack, minutes):
    """Times chain up, the budget holds, and every stop with hours is open for its whole visit."""
    assert it.finish_time <= it.start_time + timedelta(minutes=minutes, seconds=1)
    t = it.start_time
    for leg, stop in zip(it.legs, it.stops):
        assert leg.depart == t
        assert abs((leg.arrive - leg.depart).total_seconds() - leg.duration_s) < 1e-3
        assert leg.arrive == stop.arrival <= stop.start < stop.departure
        assert leg.geometry[-1] == stop.location or leg.route.snap_m[1] < 200
        t = stop.departure
        p = pack.poi(stop.poi_id)
        if p.opening_hours:
            assert stop.open_checked
            assert OpeningHours(p.opening_hours, country="FR", timezone="Europe/Paris").is_open_for(stop.start, stop.visit_min)
        assert p.id != "test:nohours" and p.kind != "service"


def test_saturday_morning_trail_visits_open_places_within_budget(pack):
    at = datetime(2026, 11, 21, 10, 0)  # a Saturday
    it = plan_trail(pack, start=START, start_time=at, minutes=90)
    ids = [s.poi_id for s in it.stops]
    assert_sound(it, pack, 90)
    assert {"test:cathedral", "test:palace"} <= set(ids)
    assert "test:afternoon" not in ids  # opens at 14:00
    assert it.walk_m > 300 and it.score > 100
    assert it.total_min <= 90 and it.duration_s == pytest.approx(it.total_min * 60) and it.length_m == it.walk_m
    assert it.finish_time == it.stops[-1].departure  # free end: the walk ends with the last visit


def test_sunday_and_public_holiday_close_the_bakery(pack):
    want = ["bakery"]
    monday = plan_trail(pack, start=START, start_time=datetime(2026, 11, 23, 9, 0), minutes=60, interests=want)
    assert "test:bakery" in [s.poi_id for s in monday.stops]
    assert "test:museum" not in [s.poi_id for s in monday.stops]  # closed on Mondays
    sunday = plan_trail(pack, start=START, start_time=datetime(2026, 11, 22, 9, 0), minutes=60, interests=want)
    assert "test:bakery" not in [s.poi_id for s in sunday.stops]
    armistice = plan_trail(pack, start=START, start_time=datetime(2026, 11, 11, 9, 0), minutes=60, interests=want)
    assert "test:bakery" not in [s.poi_id for s in armistice.stops]  # 11 November, PH off
    for it in (monday, sunday, armistice):
        assert_sound(it, pack, 60)


def test_waits_for_an_opening_rather_than_arriving_to_a_closed_door(pack):
    it = plan_trail(pack, start=START, start_time=datetime(2026, 11, 24, 9, 40), minutes=75, must_visit=["test:museum"])
    stop = next(s for s in it.stops if s.poi_id == "test:museum")
    assert stop.start.hour >= 10 and stop.open_checked
    assert_sound(it, pack, 75)


def test_scores_follow_the_documented_rules(pack):
    cathedral, plaque = pack.poi("test:cathedral"), pack.poi("test:plaque")
    assert poi_score(cathedral) > 5 * poi_score(plaque)
    assert poi_score(pack.poi("test:toilets")) == 0
    bakery = pack.poi("test:bakery")
    assert poi_score(bakery) == pytest.approx(12 * 12 / 60)  # interest 12, squared over 60
    assert poi_score(bakery, ["bakery"]) == 3 * 20  # asked for: at least the floor (20), times 3
    assert poi_score(cathedral, ["bakery"]) == pytest.approx(poi_score(cathedral) / 3)  # not asked for: a third
    # classé ×1.5, a text ×1.1, then squared over 60
    assert poi_score(cathedral) == pytest.approx((60 * 1.5 * 1.1) ** 2 / 60)
    assert poi_score(cathedral, {"cathedral": 0}) == 0


def test_must_visit_and_loop(pack):
    it = plan_trail(pack, start=START, end=START, start_time=datetime(2026, 11, 21, 15, 0), minutes=60,
                    must_visit=["test:afternoon"])
    assert "test:afternoon" in [s.poi_id for s in it.stops]
    assert it.legs[-1].to_poi is None and it.legs[-1].geometry[-1].lat == pytest.approx(it.legs[0].geometry[0].lat)
    assert_sound(it, pack, 60)
    with pytest.raises(RouteNotFound, match="not open"):
        plan_trail(pack, start=START, start_time=datetime(2026, 11, 22, 15, 0), minutes=60, must_visit=["test:afternoon"])
    with pytest.raises(RouteNotFound, match="cannot fit must-visit"):
        plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=10, must_visit=["test:cathedral"])
    with pytest.raises(PoiNotFound):
        plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=60, must_visit=["test:nope"])


def test_step_free_trail_has_no_steps(pack):
    it = plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=90, step_free=True)
    assert it.stops and all(leg.route.flights == 0 for leg in it.legs)
    plain = plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=90)
    assert any(leg.route.flights for leg in plain.legs)  # the Rampe Major is stairs


def test_pack_without_streets_plans_with_straight_lines_and_says_so():
    p = ContentPack.new(town_id="nostreets", town_name="Sans rues", pois=POIS, timezone="Europe/Paris",
                        attributions=[{"text": "test", "licence": "CC0"}])
    it = plan_trail(p, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=60)
    assert it.straight_line and it.stops
    assert "straight lines" in it.summary("en") and "vol d'oiseau" in it.summary("fr")


def test_gpx_and_geojson_exports(pack):
    it = plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=60)
    g = gpxpy.parse(it.to_gpx())
    assert len(g.waypoints) == len(it.stops)
    points = g.tracks[0].segments[0].points
    assert len(points) >= len(it.geometry) > 10 and all(p.time is not None for p in points)
    assert [p.time for p in points] == sorted(p.time for p in points)
    fc = it.to_geojson()
    assert sum(f["geometry"]["type"] == "Point" for f in fc["features"]) == len(it.stops)


def test_cli_route_and_trail_plan(pack, tmp_path, capsys):
    from heritage_kit.cli import main

    folder = tmp_path / "rocher"
    save_pack(pack, folder)
    assert main(["route", str(folder), "--from", "43.7298,7.4165", "--to", "43.7306,7.4231", "--step-free"]) == 0
    out = capsys.readouterr().out
    assert "step-free" in out and " m, " in out
    gpx = tmp_path / "t.gpx"
    assert main(["trail", "plan", str(folder), "--start", "43.7298,7.4165", "--minutes", "90",
                 "--at", "2026-11-21T10:00", "--gpx", str(gpx), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "étapes" in out and "Cathédrale" in out
    assert gpxpy.parse(gpx.read_text()).waypoints
    assert main(["route", str(folder), "--from", "43.0,7.0", "--to", "43.7306,7.4231"]) == 1
    assert "m from the nearest" in capsys.readouterr().err


# -- the real town packs -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def monaco_pack(content_dir):
    from heritage_kit.packs import load_pack

    return load_pack(content_dir / "monaco")


def test_monaco_pack_streets_are_the_osm_network(monaco_pack, raw_dir):
    from heritage_kit.routing import network_for_pack

    net = network_for_pack(monaco_pack)
    assert isinstance(net, WalkingGraph) and not net.straight_line
    assert net.node_count > 3000
    station = LatLon(lat=43.7397, lon=7.4206)
    museum = LatLon(lat=43.7307, lon=7.4254)
    r = net.route(station, museum)
    assert 1000 < r.length_m < 2500 and r.duration_s > r.length_m / 1.25 - 1e-6


def test_monaco_pack_trail_from_the_station(monaco_pack):
    station = LatLon(lat=43.7397, lon=7.4206)
    at = datetime(2026, 11, 21, 10, 0)  # Saturday
    it = plan_trail(monaco_pack, start=station, start_time=at, minutes=90, interests=["bakery", "heritage"])
    assert len(it.stops) >= 4
    assert it.finish_time <= at.replace(tzinfo=monaco_pack.timezone) + timedelta(minutes=90, seconds=1)
    for stop in it.stops:
        p = monaco_pack.poi(stop.poi_id)
        if p.opening_hours:
            assert stop.open_checked
            assert OpeningHours(p.opening_hours, country="MC", timezone="Europe/Monaco").is_open_for(stop.start, stop.visit_min)
        elif p.kind == "commerce":
            pytest.fail(f"{p.id} has no opening hours yet was planned")


def test_pack_without_streets_falls_back(content_dir):
    from heritage_kit.packs import load_pack
    from heritage_kit.routing import StraightLineNetwork, network_for_pack

    pack = load_pack(content_dir / "perigueux")
    assert pack.streets is None
    assert isinstance(network_for_pack(pack), StraightLineNetwork)


def test_itinerary_becomes_a_pack_trail(pack):
    it = plan_trail(pack, start=START, end=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=60, step_free=True)
    t = it.to_trail("rocher-1h", {"fr": "Le Rocher en une heure", "en": "The Rock in one hour"})
    assert t.stops == [s.poi_id for s in it.stops]
    assert "step-free" in t.tags and "loop" in t.tags
    assert t.length_m == pytest.approx(it.walk_m, abs=0.1) and len(t.geometry) == len(it.geometry)


def test_no_candidate_gives_an_empty_itinerary(pack):
    it = plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=1)
    assert it.stops == () and it.legs == () and it.total_min == 0


def test_cli_route_says_when_it_estimates_and_when_a_point_is_off_the_network(content_dir, capsys):
    from heritage_kit.cli import main

    assert main(["route", str(content_dir / "perigueux"), "--from", "45.184,0.721", "--to", "45.186,0.718"]) == 0
    assert "straight lines × 1.3" in capsys.readouterr().out
    assert main(["route", str(content_dir / "monaco"), "--from", "43.7311,7.4197", "--to", "43.7384,7.4246",
                 "--step-free"]) == 0
    out = capsys.readouterr().out
    assert "step-free" in out and "start: 48 m from the nearest step-free way" in out


def test_one_place_mapped_twice_is_visited_once(graph):
    # OSM often maps a place twice: a node with its hours and the area around it with its names (Monaco's zoo).
    twice = [*POIS,
             poi("test:palace-area", "heritage", ["palace"], "Palais princier de Monaco", 43.73150, 7.42020,
                 refs={"wikidata": "Q1142012"}),
             poi("test:palace-square", "heritage", ["square"], "Place du Palais", 43.73120, 7.42010,
                 heritage={"protection": "classé"}),
             poi("test:palace-statue", "heritage", ["statue"], "Statue du Palais princier", 43.73145, 7.41990,
                 heritage={"protection": "classé"})]
    pack = ContentPack.new(town_id="rocher", town_name="Monaco-Ville (test)", pois=twice, timezone="Europe/Paris",
                           country="FR", streets=graph.to_geojson(),
                           attributions=[{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}])
    it = plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=180)
    ids = [s.poi_id for s in it.stops]
    assert "test:palace-area" in ids and "test:palace" not in ids  # the better-scored record (wikidata) stays
    assert "test:palace-square" in ids  # 20 m away but another place: kept
    assert "test:palace-statue" in ids  # a similar name but another kind of thing (statue, not palace): kept
    must = plan_trail(pack, start=START, start_time=datetime(2026, 11, 21, 10, 0), minutes=120,
                      must_visit=["test:palace"])
    assert "test:palace" in [s.poi_id for s in must.stops]


# -- what a visitor asks for (issue 22 item 2), on the real packs --------------------------------------
CHARTRES_STATION = LatLon(lat=48.44787, lon=1.48147)  # Gare de Chartres, place Pierre-Sémard
CHARTRES_CATHEDRAL = "merimee:PA00096993"


@pytest.fixture(scope="module")
def chartres_pack(content_dir):
    from heritage_kit.packs import load_pack

    return load_pack(content_dir / "chartres")


@pytest.mark.parametrize("at", [datetime(2026, 7, 18, 10, 0), datetime(2026, 12, 6, 15, 0)])
def test_a_60_minute_walk_from_chartres_station_includes_the_cathedral(chartres_pack, at):
    cathedral = chartres_pack.poi(CHARTRES_CATHEDRAL)
    assert poi_score(cathedral) > 2 * max(poi_score(p) for p in chartres_pack.pois if p.id != CHARTRES_CATHEDRAL)
    it = plan_trail(chartres_pack, start=CHARTRES_STATION, start_time=at, minutes=60)
    ids = [s.poi_id for s in it.stops]
    assert CHARTRES_CATHEDRAL in ids, [s.name for s in it.stops]
    assert it.total_min <= 60 and len(ids) >= 2


def test_a_listed_house_never_outscores_a_listed_church(chartres_pack):
    house = max((p for p in chartres_pack.pois if p.categories == ["house"]), key=poi_score)
    church = min((p for p in chartres_pack.pois if "church" in p.categories and p.heritage
                  and p.heritage.protection == "classé"), key=poi_score)
    assert poi_score(church) > 3 * poi_score(house)


def test_interest_commerce_on_a_monaco_sunday_evening_gives_open_shops(monaco_pack):
    at = datetime(2026, 7, 19, 18, 30)  # a Sunday
    open_shops = [p for p in monaco_pack.pois if p.kind == "commerce" and p.opening_hours
                  and OpeningHours(p.opening_hours, country="MC", timezone="Europe/Monaco").is_open_for(at, 10)]
    assert len(open_shops) >= 40
    it = plan_trail(monaco_pack, start=LatLon(lat=43.7388, lon=7.4196), start_time=at, minutes=60,
                    interests=["commerce"])
    kinds = [s.kind for s in it.stops]
    assert kinds and all(k == "commerce" for k in kinds), [s.name for s in it.stops]
    for stop in it.stops:
        assert stop.open_checked
    plain = plan_trail(monaco_pack, start=LatLon(lat=43.7388, lon=7.4196), start_time=at, minutes=60)
    assert "heritage" in {s.kind for s in plain.stops}  # without the interest, the sights
