"""Geofencing engine: every rule of issue 4 on hand-made walks in metres."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from heritage_kit.errors import GeofenceError, HeritageKitError
from heritage_kit.geo import LocalProjection, geodesic_m, haversine_m
from heritage_kit.geofence import (
    CATEGORY_RADIUS_M,
    DEFAULT_RADIUS_M,
    Fence,
    Fix,
    GeofenceConfig,
    GeofenceEngine,
    GeofenceState,
    fences_for,
    metres_per_degree,
)
from heritage_kit.models import POI
from heritage_kit.types import LatLon

# Monaco-Ville, near the cathedral
P = LocalProjection(43.7306, 7.4230)


def at(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of the point x m east, y m north of the origin."""
    return P.to_latlon(x, y)


def fix(x: float, y: float, t: float, acc: float = 5.0) -> Fix:
    lat, lon = at(x, y)
    return Fix(lat, lon, acc, t)


def circle(fid: str, x: float, y: float, r: float, **kw) -> Fence:
    lat, lon = at(x, y)
    return Fence.circle(fid, lat=lat, lon=lon, radius_m=r, **kw)


def walk(engine, points, t0=0.0, dt=1.0, acc=5.0):
    """Feed fixes at (x, y) points, one per dt; (t, event) pairs."""
    out = []
    t = t0
    for x, y in points:
        for e in engine.update(fix(x, y, t, acc)):
            out.append(e)
        t += dt
    return out


def line(x0, y0, x1, y1, step=1.0):
    n = max(1, int(round(math.hypot(x1 - x0, y1 - y0) / step)))
    return [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n + 1)]


def kinds(events, fid=None):
    return [e.kind for e in events if fid is None or e.fence_id == fid]


# --------------------------------------------------------------------------
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


def test_exit_radius_must_exceed_enter_radius():
    with pytest.raises(GeofenceError, match="exit_radius_m"):
        circle("a:1", 0, 0, 30, exit_radius_m=20)
    with pytest.raises(GeofenceError, match="exit_margin_m"):
        GeofenceConfig(exit_factor=1.0, exit_margin_m=0.0)


def test_accuracy_gate_fix_that_cannot_decide_is_not_trusted():
    eng = GeofenceEngine([circle("a:1", 0, 0, 15)])
    # standing at the centre but with 35 m accuracy: more than 1.5 x the 15 m fence
    assert walk(eng, [(0, 0)] * 10, acc=35) == []
    # and beyond max_accuracy_m (50) the fix is ignored entirely
    assert walk(eng, [(0, 0)] * 10, t0=10, acc=80) == []
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


def test_multipolygon_and_hole_handled_by_shapely():
    outer = [at(-30, -30), at(30, -30), at(30, 30), at(-30, 30), at(-30, -30)]
    hole = [at(-20, -20), at(-20, 20), at(20, 20), at(20, -20), at(-20, -20)]
    fp = {"type": "Polygon", "coordinates": [[[lo, la] for la, lo in outer], [[lo, la] for la, lo in hole]]}
    eng = GeofenceEngine([Fence.polygon("cloister:1", fp, buffer_m=0.0, exit_buffer_m=10.0)])
    # the middle of a cloister's garden is 20 m from the galleries
    assert eng.distance_m("cloister:1", *at(0, 0)) == pytest.approx(20.0, abs=0.1)


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


def _poi(pid, cats, kind, x, y, footprint=None):
    lat, lon = at(x, y)
    return POI(
        id=pid,
        kind=kind,
        categories=cats,
        name={"fr": pid},
        location=LatLon(lat=lat, lon=lon),
        footprint=footprint,
    )


def test_fences_for_default_radii_by_category():
    pois = [
        _poi("osm:node/1", ["bakery"], "commerce", 0, 0),
        _poi("osm:node/2", ["cathedral", "church"], "heritage", 300, 0),
        _poi("osm:node/3", ["square"], "heritage", 600, 0),
        _poi("osm:node/4", ["heritage_other"], "heritage", 900, 0),
        _poi("osm:node/5", ["statue"], "heritage", 1200, 0),
    ]
    r = {f.id: f.radius_m for f in fences_for(pois)}
    assert r["osm:node/1"] == DEFAULT_RADIUS_M["commerce"] == 15.0
    assert r["osm:node/2"] == CATEGORY_RADIUS_M["cathedral"]
    assert r["osm:node/3"] == CATEGORY_RADIUS_M["square"]
    assert r["osm:node/4"] == DEFAULT_RADIUS_M["heritage"]
    assert r["osm:node/5"] < r["osm:node/4"] < r["osm:node/3"]
    assert fences_for(pois, radius_by_category={"bakery": 9.0})[0].radius_m == 9.0
    only = fences_for(pois, ids=["osm:node/3", "osm:node/1"])
    assert [f.id for f in only] == ["osm:node/3", "osm:node/1"]
    with pytest.raises(GeofenceError, match="osm:node/9"):
        fences_for(pois, ids=["osm:node/9"])


def test_fences_for_separate_keeps_close_stops_apart_and_uses_footprints():
    pois = [
        _poi("osm:node/1", ["church"], "heritage", 0, 0),
        _poi("osm:node/2", ["museum"], "heritage", 40, 0),
        _poi("osm:node/3", ["museum"], "heritage", 400, 0),
    ]
    sep = {f.id: f.radius_m for f in fences_for(pois, separate=True)}
    assert sep["osm:node/1"] == pytest.approx(20.0, abs=0.1)
    assert sep["osm:node/2"] == pytest.approx(20.0, abs=0.1)
    assert sep["osm:node/3"] == 30.0
    ring = [at(380, -10), at(420, -10), at(420, 10), at(380, 10), at(380, -10)]
    fp = {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in ring]]}
    with_fp = _poi("osm:way/3", ["museum"], "heritage", 400, 0, footprint=fp)
    f = fences_for([with_fp])[0]
    assert f.is_polygon and f.radius_m == 15.0 and f.center == with_fp.location


def test_fix_and_fence_validation():
    with pytest.raises(GeofenceError):
        Fix(91.0, 0.0, 5.0, 0.0)
    with pytest.raises(GeofenceError):
        Fix(45.0, 0.0, float("nan"), 0.0)
    with pytest.raises(GeofenceError, match="twice"):
        GeofenceEngine([circle("a:1", 0, 0, 30), circle("a:1", 10, 0, 30)])
    with pytest.raises(GeofenceError, match="radius"):
        circle("a:1", 0, 0, 0)


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
    approach = [Fix(*at(x - 14, 0), 12.0, float(t), 1.3) for t, x in enumerate(range(-60, 1, 1))]
    halt = [Fix(*at(-14, 0), 12.0, float(61 + k), 0.1) for k in range(10)]
    ev = [e for f in approach + halt for e in eng.update(f)]
    assert [(e.kind, e.fence_id) for e in ev] == [("enter", "shop:1")]
    assert ev[0].timestamp == 61 + 5  # after halt_arrival_s = 5 s
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


def test_fences_for_grow_and_separate_fit_the_neighbourhood():
    pois = [
        _poi("osm:node/1", ["bakery"], "commerce", 0, 0),
        _poi("osm:node/2", ["bakery"], "commerce", 20, 0),
        _poi("osm:node/3", ["museum"], "heritage", 500, 0),
    ]
    grown = {f.id: f.radius_m for f in fences_for(pois, grow=2.0)}
    assert grown["osm:node/1"] == 15.0 and grown["osm:node/3"] == 60.0  # alone: up to 2 x 30 m
    both = {f.id: f.radius_m for f in fences_for(pois, grow=2.0, separate=True)}
    assert both["osm:node/1"] == pytest.approx(12.0) and both["osm:node/3"] == 60.0
    with pytest.raises(GeofenceError, match="grow"):
        fences_for(pois, grow=0.5)


def test_a_halt_is_judged_at_its_mean_position():
    # standing at a 15 m shop, fixes scatter 13 m either side: no single fix is a hit
    # (13 > 15 - 0.3 x 12), the halt's mean (the shop) is
    eng = GeofenceEngine([circle("shop:1", 0, 0, 15)])
    scatter = [(-13 if k % 2 else 13, 0) for k in range(8)]
    halted = [Fix(*at(x, y), 12.0, float(k), 0.1) for k, (x, y) in enumerate(scatter)]
    ev = [e for f in halted for e in eng.update(f)]
    assert [(e.kind, e.fence_id) for e in ev] == [("enter", "shop:1")]
    assert ev[0].timestamp == 3.0  # mean from the 3rd fix on, 2 hits
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


def test_public_names_are_exported_lazily():
    import heritage_kit

    assert heritage_kit.GeofenceEngine is GeofenceEngine and heritage_kit.Fix is Fix
    assert heritage_kit.Fence is Fence and heritage_kit.GeofenceConfig is GeofenceConfig


# --------------------------------------------------------------------------
# route mode (engine.set_route)
def ll(x: float, y: float) -> LatLon:
    lat, lon = at(x, y)
    return LatLon(lat=lat, lon=lon)


def walk_fixes(points, t0=0.0, acc=8.0, speed=1.2, bias=(0.0, 0.0)):
    """A fix per point, one per second, with Doppler speed, shifted by a constant ``bias`` (east, north, m)."""
    out = []
    prev = None
    for k, (x, y) in enumerate(points):
        v = speed if prev is None or (x, y) != prev else 0.0
        lat, lon = at(x + bias[0], y + bias[1])
        out.append(Fix(lat, lon, acc, t0 + k, v))
        prev = (x, y)
    return out


ROUTE = [ll(-200, 0), ll(200, 0), ll(200, 300)]  # east along a street, then north


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


def replay_all(eng, fixes):
    out = []
    for f in fixes:
        out += eng.update(f)
    return out


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


def test_saved_v2_state_round_trips_byte_identically():
    # tests/data/geofence_state_v2.json was written by the single-module engine (before the package split):
    # mid-route, past a:1; loading and saving it again must give the very same bytes
    path = Path(__file__).parent / "data" / "geofence_state_v2.json"
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["version"] == 2
    assert json.dumps(GeofenceState.from_dict(json.loads(text)).to_dict()) + "\n" == text
