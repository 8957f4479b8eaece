"""Same place, two records: existing POIs near a point with a similar name (pure).

A hint is shown to the contributor ("is it one of these?") and stored with the
submission for the moderator; trail planning uses the same rule so that one place mapped twice (an OSM node
and the area around it) is not visited twice. Distances use the vectorised haversine of
:mod:`heritage_kit.geo`; name similarity uses rapidfuzz (ratio / token-sort, and token-set when both names
have two words or more) on NFKC-normalised, invisible-stripped, accent-folded, case-folded names without
French/English stop words (``de``, ``la``, ``the``…).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
from rapidfuzz import fuzz

from heritage_kit.geo import haversine_m
from heritage_kit.textnorm import match_key

__all__ = ["DuplicateHint", "duplicate_hints", "normalise_name", "DUPLICATE_RADIUS_M", "DUPLICATE_MIN_SCORE"]

DUPLICATE_RADIUS_M = 75.0
DUPLICATE_MIN_SCORE = 75.0

_STOP = frozenset(
    "le la les l de du des d a au aux en et ou the of and dit dite dits dites ancien ancienne".split()
)
_ABBREV = {"st": "saint", "ste": "sainte", "n d": "notre dame", "nd": "notre dame"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class DuplicateHint:
    """An existing POI that may be the one proposed."""

    poi_id: str
    name: str
    distance_m: float
    score: float  # 0..100 name similarity

    def to_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=65_536)  # pure; the inbox compares each new entry with its neighbours' names
def normalise_name(text: str) -> str:
    """Lower-case, accents folded, punctuation and stop words removed, ``st`` → ``saint``.

    First the matching key of :func:`heritage_kit.textnorm.match_key` (NFKC, invisible characters such as
    U+200B removed, case-folded), so that "La\u200bvoir" or full-width letters match "Lavoir".
    """
    folded = unicodedata.normalize("NFKD", match_key(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = [w for w in _NON_WORD.sub(" ", folded).split() if w]
    words = [_ABBREV.get(w, w) for w in words]
    return " ".join(w for w in words if w not in _STOP)


def _names(name: Mapping[str, str] | str | None) -> list[str]:
    if name is None:
        return []
    if isinstance(name, str):
        return [name]
    return [v for v in name.values() if isinstance(v, str) and v.strip()]


def duplicate_hints(
    pois: Iterable,
    *,
    name: Mapping[str, str] | str | None,
    lat: float,
    lon: float,
    radius_m: float = DUPLICATE_RADIUS_M,
    min_score: float = DUPLICATE_MIN_SCORE,
    limit: int = 5,
) -> list[DuplicateHint]:
    """Existing POIs within ``radius_m`` of (``lat``, ``lon``) whose name scores ≥ ``min_score``.

    ``pois`` is a pack's ``pois`` (or any iterable of :class:`~heritage_kit.models.POI`);
    ``name`` a localised mapping ``{"fr": …}`` or a string. Best first, at most ``limit``.
    """
    pois = list(getattr(pois, "pois", pois))
    proposed = [n for n in (normalise_name(x) for x in _names(name)) if n]
    if not pois or not proposed:
        return []
    lats = np.fromiter((p.location.lat for p in pois), dtype=float, count=len(pois))
    lons = np.fromiter((p.location.lon for p in pois), dtype=float, count=len(pois))
    dist = np.atleast_1d(haversine_m(lat, lon, lats, lons))
    hints: list[DuplicateHint] = []
    for i in np.flatnonzero(dist <= radius_m):
        poi = pois[int(i)]
        best = 0.0
        for existing in poi.name.values():
            e = normalise_name(existing)
            if not e:
                continue
            for p in proposed:
                score = max(fuzz.token_sort_ratio(p, e), fuzz.ratio(p, e))
                if min(len(p.split()), len(e.split())) >= 2:
                    # "Maison Renaissance" vs "Maison Renaissance ou maison à colonnes"; a single
                    # generic word ("Maison") is not enough to call two places the same.
                    score = max(score, fuzz.token_set_ratio(p, e))
                best = max(best, score)
        if best >= min_score:
            hints.append(DuplicateHint(poi.id, poi.name.get("fr"), round(float(dist[i]), 1), round(best, 1)))
    hints.sort(key=lambda h: (-h.score, h.distance_m))
    return hints[:limit]
