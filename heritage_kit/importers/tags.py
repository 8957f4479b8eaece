"""The one table that maps OpenStreetMap tags to a POI kind and categories.

Pure data and a pure function (:func:`classify`). Rules are tried in table
order; the first rule that matches gives the POI its ``kind`` and first
(primary) category, later matching rules add categories. A ``"*"`` value
matches any value except ``no``. Every category named here exists in
:mod:`heritage_kit.categories` (a test checks it).

=================  ==========================================================  ===========
key                values                                                      kind
=================  ==========================================================  ===========
historic           castle, fort, city_gate, memorial, monument, church,         heritage
                   chapel, monastery, ruins, archaeological_site, building,
                   house, manor, palace, tower, bridge, fountain, wayside_*,
                   citywalls, cannon, boundary_stone… ; any other → heritage_other
tourism            museum, gallery, attraction, artwork, viewpoint, zoo,        heritage
                   aquarium, theme_park
amenity            place_of_worship, theatre, fountain, casino, arts_centre     heritage
leisure            park, garden                                                 heritage
heritage           any (protected building) → heritage_other                    heritage
shop               bakery, pastry, butcher, cheese, … ; any other → shop_other  commerce
craft              any → crafts                                                 commerce
amenity            cafe, restaurant, fast_food, bar, pub, ice_cream,            commerce
                   marketplace
amenity            pharmacy, post_office, toilets, bank, atm, doctors,          service
                   hospital, cinema, library, townhall, drinking_water,
                   bicycle_parking
emergency          defibrillator                                                service
healthcare         pharmacy, doctor, hospital                                   service
tourism            information (office only), hotel, guest_house                service
=================  ==========================================================  ===========

Refinements: ``castle_type=palace`` adds *palace*; ``building=church|cathedral|
chapel`` adds that category; ``memorial=statue`` / ``artwork_type=statue|
sculpture`` add *statue*; ``memorial=war_memorial`` stays a memorial.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["TagRule", "TAG_TABLE", "REFINEMENTS", "classify", "INTERESTING_KEYS"]


class TagRule(NamedTuple):
    key: str
    value: str  # "*" = any value but "no"
    kind: str
    category: str


def _rules(key: str, kind: str, pairs: dict[str, str]) -> list[TagRule]:
    return [TagRule(key, v, kind, c) for v, c in pairs.items()]


TAG_TABLE: list[TagRule] = [
    *_rules("historic", "heritage", {
        "castle": "castle", "palace": "palace", "fort": "fort", "citywalls": "fort", "city_gate": "town_gate",
        "church": "church", "cathedral": "cathedral", "chapel": "chapel", "monastery": "monastery",
        "memorial": "memorial", "wayside_cross": "memorial", "wayside_shrine": "memorial",
        "monument": "monument", "cannon": "monument", "boundary_stone": "monument", "milestone": "monument",
        "ruins": "ruins", "archaeological_site": "archaeological_site", "building": "building",
        "house": "house", "manor": "house", "tower": "tower", "bridge": "bridge", "fountain": "fountain",
        "statue": "statue", "tomb": "memorial", "*": "heritage_other",
    }),
    *_rules("tourism", "heritage", {
        "museum": "museum", "gallery": "gallery", "attraction": "attraction", "artwork": "artwork",
        "viewpoint": "viewpoint", "zoo": "attraction", "aquarium": "attraction", "theme_park": "attraction",
    }),
    *_rules("amenity", "heritage", {
        "place_of_worship": "place_of_worship", "theatre": "theatre", "fountain": "fountain",
        "casino": "attraction", "arts_centre": "gallery",
    }),
    *_rules("leisure", "heritage", {"park": "garden", "garden": "garden"}),
    TagRule("heritage", "*", "heritage", "heritage_other"),
    *_rules("shop", "commerce", {
        "bakery": "bakery", "pastry": "pastry", "confectionery": "pastry", "chocolate": "pastry",
        "butcher": "butcher", "cheese": "cheese", "greengrocer": "greengrocer", "deli": "deli",
        "wine": "wine", "alcohol": "wine", "convenience": "convenience", "supermarket": "supermarket",
        "books": "bookshop", "clothes": "clothes", "fashion": "clothes", "boutique": "clothes",
        "fashion_accessories": "clothes", "bag": "clothes", "leather": "clothes", "shoes": "shoes",
        "jewelry": "jewelry", "watches": "jewelry", "gift": "gift", "souvenir": "gift", "art": "art_shop",
        "antiques": "antiques", "florist": "florist", "beauty": "beauty", "cosmetics": "beauty",
        "perfumery": "beauty", "hairdresser": "hairdresser", "optician": "optician", "tobacco": "tobacco",
        "newsagent": "tobacco", "kiosk": "tobacco", "*": "shop_other",
    }),
    TagRule("craft", "*", "commerce", "crafts"),
    *_rules("amenity", "commerce", {
        "cafe": "cafe", "restaurant": "restaurant", "fast_food": "fast_food", "bar": "bar", "pub": "bar",
        "ice_cream": "ice_cream", "marketplace": "marketplace",
    }),
    *_rules("amenity", "service", {
        "pharmacy": "pharmacy", "post_office": "post_office", "toilets": "toilets", "bank": "bank",
        "atm": "bank", "doctors": "doctor", "hospital": "hospital", "cinema": "cinema", "library": "library",
        "townhall": "townhall", "drinking_water": "drinking_water", "bicycle_parking": "bicycle_parking",
    }),
    TagRule("emergency", "defibrillator", "service", "defibrillator"),
    *_rules("healthcare", "service", {"pharmacy": "pharmacy", "doctor": "doctor", "hospital": "hospital"}),
    *_rules("tourism", "service", {"hotel": "hotel", "guest_house": "hotel"}),
    TagRule("tourism", "information", "service", "tourist_info"),
]

# (key, value) -> extra category, applied once a rule matched.
REFINEMENTS: dict[tuple[str, str], str] = {
    ("castle_type", "palace"): "palace",
    ("castle_type", "fortress"): "fort",
    ("building", "church"): "church",
    ("building", "cathedral"): "cathedral",
    ("building", "chapel"): "chapel",
    ("memorial", "statue"): "statue",
    ("memorial", "bust"): "statue",
    ("artwork_type", "statue"): "statue",
    ("artwork_type", "sculpture"): "statue",
    ("amenity", "theatre"): "theatre",
    ("shop", "bakery"): "bakery",
}

INTERESTING_KEYS: frozenset[str] = frozenset(r.key for r in TAG_TABLE)

_BY_KEY: dict[str, list[tuple[int, TagRule]]] = {}
for _i, _r in enumerate(TAG_TABLE):
    _BY_KEY.setdefault(_r.key, []).append((_i, _r))

_MAX_CATEGORIES = 6


def _matches(rule: TagRule, tags: Mapping[str, str]) -> bool:
    value = tags.get(rule.key)
    if value is None or value == "no":
        return False
    if rule.value == "*":
        return True
    return rule.value in (v.strip() for v in value.split(";"))


def classify(tags: Mapping[str, str]) -> tuple[str, list[str]] | None:
    """``(kind, categories)`` for an OSM object's tags, or None when it is not a POI we keep.

    ``tourism=information`` counts only as a staffed office (``information=office``).
    """
    hits: list[tuple[int, TagRule]] = []
    for key in tags.keys() & _BY_KEY.keys():
        for i, rule in _BY_KEY[key]:
            if _matches(rule, tags):
                hits.append((i, rule))
    hits.sort()
    # a "*" rule only counts when no specific rule of the same key matched
    specific_keys = {r.key for _, r in hits if r.value != "*"}
    hits = [(i, r) for i, r in hits if r.value != "*" or r.key not in specific_keys]
    if tags.get("tourism") == "information" and tags.get("information") != "office":
        hits = [(i, r) for i, r in hits if not (r.key == "tourism" and r.value == "information")]
    if not hits:
        return None
    kind = hits[0][1].kind
    cats: list[str] = []
    for _, r in hits:
        if r.category not in cats:
            cats.append(r.category)
    for (k, v), cat in REFINEMENTS.items():
        if cat not in cats and v in (tags.get(k) or "").split(";"):
            cats.append(cat)
    if cats[0] == "place_of_worship":  # a church is first a church
        for specific in ("cathedral", "church", "chapel"):
            if specific in cats:
                cats.remove(specific)
                cats.insert(0, specific)
                break
    return kind, cats[:_MAX_CATEGORIES]
