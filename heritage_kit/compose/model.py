"""A composed text: sentences, each with the facts (value, POI field, source) it states."""

from __future__ import annotations

from dataclasses import dataclass

from heritage_kit.compose.dates import DateStyle, date_words
from heritage_kit.compose.facts import MERIMEE, Fact

__all__ = ["Sentence", "ComposedText", "one_fact", "names_of", "join_names", "date_part"]


@dataclass(frozen=True)
class Sentence:
    text: str
    facts: tuple[Fact, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.source for f in self.facts))


@dataclass(frozen=True)
class ComposedText:
    lang: str
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources the sentences state facts from, in order (``("Mérimée", "OpenStreetMap")``)."""
        return tuple(dict.fromkeys(src for s in self.sentences for src in s.sources))

    def pairs(self) -> list[tuple[str, str]]:
        """(sentence, "source: field, field") pairs — where each sentence comes from."""
        return [(s.text, "; ".join(f"{f.source}: {f.field}" for f in s.facts)) for s in self.sentences]


def names_of(fact: Fact) -> list[str]:
    """The names of a ``;``-separated OSM value (``"A;B"`` → ["A", "B"])."""
    return [n.strip() for n in fact.value.split(";") if n.strip()]


def join_names(names: list[str], and_word: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {and_word} " + names[-1]


def one_fact(attr: str, make):
    """A template part stating the one fact ``Facts.<attr>``: ``make(fact, agreement)`` gives the sentence."""

    def part(facts, g) -> Sentence | None:
        fact = getattr(facts, attr)
        return None if fact is None else Sentence(make(fact, g), (fact,))

    part.__name__ = attr
    return part


def date_part(style: DateStyle, *, many: str, merimee: str, other: str, one, and_word: str):
    """The dating part of a language: ``one(agreement, words)`` for one date; ``many`` (with {who} {years}
    {paren}) for a list of dates, ``who`` being ``merimee`` or ``other`` by source."""

    def date(facts, g) -> Sentence | None:
        if facts.when is None:
            return None
        w, fact = facts.when
        if w.kind != "years":
            return Sentence(one(g, date_words(w, style)), (fact,))
        cent = style.centuries(w)
        years = join_names([style.year(y) for y in w.years], and_word)
        who = merimee if fact.source == MERIMEE else other
        return Sentence(many.format(who=who, years=years, paren=f" ({cent})" if cent else ""), (fact,))

    return date
