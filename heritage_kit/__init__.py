"""heritage-kit: a town's heritage and centre-town shops, walkable and offline.

The public API is re-exported here lazily, so ``import heritage_kit`` stays
light (and never imports kivy or the mobile app).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from heritage_kit.errors import (
    HeritageKitError,
    HoursError,
    ModerationError,
    PackError,
    PoiNotFound,
    QueryError,
    RouteNotFound,
    SourceDataError,
    SubmissionError,
    SyncError,
)

__version__ = "0.2.0.dev0"

# name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    # models
    "POI": "heritage_kit.models",
    "Trail": "heritage_kit.models",
    "PackManifest": "heritage_kit.models",
    "LocalizedText": "heritage_kit.models",
    "LatLon": "heritage_kit.types",
    "BBox": "heritage_kit.types",
    # packs
    "ContentPack": "heritage_kit.packs",
    "load_pack": "heritage_kit.packs",
    "save_pack": "heritage_kit.packs",
    "validate_pack": "heritage_kit.packs",
    "ValidationReport": "heritage_kit.packs",
    "build_pack": "heritage_kit.packs.build",
    # importers
    "read_merimee": "heritage_kit.importers.merimee",
    "read_osm": "heritage_kit.importers.osm",
    "read_overpass_json": "heritage_kit.importers.osm",
    "merge_pois": "heritage_kit.importers.merge",
    # discovery
    "PoiIndex": "heritage_kit.spatial",
    "OpeningHours": "heritage_kit.hours",
    # geofencing
    "Fix": "heritage_kit.geofence",
    "Fence": "heritage_kit.geofence",
    "GeofenceEngine": "heritage_kit.geofence",
    "GeofenceConfig": "heritage_kit.geofence",
    # routing
    "WalkingGraph": "heritage_kit.routing",
    "order_stops": "heritage_kit.routing",
    "plan_visits": "heritage_kit.routing",
    "plan_trail": "heritage_kit.routing",
    # contributions
    "Submission": "heritage_kit.submissions",
    "Outbox": "heritage_kit.submissions",
    "InboxClient": "heritage_kit.submissions",
}

__all__ = sorted(
    [
        "HeritageKitError",
        "HoursError",
        "ModerationError",
        "PackError",
        "PoiNotFound",
        "QueryError",
        "RouteNotFound",
        "SourceDataError",
        "SubmissionError",
        "SyncError",
        "__version__",
        *_LAZY,
    ]
)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'heritage_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.models import POI, LocalizedText, PackManifest, Trail
    from heritage_kit.packs import ContentPack, ValidationReport, load_pack, save_pack, validate_pack
    from heritage_kit.types import BBox, LatLon
