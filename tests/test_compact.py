"""A loaded pack shares equal parts between its POIs (heritage_kit.models.compact): safely."""

from collections import Counter

import pytest
from pydantic import ValidationError

from heritage_kit import load_pack, save_pack
from heritage_kit.models import POI, Address, HeritageFacts, LocalizedText, Refs
from heritage_kit.models.compact import Compactor, compact_pois
from heritage_kit.packs import pack_files
from heritage_kit.packs.geojson import feature_to_poi_data, poi_to_feature


@pytest.fixture(scope="module")
def packs(content_dir):
    return {town: load_pack(content_dir / town) for town in ("monaco", "perigueux")}


@pytest.fixture
def monaco(packs):
    return packs["monaco"]


@pytest.fixture
def perigueux(packs):
    return packs["perigueux"]


def _fresh(poi: POI) -> POI:
    """The same POI validated again from its GeoJSON Feature, on its own: nothing shared."""
    return POI.model_validate(feature_to_poi_data(poi_to_feature(poi)))


def test_loaded_pois_share_equal_parts(perigueux, monaco):
    # one fields set per distinct content, across POIs and their models
    sets = Counter(id(p.model_fields_set) for p in monaco.pois)
    assert len(sets) < len(monaco.pois) / 5
    assert len({id(p.location.model_fields_set) for p in monaco.pois}) == 1
    assert len({id(p.name.model_fields_set) for p in monaco.pois}) == 1
    # equal heritage facts / addresses / empty refs are one instance
    facts = [p.heritage for p in perigueux.pois if p.heritage is not None]
    assert len({id(h) for h in facts}) == len({h.model_dump_json() for h in facts}) < len(facts)
    addresses = [p.address for p in monaco.pois if p.address is not None]
    assert len({id(a) for a in addresses}) == len({a.model_dump_json() for a in addresses})
    assert all(p.refs != Refs() for p in monaco.pois)  # (empty refs are shared: test_compact_pois_directly)
    # ... and equal to what an unshared validation gives, fields sets included
    for p in perigueux.pois + monaco.pois:
        fresh = _fresh(p)
        assert fresh == p
        assert fresh.model_dump(exclude_unset=True) == p.model_dump(exclude_unset=True)


def test_shared_parts_cannot_be_changed_in_place(perigueux):
    a, b = [p for p in perigueux.pois if p.heritage is not None][:2]
    shared = next(h for h in (p.heritage for p in perigueux.pois)
                  if h is not None and sum(q.heritage is h for q in perigueux.pois) > 1)
    for obj, field, value in [
        (shared, "protection", "inscrit"),
        (a, "name", LocalizedText({"fr": "Autre"})),
        (a, "kind", "commerce"),
        (a.refs, "merimee", "PA00000001"),
        (a.location, "lat", 0.0),
        (a.name, "root", {"fr": "Autre"}),
        (a.sources[0], "licence", "CC0"),
    ]:
        with pytest.raises(ValidationError, match="frozen"):
            setattr(obj, field, value)
    with pytest.raises(ValidationError, match="frozen"):
        Address(city="Périgueux").city = "Paris"
    assert b.name != LocalizedText({"fr": "Autre"})


def test_a_copy_of_one_poi_does_not_change_another(perigueux):
    pois = perigueux.pois
    shared = next(h for h in (p.heritage for p in pois) if h is not None and sum(q.heritage is h for q in pois) > 1)
    a, b = [p for p in pois if p.heritage is shared][:2]
    assert a.model_fields_set is b.model_fields_set and a.phone is None
    before_b = b.model_dump(exclude_unset=True)
    fields_b = set(b.model_fields_set)

    c = a.model_copy(update={
        "phone": "+33 5 53 00 00 00",
        "heritage": shared.model_copy(update={"protection": "inscrit", "dates": "XIIe siècle"}),
    })
    assert c.phone == "+33 5 53 00 00 00" and c.heritage.protection == "inscrit"
    assert "phone" in c.model_fields_set and "dates" in c.heritage.model_fields_set
    # the POIs and the facts they shared are untouched, fields sets included
    assert a.phone is None and b.phone is None
    assert a.heritage is shared and b.heritage is shared and shared.dates is None
    assert "dates" not in shared.model_fields_set
    assert set(b.model_fields_set) == fields_b and "phone" not in a.model_fields_set
    assert b.model_dump(exclude_unset=True) == before_b


def test_round_trip_is_unchanged(tmp_path, monaco, perigueux):
    for pack in (monaco, perigueux):
        files = pack_files(pack)
        save_pack(pack, tmp_path / pack.manifest.town_id)
        again = load_pack(tmp_path / pack.manifest.town_id)
        assert again == pack
        assert pack_files(again) == files
        # the POIs saved from an unshared copy make the same file
        fresh = [_fresh(p) for p in pack.pois]
        assert fresh == pack.pois
        pack.pois, kept = fresh, pack.pois
        try:
            assert pack_files(pack) == files
        finally:
            pack.pois = kept


def test_compact_pois_directly():
    facts = {"protection": "classé", "protection_act": "arrêté"}
    pois = [
        POI.model_validate({"id": f"merimee:PA0000000{i}", "kind": "heritage", "name": {"fr": f"Monument {i}"},
                            "location": {"lat": 45.0, "lon": 0.7 + i / 100}, "heritage": facts,
                            "address": {"city": "Périgueux"} if i < 3 else None})
        for i in range(5)
    ]
    before = [p.model_dump() for p in pois]
    assert len({id(p.heritage) for p in pois}) == 5
    c = Compactor()
    assert compact_pois(pois, c) is pois
    assert [p.model_dump() for p in pois] == before
    assert len({id(p.heritage) for p in pois}) == 1 and len({id(p.refs) for p in pois}) == 1
    assert len({id(p.address) for p in pois[:3]}) == 1
    assert len({id(p.model_fields_set) for p in pois[:3]}) == 1
    # an explicit None is not the same as an unset field: different fields sets, not shared
    other = HeritageFacts.model_validate({**facts, "dates": None})
    assert other == pois[0].heritage and other.model_fields_set != pois[0].heritage.model_fields_set
    assert c._shared(other) is not pois[0].heritage


def test_every_reading_path_shares(perigueux):
    # feature at a time (the save_pack layout), the whole file (another layout) and the detailed path (taken
    # when the fast ones find anything off) give the same shared POIs
    import json

    from heritage_kit.packs.geojson import fast_read_pois
    from heritage_kit.packs.pack import POIS, _read_pois_detailed
    from heritage_kit.packs.report import ValidationReport

    data = pack_files(perigueux)[POIS]
    report = ValidationReport("perigueux")
    indented = json.dumps(json.loads(data), indent=1, ensure_ascii=False).encode()
    for pois in (fast_read_pois(data), fast_read_pois(indented), _read_pois_detailed(data, report)):
        assert pois == perigueux.pois and all(type(p) is POI for p in pois)
        assert len({id(p.model_fields_set) for p in pois}) < len(pois)
        facts = [p.heritage for p in pois if p.heritage is not None]
        assert len({id(h) for h in facts}) < len(facts)
    assert report.ok
