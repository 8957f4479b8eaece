"""GeofenceState: save and restore mid-walk (to_dict / from_dict, versions 1 and 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geofence_support import ROUTE, circle, kinds, line, ll, replay_all, walk, walk_fixes
from heritage_kit.errors import GeofenceError, HeritageKitError
from heritage_kit.geofence import GeofenceConfig, GeofenceEngine, GeofenceState
from heritage_kit.geofence.state import Anchor, Halt, Pending, Stay, Track


def test_restart_mid_walk_does_not_alert_again():
    fences = [circle("a:1", 0, 0, 30), circle("b:1", 150, 0, 30)]
    cfg = GeofenceConfig(dwell_s=60)
    eng = GeofenceEngine(fences, config=cfg)
    eng.set_active(["a:1", "b:1"], next_id="b:1")
    ev = walk(eng, line(-60, 0, 0, 0) + [(0, 0)] * 20)
    assert kinds(ev) == ["enter"]
    saved = json.loads(json.dumps(eng.state.to_dict()))  # through JSON, as the app stores it
    # the app is killed and restarted: a new engine from the saved state
    eng2 = GeofenceEngine(fences, config=cfg, state=GeofenceState.from_dict(saved))
    assert eng2.active_ids == frozenset({"a:1", "b:1"}) and eng2.state.next_id == "b:1"
    rest = [(0, 0)] * 60 + line(0, 0, 150, 0)
    ev = walk(eng2, rest, t0=81)
    assert [(e.kind, e.fence_id) for e in ev] == [("dwell", "a:1"), ("exit", "a:1"), ("enter", "b:1")]
    # a fresh engine without the state would alert again for a:1
    ev = walk(GeofenceEngine(fences, config=cfg), rest, t0=81)
    assert ("enter", "a:1") in [(e.kind, e.fence_id) for e in ev]


def test_state_from_dict_rejects_garbage_and_forgets_unknown_fences():
    with pytest.raises(GeofenceError, match="version"):
        GeofenceState.from_dict({"version": 99})
    with pytest.raises(GeofenceError, match="malformed"):
        GeofenceState.from_dict({"version": 1, "inside": {"a:1": {"entered": "soon"}}})
    with pytest.raises(GeofenceError, match="anchor"):
        GeofenceState.from_dict({"version": 1, "anchor": [1, 2]})
    st = GeofenceState.from_dict(
        {"version": 1, "inside": {"gone:1": {"entered": 0, "alerted": True, "dwelled": False, "out": 0}}}
    )
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)], state=st)
    assert eng.state.inside == {}
    assert isinstance(GeofenceError("x"), HeritageKitError) and isinstance(GeofenceError("x"), ValueError)


def test_version_1_state_still_loads():
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    walk(eng, line(-60, 0, 0, 0))
    v1 = eng.state.to_dict()
    for k in ("route", "track", "route_miss", "route_hits", "route_done_m", "route_done_t"):
        del v1[k]
    v1["version"] = 1
    st = GeofenceState.from_dict(v1)
    assert st.route is None and st.track is None and "a:1" in st.inside
    with pytest.raises(GeofenceError, match="track"):
        GeofenceState.from_dict({**eng.state.to_dict(), "track": {"s_m": 1}})


def test_restart_with_route_keeps_progress_and_does_not_alert_again():
    fences = [circle("a:1", 0, 0, 20), circle("b:1", 200, 150, 20)]
    pts = line(-200, 0, 200, 0, step=1.2) + line(200, 0, 200, 300, step=1.2)
    fixes = walk_fixes(pts)
    eng = GeofenceEngine(fences)
    eng.set_route(ROUTE)
    first = replay_all(eng, fixes[:200])  # past a:1
    assert ("enter", "a:1") in [(e.kind, e.fence_id) for e in first]
    saved = json.loads(json.dumps(eng.state.to_dict()))
    assert saved["version"] == 2 and len(saved["route"]["lat"]) == 3 and saved["track"]["s_m"] > 200
    # restarted: the state alone resumes route mode where it was
    eng2 = GeofenceEngine(fences, state=GeofenceState.from_dict(saved))
    assert eng2.route_progress_m == pytest.approx(eng.route_progress_m)
    eng2.set_route(ROUTE)  # the app sets the same route again on resume: progress kept
    assert eng2.route_progress_m == pytest.approx(eng.route_progress_m)
    rest = replay_all(eng2, fixes[200:])
    assert [(e.kind, e.fence_id) for e in rest if e.kind == "enter"] == [("enter", "b:1")]
    assert rest == replay_all(eng, fixes[200:])  # the same as without the restart
    # another route starts afresh; None clears it
    eng2.set_route([ll(0, 0), ll(0, 100)])
    assert eng2.route_progress_m is None and eng2.state.route_done_m == 0.0
    eng2.set_route(None)
    assert eng2.route_length_m is None and eng2.state.to_dict()["route"] is None


def test_saved_v2_state_round_trips_byte_identically():
    # tests/data/geofence_state_v2.json was written by the single-module engine (before the package split):
    # mid-route, past a:1; loading and saving it again must give the very same bytes
    path = Path(__file__).parents[1] / "data" / "geofence_state_v2.json"
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["version"] == 2
    assert json.dumps(GeofenceState.from_dict(json.loads(text)).to_dict()) + "\n" == text


def test_state_records_are_named_and_survive_a_round_trip():
    # every record at once: a stay, pending evidence, a halt, a rejected jump, the route's track
    eng = GeofenceEngine([circle("a:1", 0, 0, 20), circle("b:1", 120, 0, 20)], config=GeofenceConfig(dwell_s=5))
    eng.set_active(None, next_id="b:1")
    eng.set_route(ROUTE)
    fixes = walk_fixes(line(-60, 0, 0, 0, step=1.2) + [(0.0, 0.0)] * 8 + line(0, 0, 20, 0, step=1.2))
    replay_all(eng, fixes)
    t = fixes[-1].timestamp
    from heritage_kit.geofence import Fix

    lat, lon = fixes[-1].lat + 0.01, fixes[-1].lon  # 1.1 km away one second later: a jump
    assert eng.update(Fix(lat, lon, 8.0, t + 1, 0.0)) == []
    st = eng.state
    assert isinstance(st.anchor, Anchor) and st.anchor.t == t and isinstance(st.rejected, Anchor)
    assert st.rejected.lat == lat and st.n_rejected == 1
    assert isinstance(st.inside["a:1"], Stay) and st.inside["a:1"].alerted and st.inside["a:1"].dwelled
    assert isinstance(st.track, Track) and st.track.s_m == pytest.approx(eng.route_progress_m) and len(st.track.cov) == 10
    st.halt = Halt(t, 2.0, 2 * lat, 2 * lon, 16.0, 0.0, 2)  # mid-halt
    st.pending["b:1"] = Pending(hits=1)  # one hit of two
    saved = json.dumps(st.to_dict())
    back = GeofenceState.from_dict(json.loads(saved))
    assert back.to_dict() == json.loads(saved)  # the same values (a restored halt counts its fixes in floats)
    assert back.halt == Halt(t, 2.0, 2 * lat, 2 * lon, 16.0, 0.0, 2) and back.anchor == st.anchor
    assert back.track == st.track and back.inside == st.inside and back.pending == st.pending
    # the positional forms on disk are unchanged
    d = json.loads(saved)
    assert d["anchor"] == [st.anchor.lat, st.anchor.lon, st.anchor.t, st.anchor.acc]
    assert d["halt"] == [t, 2.0, 2 * lat, 2 * lon, 16.0, 0.0, 2]
    assert d["pending"] == {"b:1": [1, 0]} and d["inside"]["a:1"]["dwelled"] is True
