"""``heritage-kit walk simulate | replay`` on the real Monaco pack."""

from __future__ import annotations

import json

import pytest

from heritage_kit.cli import main
from heritage_kit.gpx import read_gpx


def test_simulate_then_replay_a_trail(tmp_path, content_dir, capsys):
    pack = content_dir / "monaco"
    out = tmp_path / "walk.gpx"
    assert main(["walk", "simulate", str(pack), "--trail", "condamine-shopping", "--seed", "3", "--sigma", "5", "-o", str(out)]) == 0
    assert "fixes" in capsys.readouterr().out
    fixes = read_gpx(out)
    truth = read_gpx(out, track="truth")
    assert len(fixes) > 300 and len(truth) >= len(fixes)
    assert main(["walk", "replay", str(pack), str(out), "--trail", "condamine-shopping", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    enters = [e["id"] for e in data["events"] if e["kind"] == "enter"]
    # at 5 m, every one of the 10 shops of the trail is announced exactly once
    stops = ["osm:node/5765687153", "osm:node/4416171690", "osm:node/1712696713", "osm:node/5765815454",
             "osm:node/5765826653", "osm:node/1712696722", "osm:node/13481880197", "osm:node/13533881204",
             "osm:node/7839376726", "osm:node/1306034043"]
    assert sorted(enters) == sorted(stops)
    # French output names the events in French
    assert main(["walk", "replay", str(pack), str(out), "--trail", "condamine-shopping", "--lang", "fr"]) == 0
    text = capsys.readouterr().out
    assert "arrivée à" in text and "10 arrivées" in text


def test_walk_errors_are_one_line(tmp_path, content_dir, capsys):
    pack = content_dir / "monaco"
    assert main(["walk", "simulate", str(pack), "--trail", "nope", "-o", str(tmp_path / "x.gpx")]) == 1
    assert "no trail 'nope'" in capsys.readouterr().err
    bad = tmp_path / "bad.gpx"
    bad.write_text("<gpx><trk>", encoding="utf-8")
    assert main(["walk", "replay", str(pack), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.gpx" in err and "Traceback" not in err
