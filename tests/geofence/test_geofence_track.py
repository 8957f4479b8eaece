"""Rule 9 (the free-walking filter and stillness), the evidence of a hit after a long gap and rule 10 (passing by)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from geofence_support import P, at, circle
from heritage_kit.geofence import Fix, GeofenceConfig, GeofenceEngine, GeofenceState
from heritage_kit.geofence.state import BLIND_STEPS, FreeTrack
from heritage_kit.geofence.track import FreeFilter, StillDetector

CFG = GeofenceConfig()


def _xy(lat, lon):
    x, y = P.to_xy(lat, lon)
    return float(x), float(y)


def test_still_detector_smooths_a_noisy_doppler():
    det = StillDetector(CFG)
    rng = np.random.default_rng(1)
    # standing still, a Doppler reading |N(0, 0.6)| often reads above 0.5 m/s; the smoothed one stays below still_mps
    ema, verdicts = None, []
    for k in range(60):
        ema, still = det.step(ema, float(abs(rng.normal(0.0, 0.6))), 1.0)
        verdicts.append(still)
    assert sum(verdicts[10:]) >= 0.9 * 50
    # walking at 1.3 m/s with the same noise: never still
    ema, verdicts = None, []
    for k in range(60):
        ema, still = det.step(ema, float(abs(1.3 + rng.normal(0.0, 0.6))), 1.0)
        verdicts.append(still)
    assert not any(verdicts)
    # no Doppler: unknown, the average kept
    assert det.step(0.3, None, 1.0) == (0.3, None)


def test_free_filter_averages_the_fixes_of_a_walker_standing_still():
    ff = FreeFilter(CFG)
    rng = np.random.default_rng(2)
    tr, errs_raw, errs_f = None, [], []
    for k in range(60):
        ex, ey = rng.normal(0.0, 10.0, 2)  # white 10 m noise, 15 m reported accuracy
        lat, lon = at(ex, ey)
        tr, flat, flon, facc, still = ff.step(Fix(lat, lon, 15.0, float(k), 0.1), tr)
        errs_raw.append(math.hypot(ex, ey))
        errs_f.append(math.hypot(*_xy(flat, flon)))
    assert still and np.mean(errs_f[-20:]) < 0.4 * np.mean(errs_raw[-20:])
    assert facc < 15.0  # and it knows it is better than one fix


def test_free_filter_follows_the_doppler_and_ignores_one_wild_fix():
    ff = FreeFilter(CFG)
    tr = None
    for k in range(40):  # walking east at 1.3 m/s, exact fixes
        lat, lon = at(1.3 * k, 0.0)
        tr, flat, flon, facc, still = ff.step(Fix(lat, lon, 8.0, float(k), 1.3, 90.0), tr)
    x, y = _xy(flat, flon)
    assert not still and x == pytest.approx(1.3 * 39, abs=1.0) and abs(y) < 1.0
    # a multipath fix 120 m north with the usual accuracy: not believed
    lat, lon = at(1.3 * 40, 120.0)
    tr, flat, flon, _, _ = ff.step(Fix(lat, lon, 8.0, 40.0, 1.3, 90.0), tr)
    x, y = _xy(flat, flon)
    assert x == pytest.approx(1.3 * 40, abs=1.5) and abs(y) < 2.0 and tr.rejected == 1
    # a fix without Doppler restarts the filter at that fix
    lat, lon = at(500.0, 0.0)
    tr, flat, flon, facc, still = ff.step(Fix(lat, lon, 8.0, 41.0), tr)
    assert _xy(flat, flon) == pytest.approx((500.0, 0.0), abs=0.01) and still is None and facc == 8.0


def test_free_filter_state_is_saved_and_restored():
    eng = GeofenceEngine([circle("a:1", 0, 0, 20)])
    for k in range(10):
        eng.update(Fix(*at(-50 + 1.2 * k, 0), 10.0, float(k), 1.2, 90.0))
    saved = json.loads(json.dumps(eng.state.to_dict()))
    assert saved["version"] == 2 and len(saved["free"]) == 17
    st = GeofenceState.from_dict(saved)
    assert isinstance(st.free, FreeTrack) and st.free.to_list() == eng.state.free.to_list()
    rest = [Fix(*at(-38 + 1.2 * k, 0), 10.0, float(10 + k), 1.2, 90.0) for k in range(40)]
    eng2 = GeofenceEngine([circle("a:1", 0, 0, 20)], state=st)
    assert [e for f in rest for e in eng2.update(f)] == [e for f in rest for e in eng.update(f)]
    with pytest.raises(Exception, match="free"):
        GeofenceState.from_dict({**saved, "free": [1, 2]})
    with pytest.raises(Exception, match="walked_blind"):
        GeofenceState.from_dict({**saved, "free": saved["free"][:16] + [-1]})


def test_a_free_filter_saved_before_walked_blind_reads_as_lagging():
    # a state written before the 17th value existed: the route filter measures the fixes until a bearing comes
    eng = GeofenceEngine([circle("a:1", 0, 0, 20)])
    for k in range(5):
        eng.update(Fix(*at(-50 + 1.2 * k, 0), 10.0, float(k), 1.2, 90.0))
    saved = json.loads(json.dumps(eng.state.to_dict()))
    assert saved["free"][16] == 0
    old = GeofenceState.from_dict({**saved, "free": saved["free"][:16]})
    assert old.free.walked_blind == BLIND_STEPS
    eng2 = GeofenceEngine([circle("a:1", 0, 0, 20)], state=old)
    eng2.update(Fix(*at(-44, 0), 10.0, 5.0, 1.2, 90.0))
    assert eng2.state.free.walked_blind == 0  # dead-reckoned along the bearing again


def test_a_hit_after_a_long_interval_stands_for_that_time_but_not_one_wild_fix_at_1_s():
    fence = [circle("a:1", 0, 0, 20)]
    # a fix every 15 s: one fix inside (15 s / evidence_s 5 s = 3 >= enter_fixes 2 hits) enters
    eng = GeofenceEngine(fence)
    far = [Fix(*at(-100, 0), 5.0, 0.0), Fix(*at(-40, 0), 5.0, 15.0), Fix(*at(0, 0), 5.0, 30.0)]
    assert [(e.kind, e.timestamp) for f in far for e in eng.update(f)] == [("enter", 30.0)]
    # at 1 s, one fix inside among fixes outside is not enough ...
    eng = GeofenceEngine(fence)
    pts = [(-60 + k, 0) for k in range(30)]  # up to 31 m away
    fixes = [Fix(*at(x, y), 5.0, float(k)) for k, (x, y) in enumerate(pts)]
    fixes[20] = Fix(*at(0, 0), 5.0, 20.0)  # one wild fix at the centre
    assert [e for f in fixes for e in eng.update(f)] == []
    # ... and a dropout of minutes is not evidence either: after it, two fixes are still needed
    eng = GeofenceEngine(fence)
    ev = [e for f in [Fix(*at(-300, 0), 5.0, 0.0), Fix(*at(0, 0), 5.0, 300.0), Fix(*at(0, 0), 5.0, 301.0)] for e in eng.update(f)]
    assert [e.timestamp for e in ev] == [301.0]


def _pass(eng, y_offset=0.0, halt_s=0, t0=0.0):
    """Walk east past (0, 0) at 1.3 m/s, y_offset m north of it, standing halt_s s when abreast."""
    fixes, t = [], t0
    for k in range(-40, 41):
        fixes.append(Fix(*at(1.3 * k, y_offset), 5.0, t, 1.3, 90.0))
        t += 1.0
        if k == 0:
            for _ in range(halt_s):
                fixes.append(Fix(*at(0.0, y_offset), 5.0, t, 0.05))
                t += 1.0
    return [(e.kind, e.fence_id) for f in fixes for e in eng.update(f) if e.kind == "enter"]


def test_passing_by_is_an_arrival_for_a_trail_stop_not_for_a_shop():
    shop = circle("shop:1", 0, 0, 15, halt_only=True)
    # free walking (every fence watched): walking past a shop is no arrival ...
    assert _pass(GeofenceEngine([shop])) == []
    # ... stopping at it is
    assert _pass(GeofenceEngine([shop]), halt_s=15) == [("enter", "shop:1")]
    # a trail's stop (watched explicitly with set_active) arrives on passing, even a shop
    eng = GeofenceEngine([shop])
    eng.set_active(["shop:1"], next_id="shop:1")
    assert _pass(eng) == [("enter", "shop:1")]
    # and a monument (not halt-only) arrives on passing in free walking too
    assert _pass(GeofenceEngine([circle("mon:1", 0, 0, 15)])) == [("enter", "mon:1")]


def test_fences_for_makes_shops_halt_only():
    from geofence_support import make_poi
    from heritage_kit.geofence import fences_for

    pois = [make_poi("shop:1", ["bakery"], "commerce", 0, 0), make_poi("mon:1", ["church"], "heritage", 200, 0)]
    fs = {f.id: f for f in fences_for(pois)}
    assert fs["shop:1"].halt_only and not fs["mon:1"].halt_only
    assert not any(f.halt_only for f in fences_for(pois, halt_only_kinds=()))


def _halt_at(eng, y_fix, acc=20.0, halt_s=20):
    """Walk east to (0, 0) at 1.3 m/s and stand there halt_s s; every fix y_fix m north of the truth (a steady bias)."""
    fixes = [Fix(*at(1.3 * k, y_fix), acc, float(k + 40), 1.3, 90.0) for k in range(-40, 1)]
    fixes += [Fix(*at(0.0, y_fix), acc, float(41 + k), 0.05) for k in range(halt_s)]
    return [(e.kind, e.fence_id, e.timestamp) for f in fixes for e in eng.update(f) if e.kind == "enter"]


def test_free_walking_halt_arrives_at_the_fence_that_best_explains_it():
    # rule 11: two shops 40 m apart; the walker stands at shop:1, the fixes 12 m north of it (a steady bias):
    # no single fix is a hit at 20 m accuracy (12 > 15 - 0.3 x the filter's accuracy), the halt's mean is
    shops = [circle("shop:1", 0, 0, 15, halt_only=True), circle("shop:2", 0, 40, 15, halt_only=True)]
    ev = _halt_at(GeofenceEngine(shops), 12.0)
    assert [e[:2] for e in ev] == [("enter", "shop:1")]
    assert 41 + 5 <= ev[0][2] <= 41 + 10  # standing still (smoothed Doppler) + free_halt_s
    # without rule 11, nothing (what the engine did before)
    assert _halt_at(GeofenceEngine(shops, config=GeofenceConfig(free_halt_arrival=False)), 12.0) == []
    # the mean nearer the other shop: that one (nearest relative to size), once
    assert [e[:2] for e in _halt_at(GeofenceEngine(shops), 27.0)] == [("enter", "shop:2")]
    # a next stop set (a trail): rule 5's arrival at the next stop decides, not rule 11
    eng = GeofenceEngine(shops)
    eng.set_active(None, next_id="shop:2")
    assert _halt_at(eng, 12.0) == []
    # standing far from any fence: nothing
    assert _halt_at(GeofenceEngine(shops), -60.0) == []
    with pytest.raises(Exception, match="free_halt_slack"):
        GeofenceConfig(free_halt_slack=-1.0)
