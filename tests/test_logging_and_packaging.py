"""Issue 22 items 7–9 (outside the inbox): logging in loaders, hours repairs and the planner; one error message
per problem on the command line; --version, licence, project URLs and classifiers; stale docs."""

from __future__ import annotations

import logging
import tomllib
from datetime import datetime

from heritage_kit.cli import main

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_loading_repairing_and_planning_say_what_they_did(content_dir, caplog):
    from heritage_kit.hours_repair import repair
    from heritage_kit.packs import load_pack
    from heritage_kit.routing import plan_trail

    caplog.set_level(logging.DEBUG, logger="heritage_kit")
    pack = load_pack(content_dir / "chambery")
    repair.cache_clear()
    for poi in pack.pois:
        if poi.opening_hours:
            repair(poi.opening_hours)
    plan_trail(pack, start=pack.manifest.centre, start_time=datetime(2026, 7, 18, 10), minutes=30)
    by_logger = {}
    for r in caplog.records:
        by_logger.setdefault(r.name, []).append(r.getMessage())
    assert any(m.startswith("loaded pack") and "9 POIs" in m for m in by_logger["heritage_kit.packs.pack"])
    assert any("a flagged guess" in m for m in by_logger["heritage_kit.hours_repair"])
    planner = by_logger["heritage_kit.routing.trail"]
    assert any("left out: 4 hours unknown, 1 hours uncertain" in m for m in planner)  # the bakery's guessed hours
    assert any("stops chosen" in m for m in planner)


def test_a_cli_error_is_said_once(tmp_path, capsys):
    assert main(["pack", "info", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.count("no such pack") == 1, err
    (tmp_path / "x.zip").write_text("not a zip")
    assert main(["pack", "info", str(tmp_path / "x.zip")]) == 1
    err = capsys.readouterr().err
    assert err.count("not a readable zip file") == 1 and "File is not a zip file" in err, err


def test_licence_urls_and_classifiers():
    from heritage_kit import __version__

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__
    # an SPDX licence expression (PEP 639); a licence classifier beside it is an error for setuptools >= 77
    assert "MIT License" in (ROOT / "LICENSE").read_text() and project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert all(url.startswith("https://") for url in project["urls"].values())


def test_help_lists_every_pack_action(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    import re

    line = re.search(r"^\s+pack\s+(.*)$", out, re.M).group(1)
    for action in ("validate", "info", "build", "rehash", "schema", "publish"):
        assert action in line, line


def test_sources_md_names_the_files_that_are_there():
    import re

    text = (ROOT / "data" / "raw" / "SOURCES.md").read_text(encoding="utf-8")
    named = [m for m in re.findall(r"^\| `([^`]+)`", text, re.M) if "*" not in m and "<" not in m]
    assert len(named) >= 6
    assert [n for n in named if not (ROOT / "data" / "raw" / n).exists()] == []


def test_content_pack_new_takes_a_description_per_language():
    from heritage_kit.models import POI
    from heritage_kit.packs import ContentPack

    poi = POI.model_validate({"id": "osm:node/1", "kind": "heritage", "categories": ["church"], "name": {"fr": "É"},
                              "location": {"lat": 48.44, "lon": 1.48}})
    pack = ContentPack.new(town_id="t", town_name="T", pois=[poi], attributions=[{"text": "x", "licence": "y"}],
                           description={"fr": "Le centre", "en": "The centre"})
    assert pack.manifest.description.get("fr") == "Le centre" and pack.manifest.description.get("en") == "The centre"


def test_the_wheel_installs_the_library_only_not_a_top_level_mobile_package():
    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = find_packages(str(ROOT), include=config["tool"]["setuptools"]["packages"]["find"]["include"])
    assert "heritage_kit" in found and "heritage_kit.routing" in found
    assert {p.split(".")[0] for p in found} == {"heritage_kit"}
