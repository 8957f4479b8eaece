"""Texts composed from sourced facts (heritage_kit.compose): every sentence traceable, nothing invented."""

import re
from datetime import datetime, timezone

import pytest
from shapely.geometry import Point

from heritage_kit.compose import (
    MERIMEE, OSM, compose_pois, compose_text, composed_sources, nearest_streets, protection_words,
    with_composed_text,
)
from heritage_kit.compose.dates import century_en, century_fr, parse_date, roman
from heritage_kit.compose.facts import source_label
from heritage_kit.importers.merimee import import_merimee
from heritage_kit.importers.osm import COMMONS_LICENCE, import_osm, poi_from_osm
from heritage_kit.models.poi import POI
from heritage_kit.packs.build import build_pack

OSM_SOURCE = {"name": "OpenStreetMap", "licence": "ODbL 1.0"}
MERIMEE_SOURCE = {"name": "base Mérimée (Ministère de la Culture)", "licence": "Licence Ouverte 2.0"}


@pytest.fixture(scope="module")
def real_pois(raw_dir):
    """Périgueux's monuments and Monaco's OSM heritage POIs, as the importers make them."""
    perigueux = import_merimee(raw_dir / "merimee" / "mh-perigueux-1500m.geojson").pois
    monaco = [p for p in import_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf").pois if p.kind == "heritage"]
    return perigueux + monaco


def _at(poi: POI, field: str, street: str | None):
    """The value the POI holds at ``field`` (``osm_tags.architect``, ``heritage.dates``, ``categories``…)."""
    if field == "streets.name":
        return street
    if field == "categories":
        return list(poi.categories)
    head, _, key = field.partition(".")
    obj = getattr(poi, head)
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key) if obj is not None else None


_VERBATIM = {"osm_tags.artist_name", "osm_tags.artist", "osm_tags.inscription", "osm_tags.subject",
             "osm_tags.architect",
             "address.street", "address.housenumber", "streets.name", "heritage.period"}


def _check_traceable(poi: POI, lang: str, street: str | None = None) -> int:
    composed = compose_text(poi, lang, street=street)
    if composed is None:
        return 0
    labels = {source_label(s.name) for s in poi.sources}
    for sentence in composed.sentences:
        assert sentence.facts, sentence.text
        for fact in sentence.facts:
            held = _at(poi, fact.field, street)
            if fact.field == "categories":
                assert fact.value in held
            elif fact.field == "heritage.protection_act" and fact.value == "protected":
                assert poi.heritage.protection is None and poi.heritage.protection_act
            else:
                assert held == fact.value, (poi.id, fact)
            assert fact.source in labels, (poi.id, fact, labels)
            if fact.field in _VERBATIM:
                for name in fact.value.split(";"):
                    assert name.strip().lower() in sentence.text.lower(), (sentence.text, fact)
            if fact.field in ("heritage.dates", "osm_tags.start_date"):
                years = re.findall(r"\d{3,4}", fact.value)
                assert all(y.lstrip("0") in sentence.text for y in years), (sentence.text, fact)
        # no digit in a sentence that none of its facts holds
        said = " ".join(f.value for f in sentence.facts)
        for number in re.findall(r"\d+(?!\d|st|nd|rd|th)", sentence.text):  # (12th: a century, checked apart)
            assert number in said or number in ("1840", "1875"), (sentence.text, said)
    return len(composed.sentences)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_composed_sentence_states_facts_of_the_pois_sources(real_pois, lang):
    counted = sum(_check_traceable(p, lang) for p in real_pois)
    assert counted > len(real_pois)  # real texts, more than one sentence on average
    # the same with a nearest street given
    poi = next(p for p in real_pois if p.address is None and p.id.startswith("osm:"))
    assert _check_traceable(poi, lang, street="Avenue de la Costa") >= 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_heritage_poi_of_the_real_data_gets_a_text(real_pois, lang):
    assert all(compose_text(p, lang) is not None for p in real_pois)


def _poi(**kw) -> POI:
    data = {"id": "osm:node/1", "kind": "heritage", "name": {"fr": "X"}, "location": {"lat": 45.18, "lon": 0.72}}
    data.update(kw)
    return POI.model_validate(data)


def test_a_poi_without_facts_gets_no_invented_text():
    bare = _poi(categories=["heritage_other"])
    assert compose_text(bare, "fr") is None and compose_text(bare, "en") is None
    assert with_composed_text(bare, ["fr", "en"]) is bare
    # a category with no source behind it is not a fact either
    assert compose_text(_poi(categories=["church"]), "fr") is None
    # shops and services are summarised on their page, not described
    shop = _poi(kind="commerce", categories=["bakery"], sources=[OSM_SOURCE])
    assert compose_text(shop, "fr") is None
    # an unknown language: nothing rather than another language
    assert compose_text(_poi(categories=["church"], sources=[OSM_SOURCE]), "de") is None


def test_gender_and_number_in_french_and_english():
    eglise = _poi(categories=["church"], sources=[OSM_SOURCE], heritage={"protection": "classé"})
    chateau = _poi(categories=["castle"], sources=[OSM_SOURCE], heritage={"protection": "classé"})
    ruines = _poi(categories=["ruins"], sources=[OSM_SOURCE], heritage={"protection": "inscrit", "dates": "C12"},
                  osm_tags={"start_date": "C12", "architect": "A;B"})
    assert compose_text(eglise, "fr").text == "Église classée monument historique."
    assert compose_text(chateau, "fr").text == "Château classé monument historique."
    assert compose_text(eglise, "en").text == "A church, a listed historic monument (classé)."
    fr = compose_text(ruines, "fr").text
    assert fr.startswith("Ruines inscrites au titre des monuments historiques. Elles datent du XIIe siècle.")
    assert "Elles ont été conçues par les architectes A et B." in fr
    en = compose_text(ruines, "en").text
    assert en.startswith("Ruins, registered historic monuments (inscrit). They date from the 12th century.")
    assert "They were designed by the architects A and B." in en
    plaque = _poi(categories=["memorial"], sources=[OSM_SOURCE], osm_tags={"memorial": "plaque", "material": "stone"})
    assert compose_text(plaque, "fr").text == "Plaque commémorative en pierre."
    assert compose_text(plaque, "en").text == "A stone commemorative plaque."
    musee = _poi(categories=["artwork"], sources=[OSM_SOURCE], osm_tags={"artist_name": "Arman"})
    assert compose_text(musee, "fr").text == "Œuvre d'art d'Arman."
    assert compose_text(musee, "en").text == "An artwork by Arman."


def test_roman_numerals_and_ordinals():
    assert [roman(n) for n in (1, 4, 9, 12, 14, 19, 21)] == ["I", "IV", "IX", "XII", "XIV", "XIX", "XXI"]
    assert century_fr(1) == "Ier siècle" and century_fr(12) == "XIIe siècle" and century_fr(-1) == "Ier siècle av. J.-C."
    assert [century_en(n) for n in (1, 2, 3, 11, 12, 13, 21, 22)] == [
        "1st century", "2nd century", "3rd century", "11th century", "12th century", "13th century",
        "21st century", "22nd century"]
    with pytest.raises(ValueError):
        roman(0)


@pytest.mark.parametrize(("value", "fr", "en"), [
    ("1150", "Il date de 1150 (XIIe siècle).", "It dates from 1150 (12th century)."),
    ("1900", "Il date de 1900 (XIXe siècle).", "It dates from 1900 (19th century)."),
    ("1901", "Il date de 1901 (XXe siècle).", "It dates from 1901 (20th century)."),
    ("2003-05-01", "Il date du 1er mai 2003.", "It dates from 1 May 2003."),
    ("1875-04", "Il date d'avril 1875.", "It dates from April 1875."),
    ("~1850", "Il date des environs de 1850 (XIXe siècle).", "It dates from around 1850 (19th century)."),
    ("1850s", "Il date des années 1850.", "It dates from the 1850s."),
    ("late C19", "Il date de la fin du XIXe siècle.", "It dates from the late 19th century."),
    ("mid C17", "Il date du milieu du XVIIe siècle.", "It dates from the mid-17th century."),
    ("1927-1929", "Il date de la période 1927–1929 (XXe siècle).", "It dates from 1927–1929 (20th century)."),
    ("before 1900", "Il date d'avant 1900.", "It dates from before 1900."),
])
def test_dates_in_words(value, fr, en):
    poi = _poi(categories=["monument"], sources=[OSM_SOURCE], osm_tags={"start_date": value})
    assert compose_text(poi, "fr").sentences[1].text == fr
    assert compose_text(poi, "en").sentences[1].text == en


def test_merimee_dates_and_unreadable_dates():
    poi = _poi(id="merimee:PA00082725", categories=["house"], sources=[MERIMEE_SOURCE],
               heritage={"protection_act": "arrêté", "dates": "1770;1778;1848"})
    assert compose_text(poi, "fr").sentences[1].text == \
        "Dates retenues par la base Mérimée : 1770, 1778 et 1848 (XVIIIe–XIXe siècles)."
    assert compose_text(poi, "en").sentences[1].text == \
        "Dates given by the Mérimée register: 1770, 1778 and 1848 (18th–19th centuries)."
    for unreadable in ("1843 pour la maison;1949 pour le four", "vers la Révolution", "0", "1990-1980"):
        assert parse_date(unreadable) is None
        odd = _poi(categories=["house"], sources=[MERIMEE_SOURCE], heritage={"dates": unreadable})
        assert len(compose_text(odd, "fr").sentences) == 1  # the noun only: no date said


def test_protection_in_plain_words_never_the_registers_jargon():
    for act, fr, en in [
        ("liste", "classé monument historique dès les premières listes (1840–1875)",
         "a listed historic monument (classé), on the first lists of 1840–1875"),
        ("décret", "classé monument historique par décret", "a listed historic monument (classé) by decree"),
        ("arrêté", "protégé au titre des monuments historiques", "a protected historic monument"),
    ]:
        from heritage_kit.models.poi import HeritageFacts
        from heritage_kit.importers.merimee import protection_from_act

        h = HeritageFacts(protection_act=act, protection=protection_from_act(act))
        assert protection_words(h, "fr") == fr and protection_words(h, "en") == en
        for text in (protection_words(h, "fr"), protection_words(h, "en")):
            assert "arrêté" not in text and "Act" not in text and not re.search(r"\bliste\b", text)
    assert protection_words(None, "fr") is None


def test_street_and_address_sentences():
    poi = _poi(categories=["statue"], sources=[OSM_SOURCE])
    assert compose_text(poi, "fr", street="Boulevard Louis II").sentences[-1].text == \
        "Elle se trouve près du boulevard Louis II."
    assert compose_text(poi, "fr", street="Avenue de la Costa").sentences[-1].text == \
        "Elle se trouve près de l'avenue de la Costa."
    assert compose_text(poi, "en", street="Avenue de la Costa").sentences[-1].text == \
        "It stands near Avenue de la Costa."
    addr = _poi(categories=["museum"], sources=[OSM_SOURCE], address={"housenumber": "12", "street": "Rue Grimaldi"})
    assert compose_text(addr, "fr").sentences[-1].text == "Il se trouve au 12, rue Grimaldi."
    assert compose_text(addr, "en").sentences[-1].text == "It stands at 12 Rue Grimaldi."


def test_nearest_street_only_when_near():
    streets = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Rue A"},
         "geometry": {"type": "LineString", "coordinates": [[0.7200, 45.1800], [0.7210, 45.1800]]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "LineString", "coordinates": [[0.7200, 45.18005], [0.7210, 45.18005]]}},
    ]}
    near = _poi(id="osm:node/1", location={"lat": 45.18020, "lon": 0.7205})  # ~22 m north of Rue A
    far = _poi(id="osm:node/2", location={"lat": 45.18100, "lon": 0.7205})  # ~110 m
    assert nearest_streets([near, far], streets) == {"osm:node/1": "Rue A"}
    assert nearest_streets([near], None) == {}


def test_a_human_text_wins_and_is_marked():
    human = _poi(categories=["church"], sources=[OSM_SOURCE], description={"fr": "Écrit par une personne."})
    out = with_composed_text(human, ["fr", "en"])
    assert out.description == human.description and out.text_origin == "human"
    composed = with_composed_text(_poi(categories=["church"], sources=[OSM_SOURCE]), ["fr", "en"])
    assert composed.text_origin == "composed"
    assert composed.description.root == {"fr": "Église.", "en": "A church."}
    assert composed_sources(composed) == [OSM]
    shop = _poi(kind="commerce", categories=["bakery"], sources=[OSM_SOURCE])
    assert compose_pois([shop], ["fr", "en"]) == [shop]


def test_build_composes_where_no_human_text(content_dir):
    pack = build_pack(content_dir / "perigueux" / "build.json").pack
    heritage = [p for p in pack.pois if p.kind == "heritage"]
    assert all(p.description and {"fr", "en"} <= set(p.description.languages) for p in heritage)
    cathedral = pack.poi("merimee:PA00082725")
    assert cathedral.text_origin == "human" and "Paul Abadie" in cathedral.description.get("fr")
    house = pack.poi("merimee:PA00082507")
    assert house.text_origin == "composed"
    assert house.description.get("fr") == "Maison protégée au titre des monuments historiques."
    assert composed_sources(house) == [MERIMEE]


def test_osm_importer_keeps_facts_and_photo_references():
    tags = {"tourism": "artwork", "artwork_type": "statue", "name": "Malizia", "artist_name": "Kees Verkade",
            "wikimedia_commons": "File:Malizia statue.jpg", "wikidata": "Q1", "shop": "", "phone": "1"}
    poi = poi_from_osm("node", 5, tags, Point(7.42, 43.73))
    assert poi.osm_tags == {"artwork_type": "statue", "artist_name": "Kees Verkade",
                            "wikimedia_commons": "File:Malizia statue.jpg"}
    (ref,) = poi.media
    assert ref.pending and ref.licence == COMMONS_LICENCE
    assert ref.url == "https://commons.wikimedia.org/wiki/File:Malizia_statue.jpg"
    only_wikidata = poi_from_osm("node", 6, {"historic": "memorial", "name": "M", "wikidata": "Q42"},
                                 Point(7.42, 43.73))
    assert only_wikidata.media[0].url == "https://www.wikidata.org/wiki/Q42#P18" and only_wikidata.media[0].pending
    shop = poi_from_osm("node", 7, {"shop": "bakery", "name": "B", "architect": "X"}, Point(7.42, 43.73))
    assert shop.osm_tags is None and shop.media == []


def test_a_contribution_replaces_a_composed_text_whole():
    from heritage_kit.inbox.publish import _edited_poi

    from types import SimpleNamespace

    from heritage_kit.submissions.model import Proposal

    # the parts of a StoredSubmission _edited_poi reads, with a real Proposal (so a new field cannot be missed)
    _St = SimpleNamespace(uuid="0" * 32, submission=SimpleNamespace(
        kind="edit", contributor="Jean D.", proposal=Proposal(description={"en": "Written by a visitor."})))

    composed = with_composed_text(_poi(categories=["church"], sources=[OSM_SOURCE]), ["fr", "en"])
    edited, _ = _edited_poi(composed, _St, [], datetime(2026, 12, 6, tzinfo=timezone.utc))
    assert edited.text_origin == "human" and edited.description.root == {"en": "Written by a visitor."}
