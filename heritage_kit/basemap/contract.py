"""The ``basemap.geojson`` contract, and its checker (pure: no I/O, no shapely).

A pack's optional ``basemap.geojson`` is an RFC 7946 FeatureCollection; coordinates are lon,lat rounded to
6 decimals (≈ 0.1 m). Every Feature's ``properties``:

* ``layer`` — one of :data:`LAYERS`, which is also the draw order (sea first, labels last);
* ``kind`` — the finer OSM value (``garden``, ``cemetery``, ``river``, ``rail``, ``square``, ``housenumber``…);
* ``name`` — optional (street names stay in ``streets.geojson``); for a ``housenumber`` label, the number;
* ``band`` — the zoom band the geometry is meant for (:data:`BANDS`): 0 town view (≈ ≥ 3 m/px), 1 street view
  (0.5–3 m/px), 2 building view (< 0.5 m/px). A feature is drawn from its band on (more detailed views), unless it
  has ``max_band`` (a simplified copy used only up to that band).

Geometries per layer are :data:`GEOMETRIES`. See ``docs/basemap.md`` for the format choice.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

__all__ = [
    "LAYERS",
    "BANDS",
    "GEOMETRIES",
    "MAX_FEATURES",
    "MAX_POSITIONS",
    "MAX_DISTANCE_M",
    "check_basemap",
    "check_features",
    "check_streets",
    "box_around",
    "basemap_schema",
    "band_for",
    "drawn_in",
]

LAYERS: tuple[str, ...] = ("sea", "water", "park", "pedestrian", "building", "railway", "label")
BANDS: dict[int, str] = {0: "town view (>= 3 m/px)", 1: "street view (0.5-3 m/px)", 2: "building view (< 0.5 m/px)"}
_POLYGONS = frozenset({"Polygon", "MultiPolygon"})
_LINES = frozenset({"LineString", "MultiLineString"})
GEOMETRIES: dict[str, frozenset[str]] = {
    "sea": _POLYGONS,
    "water": _POLYGONS | _LINES,  # rivers and streams drawn as ways are lines
    "park": _POLYGONS,
    "pedestrian": _POLYGONS,
    "building": _POLYGONS,
    "railway": _LINES,
    "label": frozenset({"Point"}),
}
BAND_LIMITS_M_PER_PX = (3.0, 0.5)  # band 0 at >= 3 m/px, band 1 down to 0.5 m/px, band 2 below


def band_for(metres_per_pixel: float) -> int:
    """The zoom band of a view showing ``metres_per_pixel`` ground metres per screen pixel."""
    if metres_per_pixel >= BAND_LIMITS_M_PER_PX[0]:
        return 0
    return 1 if metres_per_pixel >= BAND_LIMITS_M_PER_PX[1] else 2


def drawn_in(properties: dict[str, Any], band: int) -> bool:
    """Whether a feature (its ``properties``) is drawn in ``band``: from its band on, up to its max_band."""
    return properties["band"] <= band <= properties.get("max_band", band)


# Loader limits: far above a town (Monaco: ~5,000 features, ~60,000 positions), far below a memory problem.
MAX_FEATURES = 500_000
MAX_POSITIONS = 5_000_000
MAX_DISTANCE_M = 50_000.0  # a position this far outside the pack's bbox is not this town's
MAX_TEXT = 200
_MAX_REPORTED = 50  # problems listed one by one; beyond, one summary line

# depth of the position arrays for each geometry type
_DEPTH = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _bad_position(p: Any, field: str, box: tuple[float, float, float, float]) -> _Bad:
    """Why position ``p`` failed :func:`_position_ok`."""
    if not isinstance(p, list) or len(p) not in (2, 3):
        return _Bad(field, "a position must be [lon, lat]")
    lon, lat = p[0], p[1]
    if type(lon) not in (int, float) or type(lat) not in (int, float):
        return _Bad(field, "a position must hold numbers")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return _Bad(field, f"position {lon!r:.12},{lat!r:.12} is not a lon,lat on Earth")
    if len(p) == 3 and not math.isfinite(p[2]):
        return _Bad(field, "an altitude must be a finite number")
    return _Bad(field, f"position {lon:.6f},{lat:.6f} is more than {MAX_DISTANCE_M / 1000:.0f} km outside "
                       "the pack's bbox")


def _ring(ring: Any, field: str, box: tuple[float, float, float, float]) -> int:
    """Number of positions of a list of positions, each checked: numbers, on Earth, inside ``box``."""
    if not isinstance(ring, list) or not ring:
        raise _Bad(field, "must be a non-empty array")
    w, s, e, n = box
    for j, p in enumerate(ring):
        # the usual case in one test (NaN and infinities fail the comparisons); details only for a bad one
        if type(p) is list and len(p) == 2:
            x, y = p
            if type(x) is float and type(y) is float and w <= x <= e and s <= y <= n:
                continue
        if not _position_ok(p, box):
            raise _bad_position(p, f"{field}.{j}", box)
    return len(ring)


def _position_ok(p: Any, box: tuple[float, float, float, float]) -> bool:
    """The slow test: integers and an altitude are allowed (RFC 7946)."""
    if not isinstance(p, list) or len(p) not in (2, 3):
        return False
    if any(type(v) not in (int, float) for v in p):
        return False
    return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3] and (len(p) == 2 or math.isfinite(p[2]))


def _count_positions(coords: Any, depth: int, field: str, box: tuple[float, float, float, float]) -> int:
    if depth == 0:
        if not _position_ok(coords, box):
            raise _bad_position(coords, field, box)
        return 1
    if depth == 1:
        return _ring(coords, field, box)
    if not isinstance(coords, list) or not coords:
        raise _Bad(field, "must be a non-empty array")
    return sum(_count_positions(c, depth - 1, f"{field}.{i}", box) for i, c in enumerate(coords))


def _check_shape(gtype: str, coords: list) -> None:
    """Rings closed with >= 4 positions, lines with >= 2."""
    if gtype == "LineString":
        lines = [coords]
    elif gtype == "MultiLineString":
        lines = coords
    elif gtype == "Polygon":
        lines = []
        for r, ring in enumerate(coords):
            if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
                raise _Bad(f"geometry.coordinates.{r}", "a ring must be closed and have at least 4 positions")
        return
    elif gtype == "MultiPolygon":
        for p, poly in enumerate(coords):
            for r, ring in enumerate(poly):
                if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
                    raise _Bad(f"geometry.coordinates.{p}.{r}", "a ring must be closed and have at least 4 positions")
        return
    else:
        return
    for i, line in enumerate(lines):
        if len(line) < 2:
            raise _Bad(f"geometry.coordinates.{i}" if gtype == "MultiLineString" else "geometry.coordinates",
                       "a line needs at least 2 positions")


def _check_properties(props: Any) -> str:
    if not isinstance(props, dict):
        raise _Bad("properties", "must be an object")
    layer = props.get("layer")
    if layer not in LAYERS:
        raise _Bad("properties.layer", f"must be one of {', '.join(LAYERS)} (got {str(layer)[:40]!r})")
    kind = props.get("kind")
    if not isinstance(kind, str) or not 0 < len(kind) <= 64:
        raise _Bad("properties.kind", "must be a string of 1 to 64 characters")
    name = props.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_TEXT):
        raise _Bad("properties.name", f"must be a string of at most {MAX_TEXT} characters")
    band = props.get("band")
    if type(band) is not int or band not in BANDS:
        raise _Bad("properties.band", f"must be an integer band {min(BANDS)}-{max(BANDS)}")
    if "max_band" in props:
        mb = props["max_band"]
        if type(mb) is not int or mb not in BANDS or mb < band:
            raise _Bad("properties.max_band", "must be an integer band, at least the feature's band")
    return layer


def box_around(bbox, distance_m: float = MAX_DISTANCE_M) -> tuple[float, float, float, float]:
    """(west, south, east, north): ``bbox`` (a :class:`heritage_kit.types.BBox`) grown by ``distance_m``,
    clipped to the Earth; the whole Earth for None."""
    if bbox is None:
        return (-180.0, -90.0, 180.0, 90.0)
    dlat = distance_m / 111_320.0
    coslat = max(math.cos(math.radians(max(abs(bbox.south), abs(bbox.north)))), 1e-6)
    dlon = distance_m / (111_320.0 * coslat)
    return (max(bbox.west - dlon, -180.0), max(bbox.south - dlat, -90.0),
            min(bbox.east + dlon, 180.0), min(bbox.north + dlat, 90.0))


def check_features(
    doc: Any,
    *,
    box: tuple[float, float, float, float],
    geometry_types: Callable[[Any], tuple[str, Collection[str]]],
    what: str = "basemap",
    max_features: int | None = None,
    max_positions: int | None = None,
) -> tuple[list[tuple[str | None, str | None, str]], int]:
    """Problems of a parsed GeoJSON FeatureCollection as ``(record, field, message)`` and its number of positions.

    Every feature must be a Feature whose geometry is one of the types ``geometry_types(properties)`` gives
    (``(who, types)``, e.g. ``("layer park", {"Polygon", "MultiPolygon"})``; it raises ``_Bad`` for bad
    properties), every position a finite [lon, lat(, alt)] inside ``box``, every line at least 2
    positions, every ring closed with at least 4. ``record`` is ``"#<feature index>"``.
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        return [(None, None, "must be a GeoJSON FeatureCollection with a 'features' list")], 0
    features = doc["features"]
    max_features = MAX_FEATURES if max_features is None else max_features
    max_positions = MAX_POSITIONS if max_positions is None else max_positions
    if len(features) > max_features:
        return [(None, "features", f"{len(features)} features: more than the {max_features} a {what} may hold")], 0
    problems: list[tuple[str | None, str | None, str]] = []
    bad = 0
    total = 0
    for i, feat in enumerate(features):
        try:
            if not isinstance(feat, dict) or feat.get("type") != "Feature":
                raise _Bad("type", "must be a GeoJSON Feature")
            who, allowed = geometry_types(feat.get("properties"))
            geom = feat.get("geometry")
            if not isinstance(geom, dict):
                raise _Bad("geometry", "must be a geometry object")
            gtype = geom.get("type")
            if not isinstance(gtype, str) or gtype not in allowed:
                raise _Bad("geometry.type", f"{who} takes {' or '.join(sorted(allowed))}, not {str(gtype)[:30]!r}")
            coords = geom.get("coordinates")
            n = _count_positions(coords, _DEPTH[gtype], "geometry.coordinates", box)
            total += n
            if total > max_positions:
                problems.append((None, "features", f"more than {max_positions} positions: too large for a {what}"))
                return problems, total
            _check_shape(gtype, coords)
        except _Bad as exc:
            bad += 1
            if bad <= _MAX_REPORTED:
                problems.append((f"#{i}", exc.field, exc.message))
    if bad > _MAX_REPORTED:
        problems.append((None, "features", f"and {bad - _MAX_REPORTED} more bad features"))
    return problems, total


def _basemap_geometries(props: Any) -> tuple[str, Collection[str]]:
    layer = _check_properties(props)
    return f"layer {layer}", GEOMETRIES[layer]


def check_basemap(doc: Any, *, bbox=None) -> tuple[list[tuple[str | None, str | None, str]], int]:
    """Problems of a parsed ``basemap.geojson`` as ``(record, field, message)`` and the number of positions.

    ``record`` is ``"#<feature index>"``. ``bbox`` (a :class:`heritage_kit.types.BBox`, the pack's) rejects
    positions more than :data:`MAX_DISTANCE_M` outside it. Sizes above :data:`MAX_FEATURES` /
    :data:`MAX_POSITIONS` are refused outright.
    """
    return check_features(doc, box=box_around(bbox), geometry_types=_basemap_geometries, max_features=MAX_FEATURES,
                          max_positions=MAX_POSITIONS)


_STREET_TYPES = frozenset({"LineString", "MultiLineString"})


def _street_geometries(props: Any) -> tuple[str, Collection[str]]:
    if not isinstance(props, dict):
        raise _Bad("properties", "must be an object")
    return "a street", _STREET_TYPES


def check_streets(doc: Any, *, bbox=None) -> tuple[list[tuple[str | None, str | None, str]], int]:
    """Problems of a parsed ``streets.geojson`` (the walking network) as :func:`check_basemap` gives them:
    LineStrings or MultiLineStrings of finite lon/lat positions, within :data:`MAX_DISTANCE_M` of ``bbox``."""
    return check_features(doc, box=box_around(bbox), geometry_types=_street_geometries, what="street network")


def basemap_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``basemap.geojson`` (the shape; the checker also bounds sizes and positions)."""
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "maxItems": MAX_FEATURES, "items": {"$ref": "#/$defs/Feature"}},
        },
        "$defs": {
            "Feature": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {"type": {"enum": sorted(_DEPTH)},
                                       "coordinates": {"type": "array",
                                                       "description": "lon,lat positions (RFC 7946), 6 decimals"}},
                    },
                    "properties": {
                        "type": "object",
                        "required": ["layer", "kind", "band"],
                        "properties": {
                            "layer": {"enum": list(LAYERS), "description": "draw order is this order"},
                            "kind": {"type": "string", "minLength": 1, "maxLength": 64,
                                     "description": "the finer OSM value (garden, river, rail, housenumber…)"},
                            "name": {"type": "string", "maxLength": MAX_TEXT},
                            "band": {"type": "integer", "minimum": 0, "maximum": max(BANDS),
                                     "description": "; ".join(f"{b}: {d}" for b, d in BANDS.items())
                                                    + "; drawn from this band on"},
                            "max_band": {"type": "integer", "minimum": 0, "maximum": max(BANDS),
                                         "description": "a simplified copy used only up to this band"},
                        },
                    },
                },
            }
        },
    }
