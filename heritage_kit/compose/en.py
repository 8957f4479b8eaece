"""English templates: a/an, plural nouns, ordinal centuries ("12th century").

Each function returns one :class:`Sentence` stating the facts it was given, or None when they are missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage_kit.compose.dates import MONTHS_EN, DateStyle, century_en, ordinal_en
from heritage_kit.compose.facts import CLASSE_ACTS, Fact, Facts, acts_of, subject_name, wiki_title
from heritage_kit.compose.model import Sentence, date_part, join_names, names_of, one_fact

__all__ = ["NOUNS", "Agreement", "agreement", "PARTS", "protection_words", "DATES"]

# category -> (noun, plural)
NOUNS: dict[str, tuple[str, bool]] = {
    "castle": ("castle", False), "palace": ("palace", False), "fort": ("fortification", False),
    "church": ("church", False), "cathedral": ("cathedral", False), "chapel": ("chapel", False),
    "place_of_worship": ("place of worship", False), "monastery": ("monastery", False),
    "museum": ("museum", False), "gallery": ("art gallery", False), "memorial": ("memorial", False),
    "monument": ("monument", False), "statue": ("statue", False), "artwork": ("artwork", False),
    "fountain": ("fountain", False), "building": ("historic building", False), "house": ("house", False),
    "town_gate": ("city gate", False), "tower": ("tower", False), "bridge": ("bridge", False),
    "archaeological_site": ("archaeological site", False), "ruins": ("ruins", True),
    "viewpoint": ("viewpoint", False), "attraction": ("attraction", False), "garden": ("garden", False),
    "square": ("square", False), "theatre": ("theatre", False), "cemetery": ("cemetery", False),
}
KIND_WORDS: dict[str, tuple[str, bool]] = {
    "statue": ("statue", False), "bust": ("bust", False), "plaque": ("commemorative plaque", False),
    "blue_plaque": ("commemorative plaque", False), "stele": ("stele", False), "war_memorial": ("war memorial", False),
    "obelisk": ("obelisk", False), "sculpture": ("sculpture", False), "mural": ("mural", False),
    "relief": ("relief", False), "mosaic": ("mosaic", False), "installation": ("installation", False),
    "cross": ("cross", False), "fountain": ("fountain", False),
}
MATERIALS = {
    "bronze": "bronze", "stone": "stone", "marble": "marble", "metal": "metal", "steel": "steel", "wood": "wooden",
    "granite": "granite", "concrete": "concrete", "plaster": "plaster", "glass": "glass", "limestone": "limestone",
    "iron": "iron", "cast_iron": "cast-iron", "brick": "brick", "ceramic": "ceramic", "aluminium": "aluminium",
    "copper": "copper", "resin": "resin", "sandstone": "sandstone",
}
DENOMINATIONS = {
    "catholic": "Catholic", "roman_catholic": "Roman Catholic", "orthodox": "Orthodox", "protestant": "Protestant",
    "reformed": "Reformed", "lutheran": "Lutheran", "anglican": "Anglican", "evangelical": "Evangelical",
}
RELIGIOUS = {"church", "cathedral", "chapel", "place_of_worship", "monastery"}


@dataclass(frozen=True)
class Agreement:
    plural: bool

    @property
    def pron(self) -> str:
        return "They" if self.plural else "It"

    def verb(self, singular: str, plural: str) -> str:
        return plural if self.plural else singular


def _noun(f: Facts) -> tuple[str, bool] | None:
    if f.kind_word is not None and f.kind_word.value in KIND_WORDS:
        return KIND_WORDS[f.kind_word.value]
    return NOUNS.get(f.category or "")


def agreement(f: Facts) -> Agreement:
    noun = _noun(f)
    return Agreement(noun[1] if noun else False)


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeio" else "a ") + phrase


def _join(names: list[str]) -> str:
    return join_names(names, "and")


_names = names_of


def identity(f: Facts, g: Agreement) -> Sentence | None:
    noun = _noun(f)
    if noun is None or f.category_fact is None:
        return None
    facts = [f.category_fact] + ([f.kind_word] if f.kind_word and f.kind_word.value in KIND_WORDS else [])
    words = []
    if f.denomination and f.category in RELIGIOUS and f.denomination.value in DENOMINATIONS:
        words.append(DENOMINATIONS[f.denomination.value])
        facts.append(f.denomination)
    if f.material and f.material.value in MATERIALS:
        words.append(MATERIALS[f.material.value])
        facts.append(f.material)
    phrase = " ".join([*words, noun[0]])
    if not noun[1]:
        phrase = _article(phrase)
    if f.artists:
        phrase += " by " + _join(_names(f.artists))
        facts.append(f.artists)
    if f.protection is not None:  # "A house, a protected historic monument."
        phrase += ", " + _protection_phrase(f, g)
        facts += _protection_facts(f)
    return Sentence(phrase[:1].upper() + phrase[1:] + ".", tuple(facts))


def _protection_facts(f: Facts) -> list[Fact]:
    return [f.protection] + ([f.act] if f.act and f.act is not f.protection else [])


def _protection_phrase(f: Facts, g: Agreement) -> str:
    words = protection_words(f.protection.value, f.act.value if f.act else None)
    if g.plural and words.startswith("a "):
        words = words[2:].replace("monument", "monuments", 1)
    return words


def protection_words(value: str, act: str | None) -> str:
    """The protection in plain English, without the register's jargon ("liste", "arrêté")."""
    acts = acts_of(act)
    if value == "classé":
        if "liste" in acts:
            return "a listed historic monument (classé), on the first lists of 1840–1875"
        if "décret" in acts and not acts - CLASSE_ACTS:
            return "a listed historic monument (classé) by decree"
        return "a listed historic monument (classé)"
    if value == "inscrit":
        return "a registered historic monument (inscrit)"
    if value == "classé et inscrit":
        return "partly listed (classé) and partly registered (inscrit) as a historic monument"
    if value == "other":
        return "under another heritage protection"
    return "a protected historic monument"


def protection(f: Facts, g: Agreement) -> Sentence | None:
    """The protection alone, when no noun says what the place is (else :func:`identity` states it)."""
    if f.protection is None or (_noun(f) is not None and f.category_fact is not None):
        return None
    return Sentence(f"{g.pron} {g.verb('is', 'are')} {_protection_phrase(f, g)}.", tuple(_protection_facts(f)))


world_heritage = one_fact(
    "world_heritage", lambda x, g: f"{g.pron} {g.verb('is', 'are')} part of a UNESCO World Heritage site.")


DATES = DateStyle(
    forms={"year": "{y0}{paren}", "day": "{day} {month} {y0}", "month": "{month} {y0}",
           "about": "around {y0}{paren}", "decade": "the {y0}s", "century": "{lead}{century}",
           "range": "{y0}–{y1}{paren}", "before": "before {y0}", "after": "after {y0}"},
    leads={"early": "the early ", "mid": "the mid-", "late": "the late ", "": "the "},
    century=century_en, ordinal=ordinal_en, many="{a}–{b} centuries",
    year=lambda y: f"{-y} BC" if y < 0 else str(y),
    month=lambda w: MONTHS_EN[w.month - 1], day=str,
)


date = date_part(DATES, many="Dates {who}: {years}{paren}.", merimee="given by the Mérimée register",
                 other="given", one=lambda g, words: f"{g.pron} {g.verb('dates', 'date')} from {words}.",
                 and_word="and")


def _architects(fact: Fact, g: Agreement) -> str:
    names = _names(fact)
    who = ("the architects " if len(names) > 1 else "the architect ") + _join(names)
    return f"{g.pron} {g.verb('was', 'were')} designed by {who}."


architect = one_fact("architects", _architects)
subject = one_fact("subject", lambda x, g: f"{g.verb('Its', 'Their')} subject is {subject_name(x)}.")
inscription = one_fact("inscription",
                       lambda x, g: f"{g.pron} {g.verb('bears', 'bear')} the inscription: “{x.value}”.")
period = one_fact("period", lambda x, g: f"Period: {x.value}.")


def place(f: Facts, g: Agreement) -> Sentence | None:
    here = g.verb("stands", "stand")
    if f.address is not None:
        facts = (f.address,) + ((f.housenumber,) if f.housenumber else ())
        if f.housenumber:
            return Sentence(f"{g.pron} {here} at {f.housenumber.value} {f.address.value}.", facts)
        return Sentence(f"{g.pron} {here} on {f.address.value}.", facts)
    if f.street is not None:
        return Sentence(f"{g.pron} {here} near {f.street.value}.", (f.street,))
    return None


wikipedia = one_fact(
    "wikipedia", lambda x, g: f"Wikipedia has an article on {g.verb('it', 'them')}: “{wiki_title(x)}”.")


PARTS = (identity, protection, world_heritage, date, architect, subject, inscription, period, place, wikipedia)
