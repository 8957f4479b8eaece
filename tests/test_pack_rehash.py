"""Issue 22 item 6: `pack rehash` after a hand edit, and recipe paths that resolve against the recipe's folder
whatever the current folder."""

from __future__ import annotations

import json
import shutil

import pytest

from heritage_kit.cli import main
from heritage_kit.errors import PackError
from heritage_kit.models import POI
from heritage_kit.packs import ContentPack, load_pack, save_pack

ATTR = [{"text": "Ministère de la Culture – base Mérimée", "licence": "Licence Ouverte 2.0"}]


def _pack(tmp_path, name="p"):
    pois = [POI.model_validate({"id": f"merimee:PA0009699{i}", "kind": "heritage", "categories": ["church"],
                                "name": {"fr": f"Église {i}"}, "location": {"lat": 48.447 + i / 1000, "lon": 1.487}})
            for i in range(3)]
    path = tmp_path / name
    save_pack(ContentPack.new(town_id="chartres", town_name="Chartres", pois=pois, attributions=ATTR), path)
    return path


def _edit_name(path, new_name, category=None):
    pois = path / "pois.geojson"
    fc = json.loads(pois.read_text())
    fc["features"][0]["properties"]["name"]["fr"] = new_name
    if category:
        fc["features"][0]["properties"]["categories"] = [category]
    pois.write_text(json.dumps(fc, ensure_ascii=False, indent=1))


@pytest.mark.parametrize("as_zip", [False, True])
def test_rehash_accepts_a_valid_hand_edit(tmp_path, capsys, as_zip):
    path = _pack(tmp_path)
    _edit_name(path, "Église Saint-Aignan")
    (path / "media").mkdir()
    (path / "media" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    if as_zip:
        shutil.make_archive(str(tmp_path / "z"), "zip", path)
        path = tmp_path / "z.zip"
    with pytest.raises(PackError, match="differs from the manifest"):
        load_pack(path)  # the edit is refused until rehashed
    assert main(["pack", "rehash", str(path)]) == 0
    out = capsys.readouterr().out
    assert "changed  pois.geojson" in out and "added    media/logo.png" in out and "rehashed and valid" in out
    pack = load_pack(path)
    assert pack.pois[0].name.get("fr") == "Église Saint-Aignan" and "media/logo.png" in pack.media
    assert main(["pack", "rehash", str(path), "--bump"]) == 0
    assert load_pack(path).manifest.version == 2
    capsys.readouterr()
    assert main(["pack", "rehash", str(path)]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_rehash_refuses_an_invalid_edit_and_changes_nothing(tmp_path, capsys):
    path = _pack(tmp_path)
    before = (path / "manifest.json").read_bytes()
    _edit_name(path, "Église", category="vitrail")
    assert main(["pack", "rehash", str(path)]) == 1
    out = capsys.readouterr().out
    assert "unknown category 'vitrail'" in out and "merimee:PA00096990" in out and "nothing written" in out
    assert (path / "manifest.json").read_bytes() == before


def test_recipe_paths_resolve_against_the_recipe_folder_from_any_cwd(tmp_path, raw_dir, monkeypatch, capsys):
    town = tmp_path / "town"
    town.mkdir()
    shutil.copy(raw_dir / "merimee" / "mh-chartres-1500m.geojson", town / "monuments.geojson")
    recipe = {
        "town_id": "chartres", "town_name": "Chartres", "created": "2026-07-21T00:00:00Z",
        "sources": [{"type": "merimee", "path": "monuments.geojson"}],
        "attributions": ATTR,
    }
    (town / "build.json").write_text(json.dumps(recipe))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # a decoy with the same name in the current folder: it must not win
    shutil.copy(raw_dir / "merimee" / "mh-perigueux-1500m.geojson", elsewhere / "monuments.geojson")
    monkeypatch.chdir(elsewhere)
    assert main(["pack", "build", "--config", str(town / "build.json"), "--out", str(tmp_path / "out")]) == 0
    pack = load_pack(tmp_path / "out")
    assert all(48.4 < p.lat < 48.5 for p in pack.pois) and len(pack.pois) > 30  # Chartres, not Périgueux
    monkeypatch.chdir(town)  # the same from the recipe's own folder
    assert main(["pack", "build", "--config", "build.json", "--out", str(tmp_path / "out2")]) == 0
    assert (tmp_path / "out2" / "pois.geojson").read_bytes() == (tmp_path / "out" / "pois.geojson").read_bytes()
