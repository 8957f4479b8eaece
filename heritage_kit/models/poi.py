"""Points of interest: heritage sites, shops and services."""

from __future__ import annotations

import math

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from heritage_kit.categories import CATEGORIES, resolve_category
from heritage_kit.models.extensions import Extensions
from heritage_kit.models.text import LocalizedText
from heritage_kit.types import HttpUrl, LangCode, LatLon, PoiId, ShortText

__all__ = [
    "Kind",
    "KINDS",
    "POI",
    "Media",
    "Source",
    "Refs",
    "Address",
    "HeritageFacts",
    "Footprint",
    "TextOrigin",
    "SupportLink",
]

Kind = Literal["heritage", "commerce", "service"]
KINDS: tuple[str, ...] = ("heritage", "commerce", "service")

# Frozen: a loaded pack shares equal parts between its POIs (heritage_kit.models.compact), so a change must
# make a new model (``poi.model_copy(update={...})``), never alter one in place.
_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
Licence = Annotated[str, StringConstraints(min_length=1, max_length=200)]
RelPath = Annotated[
    str, StringConstraints(min_length=1, max_length=300, pattern=r"^media/[A-Za-z0-9._/-]+$")
]


class Media(BaseModel):
    """An image or an audio file: a path inside the pack (``media/…``) or a URL."""

    model_config = _STRICT

    type: Literal["image", "audio"]
    path: RelPath | None = None
    url: HttpUrl | None = None
    author: ShortText | None = None
    licence: Licence
    caption: LocalizedText | None = None
    # audio: the language spoken, what is said, and who says it (a recorded voice wins over synthesis)
    lang: LangCode | None = None
    transcript: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    origin: Literal["recorded", "synthesised"] | None = None
    duration_s: Annotated[float, Field(ge=0, le=36_000, allow_inf_nan=False)] | None = None
    # True: a reference found in the source data (OSM ``image``, ``wikimedia_commons``, ``wikidata``) that is not
    # in the pack yet and whose licence is not checked (``licence`` says so); a builder with internet access may
    # fetch it, the app never shows or fetches it.
    pending: bool = False

    @model_validator(mode="after")
    def _where(self):
        if (self.path is None) == (self.url is None):
            raise ValueError("media needs exactly one of path or url")
        if self.path is not None and ".." in self.path.split("/"):
            raise ValueError("media path may not contain '..'")
        return self


class Source(BaseModel):
    """Where a piece of information comes from, and under which licence."""

    model_config = _STRICT

    name: ShortText
    url: HttpUrl | None = None
    licence: Licence | None = None
    attribution: ShortText | None = None


def _https_only(value: str) -> str:
    if not value.lower().startswith("https://"):
        raise ValueError("a support link must be an https:// address")
    return value


class SupportLink(BaseModel):
    """Where visitors can help a monument: a restoration fund, a Fondation du patrimoine campaign, the town's
    donation page (set by the town in its recipe; https only)."""

    model_config = _STRICT

    url: Annotated[HttpUrl, AfterValidator(_https_only)]
    label: LocalizedText


class Refs(BaseModel):
    """Identifiers in other databases."""

    model_config = _STRICT

    osm: Annotated[str, StringConstraints(pattern=r"^(node|way|relation)/\d+$")] | None = None
    # PA + 8 digits, or PA + 2A/2B (Corsica) + 6 digits: PA00082725, PA2A000003
    merimee: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}(\d{2}|2[AB])\d{6}$")] | None = None
    wikidata: Annotated[str, StringConstraints(pattern=r"^Q\d+$")] | None = None
    wikipedia: ShortText | None = None


class Address(BaseModel):
    model_config = _STRICT

    housenumber: ShortText | None = None
    street: ShortText | None = None
    postcode: ShortText | None = None
    city: ShortText | None = None

    def line(self) -> str:
        first = " ".join(p for p in (self.housenumber, self.street) if p)
        second = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (first, second) if p)


class HeritageFacts(BaseModel):
    """Protection and dating of a heritage site."""

    model_config = _STRICT

    protection: Literal["classé", "inscrit", "classé et inscrit", "other"] | None = None
    protection_act: Annotated[str, StringConstraints(max_length=2000)] | None = None
    dates: Annotated[str, StringConstraints(max_length=500)] | None = None
    period: Annotated[str, StringConstraints(max_length=300)] | None = None


def _known_categories(value: list[str]) -> list[str]:
    if all(c in CATEGORIES for c in value):
        if len(value) > 1 and len(set(value)) != len(value):
            raise ValueError("categories repeat")
        return value
    mapped = [resolve_category(c) for c in value]  # a town's synonym ("plaque") -> ours ("memorial")
    return list(dict.fromkeys(mapped))


# OSM tags kept as sourced facts for composed texts (heritage_kit.compose.facts.OSM_FACT_KEYS)
OsmTags = Annotated[
    dict[Annotated[str, StringConstraints(pattern=r"^[a-z_:]{1,40}$")], ShortText], Field(max_length=30)
]
TextOrigin = Literal["human", "composed"]

# The validator lives in the type so that models built from POI's fields keep it.
Categories = Annotated[list[str], Field(max_length=10), AfterValidator(_known_categories)]

_Ring = Annotated[list[Annotated[list[float], Field(min_length=2, max_length=3)]], Field(min_length=4)]


class Footprint(BaseModel):
    """A GeoJSON Polygon or MultiPolygon (lon, lat order, as GeoJSON says)."""

    model_config = _STRICT

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list

    @model_validator(mode="after")
    def _check(self):
        polys = [self.coordinates] if self.type == "Polygon" else self.coordinates
        if not isinstance(polys, list) or not polys:
            raise ValueError("footprint has no polygon")
        n = 0
        for poly in polys:
            if not isinstance(poly, list) or not poly:
                raise ValueError("footprint polygon has no ring")
            for ring in poly:
                if not isinstance(ring, list) or len(ring) < 4:
                    raise ValueError("footprint ring needs at least 4 positions")
                for pos in ring:
                    n += 1
                    if (
                        not isinstance(pos, (list, tuple))
                        or len(pos) not in (2, 3)
                        or not all(type(c) in (int, float) and math.isfinite(c) for c in pos)
                        or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90)
                    ):
                        raise ValueError("footprint position must be finite [lon, lat] within range")
                if list(ring[0][:2]) != list(ring[-1][:2]):
                    raise ValueError("footprint ring must be closed (its last position is its first)")
        if n > 20_000:
            raise ValueError("footprint has more than 20,000 positions")
        return self

    def shape(self):
        """This footprint as a shapely geometry (lon/lat degrees)."""
        from shapely.geometry import shape

        return shape({"type": self.type, "coordinates": self.coordinates})


class POI(BaseModel):
    """A point of interest.

    ``id`` is stable across pack versions: ``osm:node/123``,
    ``merimee:PA00082725``, ``hk:<uuid>`` for contributed entries.
    """

    model_config = _STRICT

    id: PoiId
    kind: Kind
    categories: Categories = Field(default_factory=list)
    name: LocalizedText
    description: LocalizedText | None = None
    location: LatLon
    footprint: Footprint | None = None
    media: Annotated[list[Media], Field(max_length=100)] = Field(default_factory=list)
    opening_hours: Annotated[str, StringConstraints(max_length=1000)] | None = None
    address: Address | None = None
    phone: Annotated[str, StringConstraints(max_length=100)] | None = None
    website: HttpUrl | None = None
    wheelchair: Literal["yes", "no", "limited"] | None = None
    refs: Refs = Field(default_factory=Refs)
    heritage: HeritageFacts | None = None
    sources: Annotated[list[Source], Field(max_length=50)] = Field(default_factory=list)
    updated: datetime | None = None
    # where ``description`` comes from: a person (pack override, contribution, OSM ``description``) or composed
    # from the sourced facts (heritage_kit.compose); None in packs built before composed texts existed
    text_origin: TextOrigin | None = None
    osm_tags: OsmTags | None = None
    # format 1.1: the town's own data, by namespace ({"chartres": {...}}), kept as is (heritage_kit.models.extensions)
    extensions: Extensions | None = None
    # format 1.2: the listed building this shop is in (a heritage POI's id; computed at pack build,
    # heritage_kit.housing), and the monument's support link (set by the town)
    housed_in: PoiId | None = None
    support: SupportLink | None = None

    def display_name(self, lang: str | None = None) -> str:
        return self.name.get(lang)

    @property
    def lat(self) -> float:
        return self.location.lat

    @property
    def lon(self) -> float:
        return self.location.lon
