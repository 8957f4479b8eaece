"""``heritage-kit hours check PACK`` on a pack made of Niort's real values, and ``hours explain``."""

from __future__ import annotations

import json

import pytest

from heritage_kit.cli import main
from heritage_kit.models import POI
from heritage_kit.packs import ContentPack, save_pack


@pytest.fixture(scope="module")
def niort_pack(raw_dir, tmp_path_factory):
    doc = json.loads((raw_dir / "osm" / "niort-2019" / "niort_opening_hours_values.json").read_text())
    pois = []
    for i, v in enumerate(doc["values"]):
        if not v["opening_hours"]:
            continue
        pois.append(
            POI(
                id=f"hk:niort-{i}",  # the same OSM node carries several practitioners: ids made unique
                kind="service",
                categories=["pharmacy"] if v.get("kind") == "pharmacy" else [],
                name={"fr": v.get("name") or f"Niort {i}"},
                location={"lat": 46.3237 + i * 1e-4, "lon": -0.4588},
                opening_hours=v["opening_hours"],
            )
        )
    pois.append(
        POI(id="hk:niort-bad", kind="service", name={"fr": "Cabinet"}, location={"lat": 46.32, "lon": -0.46},
            opening_hours="sur rendez-vous")
    )
    pack = ContentPack.new(
        town_id="niort", town_name="Niort", pois=pois,
        attributions=[{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}],
    )
    path = tmp_path_factory.mktemp("packs") / "niort"
    save_pack(pack, path)
    return path


def test_check_lists_repaired_and_unreadable(niort_pack, capsys):
    assert main(["hours", "check", str(niort_pack)]) == 0
    out = capsys.readouterr().out
    assert "repaired   hk:niort-3 (Pharmacie de la Brèche): 'Mo-Sa 09:00-12:30 / 13:45-19:15' -> 'Mo-Sa 09:00-12:30,13:45-19:15'" in out
    assert "- ' / ', 'et' or '&' between time ranges written as ','" in out
    assert "unreadable hk:niort-bad (Cabinet): 'sur rendez-vous'" in out
    assert out.strip().splitlines()[-1] == "niort: 48 opening_hours values, 11 valid, 36 repaired, 1 unreadable"
    # valid values are not listed
    assert "Pharmacie Dumont" not in out


def test_check_json_and_strict(niort_pack, capsys):
    assert main(["hours", "check", str(niort_pack), "--json", "--strict"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["values"], data["repaired"], data["unreadable"]) == (48, 36, 1)
    bad = [p for p in data["problems"] if p["status"] == "unreadable"]
    assert bad == [{"id": "hk:niort-bad", "name": "Cabinet", "value": "sur rendez-vous", "status": "unreadable",
                    "read_as": None, "changes": [], "error": "not valid opening_hours syntax"}]


def test_check_real_town_pack(content_dir, capsys):
    assert main(["hours", "check", str(content_dir / "monaco")]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("monaco: ")


def test_check_missing_pack_is_one_line_error(tmp_path, capsys):
    assert main(["hours", "check", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("heritage-kit: error:") and "Traceback" not in err


def test_explain(capsys):
    assert main(["hours", "explain", "Mo-Sa 09:00-19:30 / PH off", "--at", "2026-07-14T10:00", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "unreadable" in out or "read as" in out
    assert main(["hours", "explain", "Mo-Sa 09:00-12:30 / 14:00-19:30; PH off", "--at", "2026-07-14T10:00", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "read as: Mo-Sa 09:00-12:30,14:00-19:30; PH off" in out
    assert "closed at 2026-07-14 10:00 CEST: Fermé (jour férié) · Ouvre demain à 09:00" in out
    assert main(["hours", "explain", "24/7", "--at", "tomorrow"]) == 1
    assert "--at" in capsys.readouterr().err
