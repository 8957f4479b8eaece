"""French templates: grammatical gender and number of the noun, Roman-numeral centuries, elision.

Each function returns one :class:`Sentence` stating the facts it was given, or None when they are missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage_kit.compose.dates import MONTHS_FR, DateStyle, century_fr, roman
from heritage_kit.compose.facts import CLASSE_ACTS, Fact, Facts, acts_of, subject_name, wiki_title
from heritage_kit.compose.model import Sentence, date_part, join_names, names_of, one_fact

__all__ = ["NOUNS", "Agreement", "agreement", "PARTS", "protection_words", "DATES"]

# category -> (noun, gender, plural)
NOUNS: dict[str, tuple[str, str, bool]] = {
    "castle": ("château", "m", False), "palace": ("palais", "m", False), "fort": ("fort", "m", False),
    "church": ("église", "f", False), "cathedral": ("cathédrale", "f", False), "chapel": ("chapelle", "f", False),
    "place_of_worship": ("lieu de culte", "m", False), "monastery": ("abbaye", "f", False),
    "museum": ("musée", "m", False), "gallery": ("galerie d'art", "f", False), "memorial": ("mémorial", "m", False),
    "monument": ("monument", "m", False), "statue": ("statue", "f", False), "artwork": ("œuvre d'art", "f", False),
    "fountain": ("fontaine", "f", False), "building": ("édifice", "m", False), "house": ("maison", "f", False),
    "town_gate": ("porte de ville", "f", False), "tower": ("tour", "f", False), "bridge": ("pont", "m", False),
    "archaeological_site": ("site archéologique", "m", False), "ruins": ("ruines", "f", True),
    "viewpoint": ("point de vue", "m", False), "attraction": ("site touristique", "m", False),
    "garden": ("jardin", "m", False), "square": ("place", "f", False), "theatre": ("théâtre", "m", False),
    "cemetery": ("cimetière", "m", False),
}
# OSM memorial=* / artwork_type=* -> a more exact noun
KIND_WORDS: dict[str, tuple[str, str, bool]] = {
    "statue": ("statue", "f", False), "bust": ("buste", "m", False), "plaque": ("plaque commémorative", "f", False),
    "blue_plaque": ("plaque commémorative", "f", False), "stele": ("stèle", "f", False),
    "war_memorial": ("monument aux morts", "m", False), "obelisk": ("obélisque", "m", False),
    "sculpture": ("sculpture", "f", False), "mural": ("peinture murale", "f", False),
    "relief": ("bas-relief", "m", False), "mosaic": ("mosaïque", "f", False),
    "installation": ("installation", "f", False), "cross": ("croix", "f", False), "fountain": ("fontaine", "f", False),
}
MATERIALS = {
    "bronze": "bronze", "stone": "pierre", "marble": "marbre", "metal": "métal", "steel": "acier", "wood": "bois",
    "granite": "granit", "concrete": "béton", "plaster": "plâtre", "glass": "verre", "limestone": "calcaire",
    "iron": "fer", "cast_iron": "fonte", "brick": "brique", "ceramic": "céramique", "aluminium": "aluminium",
    "copper": "cuivre", "resin": "résine", "sandstone": "grès",
}
# denomination -> (masculine, feminine)
DENOMINATIONS = {
    "catholic": ("catholique", "catholique"), "roman_catholic": ("catholique", "catholique"),
    "orthodox": ("orthodoxe", "orthodoxe"), "protestant": ("protestant", "protestante"),
    "reformed": ("réformé", "réformée"), "lutheran": ("luthérien", "luthérienne"),
    "anglican": ("anglican", "anglicane"), "evangelical": ("évangélique", "évangélique"),
}
RELIGIOUS = {"church", "cathedral", "chapel", "place_of_worship", "monastery"}
# street type -> the article before it ("près de la rue…", "près de l'avenue…")
STREET_TYPES = {
    "rue": "la ", "avenue": "l'", "boulevard": "le ", "place": "la ", "quai": "le ", "allée": "l'", "impasse": "l'",
    "chemin": "le ", "route": "la ", "cours": "le ", "square": "le ", "passage": "le ", "montée": "la ",
    "escalier": "l'", "escaliers": "les ", "rampe": "la ", "traverse": "la ", "esplanade": "l'", "promenade": "la ",
    "ruelle": "la ", "sentier": "le ", "parvis": "le ", "jardin": "le ", "port": "le ",
}
_VOWELS = tuple("aeiouyhàâéèêëîïôöûüœAEIOUYHÀÂÉÈÊËÎÏÔÖÛÜŒ")


@dataclass(frozen=True)
class Agreement:
    gender: str  # "m" | "f"
    plural: bool

    @property
    def pron(self) -> str:
        return ("Elles" if self.plural else "Elle") if self.gender == "f" else ("Ils" if self.plural else "Il")

    def adj(self, masc: str, fem: str | None = None) -> str:
        """``classé`` → classé / classée / classés / classées."""
        word = (fem or masc + "e") if self.gender == "f" else masc
        return word + "s" if self.plural and not word.endswith("s") else word

    def verb(self, singular: str, plural: str) -> str:
        return plural if self.plural else singular


def _noun(f: Facts) -> tuple[str, str, bool] | None:
    if f.kind_word is not None and f.kind_word.value in KIND_WORDS:
        return KIND_WORDS[f.kind_word.value]
    return NOUNS.get(f.category or "")


def agreement(f: Facts) -> Agreement:
    noun = _noun(f)
    return _noun_agreement(noun) if noun else Agreement("m", False)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(names: list[str]) -> str:
    return join_names(names, "et")


_names = names_of


def _de(name: str) -> str:
    return ("d'" if name.startswith(_VOWELS) else "de ") + name


def identity(f: Facts, g: Agreement) -> Sentence | None:
    noun = _noun(f)
    if noun is None or f.category_fact is None:
        return None
    facts = [f.category_fact] + ([f.kind_word] if f.kind_word and f.kind_word.value in KIND_WORDS else [])
    text = noun[0]
    if f.denomination and f.category in RELIGIOUS and f.denomination.value in DENOMINATIONS:
        text += " " + g.adj(*DENOMINATIONS[f.denomination.value])
        facts.append(f.denomination)
    if f.material and f.material.value in MATERIALS:
        text += " en " + MATERIALS[f.material.value]
        facts.append(f.material)
    if f.artists:
        text += " " + _de(_join(_names(f.artists)))
        facts.append(f.artists)
    if f.protection is not None:  # "Maison protégée au titre des monuments historiques."
        text += (", " if f.artists else " ") + protection_words(f.protection.value, _act(f), _noun_agreement(noun))
        facts += _protection_facts(f)
    return Sentence(_cap(text) + ".", tuple(facts))


def _noun_agreement(noun: tuple[str, str, bool]) -> Agreement:
    return Agreement(noun[1], noun[2])


def _act(f: Facts) -> str | None:
    return f.act.value if f.act else None


def _protection_facts(f: Facts) -> list[Fact]:
    return [f.protection] + ([f.act] if f.act and f.act is not f.protection else [])


def protection_words(value: str, act: str | None, g: Agreement = Agreement("m", False)) -> str:
    """The protection in plain French, without the register's jargon ("liste", "arrêté")."""
    acts = acts_of(act)
    if value == "classé":
        words = g.adj("classé") + " monument historique"
        if "liste" in acts:
            return words + " dès les premières listes (1840–1875)"
        if "décret" in acts and not acts - CLASSE_ACTS:
            return words + " par décret"
        return words
    if value == "inscrit":
        return g.adj("inscrit") + " au titre des monuments historiques"
    if value == "classé et inscrit":
        return f"en partie {g.adj('classé')} et en partie {g.adj('inscrit')} au titre des monuments historiques"
    if value == "other":
        return "sous une autre protection patrimoniale"
    return g.adj("protégé") + " au titre des monuments historiques"


def protection(f: Facts, g: Agreement) -> Sentence | None:
    """The protection alone, when no noun says what the place is (else :func:`identity` states it)."""
    if f.protection is None or (_noun(f) is not None and f.category_fact is not None):
        return None
    words = protection_words(f.protection.value, _act(f), g)
    return Sentence(f"{g.pron} {g.verb('est', 'sont')} {words}.", tuple(_protection_facts(f)))


world_heritage = one_fact(
    "world_heritage",
    lambda x, g: f"{g.pron} {g.verb('est', 'sont')} {g.adj('inscrit')} au patrimoine mondial de l'UNESCO.")


DATES = DateStyle(
    forms={"year": "de {y0}{paren}", "day": "du {day} {month} {y0}", "month": "{month} {y0}",
           "about": "des environs de {y0}{paren}", "decade": "des années {y0}", "century": "{lead}{century}",
           "range": "de la période {y0}–{y1}{paren}", "before": "d'avant {y0}", "after": "d'après {y0}"},
    leads={"early": "du début du ", "mid": "du milieu du ", "late": "de la fin du ", "": "du "},
    century=century_fr, ordinal=lambda c: f"{roman(c)}e", many="{a}–{b} siècles",
    year=lambda y: f"{-y} av. J.-C." if y < 0 else str(y),
    month=lambda w: _de(MONTHS_FR[w.month - 1]) if w.kind == "month" else MONTHS_FR[w.month - 1],
    day=lambda d: "1er" if d == 1 else str(d),
)


date = date_part(DATES, many="Dates {who} : {years}{paren}.", merimee="retenues par la base Mérimée",
                 other="indiquées", one=lambda g, words: f"{g.pron} {g.verb('date', 'datent')} {words}.",
                 and_word="et")


def _architects(fact: Fact, g: Agreement) -> str:
    names = _names(fact)
    who = ("les architectes " if len(names) > 1 else "l'architecte ") + _join(names)
    return f"{g.pron} {g.verb('a', 'ont')} été {g.adj('conçu')} par {who}."


architect = one_fact("architects", _architects)
subject = one_fact("subject", lambda x, g: f"{g.pron} {g.verb('a', 'ont')} pour sujet {subject_name(x)}.")
inscription = one_fact("inscription",
                       lambda x, g: f"{g.pron} {g.verb('porte', 'portent')} l'inscription : « {x.value} ».")
period = one_fact("period", lambda x, g: f"Période : {x.value}.")


def _street_type(street: str) -> str | None:
    first = street.split(" ", 1)[0].lower()
    return first if first in STREET_TYPES and " " in street else None


def _street_lower(street: str) -> str:
    head, rest = street.split(" ", 1)
    return head.lower() + " " + rest


def place(f: Facts, g: Agreement) -> Sentence | None:
    here = g.verb("se trouve", "se trouvent")
    if f.address is not None:
        street = f.address.value
        facts = (f.address,) + ((f.housenumber,) if f.housenumber else ())
        if _street_type(street) is None:
            number = f"{f.housenumber.value} " if f.housenumber else ""
            return Sentence(f"Adresse : {number}{street}.", facts)
        where = _street_lower(street)
        if f.housenumber:
            return Sentence(f"{g.pron} {here} au {f.housenumber.value}, {where}.", facts)
        return Sentence(f"{g.pron} {here} {where}.", facts)
    if f.street is not None:
        street = f.street.value
        kind = _street_type(street)
        if kind is None:
            return Sentence(f"Voie la plus proche : {street}.", (f.street,))
        article = {"le ": "du ", "les ": "des "}.get(STREET_TYPES[kind], "de " + STREET_TYPES[kind])
        return Sentence(f"{g.pron} {here} près {article}{_street_lower(street)}.", (f.street,))
    return None


wikipedia = one_fact(
    "wikipedia", lambda x, g: f"Wikipédia {g.verb('lui', 'leur')} consacre un article : « {wiki_title(x)} ».")


PARTS = (identity, protection, world_heritage, date, architect, subject, inscription, period, place, wikipedia)
