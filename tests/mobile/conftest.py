"""A small pack of Monaco-Ville for presenter and UI tests.

Positions and names of real places in Monaco-Ville, read from OpenStreetMap
(© OpenStreetMap contributors, ODbL 1.0), rounded to 1e-4 degrees; the
opening hours of the two shops are simplified. The full pack is content/monaco.
"""

from __future__ import annotations

from heritage_kit.models import POI, Trail
from heritage_kit.packs import ContentPack

ATTRIBUTION = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]


def _poi(pid, kind, cats, fr, en, lat, lon, **extra):
    return POI.model_validate(
        {"id": pid, "kind": kind, "categories": cats, "name": {"fr": fr, "en": en},
         "location": {"lat": lat, "lon": lon}, **extra}
    )


def mini_pack() -> ContentPack:
    pois = [
        _poi("osm:way/1", "heritage", ["palace"], "Palais Princier", "Prince's Palace", 43.7314, 7.4198,
             description={"fr": "Résidence des princes [Grimaldi] depuis 1297 & plus.",
                          "en": "Home of the [Grimaldi] princes since 1297 & more."},
             heritage={"period": "XIIIe siècle", "dates": "1191; 1297"}, refs={"wikidata": "Q1142012"}),
        _poi("osm:way/2", "heritage", ["cathedral"], "Cathédrale Notre-Dame-Immaculée",
             "Saint Nicholas Cathedral", 43.7302, 7.4232),
        _poi("osm:way/3", "heritage", ["museum"], "Musée océanographique", "Oceanographic Museum",
             43.7307, 7.4254, opening_hours="Mo-Su 10:00-18:00"),
        _poi("osm:node/4", "heritage", ["chapel"], "Chapelle de la Miséricorde", "Chapel of Mercy", 43.7317, 7.4228),
        _poi("osm:node/5", "commerce", ["bakery"], "Boulangerie du Rocher", "Rock Bakery", 43.7313, 7.4226,
             opening_hours="Mo-Su 00:00-24:00"),
        _poi("osm:node/6", "commerce", ["gift"], "Souvenirs du Palais", "Palace Souvenirs", 43.7311, 7.4213,
             opening_hours="Mo-Su 09:00-18:00"),
        _poi("osm:node/7", "service", ["pharmacy"], "Pharmacie du Palais", "Palace Pharmacy", 43.7316, 7.4216),
    ]
    streets = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"highway": "pedestrian", "name": "Rue Basse"},
             "geometry": {"type": "LineString", "coordinates": [[7.4199, 43.7316], [7.4213, 43.7313],
                                                                [7.4226, 43.7314], [7.4232, 43.7303]]}},
            {"type": "Feature", "properties": {"highway": "residential", "name": "Rue Comte Félix Gastaldi"},
             "geometry": {"type": "LineString", "coordinates": [[7.4213, 43.7313], [7.4216, 43.7316],
                                                                [7.4228, 43.7317]]}},
            {"type": "Feature", "properties": {"highway": "tertiary", "name": "Avenue Saint-Martin"},
             "geometry": {"type": "LineString", "coordinates": [[7.4232, 43.7303], [7.4244, 43.7304],
                                                                [7.4254, 43.7307]]}},
            {"type": "Feature", "properties": {"highway": "footway"},
             "geometry": {"type": "LineString", "coordinates": [[7.4228, 43.7317], [7.4226, 43.7314]]}},
        ],
    }
    trails = [
        Trail.model_validate({"id": "rocher", "title": {"fr": "Le Rocher", "en": "The Rock"},
                              "stops": ["osm:way/1", "osm:node/4", "osm:way/2", "osm:way/3"],
                              "length_m": 800, "duration_min": 45})
    ]
    return ContentPack.new(town_id="monaco", town_name="Monaco", pois=pois, trails=trails, attributions=ATTRIBUTION,
                           timezone="Europe/Monaco", country="MC", streets=streets)


import pytest



@pytest.fixture
def pack():
    return mini_pack()


@pytest.fixture(scope="session")
def monaco(content_dir):
    from heritage_kit.packs import load_pack

    return load_pack(content_dir / "monaco")
