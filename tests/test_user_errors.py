"""Issue 22 item 5: errors a town developer meets say what is wrong (field reasons, far start, argument types),
and a planned trail's GPX replays through the geofences."""

from __future__ import annotations

from datetime import datetime

import gpxpy
import pytest

from heritage_kit.errors import (
    ArgumentTypeError,
    ArgumentValueError,
    HeritageKitError,
    StartTooFar,
    SubmissionError,
    SubmissionRefused,
)
from heritage_kit.gpx import gpx_to_fixes
from heritage_kit.routing import plan_trail
from heritage_kit.types import LatLon

STATION = LatLon(lat=43.7388, lon=7.4196)  # Monaco-Monte-Carlo station


@pytest.fixture(scope="module")
def monaco(content_dir):
    from heritage_kit.packs import load_pack

    return load_pack(content_dir / "monaco")


def test_submission_refused_says_the_field_reasons():
    exc = SubmissionRefused("Invalid submission.", {"name": "required", "location": "outside the town"},
                            status_code=422)
    assert str(exc) == "Invalid submission. (name: required; location: outside the town)"
    assert exc.errors["name"] == "required" and exc.status_code == 422
    assert isinstance(exc, ValueError) and isinstance(exc, HeritageKitError)
    assert str(SubmissionError("no such submission")) == "no such submission"  # nothing to add


def test_a_start_90_km_away_is_a_clear_error_not_zero_stops(monaco):
    nice_airport_far = LatLon(lat=43.9, lon=6.5)  # ~76 km west, inland
    with pytest.raises(StartTooFar) as info:
        plan_trail(monaco, start=nice_airport_far, start_time=datetime(2026, 7, 18, 10), minutes=60)
    assert info.value.distance_m > 50_000 and info.value.limit_m == 5000
    assert "km from the nearest place of the 'monaco' pack" in str(info.value)
    assert isinstance(info.value, ValueError)
    swapped = LatLon(lat=7.4196, lon=43.7388)  # lat/lon the wrong way round
    with pytest.raises(StartTooFar, match="lat/lon in that order"):
        plan_trail(monaco, start=swapped, start_time=datetime(2026, 7, 18, 10), minutes=60)


@pytest.mark.parametrize(
    ("kwargs", "error", "builtin", "words"),
    [
        ({"start": (43.7388, 7.4196)}, ArgumentTypeError, TypeError, "start: expected a point with named lat/lon"),
        ({"start": "43.7388,7.4196"}, ArgumentTypeError, TypeError, "start: expected a point"),
        ({"start": {"lat": 143.0, "lon": 7.4}}, ArgumentValueError, ValueError, "start: not a valid point"),
        ({"end": [43.7, 7.4]}, ArgumentTypeError, TypeError, "end: expected a point"),
        ({"minutes": -5}, ArgumentValueError, ValueError, "minutes must be a positive number of minutes, got -5"),
        ({"minutes": float("nan")}, ArgumentValueError, ValueError, "minutes must be a positive"),
        ({"minutes": "60"}, ArgumentTypeError, TypeError, "minutes: expected a number, got str"),
    ],
)
def test_wrong_arguments_raise_named_heritage_kit_errors(monaco, kwargs, error, builtin, words):
    args = {"start": STATION, "start_time": datetime(2026, 7, 18, 10), "minutes": 60, **kwargs}
    with pytest.raises(error) as info:
        plan_trail(monaco, **args)
    assert isinstance(info.value, builtin) and isinstance(info.value, HeritageKitError)
    assert words in str(info.value)
    assert info.value.argument == next(iter(kwargs))
    if "tuple" in repr(type(kwargs.get("start"))):
        assert "a tuple's order is ambiguous" in str(info.value)


def test_planned_gpx_replays_through_the_geofences(monaco, content_dir, tmp_path, capsys):
    from heritage_kit.cli import main

    gpx = tmp_path / "plan.gpx"
    assert main(["trail", "plan", str(content_dir / "monaco"), "--start", "43.7388,7.4196", "--minutes", "60",
                 "--at", "2026-07-18T10:00", "--gpx", str(gpx)]) == 0
    planned = [w.name.split(". ", 1)[1] for w in gpxpy.parse(gpx.read_text()).waypoints]
    assert len(planned) >= 2
    capsys.readouterr()
    assert main(["walk", "replay", str(content_dir / "monaco"), str(gpx), "--json"]) == 0
    import json

    events = json.loads(capsys.readouterr().out)["events"]
    arrived = {e["name"] for e in events if e["kind"] == "enter"}
    assert set(planned) <= arrived  # every planned stop is reached on the replay


def test_a_gpx_without_times_replays_at_a_stated_speed():
    g = gpxpy.gpx.GPX()
    seg = gpxpy.gpx.GPXTrackSegment()
    for i in range(5):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(43.73 + i * 0.001, 7.42))  # ~111 m apart, no time
    trk = gpxpy.gpx.GPXTrack()
    trk.segments.append(seg)
    g.tracks.append(trk)
    text = g.to_xml()
    with pytest.raises(HeritageKitError, match="field 'time' is missing .*--speed"):
        gpx_to_fixes(text)
    fixes = gpx_to_fixes(text, speed_mps=1.25)
    steps = [b.timestamp - a.timestamp for a, b in zip(fixes, fixes[1:])]
    assert all(abs(s - 111.2 / 1.25) < 1.0 for s in steps)
    with pytest.raises(HeritageKitError, match="speed must be > 0"):
        gpx_to_fixes(text, speed_mps=0)
