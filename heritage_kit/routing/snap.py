"""Pure: snap points onto the nearest *edge* of a walking graph (not the nearest node).

A shapely STRtree over the edges in a local metric projection finds the
nearest edge; the projected position is mapped back to true metres along the
edge, vertex by vertex. Step-free snapping uses only the edges a step-free
route may walk, in their largest connected piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from heritage_kit.errors import RouteNotFound
from heritage_kit.geo import LocalProjection, haversine_m
from heritage_kit.routing._build import Edge, component_roots
from heritage_kit.types import LatLon

__all__ = ["MAX_SNAP_M", "Snap", "EdgeIndex", "as_latlon"]

MAX_SNAP_M = 1000.0


def as_latlon(p: Any) -> LatLon:
    """``p`` as a :class:`LatLon` (a LatLon, a ``{"lat", "lon"}`` dict, or anything with ``.lat``/``.lon``)."""
    if isinstance(p, LatLon):
        return p
    if isinstance(p, dict):
        return LatLon(**p)
    if hasattr(p, "lat") and hasattr(p, "lon"):
        return LatLon(lat=p.lat, lon=p.lon)
    from heritage_kit.errors import ArgumentTypeError

    hint = (" (a tuple's order is ambiguous: give LatLon(lat=..., lon=...) or {'lat': ..., 'lon': ...})"
            if isinstance(p, (tuple, list)) else "")
    raise ArgumentTypeError(f"expected a point with named lat/lon (LatLon, dict or object), got "
                            f"{type(p).__name__} {p!r}"[:200] + hint, argument="point", value=p)


@dataclass(slots=True)
class Snap:
    """Where a point joins the network: ``offset`` metres along edge ``edge`` (-1: no graph), ``dist`` metres away."""

    edge: int
    offset: float  # metres from edge.u along the edge
    lat: float
    lon: float
    dist: float  # metres from the asked point


def _main_component(edges: Sequence[Edge], node_count: int, idx: list[int]) -> list[int]:
    """The edges of ``idx`` in its largest connected component (by length).

    Without steps the network may split into pockets (a terrace reached
    only by stairs); step-free routes start and end in the main part.
    """
    find = component_roots(node_count, (edges[i] for i in idx))
    sizes: dict[int, float] = {}
    for i in idx:
        r = find(edges[i].u)
        sizes[r] = sizes.get(r, 0.0) + edges[i].length
    best = max(sizes, key=sizes.__getitem__)
    return [i for i in idx if find(edges[i].u) == best]


class EdgeIndex:
    """The nearest-edge index of one graph, per variant (all edges, or step-free ones)."""

    def __init__(self, edges: Sequence[Edge], node_count: int, projection: LocalProjection) -> None:
        self._edges = edges
        self._node_count = node_count
        self.projection = projection
        self._trees: dict[bool, tuple[Any, list[int], list]] = {}

    def tree(self, step_free: bool) -> tuple[Any, list[int], list]:
        """(STRtree, edge index of each line, projected lines) for a variant, built once."""
        got = self._trees.get(step_free)
        if got is None:
            from shapely import STRtree
            from shapely.geometry import LineString

            idx = [i for i, e in enumerate(self._edges) if not e.blocks(step_free)]
            if step_free:
                idx = _main_component(self._edges, self._node_count, idx)
            if not idx:
                raise RouteNotFound("the walking network has no step-free way")
            lines = []
            for i in idx:
                e = self._edges[i]
                x, y = self.projection.to_xy(e.lats, e.lons)
                lines.append(LineString(np.column_stack([x, y])))
            got = (STRtree(lines), idx, lines)
            self._trees[step_free] = got
        return got

    def snap(self, p: LatLon, *, step_free: bool = False, max_snap_m: float = MAX_SNAP_M) -> Snap:
        """The nearest point of the network to ``p`` (on an edge, not only at a junction)."""
        from shapely.geometry import Point

        p = as_latlon(p)
        tree, idx, lines = self.tree(step_free)
        x, y = self.projection.to_xy(p.lat, p.lon)
        pt = Point(x, y)
        k = int(tree.nearest(pt))
        line = lines[k]
        ei = idx[k]
        e = self._edges[ei]
        d = line.project(pt)
        # map the projected distance to true metres along the edge, vertex by vertex
        coords = np.asarray(line.coords)
        seg = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
        pcum = np.concatenate([[0.0], np.cumsum(seg)])
        j = int(min(np.searchsorted(pcum, d, side="right") - 1, len(seg) - 1))
        j = max(j, 0)
        frac = 0.0 if seg[j] == 0 else min(max((d - pcum[j]) / seg[j], 0.0), 1.0)
        offset = e.cum[j] + frac * (e.cum[j + 1] - e.cum[j])
        lat = e.lats[j] + frac * (e.lats[j + 1] - e.lats[j])
        lon = e.lons[j] + frac * (e.lons[j + 1] - e.lons[j])
        dist = float(haversine_m(p.lat, p.lon, lat, lon))
        if dist > max_snap_m:
            raise RouteNotFound(
                f"the point {p.lat:.6f}, {p.lon:.6f} is {dist:.0f} m from the nearest "
                f"{'step-free ' if step_free else ''}walkable way (limit {max_snap_m:.0f} m)"
            )
        return Snap(edge=ei, offset=float(offset), lat=float(lat), lon=float(lon), dist=dist)
