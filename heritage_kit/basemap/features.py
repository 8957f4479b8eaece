"""OSM objects → basemap features (pure: tags and shapely geometries in, GeoJSON dicts out).

**The layer/kind table** (the one place; :func:`classify` applies it, first match wins):

============  =====================================================================  ================
layer         OSM tags                                                               kind
============  =====================================================================  ================
sea           ``natural=coastline`` ways (land on their left) → one polygon          ``sea``
              (:mod:`heritage_kit.basemap.sea`)
water         ``natural=water`` (``water=*`` gives the kind), ``waterway=riverbank``,  ``water=*`` value,
              ``landuse=reservoir|basin``, ``leisure=swimming_pool`` (not indoor)     ``river``, …
water (line)  ``waterway=river|stream|canal|drain|ditch`` ways, not in a culvert/tunnel  the waterway value
park          ``leisure=park|garden|nature_reserve|golf_course|pitch|playground|dog_park``,  the value
              ``landuse=grass|meadow|forest|cemetery|village_green|recreation_ground|
              flowerbed|allotments|orchard|vineyard``, ``amenity=grave_yard`` (→ cemetery),
              ``natural=wood|scrub|heath|grassland``
pedestrian    ``highway=pedestrian|footway`` areas (``area=yes``, multipolygons), ``area:highway=*``     ``pedestrian``…
              pedestrian ones, ``place=square`` areas, ``amenity=marketplace``,
              ``man_made=pier|breakwater|quay`` areas
building      ``building=*`` (not ``no``), unless underground (``location=underground``,    the building value
              negative ``layer``)
railway       ``railway=rail|tram|light_rail|narrow_gauge|funicular|monorail|subway|       the railway value
              preserved`` ways, not in a tunnel nor covered (a walker cannot see them)
label         ``place=square`` and named pedestrian areas → ``square``; ``place=suburb|quarter|neighbourhood|          ``square``,
              locality|hamlet|village|town|city_block|islet`` → ``place`` (points where     ``place``,
              tagged as points, else a point on the area); ``addr:housenumber`` →          ``housenumber``
              ``housenumber`` (name = the number; on nodes, or a point on the building)
============  =====================================================================  ================

Not drawn: beaches, bare rock, landuse residential/commercial (the beige background), parking.

**Bands and simplification.** Geometries are clipped to the pack's box, simplified with shapely
``simplify(preserve_topology=True)`` at :data:`DETAIL_TOLERANCE_M` (street and building views) and rounded to
6 decimals. An area or line that simplifies to far fewer positions at :data:`TOWN_TOLERANCE_M` also gets a town-view
copy (``band 0, max_band 0``) and its detailed copy starts at band 1. Polygons smaller than their layer's
:data:`MIN_TOWN_AREA_M2` start at band 1 (invisible at ≥ 3 m/px); house numbers start at band 2.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from heritage_kit.basemap.contract import GEOMETRIES, LAYERS
from heritage_kit.types import BBox

__all__ = [
    "Rule",
    "classify",
    "label_of",
    "basemap_features",
    "feature_collection",
    "layer_counts",
    "shape_features",
    "DETAIL_TOLERANCE_M",
    "TOWN_TOLERANCE_M",
    "MIN_TOWN_AREA_M2",
]

DETAIL_TOLERANCE_M = 0.4  # street and building views (< 3 m/px): well under a pixel
TOWN_TOLERANCE_M = 2.0  # town view (>= 3 m/px)
TOWN_COPY_SAVING = 0.3  # a town-view copy is worth it when it drops at least 30% of the positions
MIN_TOWN_AREA_M2 = {"sea": 0.0, "water": 50.0, "park": 100.0, "pedestrian": 100.0, "building": 100.0}
_M_PER_DEG = 111_320.0
_DECIMALS = 6

_PARK_LEISURE = {"park", "garden", "nature_reserve", "golf_course", "pitch", "playground", "dog_park"}
_PARK_LANDUSE = {"grass", "meadow", "forest", "cemetery", "village_green", "recreation_ground", "flowerbed",
                 "allotments", "orchard", "vineyard"}
_PARK_NATURAL = {"wood", "scrub", "heath", "grassland"}
_WATERWAY_LINES = {"river", "stream", "canal", "drain", "ditch"}
_RAILWAYS = {"rail", "tram", "light_rail", "narrow_gauge", "funicular", "monorail", "subway", "preserved"}
_PLACE_LABELS = {"suburb", "quarter", "neighbourhood", "locality", "hamlet", "village", "town", "city_block",
                 "islet"}
_PEDESTRIAN_AREAS = {"pedestrian", "footway"}
_PIERS = {"pier", "breakwater", "quay"}


@dataclass(frozen=True, slots=True)
class Rule:
    """Where an OSM object goes: its layer, kind and geometry family (``area`` or ``line``)."""

    layer: str
    kind: str
    shape: str  # "area" | "line"


def _negative_layer(tags: Mapping[str, str]) -> bool:
    try:
        return int(tags.get("layer", "0").strip()) < 0
    except ValueError:
        return False


def _is_area(tags: Mapping[str, str]) -> bool:
    return tags.get("area") == "yes" or tags.get("type") == "multipolygon"


def classify(tags: Mapping[str, str]) -> Rule | None:
    """The basemap rule for an object's tags (the table above), or None. Labels: see :func:`label_of`."""
    natural = tags.get("natural")
    if natural == "coastline":
        return Rule("sea", "coastline", "line")
    building = tags.get("building")
    if building and building != "no":
        if tags.get("location") == "underground" or _negative_layer(tags):
            return None
        return Rule("building", building[:64], "area")
    if natural == "water":
        return Rule("water", (tags.get("water") or "water")[:64], "area")
    waterway = tags.get("waterway")
    if waterway == "riverbank":
        return Rule("water", "river", "area")
    if waterway in _WATERWAY_LINES:
        if tags.get("tunnel") in ("culvert", "yes") or tags.get("covered") == "yes":
            return None
        return Rule("water", waterway, "line")
    landuse = tags.get("landuse")
    if landuse in ("reservoir", "basin"):
        return Rule("water", landuse, "area")
    leisure = tags.get("leisure")
    if leisure == "swimming_pool" and tags.get("indoor") != "yes" and tags.get("location") != "indoor":
        return Rule("water", "swimming_pool", "area")
    if leisure in _PARK_LEISURE:
        return Rule("park", leisure, "area")
    if landuse in _PARK_LANDUSE:
        return Rule("park", landuse, "area")
    if tags.get("amenity") == "grave_yard":
        return Rule("park", "cemetery", "area")
    if natural in _PARK_NATURAL:
        return Rule("park", natural, "area")
    railway = tags.get("railway")
    if railway in _RAILWAYS:
        if tags.get("tunnel") not in (None, "no") or tags.get("covered") not in (None, "no"):
            return None
        return Rule("railway", railway, "line")
    highway = tags.get("highway")
    if highway in _PEDESTRIAN_AREAS and _is_area(tags):
        return Rule("pedestrian", highway, "area")
    if tags.get("area:highway") in _PEDESTRIAN_AREAS:
        return Rule("pedestrian", tags["area:highway"], "area")
    if tags.get("place") == "square":
        return Rule("pedestrian", "square", "area")
    if tags.get("amenity") == "marketplace":
        return Rule("pedestrian", "marketplace", "area")
    if tags.get("man_made") in _PIERS:
        return Rule("pedestrian", tags["man_made"], "area")
    return None


def label_of(tags: Mapping[str, str]) -> tuple[str, str, int] | None:
    """``(kind, name, band)`` of the label an object carries (place names, house numbers), or None."""
    place = tags.get("place")
    name = (tags.get("name") or "").strip()
    if name and (place == "square" or (tags.get("highway") == "pedestrian" and _is_area(tags))):
        return "square", name[:200], 1
    if place in _PLACE_LABELS and name:
        return "place", name[:200], 0
    number = (tags.get("addr:housenumber") or "").strip()
    if number:
        return "housenumber", number[:200], 2
    return None


# -- geometry ---------------------------------------------------------------------------
def _deg(metres: float) -> float:
    return metres / _M_PER_DEG


def _area_m2(geom) -> float:
    lat = geom.centroid.y if not geom.is_empty else 0.0
    return geom.area * _M_PER_DEG * _M_PER_DEG * math.cos(math.radians(lat))


def _parts(geom, family: frozenset[str]):
    """The geometries of ``family`` (Polygon / LineString kinds) in ``geom`` as one multi- or single geometry."""
    from shapely.geometry import MultiLineString, MultiPolygon

    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in family:
        return geom
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        lines = [g for g in geom.geoms if g.geom_type in ("LineString", "MultiLineString")]
        if "Polygon" in family and polys:
            flat = [p for g in polys for p in getattr(g, "geoms", [g])]
            return flat[0] if len(flat) == 1 else MultiPolygon(flat)
        if "LineString" in family and lines:
            flat = [p for g in lines for p in getattr(g, "geoms", [g])]
            return flat[0] if len(flat) == 1 else MultiLineString(flat)
    return None


def _as_shape(geom, rule: Rule):
    """The geometry in the family its rule wants (a closed line ↔ its polygon)."""
    from shapely.geometry import LineString, Polygon

    if geom is None or geom.is_empty:
        return None
    t = geom.geom_type
    if rule.shape == "area":
        if t == "LineString" and geom.is_closed and len(geom.coords) >= 4:
            geom = Polygon(geom.coords)
        if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_valid:
            import shapely

            geom = _parts(shapely.make_valid(geom), GEOMETRIES["building"])  # a bow-tie ring: its two halves
            if geom is None:
                return None
        return geom if geom.geom_type in ("Polygon", "MultiPolygon") and geom.area > 0 else None
    if t == "Polygon":
        return LineString(geom.exterior.coords)
    if t in ("LineString", "MultiLineString"):
        return geom
    return None


def _round_ring(coords) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y, *_ in coords:
        p = [round(x, _DECIMALS), round(y, _DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def _geojson(geom) -> dict | None:
    """RFC 7946 geometry with rounded positions (degenerate parts dropped), or None."""
    t = geom.geom_type
    if t == "Point":
        return {"type": "Point", "coordinates": [round(geom.x, _DECIMALS), round(geom.y, _DECIMALS)]}
    if t in ("LineString", "MultiLineString"):
        lines = [_round_ring(g.coords) for g in getattr(geom, "geoms", [geom])]
        lines = [ln for ln in lines if len(ln) >= 2]
        if not lines:
            return None
        return {"type": "LineString", "coordinates": lines[0]} if len(lines) == 1 else \
            {"type": "MultiLineString", "coordinates": lines}
    if t in ("Polygon", "MultiPolygon"):
        polys = []
        for poly in getattr(geom, "geoms", [geom]):
            shell = _round_ring(poly.exterior.coords)
            if len(shell) < 4:
                continue
            holes = [r for r in (_round_ring(i.coords) for i in poly.interiors) if len(r) >= 4]
            polys.append([shell, *holes])
        if not polys:
            return None
        return {"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1 else \
            {"type": "MultiPolygon", "coordinates": polys}
    return None


def _npos(geom) -> int:
    import shapely

    return int(shapely.get_num_coordinates(geom))


def _feature(layer: str, kind: str, name: str | None, band: int, geometry: dict, max_band: int | None = None) -> dict:
    props: dict[str, Any] = {"layer": layer, "kind": kind}
    if name:
        props["name"] = name
    props["band"] = band
    if max_band is not None:
        props["max_band"] = max_band
    return {"type": "Feature", "geometry": geometry, "properties": props}


def shape_features(layer: str, kind: str, name: str | None, geom) -> list[dict]:
    """The feature(s) for one clipped area or line: a detailed copy, and a town-view copy when it pays."""
    if geom is None or geom.is_empty:
        return []
    area = layer != "railway" and geom.geom_type in ("Polygon", "MultiPolygon")
    family = GEOMETRIES[layer]
    detailed = _parts(geom.simplify(_deg(DETAIL_TOLERANCE_M), preserve_topology=True), family)
    if detailed is None:
        return []
    first_band = 0
    if area and _area_m2(geom) < MIN_TOWN_AREA_M2.get(layer, 0.0):
        first_band = 1
    gj = _geojson(detailed)
    if gj is None:
        return []
    out = []
    if first_band == 0:
        town = _parts(geom.simplify(_deg(TOWN_TOLERANCE_M), preserve_topology=True), family)
        if town is not None and _npos(town) <= (1 - TOWN_COPY_SAVING) * _npos(detailed):
            tj = _geojson(town)
            if tj is not None:
                out.append(_feature(layer, kind, name, 0, tj, max_band=0))
                first_band = 1
    out.append(_feature(layer, kind, name, first_band, gj))
    return out


def _clip(geom, box):
    if box is None:
        return geom
    if box.contains(geom):
        return geom
    if not box.intersects(geom):
        return None
    return geom.intersection(box)


def _layer_order(feature: dict) -> tuple[int, int]:
    p = feature["properties"]
    return LAYERS.index(p["layer"]), p["band"]


def basemap_features(objects: Iterable[tuple[Mapping[str, str], Any]], *, bbox: BBox | None = None) -> list[dict]:
    """Basemap features of ``(tags, shapely geometry)`` pairs (any OSM reader's output), sorted in draw order.

    Coastlines among them make the sea polygon, clipped to ``bbox`` (else to the extent of the objects read).
    Everything is clipped to ``bbox`` when given. House numbers repeated within a few metres are kept once.
    """
    from shapely.geometry import Point, box as make_box

    from heritage_kit.basemap.sea import sea_polygon

    clip_box = make_box(bbox.west, bbox.south, bbox.east, bbox.north) if bbox is not None else None
    coastlines = []
    features: list[dict] = []
    labels: list[dict] = []
    seen_numbers: set[tuple[str, int, int]] = set()
    extent = [math.inf, math.inf, -math.inf, -math.inf]
    for tags, geom in objects:
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        extent = [min(extent[0], x0), min(extent[1], y0), max(extent[2], x1), max(extent[3], y1)]
        rule = classify(tags)
        if rule is not None and rule.layer == "sea":
            coastlines.append(geom if geom.geom_type != "Polygon" else geom.exterior)
        elif rule is not None:
            shaped = _as_shape(geom, rule)
            if shaped is not None:
                clipped = _clip(shaped, clip_box)
                name = (tags.get("name") or "").strip()[:200] or None
                features += shape_features(rule.layer, rule.kind, name, clipped)
        label = label_of(tags)
        if label is None:
            continue
        kind, text, band = label
        point = geom if geom.geom_type == "Point" else geom.point_on_surface()
        if clip_box is not None and not clip_box.contains(point):
            continue
        if kind == "housenumber":  # the same number on a building and its entrance node
            key = (text, round(point.x / _deg(5.0)), round(point.y / _deg(5.0)))
            if key in seen_numbers:
                continue
            seen_numbers.add(key)
        labels.append(_feature("label", kind, text, band, _geojson(Point(point.x, point.y))))
    if coastlines:
        if clip_box is None and math.isfinite(extent[0]):
            clip_box = make_box(*extent)
        if clip_box is not None:
            sea = sea_polygon(coastlines, clip_box)
            if sea is not None:
                features += shape_features("sea", "sea", None, sea)
    features.sort(key=_layer_order)
    return features + labels


def feature_collection(features: list[dict]) -> dict:
    """The ``basemap.geojson`` document for ``features``."""
    return {"type": "FeatureCollection", "features": features}


def layer_counts(doc: Mapping[str, Any]) -> dict[str, int]:
    """Number of features per layer, in draw order (for build notes and reports)."""
    counts = dict.fromkeys(LAYERS, 0)
    for f in doc.get("features", ()):
        counts[f["properties"]["layer"]] += 1
    return {k: v for k, v in counts.items() if v}
