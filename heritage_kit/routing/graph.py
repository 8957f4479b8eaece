"""The walking network's facade: :class:`WalkingGraph`, :class:`Route`, the straight-line fallback.

:class:`WalkingGraph` holds foot-accessible street segments (edges between
junctions, with their full geometry). Its concerns live in their own modules,
the osmnx way: building and ``streets.geojson`` (:mod:`._build`,
:mod:`.serialise`), snapping onto edges (:mod:`.snap`), exact searches
(:mod:`.search`); reading an OSM file is the adapter :mod:`._osm_ways`.
Routes are exact: A* with a consistent heuristic (the straight 3-D chord to
the target, which never exceeds the walking distance) returns Dijkstra's
optimum; tests check them against networkx on the same graph. Points are
snapped onto the nearest *edge* (a shapely STRtree in a local metric
projection), not the nearest node, and routes start and end part-way along
those edges.

Walking speed: :data:`WALKING_SPEED_MPS` (1.25 m/s, 4.5 km/h, a relaxed
town-visit pace); steps are walked at :data:`STEPS_SPEED_FACTOR` (half) that
speed. Packs without streets fall back to :class:`StraightLineNetwork`:
straight lines times :data:`DETOUR_FACTOR` (1.3, the usual ratio of walking
to crow-fly distance in European town centres), and every route says so.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, Protocol, Sequence

import numpy as np

from heritage_kit.i18n import text
from heritage_kit.errors import RouteNotFound
from heritage_kit.geo import EARTH_RADIUS_M, LocalProjection, haversine_m
from heritage_kit.routing import search
from heritage_kit.routing._build import Edge, build_edges
from heritage_kit.routing.serialise import edges_to_geojson, records_from_geojson
from heritage_kit.routing.snap import MAX_SNAP_M, EdgeIndex, Snap, as_latlon
from heritage_kit.types import BBox, LatLon

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.packs import ContentPack

__all__ = [
    "WALKING_SPEED_MPS",
    "STEPS_SPEED_FACTOR",
    "DETOUR_FACTOR",
    "MAX_SNAP_M",
    "Route",
    "Snap",
    "WalkingNetwork",
    "WalkingGraph",
    "StraightLineNetwork",
    "network_for_pack",
]

WALKING_SPEED_MPS = 1.25
STEPS_SPEED_FACTOR = 0.5
DETOUR_FACTOR = 1.3
LANDMARKS_AFTER = 16  # route queries on one graph variant before ALT landmarks are built

Metric = Literal["length", "time"]

# former private names, kept for callers of this module
_as_latlon = as_latlon
_Edge = Edge
_Snap = Snap

@dataclass(frozen=True)
class Route:
    """A walking route between two points."""

    length_m: float
    duration_s: float
    geometry: tuple[LatLon, ...]
    start: LatLon  # the point on the network where the route starts (snapped)
    end: LatLon
    step_count: int = 0  # tagged steps climbed or descended (step_count of the steps walked)
    flights: int = 0  # stair segments walked, tagged with a count or not
    snap_m: tuple[float, float] = (0.0, 0.0)  # distance from the asked points to the network
    straight_line: bool = False  # True when estimated without a street network
    note: dict[str, str] = field(default_factory=dict)

    @property
    def has_steps(self) -> bool:
        return self.flights > 0

    def to_geojson(self) -> dict:
        """An RFC 7946 Feature (LineString, lon/lat order)."""
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[p.lon, p.lat] for p in self.geometry]},
            "properties": {
                "length_m": round(self.length_m, 1),
                "duration_s": round(self.duration_s, 1),
                "step_count": self.step_count,
                "flights": self.flights,
                "straight_line": self.straight_line,
            },
        }


class WalkingNetwork(Protocol):
    """What planners need from a walking network (a graph or the straight-line fallback)."""

    straight_line: bool

    def route(self, a: LatLon, b: LatLon, *, step_free: bool = False, metric: Metric = "length") -> Route: ...

    def matrix(self, points: Sequence[LatLon], *, step_free: bool = False, metric: Metric = "time") -> np.ndarray: ...

    def snap(self, p: LatLon, *, step_free: bool = False, max_snap_m: float = MAX_SNAP_M) -> Snap:
        """Where ``p`` joins the network; raises :class:`RouteNotFound` when it cannot (too far, no step-free way)."""
        ...


# ---------------------------------------------------------------------------------------------
class WalkingGraph:
    """The walkable street network of a town (largest connected component).

    Build it with :meth:`from_osm` or :meth:`from_geojson` (the pack's
    ``streets.geojson``), or get the right network for a pack with
    :meth:`for_pack`.
    """

    straight_line = False

    def __init__(
        self,
        edges: list[Edge],
        node_lats: list[float],
        node_lons: list[float],
        *,
        speed_mps: float = WALKING_SPEED_MPS,
        steps_speed_factor: float = STEPS_SPEED_FACTOR,
        landmarks: int = 8,
    ) -> None:
        if not edges:
            raise RouteNotFound("the walking network is empty")
        if not speed_mps > 0 or not 0 < steps_speed_factor <= 1:
            raise ValueError("speed_mps must be > 0 and steps_speed_factor in (0, 1]")
        self._edges = edges
        self.node_lats = node_lats
        self.node_lons = node_lons
        self.speed_mps = float(speed_mps)
        self.steps_speed_factor = float(steps_speed_factor)
        self._adj_cache: dict[tuple[str, bool], search.Adjacency] = {}
        lat0 = (min(node_lats) + max(node_lats)) / 2
        lon0 = (min(node_lons) + max(node_lons)) / 2
        self.projection = LocalProjection(lat0, lon0)
        # unit-sphere positions scaled to metres, for the A* chord heuristic
        la = np.radians(np.asarray(node_lats))
        lo = np.radians(np.asarray(node_lons))
        xyz = np.stack(
            [EARTH_RADIUS_M * np.cos(la) * np.cos(lo), EARTH_RADIUS_M * np.cos(la) * np.sin(lo), EARTH_RADIUS_M * np.sin(la)],
            axis=1,
        )
        self._xyz = tuple(xyz[:, k].tolist() for k in range(3))
        self._index = EdgeIndex(edges, len(node_lats), self.projection)
        self._lm_cache: dict[tuple[str, bool], list] = {}
        self._queries: dict[tuple[str, bool], int] = {}
        self.landmark_count = int(landmarks)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_osm(cls, path: str | os.PathLike, *, bbox: BBox | None = None, **options: float) -> "WalkingGraph":
        """The walking network of an OSM file (PBF, XML or .osm.gz), optionally clipped to ``bbox``.

        Reading the file is the adapter :func:`heritage_kit.routing._osm_ways.osm_street_records`.
        """
        from heritage_kit.routing._osm_ways import osm_street_records

        return cls._build(osm_street_records(path, bbox=bbox), **options)

    @classmethod
    def from_geojson(cls, data: dict, *, source: str = "streets.geojson", **options: float) -> "WalkingGraph":
        """Rebuild the graph from :meth:`to_geojson` output (a pack's ``streets.geojson``).

        Lines join where they share a position (to 1e-7 degree).
        """
        return cls._build(records_from_geojson(data, source=source), **options)

    @classmethod
    def _build(cls, records: list, **options: float) -> "WalkingGraph":
        """Split polylines at junctions, keep the largest connected component."""
        return cls(*build_edges(records), **options)

    def to_geojson(self) -> dict:
        """A FeatureCollection of LineStrings (one per edge) for a pack's ``streets.geojson``.

        Properties: ``highway``, ``length_m``, ``steps``, ``step_count``,
        ``oneway_foot`` (walkable only in the drawing direction), ``name``.
        """
        return edges_to_geojson(self._edges)

    @classmethod
    def for_pack(cls, pack: "ContentPack") -> "WalkingNetwork":
        """The pack's street graph, or the straight-line fallback when it has none (cached on the pack)."""
        return network_for_pack(pack)

    # -- size and introspection -------------------------------------------------------------
    @property
    def node_count(self) -> int:
        return len(self.node_lats)

    @property
    def edge_count(self) -> int:
        return len(self._edges)

    @property
    def length_m(self) -> float:
        return float(sum(e.length for e in self._edges))

    def edges(self) -> Iterable[dict]:
        """Each edge as a dict (u, v, length_m, time_s, steps, oneway) — for tests and oracles."""
        for e in self._edges:
            yield {
                "u": e.u,
                "v": e.v,
                "length_m": e.length,
                "time_s": self._edge_cost(e, "time"),
                "steps": e.steps,
                "ramp": e.ramp,
                "step_count": e.step_count,
                "oneway": e.oneway,
            }

    def node_position(self, n: int) -> LatLon:
        return LatLon(lat=self.node_lats[n], lon=self.node_lons[n])

    def __repr__(self) -> str:
        return f"<WalkingGraph {self.node_count} nodes, {self.edge_count} edges, {self.length_m / 1000:.1f} km>"

    # -- costs, adjacency, snapping --------------------------------------------------------------
    def _edge_cost(self, e: Edge, metric: Metric) -> float:
        if metric == "length":
            return e.length
        speed = self.speed_mps * (self.steps_speed_factor if e.steps else 1.0)
        return e.length / speed

    def _adj(self, metric: Metric, step_free: bool) -> search.Adjacency:
        key = (metric, step_free)
        adj = self._adj_cache.get(key)
        if adj is None:
            adj = [[] for _ in range(self.node_count)]
            for i, e in enumerate(self._edges):
                if e.blocks(step_free) or e.u == e.v:
                    continue
                c = self._edge_cost(e, metric)
                adj[e.u].append((e.v, c, i))
                if not e.oneway:
                    adj[e.v].append((e.u, c, i))
            self._adj_cache[key] = adj
        return adj

    def _landmarks(self, metric: Metric, step_free: bool) -> list:
        """ALT landmarks of one variant (computed once; see :func:`heritage_kit.routing.search.landmarks`)."""
        key = (metric, step_free)
        got = self._lm_cache.get(key)
        if got is None:
            _tree, idx, _lines = self._index.tree(step_free)
            got = search.landmarks(self._adj(metric, step_free), self.node_count, self._edges[idx[0]].u, self.landmark_count)
            self._lm_cache[key] = got
        return got

    def snap(self, p: LatLon, *, step_free: bool = False, max_snap_m: float = MAX_SNAP_M) -> Snap:
        """The nearest point of the network to ``p`` (on an edge, not only at a junction)."""
        return self._index.snap(p, step_free=step_free, max_snap_m=max_snap_m)

    def _seeds(self, s: Snap, metric: Metric) -> list[tuple[int, float]]:
        e = self._edges[s.edge]
        return search.seeds(e, self._edge_cost(e, metric), s)

    def _tails(self, t: Snap, metric: Metric) -> list[tuple[int, float]]:
        e = self._edges[t.edge]
        return search.tails(e, self._edge_cost(e, metric), t)

    def _direct(self, s: Snap, t: Snap, metric: Metric) -> float | None:
        e = self._edges[s.edge]
        return search.direct(e, self._edge_cost(e, metric), s, t)

    # -- public queries ------------------------------------------------------------------------
    def route(
        self,
        a: LatLon,
        b: LatLon,
        *,
        step_free: bool = False,
        metric: Metric = "length",
        max_snap_m: float = MAX_SNAP_M,
    ) -> Route:
        """The shortest walking route from ``a`` to ``b`` (by length, or by time with ``metric="time"``).

        ``step_free=True`` avoids every flight of steps, or raises
        :class:`RouteNotFound` when no step-free route exists.
        """
        if metric not in ("length", "time"):
            raise ValueError("metric must be 'length' or 'time'")
        a, b = as_latlon(a), as_latlon(b)
        s = self.snap(a, step_free=step_free, max_snap_m=max_snap_m)
        t = self.snap(b, step_free=step_free, max_snap_m=max_snap_m)
        adj = self._adj(metric, step_free)
        tla, tlo = math.radians(t.lat), math.radians(t.lon)
        target_xyz = (
            EARTH_RADIUS_M * math.cos(tla) * math.cos(tlo),
            EARTH_RADIUS_M * math.cos(tla) * math.sin(tlo),
            EARTH_RADIUS_M * math.sin(tla),
        )
        direct = self._direct(s, t, metric)
        # Landmarks pay off after a few queries (their set-up is ~2 x landmarks Dijkstra runs).
        key = (metric, step_free)
        self._queries[key] = self._queries.get(key, 0) + 1
        use_lm = self.landmark_count > 0 and self._queries[key] > LANDMARKS_AFTER
        lms = self._landmarks(metric, step_free) if use_lm else ()
        scale = 1.0 if metric == "length" else 1.0 / (self.speed_mps)  # fastest speed: flat walking
        best, tail_node, pred = search.astar(
            self._seeds(s, metric), self._tails(t, metric), target_xyz, adj, self._xyz, scale, lms, self._seeds(t, metric)
        )
        if direct is not None and direct <= best:
            pieces = [(s.edge, s.offset, t.offset)]  # along the shared edge
        elif tail_node < 0:
            raise RouteNotFound(
                f"no {'step-free ' if step_free else ''}walking route from {a.lat:.6f}, {a.lon:.6f} "
                f"to {b.lat:.6f}, {b.lon:.6f}"
            )
        else:
            pieces = search.route_pieces(self._edges, s, t, tail_node, pred)
        return self._assemble(pieces, a, b, s, t, step_free=step_free)

    def _assemble(self, pieces, a: LatLon, b: LatLon, s: Snap, t: Snap, *, step_free: bool = False) -> Route:
        coords: list[tuple[float, float]] = []
        length = 0.0
        duration = 0.0
        steps = 0
        flights = 0
        for ei, frm, to in pieces:
            e = self._edges[ei]
            part = abs(to - frm)
            if part <= 0 and e.length > 0:
                continue
            length += part
            duration += self._edge_cost(e, "time") * (part / e.length if e.length else 0.0)
            if e.steps and part > 0 and not (step_free and e.ramp):  # by the ramp on step-free routes
                flights += 1
                if e.step_count:
                    steps += max(1, round(e.step_count * part / e.length)) if e.length else e.step_count
            for la, lo in search.cut(e, frm, to):
                if not coords or coords[-1] != (la, lo):
                    coords.append((la, lo))
        if not coords:
            coords = [(s.lat, s.lon)]
        if len(coords) == 1:
            coords.append(coords[0])
        return Route(
            length_m=length,
            duration_s=duration,
            geometry=tuple(LatLon.model_construct(lat=la, lon=lo) for la, lo in coords),  # valid: graph data
            start=LatLon(lat=s.lat, lon=s.lon),
            end=LatLon(lat=t.lat, lon=t.lon),
            step_count=steps,
            flights=flights,
            snap_m=(s.dist, t.dist),
        )

    def matrix(
        self,
        points: Sequence[LatLon],
        *,
        step_free: bool = False,
        metric: Metric = "time",
        max_snap_m: float = MAX_SNAP_M,
    ) -> np.ndarray:
        """All-pairs walking times in seconds (or lengths in metres with ``metric="length"``).

        One one-to-many Dijkstra per point (stopped once every target is
        settled), not N² point queries. Unreachable pairs are ``inf``.
        """
        pts = [as_latlon(p) for p in points]
        n = len(pts)
        out = np.zeros((n, n))
        if n == 0:
            return out
        snaps = [self.snap(p, step_free=step_free, max_snap_m=max_snap_m) for p in pts]
        adj = self._adj(metric, step_free)
        tails = [self._tails(t, metric) for t in snaps]
        need = {node for tl in tails for node, _ in tl}
        for i, s in enumerate(snaps):
            dist = search.dijkstra(self._seeds(s, metric), adj, need)
            for j, t in enumerate(snaps):
                if i == j:
                    continue
                best = math.inf
                for node, c in tails[j]:
                    d = dist.get(node)
                    if d is not None and d + c < best:
                        best = d + c
                direct = self._direct(s, t, metric)
                if direct is not None and direct < best:
                    best = direct
                out[i, j] = best
        return out


class StraightLineNetwork:
    """The fallback when a pack has no streets: straight lines × a detour factor, and it says so."""

    straight_line = True

    def __init__(self, *, detour_factor: float = DETOUR_FACTOR, speed_mps: float = WALKING_SPEED_MPS) -> None:
        if detour_factor < 1 or speed_mps <= 0:
            raise ValueError("detour_factor must be >= 1 and speed_mps > 0")
        self.detour_factor = float(detour_factor)
        self.speed_mps = float(speed_mps)
        self.note = {lang: text("routing.straight_line", lang, f=self.detour_factor) for lang in ("en", "fr")}

    def route(self, a: LatLon, b: LatLon, *, step_free: bool = False, metric: Metric = "length", **_: Any) -> Route:
        a, b = as_latlon(a), as_latlon(b)
        d = float(haversine_m(a.lat, a.lon, b.lat, b.lon)) * self.detour_factor
        return Route(
            length_m=d,
            duration_s=d / self.speed_mps,
            geometry=(a, b),
            start=a,
            end=b,
            straight_line=True,
            note=dict(self.note),
        )

    def matrix(self, points: Sequence[LatLon], *, step_free: bool = False, metric: Metric = "time", **_: Any) -> np.ndarray:
        pts = [as_latlon(p) for p in points]
        lat = np.array([p.lat for p in pts])
        lon = np.array([p.lon for p in pts])
        if not len(pts):
            return np.zeros((0, 0))
        d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * self.detour_factor
        d = np.atleast_2d(d)
        return d if metric == "length" else d / self.speed_mps

    def snap(self, p: LatLon, *, step_free: bool = False, max_snap_m: float = MAX_SNAP_M) -> Snap:
        """Every point is on a straight-line network: the point itself (no edge, 0 m away)."""
        p = as_latlon(p)
        return Snap(edge=-1, offset=0.0, lat=p.lat, lon=p.lon, dist=0.0)

    def __repr__(self) -> str:
        return f"<StraightLineNetwork × {self.detour_factor}>"


def network_for_pack(pack: "ContentPack") -> WalkingNetwork:
    """The pack's street graph, or :class:`StraightLineNetwork` when it has none (cached on the pack)."""
    def build() -> WalkingNetwork:
        if pack.streets:
            return WalkingGraph.from_geojson(pack.streets, source=f"{pack.source or pack.manifest.town_id}: streets.geojson")
        return StraightLineNetwork()

    return pack.derived("walking_network", build)
