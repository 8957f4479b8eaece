"""What printed and web maps draw from a pack, indexed by bounding box (pure).

:func:`street_lines` (streets.geojson) and :func:`basemap_areas` (basemap.geojson's sea, water, parks, squares and
buildings, in drawing order) give a :class:`Boxed` collection whose ``in_box`` / ``near`` cut a map's surroundings
with one vectorised box test; both are built once per pack and reused for every page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.packs import ContentPack

__all__ = ["Boxed", "street_lines", "basemap_areas", "AREA_LAYERS"]

AREA_LAYERS = ("sea", "water", "park", "pedestrian", "building")
Ring = tuple[tuple[float, float], ...]  # (lat, lon)
T = TypeVar("T")


class Boxed(Generic[T]):
    """Items with the (south, west, north, east) box of their points; order is kept."""

    def __init__(self, items: list[tuple[T, Ring]]) -> None:
        self.items = [item for item, _ in items]
        boxes = [(min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
                 for _, pts in items]
        self.boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)

    def in_box(self, box: tuple[float, float, float, float]) -> list[T]:
        s, w, n, e = box
        b = self.boxes
        hit = (b[:, 0] <= n) & (b[:, 2] >= s) & (b[:, 1] <= e) & (b[:, 3] >= w)
        return [self.items[i] for i in np.flatnonzero(hit)]

    def near(self, lat: float, lon: float, pad: float = 0.0018) -> list[T]:
        return self.in_box((lat - pad, lon - pad * 1.4, lat + pad, lon + pad * 1.4))


def street_lines(pack: "ContentPack") -> Boxed[Ring]:
    """The pack's street centre lines as (lat, lon) polylines."""
    items = []
    for feat in (pack.streets or {}).get("features", []):
        geom = feat.get("geometry") or {}
        if geom.get("type") != "LineString":
            continue
        pts = tuple((float(c[1]), float(c[0])) for c in geom.get("coordinates", []))
        if len(pts) >= 2:
            items.append((pts, pts))
    return Boxed(items)


def basemap_areas(pack: "ContentPack") -> Boxed[tuple[str, Ring]]:
    """(layer, outer ring) of the basemap's areas, detailed copies only (``max_band`` ones are for phones)."""
    items = []
    for feat in (getattr(pack, "basemap", None) or {}).get("features", []):
        props = feat.get("properties") or {}
        if props.get("layer") not in AREA_LAYERS or props.get("max_band") is not None:
            continue
        geom = feat.get("geometry") or {}
        kind = geom.get("type")
        polys = [geom.get("coordinates")] if kind == "Polygon" else geom.get("coordinates", []) if kind == "MultiPolygon" else []
        for poly in polys:
            ring = tuple((float(c[1]), float(c[0])) for c in poly[0])
            if len(ring) >= 3:
                items.append(((props["layer"], ring), ring))
    return Boxed(items)
