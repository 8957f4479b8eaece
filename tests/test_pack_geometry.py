"""Regression (red team, issue 15 item 9): every geometry of every pack file is validated as strictly as POIs.

A ``streets.geojson`` with infinite positions or lon 500 / lat −300 used to validate (``pack validate`` exit 0) and
fail only later. Now streets, basemap, POI footprints and trail geometries need finite lon/lat on Earth (and near
the town), lines of 2+ positions, closed rings; ``pack validate`` exits 1 naming the file, feature and field.
Checksums are recomputed after each edit, so the geometry check itself is what refuses the pack.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from heritage_kit.cli import main
from heritage_kit.errors import PackError
from heritage_kit.packs import load_pack, validate_pack


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _write(tmp_path, files, *, edit_name: str, edit):
    doc = json.loads(files[edit_name])
    edit(doc)
    files = {**files, edit_name: json.dumps(doc).replace("Infinity", "1e999").encode()}
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for n, d in files.items() if n != "manifest.json"}
    files["manifest.json"] = json.dumps(manifest).encode()
    root = tmp_path / "pack"
    for n, d in files.items():
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(d)
    return root


@pytest.fixture(scope="module")
def chambery(content_dir):
    return _files(content_dir / "chambery")


def _set_street(i: int, j: int, pos):
    def edit(doc):
        doc["features"][i]["geometry"]["coordinates"][j] = pos
    return edit


def _footprint_pos(pos):
    def edit(doc):
        f = next(f for f in doc["features"] if "footprint" in f["properties"])
        f["properties"]["footprint"]["coordinates"][0][0][1] = pos
    return edit


def _unclose_footprint(doc):
    f = next(f for f in doc["features"] if "footprint" in f["properties"])
    f["properties"]["footprint"]["coordinates"][0][0][-1] = [5.9, 45.5]


def _trail_geometry(doc):
    doc["trails"][0]["geometry"] = [{"lat": 45.56, "lon": 5.93}, {"lat": -300.0, "lon": 5.93}]


def _basemap_pos(doc):
    doc["features"][3]["geometry"]["coordinates"] = [500.0, 45.5] if doc["features"][3]["geometry"]["type"] == \
        "Point" else doc["features"][3]["geometry"]["coordinates"]
    geom = doc["features"][3]["geometry"]
    target = geom["coordinates"]
    while isinstance(target[0], list) and isinstance(target[0][0], list):
        target = target[0]
    if isinstance(target[0], list):
        target[1] = [500.0, 45.5]


CASES = [
    ("streets-infinite", "streets.geojson", _set_street(2, 0, [float("inf"), 45.56]), "#2",
     "geometry.coordinates.0"),
    ("streets-lon-500", "streets.geojson", _set_street(5, 1, [500.0, 45.56]), "#5", "geometry.coordinates.1"),
    ("streets-lat-minus-300", "streets.geojson", _set_street(0, 0, [5.93, -300.0]), "#0", "geometry.coordinates.0"),
    ("streets-far-away", "streets.geojson", _set_street(1, 0, [2.35, 48.85]), "#1", "geometry.coordinates.0"),
    ("streets-one-position", "streets.geojson",
     lambda d: d["features"][4]["geometry"].__setitem__("coordinates", [[5.93, 45.56]]), "#4",
     "geometry.coordinates"),
    ("streets-not-a-line", "streets.geojson",
     lambda d: d["features"][6].__setitem__("geometry", {"type": "Point", "coordinates": [5.93, 45.56]}), "#6",
     "geometry.type"),
    ("streets-strings", "streets.geojson", _set_street(3, 0, ["5.93", "45.56"]), "#3", "geometry.coordinates.0"),
    ("basemap-lon-500", "basemap.geojson", _basemap_pos, "#3", "geometry.coordinates"),
    ("footprint-infinite", "pois.geojson", _footprint_pos([5.93, float("inf")]), "osm:way/101945424", "footprint"),
    ("footprint-open-ring", "pois.geojson", _unclose_footprint, "osm:way/101945424", "footprint"),
    ("trail-lat-minus-300", "trails.json", _trail_geometry, "faubourg-montmelian", "geometry.1.lat"),
]


@pytest.mark.parametrize(("case", "name", "edit", "record", "field"), CASES, ids=[c[0] for c in CASES])
def test_impossible_geometry_is_refused_naming_file_feature_and_field(tmp_path, chambery, capsys, case, name, edit,
                                                                      record, field):
    root = _write(tmp_path, chambery, edit_name=name, edit=edit)
    report = validate_pack(root)
    assert not report.ok
    bad = [p for p in report.errors if p.file == name]
    assert bad, str(report)
    assert any(p.record == record and (p.field or "").startswith(field) for p in bad), str(report)
    with pytest.raises(PackError):
        load_pack(root)
    assert main(["pack", "validate", str(root)]) != 0
    out = capsys.readouterr().out
    assert name in out and record in out and field in out


def test_the_real_packs_still_validate(content_dir):
    for town in ("chambery", "monaco", "perigueux"):
        assert validate_pack(content_dir / town).ok, town
