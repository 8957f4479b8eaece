"""The area an import keeps: a bbox and/or a polygon (shapely, lon/lat)."""

from __future__ import annotations

from typing import Any

from heritage_kit.types import BBox

__all__ = ["Clip", "parse_bbox"]


def parse_bbox(value: str | BBox | dict | None) -> BBox | None:
    """``"S,W,N,E"`` (or a BBox, or a dict) as a :class:`BBox`; ValueError when malformed."""
    if value is None or isinstance(value, BBox):
        return value
    if isinstance(value, dict):
        return BBox.model_validate(value)
    parts = [p.strip() for p in str(value).split(",")]
    if len(parts) != 4:
        raise ValueError(f"bbox {value!r} must be four numbers S,W,N,E")
    try:
        s, w, n, e = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"bbox {value!r} must be four numbers S,W,N,E") from None
    return BBox(south=s, west=w, north=n, east=e)


class Clip:
    """Keeps points inside ``bbox`` and inside ``polygon`` (a shapely geometry or GeoJSON dict)."""

    def __init__(self, *, bbox: BBox | str | None = None, polygon: Any = None) -> None:
        self.bbox = parse_bbox(bbox)
        self.polygon = None
        if polygon is not None:
            from shapely import prepare
            from shapely.geometry import shape

            geom = shape(polygon) if isinstance(polygon, dict) else polygon
            if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
                raise ValueError("clip polygon must be a non-empty Polygon or MultiPolygon")
            prepare(geom)
            self.polygon = geom

    @property
    def active(self) -> bool:
        return self.bbox is not None or self.polygon is not None

    def contains(self, lat: float, lon: float) -> bool:
        if self.bbox is not None and not self.bbox.contains(lat, lon):
            return False
        if self.polygon is not None:
            from shapely import Point

            return bool(self.polygon.covers(Point(lon, lat)))
        return True
