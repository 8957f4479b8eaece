"""The walk simulator: the noise model does what its docstring says."""

from __future__ import annotations

import numpy as np
import pytest

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import LocalProjection, geodesic_m, metres_per_degree
from heritage_kit.geofence import Fence, GeofenceEngine
from heritage_kit.simulate import (
    ACCURACY_PER_SIGMA,
    NoiseModel,
    WalkerModel,
    path_through,
    replay,
    simulate_walk,
)
from heritage_kit.types import LatLon

P = LocalProjection(43.7306, 7.4230)


def ll(x, y):
    lat, lon = P.to_latlon(x, y)
    return LatLon(lat=lat, lon=lon)


STOPS = [ll(0, 0), ll(300, 0), ll(300, 400), ll(-200, 400)]


def errors_m(walk):
    """Per-fix (east, north) error in metres against the true track."""
    t = np.array([f.timestamp for f in walk.fixes])
    fx, fy = P.to_xy(np.array([f.lat for f in walk.fixes]), np.array([f.lon for f in walk.fixes]))
    tx, ty = P.to_xy(np.interp(t, walk.t, walk.lat), np.interp(t, walk.t, walk.lon))
    return fx - tx, fy - ty, t


def test_same_seed_same_walk_other_seed_other_walk():
    path, idx = path_through(STOPS)
    a = simulate_walk(path, seed=7, stop_vertices=idx)
    b = simulate_walk(path, seed=7, stop_vertices=idx)
    c = simulate_walk(path, seed=8, stop_vertices=idx)
    assert a.fixes == b.fixes and a.stops == b.stops
    assert a.fixes != c.fixes


def test_noise_free_walk_follows_path_at_speed_and_pauses_at_stops():
    path, idx = path_through(STOPS)
    w = simulate_walk(path, seed=1, stop_vertices=idx, noise=NoiseModel.none(), walker=WalkerModel(speed_spread=0, idle_per_km=0))
    assert len(w.fixes) == len(w.t)  # no dropout
    assert w.speed_mps == pytest.approx(1.3)
    assert [s.stop for s in w.stops] == [0, 1, 2, 3]
    for s in w.stops:
        assert 30 <= s.leave - s.arrive <= 120
        at = w.true_position((s.arrive + s.leave) / 2)
        stop = STOPS[s.stop]
        assert geodesic_m(at.lat, at.lon, stop.lat, stop.lon) < 0.5
    walking = sum(s.arrive - p.leave for p, s in zip(w.stops, w.stops[1:]))
    assert walking == pytest.approx((300 + 400 + 500) / 1.3, rel=1e-3)
    ex, ey, _ = errors_m(w)
    assert np.abs(ex).max() < 0.01 and np.abs(ey).max() < 0.01


@pytest.mark.parametrize("sigma", [5.0, 10.0, 20.0])
def test_error_is_tied_to_the_reported_accuracy(sigma):
    path, idx = path_through(STOPS)
    noise = NoiseModel(sigma_m=sigma, multipath_per_min=0.0)
    ex, ey = [], []
    acc = []
    for seed in range(8):
        w = simulate_walk(path, seed=seed, stop_vertices=idx, noise=noise)
        x, y, _ = errors_m(w)
        a = np.array([f.accuracy_m for f in w.fixes])
        ex.append(x / (a / ACCURACY_PER_SIGMA))
        ey.append(y / (a / ACCURACY_PER_SIGMA))
        acc.append(a)
    # normalised by the reported accuracy, the error is a unit Gaussian per axis
    zx, zy = np.concatenate(ex), np.concatenate(ey)
    assert np.std(zx) == pytest.approx(1.0, abs=0.15) and np.std(zy) == pytest.approx(1.0, abs=0.15)
    # so about 68% of fixes fall within their reported accuracy
    assert np.mean(np.hypot(zx, zy) <= ACCURACY_PER_SIGMA) == pytest.approx(0.68, abs=0.06)
    assert np.median(np.concatenate(acc)) == pytest.approx(ACCURACY_PER_SIGMA * sigma, rel=0.15)


def test_bias_drifts_slowly_white_noise_does_not():
    path, idx = path_through(STOPS)
    w = simulate_walk(path, seed=3, stop_vertices=idx, noise=NoiseModel(sigma_m=10, multipath_per_min=0, dropout_per_min=0))
    ex, _, _ = errors_m(w)
    lag1 = np.corrcoef(ex[:-1], ex[1:])[0, 1]
    lag300 = np.corrcoef(ex[:-300], ex[300:])[0, 1]
    assert 0.45 < lag1 < 0.8  # 60% of the variance is a slowly drifting bias
    assert abs(lag300) < 0.3
    w2 = simulate_walk(path, seed=3, stop_vertices=idx, noise=NoiseModel(sigma_m=10, bias_fraction=0.0, multipath_per_min=0, dropout_per_min=0))
    ex2, _, _ = errors_m(w2)
    assert abs(np.corrcoef(ex2[:-1], ex2[1:])[0, 1]) < 0.1


def test_multipath_jumps_and_dropouts():
    path, idx = path_through(STOPS)
    noise = NoiseModel(sigma_m=3, multipath_per_min=2.0, dropout_per_min=1.0)
    w = simulate_walk(path, seed=11, stop_vertices=idx, noise=noise)
    mp, do = w.extra["multipath"], w.extra["dropouts"]
    assert len(mp) >= 5 and len(do) >= 3
    ex, ey, t = errors_m(w)
    err = np.hypot(ex, ey)
    in_mp = np.zeros(len(t), dtype=bool)
    for a, b in mp:
        in_mp |= (t >= a) & (t < b)
    assert in_mp.any()
    assert err[in_mp].min() > 50 - 20 and err[in_mp].max() < 150 + 20  # 50–150 m jumps (+ normal error)
    assert np.percentile(err[~in_mp], 99) < 20
    # the phone does not know: reported accuracy is as small during jumps
    acc = np.array([f.accuracy_m for f in w.fixes])
    assert np.median(acc[in_mp]) < 10
    # dropouts: no fix inside any gap, and gaps of 5–30 s in the fix times
    for a, b in do:
        assert not np.any((t >= a) & (t < b))
    gaps = np.diff(t)
    assert gaps.max() >= 5 and gaps.max() <= 31


def test_engine_on_a_noise_free_simulated_walk_alerts_each_stop_once():
    path, idx = path_through([ll(-150, 0)] + STOPS)
    w = simulate_walk(path, seed=2, stop_vertices=idx[1:], noise=NoiseModel.none())
    fences = [Fence.circle(f"s:{k}", lat=s.lat, lon=s.lon, radius_m=25) for k, s in enumerate(STOPS)]
    ev = replay(GeofenceEngine(fences), w.fixes)
    assert [e.fence_id for e in ev if e.kind == "enter"] == ["s:0", "s:1", "s:2", "s:3"]


def test_invalid_inputs():
    with pytest.raises(GeofenceError):
        NoiseModel(sigma_m=-1)
    with pytest.raises(GeofenceError):
        WalkerModel(speed_mps=0)
    with pytest.raises(GeofenceError, match="stop vertex"):
        simulate_walk([ll(0, 0), ll(10, 0)], seed=1, stop_vertices=[5])
    with pytest.raises(GeofenceError, match="legs"):
        path_through(STOPS, legs=[[]])


def test_path_through_uses_leg_geometry():
    legs = [[STOPS[0], ll(150, 50), STOPS[1]], [STOPS[1], STOPS[2]], [STOPS[2], ll(0, 500), STOPS[3]]]
    path, idx = path_through(STOPS, legs)
    assert len(path) == 6 and idx == [0, 2, 3, 5]
    assert path[1] == ll(150, 50)


def test_arc_length_and_lateral_offset():
    path = [ll(0, 0), ll(300, 0), ll(300, 400)]
    w = simulate_walk(path, seed=3, noise=NoiseModel.none(), walker=WalkerModel(idle_per_km=0))
    arc = w.extra["arc_m"]
    assert arc[0] == 0 and arc[-1] == pytest.approx(700.0, rel=2e-3) and np.all(np.diff(arc) >= 0)
    # 6 m to the right of the way walked: south of the eastbound leg, east of the northbound one
    off = simulate_walk(path, seed=3, noise=NoiseModel.none(), walker=WalkerModel(idle_per_km=0), lateral_offset_m=6.0)
    x, y = P.to_xy(off.lat, off.lon)
    east_leg = (arc > 10) & (arc < 290)
    north_leg = (arc > 310) & (arc < 690)
    assert np.allclose(y[east_leg], -6.0, atol=0.3) and np.allclose(x[north_leg], 306.0, atol=0.6)


def test_fixes_carry_the_walking_direction_while_moving():
    """East, then north, then west (STOPS): a noise-free walk reports those bearings, none at the stops."""
    path, idx = path_through(STOPS)
    w = simulate_walk(path, seed=1, stop_vertices=idx, noise=NoiseModel.none(), walker=WalkerModel(speed_spread=0, idle_per_km=0))
    legs = [(w.stops[0].leave, w.stops[1].arrive, 90.0), (w.stops[1].leave, w.stops[2].arrive, 0.0),
            (w.stops[2].leave, w.stops[3].arrive, 270.0)]
    for start, end, expected in legs:
        inner = [f for f in w.fixes if start + 3 < f.timestamp < end - 3]
        assert inner and all(f.bearing == pytest.approx(expected, abs=1.0) for f in inner)
    for s in w.stops:
        still = [f for f in w.fixes if s.arrive + 3 < f.timestamp < s.leave - 3]
        assert still and all(f.bearing is None for f in still)


def test_urban_canyon_is_a_persistent_bias_and_off_by_default():
    path = [ll(0, 0), ll(600, 0)]
    plain = simulate_walk(path, seed=4, noise=NoiseModel(sigma_m=5.0, multipath_per_min=0.0))
    same = simulate_walk(path, seed=4, noise=NoiseModel(sigma_m=5.0, multipath_per_min=0.0, canyon_m=30.0))
    assert [f.lat for f in plain.fixes] == [f.lat for f in same.fixes]  # canyon_per_min = 0: the walk as before
    noise = NoiseModel(sigma_m=5.0, multipath_per_min=0.0, dropout_per_min=0.0, canyon_per_min=2.0, canyon_m=30.0,
                       canyon_s=(40.0, 40.0))
    w = simulate_walk(path, seed=4, noise=noise)
    canyons = w.extra["canyons"]
    assert canyons
    err, east = [], []
    for f in w.fixes:
        p = w.true_position(f.timestamp)
        err.append(geodesic_m(f.lat, f.lon, p.lat, p.lon))
        east.append((f.lon - p.lon) * metres_per_degree(p.lat)[0])  # metres east of the truth
    t = np.array([f.timestamp for f in w.fixes])
    err = np.array(err)
    inside = np.zeros(len(t), dtype=bool)
    for a, b in canyons:
        inside |= (t >= a + 5) & (t < b - 5)
    assert err[inside].mean() > 2.5 * err[~inside].mean()  # tens of metres in a canyon
    # persistent, not white: the error 5 s later is much the same
    ex = np.array(east)
    k = np.flatnonzero(inside[:-5] & inside[5:])
    assert np.corrcoef(ex[k], ex[k + 5])[0, 1] > 0.5
    # the reported accuracy grows by canyon_accuracy_share x canyon_m inside
    acc = np.array([f.accuracy_m for f in w.fixes])
    assert acc[inside].mean() > acc[~inside].mean() + 10.0


def test_pass_stops_walks_past_without_stopping():
    path = [ll(0, 0), ll(100, 0), ll(200, 0)]
    w = simulate_walk(path, seed=2, stop_vertices=[1, 2], walker=WalkerModel(pass_stops=(0,), idle_per_km=0.0))
    assert w.stops[0].passed and w.stops[0].arrive == w.stops[0].leave
    assert not w.stops[1].passed and w.stops[1].leave - w.stops[1].arrive >= 30.0
