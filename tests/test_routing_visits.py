"""plan_visits: equal to exhaustive search on small instances; never breaks a window or the budget."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from heritage_kit.routing import visits as visits_mod
from heritage_kit.routing.visits import plan_visits, visit_schedule


def instance(n, seed, *, multi=False, asym=False):
    rng = np.random.default_rng(seed)
    pts = rng.random((n, 2)) * 2500
    T = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)) / 1.25
    if asym:
        T = T + np.maximum(rng.random(n)[None, :] * 120 - rng.random(n)[:, None] * 120, 0)
    sc = rng.integers(1, 10, n).astype(float)
    sc[0] = 0
    svc = rng.choice([300.0, 600.0, 900.0], n)
    w = [None]
    for _ in range(1, n):
        r = rng.random()
        if r < 0.3:
            w.append(None)
        elif multi and r < 0.65:  # morning and afternoon, closed at lunch
            a = rng.uniform(0, 1800)
            w.append([(a, a + 1800), (a + 3600, a + 6000)])
        else:
            a = rng.uniform(0, 4000)
            w.append((a, a + rng.uniform(600, 3000)))
    return T, sc, svc, w


def exhaustive(T, sc, svc, w, start, end, budget):
    n = len(T)
    others = [i for i in range(n) if i not in (start, end)]
    best = (0.0, None)
    for k in range(1, len(others) + 1):
        for perm in itertools.permutations(others, k):
            s = visit_schedule(T, perm, scores=sc, service_time=svc, windows=w, start=start, end=end, budget=budget)
            if s is not None and s.score > best[0] + 1e-9:
                best = (s.score, perm)
    return best[0]


@pytest.mark.parametrize("seed", range(8))
def test_equals_exhaustive_search(seed):
    n = 7
    T, sc, svc, w = instance(n, seed, multi=seed % 2 == 0, asym=seed % 3 == 0)
    end = 0 if seed < 4 else (None if seed < 6 else n - 1)
    budget = 3600.0 if seed % 2 else 5400.0
    plan = plan_visits(T, scores=sc, service_time=svc, windows=w, start=0, end=end, budget=budget)
    s = visit_schedule(T, plan, scores=sc, service_time=svc, windows=w, start=0, end=end, budget=budget)
    assert s is not None, "the plan breaks a window or the budget"
    if end is None:  # free end: add a dummy finishing stop for the oracle
        T2 = np.zeros((n + 1, n + 1))
        T2[:n, :n] = T
        oracle = exhaustive(T2, np.append(sc, 0), np.append(svc, 0), [*w, None], 0, n, budget)
    else:
        oracle = exhaustive(T, sc, svc, w, 0, end, budget)
    assert s.score == pytest.approx(oracle)
    assert len(set(plan)) == len(plan) and 0 not in plan and (end is None or end not in plan)


@pytest.mark.parametrize("seed", range(4))
def test_heuristic_is_feasible_and_close_to_exact(seed, monkeypatch):
    n = 13  # 12 candidates: the exact DP still runs
    T, sc, svc, w = instance(n, 100 + seed, multi=True)
    exact = plan_visits(T, scores=sc, service_time=svc, windows=w, start=0, end=0, budget=5400)
    monkeypatch.setattr(visits_mod, "EXACT_MAX_CANDIDATES", 0)
    heur = plan_visits(T, scores=sc, service_time=svc, windows=w, start=0, end=0, budget=5400, time_limit_s=0.3)
    se = visit_schedule(T, exact, scores=sc, service_time=svc, windows=w, start=0, end=0, budget=5400)
    sh = visit_schedule(T, heur, scores=sc, service_time=svc, windows=w, start=0, end=0, budget=5400)
    assert se is not None and sh is not None
    assert sh.score <= se.score + 1e-9  # the DP is an upper bound: it is exact
    assert sh.score >= 0.9 * se.score


def test_large_instances_never_break_windows_or_budget():
    for seed in range(3):
        T, sc, svc, w = instance(60, seed, multi=True)
        plan = plan_visits(T, scores=sc, service_time=svc, windows=w, start=0, end=None, budget=7200, time_limit_s=0.2)
        s = visit_schedule(T, plan, scores=sc, service_time=svc, windows=w, start=0, end=None, budget=7200)
        assert s is not None and len(plan) >= 3
        for i, b in zip(plan, s.begin):
            ivs = [w[i]] if isinstance(w[i], tuple) else (w[i] or [(-np.inf, np.inf)])
            assert any(lo - 1e-9 <= b <= hi + 1e-9 for lo, hi in ivs)
        assert s.finish <= 7200 + 1e-6


def test_waits_for_opening_and_respects_lunch_break():
    # one stop 100 s away, opening at 1000 and from 3000; visits last 500 s
    T = np.array([[0, 100], [100, 0]], dtype=float)
    plan = plan_visits(T, scores=[0, 5], service_time=500, windows=[None, [(1000, 1500), (3000, 4000)]],
                       start=0, end=0, budget=1700)
    assert plan == [1]
    s = visit_schedule(T, plan, service_time=500, windows=[None, [(1000, 1500), (3000, 4000)]], start=0, end=0)
    assert s.arrival == (100,) and s.begin == (1000,) and s.finish == 1600
    # too short a budget to wait for the opening: nothing fits
    assert plan_visits(T, scores=[0, 5], service_time=500, windows=[None, (1000, 1500)], start=0, end=0, budget=1500) == []
    # a window that closed before arrival
    assert plan_visits(T, scores=[0, 5], service_time=0, windows=[None, (0, 50)], start=0, end=0, budget=1e6) == []


def test_prefers_score_then_earlier_finish_and_checks_input():
    T = np.array([[0, 10, 10], [10, 0, 1], [10, 1, 0]], dtype=float)
    # both fit; the higher total wins
    assert sorted(plan_visits(T, scores=[0, 1, 2], service_time=0, windows=None, start=0, end=0, budget=21)) == [1, 2]
    # only one fits: the higher score
    assert plan_visits(T, scores=[0, 1, 2], service_time=0, windows=None, start=0, end=0, budget=20) == [2]
    with pytest.raises(ValueError, match="scores"):
        plan_visits(T, scores=[1, 2], service_time=0, windows=None, start=0, end=0, budget=5)
    with pytest.raises(ValueError, match="windows"):
        plan_visits(T, scores=[0, 1, 2], service_time=0, windows=[None], start=0, end=0, budget=5)
    with pytest.raises(ValueError, match=r"windows\[1\]"):
        plan_visits(T, scores=[0, 1, 2], service_time=0, windows=[None, (5, 1), None], start=0, end=0, budget=5)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 16), seed=st.integers(0, 10_000), budget=st.floats(0, 9000), free=st.booleans())
def test_property_plans_are_always_feasible(n, seed, budget, free):
    T, sc, svc, w = instance(n, seed, multi=seed % 2 == 0)
    end = None if free else 0
    plan = plan_visits(T, scores=sc, service_time=svc, windows=w, start=0, end=end, budget=budget, time_limit_s=0.05)
    assert len(set(plan)) == len(plan) and 0 not in plan
    assert visit_schedule(T, plan, scores=sc, service_time=svc, windows=w, start=0, end=end, budget=budget) is not None


def test_non_metric_matrix_keeps_routes_feasible_and_raises_no_nan():
    """Regression (issue 14): on a matrix without the triangle inequality, taking visits out in the
    shake made a later window close, the route's times became inf and ``inf - inf`` gave NaN in the
    insertion ratios (``RuntimeWarning: invalid value encountered in subtract``)."""
    rng = np.random.default_rng(13)
    n = int(rng.integers(14, 30))
    pts = rng.random((n, 2)) * 3000
    T = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)) / 1.25
    T = T * rng.uniform(0.5, 2, T.shape)  # measured-looking, not metric
    sc = rng.integers(1, 10, n).astype(float)
    svc = rng.choice([0.0, 300.0, 900.0], n)
    w = [None]
    for _ in range(1, n):
        r = rng.random()
        if r < 0.1:
            w.append([])
        elif r < 0.4:
            a = rng.uniform(0, 5000)
            w.append([(a, a + rng.uniform(0, 900)), (a + 2000, a + 3000)])
        else:
            a = rng.uniform(0, 5400)
            w.append((a, a + rng.uniform(0, 3000)))
    kw = dict(scores=sc, service_time=svc, windows=w, start=0, end=0)
    with np.errstate(all="raise"):
        for budget in (float("inf"), 7200.0):
            plan = plan_visits(T, budget=budget, time_limit_s=0.3, seed=13, **kw)
            assert plan and visit_schedule(T, plan, budget=budget, **kw) is not None
