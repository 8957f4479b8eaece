"""JSON Schema of every pack file, generated from the pydantic models.

``heritage-kit pack schema`` writes them to ``docs/schema/``;
``heritage-kit pack schema --check`` (and a test) fails when they are stale.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from heritage_kit.basemap.contract import basemap_schema
from heritage_kit.models.event import Event
from heritage_kit.models.manifest import PackManifest
from heritage_kit.models.poi import POI
from heritage_kit.models.trail import Trail
from heritage_kit.packs.schema_text import SCHEMA_ID_BASE, describe

__all__ = ["pack_schemas", "write_schemas", "check_schemas"]

_BASE = SCHEMA_ID_BASE


def _pois_schema() -> dict[str, Any]:
    poi = copy.deepcopy(POI.model_json_schema(mode="validation"))
    defs = poi.pop("$defs", {})
    props = poi["properties"]
    id_schema = props.pop("id")
    props.pop("location")
    poi["required"] = [r for r in poi.get("required", []) if r not in ("id", "location")]
    poi["title"] = "POI properties"
    poi["description"] = "A point of interest's properties (heritage_kit.models.POI without id and location)."
    feature = {
        "type": "object",
        "title": "POI Feature",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": id_schema,
            "geometry": {
                "type": "object",
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"const": "Point"},
                    "coordinates": {
                        "type": "array",
                        "description": "[longitude, latitude] (RFC 7946 order)",
                        "prefixItems": [
                            {"type": "number", "minimum": -180, "maximum": 180},
                            {"type": "number", "minimum": -90, "maximum": 90},
                        ],
                        "minItems": 2,
                        "maxItems": 3,
                    },
                },
            },
            "properties": {"$ref": "#/$defs/POIProperties"},
        },
    }
    defs["POIProperties"] = poi
    defs["Feature"] = feature
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "pois.schema.json",
        "title": "pois.geojson",
        "description": "The POIs of a content pack: an RFC 7946 FeatureCollection of Points.",
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {"$ref": "#/$defs/Feature"}},
        },
        "$defs": defs,
    }


def _wrap(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + name.replace(".json", ".schema.json").replace(".geojson", ".schema.json"),
        "title": name,
        "description": description,
        **schema,
    }


def pack_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, for every file of a pack (and the build recipe)."""
    from heritage_kit.packs.build import BuildConfig

    trail = Trail.model_json_schema()
    tdefs = trail.pop("$defs", {})
    tdefs["Trail"] = trail
    event = Event.model_json_schema()
    edefs = event.pop("$defs", {})
    edefs["Event"] = event
    schemas = {
        "manifest.schema.json": _wrap("manifest.json", PackManifest.model_json_schema(),
                                      "The pack manifest: town, area, licences and every file with its SHA-256."),
        "pois.schema.json": _pois_schema(),
        "trails.schema.json": _wrap(
            "trails.json",
            {"type": "object", "required": ["trails"],
             "properties": {"trails": {"type": "array", "items": {"$ref": "#/$defs/Trail"}}}, "$defs": tdefs},
            "The curated trails of a pack.",
        ),
        "streets.schema.json": _wrap(
            "streets.geojson",
            {"type": "object", "required": ["type", "features"],
             "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}},
            "The optional walking network (a GeoJSON FeatureCollection; its features are defined by "
            "heritage_kit.routing).",
        ),
        "basemap.schema.json": _wrap(
            "basemap.geojson", basemap_schema(),
            "The optional basemap: map layers in draw order, each feature meant for a zoom band "
            "(heritage_kit.basemap, docs/basemap.md).",
        ),
        "events.schema.json": _wrap(
            "events.json",
            {"type": "object", "required": ["events"],
             "properties": {"events": {"type": "array", "items": {"$ref": "#/$defs/Event"}}}, "$defs": edefs},
            "Format 1.2, optional: the pack's dated events (markets, concerts, the European Heritage Days…), "
            "in local time of the pack's timezone (heritage_kit.events).",
        ),
        "build.schema.json": _wrap("build.json", BuildConfig.model_json_schema(),
                                   "The recipe a pack is built from (heritage_kit.packs.build)."),
    }
    tops = {"manifest.schema.json": "PackManifest", "build.schema.json": "BuildConfig",
            "pois.schema.json": "pois.geojson", "trails.schema.json": "trails.json",
            "events.schema.json": "events.json"}
    for name, schema in schemas.items():
        describe(schema, tops.get(name))
    return schemas


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_schemas(out: str | os.PathLike = "docs/schema") -> list[Path]:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in pack_schemas().items():
        path = folder / name
        path.write_text(_text(schema), encoding="utf-8")
        written.append(path)
    return written


def check_schemas(out: str | os.PathLike = "docs/schema") -> list[str]:
    """Names of the schema files in ``out`` that are missing or differ from the models."""
    folder = Path(out)
    stale = []
    for name, schema in pack_schemas().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != _text(schema):
            stale.append(name)
    return stale
