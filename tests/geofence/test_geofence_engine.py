"""GeofenceEngine: every rule of issue 4 on hand-made walks in metres."""

from __future__ import annotations

import math

import pytest

from geofence_support import at, circle, fix, kinds, line, walk
from heritage_kit.errors import GeofenceError
from heritage_kit.geo import geodesic_m, haversine_m
from heritage_kit.geofence import (
    Fence,
    Fix,
    GeofenceConfig,
    GeofenceEngine,
    GeofenceState,
    metres_per_degree,
)
from heritage_kit.types import LatLon


def test_multipolygon_and_hole_handled_by_shapely():
    outer = [at(-30, -30), at(30, -30), at(30, 30), at(-30, 30), at(-30, -30)]
    hole = [at(-20, -20), at(-20, 20), at(20, 20), at(20, -20), at(-20, -20)]
    fp = {"type": "Polygon", "coordinates": [[[lo, la] for la, lo in outer], [[lo, la] for la, lo in hole]]}
    eng = GeofenceEngine([Fence.polygon("cloister:1", fp, buffer_m=0.0, exit_buffer_m=10.0)])
    # the middle of a cloister's garden is 20 m from the galleries
    assert eng.distance_m("cloister:1", *at(0, 0)) == pytest.approx(20.0, abs=0.1)


def test_distances_agree_with_geodesic():
    for lat in (-60.0, 0.0, 43.7, 51.0, 70.0):
        kx, ky = metres_per_degree(lat)
        d = math.hypot(0.003 * kx, 0.002 * ky)
        assert d == pytest.approx(geodesic_m(lat, 7.0, lat + 0.002, 7.003), rel=2e-3)
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    lat, lon = at(120, -50)
    assert eng.distance_m("a:1", lat, lon) == pytest.approx(geodesic_m(lat, lon, *at(0, 0)), rel=1e-3)


def test_enter_exit_dwell_once_on_a_clean_walk():
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)], config=GeofenceConfig(dwell_s=20))
    pts = line(-100, 0, 0, 0) + [(0, 0)] * 40 + line(0, 0, 100, 0)
    ev = walk(eng, pts)
    assert kinds(ev) == ["enter", "dwell", "exit"]
    enter, dwell, exit_ = ev
    # second fix inside 30 m less the enter margin (0.3 x 5 m accuracy): x = -28, then -27
    assert enter.timestamp == 73.0 and enter.distance_m == pytest.approx(27.0, abs=0.1)
    assert dwell.timestamp - enter.timestamp == 20.0
    # exit radius 30*1.25+10 = 47.5 m, second fix beyond it: x = 49
    assert exit_.distance_m == pytest.approx(49.0, abs=0.1)


def test_hysteresis_no_flicker_at_the_edge():
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    # wander between 25 m and 45 m from the centre: inside the enter radius, then
    # out to less than the exit radius (47.5 m), twenty times
    pts = []
    for _ in range(20):
        pts += line(-25, 0, -45, 0) + line(-45, 0, -25, 0)
    ev = walk(eng, pts)
    assert kinds(ev) == ["enter", "dwell"]
    # without hysteresis (exit = enter + 0.5 m) the same walk leaves and re-enters
    eng2 = GeofenceEngine(
        [circle("a:1", 0, 0, 30, exit_radius_m=30.5)], config=GeofenceConfig(cooldown_s=0, dwell_s=1e9)
    )
    assert kinds(walk(eng2, pts)).count("enter") == 21  # the first, then once per return


def test_accuracy_gate_fix_that_cannot_decide_is_not_trusted():
    eng = GeofenceEngine([circle("a:1", 0, 0, 15)])
    # standing at the centre but with 35 m accuracy: more than 1.5 x the 15 m fence
    assert walk(eng, [(0, 0)] * 10, acc=35) == []
    # and beyond max_accuracy_m (100) the fix is ignored entirely
    assert walk(eng, [(0, 0)] * 10, t0=10, acc=120) == []
    assert eng.state.anchor is not None and eng.state.anchor.acc == 35  # only the 35 m fixes were accepted
    # the same place with 8 m accuracy alerts
    assert kinds(walk(eng, [(0, 0)] * 2, t0=30, acc=8)) == ["enter"]
    # once inside, a poor fix far away does not make us leave
    # (exit radius 15 x 1.25 + 10 = 28.75 m: a 45 m accuracy circle cannot decide it)
    eng2 = GeofenceEngine([circle("a:1", 0, 0, 15)])
    walk(eng2, [(0, 0)] * 3)
    assert walk(eng2, [(0, 60 + k) for k in range(10)], t0=100, acc=45) == []
    assert "a:1" in eng2.state.inside


def test_jump_rejection_ignores_multipath_outliers():
    eng = GeofenceEngine([circle("far:1", 0, 100, 30), circle("here:1", 0, 0, 30)])
    walk(eng, [(0, -60)] * 5)  # standing 60 m south of here:1, 160 m from far:1
    # a 4-fix multipath burst 160 m north lands inside far:1 — rejected
    ev = walk(eng, [(0, 100)] * 4, t0=5)
    assert ev == []
    # walking on normally still works
    ev = walk(eng, line(0, -60, 0, 0), t0=9)
    assert kinds(ev) == ["enter"] and ev[0].fence_id == "here:1"


def test_jump_rejection_reanchors_after_a_real_move():
    cfg = GeofenceConfig(reanchor_fixes=5)
    eng = GeofenceEngine([circle("b:1", 500, 0, 30)], config=cfg)
    walk(eng, [(0, 0)] * 3)
    # the anchor was wrong (or we were carried): fixes now agree on 500 m east
    ev = walk(eng, [(500, 0)] * 8, t0=3)
    assert kinds(ev) == ["enter"]
    # 5 consistent rejections re-anchor; the enter still needs 2 inside fixes
    assert ev[0].timestamp == 3 + 4 + 1
    # after a long dropout, the same distance is plausible at walking speed
    eng2 = GeofenceEngine([circle("b:1", 500, 0, 30)], config=cfg)
    walk(eng2, [(0, 0)] * 3)
    ev = walk(eng2, [(500, 0)] * 2, t0=300)
    assert kinds(ev) == ["enter"] and ev[0].timestamp == 301


def test_cooldown_no_second_alert_when_coming_back_soon():
    cfg = GeofenceConfig(cooldown_s=300, dwell_s=1e9)
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)], config=cfg)
    there_and_back = line(-80, 0, 0, 0) + line(0, 0, -80, 0)
    ev = walk(eng, there_and_back)  # t 0..160
    assert kinds(ev) == ["enter", "exit"]
    ev = walk(eng, there_and_back, t0=200)  # back 120 s later: silent
    assert ev == []
    ev = walk(eng, there_and_back, t0=600)  # 10 min later: alerts again
    assert kinds(ev) == ["enter", "exit"]


def test_budget_per_hour_and_next_stop_exemption():
    fences = [circle(f"s:{k}", 200 * k, 0, 25) for k in range(6)]
    eng = GeofenceEngine(fences, config=GeofenceConfig(alerts_per_hour=3))
    eng.set_active(None, next_id="s:5")
    ev = walk(eng, line(-50, 0, 1100, 0, step=1.5))
    enters = [e.fence_id for e in ev if e.kind == "enter"]
    assert enters == ["s:0", "s:1", "s:2", "s:5"]  # s:3, s:4 over budget; the next stop is exempt
    # an hour later the budget is free again
    ev = walk(eng, line(1100, 0, -50, 0, step=1.5), t0=4000)
    assert [e.fence_id for e in ev if e.kind == "enter"] == ["s:5", "s:4", "s:3"]


def test_exclusive_the_building_across_the_street_is_not_announced():
    # two monuments 40 m apart across a street, 30 m fences (they overlap)
    fences = [circle("north:1", 0, 20, 30), circle("south:1", 0, -20, 30)]
    eng = GeofenceEngine(fences)
    # walk up to the north one and stand in front of it, in both fences' zones
    ev = walk(eng, line(-100, 5, 0, 5) + [(0, 5)] * 60)  # 15 m from north, 25 m from south
    assert [e.fence_id for e in ev if e.kind == "enter"] == ["north:1"]
    # non-exclusive engines announce both
    eng2 = GeofenceEngine(fences, config=GeofenceConfig(exclusive=False))
    ev = walk(eng2, line(-100, 5, 0, 5) + [(0, 5)] * 60)
    assert sorted(e.fence_id for e in ev if e.kind == "enter") == ["north:1", "south:1"]


def test_exclusive_crossing_to_the_other_one_announces_it():
    fences = [circle("north:1", 0, 20, 30), circle("south:1", 0, -20, 30)]
    eng = GeofenceEngine(fences)
    ev = walk(eng, [(0, 20)] * 5 + line(0, 20, 0, -20) + [(0, -20)] * 5)
    assert [e.fence_id for e in ev if e.kind == "enter"] == ["north:1", "south:1"]


def test_polygon_fence_footprint_and_buffer():
    # a 60 m x 20 m building whose centre point is far from its west end
    ring = [at(-30, -10), at(30, -10), at(30, 10), at(-30, 10), at(-30, -10)]
    footprint = {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in ring]]}
    fence = Fence.polygon("way:1", footprint, buffer_m=5)
    assert fence.is_polygon
    eng = GeofenceEngine([fence])
    # approach the west end from the west: a 20 m circle on the centre would only fire
    # at x = -20; the footprint fires within 5 m of the west wall (less the enter
    # margin 0.3 x 5 m accuracy): second fix within 3.5 m is x = -32
    ev = walk(eng, line(-80, 0, -30, 0))
    assert kinds(ev) == ["enter"]
    assert ev[0].timestamp == 80 - 32
    assert ev[0].distance_m == pytest.approx(2.0, abs=0.01)  # to the wall
    assert eng.distance_m("way:1", *at(0, 0)) == 0.0
    # along the north side 8 m off the wall: inside the exit zone (5*1.25+10 = 16.25), no exit
    ev = walk(eng, line(-30, 18, 30, 18), t0=100)
    assert ev == [] or kinds(ev) == ["dwell"]
    ev = walk(eng, line(30, 18, 30, 60), t0=200)
    assert kinds(ev) == ["exit"]
    # GeoJSON errors name the fence
    with pytest.raises(GeofenceError, match="way:2"):
        Fence.polygon("way:2", {"type": "Point", "coordinates": [7.4, 43.7]})


def test_active_set_only_watched_fences_alert():
    fences = [circle("a:1", 0, 0, 30), circle("b:1", 100, 0, 30)]
    eng = GeofenceEngine(fences)
    eng.set_active(["b:1"])
    ev = walk(eng, line(-60, 0, 160, 0))
    assert [e.fence_id for e in ev if e.kind == "enter"] == ["b:1"]
    with pytest.raises(GeofenceError, match="nope:1"):
        eng.set_active(["nope:1"])


def test_events_are_deterministic():
    fences = [circle(f"s:{k}", 37 * k, (k % 3) * 20, 20) for k in range(20)]
    pts = [(x * 0.9, 15 * math.sin(x / 30)) for x in range(-50, 800)]
    a = walk(GeofenceEngine(fences), pts)
    b = walk(GeofenceEngine(fences), pts)
    assert a == b and len(a) > 5


def test_stale_fixes_are_ignored():
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    walk(eng, [(0, 0)] * 3, t0=10)
    assert eng.update(fix(300, 0, 5)) == []  # older than what we have
    assert eng.state.last_t == 12


def test_suggest_interval_long_far_away_short_near_a_boundary():
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    far = eng.suggest_interval(fix(-2000, 0, 0))
    assert far == GeofenceConfig().max_interval_s
    mid = eng.suggest_interval(fix(-100, 0, 0))  # 70 m to the boundary, 5 m accuracy
    assert mid == pytest.approx(0.5 * 65 / 1.4, rel=1e-6)
    assert eng.suggest_interval(fix(-35, 0, 0)) == GeofenceConfig().min_interval_s
    # faster measured speed -> shorter interval
    assert eng.suggest_interval(Fix(*at(-100, 0), 5.0, 0.0, speed=3.0)) < mid
    # while an entry waits for confirmation: the shortest interval
    eng.update(fix(-10, 0, 1))
    assert eng.suggest_interval(fix(-10, 0, 1)) == GeofenceConfig().min_interval_s


def test_os_fences_rolling_nearest_set():
    fences = [circle(f"s:{k:03d}", 50 * k, 0, 20) for k in range(200)]
    eng = GeofenceEngine(fences)
    out = eng.os_fences(fix(1000, 0, 0), 20)
    assert len(out) == 20 and out[-1].kind == "refresh"
    ids = [o.id for o in out[:-1]]
    assert ids[0] == "s:020"
    got = {int(i[2:]) for i in ids}
    assert got == set(range(11, 30)) or got == set(range(11, 31)) - {30} or max(abs(k - 20) for k in got) <= 10
    # the refresh region reaches the nearest fence left out
    left_out = sorted(set(range(200)) - got, key=lambda k: abs(k - 20))[0]
    assert out[-1].radius_m == pytest.approx(abs(left_out - 20) * 50 - 20, abs=0.5)
    # Android's 100
    assert len(eng.os_fences(fix(1000, 0, 0), 100)) == 100
    # active set only, and no refresh needed when everything fits
    eng.set_active(["s:000", "s:001"])
    assert [o.id for o in eng.os_fences(fix(1000, 0, 0), 20)] == ["s:001", "s:000"]


def test_many_fences_across_france_grid_lookup_is_exact():
    """Candidates come from a grid; compare against a brute-force check."""
    import numpy as np

    rng = np.random.default_rng(4)
    lats = rng.uniform(42.5, 50.5, 3000)
    lons = rng.uniform(-4.5, 8.0, 3000)
    # cluster half of them in one town so cells are crowded
    lats[:1500] = 43.7306 + rng.normal(0, 0.003, 1500)
    lons[:1500] = 7.4230 + rng.normal(0, 0.004, 1500)
    radii = rng.uniform(10, 80, 3000)
    fences = [Fence.circle(f"m:{k}", lat=float(a), lon=float(o), radius_m=float(r)) for k, (a, o, r) in enumerate(zip(lats, lons, radii))]
    eng = GeofenceEngine(fences, config=GeofenceConfig(exclusive=False, enter_fixes=1, enter_margin=0.0, alerts_per_hour=None))
    for k in range(300):
        lat = 43.7306 + rng.normal(0, 0.004)
        lon = 7.4230 + rng.normal(0, 0.005)
        eng.state = GeofenceState()  # fresh: each fix judged alone
        got = {e.fence_id for e in eng.update(Fix(lat, lon, 1.0, float(k))) if e.kind == "enter"}
        near = np.flatnonzero(haversine_m(lat, lon, lats, lons) <= radii * 1.01 + 1.0)
        exact = {int(j): geodesic_m(lat, lon, lats[j], lons[j]) for j in near}
        want = {f"m:{j}" for j, d in exact.items() if d <= radii[j] - 0.05}
        maybe = {f"m:{j}" for j, d in exact.items() if d <= radii[j] + 0.05}
        assert want <= got <= maybe


def test_standing_still_inside_a_fence_does_not_switch_to_the_neighbour():
    # the walker stands at a:1 while GPS drift drags the fixes over b:1, 35 m away
    fences = [circle("a:1", 0, 0, 30), circle("b:1", 35, 0, 30)]
    drift = [(0, 0)] * 5 + [(30, 0)] * 10
    def fixes(speed):
        return [Fix(*at(x, y), 5.0, float(t), speed) for t, (x, y) in enumerate(drift)]
    still = GeofenceEngine(fences)
    ev = [e for f in fixes(0.1) for e in still.update(f)]
    assert [(e.kind, e.fence_id) for e in ev] == [("enter", "a:1")]
    # the same positions while the phone reports walking speed: we did move
    moving = GeofenceEngine(fences)
    ev = [e for f in fixes(1.3) for e in moving.update(f)]
    assert ("enter", "b:1") in [(e.kind, e.fence_id) for e in ev]
    # and without speed, position alone decides
    nospeed = GeofenceEngine(fences)
    ev = [e for f in fixes(None) for e in nospeed.update(f)]
    assert ("enter", "b:1") in [(e.kind, e.fence_id) for e in ev]


def test_enter_margin_scales_with_accuracy():
    # 30 m fence; at 20 m accuracy a fix must be within 30 - 0.3 x 20 = 24 m
    eng = GeofenceEngine([circle("a:1", 0, 0, 30)])
    assert walk(eng, [(-26, 0)] * 5, acc=20) == []
    assert kinds(walk(eng, [(-23, 0)] * 2, t0=5, acc=20)) == ["enter"]
    eng0 = GeofenceEngine([circle("a:1", 0, 0, 30)], config=GeofenceConfig(enter_margin=0.0))
    assert kinds(walk(eng0, [(-26, 0)] * 5, acc=20)) == ["enter"]


def test_halt_by_the_next_stop_arrives_even_when_single_fixes_stay_outside():
    # a 15 m shop; the walker halts at it but a steady 14 m bias puts every fix
    # outside the enter test (14 > 15 - 0.3 x 12); the halt's mean still says "here"
    fences = [circle("shop:1", 0, 0, 15), circle("shop:2", 60, 0, 15)]
    eng = GeofenceEngine(fences)
    eng.set_active(["shop:1", "shop:2"], next_id="shop:1")
    # walking east (Doppler speed and bearing, as a phone gives them), then standing still
    approach = [Fix(*at(x - 14, 0), 12.0, float(t), 1.0, 90.0) for t, x in enumerate(range(-60, 1, 1))]
    halt = [Fix(*at(-14, 0), 12.0, float(61 + k), 0.1) for k in range(10)]
    ev = [e for f in approach + halt for e in eng.update(f)]
    assert [(e.kind, e.fence_id) for e in ev] == [("enter", "shop:1")]
    # standing still from t = 62 (the smoothed Doppler 1.0 -> 0.1 falls below still_mps), then halt_arrival_s = 5 s
    assert ev[0].timestamp == 62 + 5
    # the same halt when shop:1 is not the next stop gives nothing
    eng2 = GeofenceEngine(fences)
    eng2.set_active(["shop:1", "shop:2"], next_id="shop:2")
    assert [e for f in approach + halt for e in eng2.update(f)] == []
    # nor does a halt without Doppler speed
    eng3 = GeofenceEngine(fences)
    eng3.set_active(["shop:1", "shop:2"], next_id="shop:1")
    nospeed = [Fix(f.lat, f.lon, f.accuracy_m, f.timestamp) for f in approach + halt]
    assert [e for f in nospeed for e in eng3.update(f)] == []


def test_walked_away_then_halted_may_switch():
    # after an alert at a:1 the walker walks 35 m (Doppler) to b:1 and stands there:
    # the standing-still hold no longer applies, b:1 is entered
    fences = [circle("a:1", 0, 0, 30), circle("b:1", 35, 0, 30)]
    eng = GeofenceEngine(fences)
    fixes = [Fix(*at(0, 0), 5.0, float(t), 0.1) for t in range(5)]
    fixes += [Fix(*at(x, 0), 5.0, float(5 + k), 1.3) for k, x in enumerate(range(0, 36, 1))]
    fixes += [Fix(*at(35, 0), 5.0, float(41 + k), 0.1) for k in range(10)]
    ev = [(e.kind, e.fence_id) for f in fixes for e in eng.update(f)]
    assert ev[:2] == [("enter", "a:1"), ("enter", "b:1")]


def test_a_halt_is_judged_at_its_mean_position():
    # standing at a 15 m shop, fixes scatter 13 m either side: no single fix is a hit
    # (13 > 15 - 0.3 x 12), the halt's mean (the shop) is
    eng = GeofenceEngine([circle("shop:1", 0, 0, 15)])
    scatter = [(-13 if k % 2 else 13, 0) for k in range(8)]
    halted = [Fix(*at(x, y), 12.0, float(k), 0.1) for k, (x, y) in enumerate(scatter)]
    ev = [e for f in halted for e in eng.update(f)]
    assert [(e.kind, e.fence_id) for e in ev] == [("enter", "shop:1")]
    assert ev[0].timestamp == 2.0  # standing still, the free filter averages from the 2nd fix on: 2 hits
    # the same fixes without Doppler speed: position alone, nothing
    eng2 = GeofenceEngine([circle("shop:1", 0, 0, 15)])
    assert [e for f in halted for e in eng2.update(Fix(f.lat, f.lon, f.accuracy_m, f.timestamp))] == []


def test_os_fence_of_a_polygon_holds_its_footprint_and_buffer():
    ring = [at(-40, -10), at(40, -10), at(40, 10), at(-40, 10), at(-40, -10)]
    fp = {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in ring]]}
    eng = GeofenceEngine([Fence.polygon("way:9", fp, buffer_m=15, center=LatLon(lat=at(0, 0)[0], lon=at(0, 0)[1]))])
    (osf,) = eng.os_fences(fix(500, 0, 0), 20)
    assert osf.id == "way:9" and osf.kind == "poi"
    # the OS circle reaches the far corner (41.2 m) plus the buffer
    assert osf.radius_m == pytest.approx(math.hypot(40, 10) + 15, abs=0.2)
