"""The nearest named street of each POI, from a pack's ``streets.geojson`` (pure: no I/O)."""

from __future__ import annotations

import math

__all__ = ["nearest_streets", "NEAR_STREET_M"]

NEAR_STREET_M = 40.0  # a POI further than this from every named street gets none ("near" must be true)


def nearest_streets(pois, streets: dict | None, *, max_m: float = NEAR_STREET_M) -> dict[str, str]:
    """{poi id: name of the nearest named street within ``max_m``} (equirectangular metres, fine at town scale)."""
    if not streets or not streets.get("features") or not pois:
        return {}
    from shapely import STRtree
    from shapely.affinity import scale
    from shapely.geometry import Point, shape

    from heritage_kit.geo import metres_per_degree

    lat0 = sum(p.location.lat for p in pois) / len(pois)
    m_lon, m_lat = metres_per_degree(lat0)
    geoms, names = [], []
    for feat in streets["features"]:
        name = (feat.get("properties") or {}).get("name")
        geom = feat.get("geometry")
        if not name or not geom:
            continue
        try:
            g = shape(geom)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        geoms.append(scale(g, xfact=m_lon, yfact=m_lat, origin=(0, 0)))
        names.append(str(name))
    if not geoms:
        return {}
    tree = STRtree(geoms)
    out: dict[str, str] = {}
    for p in pois:
        pt = Point(p.location.lon * m_lon, p.location.lat * m_lat)
        i = tree.nearest(pt)
        if i is not None and math.isfinite(d := geoms[int(i)].distance(pt)) and d <= max_m:
            out[p.id] = names[int(i)]
    return out
