"""Pure: exact shortest-path searches on a walking graph's adjacency lists.

``adj[u]`` lists ``(v, cost, edge index)``. :func:`astar` is A* towards a
*virtual* target reached part-way along an edge (the snapped point), with the
larger of the straight 3-D chord and ALT landmark bounds as heuristic — both
consistent, so it returns Dijkstra's optimum. :func:`dijkstra` is one-to-many
and stops once every needed node is settled. The helpers turn a :class:`Snap`
into the seed/tail nodes of a search and a search result into edge pieces.
"""

from __future__ import annotations

import heapq
import math
from typing import Sequence

import numpy as np

from heritage_kit.routing._build import Edge
from heritage_kit.routing.snap import Snap

__all__ = [
    "ACTIVE_LANDMARKS",
    "Adjacency",
    "astar",
    "dijkstra",
    "landmarks",
    "seeds",
    "tails",
    "direct",
    "route_pieces",
    "cut",
]

ACTIVE_LANDMARKS = 3  # landmarks used per query (the best at its start)

Adjacency = list[list[tuple[int, float, int]]]


def dijkstra(seeds, adj: Adjacency, need: set[int] | None) -> dict[int, float]:
    """One-to-many Dijkstra from seed nodes; stops once every node in ``need`` is settled."""
    dist: dict[int, float] = {}
    heap = []
    best: dict[int, float] = {}
    for n, c in seeds:
        if c < best.get(n, math.inf):
            best[n] = c
            heap.append((c, n))
    heapq.heapify(heap)
    remaining = set(need) if need is not None else None
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        d, u = pop(heap)
        if u in dist:
            continue
        dist[u] = d
        if remaining is not None:
            remaining.discard(u)
            if not remaining:
                break
        for v, w, _ in adj[u]:
            nd = d + w
            if v not in dist and nd < best.get(v, math.inf):
                best[v] = nd
                push(heap, (nd, v))
    return dist


def landmarks(adj: Adjacency, node_count: int, first: int, count: int) -> list:
    """ALT landmarks: distances from and to ``count`` far-apart nodes, as ``[(from L, to L), …]``.

    For a target T, ``d(v, T) >= d(L, T) - d(L, v)`` and ``d(v, T) >= d(v, L) - d(T, L)``:
    lower bounds that keep A* exact and let it settle far fewer nodes.
    """
    radj: Adjacency = [[] for _ in range(node_count)]
    for u, lst in enumerate(adj):
        for v, w, ei in lst:
            radj[v].append((u, w, ei))
    inf = math.inf
    mind = [inf] * node_count
    d0 = dijkstra([(first, 0.0)], adj, None)
    cur = max(d0, key=d0.__getitem__)
    out = []
    for _ in range(count):
        fwd = dijkstra([(cur, 0.0)], adj, None)
        bwd = dijkstra([(cur, 0.0)], radj, None)
        fl = [inf] * node_count
        tl = [inf] * node_count
        for n, d in fwd.items():
            fl[n] = d
        for n, d in bwd.items():
            tl[n] = d
        out.append((fl, tl))
        for n, d in fwd.items():
            if d < mind[n]:
                mind[n] = d
        cand = [(d, n) for n, d in enumerate(mind) if d < inf]
        if not cand:
            break
        dmax, nxt = max(cand)
        if dmax <= 0:
            break
        cur = nxt
    return out


def astar(seeds, tails, target_xyz, adj: Adjacency, xyz, scale: float, lms=(), out_of_target=()):
    """A* from seed nodes to a virtual target reached through ``tails``. Returns (cost, tail_node, pred).

    ``xyz`` are the nodes' 3-D positions in metres and ``scale`` turns a chord
    into a cost lower bound (1 for lengths, 1/fastest speed for times). The
    heuristic is the larger of the straight chord and the ALT landmark bounds.
    """
    xs, ys, zs = xyz
    tx, ty, tz = target_xyz
    scale *= 1.0 - 1e-9
    sqrt = math.sqrt
    tail_of: dict[int, float] = {}
    for n, c in tails:
        if n not in tail_of or c < tail_of[n]:
            tail_of[n] = c
    N = len(adj)
    inf = math.inf
    bounds = []
    for fl, tl in lms:
        dLT = min((fl[n] + c for n, c in tails), default=inf)
        dTL = min((c + tl[n] for n, c in out_of_target), default=inf)
        bounds.append((fl, tl, dLT, dTL))
    if len(bounds) > ACTIVE_LANDMARKS and seeds:
        # keep the landmarks that bound the start best (the usual "active landmarks" rule)
        s0 = seeds[0][0]

        def at_start(b) -> float:
            fl, tl, dLT, dTL = b
            v = max(dLT - fl[s0], tl[s0] - dTL)
            return v if v == v else -inf  # NaN (both unreachable) bounds nothing

        bounds = sorted(bounds, key=at_start, reverse=True)[:ACTIVE_LANDMARKS]
    g = [inf] * N
    hcache = [-1.0] * N
    pred: dict[int, tuple[int, int]] = {}
    heap: list[tuple[float, float, int]] = []
    push, pop = heapq.heappush, heapq.heappop
    for n, c in seeds:
        if c < g[n]:
            g[n] = c
            pred[n] = (-1, -1)
            hn = sqrt((xs[n] - tx) ** 2 + (ys[n] - ty) ** 2 + (zs[n] - tz) ** 2) * scale
            hcache[n] = hn
            push(heap, (c + hn, c, n))
    best = inf
    best_node = -1
    done = bytearray(N)
    while heap:
        f, gu, u = pop(heap)
        if f >= best:
            break
        if done[u] or gu > g[u]:
            continue
        done[u] = 1
        tc = tail_of.get(u)
        if tc is not None and gu + tc < best:
            best = gu + tc
            best_node = u
        for v, w, ei in adj[u]:
            nv = gu + w
            if nv < g[v]:
                g[v] = nv
                pred[v] = (u, ei)
                hv = hcache[v]
                if hv < 0:
                    hv = sqrt((xs[v] - tx) ** 2 + (ys[v] - ty) ** 2 + (zs[v] - tz) ** 2) * scale
                    for fl, tl, dLT, dTL in bounds:
                        a = dLT - fl[v]
                        if a > hv:
                            hv = a
                        b = tl[v] - dTL
                        if b > hv:
                            hv = b
                    hv *= 1.0 - 1e-12
                    hcache[v] = hv
                push(heap, (nv + hv, nv, v))
    return best, best_node, pred


def seeds(e: Edge, cost: float, s: Snap) -> list[tuple[int, float]]:
    """Nodes reachable from a start snapped on ``e`` (whose full cost is ``cost``), with the cost of the partial edge."""
    L = e.length
    f = 0.0 if L == 0 else s.offset / L
    out = [(e.v, cost * (1 - f))]
    if not e.oneway:
        out.append((e.u, cost * f))
    return out


def tails(e: Edge, cost: float, t: Snap) -> list[tuple[int, float]]:
    """Nodes from which a target snapped on ``e`` is reached, with the cost of the partial edge."""
    L = e.length
    f = 0.0 if L == 0 else t.offset / L
    out = [(e.u, cost * f)]
    if not e.oneway:
        out.append((e.v, cost * (1 - f)))
    return out


def direct(e: Edge, cost: float, s: Snap, t: Snap) -> float | None:
    """Cost of walking straight along the edge ``e`` both snaps share, if allowed (``None`` otherwise)."""
    if s.edge != t.edge:
        return None
    if e.oneway and t.offset < s.offset:
        return None
    L = e.length
    return 0.0 if L == 0 else cost * abs(t.offset - s.offset) / L


def _exit_offset(e: Edge, s: Snap, node: int) -> float:
    """Where a route leaving the snapped start ``s`` towards ``node`` leaves its edge (0 or length)."""
    if e.u != e.v:
        return 0.0 if node == e.u else e.length
    # a closed loop edge: forwards if one-way, else by the shorter side
    return e.length if e.oneway or s.offset > e.length - s.offset else 0.0


def _entry_offset(e: Edge, t: Snap, node: int) -> float:
    """Where a route arriving from ``node`` enters the snapped target's edge (0 or length)."""
    if e.u != e.v:
        return 0.0 if node == e.u else e.length
    return 0.0 if e.oneway or t.offset <= e.length - t.offset else e.length


def route_pieces(edges: Sequence[Edge], s: Snap, t: Snap, tail_node: int, pred) -> list[tuple[int, float, float]]:
    """The (edge, from offset, to offset) pieces, in metres along each edge's drawing, of an A* result."""
    chain = []  # (edge, from node) from the first graph node to ``tail_node``
    n = tail_node
    while True:
        u, ei = pred[n]
        if u < 0:
            break
        chain.append((ei, u))
        n = u
    chain.reverse()
    pieces = [(s.edge, s.offset, _exit_offset(edges[s.edge], s, n))]
    for ei, u in chain:
        e = edges[ei]
        pieces.append((ei, 0.0, e.length) if e.u == u else (ei, e.length, 0.0))
    pieces.append((t.edge, _entry_offset(edges[t.edge], t, tail_node), t.offset))
    return pieces


def cut(e: Edge, frm: float, to: float) -> list[tuple[float, float]]:
    """The edge's polyline between distances ``frm`` and ``to`` from its start (reversed when to < frm)."""
    lo_d, hi_d = (frm, to) if frm <= to else (to, frm)
    cum = e.cum

    def at(d: float) -> tuple[float, float]:
        if d <= 0:
            return (e.lats[0], e.lons[0])
        if d >= cum[-1]:
            return (e.lats[-1], e.lons[-1])
        j = int(np.searchsorted(cum, d, side="right") - 1)
        seg = cum[j + 1] - cum[j]
        f = 0.0 if seg == 0 else (d - cum[j]) / seg
        return (e.lats[j] + f * (e.lats[j + 1] - e.lats[j]), e.lons[j] + f * (e.lons[j + 1] - e.lons[j]))

    pts = [at(lo_d)]
    for j in range(len(cum)):
        if lo_d < cum[j] < hi_d:
            pts.append((e.lats[j], e.lons[j]))
    pts.append(at(hi_d))
    if frm > to:
        pts.reverse()
    return pts
