"""The pack's basemap (``basemap.geojson``, issue 13) in local metres, ready to draw, without a window.

:class:`BasemapScene` projects the features once into the map's :class:`~heritage_kit.geo.LocalProjection`
and, per zoom band, gives what the widget draws:

* :meth:`BasemapScene.fills` — filled areas (sea, water, parks, pedestrian squares, buildings) as triangles,
  made once per band with GEOS's constrained Delaunay triangulation (``shapely.constrained_delaunay_triangles``:
  Monaco's 2,300 polygons in ≈ 25 ms, ten times faster than Kivy's ``Tesselator`` one polygon at a time) and
  cached; :func:`triangle_meshes` cuts them into Kivy ``Mesh`` chunks under the 65,536-vertex limit;
* :meth:`BasemapScene.lines` — railways and river lines (their width is in pixels: quads are made per zoom);
* :meth:`BasemapScene.outlines` — building outlines as segments (street and building views);
* :meth:`BasemapScene.labels` — place, square and house-number points.

Bands follow the pack contract (``docs/basemap.md``): ``0`` town view (≥ 3 m per pixel), ``1`` street view
(0.5–3 m/px), ``2`` building view (< 0.5 m/px); a feature is drawn from its ``band`` on, up to ``max_band`` if set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from heritage_kit.geo import LocalProjection

__all__ = ["BasemapScene", "MapLabel", "LAYERS", "FILL_LAYERS", "LINE_LAYERS", "band_for", "drawn_in",
           "triangle_meshes", "MAX_TRIANGLES_PER_MESH"]

LAYERS: tuple[str, ...] = ("sea", "water", "park", "pedestrian", "building", "railway", "label")
FILL_LAYERS: tuple[str, ...] = ("sea", "water", "park", "pedestrian", "building")
LINE_LAYERS: tuple[str, ...] = ("water", "railway")
BANDS = (0, 1, 2)
# Kivy meshes index vertices with unsigned shorts: 65,535 vertices, three per (unindexed) triangle.
MAX_TRIANGLES_PER_MESH = 65_535 // 3


def band_for(metres_per_px: float) -> int:
    """The zoom band for a view: 0 town (≥ 3 m/px), 1 street (0.5–3 m/px), 2 building (< 0.5 m/px)."""
    if metres_per_px >= 3.0:
        return 0
    if metres_per_px >= 0.5:
        return 1
    return 2


def drawn_in(band: int, max_band: int | None, view_band: int) -> bool:
    """Whether a feature made for ``band`` (and ``max_band``) is drawn in the view band ``view_band``."""
    return band <= view_band and (max_band is None or view_band <= max_band)


@dataclass(frozen=True)
class MapLabel:
    """A named point of the basemap (place, square, house number), in metres."""

    x: float
    y: float
    text: str
    kind: str  # "place", "square", "housenumber", …
    band: int
    max_band: int | None = None


@dataclass(repr=False, eq=False)
class BasemapScene:
    """A basemap's features in local metres, grouped by layer; per-band drawables are cached."""

    # one entry per feature: (layer, kind, band, max_band, shapely geometry in metres)
    areas: list[tuple[str, str, int, int | None, object]] = field(default_factory=list)
    paths: list[tuple[str, str, int, int | None, object]] = field(default_factory=list)
    points: list[MapLabel] = field(default_factory=list)
    skipped: int = 0  # features that could not be read (the pack checker reports them when the pack loads)

    def __repr__(self) -> str:
        return f"<BasemapScene {len(self.areas)} areas, {len(self.paths)} lines, {len(self.points)} labels>"

    def __bool__(self) -> bool:
        return bool(self.areas or self.paths or self.points)

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def from_geojson(cls, fc: dict | None, projection: LocalProjection) -> "BasemapScene":
        scene = cls()
        if not isinstance(fc, dict):
            return scene
        raw_areas, raw_paths, raw_points = [], [], []
        for feat in fc.get("features") or ():
            try:
                props = feat.get("properties") or {}
                layer = props.get("layer")
                geom = feat.get("geometry") or {}
                if layer not in LAYERS or not isinstance(geom, dict):
                    raise ValueError(layer)
                band = int(props.get("band", 0))
                max_band = props.get("max_band")
                max_band = None if max_band is None else int(max_band)
                kind = str(props.get("kind") or layer)
                t = geom.get("type")
                if layer == "label":
                    if t != "Point":
                        raise ValueError(t)
                    name = props.get("name")
                    if not isinstance(name, str) or not name.strip():
                        raise ValueError("name")
                    lon, lat = (float(c) for c in geom["coordinates"][:2])
                    raw_points.append((lat, lon, name.strip(), kind, band, max_band))
                elif t in ("Polygon", "MultiPolygon") and layer in FILL_LAYERS:
                    raw_areas.append((layer, kind, band, max_band, shapely.geometry.shape(geom)))
                elif t in ("LineString", "MultiLineString") and layer in LINE_LAYERS:
                    raw_paths.append((layer, kind, band, max_band, shapely.geometry.shape(geom)))
                else:
                    raise ValueError(t)
            except (AttributeError, KeyError, TypeError, ValueError, IndexError, shapely.errors.ShapelyError):
                scene.skipped += 1

        def to_metres(coords: np.ndarray) -> np.ndarray:
            x, y = projection.to_xy(coords[:, 1], coords[:, 0])
            return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])

        for raw, out in ((raw_areas, scene.areas), (raw_paths, scene.paths)):
            if raw:
                geoms = shapely.transform(np.array([r[4] for r in raw], dtype=object), to_metres)
                out.extend((*r[:4], g) for r, g in zip(raw, geoms))
        if raw_points:
            lat = np.array([p[0] for p in raw_points])
            lon = np.array([p[1] for p in raw_points])
            x, y = projection.to_xy(lat, lon)
            for (_, _, name, kind, band, max_band), xi, yi in zip(raw_points, np.atleast_1d(x), np.atleast_1d(y)):
                scene.points.append(MapLabel(float(xi), float(yi), name, kind, band, max_band))
        return scene

    # -- per band ------------------------------------------------------------------------------------
    def _cached(self, name: str, band: int, make):
        cache = self.__dict__.setdefault("_cache", {})
        key = (name, band)
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def fills(self, band: int) -> dict[str, np.ndarray]:
        """Triangles ``(n, 3, 2)`` in metres per fill layer drawn in ``band``, in :data:`FILL_LAYERS` order."""
        def make() -> dict[str, np.ndarray]:
            out: dict[str, np.ndarray] = {}
            for layer in FILL_LAYERS:
                geoms = [g for lyr, _k, b, mb, g in self.areas if lyr == layer and drawn_in(b, mb, band)]
                if geoms:
                    tris = triangulate(np.array(geoms, dtype=object))
                    if len(tris):
                        out[layer] = tris
            return out

        return self._cached("fills", band, make)

    def lines(self, band: int) -> dict[str, list[np.ndarray]]:
        """Polylines ``(n, 2)`` in metres per line layer (``water`` for rivers, ``railway``) drawn in ``band``."""
        def make() -> dict[str, list[np.ndarray]]:
            out: dict[str, list[np.ndarray]] = {}
            for layer, _k, b, mb, g in self.paths:
                if drawn_in(b, mb, band):
                    for part in shapely.get_parts(g):
                        xy = shapely.get_coordinates(part)
                        if len(xy) >= 2:
                            out.setdefault(layer, []).append(xy)
            return out

        return self._cached("lines", band, make)

    def outlines(self, band: int, layer: str = "building") -> tuple[np.ndarray, np.ndarray]:
        """Start and end points ``(n, 2)`` of every ring segment of ``layer``'s areas drawn in ``band``."""
        def make():
            rings = [g for lyr, _k, b, mb, g in self.areas if lyr == layer and drawn_in(b, mb, band)]
            if not rings:
                return np.zeros((0, 2)), np.zeros((0, 2))
            bounds = shapely.boundary(np.array(rings, dtype=object))
            xy, idx = shapely.get_coordinates(shapely.get_parts(bounds), return_index=True)
            same = idx[1:] == idx[:-1]
            return xy[:-1][same], xy[1:][same]

        return self._cached("outlines", band, make)

    def labels(self, band: int) -> list[MapLabel]:
        return [p for p in self.points if drawn_in(p.band, p.max_band, band)]


def triangulate(geoms: np.ndarray) -> np.ndarray:
    """Polygons (with holes) to triangles ``(n, 3, 2)``: one vectorised GEOS call for the whole array."""
    tri = shapely.constrained_delaunay_triangles(geoms)
    coords = shapely.get_coordinates(tri)
    if not len(coords):
        return np.zeros((0, 3, 2))
    return coords.reshape(-1, 4, 2)[:, :3, :]  # each triangle is a closed ring of four positions


def triangle_meshes(tris: np.ndarray) -> list[tuple[list[float], list[int]]]:
    """Triangles ``(n, 3, 2)`` as Kivy ``Mesh`` chunks (vertices ``[x, y, u, v]…`` float32, indices uint16),
    each under the 65,536-vertex limit (:data:`MAX_TRIANGLES_PER_MESH` triangles)."""
    out = []
    for start in range(0, len(tris), MAX_TRIANGLES_PER_MESH):
        t = tris[start : start + MAX_TRIANGLES_PER_MESH].reshape(-1, 2)
        verts = np.zeros((len(t), 4), dtype=np.float32)
        verts[:, :2] = t
        out.append((verts.ravel(), np.arange(len(t), dtype=np.uint16)))
    return out
