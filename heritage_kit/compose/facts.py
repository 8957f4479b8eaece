"""The sourced facts of a POI that a composed text may state, each with where it comes from.

Pure. :func:`facts_of` reads a :class:`~heritage_kit.models.poi.POI` (its heritage facts, ``osm_tags``,
categories, address, refs) into :class:`Facts`; every value is kept with the source and the POI field it was read
from (:class:`Fact`), so each composed sentence can name its facts and a test can find them in the POI.
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage_kit.compose.dates import When, parse_date

__all__ = ["CLASSE_ACTS", "acts_of", "wiki_title", "subject_name", "OSM_FACT_KEYS", "Fact", "Facts", "facts_of", "MERIMEE", "OSM", "source_label"]

# OSM tags the importer keeps on a POI (``POI.osm_tags``) for composed texts
OSM_FACT_KEYS: tuple[str, ...] = (
    "start_date", "architect", "artist_name", "artist", "material", "artwork_type", "memorial", "historic",
    "heritage", "heritage:operator", "building", "denomination", "religion", "inscription", "subject",
    "subject:wikipedia", "museum", "image", "wikimedia_commons",
)
# Mérimée acts that only ever classify (see heritage_kit.importers.merimee: "liste" is one of the lists of
# 1840–1875, a "décret" only classifies, an "avis de classement" says so)
CLASSE_ACTS = frozenset({"liste", "décret", "avis de classement"})
MERIMEE = "Mérimée"
OSM = "OpenStreetMap"


def acts_of(act: str | None) -> frozenset[str]:
    """The acts of a Mérimée ``protection_act`` value (``"arrêté;liste"`` → {"arrêté", "liste"})."""
    return frozenset(a.strip() for a in (act or "").split(";") if a.strip())


def wiki_title(fact: Fact) -> str:
    """``"fr:Opéra de Monte-Carlo"`` → ``"Opéra de Monte-Carlo"``."""
    value = fact.value
    return (value.split(":", 1)[1] if ":" in value[:4] else value).strip()


def subject_name(fact: Fact) -> str:
    """Whom a ``subject`` / ``subject:wikipedia`` fact names."""
    return wiki_title(fact) if fact.field.endswith("wikipedia") else fact.value


def source_label(name: str) -> str | None:
    """The short label of a POI source's name ("base Mérimée (…)" → "Mérimée"), or None when not open data we know."""
    low = name.lower()
    if "mérimée" in low or "merimee" in low:
        return MERIMEE
    if "openstreetmap" in low:
        return OSM
    return None


@dataclass(frozen=True)
class Fact:
    """One fact: its value as the POI holds it, the POI field (``osm_tags.architect``) and its source."""

    value: str
    field: str
    source: str  # MERIMEE | OSM


@dataclass
class Facts:
    category: str | None = None  # the category that names the thing (not heritage_other)
    category_fact: Fact | None = None
    kind_word: Fact | None = None  # osm_tags.memorial / artwork_type refining the noun
    material: Fact | None = None
    artists: Fact | None = None
    architects: Fact | None = None
    denomination: Fact | None = None
    protection: Fact | None = None  # heritage.protection (classé…) or heritage.protection_act alone
    act: Fact | None = None  # heritage.protection_act
    world_heritage: Fact | None = None
    when: tuple[When, Fact] | None = None
    period: Fact | None = None
    subject: Fact | None = None
    inscription: Fact | None = None
    address: Fact | None = None
    housenumber: Fact | None = None
    street: Fact | None = None  # nearest named street (streets.geojson), when no address
    wikipedia: Fact | None = None


_VAGUE = {"heritage_other", "attraction", "place_of_worship", "building"}
_SPECIFIC_FIRST = ("cathedral", "church", "chapel", "monastery")  # before OSM's place_of_worship


def _pick_category(cats: list[str]) -> str | None:
    for c in _SPECIFIC_FIRST:
        if c in cats:
            return c
    for c in cats:
        if c not in _VAGUE:
            return c
    for c in cats:
        if c != "heritage_other":
            return c
    return None


def _sources(poi) -> set[str]:
    return {lab for s in poi.sources if (lab := source_label(s.name))}


def facts_of(poi, *, street: str | None = None) -> Facts:
    """The facts of ``poi`` (``street``: the nearest named street, from the pack's OSM streets, if known)."""
    have = _sources(poi)
    tags = poi.osm_tags or {}
    f = Facts()
    osm = OSM if OSM in have else None
    cat_source = osm or (MERIMEE if MERIMEE in have else None)
    cat = _pick_category(list(poi.categories))
    if cat and cat_source:
        f.category = cat
        f.category_fact = Fact(cat, "categories", cat_source)

    def tag(key: str) -> Fact | None:
        v = tags.get(key)
        return Fact(v, f"osm_tags.{key}", OSM) if v and osm else None

    f.kind_word = tag("memorial") or tag("artwork_type")
    f.material = tag("material")
    f.artists = tag("artist_name") or tag("artist")
    f.architects = tag("architect")
    f.denomination = tag("denomination")
    f.subject = tag("subject")
    if f.subject is None and (sw := tag("subject:wikipedia")) is not None and wiki_title(sw):
        f.subject = sw
    f.inscription = tag("inscription")
    if tags.get("heritage") == "1" and tags.get("heritage:operator") == "whc" and osm:
        f.world_heritage = Fact("1", "osm_tags.heritage", OSM)

    h = poi.heritage
    if h is not None:
        if h.protection_act and MERIMEE in have:
            f.act = Fact(h.protection_act, "heritage.protection_act", MERIMEE)
        if h.protection:
            from_act = h.protection == "classé" and bool(acts_of(h.protection_act) & CLASSE_ACTS)
            src = MERIMEE if from_act and MERIMEE in have else osm
            if src:
                f.protection = Fact(h.protection, "heritage.protection", src)
        elif f.act is not None:
            f.protection = Fact("protected", "heritage.protection_act", MERIMEE)
        if h.dates:
            start = tags.get("start_date")
            src = OSM if start == h.dates and osm else (MERIMEE if MERIMEE in have else osm)
            w = parse_date(h.dates)
            if w is not None and src:
                f.when = (w, Fact(h.dates, "heritage.dates", src))
        if h.period and cat_source:
            f.period = Fact(h.period, "heritage.period", MERIMEE if MERIMEE in have else cat_source)
    if f.when is None and (sd := tag("start_date")) is not None and (w := parse_date(sd.value)) is not None:
        f.when = (w, sd)

    a = poi.address
    if a is not None and a.street and osm:
        f.address = Fact(a.street, "address.street", OSM)
        if a.housenumber:
            f.housenumber = Fact(a.housenumber, "address.housenumber", OSM)
    elif street:
        f.street = Fact(street, "streets.name", OSM)
    if poi.refs.wikipedia and osm:
        f.wikipedia = Fact(poi.refs.wikipedia, "refs.wikipedia", OSM)
    return f
