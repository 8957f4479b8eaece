"""The real town packs in content/, round trips, the build recipe and the generated JSON Schemas."""

import json
from collections import Counter

import jsonschema
import pytest

from heritage_kit import load_pack, save_pack, validate_pack
from heritage_kit.errors import PackError, PoiNotFound
from heritage_kit.geo import geodesic_m
from heritage_kit.packs import pack_files
from heritage_kit.packs.build import build_pack
from heritage_kit.packs.schema import check_schemas, pack_schemas

OSM_ATTR = "© OpenStreetMap contributors"
MERIMEE_ATTR = "Ministère de la Culture – base Mérimée"
TOWNS = ["monaco", "perigueux", "chambery", "chartres"]


@pytest.fixture(scope="module")
def packs(content_dir):
    return {t: load_pack(content_dir / t) for t in TOWNS}


@pytest.mark.parametrize("town", TOWNS)
def test_real_packs_are_valid_with_attribution(content_dir, packs, town):
    report = validate_pack(content_dir / town)
    assert report.ok and not report.problems, str(report)
    m = packs[town].manifest
    texts = {a.text: a.licence for a in m.attributions}
    if town in ("perigueux", "chartres"):
        assert texts[next(t for t in texts if t.startswith(MERIMEE_ATTR))] == "Licence Ouverte 2.0"
    else:
        assert texts[OSM_ATTR] == "ODbL 1.0"
    assert m.languages == ["fr", "en"]
    for t in packs[town].trails:
        assert t.title.get("fr") != t.title.get("en")  # both languages written
        assert t.description.get("fr") and t.description.get("en")
        assert t.length_m > 0 and t.duration_min > 0
        for s in t.stops:
            packs[town].poi(s)


def test_monaco(packs):
    pack = packs["monaco"]
    m = pack.manifest
    assert (m.timezone, m.country) == ("Europe/Monaco", "MC")
    named = Counter(p.kind for p in pack.pois if p.name.get())
    assert named["heritage"] >= 150 and named["commerce"] >= 150
    palais = pack.poi("osm:relation/393226")
    assert palais.kind == "heritage" and palais.opening_hours == "10:00-18:00; Jul,Aug 10:00-19:00; Oct 17-Mar 25 off"
    assert "relève de la garde" in palais.description.get("fr") and "changing of the guard" in palais.description.get("en")
    heritage_walk = pack.trail("rocher-heritage")
    assert heritage_walk.stops[0] == "osm:relation/393226"
    assert all(pack.poi(s).kind == "heritage" for s in heritage_walk.stops)
    shopping = pack.trail("condamine-shopping")
    assert "shopping" in shopping.tags
    assert all(pack.poi(s).kind == "commerce" for s in shopping.stops)
    # a sensible walking order: no leg longer than 600 m, the heritage walk is a loop on the Rock under 3 km
    for trail in (heritage_walk, shopping):
        pts = [pack.poi(s).location for s in trail.stops]
        legs = [geodesic_m(a.lat, a.lon, b.lat, b.lon) for a, b in zip(pts, pts[1:])]
        assert max(legs) < 600, (trail.id, legs)
    assert heritage_walk.length_m < 3000


def test_perigueux(packs):
    pack = packs["perigueux"]
    assert len(pack.pois) == 30 and all(p.kind == "heritage" for p in pack.pois)
    assert pack.manifest.timezone == "Europe/Paris" and pack.manifest.country == "FR"
    front = pack.poi("merimee:PA00082725")
    assert front.refs.merimee == "PA00082725"
    assert front.name.get("fr") == "Cathédrale Saint-Front" and front.name.get("en") == "Saint-Front Cathedral"
    assert front.heritage.protection == "classé"
    trail = pack.trail("saint-front-to-vesunna")
    assert trail.stops[0] == "merimee:PA00082725" and trail.stops[-1] == "merimee:PA00082762"


def test_chambery(packs):
    pack = packs["chambery"]
    cats = Counter(c for p in pack.pois for c in p.categories)
    assert cats["church"] == 1 and cats["bakery"] == 2 and cats["bookshop"] == 1
    assert pack.manifest.timezone == "Europe/Paris"
    assert len(pack.trails) == 1


def test_poi_not_found(packs):
    with pytest.raises(PoiNotFound):
        packs["monaco"].poi("osm:node/1")
    with pytest.raises(LookupError):
        packs["monaco"].trail("nope")


def _files(folder) -> dict[str, bytes]:
    """Every file of a pack folder by its path inside the pack (media/… included)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("town", TOWNS)
@pytest.mark.parametrize("form", ["folder", "zip"])
def test_round_trip(tmp_path, packs, town, form):
    pack = packs[town]
    out = tmp_path / (f"{town}.zip" if form == "zip" else town)
    save_pack(pack, out)
    again = load_pack(out)
    assert again == pack
    out2 = tmp_path / (f"{town}-2.zip" if form == "zip" else f"{town}-2")
    save_pack(again, out2)
    assert load_pack(out2) == pack
    if form == "folder":  # byte-identical files
        assert _files(out) == _files(out2)


def test_save_is_atomic_and_replaces(tmp_path, packs):
    out = tmp_path / "p"
    save_pack(packs["chambery"], out)
    save_pack(packs["perigueux"], out)
    assert load_pack(out).manifest.town_id == "perigueux"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no temporary left behind


@pytest.mark.parametrize("town", TOWNS)
def test_committed_packs_match_their_recipe(content_dir, town):
    """Rebuilding from content/<town>/build.json gives exactly the committed files (packs are not stale)."""
    result = build_pack(content_dir / town / "build.json")
    built = pack_files(result.pack)
    on_disk = _files(content_dir / town)
    if "streets.geojson" not in on_disk:  # built where heritage_kit.routing was not available
        built.pop("streets.geojson", None)
    assert set(built) == set(on_disk)
    audio = [n for n in on_disk if n.startswith("media/audio/")]  # synthesis is byte-identical from run to run
    for name in ("pois.geojson", "build.json", *(["basemap.geojson"] if "basemap.geojson" in on_disk else []), *audio):
        assert built[name] == on_disk[name], f"{name} is stale: rebuild (content/README.md)"

    def trails(data):  # lengths depend on whether street routing was available
        return [{k: v for k, v in t.items() if k not in ("length_m", "duration_min")}
                for t in json.loads(data)["trails"]]

    assert trails(built["trails.json"]) == trails(on_disk["trails.json"])


def test_schemas_are_fresh(content_dir):
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    assert check_schemas(root / "docs" / "schema") == [], "run: python -m heritage_kit pack schema"


@pytest.mark.parametrize("town", TOWNS)
def test_pack_files_follow_their_schema(content_dir, town):
    schemas = pack_schemas()
    for fname, sname in [("manifest.json", "manifest"), ("pois.geojson", "pois"), ("trails.json", "trails"),
                         ("build.json", "build")]:
        doc = json.loads((content_dir / town / fname).read_text(encoding="utf-8"))
        jsonschema.validate(doc, schemas[f"{sname}.schema.json"], cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_the_loader_rejects(content_dir):
    schema = pack_schemas()["pois.schema.json"]
    doc = json.loads((content_dir / "perigueux" / "pois.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["kind"] = "castle"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)


def test_build_errors_are_clear(tmp_path, content_dir):
    cfg = json.loads((content_dir / "perigueux" / "build.json").read_text(encoding="utf-8"))
    cfg["trails"][0]["stops"].append("merimee:PA00000001")
    path = tmp_path / "build.json"
    path.write_text(json.dumps(cfg))
    with pytest.raises(PackError, match=r"trails\[0\].*merimee:PA00000001.*not a POI"):
        build_pack(path, root=content_dir.parent)
    cfg["trails"] = []
    cfg["sources"][0]["path"] = "data/raw/merimee/nope.geojson"
    path.write_text(json.dumps(cfg))
    with pytest.raises(Exception, match="nope.geojson"):
        build_pack(path, root=content_dir.parent)
    cfg["sources"] = []
    path.write_text(json.dumps(cfg))
    with pytest.raises(PackError, match="field sources"):
        build_pack(path)
    path.write_text("{")
    with pytest.raises(PackError, match="not valid JSON"):
        build_pack(path)


def test_streets_hook(tmp_path, content_dir, monkeypatch):
    """With a routing module present, the build calls WalkingGraph.from_osm(path, bbox=...).to_geojson()."""
    import sys
    import types

    calls = []

    class FakeGraph:
        @classmethod
        def from_osm(cls, path, *, bbox=None):
            calls.append((str(path), bbox))
            return cls()

        def to_geojson(self):
            return {"type": "FeatureCollection", "features": []}

    mod = types.ModuleType("heritage_kit.routing")
    mod.WalkingGraph = FakeGraph
    monkeypatch.setitem(sys.modules, "heritage_kit.routing", mod)
    result = build_pack(content_dir / "chambery" / "build.json")
    assert calls and calls[0][0].endswith("chambery-faubourg-montmelian.osm.gz")
    assert result.pack.streets == {"type": "FeatureCollection", "features": []}
    save_pack(result.pack, tmp_path / "c")
    assert load_pack(tmp_path / "c").streets == {"type": "FeatureCollection", "features": []}

    class Broken(FakeGraph):
        @classmethod
        def from_osm(cls, path, *, bbox=None):
            raise RuntimeError("no ways")

    mod.WalkingGraph = Broken
    with pytest.raises(PackError, match="streets: building the walking network .* failed: RuntimeError: no ways"):
        build_pack(content_dir / "chambery" / "build.json")


def test_build_clips_to_a_polygon(tmp_path, content_dir):
    cfg = json.loads((content_dir / "chambery" / "build.json").read_text(encoding="utf-8"))
    cfg.pop("streets", None)
    cfg["trails"] = []
    cfg["poi_overrides"] = {}
    # east of the church: the shops only
    cfg["clip"] = {"polygon": {"type": "Polygon", "coordinates": [
        [[5.9310, 45.5650], [5.9340, 45.5650], [5.9340, 45.5670], [5.9310, 45.5670], [5.9310, 45.5650]]]}}
    path = tmp_path / "build.json"
    path.write_text(json.dumps(cfg))
    result = build_pack(path, root=content_dir.parent)
    ids = {p.id for p in result.pack.pois}
    assert "osm:way/101945424" not in ids and "osm:node/1486157466" in ids
    assert result.imports[0].skipped["outside the clip area"] == 3  # the church and two unnamed gardens


def test_schemas_describe_every_field_and_have_a_real_id():
    schemas = pack_schemas()
    for name in ("manifest.schema.json", "pois.schema.json", "trails.schema.json", "build.schema.json"):
        schema = schemas[name]
        assert schema["$id"] == "https://heritage-kit.org/schema/pack/1.1/" + name
        for where, node in [("top", schema), *schema.get("$defs", {}).items()]:
            missing = [k for k, v in node.get("properties", {}).items() if not v.get("description")]
            assert not missing, (name, where, missing)
