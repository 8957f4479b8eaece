"""The GeoJSON boundary: POI <-> RFC 7946 Feature (lon, lat order lives only here)."""

from __future__ import annotations

from typing import Any

from heritage_kit.models.poi import POI

__all__ = ["poi_to_feature", "feature_to_poi_data", "pois_to_feature_collection"]


def poi_to_feature(poi: POI) -> dict[str, Any]:
    props = poi.model_dump(mode="json", exclude={"id", "location"}, exclude_none=True, exclude_defaults=True)
    props["kind"] = poi.kind  # always explicit
    props["name"] = poi.name.root
    return {
        "type": "Feature",
        "id": poi.id,
        "geometry": {"type": "Point", "coordinates": [poi.location.lon, poi.location.lat]},
        "properties": props,
    }


def pois_to_feature_collection(pois) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [poi_to_feature(p) for p in pois]}


def feature_to_poi_data(feature: Any) -> dict[str, Any]:
    """Reshape one Feature into the dict ``POI`` validates.

    Raises ``ValueError`` with a sentence when the Feature's own structure is
    wrong (the POI fields are checked by the model).
    """
    if not isinstance(feature, dict):
        raise ValueError("feature is not an object")
    if feature.get("type") != "Feature":
        raise ValueError("feature 'type' must be \"Feature\"")
    geom = feature.get("geometry")
    if not isinstance(geom, dict) or geom.get("type") != "Point":
        raise ValueError("geometry must be a GeoJSON Point")
    coords = geom.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise ValueError("geometry coordinates must be [lon, lat]")
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise ValueError("properties must be an object")
    data = dict(props)
    data["id"] = feature.get("id")
    data["location"] = {"lat": coords[1], "lon": coords[0]}
    return data
