"""GPX adapter: traces round-trip, foreign GPX files are read, bad files are named."""

from __future__ import annotations

import pytest

from heritage_kit.errors import GeofenceError
from heritage_kit.geofence import Fix
from heritage_kit.gpx import fixes_to_gpx, gpx_to_fixes, read_gpx, write_gpx
from heritage_kit.simulate import NoiseModel, path_through, simulate_walk
from heritage_kit.types import LatLon


def test_simulated_trace_round_trips_through_a_gpx_file(tmp_path):
    stops = [LatLon(lat=43.7306, lon=7.4230), LatLon(lat=43.7320, lon=7.4210)]
    path, idx = path_through(stops)
    w = simulate_walk(path, seed=5, stop_vertices=idx, noise=NoiseModel(sigma_m=10), start_time=1_780_000_000.0)
    out = tmp_path / "walk.gpx"
    truth = [(float(t), w.true_position(float(t))) for t in w.t[:50]]
    write_gpx(out, w.fixes, truth=truth, name="Monaco test")
    back = read_gpx(out)
    assert len(back) == len(w.fixes)
    for a, b in zip(w.fixes, back):
        assert b.lat == pytest.approx(a.lat, abs=1e-9) and b.lon == pytest.approx(a.lon, abs=1e-9)
        assert b.timestamp == pytest.approx(a.timestamp, abs=1e-3)
        assert b.accuracy_m == pytest.approx(a.accuracy_m, abs=1e-3)
        assert b.speed == pytest.approx(a.speed, abs=1e-3)
    tr = read_gpx(out, track="truth")
    assert len(tr) == 50 and tr[0].lat == pytest.approx(truth[0][1].lat, abs=1e-9)


def test_foreign_gpx_uses_hdop_then_default_accuracy():
    text = """<?xml version="1.0"?>
<gpx version="1.1" creator="phone" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>walk</name><trkseg>
  <trkpt lat="43.73" lon="7.42"><time>2026-07-01T10:00:00Z</time><hdop>2.0</hdop></trkpt>
  <trkpt lat="43.7301" lon="7.4201"><time>2026-07-01T10:00:01Z</time></trkpt>
 </trkseg></trk></gpx>"""
    fixes = gpx_to_fixes(text, default_accuracy_m=12.0)
    assert [f.accuracy_m for f in fixes] == [10.0, 12.0]
    assert fixes[1].timestamp - fixes[0].timestamp == 1.0
    assert gpx_to_fixes(text, track="walk", default_accuracy_m=12.0) == fixes


def test_bad_gpx_is_reported_with_its_place(tmp_path):
    with pytest.raises(GeofenceError, match="not a readable GPX"):
        gpx_to_fixes("<gpx><trk>", source="x.gpx")
    no_time = """<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
      <trkpt lat="43.73" lon="7.42"></trkpt></trkseg></trk></gpx>"""
    with pytest.raises(GeofenceError, match=r"x.gpx: track .* point 0: field 'time'"):
        gpx_to_fixes(no_time, source="x.gpx")
    with pytest.raises(GeofenceError, match="no track named"):
        gpx_to_fixes(fixes_to_gpx([Fix(43.7, 7.4, 5, 0)]), track="truth")
    with pytest.raises(GeofenceError, match="cannot read"):
        read_gpx(tmp_path / "missing.gpx")
