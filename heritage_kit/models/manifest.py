"""The pack manifest: what the pack is, where, under which licences, and its files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from heritage_kit.models.text import LocalizedText
from heritage_kit.types import BBox, HttpUrl, LangCode, LatLon, ShortText

__all__ = ["PackManifest", "Attribution", "FileEntry", "FORMAT_VERSION", "SUPPORTED_FORMAT_VERSIONS"]

FORMAT_VERSION = 1
SUPPORTED_FORMAT_VERSIONS = frozenset({1})


class Attribution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: ShortText  # e.g. "© OpenStreetMap contributors"
    licence: ShortText  # e.g. "ODbL 1.0"
    url: HttpUrl | None = None


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(ge=0)]


class PackManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int
    town_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
    town_name: ShortText
    centre: LatLon
    bbox: BBox
    timezone: ShortText = "Europe/Paris"
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "FR"
    version: Annotated[int, Field(ge=1)] = 1
    created: datetime
    languages: Annotated[list[LangCode], Field(min_length=1)]
    attributions: Annotated[list[Attribution], Field(min_length=1)]
    files: dict[Annotated[str, StringConstraints(max_length=300)], FileEntry] = Field(default_factory=dict)
    # one text per language ({"fr": …, "en": …}); a plain string (format 1 packs) is still read
    description: LocalizedText | ShortText | None = None

    @field_validator("format_version")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value not in SUPPORTED_FORMAT_VERSIONS:
            raise ValueError(
                f"unknown pack format version {value}; this heritage-kit reads "
                f"{sorted(SUPPORTED_FORMAT_VERSIONS)}"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
