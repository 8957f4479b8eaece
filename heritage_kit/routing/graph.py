"""The walking network: a pure graph, exact shortest routes, snapping, matrices.

:class:`WalkingGraph` holds foot-accessible street segments (edges between
junctions, with their full geometry). Routes are exact: A* with a consistent
heuristic (the straight 3-D chord to the target, which never exceeds the
walking distance) returns Dijkstra's optimum; tests check them against
networkx on the same graph. Points are snapped onto the nearest *edge* (a
shapely STRtree in a local metric projection), not the nearest node, and
routes start and end part-way along those edges.

Walking speed: :data:`WALKING_SPEED_MPS` (1.25 m/s, 4.5 km/h, a relaxed
town-visit pace); steps are walked at :data:`STEPS_SPEED_FACTOR` (half) that
speed. Packs without streets fall back to :class:`StraightLineNetwork`:
straight lines times :data:`DETOUR_FACTOR` (1.3, the usual ratio of walking
to crow-fly distance in European town centres), and every route says so.
"""

from __future__ import annotations

import heapq
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, Protocol, Sequence

import numpy as np

from heritage_kit.errors import RouteNotFound, SourceDataError
from heritage_kit.geo import EARTH_RADIUS_M, LocalProjection, haversine_m
from heritage_kit.types import BBox, LatLon

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.packs import ContentPack

__all__ = [
    "WALKING_SPEED_MPS",
    "STEPS_SPEED_FACTOR",
    "DETOUR_FACTOR",
    "MAX_SNAP_M",
    "Route",
    "WalkingNetwork",
    "WalkingGraph",
    "StraightLineNetwork",
    "network_for_pack",
]

WALKING_SPEED_MPS = 1.25
STEPS_SPEED_FACTOR = 0.5
DETOUR_FACTOR = 1.3
MAX_SNAP_M = 1000.0
ACTIVE_LANDMARKS = 3  # landmarks used per query (the best at its start)
LANDMARKS_AFTER = 16  # route queries on one graph variant before ALT landmarks are built
STRAIGHT_LINE_NOTE = {
    "en": "This town's pack has no street network: distances are straight lines × {f} (estimate).",
    "fr": "Le pack de cette ville n'a pas de réseau de rues : distances à vol d'oiseau × {f} (estimation).",
}

Metric = Literal["length", "time"]


def _as_latlon(p: Any) -> LatLon:
    if isinstance(p, LatLon):
        return p
    if isinstance(p, dict):
        return LatLon(**p)
    if hasattr(p, "lat") and hasattr(p, "lon"):
        return LatLon(lat=p.lat, lon=p.lon)
    raise TypeError(f"expected a LatLon (named lat/lon), got {type(p).__name__}")


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


# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Edge:
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


@dataclass(slots=True)
class _Snap:
    edge: int
    offset: float  # metres from edge.u along the edge
    lat: float
    lon: float
    dist: float  # metres from the asked point


def _cumlen(lats: Sequence[float], lons: Sequence[float]) -> list[float]:
    la = np.asarray(lats, dtype=float)
    lo = np.asarray(lons, dtype=float)
    seg = haversine_m(la[:-1], lo[:-1], la[1:], lo[1:])
    return [0.0, *np.cumsum(np.atleast_1d(seg)).tolist()]


class WalkingGraph:
    """The walkable street network of a town (largest connected component).

    Build it with :meth:`from_osm` or :meth:`from_geojson` (the pack's
    ``streets.geojson``), or get the right network for a pack with
    :meth:`for_pack`.
    """

    straight_line = False

    def __init__(
        self,
        edges: list[_Edge],
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
        self._adj_cache: dict[tuple[str, bool], list[list[tuple[int, float, int]]]] = {}
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
        self._xs, self._ys, self._zs = (xyz[:, k].tolist() for k in range(3))
        self._trees: dict[bool, tuple[Any, list[int]]] = {}
        self._lm_cache: dict[tuple[str, bool], list] = {}
        self._queries: dict[tuple[str, bool], int] = {}
        self.landmark_count = int(landmarks)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_osm(cls, path: str | os.PathLike, *, bbox: BBox | None = None, **options: float) -> "WalkingGraph":
        """The walking network of an OSM file (PBF, XML or .osm.gz), optionally clipped to ``bbox``."""
        from heritage_kit.routing._osm_ways import read_osm_ways

        ways = read_osm_ways(path, bbox=bbox)
        if not ways:
            raise SourceDataError(f"{os.fspath(path)}: no walkable way" + (" inside the bbox" if bbox else ""))
        records = [
            (w.node_ids, w.lats, w.lons, w.oneway, dict(highway=w.highway, steps=w.steps, step_count=w.step_count, name=w.name, ramp=w.ramp))
            for w in ways
        ]
        return cls._build(records, **options)

    @classmethod
    def from_geojson(cls, data: dict, *, source: str = "streets.geojson", **options: float) -> "WalkingGraph":
        """Rebuild the graph from :meth:`to_geojson` output (a pack's ``streets.geojson``).

        Lines join where they share a position (to 1e-7 degree).
        """
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
            raise SourceDataError(f"{source}: must be a GeoJSON FeatureCollection with a 'features' list")
        records = []
        for i, feat in enumerate(data["features"]):
            where = f"{source}: feature #{i}"
            if not isinstance(feat, dict):
                raise SourceDataError(f"{where}: not an object")
            geom = feat.get("geometry") or {}
            props = feat.get("properties") or {}
            if geom.get("type") != "LineString":
                raise SourceDataError(f"{where}, field geometry.type: must be LineString, not {geom.get('type')!r}")
            coords = geom.get("coordinates")
            if not isinstance(coords, list) or len(coords) < 2:
                raise SourceDataError(f"{where}, field geometry.coordinates: needs at least two positions")
            lats, lons, keys = [], [], []
            for pos in coords:
                if (
                    not isinstance(pos, (list, tuple))
                    or len(pos) < 2
                    or not all(isinstance(c, (int, float)) and math.isfinite(c) for c in pos[:2])
                    or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90)
                ):
                    raise SourceDataError(f"{where}, field geometry.coordinates: bad position {pos!r} (want [lon, lat])")
                lon, lat = float(pos[0]), float(pos[1])
                key = (round(lat * 1e7), round(lon * 1e7))
                if keys and keys[-1] == key:
                    continue
                lats.append(lat)
                lons.append(lon)
                keys.append(key)
            if len(keys) < 2:
                continue  # a degenerate line of one repeated position carries no path
            for flag in ("steps", "oneway_foot", "wheelchair_ramp"):
                if props.get(flag) is not None and not isinstance(props.get(flag), bool):
                    raise SourceDataError(f"{where}, field properties.{flag}: must be true or false, not {props.get(flag)!r}")
            sc = props.get("step_count")
            if sc is not None and (not isinstance(sc, int) or isinstance(sc, bool) or sc < 0):
                raise SourceDataError(f"{where}, field properties.step_count: must be a whole number, not {sc!r}")
            records.append(
                (
                    keys,
                    lats,
                    lons,
                    1 if props.get("oneway_foot") else 0,
                    dict(
                        highway=str(props.get("highway") or "footway"),
                        steps=bool(props.get("steps")),
                        ramp=bool(props.get("wheelchair_ramp")),
                        step_count=sc,
                        name=props.get("name") if isinstance(props.get("name"), str) else None,
                    ),
                )
            )
        if not records:
            raise SourceDataError(f"{source}: no street line")
        return cls._build(records, **options)

    @classmethod
    def _build(cls, records: list, **options: float) -> "WalkingGraph":
        """Split polylines at junctions, keep the largest connected component."""
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

        raw: list[_Edge] = []
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
                total = _cumlen(lats, lons)[-1]
            for a, b in pieces:
                la, lo = list(lats[a : b + 1]), list(lons[a : b + 1])
                cum = _cumlen(la, lo)
                sc = attrs["step_count"]
                if sc and total:
                    sc = max(1, round(sc * cum[-1] / total)) if total > 0 else sc
                raw.append(
                    _Edge(
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
        parent = list(range(len(lats_n)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for e in raw:
            ru, rv = find(e.u), find(e.v)
            if ru != rv:
                parent[ru] = rv
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
        return cls(keep, nl, no, **options)

    def to_geojson(self) -> dict:
        """A FeatureCollection of LineStrings (one per edge) for a pack's ``streets.geojson``.

        Properties: ``highway``, ``length_m``, ``steps``, ``step_count``,
        ``oneway_foot`` (walkable only in the drawing direction), ``name``.
        """
        feats = []
        for e in self._edges:
            props: dict[str, Any] = {"highway": e.highway, "length_m": round(e.length, 2)}
            if e.steps:
                props["steps"] = True
                if e.step_count:
                    props["step_count"] = e.step_count
                if e.ramp:
                    props["wheelchair_ramp"] = True
            if e.oneway:
                props["oneway_foot"] = True
            if e.name:
                props["name"] = e.name
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[round(lo, 7), round(la, 7)] for la, lo in zip(e.lats, e.lons)],
                    },
                    "properties": props,
                }
            )
        return {"type": "FeatureCollection", "features": feats}

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

    # -- costs and adjacency ----------------------------------------------------------------
    def _edge_cost(self, e: _Edge, metric: Metric) -> float:
        if metric == "length":
            return e.length
        speed = self.speed_mps * (self.steps_speed_factor if e.steps else 1.0)
        return e.length / speed

    def _adj(self, metric: Metric, step_free: bool) -> list[list[tuple[int, float, int]]]:
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

    def _landmarks(self, metric: Metric, step_free: bool):
        """ALT landmarks: distances from and to a few far-apart nodes (computed once per variant).

        For a target T, ``d(v, T) >= d(L, T) - d(L, v)`` and ``d(v, T) >= d(v, L) - d(T, L)``:
        lower bounds that keep A* exact and let it settle far fewer nodes.
        """
        key = (metric, step_free)
        got = self._lm_cache.get(key)
        if got is not None:
            return got
        adj = self._adj(metric, step_free)
        radj: list[list[tuple[int, float, int]]] = [[] for _ in range(self.node_count)]
        for u, lst in enumerate(adj):
            for v, w, ei in lst:
                radj[v].append((u, w, ei))
        _tree, idx, _lines = self._tree(step_free)
        first = self._edges[idx[0]].u
        inf = math.inf
        mind = [inf] * self.node_count
        d0 = self._dijkstra([(first, 0.0)], adj, None)
        cur = max(d0, key=d0.__getitem__)
        out = []
        for _ in range(self.landmark_count):
            fwd = self._dijkstra([(cur, 0.0)], adj, None)
            bwd = self._dijkstra([(cur, 0.0)], radj, None)
            fl = [inf] * self.node_count
            tl = [inf] * self.node_count
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
        self._lm_cache[key] = out
        return out

    # -- snapping ------------------------------------------------------------------------------
    def _tree(self, step_free: bool):
        got = self._trees.get(step_free)
        if got is None:
            from shapely import STRtree
            from shapely.geometry import LineString

            idx = [i for i, e in enumerate(self._edges) if not e.blocks(step_free)]
            if step_free:
                idx = self._main_component(idx)
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

    def _main_component(self, idx: list[int]) -> list[int]:
        """The edges of ``idx`` in its largest connected component.

        Without steps the network may split into pockets (a terrace reached
        only by stairs); step-free routes start and end in the main part.
        """
        parent = list(range(self.node_count))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for i in idx:
            e = self._edges[i]
            ru, rv = find(e.u), find(e.v)
            if ru != rv:
                parent[ru] = rv
        sizes: dict[int, float] = {}
        for i in idx:
            r = find(self._edges[i].u)
            sizes[r] = sizes.get(r, 0.0) + self._edges[i].length
        best = max(sizes, key=sizes.__getitem__)
        return [i for i in idx if find(self._edges[i].u) == best]

    def snap(self, p: LatLon, *, step_free: bool = False, max_snap_m: float = MAX_SNAP_M) -> _Snap:
        """The nearest point of the network to ``p`` (on an edge, not only at a junction)."""
        from shapely.geometry import Point

        p = _as_latlon(p)
        tree, idx, lines = self._tree(step_free)
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
        return _Snap(edge=ei, offset=float(offset), lat=float(lat), lon=float(lon), dist=dist)

    def _seeds(self, s: _Snap, metric: Metric) -> list[tuple[int, float]]:
        """Nodes reachable from a snapped start, with the cost of the partial edge."""
        e = self._edges[s.edge]
        c = self._edge_cost(e, metric)
        L = e.length
        f = 0.0 if L == 0 else s.offset / L
        seeds = [(e.v, c * (1 - f))]
        if not e.oneway:
            seeds.append((e.u, c * f))
        return seeds

    def _tails(self, t: _Snap, metric: Metric) -> list[tuple[int, float]]:
        """Nodes from which a snapped target is reached, with the cost of the partial edge."""
        e = self._edges[t.edge]
        c = self._edge_cost(e, metric)
        L = e.length
        f = 0.0 if L == 0 else t.offset / L
        tails = [(e.u, c * f)]
        if not e.oneway:
            tails.append((e.v, c * (1 - f)))
        return tails

    def _direct(self, s: _Snap, t: _Snap, metric: Metric) -> float | None:
        """Cost of walking straight along a shared edge, if allowed."""
        if s.edge != t.edge:
            return None
        e = self._edges[s.edge]
        if e.oneway and t.offset < s.offset:
            return None
        L = e.length
        return 0.0 if L == 0 else self._edge_cost(e, metric) * abs(t.offset - s.offset) / L

    # -- searches ------------------------------------------------------------------------------
    def _astar(self, seeds, tails, target_xyz, adj, metric: Metric, lms=(), out_of_target=()):
        """A* from seed nodes to a virtual target reached through ``tails``. Returns (cost, tail_node, pred).

        The heuristic is the larger of the straight chord and the ALT landmark bounds.
        """
        xs, ys, zs = self._xs, self._ys, self._zs
        tx, ty, tz = target_xyz
        scale = 1.0 if metric == "length" else 1.0 / (self.speed_mps)  # fastest speed: flat walking
        scale *= 1.0 - 1e-9
        sqrt = math.sqrt
        tail_of: dict[int, float] = {}
        for n, c in tails:
            if n not in tail_of or c < tail_of[n]:
                tail_of[n] = c
        N = self.node_count
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

    def _dijkstra(self, seeds, adj, need: set[int] | None) -> dict[int, float]:
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
        a, b = _as_latlon(a), _as_latlon(b)
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
        best, tail_node, pred = self._astar(
            self._seeds(s, metric), self._tails(t, metric), target_xyz, adj, metric, lms, self._seeds(t, metric)
        )
        if direct is not None and direct <= best:
            pieces = [(s.edge, s.offset, t.offset)]  # along the shared edge
        elif tail_node < 0:
            raise RouteNotFound(
                f"no {'step-free ' if step_free else ''}walking route from {a.lat:.6f}, {a.lon:.6f} "
                f"to {b.lat:.6f}, {b.lon:.6f}"
            )
        else:
            chain = []  # (edge, from node) from the first graph node to ``tail_node``
            n = tail_node
            while True:
                u, ei = pred[n]
                if u < 0:
                    break
                chain.append((ei, u))
                n = u
            chain.reverse()
            # pieces are (edge, from offset, to offset) in metres along the edge's drawing
            pieces = [(s.edge, s.offset, self._exit_offset(s, n))]
            for ei, u in chain:
                e = self._edges[ei]
                pieces.append((ei, 0.0, e.length) if e.u == u else (ei, e.length, 0.0))
            pieces.append((t.edge, self._entry_offset(t, tail_node), t.offset))
        return self._assemble(pieces, a, b, s, t, step_free=step_free)

    def _exit_offset(self, s: _Snap, node: int) -> float:
        """Where a route leaving the snapped start ``s`` towards ``node`` leaves its edge (0 or length)."""
        e = self._edges[s.edge]
        if e.u != e.v:
            return 0.0 if node == e.u else e.length
        # a closed loop edge: forwards if one-way, else by the shorter side
        return e.length if e.oneway or s.offset > e.length - s.offset else 0.0

    def _entry_offset(self, t: _Snap, node: int) -> float:
        """Where a route arriving from ``node`` enters the snapped target's edge (0 or length)."""
        e = self._edges[t.edge]
        if e.u != e.v:
            return 0.0 if node == e.u else e.length
        return 0.0 if e.oneway or t.offset <= e.length - t.offset else e.length

    def _assemble(self, pieces, a: LatLon, b: LatLon, s: _Snap, t: _Snap, *, step_free: bool = False) -> Route:
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
            for la, lo in _cut(e, frm, to):
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
        pts = [_as_latlon(p) for p in points]
        n = len(pts)
        out = np.zeros((n, n))
        if n == 0:
            return out
        snaps = [self.snap(p, step_free=step_free, max_snap_m=max_snap_m) for p in pts]
        adj = self._adj(metric, step_free)
        tails = [self._tails(t, metric) for t in snaps]
        need = {node for tl in tails for node, _ in tl}
        for i, s in enumerate(snaps):
            dist = self._dijkstra(self._seeds(s, metric), adj, need)
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


def _cut(e: _Edge, frm: float, to: float) -> list[tuple[float, float]]:
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


class StraightLineNetwork:
    """The fallback when a pack has no streets: straight lines × a detour factor, and it says so."""

    straight_line = True

    def __init__(self, *, detour_factor: float = DETOUR_FACTOR, speed_mps: float = WALKING_SPEED_MPS) -> None:
        if detour_factor < 1 or speed_mps <= 0:
            raise ValueError("detour_factor must be >= 1 and speed_mps > 0")
        self.detour_factor = float(detour_factor)
        self.speed_mps = float(speed_mps)
        self.note = {k: v.format(f=self.detour_factor) for k, v in STRAIGHT_LINE_NOTE.items()}

    def route(self, a: LatLon, b: LatLon, *, step_free: bool = False, metric: Metric = "length", **_: Any) -> Route:
        a, b = _as_latlon(a), _as_latlon(b)
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
        pts = [_as_latlon(p) for p in points]
        lat = np.array([p.lat for p in pts])
        lon = np.array([p.lon for p in pts])
        if not len(pts):
            return np.zeros((0, 0))
        d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * self.detour_factor
        d = np.atleast_2d(d)
        return d if metric == "length" else d / self.speed_mps

    def __repr__(self) -> str:
        return f"<StraightLineNetwork × {self.detour_factor}>"


def network_for_pack(pack: "ContentPack") -> WalkingNetwork:
    """The pack's street graph, or :class:`StraightLineNetwork` when it has none (cached on the pack)."""
    def build() -> WalkingNetwork:
        if pack.streets:
            return WalkingGraph.from_geojson(pack.streets, source=f"{pack.source or pack.manifest.town_id}: streets.geojson")
        return StraightLineNetwork()

    return pack.derived("walking_network", build)
