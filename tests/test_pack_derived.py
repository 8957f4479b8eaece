"""One policy for a pack's derived data: the spatial index, the search words, the walking network, the id lookup."""

from __future__ import annotations

import pytest

from heritage_kit import search as search_mod
from heritage_kit.errors import PoiNotFound
from heritage_kit.packs import load_pack
from heritage_kit.packs.pack import DerivedCache
from heritage_kit.routing.graph import StraightLineNetwork, WalkingGraph, network_for_pack


@pytest.fixture
def pack(content_dir):
    return load_pack(content_dir / "monaco")


def _derived_things(pack):
    return {
        "index": pack.index,
        "words": search_mod._index_of(pack),
        "network": network_for_pack(pack),
        "by_id": pack._by_id,
    }


def test_every_derived_thing_is_built_once_and_shared(pack):
    first = _derived_things(pack)
    again = _derived_things(pack)
    for name, value in first.items():
        assert again[name] is value, name
    assert set(pack._derived.keys()) == {"index", "search_words", "walking_network", "by_id"}


def test_invalidate_rebuilds_every_derived_thing(pack):
    assert pack.streets, "the monaco pack has streets"
    before = _derived_things(pack)
    assert isinstance(before["network"], WalkingGraph)
    gone = pack.pois[0]
    # a change in place (same list, same length): only invalidate() can tell
    pack.pois[0] = pack.pois[1]
    pack.streets = None
    pack.invalidate()
    after = _derived_things(pack)
    for name, value in after.items():
        assert value is not before[name], name
    with pytest.raises(PoiNotFound):
        pack.poi(gone.id)
    assert all(h.poi.id != gone.id for h in pack.index.nearest(gone.lat, gone.lon, 5))
    assert isinstance(after["network"], StraightLineNetwork)
    name = gone.name.get("fr") or next(iter(gone.name.values()))
    assert all(h.poi.id != gone.id for h in pack.search(name))


def test_replacing_the_poi_list_drops_derived_data(pack):
    index = pack.index
    words = search_mod._index_of(pack)
    pack.pois = pack.pois[:-1]
    assert pack.index is not index and len(pack.index) == len(pack.pois)
    assert search_mod._index_of(pack) is not words


def test_derived_cache_builds_once_per_key():
    calls = []
    cache = DerivedCache()

    def build():
        calls.append(1)
        return object()

    a = cache.get("k", build)
    assert cache.get("k", build) is a and len(calls) == 1 and "k" in cache
    cache.clear()
    assert "k" not in cache and cache.get("k", build) is not a and len(calls) == 2
