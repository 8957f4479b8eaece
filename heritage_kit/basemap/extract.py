"""Adapter: read the basemap of an OSM file (pyosmium) or an Overpass JSON answer (``out geom``).

Both readers only turn OSM objects into ``(tags, shapely geometry)`` pairs; everything else is the pure
:func:`heritage_kit.basemap.features.basemap_features`.

* OSM files (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``): one pass of ``osmium.FileProcessor`` with node
  locations and areas (closed ways and multipolygon relations assembled by libosmium). Areas feed the polygon
  layers and the labels on areas; ways feed the line layers (railways, rivers, coastlines); nodes feed labels.
* Overpass JSON (``[out:json]; nwr[...](bbox); out geom;``): through :func:`basemap_from_overpass`; the geometry of
  each element is built as the POI importer builds it (closed ways → polygons, multipolygon relations from their
  members' geometries).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from heritage_kit.basemap.features import basemap_features, classify, feature_collection, label_of
from heritage_kit.errors import SourceDataError
from heritage_kit.types import BBox

__all__ = ["BASEMAP_KEYS", "extract_basemap", "basemap_from_overpass", "osm_file_objects", "overpass_objects",
           "basemap_query", "fetch_basemap"]

# keys any rule of the layer/kind table looks at first (features.classify / features.label_of)
BASEMAP_KEYS = ("building", "natural", "waterway", "landuse", "leisure", "amenity", "railway", "highway",
                "area:highway", "place", "man_made", "addr:housenumber")


def _wanted(tags: Mapping[str, str]) -> tuple[bool, bool]:
    """(has an area rule or a label, has a line rule)."""
    rule = classify(tags)
    line = rule is not None and rule.shape == "line"
    area = (rule is not None and rule.shape == "area") or label_of(tags) is not None
    return area, line


def osm_file_objects(path: str | os.PathLike) -> Iterator[tuple[dict, Any]]:
    """``(tags, shapely geometry)`` of every basemap object of an OSM file."""
    from shapely import wkb

    from heritage_kit.extras import require

    osmium = require("osmium", feature="the basemap from an OSM file")
    from shapely.geometry import LineString, Point

    path = Path(path)
    if not path.is_file():
        raise SourceDataError(f"{path}: no such file")
    factory = osmium.geom.WKBFactory()
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas()
    if hasattr(fp, "with_filter") and hasattr(osmium, "filter"):  # pyosmium >= 4: filtered in C++ (~35% faster)
        fp = fp.with_filter(osmium.filter.KeyFilter(*BASEMAP_KEYS))
    try:
        for obj in fp:
            if not any(k in obj.tags for k in BASEMAP_KEYS):
                continue
            tags = dict(obj.tags)
            if obj.is_node():
                if label_of(tags) is not None and obj.location.valid():
                    yield tags, Point(obj.location.lon, obj.location.lat)
            elif obj.is_way():
                if not _wanted(tags)[1]:
                    continue
                coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if len(coords) >= 2:
                    yield tags, LineString(coords)
            elif obj.is_area():
                if not _wanted(tags)[0]:
                    continue
                try:
                    geom = wkb.loads(factory.create_multipolygon(obj), hex=True)
                except Exception:  # noqa: BLE001 - a broken ring in the source: that one area is not drawn
                    continue
                yield tags, geom
    except RuntimeError as exc:  # osmium reports unreadable input as RuntimeError
        raise SourceDataError(f"{path}: cannot read OSM data: {exc}") from None


def overpass_objects(doc: Mapping[str, Any], *, name: str = "overpass") -> Iterator[tuple[dict, Any]]:
    """``(tags, shapely geometry)`` of the tagged elements of an Overpass ``out geom`` answer (pure)."""
    from heritage_kit.importers.osm import _overpass_geometry  # the POI importer's geometry rules

    elements = doc.get("elements") if isinstance(doc, Mapping) else None
    if not isinstance(elements, list):
        raise SourceDataError(f"{name}: not an Overpass JSON answer (no 'elements' list)")
    for i, el in enumerate(elements):
        if not isinstance(el, dict) or not isinstance(el.get("tags"), dict):
            continue  # untagged geometry nodes, counts, remarks
        tags = {str(k): str(v) for k, v in el["tags"].items()}
        area, line = _wanted(tags)
        if not (area or line):
            continue
        try:
            geom = _overpass_geometry(el, f"{el.get('type')}/{el.get('id')}")
        except (ValueError, TypeError, KeyError) as exc:
            raise SourceDataError(f"{name}: element #{i} ({el.get('type')}/{el.get('id')}) field geometry: "
                                  f"{exc}") from None
        if geom is not None:
            yield tags, geom


def basemap_from_overpass(source: str | os.PathLike | Mapping[str, Any], *, bbox: BBox | None = None) -> dict:
    """The ``basemap.geojson`` document of an Overpass JSON answer (a path, or the decoded dict)."""
    if isinstance(source, Mapping):
        doc, name = source, "overpass"
    else:
        from heritage_kit.importers.osm import read_json_file

        name, doc = str(source), read_json_file(source)
    return feature_collection(basemap_features(overpass_objects(doc, name=name), bbox=bbox))


def extract_basemap(path: str | os.PathLike, *, bbox: BBox | None = None) -> dict:
    """The ``basemap.geojson`` document of an OSM file (or an Overpass ``.json``), clipped to ``bbox``."""
    if Path(path).suffix.lower() == ".json":
        return basemap_from_overpass(path, bbox=bbox)
    return feature_collection(basemap_features(osm_file_objects(path), bbox=bbox))


def _alternatives(values) -> str:
    return "^(" + "|".join(sorted(values)) + ")$"


def basemap_query(bbox: BBox, *, timeout_s: int = 90) -> str:
    """An Overpass QL query for what the layer/kind table draws inside ``bbox``, with geometry (``out geom``)."""
    from heritage_kit.basemap import features as f

    box = f"({bbox.south},{bbox.west},{bbox.north},{bbox.east})"
    selectors = [
        'nwr["building"]',
        f'nwr["natural"~"{_alternatives(f._PARK_NATURAL | {"water", "coastline"})}"]',
        f'nwr["waterway"~"{_alternatives(f._WATERWAY_LINES | {"riverbank"})}"]',
        f'nwr["landuse"~"{_alternatives(f._PARK_LANDUSE | {"reservoir", "basin"})}"]',
        f'nwr["leisure"~"{_alternatives(f._PARK_LEISURE | {"swimming_pool"})}"]',
        'nwr["amenity"~"^(grave_yard|marketplace)$"]',
        f'way["railway"~"{_alternatives(f._RAILWAYS)}"]',
        f'nwr["highway"~"{_alternatives(f._PEDESTRIAN_AREAS)}"]["area"="yes"]',
        'relation["highway"="pedestrian"]["type"="multipolygon"]',
        'nwr["area:highway"]',
        f'nwr["place"~"{_alternatives(f._PLACE_LABELS | {"square"})}"]',
        f'nwr["man_made"~"{_alternatives(f._PIERS)}"]',
        'node["addr:housenumber"]',
    ]
    parts = "".join(f"  {sel}{box};\n" for sel in selectors)
    return f"[out:json][timeout:{int(timeout_s)}];\n(\n{parts});\nout geom;\n"


def fetch_basemap(bbox: BBox, *, session: Any, url: str | None = None) -> dict:
    """The basemap of ``bbox`` from the Overpass API (``session``: a ``requests.Session``, injected)."""
    from heritage_kit.importers._overpass import DEFAULT_URL, fetch_overpass

    doc = fetch_overpass(basemap_query(bbox), session=session, url=url or DEFAULT_URL)
    return basemap_from_overpass(doc, bbox=bbox)
