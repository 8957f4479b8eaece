"""Texts composed from a POI's sourced facts, in French and English (pure: no file or network I/O).

A heritage POI without a human text gets a short description stating only what its sources say: the Mérimée
record (protection in plain words, dates), OSM tags kept by the importer (``POI.osm_tags``: start_date,
architect, artist, material, memorial/artwork type, denomination, inscription, subject), its category, its address
or nearest named street, its Wikipedia article. Each sentence keeps the facts it states (value, POI field,
source): :meth:`ComposedText.pairs`. Nothing is guessed: a POI whose sources say nothing gets None, never a
generic sentence. A human text (pack override, accepted contribution, OSM ``description``) always wins.

``compose_text(poi, "fr")`` → :class:`ComposedText` | None; ``with_composed_text(poi, ["fr", "en"])`` → the POI
with ``description`` and ``text_origin`` set; ``compose_pois(pois, languages, streets=…)`` for a whole pack.
"""

from __future__ import annotations

from collections.abc import Iterable

from heritage_kit.compose import en, fr
from heritage_kit.compose.dates import century_en, century_fr, parse_date, roman
from heritage_kit.compose.facts import MERIMEE, OSM, OSM_FACT_KEYS, Fact, Facts, facts_of, source_label
from heritage_kit.compose.model import ComposedText, Sentence
from heritage_kit.compose.streets import nearest_streets

__all__ = [
    "ComposedText", "Sentence", "Fact", "Facts", "facts_of", "compose_text", "with_composed_text", "compose_pois",
    "protection_words", "composed_sources", "nearest_streets", "OSM_FACT_KEYS", "MERIMEE", "OSM", "roman",
    "century_fr", "century_en", "parse_date", "LANGUAGES",
]

LANGUAGES = {"fr": fr, "en": en}


def compose_text(poi, lang: str, *, street: str | None = None) -> ComposedText | None:
    """The text the facts of heritage ``poi`` make in ``lang`` (fr, en), or None (no fact, other kind, language)."""
    module = LANGUAGES.get((lang or "").split("-")[0])
    if module is None or poi.kind != "heritage":
        return None
    facts = facts_of(poi, street=street)
    g = module.agreement(facts)
    sentences = tuple(s for part in module.PARTS if (s := part(facts, g)) is not None)
    return ComposedText(lang, sentences) if sentences else None


def with_composed_text(poi, languages: Iterable[str], *, street: str | None = None):
    """``poi`` with a composed description (``text_origin="composed"``) when it has no human text.

    A POI with a description keeps it and is marked ``text_origin="human"`` (unless already marked); one whose
    facts make no sentence is returned unchanged.
    """
    if poi.description is not None:
        return poi if poi.text_origin else poi.model_copy(update={"text_origin": "human"})
    texts = {}
    for lang in languages:
        composed = compose_text(poi, lang, street=street)
        if composed is not None:
            texts[lang] = composed.text
    if not texts:
        return poi
    desc = type(poi.name).model_validate(texts)
    return poi.model_copy(update={"description": desc, "text_origin": "composed"})


def compose_pois(pois: list, languages: Iterable[str], *, streets: dict | None = None) -> list:
    """Every POI of a pack with its composed text where it has no human one (``streets``: streets.geojson)."""
    langs = [lang for lang in languages if lang.split("-")[0] in LANGUAGES]
    heritage = [p for p in pois if p.kind == "heritage" and p.description is None]
    near = nearest_streets(heritage, streets) if streets else {}
    return [with_composed_text(p, langs, street=near.get(p.id)) if p.kind == "heritage" or p.description else p
            for p in pois]


def protection_words(heritage, lang: str) -> str | None:
    """The protection of ``heritage`` (HeritageFacts) in plain words, or None when it has none."""
    if heritage is None or not (heritage.protection or heritage.protection_act):
        return None
    value = heritage.protection or "protected"
    if (lang or "").startswith("fr"):
        return fr.protection_words(value, heritage.protection_act)
    return en.protection_words(value, heritage.protection_act)


def composed_sources(poi) -> list[str]:
    """The open-data sources a composed text of ``poi`` may come from ("Mérimée", "OpenStreetMap"), in order."""
    found = [lab for s in poi.sources if (lab := source_label(s.name))]
    return list(dict.fromkeys(found))
