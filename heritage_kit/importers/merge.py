"""Merge a Mérimée monument and an OSM feature that are the same place.

Pure logic (no I/O). Two POIs are the same place when

1. the OSM feature carries the monument's reference (``ref:mhs`` →
   ``refs.merimee``), or
2. they lie within ``max_distance_m`` of each other and their names are alike
   (rapidfuzz ``token_set_ratio`` on accent-folded names ≥ ``min_name_score``;
   a bare generic name such as "Maison" or "Immeuble" must match exactly).

Each monument is matched at most once, best pairs first (reference, then name
score, then distance). The merged POI keeps the Mérimée id (the official,
stable reference), the OSM position, footprint, names in every language,
hours and contact details, the union of categories, both references, the
Mérimée heritage facts, and both sources. Every merge is reported with its
reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from heritage_kit.geo import geodesic_m
from heritage_kit.models.poi import POI

__all__ = ["MergePair", "MergeReport", "merge_pois", "name_similarity"]

_GENERIC = {"maison", "immeuble", "hotel", "eglise", "chapelle", "croix", "fontaine", "tour", "chateau",
            "monument", "porte", "pont", "batiment", "ensemble", "ruines", "vestiges", "site"}


@dataclass(frozen=True)
class MergePair:
    merimee_id: str
    osm_id: str
    reason: str  # "ref:mhs" or "distance+name"
    distance_m: float
    name_score: float

    def __str__(self) -> str:
        return (f"{self.merimee_id} + {self.osm_id}: {self.reason} "
                f"({self.distance_m:.0f} m, name score {self.name_score:.0f})")


@dataclass
class MergeReport:
    pairs: list[MergePair] = field(default_factory=list)
    merimee_only: int = 0
    osm_only: int = 0
    ref_not_found: list[str] = field(default_factory=list)  # OSM ids whose ref:mhs is not among the monuments

    def summary(self) -> str:
        by = {r: sum(1 for p in self.pairs if p.reason == r) for r in ("ref:mhs", "distance+name")}
        text = (f"merged {len(self.pairs)} pair(s) ({by['ref:mhs']} by ref:mhs, {by['distance+name']} by "
                f"distance and name); {self.merimee_only} monument(s) and {self.osm_only} OSM POI(s) unmatched")
        for p in self.pairs:
            text += f"\n  - {p}"
        for oid in self.ref_not_found:
            text += f"\n  - {oid}: its ref:mhs is not among the monuments read (kept as OSM only)"
        return text

    def __str__(self) -> str:
        return self.summary()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def name_similarity(a: str, b: str) -> float:
    """0–100: how alike two place names are (case, accents, punctuation and word order ignored)."""
    fa, fb = utils.default_process(_fold(a)), utils.default_process(_fold(b))  # punctuation -> spaces
    if fa in _GENERIC or fb in _GENERIC:
        return 100.0 if fa == fb else 0.0
    return float(fuzz.token_set_ratio(fa, fb))


def _merge_one(m: POI, o: POI) -> POI:
    names = dict(m.name.root)
    names.update({k: v for k, v in o.name.root.items() if v})
    if "fr" in m.name.root and "fr" not in o.name.root:
        names["fr"] = m.name.root["fr"]
    cats = list(o.categories) + [c for c in m.categories if c not in o.categories and c != "heritage_other"]
    if not cats:
        cats = list(m.categories)
    if len(cats) > 1 and "heritage_other" in cats:
        cats.remove("heritage_other")
    heritage = m.heritage
    if o.heritage is not None:
        base = heritage.model_dump(exclude_none=True) if heritage else {}
        for k, v in o.heritage.model_dump(exclude_none=True).items():
            base.setdefault(k, v)
        heritage = type(o.heritage).model_validate(base)
    refs = o.refs.model_copy(update={"merimee": m.refs.merimee})
    return o.model_copy(
        update={
            "id": m.id,
            "kind": "heritage",
            "categories": cats[:10],
            "name": type(o.name).model_validate(names),
            "description": o.description or m.description,
            "refs": refs,
            "heritage": heritage,
            "sources": [*m.sources, *o.sources][:50],
            "media": [*o.media, *m.media][:100],
        }
    )


def merge_pois(
    merimee: list[POI],
    osm: list[POI],
    *,
    max_distance_m: float = 80.0,
    min_name_score: float = 80.0,
) -> tuple[list[POI], MergeReport]:
    """Monuments and OSM POIs with the same places merged into one; and what was merged, why.

    The result holds every input POI exactly once, or its merge: merged POIs
    first in Mérimée order, then unmatched monuments, then unmatched OSM POIs.
    """
    report = MergeReport()
    by_ref = {p.refs.merimee: p for p in merimee if p.refs.merimee}
    candidates: list[tuple[int, float, float, POI, POI, str]] = []
    for o in osm:
        ref = o.refs.merimee
        if ref:
            m = by_ref.get(ref)
            if m is None:
                report.ref_not_found.append(o.id)
                continue
            d = geodesic_m(m.location.lat, m.location.lon, o.location.lat, o.location.lon)
            candidates.append((0, -100.0, d, m, o, "ref:mhs"))
    # distance + name, only for heritage-like OSM POIs
    if merimee:
        import numpy as np

        from heritage_kit.geo import haversine_m

        mlat = np.array([p.location.lat for p in merimee])
        mlon = np.array([p.location.lon for p in merimee])
        for o in osm:
            if o.kind != "heritage" or o.refs.merimee:
                continue
            dist = haversine_m(o.location.lat, o.location.lon, mlat, mlon)
            for j in np.nonzero(dist <= max_distance_m)[0]:
                m = merimee[int(j)]
                score = max(name_similarity(m.name.get("fr"), n) for n in o.name.values() if n)
                if score >= min_name_score:
                    candidates.append((1, -score, float(dist[j]), m, o, "distance+name"))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    used_m: set[str] = set()
    used_o: set[str] = set()
    merged: dict[str, POI] = {}
    for _prio, neg_score, d, m, o, reason in candidates:
        if m.id in used_m or o.id in used_o:
            continue
        used_m.add(m.id)
        used_o.add(o.id)
        score = 100.0 if reason == "ref:mhs" else -neg_score
        merged[m.id] = _merge_one(m, o)
        report.pairs.append(MergePair(m.id, o.id, reason, d, score))
    out = [merged[m.id] for m in merimee if m.id in merged]
    out += [m for m in merimee if m.id not in used_m]
    out += [o for o in osm if o.id not in used_o]
    report.merimee_only = sum(1 for m in merimee if m.id not in used_m)
    report.osm_only = sum(1 for o in osm if o.id not in used_o)
    return out, report
