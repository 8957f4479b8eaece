"""The normalised category vocabulary, with French and English labels.

Every POI category must be one of these names. Importers map source tags onto
them (see :mod:`heritage_kit.importers.tags`); search matches the labels and
synonyms in both languages. Add a category here, never ad hoc.

A town's own category names are mapped by :func:`resolve_category` (a pack's
``pois.geojson`` and a recipe's overrides go through it): a category name is
kept; a listed synonym or a French/English label that belongs to one category
only (``plaque`` -> ``memorial``, ``boulangerie`` -> ``bakery``, ``park`` ->
``garden``) is mapped to it, whatever its case; anything else — an unknown
name, or a synonym of two categories such as ``sculpture`` — is a clear error
naming the choices. We refuse rather than map to ``*_other``: a wrong category
silently changes scores, visit times and search. A town keeps its own label
in the POI's ``extensions`` (``{"chartres": {"categorie": "vitrail"}}``).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Category", "CATEGORIES", "category_label", "is_category", "resolve_category", "CATEGORY_SYNONYMS"]


class Category(NamedTuple):
    kind: str  # the kind a POI of this category usually has
    fr: str
    en: str
    synonyms: tuple[str, ...] = ()


CATEGORIES: dict[str, Category] = {
    # heritage
    "castle": Category("heritage", "château", "castle", ("fort", "palais", "palace", "citadelle")),
    "palace": Category("heritage", "palais", "palace"),
    "fort": Category("heritage", "fort", "fortification", ("rempart", "city wall", "bastion", "enceinte")),
    "church": Category("heritage", "église", "church", ("chapelle", "chapel", "cathédrale", "cathedral", "basilique")),
    "cathedral": Category("heritage", "cathédrale", "cathedral"),
    "chapel": Category("heritage", "chapelle", "chapel"),
    "place_of_worship": Category("heritage", "lieu de culte", "place of worship", ("temple", "synagogue", "mosquée")),
    "monastery": Category("heritage", "abbaye", "monastery", ("couvent", "convent", "prieuré", "abbey")),
    "museum": Category("heritage", "musée", "museum", ("exposition", "gallery")),
    "gallery": Category("heritage", "galerie d'art", "art gallery"),
    "memorial": Category("heritage", "mémorial", "memorial", ("monument aux morts", "plaque", "stèle")),
    "monument": Category("heritage", "monument", "monument"),
    "statue": Category("heritage", "statue", "statue", ("sculpture",)),
    "artwork": Category("heritage", "œuvre d'art", "artwork", ("sculpture", "fresque", "mural")),
    "fountain": Category("heritage", "fontaine", "fountain", ("lavoir",)),
    "building": Category("heritage", "édifice remarquable", "historic building", ("maison", "hôtel particulier", "house")),
    "house": Category("heritage", "maison", "house"),
    "town_gate": Category("heritage", "porte de ville", "city gate"),
    "tower": Category("heritage", "tour", "tower"),
    "bridge": Category("heritage", "pont", "bridge"),
    "archaeological_site": Category("heritage", "site archéologique", "archaeological site", ("vestiges", "ruins", "ruines")),
    "ruins": Category("heritage", "ruines", "ruins"),
    "viewpoint": Category("heritage", "point de vue", "viewpoint", ("panorama", "belvédère")),
    "attraction": Category("heritage", "site touristique", "attraction"),
    "garden": Category("heritage", "jardin", "garden", ("parc", "park")),
    "square": Category("heritage", "place", "square"),
    "theatre": Category("heritage", "théâtre", "theatre", ("opéra", "opera")),
    "cemetery": Category("heritage", "cimetière", "cemetery"),
    "heritage_other": Category("heritage", "patrimoine", "heritage"),
    # commerce
    "bakery": Category("commerce", "boulangerie", "bakery", ("pâtisserie", "pastry", "pain", "bread")),
    "pastry": Category("commerce", "pâtisserie", "pastry shop", ("confiserie", "chocolatier")),
    "butcher": Category("commerce", "boucherie", "butcher", ("charcuterie",)),
    "cheese": Category("commerce", "fromagerie", "cheese shop"),
    "greengrocer": Category("commerce", "primeur", "greengrocer", ("fruits et légumes",)),
    "deli": Category("commerce", "épicerie fine", "delicatessen", ("traiteur",)),
    "wine": Category("commerce", "caviste", "wine shop", ("vins", "cave")),
    "convenience": Category("commerce", "épicerie", "grocery", ("supérette", "convenience store")),
    "supermarket": Category("commerce", "supermarché", "supermarket"),
    "bookshop": Category("commerce", "librairie", "bookshop", ("livres", "books", "bookstore")),
    "clothes": Category("commerce", "vêtements", "clothes", ("mode", "fashion", "boutique")),
    "shoes": Category("commerce", "chaussures", "shoes"),
    "jewelry": Category("commerce", "bijouterie", "jewellery", ("horlogerie", "watches", "jewelry")),
    "gift": Category("commerce", "souvenirs", "gift shop", ("cadeaux", "souvenir")),
    "art_shop": Category("commerce", "galerie marchande d'art", "art shop", ("antiquités", "antiques")),
    "antiques": Category("commerce", "antiquaire", "antiques"),
    "florist": Category("commerce", "fleuriste", "florist"),
    "beauty": Category("commerce", "beauté", "beauty", ("parfumerie", "cosmétiques", "perfume", "cosmetics")),
    "hairdresser": Category("commerce", "coiffeur", "hairdresser"),
    "optician": Category("commerce", "opticien", "optician"),
    "tobacco": Category("commerce", "tabac", "tobacco", ("presse", "newsagent", "journaux")),
    "crafts": Category("commerce", "artisan", "craftsman", ("atelier", "workshop")),
    "shop_other": Category("commerce", "commerce", "shop", ("magasin", "store")),
    "cafe": Category("commerce", "café", "café", ("salon de thé", "tea room", "coffee")),
    "restaurant": Category("commerce", "restaurant", "restaurant", ("brasserie", "bistrot", "pizzeria")),
    "fast_food": Category("commerce", "restauration rapide", "fast food", ("snack",)),
    "bar": Category("commerce", "bar", "bar", ("pub",)),
    "ice_cream": Category("commerce", "glacier", "ice cream"),
    "marketplace": Category("commerce", "marché", "market", ("halles", "market hall")),
    # services
    "pharmacy": Category("service", "pharmacie", "pharmacy", ("chemist", "drugstore")),
    "post_office": Category("service", "bureau de poste", "post office", ("la poste",)),
    "tourist_info": Category("service", "office de tourisme", "tourist information"),
    "toilets": Category("service", "toilettes", "toilets", ("wc",)),
    "bank": Category("service", "banque", "bank", ("distributeur", "atm")),
    "doctor": Category("service", "médecin", "doctor"),
    "hospital": Category("service", "hôpital", "hospital"),
    "defibrillator": Category("service", "défibrillateur", "defibrillator"),
    "drinking_water": Category("service", "eau potable", "drinking water"),
    "bicycle_parking": Category("service", "parking vélos", "bicycle parking"),
    "cinema": Category("service", "cinéma", "cinema"),
    "library": Category("service", "bibliothèque", "library", ("médiathèque",)),
    "townhall": Category("service", "mairie", "town hall", ("hôtel de ville",)),
    "station": Category("service", "gare", "station", ("train", "bus")),
    "hotel": Category("service", "hôtel", "hotel"),
    "service_other": Category("service", "service", "service"),
}


def is_category(name: str) -> bool:
    return name in CATEGORIES


def category_label(name: str, lang: str = "en") -> str:
    """Human label of a category in ``lang`` (``fr`` or ``en``; English otherwise)."""
    cat = CATEGORIES.get(name)
    if cat is None:
        return name
    return cat.fr if lang.startswith("fr") else cat.en


def _synonym_index() -> dict[str, str | tuple[str, ...]]:
    """lower-case label or synonym -> its one category, or the tuple of categories it could mean.
    A category's own French/English label wins over another's synonym ("palais" is the palace)."""
    labels: dict[str, set[str]] = {}
    synonyms: dict[str, set[str]] = {}
    for name, cat in CATEGORIES.items():
        for word in (cat.fr, cat.en):
            labels.setdefault(word.lower(), set()).add(name)
        for word in cat.synonyms:
            synonyms.setdefault(word.lower(), set()).add(name)
    out: dict[str, str | tuple[str, ...]] = {}
    for word in {*labels, *synonyms}:
        names = labels.get(word) or synonyms[word]
        out[word] = next(iter(names)) if len(names) == 1 else tuple(sorted(names))
    return out


CATEGORY_SYNONYMS = _synonym_index()


def resolve_category(name: str) -> str:
    """``name`` as one of :data:`CATEGORIES` (see the module docstring), or ``ValueError`` with a sentence."""
    if name in CATEGORIES:
        return name
    key = name.strip().lower()
    if key in CATEGORIES:
        return key
    hit = CATEGORY_SYNONYMS.get(key)
    if isinstance(hit, str):
        return hit
    if isinstance(hit, tuple):
        raise ValueError(f"category {name!r:.60} is ambiguous: it may mean {' or '.join(hit)}; give one of them")
    import difflib

    close = difflib.get_close_matches(key, [*CATEGORIES, *CATEGORY_SYNONYMS], n=5, cutoff=0.75)
    names = dict.fromkeys(c if c in CATEGORIES else CATEGORY_SYNONYMS[c] for c in close)
    names = [n for n in names if isinstance(n, str)][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in names)}?" if names else ""
    raise ValueError(f"unknown category {name!r:.60}{hint} (the list: docs/guide.md#categories, "
                     "heritage_kit.categories)")
