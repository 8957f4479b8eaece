"""How much of a pack a visitor can read and see: POIs with a text, a photo, opening hours (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["KindCoverage", "Coverage", "pack_coverage"]


@dataclass
class KindCoverage:
    pois: int = 0
    text: int = 0  # a description in some language
    text_all: int = 0  # a description in every language of the pack
    composed: int = 0  # text_origin == "composed"
    human: int = 0  # a description not composed (marked human, or from a pack built before text_origin)
    photo: int = 0  # an image in the pack (not a pending reference)
    photo_ref: int = 0  # only a pending photo reference (OSM image / wikimedia_commons / wikidata)
    hours: int = 0


@dataclass
class Coverage:
    languages: list[str]
    kinds: dict[str, KindCoverage] = field(default_factory=dict)

    def lines(self) -> list[str]:
        langs = "+".join(self.languages)
        out = []
        for kind, c in self.kinds.items():
            out.append(f"  {kind}: {c.pois} POIs; text {c.text} ({langs} {c.text_all}; composed {c.composed}, "
                       f"human {c.human}); photo {c.photo} (+{c.photo_ref} not yet fetched); hours {c.hours}")
        return out


def pack_coverage(pack) -> Coverage:
    """Counts per kind (heritage, commerce, service) of POIs with a text, a photo, hours."""
    langs = list(pack.manifest.languages)
    cov = Coverage(langs)
    for kind in ("heritage", "commerce", "service"):
        cov.kinds[kind] = KindCoverage()
    for p in pack.pois:
        c = cov.kinds.setdefault(p.kind, KindCoverage())
        c.pois += 1
        if p.description is not None:
            c.text += 1
            c.text_all += set(langs) <= set(p.description.languages)
            c.composed += p.text_origin == "composed"
            c.human += p.text_origin != "composed"
        images = [m for m in p.media if m.type == "image"]
        if any(not m.pending for m in images):
            c.photo += 1
        elif images:
            c.photo_ref += 1
        c.hours += bool(p.opening_hours)
    return cov
