"""Pure: the iterated local search behind :func:`.visits.plan_visits` above the exact size.

In the style of Vansteenwegen et al. (2009, "Iterated local search for the team orienteering
problem with time windows"), with what the Solomon/Righini–Salani instances showed it lacked
(issue 14: 16.6 % worst gap, on tight windows and long visits):

* best-ratio insertion (score^e / added time) with an O(1) test from each stop's latest
  feasible start, each winner re-checked on the full schedule (rounding never lets an
  infeasible route through);
* a *replace* local search: swap a visit for an unvisited stop of higher score (or of equal
  score that leaves more time), then insert what now fits;
* a TW-aware relocate: move one visit elsewhere when the walk finishes earlier;
* the shake removes a run of ``R`` visits from ``S`` (Vansteenwegen's S/R cycle), ``R`` up to a
  share of the route that grows with its length; after a long time without gain the search
  restarts from the best plan with a random shake and a randomised insertion exponent.

Every route it holds is feasible; an infeasible one (a non-metric matrix can make a removal
break a later window) is repaired at once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.routing.visits import _Problem

__all__ = ["ils"]

_EPS = 1e-9
_INF = float("inf")


class _Route:
    """A visit order with forward times and each stop's latest feasible start."""

    def __init__(self, p: "_Problem", order: list[int]):
        self.p = p
        self.order = list(order)
        self.refresh()

    def refresh(self) -> None:
        p = self.p
        T = p.Tl
        svc = p.svcl
        seq = [p.start, *self.order, p.end]
        L = len(seq)
        dep = [0.0] * L
        beg = [0.0] * L
        t = 0.0
        for k in range(1, L - 1):
            i = seq[k]
            b = p.earliest(t + T[seq[k - 1]][i], i)
            beg[k] = b
            t = b + svc[i]
            dep[k] = t
        beg[L - 1] = t + T[seq[L - 2]][seq[L - 1]]
        late = [0.0] * L
        late[L - 1] = p.budget
        for k in range(L - 2, 0, -1):
            i = seq[k]
            late[k] = p.latest(late[k + 1] - T[i][seq[k + 1]] - svc[i], i)
        self.seq = np.array(seq)
        self.feasible = all(b < _INF for b in beg) and beg[L - 1] <= p.budget + 1e-7
        self.dep = np.array(dep)
        self.beg = np.array(beg)
        self.late = np.array(late)
        self.finish = beg[L - 1]
        self.score = float(sum(p.sc[i] for i in self.order))

    def insertion_ratios(self, unvisited: np.ndarray, power: float = 2.0) -> np.ndarray | None:
        """Ratio score^power / added time of inserting each candidate before each position, -inf where infeasible.

        Needs a feasible route: every departure finite, every latest start finite or +inf
        (an infinite budget), so no ``inf - inf`` arises.
        """
        from heritage_kit.routing.visits import _earliest, _latest

        if unvisited.size == 0:
            return None
        p = self.p
        T = p.T
        seq = self.seq
        prev = seq[:-1]
        nxt = seq[1:]
        dep = self.dep[:-1][None, :]
        a = dep + T[prev][:, unvisited].T  # (C, P)
        lo = p.lo[unvisited][:, None, :]
        hi = p.hi[unvisited][:, None, :]
        eb = _earliest(a, lo, hi)
        svc = p.svc[unvisited][:, None]
        to_next = T[unvisited][:, nxt]
        lb = _latest(self.late[1:][None, :] - to_next - svc, lo, hi)
        feas = (eb < _INF) & (eb <= lb)
        if not feas.any():
            return None
        # infeasible cells get a finite begin so that the shift stays a number
        eb = np.where(feas, eb, dep)
        shift = (eb - dep) + svc + to_next - T[prev, nxt][None, :]
        shift = np.maximum(shift, 1e-6)
        return np.where(feas, (p.sc[unvisited][:, None] ** power) / shift, -np.inf)


def _fill(route: _Route, unvisited: set[int], power: float = 2.0) -> None:
    """Insert the best-ratio candidate while one fits; each insertion is checked on the full schedule.

    The O(1) test (latest starts) is exact in real arithmetic; rounding can let a stop in
    whose window then closes an ulp too early downstream, so the winner is re-checked and
    the next best taken if it fails — the route stays feasible at every step.
    """
    p = route.p
    while unvisited:
        cand = np.fromiter(unvisited, dtype=int)
        ratio = route.insertion_ratios(cand, power)
        if ratio is None:
            return
        flat = ratio.ravel()
        for k in np.argsort(-flat, kind="stable"):
            if not flat[k] > -_INF:
                return
            ci, pos = divmod(int(k), ratio.shape[1])
            j = int(cand[ci])
            order = route.order[:pos] + [j] + route.order[pos:]
            if p.schedule(order) is not None:
                route.order = order
                unvisited.discard(j)
                route.refresh()
                break
        else:
            return


def _remove(route: _Route, removed) -> None:
    """Take ``removed`` out of the route, then keep it feasible.

    Dropping a visit only makes later ones earlier when travel times obey the triangle
    inequality (visit included); a measured or penalised matrix need not, and a later
    window may then be missed. Such broken stops are dropped too (first broken first),
    then stops from the end while the budget is overrun.
    """
    gone = set(removed)
    route.order = [x for x in route.order if x not in gone]
    route.refresh()
    while not route.feasible and route.order:
        bad = np.nonzero(~np.isfinite(route.beg[1:-1]))[0]
        del route.order[int(bad[0]) if bad.size else -1]
        route.refresh()


def _compress(route: _Route) -> None:
    """Shorten the walk with 2-opt/Or-opt on travel times; keep it if it stays feasible and finishes earlier."""
    if len(route.order) < 3:
        return
    from heritage_kit.routing.order import _descend

    p = route.p
    t = np.array([p.start, *route.order, p.end])
    new = _descend(p.T, t)
    order = [int(x) for x in new[1:-1]]
    if order != route.order:
        s = p.schedule(order)
        if s is not None and s[3] < route.finish - _EPS:
            route.order = order
            route.refresh()


def _relocate(route: _Route, deadline: float) -> None:
    """Move single visits to the position where the walk finishes earliest, while that gains (first-improvement)."""
    p = route.p
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for k in range(len(route.order)):
            j = route.order[k]
            rest = route.order[:k] + route.order[k + 1 :]
            for q in range(len(rest) + 1):
                if q == k:
                    continue
                order = rest[:q] + [j] + rest[q:]
                s = p.schedule(order)
                if s is not None and s[3] < route.finish - 1e-6:
                    route.order = order
                    route.refresh()
                    improved = True
                    break
            if improved:
                break


def _replace(route: _Route, cand: list[int], deadline: float) -> bool:
    """Swap a visit for an unvisited stop that scores more (or equal and ends sooner); refill. True if it gained."""
    p = route.p
    gained = False
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        inside = set(route.order)
        out = np.array([c for c in cand if c not in inside], dtype=int)
        if out.size == 0:
            return gained
        for k in range(len(route.order)):
            v = route.order[k]
            better = out[p.sc[out] >= p.sc[v]]
            if better.size == 0:
                continue
            trial = _Route(p, route.order[:k] + route.order[k + 1 :])
            if not trial.feasible:
                continue
            ratio = trial.insertion_ratios(better)
            if ratio is None:
                continue
            for flat in np.argsort(-ratio.ravel(), kind="stable")[:3]:
                if not ratio.flat[flat] > -_INF:
                    break
                ci, pos = divmod(int(flat), ratio.shape[1])
                u = int(better[ci])
                order = trial.order[:pos] + [u] + trial.order[pos:]
                s = p.schedule(order)
                if s is None:
                    continue
                gain = p.sc[u] - p.sc[v]
                if gain > _EPS or s[3] < route.finish - 1e-6:
                    route.order = order
                    route.refresh()
                    _fill(route, set(cand) - set(route.order))
                    gained = gained or gain > _EPS
                    improved = True
                    break
            if improved:
                break
    return gained


def _better(a: _Route, score: float, finish: float) -> bool:
    return a.score > score + _EPS or (abs(a.score - score) <= _EPS and a.finish < finish - _EPS)


def _polish(route: _Route, cand: list[int], deadline: float) -> None:
    """Local search to a local optimum: relocate, then replace, until neither gains."""
    while time.perf_counter() < deadline:
        before = (route.score, route.finish)
        _relocate(route, deadline)
        _fill(route, set(cand) - set(route.order))
        _replace(route, cand, deadline)
        if not (route.score > before[0] + _EPS or route.finish < before[1] - 1e-6):
            return


def ils(p: "_Problem", cand: list[int], *, time_limit_s: float, seed: int) -> list[int]:
    """The best plan found within ``time_limit_s`` (deterministic for a seed, up to the clock)."""
    t0 = time.perf_counter()
    deadline = t0 + max(time_limit_s, 0.0)
    rng = np.random.default_rng(seed)
    route = _Route(p, [])
    _fill(route, set(cand))
    _compress(route)
    it, every = 0, 1
    _fill(route, set(cand) - set(route.order))
    _polish(route, cand, deadline)
    best_order, best_score, best_finish = list(route.order), route.score, route.finish
    S, R = 1, 1
    no_gain = 0
    power = 2.0
    while time.perf_counter() < deadline:
        L = len(route.order)
        if L == 0:
            break
        # shake: remove R consecutive visits from position S (wrapping)
        S = S % L
        removed = [route.order[(S + k) % L] for k in range(min(R, L))]
        _remove(route, removed)
        # insert the best of the rest first, the removed ones last (avoids undoing the shake)
        _fill(route, set(cand) - set(route.order) - set(removed), power)
        it += 1
        if it % every == 0:  # 2-opt on travel times ignores windows: back off while it keeps failing
            before = route.finish
            _compress(route)
            every = 1 if route.finish < before - _EPS else min(2 * every, 16)
        _fill(route, set(cand) - set(route.order), power)
        S += R
        R += 1
        if _better(route, best_score, best_finish):
            _polish(route, cand, deadline)
            best_order, best_score, best_finish = list(route.order), route.score, route.finish
            R = 1
            no_gain = 0
        else:
            no_gain += 1
        if R > max(2, L // 2):
            R = 1
        if no_gain > 10 + L:  # restart from the best with a random shake and insertion exponent
            route = _Route(p, best_order)
            S = int(rng.integers(0, max(1, len(best_order))))
            R = int(rng.integers(1, max(2, len(best_order) // 3) + 1))
            power = float(rng.choice([1.0, 1.5, 2.0, 2.0, 3.0]))
            no_gain = 0
    return best_order
