"""OR-Tools baselines for the routing benchmarks (dev-only dependency)."""

from __future__ import annotations

import numpy as np

SCALE = 1000.0  # OR-Tools wants integer costs


def ortools_order(c: np.ndarray, *, start: int = 0, end: int | None = None, time_limit_s: float = 1.0) -> list[int]:
    """OR-Tools routing (path-cheapest-arc + guided local search) on the same problem as order_stops."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = c.shape[0]
    C = np.rint(c * SCALE).astype(np.int64)
    if end is None:  # free end: a dummy depot reached at zero cost
        C2 = np.zeros((n + 1, n + 1), dtype=np.int64)
        C2[:n, :n] = C
        C2[n, :] = 0
        C = C2
        manager = pywrapcp.RoutingIndexManager(n + 1, 1, [start], [n])
    else:
        manager = pywrapcp.RoutingIndexManager(n, 1, [start], [end])
    routing = pywrapcp.RoutingModel(manager)
    Cl = C.tolist()

    def cb(i, j):
        return Cl[manager.IndexToNode(i)][manager.IndexToNode(j)]

    t = routing.RegisterTransitCallback(cb)
    routing.SetArcCostEvaluatorOfAllVehicles(t)
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    p.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(p)
    idx = routing.Start(0)
    out = []
    while not routing.IsEnd(idx):
        out.append(manager.IndexToNode(idx))
        idx = sol.Value(routing.NextVar(idx))
    last = manager.IndexToNode(idx)
    if end is not None and end != start:
        out.append(last)
    return out


def ortools_visits(
    travel: np.ndarray,
    *,
    scores,
    service_time,
    windows,
    start: int,
    end: int,
    budget: float,
    time_limit_s: float = 1.0,
) -> list[int]:
    """OR-Tools orienteering with time windows: optional visits (penalty = score), time dimension, budget.

    Times are scaled to integer deciseconds; windows are start-of-visit windows (one interval per stop).
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = travel.shape[0]
    S = 10.0
    svc = np.broadcast_to(np.asarray(service_time, dtype=float), (n,))
    T = np.rint(travel * S).astype(np.int64)
    sv = np.rint(svc * S).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n, 1, [start], [end])
    routing = pywrapcp.RoutingModel(manager)
    Tl = T.tolist()
    svl = sv.tolist()

    def cb(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return svl[a] + Tl[a][b]

    t = routing.RegisterTransitCallback(cb)
    routing.SetArcCostEvaluatorOfAllVehicles(t)
    B = int(budget * S)
    routing.AddDimension(t, B, B, False, "Time")
    dim = routing.GetDimensionOrDie("Time")
    for i in range(n):
        if i in (start, end):
            continue
        idx = manager.NodeToIndex(i)
        # penalty >> any total travel (budget in deciseconds), so OR-Tools maximises the score first
        routing.AddDisjunction([idx], int(round(scores[i] * 1000)) * (B + 1))
        w = windows[i] if windows is not None else None
        if w is not None:
            lo, hi = w
            dim.CumulVar(idx).SetRange(int(np.ceil(lo * S)), int(np.floor(hi * S)))
    dim.CumulVar(routing.Start(0)).SetRange(0, 0)
    dim.CumulVar(routing.End(0)).SetRange(0, B)
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    p.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(p)
    if sol is None:
        return []
    idx = routing.Start(0)
    out = []
    while not routing.IsEnd(idx):
        node = manager.IndexToNode(idx)
        if node not in (start, end):
            out.append(node)
        idx = sol.Value(routing.NextVar(idx))
    return out
