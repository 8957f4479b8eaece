"""Merging Mérimée monuments with OSM features of the same place."""

import pytest
from shapely.geometry import Point, box

from heritage_kit.importers.merge import merge_pois, name_similarity
from heritage_kit.importers.merimee import read_merimee
from heritage_kit.importers.osm import poi_from_osm


@pytest.fixture(scope="module")
def monuments(raw_dir):
    return read_merimee(raw_dir / "merimee" / "mh-perigueux-1500m.geojson")


def _at(monuments, ref, dlat=0.0, dlon=0.0):
    m = next(p for p in monuments if p.refs.merimee == ref)
    return m.location.lon + dlon, m.location.lat + dlat


def test_merge_by_ref_and_by_name(monuments):
    lon, lat = _at(monuments, "PA00082725", dlat=0.0003)  # ~33 m away, carries ref:mhs
    cathedral = poi_from_osm("way", 1001, {"amenity": "place_of_worship", "building": "cathedral",
                                           "name": "Cathédrale Saint-Front", "name:en": "Saint-Front Cathedral",
                                           "ref:mhs": "PA00082725", "opening_hours": "Mo-Su 08:00-19:00",
                                           "wikidata": "Q1365071"},
                             box(lon - 0.0003, lat - 0.0002, lon + 0.0003, lat + 0.0002))
    lon, lat = _at(monuments, "PA00082761", dlon=0.0002)  # ~16 m, no ref, same name
    tower = poi_from_osm("node", 2002, {"historic": "tower", "name": "Tour Mataguerre"}, Point(lon, lat))
    lon, lat = _at(monuments, "PA00082752", dlat=0.0002)  # alike name, word order differs
    consuls = poi_from_osm("node", 3003, {"historic": "building", "name": "Maison des consuls (Périgueux)"},
                           Point(lon, lat))
    lon, lat = _at(monuments, "PA00082756", dlat=0.0001)  # a shop next to a "Maison": never merged
    shop = poi_from_osm("node", 4004, {"shop": "bakery", "name": "Maison Paul"}, Point(lon, lat))
    lon, lat = _at(monuments, "PA00082762", dlat=0.01)  # same name but 1 km away: not the same place
    far = poi_from_osm("node", 5005, {"historic": "monument", "name": "Tour de Vésone"}, Point(lon, lat))
    stray = poi_from_osm("node", 6006, {"historic": "castle", "name": "Château", "ref:mhs": "PA99000001"},
                         Point(0.7, 45.2))
    osm = [cathedral, tower, consuls, shop, far, stray]

    merged, report = merge_pois(monuments, osm)
    pairs = {(p.merimee_id, p.osm_id): p for p in report.pairs}
    assert set(pairs) == {
        ("merimee:PA00082725", "osm:way/1001"),
        ("merimee:PA00082761", "osm:node/2002"),
        ("merimee:PA00082752", "osm:node/3003"),
    }
    assert pairs[("merimee:PA00082725", "osm:way/1001")].reason == "ref:mhs"
    assert pairs[("merimee:PA00082761", "osm:node/2002")].reason == "distance+name"
    assert 10 < pairs[("merimee:PA00082761", "osm:node/2002")].distance_m < 25
    assert report.ref_not_found == ["osm:node/6006"]
    assert report.merimee_only == 27 and report.osm_only == 3
    assert "ref:mhs" in str(report) and "osm:node/2002" in str(report)

    # every input exactly once (or in its merge)
    assert len(merged) == 30 + 6 - 3
    assert len({p.id for p in merged}) == len(merged)
    front = next(p for p in merged if p.id == "merimee:PA00082725")
    assert front.refs.merimee == "PA00082725" and front.refs.osm == "way/1001" and front.refs.wikidata == "Q1365071"
    assert front.opening_hours == "Mo-Su 08:00-19:00" and front.footprint is not None
    assert front.name.get("en") == "Saint-Front Cathedral" and front.name.get("fr") == "Cathédrale Saint-Front"
    assert front.heritage.protection_act == "liste" and front.heritage.protection == "classé"
    assert {s.name for s in front.sources} == {"base Mérimée (Ministère de la Culture)", "OpenStreetMap"}
    assert front.categories[0] == "cathedral"
    assert (front.location.lat, front.location.lon) == (cathedral.location.lat, cathedral.location.lon)


def test_one_monument_one_partner(monuments):
    lon, lat = _at(monuments, "PA00082761")
    a = poi_from_osm("node", 1, {"historic": "tower", "name": "Tour Mataguerre"}, Point(lon, lat + 0.0001))
    b = poi_from_osm("node", 2, {"historic": "tower", "name": "Tour Mataguerre"}, Point(lon, lat + 0.0003))
    merged, report = merge_pois(monuments, [a, b])
    assert [(p.merimee_id, p.osm_id) for p in report.pairs] == [("merimee:PA00082761", "osm:node/1")]
    assert "osm:node/2" in {p.id for p in merged}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Cathédrale Saint-Front", "Cathedrale Saint Front", True),
        ("Maison des Consuls", "Maison des consuls (Périgueux)", True),
        ("Tour Mataguerre", "Tour de Vésone", False),
        ("Maison", "Maison Paul", False),
        ("Maison", "maison", True),
    ],
)
def test_name_similarity(a, b, same):
    assert (name_similarity(a, b) >= 80) is same
