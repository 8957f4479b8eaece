"""Route mode (rule 8): the Kalman filter along the walker's planned path."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geofence_support import ROUTE, at, circle, fix, kinds, line, ll, replay_all, walk_fixes
from heritage_kit.errors import GeofenceError
from heritage_kit.geofence import Fix, GeofenceConfig, GeofenceEngine, GeofenceState
from heritage_kit.geofence.state import BLIND_STEPS


def test_route_progress_follows_the_walker_along_the_route():
    eng = GeofenceEngine([circle("a:1", 0, 0, 20), circle("b:1", 200, 150, 20)])
    eng.set_route(ROUTE)
    assert eng.route_length_m == pytest.approx(700.0, abs=0.5) and eng.route_progress_m is None
    pts = line(-200, 0, 200, 0, step=1.2) + line(200, 0, 200, 300, step=1.2)
    events = []
    for k, f in enumerate(walk_fixes(pts)):
        events += eng.update(f)
        if k >= GeofenceConfig().route_on_fixes:  # locked after a few fixes near the route
            assert eng.route_progress_m == pytest.approx(1.2 * k, abs=3.0)
    assert [(e.kind, e.fence_id) for e in events if e.kind == "enter"] == [("enter", "a:1"), ("enter", "b:1")]


def test_route_ignores_the_offset_across_the_street():
    # a shop across the street (22 m north of its axis); the fixes are 10 m north of the walker
    fences = [circle("across:1", 0, 22, 15)]
    pts = line(-200, 0, 200, 0, step=1.2)
    plain = GeofenceEngine(fences)
    assert "enter" in kinds(replay_all(plain, walk_fixes(pts, bias=(0, 10))))
    routed = GeofenceEngine(fences)
    routed.set_route(ROUTE)
    assert replay_all(routed, walk_fixes(pts, bias=(0, 10))) == []


def test_off_route_falls_back_to_the_plain_rules_and_locks_again():
    # the walker leaves the route for a parallel street 120 m north, with a fence on it, then comes back
    eng = GeofenceEngine([circle("detour:1", 0, 120, 20), circle("back:1", 150, 0, 20)])
    eng.set_route(ROUTE)
    pts = line(-200, 0, -100, 0) + line(-100, 0, -100, 120) + line(-100, 120, 100, 120) + line(100, 120, 100, 0)
    fixes = walk_fixes(pts)
    n_out = len(line(-200, 0, -100, 0)) + 60  # well up the side street
    ev = replay_all(eng, fixes[:n_out])
    assert eng.route_progress_m is None  # off the route: plain mode
    ev += replay_all(eng, fixes[n_out:])
    assert ("enter", "detour:1") in [(e.kind, e.fence_id) for e in ev]  # announced in plain mode
    # back on the route at x = 100 (300 m along it); locked while still coming down the side street
    assert eng.route_progress_m == pytest.approx(300.0, abs=15.0)
    ev = replay_all(eng, walk_fixes(line(100, 0, 200, 0), t0=fixes[-1].timestamp + 1))
    assert ("enter", "back:1") in [(e.kind, e.fence_id) for e in ev]


def test_route_passing_a_place_twice_locks_on_the_first_pass():
    # out along a street and back: x = 50 is at 250 m and at 550 m of the route
    out_and_back = [ll(-200, 0), ll(200, 0), ll(200, 4), ll(-200, 4)]
    eng = GeofenceEngine([circle("a:1", 0, 0, 20)])
    eng.set_route(out_and_back)
    replay_all(eng, walk_fixes(line(-200, 0, 50, 0, step=1.2)))
    assert eng.route_progress_m == pytest.approx(250.0, abs=5.0)


def test_route_mode_is_deterministic():
    fences = [circle(f"s:{k}", 40 * k - 200, 5 if k % 2 else -5, 15) for k in range(11)]
    pts = line(-200, 0, 200, 0, step=1.3) + line(200, 0, 200, 300, step=1.3)
    fixes = walk_fixes([(x + 6 * math.sin(x / 17), y + 6 * math.cos(x / 23)) for x, y in pts], speed=1.3)
    runs = []
    for _ in range(2):
        eng = GeofenceEngine(fences)
        eng.set_route(ROUTE)
        runs.append((replay_all(eng, fixes), eng.state.to_dict()))
    assert runs[0] == runs[1] and len(runs[0][0]) > 3


def test_set_route_takes_named_points_only():
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    route = type("Route", (), {"geometry": tuple(ROUTE)})()  # like heritage_kit.routing.Route
    eng.set_route(route)
    assert eng.route_length_m == pytest.approx(700.0, abs=0.5)
    eng.set_route([{"lat": p.lat, "lon": p.lon} for p in ROUTE])
    assert eng.route_length_m == pytest.approx(700.0, abs=0.5)
    with pytest.raises(GeofenceError, match="named lat/lon"):
        eng.set_route([(p.lat, p.lon) for p in ROUTE])
    with pytest.raises(GeofenceError, match="two distinct"):
        eng.set_route([ROUTE[0], ROUTE[0]])
    with pytest.raises(GeofenceError, match="route_gate_m"):
        GeofenceConfig(route_gate_m=0)


def test_route_with_many_segments_locks_and_tracks():
    # a lane of 80 short segments (zig-zag 3 m): the search along the whole route takes the numpy path
    pts_xy = [(5.0 * k, 3.0 * (k % 2)) for k in range(81)]
    eng = GeofenceEngine([circle("end:1", 400, 0, 20)])
    eng.set_route([ll(x, y) for x, y in pts_xy])
    walked = []
    for (x0, y0), (x1, y1) in zip(pts_xy, pts_xy[1:]):
        walked += line(x0, y0, x1, y1, step=1.2)[:-1]
    start = len(walked) // 2  # the walker joins the route half-way: found by the search along all of it
    ev = replay_all(eng, walk_fixes(walked[start:], acc=5.0))
    assert eng.route_progress_m == pytest.approx(eng.route_length_m, abs=8.0)
    assert [(e.kind, e.fence_id) for e in ev] == [("enter", "end:1")]


def test_route_halted_at_a_corner_does_not_slide_round_it():
    # standing 5 m before the corner of ROUTE (400 m along it) with fixes pushed 12 m
    # north — along the next street: that is bias, the walker has not turned the corner
    eng = GeofenceEngine([circle("next:1", 200, 40, 15)])
    eng.set_route(ROUTE)
    fixes = walk_fixes(line(-200, 0, 195, 0, step=1.2))
    t0 = fixes[-1].timestamp + 1
    lat, lon = at(195, 12)
    standing = [Fix(lat, lon, 8.0, t0 + k, 0.1) for k in range(90)]
    ev = replay_all(eng, fixes + standing)
    assert eng.route_progress_m == pytest.approx(395.0, abs=6.0)
    assert "enter" not in kinds(ev, "next:1")


def test_route_gap_keeps_the_bias_estimate():
    # fixes 10 m north of the walker all along: across the first street that is
    # measured as bias; after a 20 s dropout the walker is on the northbound street,
    # where the same 10 m would read as progress if the bias were forgotten
    eng = GeofenceEngine([circle("a:1", 0, 0, 20)])
    eng.set_route(ROUTE)
    pts = line(-200, 0, 200, 0, step=1.2) + line(200, 0, 200, 300, step=1.2)
    fixes = walk_fixes(pts, bias=(0, 10))
    n_gap = len(line(-200, 0, 200, 0, step=1.2)) + 10
    replay_all(eng, fixes[:n_gap])
    bias_north = eng.state.track.bias_north_m
    assert bias_north > 6.0
    after = fixes[n_gap + 20 :]  # 20 s without a fix
    errors = []
    for k, f in enumerate(after[:10]):
        eng.update(f)
        errors.append(eng.route_progress_m - 1.2 * (n_gap + 20 + k))
    assert eng.state.track.bias_north_m > 3.0  # kept (decayed), not reset to zero
    assert max(abs(e) for e in errors) < 6.0, errors


def test_route_halt_arrival_needs_the_route_point_in_the_zone():
    # the walker halts on the street 1 m short of the next stop's zone: on the route
    # the filtered point is judged without the plain mode's slack (``route_halt_slack``)
    fences = [circle("stop:1", 0, 0, 15)]
    pts = line(-200, 0, -16, 0, step=1.2)

    def run(config):
        eng = GeofenceEngine(fences, config=config)
        eng.set_route(ROUTE)
        eng.set_active(["stop:1"], next_id="stop:1")
        fixes = walk_fixes(pts)
        t0 = fixes[-1].timestamp + 1
        lat, lon = at(-16, 0)
        return replay_all(eng, fixes + [Fix(lat, lon, 8.0, t0 + k, 0.1) for k in range(30)])

    assert "enter" not in kinds(run(GeofenceConfig()))
    assert "enter" in kinds(run(GeofenceConfig(route_halt_slack=0.3)))
    with pytest.raises(GeofenceError, match="route_halt_slack"):
        GeofenceConfig(route_halt_slack=-0.1)


def test_route_filter_step_alone_locks_and_tracks_in_the_state_it_is_given():
    from heritage_kit.geofence.route import RouteFilter, route_coords

    cfg = GeofenceConfig()
    filt = RouteFilter(route_coords(ROUTE), cfg)
    assert filt.length == pytest.approx(700.0, abs=0.5)
    st = GeofenceState()
    fixes = walk_fixes(line(-200, 0, 0, 0, step=1.2), bias=(0, 6))  # 6 m north of the street
    out = [filt.step(f, st) for f in fixes]
    # not locked until route_on_fixes fixes near the route, then a point on the street every fix
    assert out[: cfg.route_on_fixes - 1] == [None] * (cfg.route_on_fixes - 1)
    assert all(o is not None for o in out[cfg.route_on_fixes - 1 :])
    lat, lon, acc = out[-1]
    assert (lat, lon) == pytest.approx(at(0, 0), abs=3e-5) and cfg.route_min_accuracy_m <= acc < 8.0
    assert st.track.s_m == pytest.approx(200.0, abs=3.0) and st.route_done_m == st.track.s_m
    assert st.track.t == fixes[-1].timestamp and st.route_hits == cfg.route_on_fixes
    # far off the route: route_off_fixes misses unlock it, with the progress kept
    far = walk_fixes([(0, 200)] * cfg.route_off_fixes, t0=fixes[-1].timestamp + 1)
    assert [filt.step(f, st) is None for f in far][-1] and st.track is None and st.route_done_m > 190.0


def _first_enter(cfg, acc, every=1):
    """Walk east along ROUTE at 1.2 m/s into a 30 m circle at x = 0 (fixes every ``every`` s, accuracy acc, no
    error): the time of its enter."""
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)], config=cfg)
    eng.set_route(ROUTE)
    fixes = [f for k, f in enumerate(walk_fixes(line(-200, 0, 60, 0, step=1.2), acc=acc)) if k % every == 0]
    ev = [e for e in replay_all(eng, fixes) if e.kind == "enter"]
    return ev[0].timestamp if ev else None


def test_route_margin_is_capped_and_shrinks_with_the_fix_interval():
    # at poor accuracy 1.2 x the filter's accuracy inside the zone alone delays the arrival: capped at 8 m
    capped, uncapped = _first_enter(GeofenceConfig(), 45.0), _first_enter(GeofenceConfig(route_margin_max_m=1000.0), 45.0)
    assert capped is not None and uncapped is not None and capped < uncapped
    # zone entered at t = (200 - 30) / 1.2 = 142 s; with the cap the walker is at most ~8 m inside (+ the filter's lag)
    assert capped <= 142 + 8 / 1.2 + 3
    # a fix every 20 s stands for 20 s (rule 3): its margin is evidence_s / 20 of the usual one
    cfg = GeofenceConfig(route_margin_max_m=1000.0)
    every20 = _first_enter(cfg, 20.0, every=20)
    assert every20 is not None and every20 <= 142 + 20 + 8
    with pytest.raises(GeofenceError, match="route_margin_max_m"):
        GeofenceConfig(route_margin_max_m=-1.0)


def test_route_measures_the_free_filter_so_a_canyon_moves_progress_less():
    # fixes pushed 25 m ahead along the street for 40 s (an urban canyon), walker dead-reckoned by Doppler
    # speed and bearing: measuring the free filter's position (route_from_free) keeps progress closer
    rng = np.random.default_rng(3)
    pts = line(-200, 0, 200, 0, step=1.2)
    noise = rng.normal(0.0, 3.0, (len(pts), 2))
    worst = {}
    for from_free in (True, False):
        eng = GeofenceEngine([circle("a:1", 0, 0, 20)], config=GeofenceConfig(route_from_free=from_free))
        eng.set_route(ROUTE)
        errs = []
        for k, (x, y) in enumerate(pts):
            push = 25.0 if 150 <= k < 190 else 0.0
            eng.update(Fix(*at(x + push + noise[k, 0], y + noise[k, 1]), 15.0, float(k), 1.2, 90.0))
            if eng.route_progress_m is not None:
                errs.append(abs(eng.route_progress_m - (x + 200.0)))
        worst[from_free] = max(errs)
    assert worst[True] < 8.0 < worst[False], worst


def test_route_measures_the_fix_while_the_free_filter_walks_blind():
    # no Doppler bearing: the free filter is a random walk that lags; the route filter measures the fixes
    eng = GeofenceEngine([circle("a:1", 0, 0, 20)])
    eng.set_route(ROUTE)
    for k, f in enumerate(walk_fixes(line(-200, 0, 0, 0, step=1.2))):
        eng.update(f)
    assert eng.state.free.walked_blind >= BLIND_STEPS
    assert eng.route_progress_m == pytest.approx(1.2 * k, abs=3.0)
