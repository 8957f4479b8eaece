"""Issue 20, heritage and commerce together: ``housed_in`` (a shop in a listed building, computed at build) and a
monument's ``support`` link (set by the town, https only), kept through save and load."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from shapely.geometry import Point, box, shape

from heritage_kit.errors import PackError
from heritage_kit.housing import apply_housed_in, basemap_buildings, housed_in
from heritage_kit.models import POI
from heritage_kit.packs import ContentPack, load_pack, save_pack, validate_pack
from heritage_kit.packs.build import build_pack

ATTR = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]
SUPPORT = {"url": "https://www.fondation-patrimoine.org/les-projets/exemple",
           "label": {"fr": "Soutenir la restauration", "en": "Support the restoration"}}


def shop(pid, lat, lon, **kw):
    return POI.model_validate({"id": pid, "kind": "commerce", "categories": ["bookshop"], "name": {"fr": pid},
                               "location": {"lat": lat, "lon": lon}, **kw})


def square(lat, lon, half=0.0002):
    return box(lon - half, lat - half, lon + half, lat + half)


def outline(lat, lon, half):
    return {"type": "Polygon", "coordinates": [[list(c) for c in square(lat, lon, half).exterior.coords]]}


@pytest.fixture(scope="module")
def abbey(content_dir):
    """A real Mérimée record of the Chartres pack: known only as a point, as most Mérimée records are."""
    pack = load_pack(content_dir / "chartres")
    return POI.model_validate({**pack.poi("merimee:PA00096991").model_dump(), "media": []})  # (its audio stays there)


def test_a_shop_in_the_mapped_building_of_a_merimee_monument_names_it(abbey):
    building = square(abbey.lat, abbey.lon)  # the building the monument's point lies in
    inside = shop("osm:node/1", abbey.lat + 0.0001, abbey.lon - 0.0001)
    outside = shop("osm:node/2", abbey.lat + 0.0005, abbey.lon)
    pois = [abbey, inside, outside]
    assert housed_in(pois, buildings=[building]) == {"osm:node/1": abbey.id}
    assert housed_in(pois) == {}  # no footprint, no mapped building: nothing to be inside
    assert housed_in(pois, buildings=[building], hosts="off") == {}
    far_building = square(abbey.lat + 0.01, abbey.lon)  # a building elsewhere does not make one
    assert housed_in(pois, buildings=[far_building]) == {}


def test_footprints_win_and_the_smallest_monument_is_the_host(abbey):
    precinct = POI.model_validate({**abbey.model_dump(), "footprint": outline(abbey.lat, abbey.lon, 0.001)})
    chapel = POI.model_validate({**abbey.model_dump(), "id": "merimee:PA00096992",
                                 "footprint": outline(abbey.lat, abbey.lon, 0.0002)})
    in_chapel = shop("osm:node/1", abbey.lat, abbey.lon + 0.0001)
    in_precinct = shop("osm:node/2", abbey.lat + 0.0008, abbey.lon)
    got = housed_in([precinct, chapel, in_chapel, in_precinct])
    assert got == {"osm:node/1": "merimee:PA00096992", "osm:node/2": "merimee:PA00096991"}
    unlisted = POI.model_validate({**chapel.model_dump(), "id": "osm:way/5", "refs": {}, "heritage": None})
    assert housed_in([unlisted, in_chapel]) == {}  # not protected: not a listed building
    assert housed_in([unlisted, in_chapel], hosts="heritage") == {"osm:node/1": "osm:way/5"}  # a chapel is a building
    garden = POI.model_validate({**unlisted.model_dump(), "categories": ["garden"]})
    assert housed_in([garden, in_chapel], hosts="heritage") == {}  # a garden's outline is no building
    kept = apply_housed_in([in_chapel.model_copy(update={"housed_in": "merimee:PA00096991"})], got)
    assert kept[0].housed_in == "merimee:PA00096991"  # the town's own value stays


def test_monaco_shops_in_heritage_buildings(content_dir):
    pack = load_pack(content_dir / "monaco")
    shops = [p for p in pack.pois if p.kind == "commerce"]
    buildings = basemap_buildings(pack.basemap)
    assert housed_in(pack.pois, buildings=buildings) == {}  # Monaco has no Mérimée (French) listed monument
    links = housed_in(pack.pois, buildings=buildings, hosts="heritage")
    by_name = {pack.poi(s).name.get("fr"): pack.poi(h).name.get("fr") for s, h in links.items()}
    assert by_name["Boutique musée océanographie"] == "Musée Océanographique"  # the museum's own shop
    assert 10 <= len(links) <= 40 and len(shops) == 384  # 19 of 384 with the data of July 2026


def small_pack(pois) -> ContentPack:
    return ContentPack.new(town_id="t", town_name="T", pois=pois, attributions=ATTR)


def test_housed_in_and_support_round_trip_and_are_checked(tmp_path, abbey):
    host = POI.model_validate({**abbey.model_dump(), "support": SUPPORT})
    pois = [host, shop("osm:node/1", abbey.lat, abbey.lon, housed_in=abbey.id)]
    save_pack(small_pack(pois), tmp_path / "p")
    assert json.loads((tmp_path / "p" / "manifest.json").read_text())["format_version"] == "1.2"
    back = load_pack(tmp_path / "p")
    assert back.poi("osm:node/1").housed_in == abbey.id
    assert back.poi(abbey.id).support.label.get("en") == "Support the restoration"
    assert back.pois == pois
    save_pack(small_pack([abbey, shop("osm:node/1", abbey.lat, abbey.lon, housed_in="merimee:PA00000001")]),
              tmp_path / "q")
    problems = [(p.file, p.record, p.field) for p in validate_pack(tmp_path / "q").errors]
    assert problems == [("pois.geojson", "osm:node/1", "housed_in")]


@pytest.mark.parametrize(("support", "words"), [
    ({**SUPPORT, "url": "http://www.fondation-patrimoine.org/x"}, "https://"),
    ({**SUPPORT, "url": "javascript:alert(1)"}, "http"),
    ({"url": SUPPORT["url"]}, "label"),
])
def test_a_bad_support_link_is_refused(abbey, support, words):
    with pytest.raises(ValidationError, match=words):
        POI.model_validate({**abbey.model_dump(), "support": support})


def chambery_recipe(tmp_path, content_dir, overrides) -> str:
    config = json.loads((content_dir / "chambery" / "build.json").read_text())
    config.update(audio=False, streets=None, events=None)
    config["poi_overrides"] = {**config["poi_overrides"], **overrides}
    path = tmp_path / "build.json"
    path.write_text(json.dumps({k: v for k, v in config.items() if v is not None}))
    return str(path)


def test_the_build_links_shops_to_the_listed_church_and_keeps_its_support_link(tmp_path, content_dir, raw_dir):
    church = load_pack(content_dir / "chambery").poi("osm:way/101945424")
    inside = shape(church.footprint.model_dump()).representative_point()
    assert not housed_in(load_pack(content_dir / "chambery").pois, hosts="heritage")  # as mapped: no shop inside
    recipe = chambery_recipe(tmp_path, content_dir, {
        # the church as if listed, a bookshop moved into it, a support link: a town's recipe can say all three
        "osm:way/101945424": {"heritage": {"protection": "inscrit"}, "support": SUPPORT},
        "osm:node/1486157466": {"location": {"lat": inside.y, "lon": inside.x}},
    })
    res = build_pack(recipe, root=raw_dir.parents[1])
    assert res.pack.poi("osm:node/1486157466").housed_in == "osm:way/101945424"
    assert sum(1 for p in res.pack.pois if p.housed_in) == 1
    assert any(n.startswith("housed_in: 1 of 5 shops") for n in res.notes)
    assert res.pack.poi("osm:way/101945424").support.url == SUPPORT["url"]
    assert Point(inside.x, inside.y).within(shape(church.footprint.model_dump()))


def test_a_recipe_support_link_over_http_names_the_poi_and_field(tmp_path, content_dir, raw_dir):
    recipe = chambery_recipe(tmp_path, content_dir, {
        "osm:way/101945424": {"support": {**SUPPORT, "url": "http://example.org/don"}}})
    with pytest.raises(PackError, match=r"poi_overrides\['osm:way/101945424'\] field support.url: .*https://"):
        build_pack(recipe, root=raw_dir.parents[1])
