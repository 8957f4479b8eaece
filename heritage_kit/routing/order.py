"""The best order in which to visit every stop (a path, a loop, or a free end).

``order_stops`` works on any square cost matrix (walking times from
:meth:`WalkingGraph.matrix`, or anything else). Up to :data:`EXACT_MAX_STOPS`
stops besides the start it is exact (Held–Karp dynamic programming over
subsets); above, it runs an iterated local search — nearest-neighbour start,
best-improvement 2-opt and Or-opt (segments of 1–3 stops moved, either way
round) on the whole neighbourhood at once with NumPy, double-bridge
perturbations — until ``time_limit_s``. Asymmetric matrices are handled
exactly (a reversed segment is re-costed in its new direction).
"""

from __future__ import annotations

import time

import numpy as np

from heritage_kit.routing._matrix import as_cost_matrix
from heritage_kit.routing._moves import backtrack

__all__ = ["order_stops", "path_cost", "EXACT_MAX_STOPS"]

EXACT_MAX_STOPS = 12
_EPS = 1e-9


def path_cost(cost_matrix, order: list[int], *, loop: bool = False) -> float:
    """The cost of visiting ``order`` (and returning to its first stop when ``loop``)."""
    c = np.asarray(cost_matrix, dtype=float)
    total = float(sum(c[a, b] for a, b in zip(order, order[1:])))
    if loop and len(order) > 1:
        total += float(c[order[-1], order[0]])
    return total


def order_stops(
    cost_matrix,
    *,
    start: int = 0,
    end: int | None = None,
    keep_order: bool = False,
    time_limit_s: float = 1.0,
    seed: int = 0,
) -> list[int]:
    """The visiting order of all stops, as indices into ``cost_matrix``.

    The result starts with ``start``; it ends with ``end`` when ``end`` is
    another stop (a path), returns implicitly to ``start`` when
    ``end == start`` (a loop: ``start`` is not repeated), and ends anywhere
    when ``end is None``. ``keep_order=True`` keeps the given order (indices
    ascending) between the fixed ends.
    """
    c = as_cost_matrix(cost_matrix)
    n = c.shape[0]
    if n == 0:
        return []
    for label, v in (("start", start), ("end", end)):
        if v is not None and not (0 <= v < n):
            raise ValueError(f"{label}={v} is not a stop index (0..{n - 1})")
    loop = end == start
    fixed_end = end if (end is not None and not loop) else None
    inner = [i for i in range(n) if i != start and i != fixed_end]
    if keep_order or not inner:
        return [start, *inner] + ([fixed_end] if fixed_end is not None else [])
    # cost of finishing after stop j: back to start, on to end, or nothing
    if loop:
        tail = c[:, start]
    elif fixed_end is not None:
        tail = c[:, fixed_end]
    else:
        tail = np.zeros(n)
    if len(inner) <= EXACT_MAX_STOPS:
        mid = _held_karp(c, start, inner, tail)
    else:
        mid = _local_search(c, start, inner, tail, time_limit_s=time_limit_s, seed=seed)
    return [start, *mid] + ([fixed_end] if fixed_end is not None else [])


# -- exact ------------------------------------------------------------------------------------
def _held_karp(c: np.ndarray, start: int, inner: list[int], tail: np.ndarray) -> list[int]:
    m = len(inner)
    idx = np.array(inner)
    C = c[np.ix_(idx, idx)]
    full = (1 << m) - 1
    dp = np.full((1 << m, m), np.inf)
    parent = np.full((1 << m, m), -1, dtype=np.int16)
    for j in range(m):
        dp[1 << j, j] = c[start, inner[j]]
    bits = 1 << np.arange(m)
    for mask in range(1, full + 1):
        row = dp[mask]
        if not np.isfinite(row).any():
            continue
        cand = row[:, None] + C  # from j (in mask) to k
        best_j = np.argmin(cand, axis=0)
        best = cand[best_j, np.arange(m)]
        free = (mask & bits) == 0
        for k in np.nonzero(free)[0]:
            nm = mask | (1 << int(k))
            if best[k] < dp[nm, k]:
                dp[nm, k] = best[k]
                parent[nm, k] = best_j[k]
    total = dp[full] + tail[idx]
    return backtrack(parent, full, int(np.argmin(total)), inner)


# -- heuristic --------------------------------------------------------------------------------
def _local_search(
    c: np.ndarray, start: int, inner: list[int], tail: np.ndarray, *, time_limit_s: float, seed: int
) -> list[int]:
    """Iterated 2-opt + Or-opt on a path with fixed ends (a dummy node carries the finish cost)."""
    deadline = time.perf_counter() + max(time_limit_s, 0.0)
    n = c.shape[0]
    # Extended matrix: node n is the finish (cost tail[j] to reach it, never left).
    D = np.zeros((n + 1, n + 1))
    D[:n, :n] = c
    D[:n, n] = tail
    D[n, :] = 1e18
    # nearest-neighbour start
    left = set(inner)
    cur = start
    seq = [start]
    while left:
        nxt = min(left, key=lambda k: c[cur, k])
        seq.append(nxt)
        left.remove(nxt)
        cur = nxt
    seq.append(n)
    t = np.array(seq)
    t = _descend(D, t)
    best, best_cost = t.copy(), _cost(D, t)
    rng = np.random.default_rng(seed)
    m = len(t)
    while time.perf_counter() < deadline and m > 5:
        cand = _double_bridge(t if rng.random() < 0.7 else best, rng)
        cand = _descend(D, cand, deadline=deadline)
        cc = _cost(D, cand)
        if cc < best_cost - _EPS:
            best, best_cost = cand.copy(), cc
            t = cand
        elif cc <= _cost(D, t) + _EPS:
            t = cand
        else:
            t = best.copy()
    return [int(x) for x in best[1:-1]]


def _cost(D: np.ndarray, t: np.ndarray) -> float:
    return float(D[t[:-1], t[1:]].sum())


def _double_bridge(t: np.ndarray, rng) -> np.ndarray:
    """Cut the inner stops into four runs A B C D and rejoin them A C B D."""
    inner = t[1:-1]
    k = len(inner)
    a, b, c = sorted(rng.choice(np.arange(1, k), size=3, replace=False))
    new = np.concatenate([inner[:a], inner[b:c], inner[a:b], inner[c:]])
    return np.concatenate([t[:1], new, t[-1:]])


def _descend(D: np.ndarray, t: np.ndarray, *, deadline: float | None = None) -> np.ndarray:
    """Best-improvement 2-opt and Or-opt until no move improves (or the deadline)."""
    t = t.copy()
    m = len(t)
    if m < 4:
        return t
    I = np.arange(m)
    while True:
        if deadline is not None and time.perf_counter() > deadline:
            return t
        fwd = D[t[:-1], t[1:]]
        bwd = D[t[1:], t[:-1]]
        F = np.concatenate([[0.0], np.cumsum(fwd)])
        B = np.concatenate([[0.0], np.cumsum(bwd)])
        best_delta = -_EPS
        best_move = None
        # 2-opt: reverse t[i..j], 1 <= i < j <= m-2
        prev = t[:-2]  # t[i-1] for i = 1..m-2
        i_idx = I[1:-1]
        j_idx = I[1:-1]
        Dij = D[np.ix_(t[i_idx - 1], t[j_idx])]  # D[t[i-1], t[j]]
        Dij1 = D[np.ix_(t[i_idx], t[j_idx + 1])]  # D[t[i], t[j+1]]
        delta = (
            Dij
            + Dij1
            - fwd[i_idx - 1][:, None]
            - fwd[j_idx][None, :]
            + (B[j_idx][None, :] - B[i_idx][:, None])
            - (F[j_idx][None, :] - F[i_idx][:, None])
        )
        delta[np.tril_indices(len(i_idx))] = np.inf
        k = int(np.argmin(delta))
        if delta.flat[k] < best_delta:
            best_delta = float(delta.flat[k])
            best_move = ("2opt", int(i_idx[k // len(i_idx)]), int(j_idx[k % len(j_idx)]))
        del prev
        # Or-opt: move segment t[i..i+L-1] between t[q], t[q+1]
        for L in (1, 2, 3):
            if m - 2 < L + 1:
                break
            starts = np.arange(1, m - L)  # segment end i+L-1 <= m-2
            s0 = t[starts]
            sL = t[starts + L - 1]
            p = t[starts - 1]
            nx = t[starts + L]
            gain = D[p, s0] + D[sL, nx] - D[p, nx]
            q = np.arange(0, m - 1)  # insertion edge (t[q], t[q+1])
            a, b = t[q], t[q + 1]
            base = -D[a, b][None, :] - gain[:, None]
            ins_f = D[np.ix_(a, s0)].T + D[np.ix_(sL, b)] + base
            rev_extra = (B[starts + L - 1] - B[starts]) - (F[starts + L - 1] - F[starts])
            ins_r = D[np.ix_(a, sL)].T + D[np.ix_(s0, b)] + base + rev_extra[:, None]
            bad = (q[None, :] >= (starts - 1)[:, None]) & (q[None, :] <= (starts + L - 1)[:, None])
            ins_f[bad] = np.inf
            ins_r[bad] = np.inf
            for arr, rev in ((ins_f, False), (ins_r, True)):
                k = int(np.argmin(arr))
                if arr.flat[k] < best_delta:
                    best_delta = float(arr.flat[k])
                    best_move = ("oropt", int(starts[k // arr.shape[1]]), L, int(q[k % arr.shape[1]]), rev)
        if best_move is None:
            return t
        if best_move[0] == "2opt":
            _, i, j = best_move
            t[i : j + 1] = t[i : j + 1][::-1]
        else:
            _, i, L, q, rev = best_move
            seg = t[i : i + L].copy()
            if rev:
                seg = seg[::-1]
            rest = np.concatenate([t[:i], t[i + L :]])
            pos = q + 1 if q < i else q + 1 - L  # insertion index in ``rest``
            t = np.concatenate([rest[:pos], seg, rest[pos:]])
