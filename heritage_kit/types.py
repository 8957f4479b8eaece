"""Annotated field types shared by every model (the geojson-pydantic pattern).

Coordinates are always named (``lat``, ``lon``); GeoJSON's lon,lat order is
handled only at the GeoJSON boundary (:mod:`heritage_kit.packs.geojson`).
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Latitude",
    "Longitude",
    "LatLon",
    "BBox",
    "LangCode",
    "ShortText",
    "LongText",
    "HttpUrl",
    "PoiId",
    "MAX_SHORT_TEXT",
    "MAX_LONG_TEXT",
]

MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 20_000

Latitude = Annotated[float, Field(ge=-90.0, le=90.0, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, allow_inf_nan=False)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT_TEXT)]
LongText = Annotated[str, StringConstraints(max_length=MAX_LONG_TEXT)]

_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _check_url(value: str) -> str:
    if not _URL_RE.match(value):
        raise ValueError("must be an http(s) URL")
    return value


HttpUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_check_url)]

# osm:node/123, merimee:PA00082725, hk:<uuid>; towns may add their own scheme.
PoiId = Annotated[
    str,
    StringConstraints(min_length=3, max_length=200, pattern=r"^[a-z][a-z0-9_-]*:[A-Za-z0-9/_.:-]+$"),
]


class LatLon(BaseModel):
    """A WGS84 position with named fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: Latitude
    lon: Longitude

    def __iter__(self):  # pragma: no cover - guard against tuple-style use
        raise TypeError("LatLon is not a tuple: use .lat and .lon")


class BBox(BaseModel):
    """A latitude/longitude box (south <= north, west <= east)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    south: Latitude
    west: Longitude
    north: Latitude
    east: Longitude

    def model_post_init(self, __context) -> None:
        if self.south > self.north:
            raise ValueError("bbox south is north of north")
        if self.west > self.east:
            raise ValueError("bbox west is east of east")

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        if self.south <= lat <= self.north and self.west <= lon <= self.east:
            return True  # inside: no margin to work out (a pack checks every POI this way)
        dlat = margin_m / 111_320.0
        dlon = margin_m / (111_320.0 * max(math.cos(math.radians(lat)), 1e-6))
        return (
            self.south - dlat <= lat <= self.north + dlat
            and self.west - dlon <= lon <= self.east + dlon
        )

    @classmethod
    def around(cls, points) -> "BBox":
        """The smallest box holding every ``LatLon`` in ``points``."""
        lats = [p.lat for p in points]
        lons = [p.lon for p in points]
        if not lats:
            raise ValueError("cannot make a bbox around no points")
        return cls(south=min(lats), west=min(lons), north=max(lats), east=max(lons))
