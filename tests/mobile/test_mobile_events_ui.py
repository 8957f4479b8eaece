"""Issue 20 screenshots, made by the real app off-screen (tests/ui/events_driver.py), checked on what it shows;
the PNGs are copied to docs/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("kivy")


def run(which: str, tmp_path: Path) -> dict:
    env = {**os.environ, "HK_EVENTS_SHOT": which, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(ROOT / "tests" / "ui" / "events_driver.py"), str(tmp_path)], env=env,
                   timeout=180, check=True, capture_output=True)
    result = json.loads((tmp_path / f"{which}.json").read_text(encoding="utf-8"))
    assert result["errors"] == [] and (tmp_path / f"{which}.png").stat().st_size > 10_000
    shutil.copy(tmp_path / f"{which}.png", ROOT / "docs" / "screenshots" / f"{which}.png")
    return result["texts"]


def test_this_week_on_the_home_screen(tmp_path):
    texts = run("this-week", tmp_path)
    assert texts["week"] == [["European Heritage Days",
                              "Saturday 19 September, 09:00 to Sunday 20 September, 18:00"]]


def test_a_shop_in_a_listed_building_shows_its_heritage_card(tmp_path):
    texts = run("shop-in-listed-building", tmp_path)
    assert texts["host"][:2] == ["In a listed building", "Niort market hall"]
    assert "Thursday 17 September, 07:00–13:00" in texts["events"]
