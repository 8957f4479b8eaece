"""The real app off-screen on the Towns screen (``tests/ui/towns_driver.py`` in a subprocess): the
catalogue from a real server on 127.0.0.1, an update in progress, the verified swap, the new POIs on the
map. The screenshots go to ``docs/screenshots/towns.png`` and ``towns-update.png``."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("towns-ui")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp / "kivy"), HERITAGE_KIT_APP_DIR=str(tmp / "app"), LANG="en_GB.UTF-8")
    env.pop("KIVY_GL_BACKEND", None)
    result = tmp / "towns.json"
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "ui" / "towns_driver.py"), str(result),
                           str(tmp / "shots")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if not result.exists():
        pytest.fail(f"app exited {proc.returncode} without a report\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    data = json.loads(result.read_text(encoding="utf-8"))
    assert not data["errors"], "\n".join(data["errors"])
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in ("towns.png", "towns-update.png"):
        shutil.copyfile(tmp / "shots" / name, DOCS / name)
    return data


def test_catalogue_rows_show_installed_version_and_update_size(run):
    monaco = run["rows"]["monaco"]
    assert monaco["active"] and monaco["detail"].startswith("Version 1 installed")
    assert monaco["status"].startswith("Update available: version 2 · ") and monaco["action_text"].startswith("Update (")
    assert run["rows"]["perigueux"]["status"] == "Up to date"
    assert run["header"] == "Catalogue checked just now."


def test_update_in_progress_shows_its_progress(run):
    during = run["during"]
    assert during["status"].startswith("Downloading… ") and 0.4 < during["progress"] < 1.0


def test_update_is_verified_swapped_and_its_pois_are_on_the_map(run):
    assert run["after"]["status"] == "Up to date" and not run["after"]["failed"]
    assert run["after"]["message"].startswith("Version 2 installed and verified (")
    assert run["pack_version"] == 2 and run["screen_after_update"] == "towns"  # the update keeps the screen
    assert run["home_towns"] == ["chambery", "chartres", "monaco", "perigueux"]  # one entry per town (the newest)
    assert len(run["new_in_pack"]) == 5 and run["new_on_map"] == run["new_in_pack"]


def test_a_signed_town_is_installed_with_its_key_and_a_tampered_zip_is_refused_at_launch(run):
    """Issue 15: the catalogue's key pinned on the first install; the downloaded zip opened with it; the same
    zip without the town's signature refused, the visitor told why (not a traceback), back on Home."""
    signed = run["signed"]
    assert signed["message"] == "Version 2 installed and verified." and signed["key"]
    assert "signed by the town" in signed["row"] and signed["opened_version"] == 2
    assert signed["tampered_error"] == ("Unreadable content: This guide is not signed by the town (or was altered): "
                                        "it is refused.")
    assert signed["screen"] == "home"
