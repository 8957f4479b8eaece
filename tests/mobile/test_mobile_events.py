"""Issue 20 in the app: "This week" on the home screen, events on POI pages, a shop's heritage card, the shops a
monument houses, the support link (presenters, no window)."""

from __future__ import annotations

from datetime import datetime

from heritage_kit.models import POI
from heritage_kit.models.event import Event
from heritage_kit.packs import ContentPack, load_pack
from mobile.i18n import CATALOG, Translator
from mobile.presenters.events import poi_extras, this_week

SOURCE = {"name": "Mairie (test)", "licence": "CC0 1.0"}
ATTR = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]


def test_this_week_shows_the_european_heritage_days_of_the_chambery_pack(content_dir):
    pack = load_pack(content_dir / "chambery")
    en = this_week(pack, tr=Translator("en"), now=datetime(2026, 9, 15, 12, 0))
    assert [(r.title, r.when) for r in en] == [
        ("European Heritage Days", "Saturday 19 September, 09:00 to Sunday 20 September, 18:00")]
    fr = this_week(pack, tr=Translator("fr"), now=datetime(2026, 9, 18, 12, 0))
    assert fr[0].title == "Journées européennes du patrimoine"
    assert fr[0].when == "demain, 09:00 – dimanche 20 septembre, 18:00"
    on = this_week(pack, tr=Translator("en"), now=datetime(2026, 9, 20, 10, 0))
    assert on[0].when == "On now, until 18:00"
    assert this_week(pack, tr=Translator("en"), now=datetime(2026, 9, 22, 10, 0)) == []  # over until next year
    assert en[0].poi_id is None and en[0].where == ""  # a town-wide event, at a place


def market_pack() -> ContentPack:
    pois = [
        POI.model_validate({"id": "merimee:PA00101285", "kind": "heritage", "categories": ["building"],
                            "name": {"fr": "Halles"}, "location": {"lat": 46.32565, "lon": -0.46420},
                            "refs": {"merimee": "PA00101285"}, "heritage": {"protection": "inscrit", "dates": "1870"},
                            "support": {"url": "https://www.fondation-patrimoine.org/les-projets/halles",
                                        "label": {"fr": "Restaurer les Halles", "en": "Restore the market hall"}}}),
        POI.model_validate({"id": "osm:node/6019535859", "kind": "commerce", "categories": ["marketplace"],
                            "name": {"fr": "Les Halles de Niort"}, "location": {"lat": 46.325645, "lon": -0.464196},
                            "housed_in": "merimee:PA00101285", "opening_hours": "Mo-Su 07:00-20:30"}),
        POI.model_validate({"id": "osm:node/2", "kind": "commerce", "categories": ["bakery"],
                            "name": {"fr": "Boulangerie des Halles"}, "location": {"lat": 46.3257, "lon": -0.4643},
                            "housed_in": "merimee:PA00101285"}),
    ]
    market = Event.model_validate({
        "id": "marche", "kind": "market", "title": {"fr": "Grand marché", "en": "Market day"},
        "start": "2026-05-07T07:00", "end": "2026-05-07T13:00", "poi": "osm:node/6019535859", "source": SOURCE,
        "recurrence": {"freq": "weekly", "weekdays": ["TH", "SA"], "on_public_holiday": "day_before"}})
    return ContentPack.new(town_id="niort", town_name="Niort", pois=pois, attributions=ATTR, events=[market])


def test_this_week_rows_name_the_place_and_a_holiday_move():
    pack = market_pack()
    rows = this_week(pack, tr=Translator("en"), now=datetime(2026, 5, 11, 8, 0))  # Monday; Thursday 14 = Ascension
    assert [(r.when, r.where, r.note) for r in rows] == [
        ("Wednesday 13 May, 07:00–13:00", "Les Halles de Niort", "Moved: Thursday is a public holiday"),
        ("Saturday 16 May, 07:00–13:00", "Les Halles de Niort", ""),
    ]
    assert rows[0].poi_id == "osm:node/6019535859"
    fr = this_week(pack, tr=Translator("fr"), now=datetime(2026, 5, 12, 8, 0))
    assert fr[0].when == "demain, 07:00–13:00" and fr[0].note == "Déplacé : le jeudi est férié"


def test_a_shop_page_shows_its_buildings_heritage_card_and_the_monument_lists_its_shops():
    pack = market_pack()
    tr = Translator("en")
    shop = poi_extras(pack, "osm:node/6019535859", tr=tr, now=datetime(2026, 5, 11, 8, 0))
    card = shop.housing
    assert (card.poi_id, card.title, card.heading) == ("merimee:PA00101285", "Halles", "In a listed building")
    assert "listed" in card.protection.lower() or "inscrit" in card.protection.lower()
    assert [e.event_id for e in shop.events] == ["marche", "marche", "marche", "marche", "marche"]  # capped at 5
    assert shop.shops == [] and shop.support is None
    hall = poi_extras(pack, "merimee:PA00101285", tr=tr, now=datetime(2026, 5, 11, 8, 0))
    assert [s.title for s in hall.shops] == ["Boulangerie des Halles", "Les Halles de Niort"]  # by name
    assert hall.housing is None and hall.events == []
    assert hall.support.url.startswith("https://") and hall.support.label == "Restore the market hall"
    fr = poi_extras(pack, "osm:node/2", tr=Translator("fr"), now=datetime(2026, 5, 11, 8, 0))
    assert fr.housing.heading == "Dans un bâtiment protégé" and fr.events == []


def test_an_unlisted_heritage_host_is_not_called_listed():
    pack = market_pack()
    plain = POI.model_validate({**pack.poi("merimee:PA00101285").model_dump(), "id": "osm:way/9", "refs": {},
                                "heritage": None, "support": None})
    shop = POI.model_validate({**pack.poi("osm:node/2").model_dump(), "housed_in": "osm:way/9"})
    other = ContentPack.new(town_id="t", town_name="T", pois=[plain, shop], attributions=ATTR)
    card = poi_extras(other, "osm:node/2", tr=Translator("en"), now=datetime(2026, 5, 11)).housing
    assert card.heading == "In a heritage building" and card.protection == ""


def test_markup_in_event_texts_is_escaped_and_every_new_string_has_both_languages():
    pack = market_pack()
    ev = pack.events[0].model_copy(update={"title": pack.events[0].title.model_validate({"en": "[b]Big[/b] market"})})
    pack.events = [ev]
    row = this_week(pack, tr=Translator("en"), now=datetime(2026, 5, 11, 8, 0))[0]
    assert "[b]" not in row.title.replace("&bl;", "")
    for key in [k for k in CATALOG if k.startswith(("events.", "home.this_week", "poi.housing", "poi.shops",
                                                    "poi.support", "poi.events"))]:
        assert CATALOG[key]["fr"] and CATALOG[key]["en"], key
