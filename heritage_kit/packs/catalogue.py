"""The pack catalogue (``index.json``): models and pure rules — no file or network I/O.

A publish folder holds immutable, content-addressed pack zips
``<town>-<version>-<sha256[:12]>.zip`` and one ``index.json`` listing, per
town, its latest version with size and SHA-256.  The phone reads the index,
decides (here) whether an update is due, downloads (``heritage_kit.packs.install``)
and verifies (here) before swapping the new pack in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from heritage_kit.errors import CatalogueError, PackDownloadError
from heritage_kit.models.manifest import Attribution, PackManifest
from heritage_kit.types import LangCode, LatLon, ShortText

__all__ = ["CATALOGUE_FORMAT", "Catalogue", "CatalogueEntry", "DeltaEntry", "catalogue_schema", "delta_file_name",
           "delta_for", "entry_for", "pack_file_name", "parse_catalogue", "update_available", "upsert_entry", "verify_download"]

CATALOGUE_FORMAT = 1
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
TownId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
PublicKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class DeltaEntry(BaseModel):
    """A patch from an older published zip (``from_sha256``) to the entry's latest (``packs.delta``)."""

    model_config = ConfigDict(extra="forbid")

    from_version: Annotated[int, Field(ge=1)]
    from_sha256: Sha256
    file: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*-[0-9]+-[0-9]+-[0-9a-f]{12}\.delta\.zip$")]
    size: Annotated[int, Field(ge=1)]
    sha256: Sha256


class CatalogueEntry(BaseModel):
    """One town's latest published pack."""

    model_config = ConfigDict(extra="forbid")

    town_id: TownId
    name: dict[LangCode, ShortText] = Field(description="town name per language, at least fr and en")
    centre: LatLon
    languages: Annotated[list[LangCode], Field(min_length=1)]
    version: Annotated[int, Field(ge=1)]
    file: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*-[0-9]+-[0-9a-f]{12}\.zip$")]
    size: Annotated[int, Field(ge=1)]
    sha256: Sha256
    min_app_version: Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+){0,2}$")] = "0.1.0"
    attributions: Annotated[list[Attribution], Field(min_length=1)]
    published: datetime
    deltas: list[DeltaEntry] = Field(default_factory=list, description="patches from older versions (optional)")
    public_key: PublicKey | None = Field(
        None, description="the town's Ed25519 public key (hex) when its packs are signed; the app pins the key "
                          "it first installed with and refuses a pack not signed by it")


class Catalogue(BaseModel):
    """``index.json``: every town's latest pack."""

    model_config = ConfigDict(extra="forbid")

    format_version: Annotated[int, Field(ge=1, le=CATALOGUE_FORMAT)] = CATALOGUE_FORMAT
    updated: datetime
    towns: list[CatalogueEntry] = Field(default_factory=list)


def catalogue_schema() -> dict[str, Any]:
    """JSON Schema of ``index.json``, generated from the model."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://heritage-kit.example/schema/index.schema.json",
        "title": "index.json",
        "description": "The pack catalogue: per town, its latest pack zip with size and SHA-256.",
        **Catalogue.model_json_schema(),
    }


def pack_file_name(town_id: str, version: int, sha256: str) -> str:
    return f"{town_id}-{version}-{sha256[:12]}.zip"


def delta_file_name(town_id: str, from_version: int, to_version: int, sha256: str) -> str:
    return f"{town_id}-{from_version}-{to_version}-{sha256[:12]}.delta.zip"


def delta_for(entry: CatalogueEntry, installed_sha256: str | None) -> DeltaEntry | None:
    """The published delta that starts from the installed zip, if any."""
    return next((d for d in entry.deltas if installed_sha256 and d.from_sha256 == installed_sha256), None)


def parse_catalogue(data: bytes | str | dict, url: str = "index.json") -> Catalogue:
    """A validated :class:`Catalogue`, or :class:`CatalogueError` naming the field."""
    try:
        if isinstance(data, dict):
            return Catalogue.model_validate(data)
        return Catalogue.model_validate_json(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise CatalogueError(f"{url}: {field or 'document'}: {err['msg']} "
                             f"(catalogue illisible / unreadable catalogue)", url=url, field=field) from None


def entry_for(catalogue: Catalogue, town_id: str, url: str = "index.json") -> CatalogueEntry:
    for entry in catalogue.towns:
        if entry.town_id == town_id:
            return entry
    raise CatalogueError(f"{url}: no town {town_id!r} in the catalogue (ville absente du catalogue); "
                         f"known: {', '.join(e.town_id for e in catalogue.towns) or 'none'}",
                         url=url, field="towns")


def upsert_entry(catalogue: Catalogue, manifest: PackManifest, *, file: str, size: int, sha256: str,
                 published: datetime, min_app_version: str = "0.1.0",
                 deltas: list[DeltaEntry] | None = None, public_key: str | None = None) -> Catalogue:
    """A new catalogue with ``manifest``'s town set to this pack (towns kept sorted by id); ``public_key``:
    the town's signing key (hex), listed when the pack is signed."""
    name = {"fr": manifest.town_name, "en": manifest.town_name}
    entry = CatalogueEntry(town_id=manifest.town_id, name=name, centre=manifest.centre,
                           languages=manifest.languages, version=manifest.version, file=file, size=size,
                           sha256=sha256, min_app_version=min_app_version,
                           attributions=manifest.attributions, published=published, deltas=deltas or [],
                           public_key=public_key)
    towns = [e for e in catalogue.towns if e.town_id != manifest.town_id] + [entry]
    return Catalogue(updated=published, towns=sorted(towns, key=lambda e: e.town_id))


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def update_available(entry: CatalogueEntry, installed_version: int | None, installed_sha256: str | None = None,
                     app_version: str = "0.1.0") -> bool:
    """True when ``entry`` should be downloaded: nothing installed, a newer version, or the same
    version with other bytes (republished) — and the app is recent enough to read it."""
    if _version_tuple(app_version) < _version_tuple(entry.min_app_version):
        return False
    if installed_version is None:
        return True
    if entry.version != installed_version:
        return entry.version > installed_version
    return installed_sha256 is not None and installed_sha256 != entry.sha256


def verify_download(entry: CatalogueEntry | DeltaEntry, data_size: int, sha256: str, url: str) -> None:
    """Raise :class:`PackDownloadError` unless the downloaded bytes match the catalogue entry."""
    if data_size != entry.size:
        raise PackDownloadError(
            f"{url}: {data_size} bytes received, the catalogue says {entry.size} "
            f"(taille incorrecte / wrong size); the installed pack is kept",
            town_id=getattr(entry, "town_id", None), url=url, reason="size")
    if sha256 != entry.sha256:
        raise PackDownloadError(
            f"{url}: SHA-256 {sha256[:12]}… differs from the catalogue's {entry.sha256[:12]}… "
            f"(fichier corrompu / corrupted file); the installed pack is kept",
            town_id=getattr(entry, "town_id", None), url=url, reason="sha256")


def sha256_of(chunks) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(c)
    return h.hexdigest()
