"""Explore presenter: results by distance, shop filters, "hours unknown", and what it says when
a town's pack has no shop data at all (instead of "No result")."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from heritage_kit.packs import ContentPack
from mobile.i18n import Translator
from mobile.presenters.explore import ExplorePresenter
from mobile.presenters.hours import HoursBadges

NOON = datetime(2026, 7, 15, 12, 0, tzinfo=ZoneInfo("Europe/Monaco"))
BADGES = HoursBadges(country="MC", timezone="Europe/Monaco")
ATTRIBUTION = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]


def _repack(pois) -> ContentPack:
    return ContentPack.new(town_id="monaco", town_name="Monaco", pois=pois, trails=[], attributions=ATTRIBUTION,
                           timezone="Europe/Monaco", country="MC")


def test_results_by_distance_and_the_shop_filter(pack):
    p = ExplorePresenter(pack, Translator("en"), BADGES)
    rows = p.rows(near=pack.poi("osm:way/1").location, now=NOON)
    assert rows[0].poi_id == "osm:way/1" and [r.distance_m for r in rows] == sorted(r.distance_m for r in rows)
    assert p.count_text(rows) == f"{len(rows)} results"
    p.filters.shops = True
    shops = p.rows(near=None, now=NOON)
    assert {r.kind for r in shops} == {"commerce"} and len(shops) == 2
    assert all(r.badge_state == "open" for r in shops)


def test_one_result_is_singular(pack):
    p = ExplorePresenter(pack, Translator("fr"), BADGES)
    p.filters.text = "Boulangerie du Rocher"
    rows = p.rows(near=None, now=NOON)
    assert rows[0].title == "Boulangerie du Rocher"
    assert p.count_text(rows[:1]) == "1 résultat"
    assert ExplorePresenter(pack, Translator("en"), BADGES).count_text(rows[:1]) == "1 result"  # not "1 results"


def test_a_shop_without_hours_says_hours_unknown(pack):
    shop = pack.poi("osm:node/6").model_copy(update={"opening_hours": None})
    others = [q for q in pack.pois if q.id != "osm:node/6"]
    p = ExplorePresenter(_repack([*others, shop]), Translator("en"), BADGES)
    rows = {r.poi_id: r for r in p.rows(near=None, now=NOON)}
    assert (rows["osm:node/6"].badge, rows["osm:node/6"].badge_state) == ("Hours unknown", "unknown")
    assert rows["osm:node/4"].badge == ""  # a chapel without hours: nothing to say


@pytest.mark.parametrize("lang, text", [("fr", "Pas encore de données sur les commerces pour cette ville"),
                                        ("en", "No shop data for this town yet")])
def test_a_town_without_shop_data_says_so(pack, lang, text):
    no_shops = _repack([q for q in pack.pois if q.kind != "commerce"])
    p = ExplorePresenter(no_shops, Translator(lang), BADGES)
    p.filters.shops = True
    assert p.rows(near=None, now=NOON) == [] and p.count_text([]) == text
    p.filters.shops = False
    p.filters.text = "boulangerie" if lang == "fr" else "bakery"  # a shop word typed in the search box
    assert p.rows(near=None, now=NOON) == [] and p.count_text([]) == text
    p.filters.text = "zzzqqq"  # nothing found, but not about shops
    assert p.count_text(p.rows(near=None, now=NOON)) == ("Aucun résultat." if lang == "fr" else "No result.")
    # a town with shops: an empty search is simply "No result"
    with_shops = ExplorePresenter(pack, Translator(lang), BADGES)
    with_shops.filters.shops, with_shops.filters.text = True, "zzzqqq"
    assert with_shops.count_text(with_shops.rows(near=None, now=NOON)) == ("Aucun résultat." if lang == "fr"
                                                                            else "No result.")


def test_typed_words_keep_the_search_ranking_bakeries_before_a_bike_shop(monaco):
    p = ExplorePresenter(monaco, Translator("en"), BADGES)
    p.filters.text = "bakery"
    bike = next(x for x in monaco.pois if x.name.get("en") == "The bike shop")
    rows = p.rows(near=bike.location, now=NOON)  # standing at the bike shop's door
    cats = [monaco.poi(r.poi_id).categories for r in rows]
    first_other = next(i for i, c in enumerate(cats) if "bakery" not in c)
    assert first_other >= 5 and all("bakery" in c for c in cats[:first_other])
    assert [r.poi_id for r in rows].index(bike.id) > first_other - 1
    p.filters.text = ""  # no words: the nearest first
    rows = p.rows(near=bike.location, now=NOON)
    assert [r.distance_m for r in rows] == sorted(r.distance_m for r in rows)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_open_when_i_arrive(pack, lang):
    """Walking from the palace, the museum (10:00–18:00) 480 m away is open on arrival at 9:55
    (arrival ≈ 10:01), not when leaving at 17:55 (arrival after 18:00)."""
    tz = ZoneInfo("Europe/Monaco")
    p = ExplorePresenter(pack, Translator(lang), BADGES)
    p.filters.open_on_arrival = True
    palace = pack.poi("osm:way/1").location
    morning = p.rows(near=palace, now=datetime(2026, 7, 15, 9, 55, tzinfo=tz))
    ids = [r.poi_id for r in morning]
    assert "osm:way/3" in ids and "osm:way/2" not in ids  # the cathedral has no hours: not promised open
    row = morning[ids.index("osm:way/3")]
    assert row.badge_state == "open"
    assert row.badge == ("Ouvert à votre arrivée (10 h 01)" if lang == "fr" else "Open when you arrive (10:01)")
    p.filters.open_now = False
    evening = [r.poi_id for r in p.rows(near=palace, now=datetime(2026, 7, 15, 17, 55, tzinfo=tz))]
    assert "osm:way/3" not in evening and "osm:node/5" in evening  # the 24/7 bakery still is


def test_nothing_open_says_so_instead_of_no_result(pack):
    tz = ZoneInfo("Europe/Monaco")
    night = datetime(2026, 7, 15, 23, 0, tzinfo=tz)
    for lang, on_arrival, now_text in (("en", "None of these will be open when you get there.", "None of these is open now."),
                                      ("fr", "Rien de tout cela ne sera ouvert à votre arrivée.",
                                       "Rien de tout cela n'est ouvert maintenant.")):
        p = ExplorePresenter(pack, Translator(lang), BADGES)
        p.filters.text = "Souvenirs"  # the gift shop, 09:00-18:00
        p.filters.open_on_arrival = True
        assert p.rows(near=None, now=night) == [] and p.count_text([]) == on_arrival
        p.filters.open_on_arrival, p.filters.open_now = False, True
        assert p.rows(near=None, now=night) == [] and p.count_text([]) == now_text
        assert p.filters.open_now  # the filters are left as the user set them
        p.filters.text = "zzzz nothing like it"
        assert p.count_text([]) == Translator(lang).tr("explore.no_result")


def test_open_when_i_arrive_counts_the_pack_events(pack):
    """Issue 20: a market makes its square open on arrival (it has no hours), an event closing the museum
    (10:00–18:00) makes it closed, though its hours say open."""
    from heritage_kit.models.event import Event

    tz = ZoneInfo("Europe/Monaco")
    src = {"name": "Mairie de Monaco (test)", "licence": "Licence Ouverte 2.0"}
    pack.events = [
        Event.model_validate({"id": "market", "kind": "market", "title": {"fr": "Marché", "en": "Market"},
                              "start": "2026-07-15T07:00", "end": "2026-07-15T13:00", "poi": "osm:way/2",
                              "source": src}),
        Event.model_validate({"id": "closed", "kind": "other", "title": {"fr": "Cérémonie", "en": "Ceremony"},
                              "start": "2026-07-15T09:00", "end": "2026-07-15T12:00", "poi": "osm:way/3",
                              "closes_poi": True, "source": src}),
    ]
    p = ExplorePresenter(pack, Translator("en"), BADGES)
    p.filters.open_on_arrival = True
    palace = pack.poi("osm:way/1").location
    ids = [r.poi_id for r in p.rows(near=palace, now=datetime(2026, 7, 15, 9, 55, tzinfo=tz))]
    assert "osm:way/2" in ids and "osm:way/3" not in ids
    later = [r.poi_id for r in p.rows(near=palace, now=datetime(2026, 7, 15, 14, 0, tzinfo=tz))]
    assert "osm:way/3" in later and "osm:way/2" not in later  # the market is over, the ceremony too
