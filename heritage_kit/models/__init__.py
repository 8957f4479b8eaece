"""The typed domain model (pydantic v2)."""

from heritage_kit.models.manifest import FORMAT_VERSION, Attribution, FileEntry, PackManifest
from heritage_kit.models.poi import KINDS, POI, Address, Footprint, HeritageFacts, Kind, Media, Refs, Source
from heritage_kit.models.text import LocalizedText
from heritage_kit.models.trail import Trail

__all__ = [
    "FORMAT_VERSION",
    "KINDS",
    "POI",
    "Address",
    "Attribution",
    "FileEntry",
    "Footprint",
    "HeritageFacts",
    "Kind",
    "LocalizedText",
    "Media",
    "PackManifest",
    "Refs",
    "Source",
    "Trail",
]
