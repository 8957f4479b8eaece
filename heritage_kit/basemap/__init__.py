"""The pack's basemap: buildings, water and sea, parks, pedestrian areas, railways and labels from OSM.

``contract`` (the ``basemap.geojson`` format and its checker), ``features`` (OSM tags + geometry → features,
the layer/kind table), ``sea`` (the sea polygon from coastlines) are pure; ``extract`` reads OSM files and
Overpass answers. See ``docs/basemap.md``.
"""

from heritage_kit.basemap.contract import BANDS, GEOMETRIES, LAYERS, check_basemap
from heritage_kit.basemap.extract import basemap_from_overpass, extract_basemap
from heritage_kit.basemap.features import basemap_features, classify, feature_collection, layer_counts

__all__ = [
    "LAYERS",
    "BANDS",
    "GEOMETRIES",
    "check_basemap",
    "classify",
    "basemap_features",
    "feature_collection",
    "layer_counts",
    "extract_basemap",
    "basemap_from_overpass",
]
