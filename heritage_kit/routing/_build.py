"""Pure: turn street polylines into graph edges (split at junctions, largest connected component).

A *record* is ``(keys, lats, lons, oneway, attrs)``: one position key per
vertex (an OSM node id, or a rounded lat/lon), the vertices, ``oneway`` (0 both
ways, 1 along the drawing, -1 against it) and ``attrs`` (``highway``,
``steps``, ``step_count``, ``name``, optional ``ramp``). Both the OSM adapter
(:mod:`heritage_kit.routing._osm_ways`) and :mod:`heritage_kit.routing.serialise`
produce records; :func:`build_edges` makes the graph's parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from heritage_kit.geo import haversine_m

__all__ = ["Edge", "cumlen", "build_edges", "component_roots"]


@dataclass(slots=True)
class Edge:
    u: int
    v: int
    lats: list[float]
    lons: list[float]
    cum: list[float]  # cumulative length at each vertex, metres
    steps: bool
    step_count: int | None
    oneway: bool  # walkable u -> v only
    highway: str
    name: str | None
    ramp: bool = False  # steps with a wheelchair ramp: usable on step-free routes

    def blocks(self, step_free: bool) -> bool:
        """True when a step-free route may not use this edge."""
        return step_free and self.steps and not self.ramp

    @property
    def length(self) -> float:
        return self.cum[-1]


def cumlen(lats: Sequence[float], lons: Sequence[float]) -> list[float]:
    la = np.asarray(lats, dtype=float)
    lo = np.asarray(lons, dtype=float)
    seg = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
    return [0.0, *np.cumsum(np.atleast_1d(seg)).tolist()]


def component_roots(node_count: int, edges: Iterable[Edge]) -> Callable[[int], int]:
    """Union-find over ``edges`` (oneway ignored): returns ``find``, a node's component root."""
    parent = list(range(node_count))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in edges:
        ru, rv = find(e.u), find(e.v)
        if ru != rv:
            parent[ru] = rv
    return find


def build_edges(records: list) -> tuple[list[Edge], list[float], list[float]]:
    """Split polylines at junctions, keep the largest connected component: (edges, node lats, node lons)."""
    count: dict[Any, int] = {}
    for keys, *_ in records:
        for k in keys:
            count[k] = count.get(k, 0) + 1
        count[keys[0]] = count.get(keys[0], 0) + 1
        count[keys[-1]] = count.get(keys[-1], 0) + 1
    node_of: dict[Any, int] = {}
    lats_n: list[float] = []
    lons_n: list[float] = []

    def node(key, lat, lon) -> int:
        n = node_of.get(key)
        if n is None:
            n = node_of[key] = len(lats_n)
            lats_n.append(lat)
            lons_n.append(lon)
        return n

    raw: list[Edge] = []
    for keys, lats, lons, oneway, attrs in records:
        if oneway == -1:
            keys, lats, lons = keys[::-1], lats[::-1], lons[::-1]
        total = None
        start = 0
        pieces = []
        for i in range(1, len(keys)):
            if i == len(keys) - 1 or count[keys[i]] > 1:
                pieces.append((start, i))
                start = i
        if attrs["step_count"] and len(pieces) > 1:
            total = cumlen(lats, lons)[-1]
        for a, b in pieces:
            la, lo = list(lats[a : b + 1]), list(lons[a : b + 1])
            cum = cumlen(la, lo)
            sc = attrs["step_count"]
            if sc and total:
                sc = max(1, round(sc * cum[-1] / total)) if total > 0 else sc
            raw.append(
                Edge(
                    u=node(keys[a], lats[a], lons[a]),
                    v=node(keys[b], lats[b], lons[b]),
                    lats=la,
                    lons=lo,
                    cum=cum,
                    steps=attrs["steps"],
                    ramp=attrs.get("ramp", False),
                    step_count=sc,
                    oneway=oneway != 0,
                    highway=attrs["highway"],
                    name=attrs["name"],
                )
            )
    # largest connected component (ignoring oneway:foot, which is rare and local)
    find = component_roots(len(lats_n), raw)
    sizes: dict[int, int] = {}
    for e in raw:
        r = find(e.u)
        sizes[r] = sizes.get(r, 0) + 1
    best = max(sizes, key=sizes.__getitem__)
    keep = [e for e in raw if find(e.u) == best]
    renum: dict[int, int] = {}
    nl, no = [], []
    for e in keep:
        for attr in ("u", "v"):
            old = getattr(e, attr)
            new = renum.get(old)
            if new is None:
                new = renum[old] = len(nl)
                nl.append(lats_n[old])
                no.append(lons_n[old])
            setattr(e, attr, new)
    return keep, nl, no
