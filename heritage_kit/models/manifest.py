"""The pack manifest: what the pack is, where, under which licences, and its files."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from heritage_kit.models.extensions import Branding, Extensions
from heritage_kit.models.text import LocalizedText
from heritage_kit.types import BBox, HttpUrl, LangCode, LatLon, ShortText

__all__ = [
    "PackManifest",
    "Attribution",
    "FileEntry",
    "FORMAT_VERSION",
    "FORMAT_MINOR",
    "SUPPORTED_FORMAT_VERSIONS",
    "format_version_parts",
    "FORMAT_READERS",
    "reader_min_version",
    "release_tuple",
]

# The pack format is MAJOR.MINOR. ``format_version`` is written ``1`` (= 1.0) or ``"1.1"``.
# A reader accepts every minor of its major: a higher minor only adds optional fields, which a reader that
# does not know them drops (with a warning; heritage_kit.packs.pack). A higher major is refused.
# 1.1 adds ``extensions`` (manifest and POIs) and ``branding`` (manifest).
# 1.2 adds ``events.json`` (heritage_kit.models.event) and the POI fields ``housed_in`` and ``support``.
FORMAT_VERSION = 1  # the major
FORMAT_MINOR = 2  # the highest minor this heritage-kit knows
SUPPORTED_FORMAT_VERSIONS = frozenset({1})  # majors

# The first heritage-kit release that reads each format (major, minor). A pack of format 1.1 or later says it in
# its manifest (``reader_min_version``) so a catalogue, an app or a person can tell before reading the pack;
# format 1.0 packs carry no note: every release reads them (and 0.1.0 refused any key it did not know).
# A new minor adds its row here (tests/ship/test_pack_reader_version.py checks every known minor has one).
FORMAT_READERS: dict[tuple[int, int], str] = {(1, 0): "0.1.0", (1, 1): "0.2.0", (1, 2): "0.2.0"}


def release_tuple(version: str) -> tuple[int, int, int]:
    """``"0.2.0"``, ``"0.2.0.dev1"``, ``"1.4"`` -> (0, 2, 0), (0, 2, 0), (1, 4, 0): the release part only."""
    m = re.match(r"(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?", version.strip())
    if not m:
        raise ValueError(f"not a version number: {version!r:.40}")
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)


def reader_min_version(format_version: object) -> str:
    """The lowest heritage-kit release that reads a pack of ``format_version`` (a major/minor this library knows)."""
    major, minor = format_version_parts(format_version)
    try:
        return FORMAT_READERS[(major, minor)]
    except KeyError:
        raise ValueError(f"pack format {major}.{minor} is not one this heritage-kit writes") from None


def format_version_parts(value: object) -> tuple[int, int]:
    """``1`` -> (1, 0), ``"1.1"`` -> (1, 1); ``ValueError`` with a sentence for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"format_version must be a number such as 1 or a string such as \"1.1\", got {value!r}")
    if isinstance(value, int):
        return value, 0
    if isinstance(value, str):
        m = re.fullmatch(r"(\d{1,4})(?:\.(\d{1,4}))?", value.strip())
        if m:
            return int(m.group(1)), int(m.group(2) or 0)
    raise ValueError(f"format_version must be a number such as 1 or a string such as \"1.1\", got {value!r:.40}")


def format_version_problem(value: object) -> str | None:
    """Why a pack of ``format_version`` cannot be read here (None: it can)."""
    try:
        major, minor = format_version_parts(value)
    except ValueError as exc:
        return str(exc)
    if major not in SUPPORTED_FORMAT_VERSIONS:
        newer = major > max(SUPPORTED_FORMAT_VERSIONS)
        return (
            f"unknown pack format version {value!r:.40}: pack format {major}.{minor} "
            + ("is newer than this heritage-kit, which reads format 1.0 to 1.x: upgrade heritage-kit to read it"
               if newer else f"is not one this heritage-kit reads (format 1.0 to 1.x)")
        )
    return None


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
    """A pack's ``manifest.json``: the town, version, format, languages, centre, attributions and file checksums."""

    model_config = ConfigDict(extra="forbid")

    format_version: int | str  # 1, or "MAJOR.MINOR" ("1.1"); see format_version_parts
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
    # format 1.1: the town's look in the app, and its own namespaced data (heritage_kit.models.extensions)
    branding: Branding | None = None
    extensions: Extensions | None = None
    # format 1.1: the lowest heritage-kit release that reads this pack (FORMAT_READERS; written by save_pack)
    reader_min_version: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,6}){0,2}$")] | None = None

    @field_validator("format_version")
    @classmethod
    def _known_format(cls, value: int | str) -> int | str:
        problem = format_version_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def format_minor(self) -> int:
        return format_version_parts(self.format_version)[1]

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
