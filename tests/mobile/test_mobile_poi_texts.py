"""The POI page shows where its text comes from, plain-words protection, photos with credit, shop summaries."""

from datetime import datetime
from zoneinfo import ZoneInfo

from heritage_kit.compose import with_composed_text
from heritage_kit.importers.merimee import import_merimee
from heritage_kit.models.poi import POI
from mobile.i18n import Translator
from mobile.presenters.hours import HoursBadges
from mobile.presenters.poi_page import present_poi

NOW = datetime(2026, 7, 15, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Wednesday


def _page(poi, lang, badges=None, now=NOW):
    return present_poi(poi, tr=Translator(lang), badges=badges, now=now)


def _monument(raw_dir, ref):
    pois = import_merimee(raw_dir / "merimee" / "mh-perigueux-1500m.geojson").pois
    return next(p for p in pois if p.id == f"merimee:{ref}")


def test_a_composed_text_says_so_a_human_one_does_not(raw_dir):
    cathedral = with_composed_text(_monument(raw_dir, "PA00082725"), ["fr", "en"])
    fr, en = _page(cathedral, "fr"), _page(cathedral, "en")
    assert fr.body.startswith("Cathédrale classée monument historique") and "XIIe siècle" in fr.body
    assert en.body.startswith("A cathedral, a listed historic monument") and "12th century" in en.body
    assert fr.origin == "Texte composé à partir de données ouvertes (Mérimée)"
    assert en.origin == "Text composed from open data (Mérimée)"
    human = cathedral.model_copy(update={"description": cathedral.description.model_validate({"fr": "Écrit."}),
                                         "text_origin": "human"})
    assert _page(human, "fr").origin == "" and _page(human, "en").origin == ""
    assert _page(human, "fr").body == "Écrit."


def test_protection_in_plain_words_not_the_act(raw_dir):
    for ref in ("PA00082725", "PA00082507", "PA00082737", "PA00082727"):  # liste, arrêté, décret, arrêté;liste
        poi = _monument(raw_dir, ref)
        for lang in ("fr", "en"):
            facts = " ".join(_page(poi, lang).facts)
            assert "Act" not in facts and "Acte" not in facts and "arrêté" not in facts
            assert " liste;" not in facts and ": liste" not in facts
            assert ("monument" if lang == "fr" else "historic monument") in facts
    assert "Protection : classé monument historique dès les premières listes (1840–1875)" in \
        _page(_monument(raw_dir, "PA00082725"), "fr").facts


def _poi(**kw):
    data = {"id": "osm:node/9", "kind": "heritage", "categories": ["statue"], "name": {"fr": "S"},
            "location": {"lat": 43.73, "lon": 7.42}, "sources": [{"name": "OpenStreetMap"}]}
    data.update(kw)
    return POI.model_validate(data)


def test_photos_with_author_and_licence_pending_references_not_shown():
    poi = _poi(media=[
        {"type": "image", "path": "media/statue.jpg", "author": "Marie P.", "licence": "CC BY-SA 4.0"},
        {"type": "image", "path": "media/anon.jpg", "licence": "CC0"},
        {"type": "image", "url": "https://commons.wikimedia.org/wiki/File:S.jpg", "licence": "not yet checked",
         "pending": True},
    ])
    fr, en = _page(poi, "fr"), _page(poi, "en")
    assert [p.path for p in fr.photos] == ["media/statue.jpg", "media/anon.jpg"]
    assert fr.photos[0].credit == "Photo : Marie P. (CC BY-SA 4.0)"
    assert en.photos[0].credit == "Photo: Marie P. (CC BY-SA 4.0)"
    assert fr.photos[1].credit == "Photo : auteur inconnu (CC0)" and en.photos[1].credit == "Photo: unknown author (CC0)"
    assert "Photos listed by OpenStreetMap, not in the pack yet: 1" in en.refs


def test_shop_summary_line_with_todays_hours_access_and_address():
    shop = _poi(id="osm:node/10", kind="commerce", categories=["bakery"], name={"fr": "Boulangerie Dupont"},
                opening_hours="Mo-Sa 07:00-13:00,15:00-19:30; Su off", wheelchair="yes",
                address={"housenumber": "4", "street": "Rue Croix-d'Or", "city": "Chambéry"})
    badges = HoursBadges(country="FR", timezone="Europe/Paris")
    fr, en = _page(shop, "fr", badges), _page(shop, "en", badges)
    assert fr.summary == ("Boulangerie · aujourd'hui 07:00–13:00, 15:00–19:30 · accessible en fauteuil · "
                          "4 Rue Croix-d'Or, Chambéry")
    assert en.summary.startswith("Bakery · today 07:00–13:00, 15:00–19:30 · wheelchair accessible · 4 Rue Croix")
    sunday = datetime(2026, 7, 19, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert "fermé aujourd'hui" in _page(shop, "fr", badges, sunday).summary
    unknown = shop.model_copy(update={"opening_hours": None, "wheelchair": None, "address": None})
    assert _page(unknown, "en", badges).summary == "Bakery"  # nothing said that is not known
    assert _page(_poi(), "en").summary == ""  # heritage: a text, not a summary


def test_the_page_offers_the_packs_audio_a_recording_first(raw_dir):
    from heritage_kit.models.poi import Media

    poi = with_composed_text(_monument(raw_dir, "PA00082725"), ["fr", "en"])
    assert _page(poi, "fr").audio is None  # no file: the screen falls back to the phone's voice
    synth = Media(type="audio", path="media/audio/a.fr.synth.ogg", licence="CC0-1.0", author="espeak-ng", lang="fr",
                  transcript="…", origin="synthesised", duration_s=65.4)
    with_synth = poi.model_copy(update={"media": [synth]})
    fr = _page(with_synth, "fr")
    assert fr.audio.path == synth.path and fr.audio.credit == "Voix de synthèse · 1 min 05 s"
    assert _page(with_synth, "en").audio is None  # never French audio on the English page
    voice = synth.model_copy(update={"path": "media/audio/a.fr.recorded.ogg", "origin": "recorded",
                                     "author": "Office de tourisme", "licence": "CC-BY-4.0", "duration_s": 42})
    both = poi.model_copy(update={"media": [synth, voice]})
    assert _page(both, "fr").audio.path == voice.path
    assert _page(both, "fr").audio.credit == "Enregistré par Office de tourisme (CC-BY-4.0) · 42 s"
