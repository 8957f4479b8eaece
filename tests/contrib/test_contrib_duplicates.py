"""Duplicate hints on the real Périgueux monuments (base Mérimée)."""

from __future__ import annotations

from heritage_kit.submissions import duplicate_hints, normalise_name

SAINT_FRONT = (45.1836359706, 0.7227889089)


def test_the_cathedral_proposed_again_is_hinted(pack):
    hints = duplicate_hints(pack, name={"fr": "Cathedrale St-Front"}, lat=SAINT_FRONT[0] + 0.0002,
                            lon=SAINT_FRONT[1])
    assert [h.poi_id for h in hints] == ["merimee:PA00082725"]
    assert 15 < hints[0].distance_m < 30 and hints[0].score >= 90
    assert hints[0].to_dict()["name"] == "Cathédrale Saint-Front"


def test_far_away_or_different_names_are_not_hinted(pack):
    # same name, 200 m away
    assert duplicate_hints(pack.pois, name="Cathédrale Saint-Front", lat=SAINT_FRONT[0] + 0.0018,
                           lon=SAINT_FRONT[1]) == []
    # a shop on the cathedral square
    assert duplicate_hints(pack.pois, name="Boulangerie du Marché", lat=SAINT_FRONT[0], lon=SAINT_FRONT[1]) == []


def test_radius_is_75_m_by_default(pack):
    lat, lon = 45.1836359706 + 70 / 111_200, 0.7227889089  # ~70 m north
    assert duplicate_hints(pack, name="Cathédrale Saint-Front", lat=lat, lon=lon)
    lat = 45.1836359706 + 80 / 111_200
    assert not duplicate_hints(pack, name="Cathédrale Saint-Front", lat=lat, lon=lon)


def test_longer_official_names_match_and_one_generic_word_does_not(pack):
    # "Maison Renaissance ou maison à colonnes" (PA00082753) stands next to the Maison des Consuls
    hints = duplicate_hints(pack, name="Maison Renaissance", lat=45.18405, lon=0.72443)
    assert [h.poi_id for h in hints] == ["merimee:PA00082753"]
    # "Maison" alone is what five different houses there are called: only exact "Maison" entries match
    generic = duplicate_hints(pack, name="Maison", lat=45.18405, lon=0.72443)
    assert all(pack.poi(h.poi_id).name.get("fr") == "Maison" for h in generic)


def test_best_first_and_limited(pack):
    hints = duplicate_hints(pack, name="Maison", lat=45.18405, lon=0.72443, radius_m=500, limit=3)
    assert len(hints) == 3
    assert all((a.score, -a.distance_m) >= (b.score, -b.distance_m) for a, b in zip(hints, hints[1:]))


def test_normalise_name():
    assert normalise_name("Église Saint-Étienne-de-la-Cité") == "eglise saint etienne cite"
    assert normalise_name("St Front") == normalise_name("Saint-Front")
    assert duplicate_hints([], name="x", lat=0, lon=0) == []
