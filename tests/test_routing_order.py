"""order_stops: equal to brute force up to 9 stops, to the exact DP up to 12, valid above."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from heritage_kit.routing import order as order_mod
from heritage_kit.routing.order import order_stops, path_cost


def points_matrix(n, seed, *, asym=False):
    rng = np.random.default_rng(seed)
    p = rng.random((n, 2)) * 1000
    c = np.hypot(*(p[:, None, :] - p[None, :, :]).transpose(2, 0, 1))
    if asym:  # uphill costs more than downhill
        h = rng.random(n) * 200
        c = c + np.maximum(h[None, :] - h[:, None], 0)
    return c


def brute(c, start, end):
    n = len(c)
    loop = end == start
    fixed = end if end is not None and not loop else None
    inner = [i for i in range(n) if i not in (start, fixed)]
    best = np.inf
    for p in itertools.permutations(inner):
        order = [start, *p] + ([fixed] if fixed is not None else [])
        best = min(best, path_cost(c, order, loop=loop))
    return best


def check_valid(order, n, start, end):
    assert sorted(order) == list(range(n))
    assert order[0] == start
    if end is not None and end != start:
        assert order[-1] == end


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 9])
@pytest.mark.parametrize("asym", [False, True])
def test_equals_brute_force_up_to_9_stops(n, asym):
    for seed in range(3):
        c = points_matrix(n, seed, asym=asym)
        for start, end in [(0, None), (0, 0), (0, n - 1), (n // 2, None)]:
            if n == 1 and end == n - 1 and start == end:
                pass
            o = order_stops(c, start=start, end=end)
            check_valid(o, n, start, end)
            loop = end == start
            assert path_cost(c, o, loop=loop) == pytest.approx(brute(c, start, end), rel=1e-12, abs=1e-9)


def test_exact_dp_up_to_12_stops_and_heuristic_matches_it(monkeypatch):
    for seed in range(3):
        c = points_matrix(13, seed, asym=seed == 2)  # start + 12 stops: exact
        exact = order_stops(c, start=0, end=0)
        check_valid(exact, 13, 0, 0)
        # the heuristic, forced on, finds the same optimum on these small cases
        monkeypatch.setattr(order_mod, "EXACT_MAX_STOPS", 2)
        heur = order_stops(c, start=0, end=0, time_limit_s=0.2)
        monkeypatch.undo()
        assert path_cost(c, heur, loop=True) == pytest.approx(path_cost(c, exact, loop=True), rel=1e-9)
        # the DP agrees with brute force on a 9-stop sub-problem
        sub = c[:9, :9]
        assert path_cost(sub, order_stops(sub, start=0, end=0), loop=True) == pytest.approx(brute(sub, 0, 0))


def test_large_instances_are_valid_and_beat_nearest_neighbour():
    n = 60
    c = points_matrix(n, 7, asym=True)
    o = order_stops(c, start=3, end=10, time_limit_s=0.3)
    check_valid(o, n, 3, 10)
    # nearest neighbour from 3, then 10
    left = set(range(n)) - {3, 10}
    nn = [3]
    while left:
        nxt = min(left, key=lambda k: c[nn[-1], k])
        nn.append(nxt)
        left.remove(nxt)
    nn.append(10)
    assert path_cost(c, o) < 0.95 * path_cost(c, nn)
    # a 2-opt-optimal tour: no segment reversal improves it
    for i in range(1, n - 2):
        for j in range(i + 1, n - 1):
            cand = o[:i] + o[i : j + 1][::-1] + o[j + 1 :]
            assert path_cost(c, cand) >= path_cost(c, o) - 1e-6


def test_keep_order_and_bad_input():
    c = points_matrix(6, 1)
    assert order_stops(c, start=2, end=4, keep_order=True) == [2, 0, 1, 3, 5, 4]
    assert order_stops(c, start=0, keep_order=True) == [0, 1, 2, 3, 4, 5]
    assert order_stops(np.zeros((0, 0))) == []
    with pytest.raises(ValueError, match="square"):
        order_stops(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="negative"):
        order_stops(-np.ones((3, 3)))
    with pytest.raises(ValueError, match="start=7"):
        order_stops(c, start=7)


def test_unreachable_pairs_are_avoided():
    c = points_matrix(8, 4)
    c[0, 1] = np.inf
    o = order_stops(c, start=0, end=None)
    assert o[:2] != [0, 1]
    assert np.isfinite(path_cost(c, o))


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 20), seed=st.integers(0, 10_000), data=st.data())
def test_property_orders_are_permutations_with_the_right_ends(n, seed, data):
    c = points_matrix(n, seed, asym=seed % 2 == 1)
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.one_of(st.none(), st.integers(0, n - 1)))
    o = order_stops(c, start=start, end=end, time_limit_s=0.02)
    check_valid(o, n, start, end)
