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


# -- fast path: validate pois.geojson straight from its bytes (pydantic-core's JSON parser) -------------
from typing import Literal  # noqa: E402

from pydantic import ConfigDict, TypeAdapter, model_validator  # noqa: E402
from typing_extensions import TypedDict  # noqa: E402  (pydantic needs it on Python < 3.12)

from heritage_kit.models.compact import Compactor  # noqa: E402


class _PoiFromFeature(POI):
    """A POI validated from its GeoJSON Feature (same reshaping as the detailed path)."""

    @model_validator(mode="before")
    @classmethod
    def _from_feature(cls, value: Any) -> Any:
        return feature_to_poi_data(value)


_set_class = object.__setattr__  # the models are frozen


def _plain(poi: POI, compactor: Compactor) -> POI:
    """The POI as a plain ``POI`` (same fields and layout: the subclass only adds the reshaping step),
    sharing its equal parts with the POIs already read (heritage_kit.models.compact)."""
    _set_class(poi, "__class__", POI)
    return compactor.poi(poi)


class _FeatureCollection(TypedDict):
    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]

    type: Literal["FeatureCollection"]
    features: list[_PoiFromFeature]


_FC_ADAPTER = TypeAdapter(_FeatureCollection)
_FEATURE_ADAPTER = TypeAdapter(_PoiFromFeature)

# How save_pack writes the file (compact separators, "type" first): then it is read a Feature at a time.
_HEAD = b'{"type":"FeatureCollection","features":['
_TAIL = b"]}"
_NEXT = b'},{"type":"Feature",'


def _feature_by_feature(data: bytes, compactor: Compactor) -> list[POI] | None:
    """The POIs of ``data`` written as save_pack writes it, parsing one Feature at a time; else None.

    pydantic-core parses a whole document into a Rust-side tree before validating it: for the whole file,
    three times its size in memory. Here each piece between two ``},{"type":"Feature",`` is parsed and
    validated on its own, and shares its equal parts with the POIs before it at once: the file's POIs never
    all exist in their unshared form. A cut in the wrong place (the bytes inside a Feature) cannot go
    unnoticed: the file is ``_HEAD`` + piece + ``,`` + piece … + ``_TAIL``, so when every piece is a whole
    JSON value the file is exactly the collection of those Features, and when one is not, validation fails.
    """
    end = len(data) - len(_TAIL)
    if not (data.startswith(_HEAD) and data.endswith(_TAIL)) or end <= len(_HEAD):
        return None
    validate = _FEATURE_ADAPTER.validate_json
    find = data.find
    pois = []
    start = len(_HEAD)
    while start < end:
        cut = find(_NEXT, start, end)
        stop = end if cut < 0 else cut + 1
        pois.append(_plain(validate(data[start:stop]), compactor))
        start = stop + 1  # after the comma
    return pois


def fast_read_pois(data: bytes) -> list[POI] | None:
    """The POIs of a valid ``pois.geojson``, or None when anything is off.

    pydantic-core parses the bytes (a Feature at a time when the file is laid
    out as save_pack writes it, else the whole file) and hands each Feature to
    the same reshaping as the detailed path, so no whole-file tree of Python
    dicts is ever built (faster, and far less memory). On None the caller runs
    the detailed path, which reports every problem — this only accelerates, it
    never decides alone.
    """
    if b"NaN" in data or b"Infinity" in data:
        return None  # the detailed path refuses them as invalid JSON
    compactor = Compactor()
    try:
        pois = _feature_by_feature(data, compactor)
    except (ValueError, TypeError):  # ValidationError is a ValueError
        pois = None  # an invalid Feature, or an unusual but valid file (a cut inside a Feature): try whole
    if pois is not None:
        return pois
    try:
        pois = _FC_ADAPTER.validate_json(data)["features"]
    except (ValueError, TypeError):
        return None
    return [_plain(p, compactor) for p in pois]
