"""The heritage-kit CLI: exit codes and messages, never a traceback."""

import json
import subprocess
import sys
import pathlib

import pytest

from heritage_kit.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_valid_pack(capsys, content_dir):
    code, out, _ = run(capsys, "pack", "validate", str(content_dir / "monaco"))
    assert code == 0 and "valid" in out


def test_validate_invalid_pack_prints_the_report(capsys, tmp_path, content_dir):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(content_dir / "perigueux", bad)
    (bad / "trails.json").write_text('{"trails": []}')
    code, out, _ = run(capsys, "pack", "validate", str(bad))
    assert code == 1 and "trails.json" in out and "SHA-256" in out


def test_validate_missing_pack(capsys, tmp_path):
    code, out, _ = run(capsys, "pack", "validate", str(tmp_path / "nope"))
    assert code == 1 and "no such pack" in out


def test_info(capsys, content_dir):
    code, out, _ = run(capsys, "pack", "info", str(content_dir / "monaco"))
    assert code == 0
    assert "Monaco (monaco)" in out and "heritage 161" in out and "Europe/Monaco" in out
    assert "rocher-heritage" in out and "© OpenStreetMap contributors — ODbL 1.0" in out
    code, out, _ = run(capsys, "pack", "info", "--lang", "fr", str(content_dir / "perigueux"))
    assert code == 0 and "cathédrale 1" in out and "Licence Ouverte 2.0" in out


def test_info_on_a_broken_pack_is_one_message(capsys, tmp_path):
    (tmp_path / "p").mkdir()
    code, _, err = run(capsys, "pack", "info", str(tmp_path / "p"))
    assert code == 1 and err.startswith("heritage-kit: error: invalid content pack") and "Traceback" not in err


def test_build(capsys, tmp_path, content_dir, monkeypatch):
    monkeypatch.chdir(ROOT)
    out_zip = tmp_path / "perigueux.zip"
    code, out, _ = run(capsys, "pack", "build", "--config", "content/perigueux/build.json", "--out", str(out_zip))
    assert code == 0 and "read 30, imported 30" in out and f"wrote {out_zip}" in out
    code, out, _ = run(capsys, "pack", "validate", str(out_zip))
    assert code == 0


def test_build_bad_config(capsys, tmp_path):
    cfg = tmp_path / "build.json"
    cfg.write_text(json.dumps({"town_id": "x", "town_name": "X", "sources": [{"type": "gpx", "path": "a"}],
                               "attributions": [{"text": "t", "licence": "l"}]}))
    code, _, err = run(capsys, "pack", "build", "--config", str(cfg), "--out", str(tmp_path / "o"))
    assert code == 1 and "sources.0.type" in err and "Traceback" not in err
    code, _, err = run(capsys, "pack", "build", "--config", str(tmp_path / "none.json"), "--out", str(tmp_path / "o"))
    assert code == 1 and "cannot read build config" in err


def test_import_merimee(capsys, tmp_path, raw_dir):
    out = tmp_path / "m.geojson"
    code, _, err = run(capsys, "import", "merimee", str(raw_dir / "merimee" / "mh-perigueux-1500m.geojson"),
                       "--bbox", "45.1830,0.7220,45.1842,0.7235", "--out", str(out))
    assert code == 0 and "imported" in err
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection"
    assert "merimee:PA00082725" in {f["id"] for f in fc["features"]}


def test_import_merimee_bad_record(capsys, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]},
         "properties": {"ref_merimee": "PA00000001", "name": ""}}]}))
    code, _, err = run(capsys, "import", "merimee", str(bad))
    assert code == 1 and "record #0 (PA00000001), field name" in err
    code, _, err = run(capsys, "import", "merimee", "--lenient", str(bad))
    assert code == 1 and "0 POIs" in err and "missing or empty" in err


def test_import_osm(capsys, tmp_path, raw_dir):
    out = tmp_path / "o.geojson"
    code, _, err = run(capsys, "import", "osm", str(raw_dir / "osm" / "chambery-faubourg-montmelian.osm.gz"),
                       "--out", str(out))
    assert code == 0 and "9 POIs" in err
    assert len(json.loads(out.read_text())["features"]) == 9


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["import", "osm", "nope.osm.pbf"], "no such file"),
        (["import", "osm", "--bbox", "1,2,3", "x.osm"], "four numbers"),
        (["import", "merimee", "--bbox", "50,0,40,1", "x.geojson"], "south is north of north"),
        (["import", "osm", "--clip", "nope.json", "x.osm"], "clip polygon"),
    ],
)
def test_import_bad_input(capsys, argv, fragment):
    code, _, err = run(capsys, *argv)
    assert code == 1 and fragment in err and "Traceback" not in err


def test_schema_check(capsys, tmp_path):
    code, out, _ = run(capsys, "pack", "schema", "--check", "--out", str(tmp_path))
    assert code == 1 and "manifest.schema.json" in out
    code, _, _ = run(capsys, "pack", "schema", "--out", str(tmp_path))
    assert code == 0
    code, out, _ = run(capsys, "pack", "schema", "--check", "--out", str(tmp_path))
    assert code == 0 and "up to date" in out


def test_real_process_no_traceback(tmp_path):
    res = subprocess.run([sys.executable, "-m", "heritage_kit", "pack", "info", str(tmp_path / "missing.zip")],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr and "no such pack" in res.stderr


def test_import_with_a_clip_polygon(capsys, tmp_path, raw_dir):
    poly = tmp_path / "rocher.geojson"
    poly.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[7.4180, 43.7290], [7.4290, 43.7290], [7.4290, 43.7330], [7.4180, 43.7330], [7.4180, 43.7290]]]}}))
    out = tmp_path / "o.geojson"
    code, _, err = run(capsys, "import", "osm", str(raw_dir / "osm" / "monaco-2026-07.osm.pbf"), "--clip", str(poly),
                       "--out", str(out))
    assert code == 0
    ids = {f["id"] for f in json.loads(out.read_text())["features"]}
    assert "osm:relation/393226" in ids and len(ids) == 118


def test_info_survives_an_odd_recipe(capsys, tmp_path, content_dir):
    from heritage_kit.packs import load_pack, save_pack

    pack = load_pack(content_dir / "chambery")
    pack.build = {"sources": 3}
    save_pack(pack, tmp_path / "c")
    code, out, _ = run(capsys, "pack", "info", str(tmp_path / "c"))
    assert code == 0 and "built from: ?" in out


def test_merimee_progress(capsys, raw_dir):
    code, _, err = run(capsys, "import", "merimee", "--progress", str(raw_dir / "merimee" / "mh-cahors-1500m.geojson"))
    assert code == 0 and "reading mh-cahors-1500m.geojson" in err and "39 POIs" in err


def test_output_piped_into_head_ends_quietly(content_dir):
    # `heritage-kit pack info PACK | head -1`: the reader has gone; no "error: Broken pipe", no traceback.
    import os

    r, w = os.pipe()
    os.close(r)  # the reader is gone before the first write
    try:
        proc = subprocess.run([sys.executable, "-m", "heritage_kit", "pack", "info", str(content_dir / "monaco")],
                              cwd=ROOT, stdout=w, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(w)
    assert proc.returncode == 141, proc.stderr.decode()
    assert proc.stderr.decode() == ""


def test_version_names_the_library_version(capsys):
    import heritage_kit

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"heritage-kit {heritage_kit.__version__}"
