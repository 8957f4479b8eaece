"""What a visitor would not want to miss (issue 16): the top monuments of Monaco are in a planned walk from the
station whenever they can be reached — as many of them as the time and their opening hours allow.

"Top N" is the visitor's list, not the scorer's: the three sights every guide of Monaco names first. Whether a
set of them is *reachable* is asked of the planner itself (``must_visit``: walking, visits and opening hours);
the free plan must then hold as many of them as the largest reachable set.
"""

from __future__ import annotations

from datetime import datetime
from itertools import combinations

import pytest

from heritage_kit.errors import RouteNotFound
from heritage_kit.routing import plan_trail, poi_score
from heritage_kit.types import LatLon

STATION = LatLon(lat=43.7388, lon=7.4196)  # Gare de Monaco, the Sainte-Dévote exit
TOP = {
    "osm:way/362871296": "Cathédrale Notre-Dame-Immaculée",
    "osm:relation/393226": "Palais princier de Monaco",
    "osm:way/23715051": "Musée Océanographique",
}


@pytest.fixture(scope="module")
def monaco_pack(content_dir):
    from heritage_kit.packs import load_pack

    return load_pack(content_dir / "monaco")


def _most_reachable(pack, at: datetime, minutes: float) -> int:
    """How many of the top monuments one walk can hold (the planner asked with each set as must-visit)."""
    for n in range(len(TOP), 0, -1):
        for ids in combinations(TOP, n):
            try:
                plan_trail(pack, start=STATION, start_time=at, minutes=minutes, must_visit=list(ids))
            except RouteNotFound:
                continue
            return n
    return 0


def test_the_top_monuments_are_the_packs_own(monaco_pack):
    for pid, name in TOP.items():
        assert monaco_pack.poi(pid).name.get("fr") == name


@pytest.mark.parametrize("at, minutes", [
    (datetime(2026, 7, 18, 10, 0), 90),  # a summer Saturday morning
    (datetime(2026, 12, 7, 14, 0), 90),  # a winter Monday afternoon: the palace is closed (Oct 17–Mar 25)
    (datetime(2026, 4, 15, 9, 30), 90),
    (datetime(2026, 7, 18, 10, 0), 150),  # time for all three
])
def test_a_walk_from_the_station_includes_the_top_monuments_when_reachable(monaco_pack, at, minutes):
    it = plan_trail(monaco_pack, start=STATION, start_time=at, minutes=minutes)
    got = [s.poi_id for s in it.stops if s.poi_id in TOP]
    best = _most_reachable(monaco_pack, at, minutes)
    assert best >= 1
    assert len(got) == best, (best, [s.name for s in it.stops])
    assert it.total_min <= minutes


def test_a_well_known_stop_of_the_towns_trail_outscores_a_museum_only_mappers_know(monaco_pack):
    """The Oceanographic Museum (on the pack's trail, named in 12 languages) against the stamp museum (neither):
    same category, same links and text — the signals a visitor relies on make the difference."""
    oceano, stamps = monaco_pack.poi("osm:way/23715051"), monaco_pack.poi("osm:node/5919288520")
    on_trail = {pid for t in monaco_pack.trails for pid in t.stops}
    assert oceano.id in on_trail and stamps.id not in on_trail
    assert len(oceano.name.root) >= 5 > len(stamps.name.root)
    assert poi_score(oceano, curated=True) > 1.5 * poi_score(stamps)
    assert poi_score(oceano) == pytest.approx(poi_score(stamps) * 1.1 ** 2)  # the names alone: ×1.1, squared
