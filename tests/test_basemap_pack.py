"""basemap.geojson in a pack: built from the recipe's OSM source, saved, loaded, checked."""

from __future__ import annotations

import json

import pytest

from heritage_kit import load_pack, save_pack, validate_pack
from heritage_kit.basemap import LAYERS
from heritage_kit.errors import PackError
from heritage_kit.packs.build import build_pack, load_build_config


def _recipe(content_dir, tmp_path, town, **changes):
    data = json.loads((content_dir / town / "build.json").read_text(encoding="utf-8"))
    data.update(changes)
    data.pop("streets", None)  # not needed here, and slow
    path = tmp_path / f"{town}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def chambery(content_dir, tmp_path_factory):
    recipe = _recipe(content_dir, tmp_path_factory.mktemp("recipe"), "chambery", basemap=True)
    return build_pack(recipe, root=content_dir.parent)


def test_recipe_basemap_true_reads_the_osm_source(chambery):
    doc = chambery.pack.basemap
    layers = [f["properties"]["layer"] for f in doc["features"]]
    assert layers.count("building") > 50 and "park" in layers and "water" in layers
    assert layers == sorted(layers, key=LAYERS.index)
    assert any(n.startswith("basemap: ") and "building" in n for n in chambery.notes)
    assert chambery.pack.build["basemap"] is True  # the recipe the pack keeps says so


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_round_trip_and_manifest(tmp_path, chambery, form):
    out = tmp_path / ("p.zip" if form == "zip" else "p")
    save_pack(chambery.pack, out)
    again = load_pack(out)
    assert again.basemap == chambery.pack.basemap and again == chambery.pack
    assert "basemap.geojson" in again.manifest.files
    assert validate_pack(out).problems == []


def test_a_pack_without_osm_data_has_no_basemap_and_says_so(content_dir, tmp_path):
    result = build_pack(_recipe(content_dir, tmp_path, "perigueux", basemap=True), root=content_dir.parent)
    assert result.pack.basemap is None
    assert any("basemap: skipped" in n and "no OSM source" in n for n in result.notes)
    out = tmp_path / "p"
    save_pack(result.pack, out)
    assert not (out / "basemap.geojson").exists() and load_pack(out).basemap is None


def test_recipe_basemap_path_and_bad_values(content_dir, tmp_path):
    recipe = _recipe(content_dir, tmp_path, "perigueux", basemap="tests/data/overpass_monaco_basemap.json")
    assert load_build_config(recipe).basemap == "tests/data/overpass_monaco_basemap.json"
    with pytest.raises(PackError, match="field basemap"):
        load_build_config(_recipe(content_dir, tmp_path, "perigueux", basemap=[1]))


def _save_with(tmp_path, pack, basemap) -> object:
    pack.basemap = basemap
    out = tmp_path / "bad"
    save_pack(pack, out)
    return out


def test_bad_basemap_features_are_reported_by_index_and_field(tmp_path, chambery):
    pack = chambery.pack
    original = pack.basemap
    doc = json.loads(json.dumps(original))
    try:
        doc["features"][3]["properties"]["layer"] = "motorway"
        doc["features"][7]["geometry"]["coordinates"] = "here"
        out = _save_with(tmp_path, pack, doc)
        report = validate_pack(out)
        got = {(p.file, p.record, p.field) for p in report.errors}
        assert got == {("basemap.geojson", "#3", "properties.layer"),
                       ("basemap.geojson", "#7", "geometry.coordinates")}
        with pytest.raises(PackError, match="basemap.geojson"):
            load_pack(out)
    finally:
        pack.basemap = original


def test_basemap_far_from_the_town_or_not_a_collection_is_refused(tmp_path, chambery):
    pack = chambery.pack
    original = pack.basemap
    try:
        far = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [139.69, 35.69]},  # Tokyo
             "properties": {"layer": "label", "kind": "place", "name": "Tokyo", "band": 0}}]}
        report = validate_pack(_save_with(tmp_path, pack, far))
        assert [(p.record, p.field) for p in report.errors] == [("#0", "geometry.coordinates")]
        assert "outside the pack's bbox" in report.errors[0].message
        report = validate_pack(_save_with(tmp_path, pack, {"type": "Feature"}))
        assert [p.message for p in report.errors] == ["must be a GeoJSON FeatureCollection with a 'features' list"]
    finally:
        pack.basemap = original


def _overpass_recipe(tmp_path, basemap):
    recipe = {
        "town_id": "rocher", "town_name": "Le Rocher", "timezone": "Europe/Monaco", "country": "MC",
        "created": "2026-07-10T00:00:00Z", "clip": {"bbox": "43.7290,7.4180,43.7330,7.4290"},
        "sources": [{"type": "overpass", "path": "tests/data/overpass_monaco_rocher.json"}],
        "basemap": basemap,
        "attributions": [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}],
    }
    path = tmp_path / "rocher.json"
    path.write_text(json.dumps(recipe, ensure_ascii=False), encoding="utf-8")
    return path


def test_build_from_overpass_answers(content_dir, tmp_path):
    # true: the recipe's first OSM source, here an Overpass answer (asked for POIs: few basemap objects)
    first = build_pack(_overpass_recipe(tmp_path, True), root=content_dir.parent)
    assert any("from overpass_monaco_rocher.json" in n for n in first.notes)
    assert first.pack.basemap is not None
    # a path: an answer to heritage_kit.basemap.extract.basemap_query
    full = build_pack(_overpass_recipe(tmp_path, "tests/data/overpass_monaco_basemap.json"), root=content_dir.parent)
    layers = {f["properties"]["layer"] for f in full.pack.basemap["features"]}
    assert {"sea", "building", "park", "pedestrian", "label"} <= layers
    out = tmp_path / "rocher"
    save_pack(full.pack, out)
    assert validate_pack(out).problems == [] and load_pack(out).basemap == full.pack.basemap


def test_pack_info_tells_the_basemap(tmp_path, chambery, content_dir, capsys):
    from heritage_kit.cli import main

    save_pack(chambery.pack, tmp_path / "c")
    assert main(["pack", "info", str(tmp_path / "c")]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("basemap:"))
    assert line.startswith("basemap: 99 features (water 6, park 4, pedestrian 4, building 83, label 2)")
    assert main(["pack", "info", str(content_dir / "perigueux")]) == 0
    assert "basemap: no" in capsys.readouterr().out
