"""Find POIs the way a person types: "boulangerie", "eglise st front", "musee oceanographique".

Matching is accent- and case-insensitive and tolerant of typos (rapidfuzz), on
the names in every language and on the category vocabulary in French and
English (labels and synonyms: "boulangerie" and "bakery" both find bakeries;
"église" also finds a cathedral, since a cathedral is a church).

Each word of the query scores every POI (best of: a name word equal to it, a
name word it begins, a name word within a few typos, a category it names);
a POI's relevance is the mean over the words, so every word counts. Results
are ranked by relevance (in steps of 5 points), then by distance when
``near`` is given, then by name.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from heritage_kit.categories import CATEGORIES
from heritage_kit.errors import QueryError
from heritage_kit.models.poi import KINDS, POI

__all__ = ["SearchHit", "search_pois", "normalize_text", "categories_for"]

MIN_SCORE = 60.0
_BUCKET = 5.0

# abbreviations people type, expanded on both sides
_ABBREV = {
    "st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes",
    "bd": "boulevard", "bld": "boulevard", "av": "avenue", "ave": "avenue",
    "pl": "place", "r": "rue", "fg": "faubourg", "nd": "notre dame", "mt": "mont", "chap": "chapelle",
}
_STOPWORDS = frozenset(
    "le la les l de du des d un une et a au aux en sur sous the of and an in on at to".split()
)
_TOKEN_RE = re.compile(r"[^\W_]+")


def normalize_text(text: str) -> str:
    """Lower case, no accents, ligatures spelled out, punctuation as spaces, abbreviations expanded."""
    t = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae").replace("ß", "ss")
    t = unicodedata.normalize("NFKD", t).lower()
    if not t.isascii():
        t = "".join(c for c in t if not unicodedata.combining(c))
    words = [_ABBREV.get(w, w) for w in _TOKEN_RE.findall(t)]
    return " ".join(words)


def _tokens(text: str) -> list[str]:
    return normalize_text(text).split()


def _content_tokens(text: str) -> list[str]:
    toks = _tokens(text)
    kept = [t for t in toks if t not in _STOPWORDS]
    return kept or toks


# --------------------------------------------------------------------------
# category vocabulary: term -> categories, with scores
# --------------------------------------------------------------------------

_LABEL, _SYNONYM, _WORD_OF_TERM, _RELATED = 92.0, 88.0, 85.0, 82.0


def _build_category_terms() -> dict[str, dict[str, float]]:
    """Words -> {category: score}."""
    label_of: dict[str, set[str]] = {}
    for key, cat in CATEGORIES.items():
        for lab in (cat.fr, cat.en, key.replace("_", " ")):
            label_of.setdefault(normalize_text(lab), set()).add(key)
    terms: dict[str, dict[str, float]] = {}

    def add(term: str, cat: str, score: float) -> None:
        term = normalize_text(term)
        if term and terms.setdefault(term, {}).get(cat, 0.0) < score:
            terms[term][cat] = score

    for key, cat in CATEGORIES.items():
        for lab in (cat.fr, cat.en, key.replace("_", " ")):
            add(lab, key, _LABEL)
        for syn in cat.synonyms:
            add(syn, key, _SYNONYM)
    # a term naming a category also finds the categories that category lists as
    # its kinds: "église" (church, whose synonyms include "cathédrale") finds cathedrals
    for key, cat in CATEGORIES.items():
        for syn in cat.synonyms:
            for other in label_of.get(normalize_text(syn), ()):
                if other == key:
                    continue
                for lab in (cat.fr, cat.en, key.replace("_", " ")):
                    add(lab, other, _RELATED)
    single = {t: dict(c) for t, c in terms.items() if " " not in t}
    # each word of a several-word term ("bureau de poste", "office de tourisme",
    # "hôtel de ville") names its categories too, a little less surely
    for term, cats in terms.items():
        if " " not in term:
            continue
        for word in term.split():
            if word in _STOPWORDS or len(word) < 3:
                continue
            for cat, score in cats.items():
                score = min(score, _WORD_OF_TERM)
                if single.setdefault(word, {}).get(cat, 0.0) < score:
                    single[word][cat] = score
    return single


_CAT_SINGLE = _build_category_terms()
_CAT_TERMS = list(_CAT_SINGLE)


def _fuzzy_cutoff(token: str) -> float | None:
    n = len(token)
    if n <= 3:
        return None  # short words: exact or prefix only
    return 80.0 if n <= 5 else 75.0


def categories_for(word: str) -> dict[str, float]:
    """Categories a typed word names (typos allowed), with a score for each."""
    q = normalize_text(word)
    out: dict[str, float] = {}
    if not q:
        return out
    found = dict(_CAT_SINGLE.get(q, {}))
    cutoff = _fuzzy_cutoff(q)
    if cutoff is not None:
        for term, score, _ in process.extract(q, _CAT_TERMS, scorer=fuzz.ratio, score_cutoff=max(cutoff, 82.0), limit=None):
            for cat, s in _CAT_SINGLE[term].items():
                found[cat] = max(found.get(cat, 0.0), s * score / 100.0)
    out.update(found)
    return out


# --------------------------------------------------------------------------
# per-pack index
# --------------------------------------------------------------------------


class _SearchIndex:
    def __init__(self, pois: list[POI]) -> None:
        self.n = len(pois)
        postings: dict[str, list[int]] = {}
        self.names: list[str] = []
        name_cats: dict[str, set[int]] = {}
        for i, p in enumerate(pois):
            words: set[str] = set()
            for text in p.name.values():
                words.update(_tokens(text))
            self.names.append(normalize_text(p.name.get()))
            for w in words:
                postings.setdefault(w, []).append(i)
                for cat in _CAT_SINGLE.get(w, {}):
                    name_cats.setdefault(cat, set()).add(i)
        self.vocab = sorted(postings)
        self.postings = {w: np.asarray(r, dtype=np.intp) for w, r in postings.items()}
        cat_rows: dict[str, list[int]] = {}
        for i, p in enumerate(pois):
            for c in p.categories:
                cat_rows.setdefault(c, []).append(i)
        self.cat_rows = {c: np.asarray(r, dtype=np.intp) for c, r in cat_rows.items()}
        self.name_cat_rows = {c: np.asarray(sorted(r), dtype=np.intp) for c, r in name_cats.items()}
        self.kind = np.asarray([KINDS.index(p.kind) for p in pois], dtype=np.int8)
        self.full_names = [[normalize_text(t) for t in p.name.values() if t] for p in pois]

    def word_scores(self, q: str) -> np.ndarray:
        best = np.zeros(self.n)

        def lift(rows: np.ndarray, score: float) -> None:
            best[rows] = np.maximum(best[rows], score)  # rows of one posting are unique

        # exact name word
        rows = self.postings.get(q)
        if rows is not None:
            lift(rows, 100.0)
        # prefix of a name word ("ocean" -> "oceanographique")
        if len(q) >= 3:
            i = bisect.bisect_left(self.vocab, q)
            while i < len(self.vocab) and self.vocab[i].startswith(q):
                w = self.vocab[i]
                if w != q:
                    lift(self.postings[w], 90.0)
                i += 1
        # typos
        cutoff = _fuzzy_cutoff(q)
        if cutoff is not None:
            for w, score, _ in process.extract(q, self.vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
                if w != q:
                    lift(self.postings[w], 0.95 * score)
        # categories, from the POI's categories or from a category word in its name
        for cat, score in categories_for(q).items():
            r = self.cat_rows.get(cat)
            if r is not None:
                lift(r, score)
            r = self.name_cat_rows.get(cat)
            if r is not None:
                lift(r, score - 4.0)
        return best


def _index_of(pack: Any) -> _SearchIndex:
    """The pack's word index, built once (see :meth:`ContentPack.derived`); uncached for other objects."""
    derived = getattr(pack, "derived", None)
    if derived is None:
        return _SearchIndex(pack.pois)
    return derived("search_words", lambda: _SearchIndex(pack.pois))


# --------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A POI found by :func:`search_pois`: relevance 0-100 and distance from ``near``."""

    poi: POI
    score: float
    distance_m: float | None = None

    @property
    def id(self) -> str:
        return self.poi.id


def _as_tuple(value: str | Iterable[str] | None, what: str, allowed: Iterable[str]) -> tuple[str, ...] | None:
    if value is None:
        return None
    vals = (value,) if isinstance(value, str) else tuple(value)
    allowed = set(allowed)
    bad = [v for v in vals if v not in allowed]
    if bad:
        raise QueryError(f"unknown {what} {bad[0]!r}")
    return vals


def _known_open(hours, when: datetime) -> bool:
    """Open at ``when`` by a reading that is not a flagged guess (issue 22: never a guessed "open")."""
    return not hours.uncertain and hours.is_open(when)


def search_pois(
    pack: Any,
    text: str | None = None,
    *,
    kinds: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    open_at: datetime | None = None,
    near: Any = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Search a pack's POIs by text and filters (see the module notes).

    ``kinds`` / ``categories`` keep POIs of those kinds / with any of those
    categories; ``open_at`` keeps POIs known to be open at that time (in the
    pack's timezone, French public holidays counted); ``near`` (anything with
    ``.lat``/``.lon``) adds ``distance_m`` and ranks nearer POIs first among
    equally relevant ones (or all of them when there is no text).
    """
    pois: list[POI] = pack.pois
    n = len(pois)
    kinds_t = _as_tuple(kinds, "kind", KINDS)
    cats_t = _as_tuple(categories, "category", CATEGORIES)
    limit = int(limit)
    if limit <= 0 or n == 0:
        return []
    if near is not None:
        try:
            near_lat, near_lon = float(near.lat), float(near.lon)
        except (AttributeError, TypeError, ValueError):
            raise QueryError(f"near must have .lat and .lon, got {type(near).__name__}") from None
    index = _index_of(pack)

    words = _content_tokens(text) if text and text.strip() else []
    if words:
        total = np.zeros(n)
        for w in words:
            total += index.word_scores(w)
        score = total / len(words)
        mask = score >= MIN_SCORE - 5.0  # the whole-name bonus adds up to 5
    else:
        score = np.full(n, 100.0)
        mask = np.ones(n, dtype=bool)

    if kinds_t is not None:
        mask &= np.isin(index.kind, [KINDS.index(k) for k in kinds_t])
    if cats_t is not None:
        cmask = np.zeros(n, dtype=bool)
        for c in cats_t:
            r = index.cat_rows.get(c)
            if r is not None:
                cmask[r] = True
        mask &= cmask
    rows = np.flatnonzero(mask)
    if open_at is not None and rows.size:
        from heritage_kit.hours import hours_for

        tz = pack.manifest.timezone
        country = pack.manifest.country
        keep = [i for i in rows.tolist() if pois[i].opening_hours and _known_open(
            hours_for(pois[i].opening_hours, country=country, timezone=tz), open_at)]
        rows = np.asarray(keep, dtype=np.intp)
    if not rows.size:
        return []

    s = score[rows]
    whole = np.zeros(rows.size)
    if words:
        # only rows that can still reach the first ``limit`` (the bonus moves a row
        # by at most 5 points, one relevance step)
        if rows.size > limit:
            kth = np.partition(s, rows.size - limit)[rows.size - limit]
            keep = s >= kth - 2 * _BUCKET
            rows, s = rows[keep], s[keep]
            whole = whole[keep]
        # how much of a whole name the query is: a bonus when close ("musee
        # oceanographique"), else a tie-breaker ("Saint-Front": the cathedral
        # "Saint-Front" before the "Logis Saint-Front")
        query = " ".join(_tokens(text or ""))
        pos = [j for j, i in enumerate(rows.tolist()) for _ in index.full_names[i]]
        flat = [nm for i in rows.tolist() for nm in index.full_names[i]]
        if flat:
            ratios = process.cdist([query], flat, scorer=fuzz.ratio, dtype=np.float64)[0]
            np.maximum.at(whole, np.asarray(pos, dtype=np.intp), ratios)
        s = np.where(whole >= 85.0, np.minimum(100.0, s + (whole - 80.0) / 4.0), s)
        keep = s >= MIN_SCORE
        rows, s, whole = rows[keep], s[keep], whole[keep]
        if not rows.size:
            return []

    dist = None
    if near is not None:
        dist = pack.index.distances_m(near_lat, near_lon, rows)
    bucket = -np.floor(s / _BUCKET + 1e-9)
    if dist is not None:
        order = np.lexsort((rows, -whole, -s, dist, bucket))
    elif words:
        order = np.lexsort((rows, -whole, -s))
    else:  # filters only: by name
        order = sorted(range(rows.size), key=lambda j: (index.names[rows[j]], int(rows[j])))
    out = []
    for j in list(order[:limit]):
        out.append(SearchHit(pois[int(rows[j])], round(float(s[j]), 2), None if dist is None else float(dist[j])))
    return out
