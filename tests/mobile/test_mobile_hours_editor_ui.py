"""The hours editor in the real app off-screen (tests/ui/hours_driver.py), driven through its widgets from a
shop's POI page to the outbox and "My submissions"; checked on what it shows. The PNGs are copied to
docs/screenshots/ (hours-editor*.png)."""

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
SENT = "Mo-Sa 06:30-12:00,14:00-19:00; Su 06:30-12:30; PH off; 2026 Dec 24-26 off"


def run(which: str, tmp_path: Path) -> dict:
    env = {**os.environ, "HK_HOURS_SHOT": which, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(ROOT / "tests" / "ui" / "hours_driver.py"), str(tmp_path)], env=env,
                   timeout=180, check=True, capture_output=True)
    result = json.loads((tmp_path / f"{which}.json").read_text(encoding="utf-8"))
    assert result["errors"] == []
    for shot in result["shots"]:
        assert Path(shot).stat().st_size > 10_000
        shutil.copy(shot, ROOT / "docs" / "screenshots" / Path(shot).name)
    return result["texts"]


def test_edit_a_bakerys_hours_from_its_page_to_my_submissions(tmp_path):
    t = run("en", tmp_path)
    assert t["poi_button"] == "Edit opening hours" and t["screen"] == "hours_editor"
    before = t["before_save"]
    assert before["current"] == "Current value: Mo-Su 06:30-19:00" and before["notice"] == ""
    assert before["reading"].splitlines() == ["Monday to Saturday: 06:30–12:00, 14:00–19:00", "Sunday: 06:30–12:30",
                                              "Closed on public holidays",
                                              "Exceptionally closed from 24 to 26 December 2026"]
    assert before["value"] == f"OpenStreetMap value sent: {SENT}"
    assert t["outbox"] == [["edit", "osm:node/1712696722", SENT, "queued"]]
    assert t["after_save"]["ok"] and t["after_save"]["result"].startswith("Saved on this phone.")
    title, detail, status = t["my_submissions"]
    assert title == "L'Épi d'Or" and detail.startswith(f"Opening hours: {SENT} · ") and status == "waiting to be sent"
    assert t["small_targets"] == []


def test_a_value_it_cannot_represent_is_said_in_french_and_a_bad_time_named(tmp_path):
    t = run("fr", tmp_path)
    opened = t["opened"]
    assert opened["current"] == "Valeur actuelle : Mo-Sa 09:00-12:30, 14:00-19:00"
    assert opened["notice"].startswith("Ces horaires ne peuvent pas être modifiés ici")
    assert "semaine vide" in opened["notice"]
    assert opened["week_error"] == "Aucun jour d'ouverture : ouvrir au moins un jour"
    typed = t["typed"]
    assert typed["week_error"] == ""  # Monday is open now
    assert typed["day_errors"] == {"0": "Lundi : heure illisible « 25:00 » (écrire par exemple 09:00)"}
    assert typed["value"] == "Valeur OpenStreetMap : à corriger d'abord"
    assert t["monday_fields"] == ["09:00", "25:00"]  # "9h" written the usual way once left, 25:00 kept as typed
    assert t["small_targets"] == []


def test_large_text_keeps_every_target_and_the_same_value(tmp_path):
    t = run("large", tmp_path)
    assert t["outbox"] == [["edit", "osm:node/1712696722", SENT, "queued"]]
    assert t["small_targets"] == []
