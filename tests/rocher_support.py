"""Monaco-Ville (the Rocher) on the real OSM walking network: the test POIs the trail-planner tests share."""

from __future__ import annotations

from heritage_kit.models import POI
from heritage_kit.packs import ContentPack
from heritage_kit.types import BBox, LatLon

ROCHER = BBox(south=43.7265, west=7.4140, north=43.7335, east=7.4270)
START = LatLon(lat=43.7298, lon=7.4165)  # foot of the Rampe Major
OSM_ATTRIBUTION = {"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}


def poi(pid, kind, cats, name, lat, lon, **kw) -> POI:
    return POI.model_validate(
        {"id": pid, "kind": kind, "categories": cats, "name": {"fr": name}, "location": {"lat": lat, "lon": lon}, **kw}
    )


# the three monuments both suites plan around
MONUMENTS = [
    poi("test:cathedral", "heritage", ["cathedral"], "Cathédrale Notre-Dame-Immaculée", 43.73056, 7.42306,
        heritage={"protection": "classé"}, description={"fr": "Cathédrale romane-byzantine."}),
    poi("test:palace", "heritage", ["palace"], "Palais princier", 43.73139, 7.42000),
    poi("test:museum", "heritage", ["museum"], "Musée océanographique", 43.73080, 7.42540,
        opening_hours="Tu-Su 10:00-18:00; PH off"),
]


def rocher_pack(graph, pois, **kw) -> ContentPack:
    """A test pack of ``pois`` on the Rocher's real streets (``graph``: the ``rocher_graph`` fixture)."""
    return ContentPack.new(town_id="rocher", town_name="Monaco-Ville (test)", pois=pois, timezone="Europe/Paris",
                           country="FR", streets=graph.to_geojson(), attributions=[OSM_ATTRIBUTION], **kw)
