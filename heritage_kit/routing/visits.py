"""Choose and order visits under a time budget: the orienteering problem with time windows.

``plan_visits`` works on any travel-time matrix. Each stop ``i`` has a score,
a service time (how long the visit lasts) and *start windows*: the visit must
begin inside one of its intervals (waiting for an opening is allowed). The
whole trip — travel, waiting and visits — must reach ``end`` within
``budget``. Times are in the matrix's unit, counted from the departure at
``start`` (time 0).

* Up to :data:`EXACT_MAX_CANDIDATES` useful candidates it is exact: dynamic
  programming over subsets keeping the earliest departure for each
  (visited set, last stop) — earliest dominates because waiting is allowed.
* Above, an iterated local search in the style of Vansteenwegen et al. (2009,
  "Iterated local search for the team orienteering problem with time
  windows"): best-ratio insertion (score² / added time) with O(1)
  feasibility from each stop's latest feasible start, then a "shake" that
  removes runs of visits, 2-opt/Or-opt compression of the walk, and a
  replace/relocate local search (:mod:`._visits_ils`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from heritage_kit.routing._matrix import as_cost_matrix
from heritage_kit.routing._moves import backtrack
from heritage_kit.routing._visits_ils import ils

__all__ = ["plan_visits", "visit_schedule", "Schedule", "EXACT_MAX_CANDIDATES"]

EXACT_MAX_CANDIDATES = 12
_EPS = 1e-9
_INF = float("inf")


@dataclass(frozen=True)
class Schedule:
    """Times of a visit order: per stop arrival, start of visit and departure; then the finish."""

    order: tuple[int, ...]
    arrival: tuple[float, ...]
    begin: tuple[float, ...]
    departure: tuple[float, ...]
    finish: float
    score: float


def _norm_windows(windows, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows as padded arrays lo[n, K], hi[n, K] (pads are empty intervals)."""
    if windows is None:
        return np.full((n, 1), -np.inf), np.full((n, 1), np.inf)
    if len(windows) != n:
        raise ValueError(f"windows has {len(windows)} entries for {n} stops")
    lists: list[list[tuple[float, float]]] = []
    for i, w in enumerate(windows):
        if w is None:
            lists.append([(-np.inf, np.inf)])
            continue
        if len(w) == 2 and all(isinstance(x, (int, float, np.floating, np.integer)) for x in w):
            w = [w]
        ivs = []
        for iv in w:
            lo, hi = float(iv[0]), float(iv[1])
            if np.isnan(lo) or np.isnan(hi) or lo > hi:
                raise ValueError(f"windows[{i}]: interval {iv!r} is empty or invalid")
            ivs.append((lo, hi))
        lists.append(sorted(ivs))  # an empty list: never open
    K = max(1, max(len(x) for x in lists))
    lo = np.full((n, K), np.inf)
    hi = np.full((n, K), -np.inf)
    for i, ivs in enumerate(lists):
        for k, (a, b) in enumerate(ivs):
            lo[i, k], hi[i, k] = a, b
    return lo, hi


def _earliest(a, lo, hi):
    """Earliest allowed start at or after ``a`` (inf if none). a: (...,), lo/hi: (..., K)."""
    a = np.asarray(a, dtype=float)[..., None]
    s = np.where(a <= hi, np.maximum(a, lo), np.inf)
    return s.min(axis=-1)


def _latest(b, lo, hi):
    """Latest allowed start at or before ``b`` (-inf if none)."""
    b = np.asarray(b, dtype=float)[..., None]
    s = np.where(b >= lo, np.minimum(b, hi), -np.inf)
    return s.max(axis=-1)


class _Problem:
    def __init__(self, travel_time, scores, service_time, windows, start: int, end: int | None, budget: float):
        T = as_cost_matrix(travel_time, name="travel_time")
        n = T.shape[0]
        if not (0 <= start < n) or (end is not None and not (0 <= end < n)):
            raise ValueError(f"start/end must be stop indices 0..{n - 1}")
        sc = np.asarray(scores, dtype=float)
        if sc.shape != (n,) or not np.isfinite(sc).all():
            raise ValueError(f"scores must be {n} finite numbers")
        svc = np.broadcast_to(np.asarray(service_time, dtype=float), (n,)).copy()
        if not np.isfinite(svc).all() or (svc < 0).any():
            raise ValueError("service_time must be finite and >= 0")
        if not budget >= 0:
            raise ValueError("budget must be >= 0")
        lo, hi = _norm_windows(windows, n)
        self.n = n
        self.start = start
        self.free_end = end is None
        # a free end is a dummy stop reached at no cost
        if end is None:
            T2 = np.zeros((n + 1, n + 1))
            T2[:n, :n] = T
            T2[n, :] = 0
            T = T2
            sc = np.append(sc, 0.0)
            svc = np.append(svc, 0.0)
            lo = np.vstack([lo, np.full((1, lo.shape[1]), np.inf)])
            hi = np.vstack([hi, np.full((1, hi.shape[1]), -np.inf)])
            lo[n, 0], hi[n, 0] = -np.inf, np.inf
            end = n
        self.end = end
        self.T, self.sc, self.svc, self.lo, self.hi = T, sc, svc, lo, hi
        self.budget = float(budget)
        svc[start] = 0.0
        svc[end] = 0.0
        # plain-Python views for the scalar loops (numpy's per-call cost dominates on one stop)
        self.Tl = T.tolist()
        self.svcl = svc.tolist()
        self.ivs = [[(a, b) for a, b in zip(lo[i].tolist(), hi[i].tolist()) if a <= b] for i in range(len(sc))]

    def earliest(self, a: float, i: int) -> float:
        """Earliest allowed start of ``i`` at or after ``a`` (inf if none)."""
        best = _INF
        for lo, hi in self.ivs[i]:
            if a <= hi:
                s = a if a > lo else lo
                if s < best:
                    best = s
        return best

    def latest(self, b: float, i: int) -> float:
        """Latest allowed start of ``i`` at or before ``b`` (-inf if none)."""
        best = -_INF
        for lo, hi in self.ivs[i]:
            if b >= lo:
                s = b if b < hi else hi
                if s > best:
                    best = s
        return best

    def candidates(self) -> list[int]:
        """Stops worth considering: positive score and reachable alone within windows and budget."""
        T = self.T
        out = []
        for i in range(self.n):
            if i in (self.start, self.end) or self.sc[i] <= 0:
                continue
            b = _earliest(T[self.start, i], self.lo[i], self.hi[i])
            if np.isfinite(b) and b + self.svc[i] + T[i, self.end] <= self.budget + _EPS:
                out.append(i)
        return out

    def schedule(self, order: Sequence[int]):
        """(arrival, begin, departure) lists and finish time, or None if a window or the budget breaks."""
        T = self.Tl
        svc = self.svcl
        t = 0.0
        prev = self.start
        arr, beg, dep = [], [], []
        for i in order:
            a = t + T[prev][i]
            b = self.earliest(a, i)
            if b == _INF:
                return None
            arr.append(a)
            beg.append(b)
            t = b + svc[i]
            dep.append(t)
            prev = i
        finish = t + T[prev][self.end]
        if finish > self.budget + 1e-7:
            return None
        return arr, beg, dep, finish


def visit_schedule(
    travel_time,
    order: Sequence[int],
    *,
    scores=None,
    service_time=0.0,
    windows=None,
    start: int,
    end: int | None,
    budget: float = float("inf"),
) -> Schedule | None:
    """The times of visiting ``order`` (waiting for openings), or ``None`` if it breaks a window or the budget."""
    n = np.asarray(travel_time).shape[0]
    p = _Problem(travel_time, np.zeros(n) if scores is None else scores, service_time, windows, start, end, budget)
    s = p.schedule(order)
    if s is None:
        return None
    arr, beg, dep, finish = s
    return Schedule(tuple(order), tuple(arr), tuple(beg), tuple(dep), float(finish), float(sum(p.sc[i] for i in order)))


def plan_visits(
    travel_time,
    *,
    scores: Sequence[float],
    service_time: float | Sequence[float],
    windows: Sequence | None,
    start: int,
    end: int | None,
    budget: float,
    time_limit_s: float = 1.0,
    seed: int = 0,
) -> list[int]:
    """The visits (in order, without ``start`` and ``end``) that maximise the total score.

    ``windows[i]`` is ``None`` (always open), ``(lo, hi)`` or a list of such
    intervals in which visit ``i`` may *start*. Every returned plan keeps every
    window and ends at ``end`` (anywhere if ``None``) within ``budget``. Ties
    in score go to the plan finishing first. Returns ``[]`` when no visit fits.
    """
    p = _Problem(travel_time, scores, service_time, windows, start, end, budget)
    cand = p.candidates()
    if not cand:
        return []
    if len(cand) <= EXACT_MAX_CANDIDATES:
        return _exact(p, cand)
    return ils(p, cand, time_limit_s=time_limit_s, seed=seed)


# -- exact --------------------------------------------------------------------------------------
def _exact(p: _Problem, cand: list[int]) -> list[int]:
    m = len(cand)
    idx = np.array(cand)
    T = p.T
    Tc = T[np.ix_(idx, idx)]
    lo, hi = p.lo[idx], p.hi[idx]
    svc = p.svc[idx]
    to_end = T[idx, p.end]
    full = 1 << m
    dep = np.full((full, m), np.inf)
    parent = np.full((full, m), -1, dtype=np.int16)
    first = _earliest(T[p.start, idx], lo, hi) + svc
    ok = first + to_end <= p.budget + _EPS
    dep[1 << np.arange(m)[ok], np.arange(m)[ok]] = first[ok]
    bits = 1 << np.arange(m)
    score_of = np.zeros(full)
    for k in range(m):
        score_of[bits[k] : 2 * bits[k]] = score_of[: bits[k]] + p.sc[cand[k]]
    best_score, best_finish, best_state = 0.0, float(T[p.start, p.end]), None
    if best_finish > p.budget + _EPS:
        best_finish = np.inf
    for mask in range(1, full):
        row = dep[mask]
        fin = row + to_end
        j = int(np.argmin(fin))
        if np.isfinite(fin[j]) and (
            score_of[mask] > best_score + _EPS or (abs(score_of[mask] - best_score) <= _EPS and fin[j] < best_finish)
        ):
            best_score, best_finish, best_state = score_of[mask], fin[j], (mask, j)
        if not np.isfinite(row).any():
            continue
        arr = row[:, None] + Tc
        bj = np.argmin(arr, axis=0)
        a = arr[bj, np.arange(m)]
        free = (mask & bits) == 0
        if not free.any():
            continue
        b = _earliest(a, lo, hi)
        d = b + svc
        good = free & np.isfinite(d) & (d + to_end <= p.budget + _EPS)
        for k in np.nonzero(good)[0]:
            nm = mask | int(bits[k])
            if d[k] < dep[nm, k]:
                dep[nm, k] = d[k]
                parent[nm, k] = bj[k]
    if best_state is None:
        return []
    mask, j = best_state
    return backtrack(parent, mask, j, cand)
