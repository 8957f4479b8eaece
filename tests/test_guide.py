"""docs/guide.md stays true: its quickstart runs as a script on Chartres, its recipe table names every key of
build.json, its category list every category, its submission body is accepted by the inbox's rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from heritage_kit.categories import CATEGORIES

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_quickstart_script_runs_on_chartres(tmp_path):
    env = {**os.environ, "HK": f"{sys.executable} -m heritage_kit", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(["bash", str(ROOT / "docs" / "tutorial" / "chartres.sh"), str(tmp_path)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    out = run.stdout
    assert "Chartres Cathedral (Notre-Dame)" in out.split("stops,", 1)[1]  # the planned walk has the cathedral
    assert "arrived at  Chartres Cathedral" in out  # and its GPX replays
    assert "changed  pois.geojson" in out and out.rstrip().endswith(f"done: {tmp_path}/packs/chartres")
    from heritage_kit.packs import load_pack

    pack = load_pack(tmp_path / "packs" / "chartres")
    assert pack.manifest.version == 2 and pack.poi("merimee:PA00097019").name.get("en") == "Municipal theatre"


def test_the_recipe_table_names_every_build_key():
    from heritage_kit.packs.build import BuildConfig

    table = GUIDE.split("## The recipe (build.json)", 1)[1].split("\n## ", 1)[0]
    missing = [k for k in BuildConfig.model_fields if f"| `{k}` |" not in table]
    assert not missing


def test_the_guide_lists_every_category():
    section = GUIDE.split("## Categories", 1)[1].split("\n## ", 1)[0]
    assert not [c for c in CATEGORIES if f"`{c}`" not in section]


def test_the_example_submission_is_accepted_in_chartres(content_dir):
    from heritage_kit.packs import load_pack
    from heritage_kit.submissions.rules import validate_submission

    text = (ROOT / "docs" / "tutorial" / "submission.json").read_text(encoding="utf-8")
    assert text.strip() in GUIDE
    assert validate_submission(json.loads(text), pack=load_pack(content_dir / "chartres")) == {}
