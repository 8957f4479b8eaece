"""Shops housed in listed buildings: which monument a shop's point lies in (``POI.housed_in``).

Computed at pack build (heritage_kit.packs.build), pure (no I/O): a shop (``kind == "commerce"``) is housed in
a monument when its point lies inside

* the monument's own footprint (``POI.footprint``: the OSM outline merged into a Mérimée record), or
* the mapped building (a basemap ``building`` polygon, :mod:`heritage_kit.basemap`) that contains the
  monument's point, for a monument known only as a point (most Mérimée records).

``hosts="listed"`` (the default) takes only protected monuments (a Mérimée reference or a ``heritage``
protection); ``"heritage"`` also every heritage POI of a building category (:data:`BUILDING_CATEGORIES`: a
church, a museum, a theatre…; not a garden, a square, a statue or a beach, whose outline is no building). When several contain the point, the smallest wins (a chapel
inside a listed abbey's precinct). A shop that already names its ``housed_in`` (set by the town) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from heritage_kit.models.poi import POI

__all__ = ["HOSTS", "BUILDING_CATEGORIES", "housed_in", "apply_housed_in", "basemap_buildings", "is_listed"]

HOSTS = ("listed", "heritage", "off")
BUILDING_CATEGORIES = frozenset({
    "castle", "palace", "fort", "church", "cathedral", "chapel", "place_of_worship", "monastery", "museum",
    "gallery", "building", "house", "town_gate", "tower", "theatre",
})
Hosts = Literal["listed", "heritage", "off"]


def is_listed(poi: POI) -> bool:
    """A protected monument: a Mérimée reference, or a ``heritage.protection``."""
    return poi.kind == "heritage" and (
        poi.refs.merimee is not None or (poi.heritage is not None and poi.heritage.protection is not None)
    )


def basemap_buildings(basemap: dict[str, Any] | None) -> list[Any]:
    """The building polygons of a pack's basemap document, as shapely geometries (lon, lat)."""
    from shapely.geometry import shape

    if not basemap:
        return []
    out = []
    for f in basemap.get("features") or ():
        props = f.get("properties") or {}
        geom = f.get("geometry") or {}
        if props.get("layer") == "building" and geom.get("type") in ("Polygon", "MultiPolygon"):
            out.append(shape(geom))
    return out


def housed_in(pois: Sequence[POI], *, buildings: Iterable[Any] = (), hosts: Hosts = "listed") -> dict[str, str]:
    """Shop id -> the id of the monument it lies in (see the module docstring)."""
    import shapely
    from shapely import STRtree
    from shapely.geometry import Point

    if hosts == "off":
        return {}
    if hosts not in HOSTS:
        raise ValueError(f"hosts must be one of {', '.join(HOSTS)}, got {hosts!r}")
    candidates = [p for p in pois if is_listed(p)
                  or (hosts == "heritage" and p.kind == "heritage" and BUILDING_CATEGORIES.intersection(p.categories))]
    if not candidates:
        return {}
    blds = list(buildings)
    btree = STRtree(blds) if blds else None
    shapes: list[Any] = []
    owners: list[str] = []
    for p in candidates:
        geom = None
        if p.footprint is not None:
            geom = p.footprint.shape()
        elif btree is not None:
            pt = Point(p.lon, p.lat)
            inside = [blds[i] for i in btree.query(pt, predicate="within")]
            if inside:
                geom = min(inside, key=lambda g: g.area)
        if geom is not None and not geom.is_empty:
            shapely.prepare(geom)
            shapes.append(geom)
            owners.append(p.id)
    if not shapes:
        return {}
    tree = STRtree(shapes)
    out: dict[str, str] = {}
    for p in pois:
        if p.kind != "commerce":
            continue
        hits = tree.query(Point(p.lon, p.lat), predicate="within")
        if len(hits):
            best = min(hits, key=lambda i: (shapes[i].area, owners[i]))
            out[p.id] = owners[best]
    return out


def apply_housed_in(pois: Sequence[POI], links: dict[str, str]) -> list[POI]:
    """``pois`` with ``housed_in`` set from ``links`` (a POI that already names one keeps it)."""
    return [p.model_copy(update={"housed_in": links[p.id]}) if p.id in links and p.housed_in is None else p
            for p in pois]
