"""The normalised category vocabulary, with French and English labels.

Every POI category must be one of these names. Importers map source tags onto
them (see :mod:`heritage_kit.importers.tags`); search matches the labels and
synonyms in both languages. Add a category here, never ad hoc.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Category", "CATEGORIES", "category_label", "is_category"]


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
