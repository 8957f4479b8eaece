"""Importers: fill POIs from open data (base Mérimée, OpenStreetMap) and merge them.

Sources are read by small adapters; the tag table (:mod:`.tags`) and the merge
rules (:mod:`.merge`) are pure.
"""

from __future__ import annotations

import importlib

__all__ = [
    "ImportReport",
    "read_merimee",
    "import_merimee",
    "read_osm",
    "import_osm",
    "read_overpass_json",
    "merge_pois",
    "MergeReport",
]

_LAZY = {
    "ImportReport": "heritage_kit.importers.report",
    "read_merimee": "heritage_kit.importers.merimee",
    "import_merimee": "heritage_kit.importers.merimee",
    "read_osm": "heritage_kit.importers.osm",
    "import_osm": "heritage_kit.importers.osm",
    "read_overpass_json": "heritage_kit.importers.osm",
    "merge_pois": "heritage_kit.importers.merge",
    "MergeReport": "heritage_kit.importers.merge",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'heritage_kit.importers' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
