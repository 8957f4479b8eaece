"""The walking network from ways given as plain values, such as an Overpass API answer.

:meth:`WalkingGraph.from_osm` reads OSM files through osmium; a pack built
from Overpass has no file, only JSON. This module builds the same graph from
``(way id, tags, [(lat, lon), …])`` values, with the foot rule set of
:mod:`heritage_kit.routing._osm_ways` (the same ``is_walkable``, ``oneway:foot``
and steps rules), without any file or network I/O:

* :func:`graph_from_ways` — any iterable of such ways;
* :func:`overpass_ways` — those ways out of an Overpass ``[out:json]`` answer
  printed with ``out geom`` (each way carries its ``geometry``);
* :func:`graph_from_overpass` — both together.

The graph is built through :meth:`WalkingGraph.from_geojson` (the public
constructor a pack's ``streets.geojson`` uses), so lines join where they share
a position. As in :func:`~heritage_kit.routing._osm_ways.read_osm_ways`, a way
leaving ``bbox`` is cut into the runs inside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from heritage_kit.errors import SourceDataError
from heritage_kit.routing._osm_ways import _step_count, _way_oneway, is_walkable
from heritage_kit.routing.graph import WalkingGraph
from heritage_kit.types import BBox

__all__ = ["graph_from_ways", "overpass_ways", "graph_from_overpass", "street_features"]

Way = tuple[int, Mapping[str, str], Sequence[tuple[float, float]]]


def _runs(coords: Sequence[tuple[float, float]], bbox: BBox | None) -> list[list[tuple[float, float]]]:
    """The runs of at least two distinct consecutive positions inside ``bbox`` (a NaN position is a gap)."""
    runs: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for lat, lon in coords:
        if not (math.isfinite(lat) and math.isfinite(lon)) or (bbox is not None and not bbox.contains(lat, lon)):
            if len(run) >= 2:
                runs.append(run)
            run = []
        elif not run or run[-1] != (lat, lon):
            run.append((lat, lon))
    if len(run) >= 2:
        runs.append(run)
    return runs


def street_features(ways: Iterable[Way], *, bbox: BBox | None = None) -> list[dict]:
    """GeoJSON LineString features (the ``streets.geojson`` properties) of the walkable ``ways``."""
    feats: list[dict] = []
    for way_id, tags, coords in ways:
        tags = dict(tags)
        if not is_walkable(tags):
            continue
        oneway = _way_oneway(tags)
        props: dict[str, Any] = {"highway": tags["highway"], "osm_way": int(way_id)}
        if tags["highway"] == "steps":
            props["steps"] = True
            count = _step_count(tags.get("step_count"))
            if count:
                props["step_count"] = count
            if tags.get("ramp:wheelchair") == "yes":
                props["wheelchair_ramp"] = True
        if oneway:
            props["oneway_foot"] = True
        if tags.get("name"):
            props["name"] = tags["name"]
        for run in _runs(coords, bbox):
            if oneway == -1:
                run = run[::-1]  # walkable against the drawing: drawn the way one may walk
            feats.append({"type": "Feature", "properties": props,
                          "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in run]}})
    return feats


def graph_from_ways(ways: Iterable[Way], *, bbox: BBox | None = None, source: str = "ways",
                    **options: float) -> WalkingGraph:
    """The walking graph of ``(way id, tags, [(lat, lon), …])`` values (largest connected part)."""
    feats = street_features(ways, bbox=bbox)
    if not feats:
        raise SourceDataError(f"{source}: no walkable way" + (" inside the bbox" if bbox else ""))
    return WalkingGraph.from_geojson({"type": "FeatureCollection", "features": feats}, source=source, **options)


def _position(p: Any, where: str) -> tuple[float, float]:
    if not isinstance(p, Mapping):
        raise SourceDataError(f"{where}, field geometry: a position must be an object with lat and lon, not {p!r}")
    lat, lon = p.get("lat"), p.get("lon")
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon))
    if not ok or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SourceDataError(f"{where}, field geometry: bad position {p!r}")
    return float(lat), float(lon)


def overpass_ways(doc: Mapping[str, Any], *, source: str = "overpass") -> Iterator[Way]:
    """The ``highway`` ways of an Overpass JSON answer with their ``out geom`` geometry.

    A ``highway`` way without a ``geometry`` list (an answer printed with
    ``out body`` rather than ``out geom``) is a clear error naming the way.
    """
    elements = doc.get("elements") if isinstance(doc, Mapping) else None
    if not isinstance(elements, list):
        raise SourceDataError(f"{source}: not an Overpass JSON answer (no 'elements' list)")
    for el in elements:
        if not isinstance(el, Mapping) or el.get("type") != "way":
            continue
        tags = el.get("tags")
        if not isinstance(tags, Mapping) or "highway" not in tags:
            continue
        where = f"{source}: way/{el.get('id')}"
        if not isinstance(el.get("id"), int):
            raise SourceDataError(f"{where}, field id: must be an integer")
        geom = el.get("geometry")
        if not isinstance(geom, list):
            raise SourceDataError(f"{where}, field geometry: missing (the query must print 'out geom')")
        # Overpass prints null for a node outside a clipped 'out geom(bbox)': that is a gap in the way
        coords = [_position(p, where) if p is not None else (math.nan, math.nan) for p in geom]
        yield el["id"], {str(k): str(v) for k, v in tags.items()}, coords


def graph_from_overpass(docs: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, bbox: BBox | None = None,
                        source: str = "overpass", **options: float) -> WalkingGraph:
    """The walking graph of one Overpass answer or several (a way in two answers is kept once)."""
    if isinstance(docs, Mapping):
        docs = [docs]
    seen: set[int] = set()

    def ways() -> Iterator[Way]:
        for doc in docs:
            for way in overpass_ways(doc, source=source):
                if way[0] not in seen:
                    seen.add(way[0])
                    yield way

    return graph_from_ways(ways(), bbox=bbox, source=source, **options)
