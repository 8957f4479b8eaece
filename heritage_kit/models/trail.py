"""Curated trails: an ordered list of stops with text and tags."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from heritage_kit.models.text import LocalizedText
from heritage_kit.types import LatLon, PoiId

__all__ = ["Trail", "TRAIL_TAGS"]

TRAIL_TAGS = ("step-free", "family", "shopping", "heritage", "food", "loop", "short", "long")


class Trail(BaseModel):
    """A curated walk: ordered stops (POI ids), title and description in each language, optional duration."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    title: LocalizedText
    description: LocalizedText | None = None
    stops: Annotated[list[PoiId], Field(min_length=1, max_length=200)]
    geometry: Annotated[list[LatLon], Field(max_length=50_000)] | None = None
    length_m: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    duration_min: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    tags: Annotated[list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=20)] = Field(
        default_factory=list
    )

    @field_validator("stops")
    @classmethod
    def _no_repeat(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a stop appears twice")
        return value
