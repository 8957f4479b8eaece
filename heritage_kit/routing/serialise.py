"""Pure: a walking graph's edges to and from a pack's ``streets.geojson`` (an RFC 7946 FeatureCollection).

:func:`records_from_geojson` validates the document (a clear error naming the
source, feature and field) and returns records for
:func:`heritage_kit.routing._build.build_edges`; :func:`edges_to_geojson`
writes one LineString per edge. Lines join where they share a position (to
1e-7 degree).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from heritage_kit.errors import SourceDataError
from heritage_kit.routing._build import Edge

__all__ = ["records_from_geojson", "edges_to_geojson"]


def records_from_geojson(data: dict, *, source: str = "streets.geojson") -> list:
    """The street records of a ``streets.geojson`` document (see :mod:`heritage_kit.routing._build`)."""
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
    return records


def edges_to_geojson(edges: Iterable[Edge]) -> dict:
    """A FeatureCollection of LineStrings (one per edge).

    Properties: ``highway``, ``length_m``, ``steps``, ``step_count``,
    ``wheelchair_ramp``, ``oneway_foot`` (walkable only in the drawing direction), ``name``.
    """
    feats = []
    for e in edges:
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
