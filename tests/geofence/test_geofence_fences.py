"""fences_for: default radii by category and kind, footprints, fitting to the neighbourhood."""

from __future__ import annotations

import pytest

from geofence_support import at, make_poi
from heritage_kit.errors import GeofenceError
from heritage_kit.geofence import CATEGORY_RADIUS_M, DEFAULT_RADIUS_M, fences_for


def test_fences_for_default_radii_by_category():
    pois = [
        make_poi("osm:node/1", ["bakery"], "commerce", 0, 0),
        make_poi("osm:node/2", ["cathedral", "church"], "heritage", 300, 0),
        make_poi("osm:node/3", ["square"], "heritage", 600, 0),
        make_poi("osm:node/4", ["heritage_other"], "heritage", 900, 0),
        make_poi("osm:node/5", ["statue"], "heritage", 1200, 0),
    ]
    r = {f.id: f.radius_m for f in fences_for(pois)}
    assert r["osm:node/1"] == DEFAULT_RADIUS_M["commerce"] == 15.0
    assert r["osm:node/2"] == CATEGORY_RADIUS_M["cathedral"]
    assert r["osm:node/3"] == CATEGORY_RADIUS_M["square"]
    assert r["osm:node/4"] == DEFAULT_RADIUS_M["heritage"]
    assert r["osm:node/5"] < r["osm:node/4"] < r["osm:node/3"]
    assert fences_for(pois, radius_by_category={"bakery": 9.0})[0].radius_m == 9.0
    only = fences_for(pois, ids=["osm:node/3", "osm:node/1"])
    assert [f.id for f in only] == ["osm:node/3", "osm:node/1"]
    with pytest.raises(GeofenceError, match="osm:node/9"):
        fences_for(pois, ids=["osm:node/9"])


def test_fences_for_separate_keeps_close_stops_apart_and_uses_footprints():
    pois = [
        make_poi("osm:node/1", ["church"], "heritage", 0, 0),
        make_poi("osm:node/2", ["museum"], "heritage", 40, 0),
        make_poi("osm:node/3", ["museum"], "heritage", 400, 0),
    ]
    sep = {f.id: f.radius_m for f in fences_for(pois, separate=True)}
    assert sep["osm:node/1"] == pytest.approx(20.0, abs=0.1)
    assert sep["osm:node/2"] == pytest.approx(20.0, abs=0.1)
    assert sep["osm:node/3"] == 30.0
    ring = [at(380, -10), at(420, -10), at(420, 10), at(380, 10), at(380, -10)]
    fp = {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in ring]]}
    with_fp = make_poi("osm:way/3", ["museum"], "heritage", 400, 0, footprint=fp)
    f = fences_for([with_fp])[0]
    assert f.is_polygon and f.radius_m == 15.0 and f.center == with_fp.location


def test_fences_for_grow_and_separate_fit_the_neighbourhood():
    pois = [
        make_poi("osm:node/1", ["bakery"], "commerce", 0, 0),
        make_poi("osm:node/2", ["bakery"], "commerce", 20, 0),
        make_poi("osm:node/3", ["museum"], "heritage", 500, 0),
    ]
    grown = {f.id: f.radius_m for f in fences_for(pois, grow=2.0)}
    assert grown["osm:node/1"] == 15.0 and grown["osm:node/3"] == 60.0  # alone: up to 2 x 30 m
    both = {f.id: f.radius_m for f in fences_for(pois, grow=2.0, separate=True)}
    assert both["osm:node/1"] == pytest.approx(12.0) and both["osm:node/3"] == 60.0
    with pytest.raises(GeofenceError, match="grow"):
        fences_for(pois, grow=0.5)
