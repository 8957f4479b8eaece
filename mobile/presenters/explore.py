"""Explore: search box and filters (heritage / shops / open now / category), by distance.

A shop without opening hours says "hours unknown", never nothing; when nothing is found while
looking for shops in a town whose pack has none, the screen says that the town has no shop data
yet instead of "No result" (:meth:`ExplorePresenter.count_text`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from heritage_kit.categories import CATEGORIES, category_label
from heritage_kit.geo import haversine_m
from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.hours import HoursBadges
from mobile.presenters.markup import escape
from mobile.presenters.poi_page import photos_of

__all__ = ["ExploreFilters", "ExploreRow", "ExplorePresenter"]


@dataclass
class ExploreFilters:
    text: str = ""
    heritage: bool = False
    shops: bool = False
    open_now: bool = False
    category: str | None = None

    def kinds(self) -> list[str] | None:
        kinds = []
        if self.heritage:
            kinds.append("heritage")
        if self.shops:
            kinds.append("commerce")
        return kinds or None


@dataclass(frozen=True)
class ExploreRow:
    poi_id: str
    kind: str
    title: str  # escaped
    detail: str  # escaped: categories · distance
    badge: str  # escaped hours badge ("" when the POI has no hours)
    badge_state: str  # open | closed | unknown | ""
    distance_m: float | None
    thumb: str = ""  # the first photo in the pack ("media/…"), "" without one
    thumb_credit: str = ""  # its author and licence, escaped


def _poi_of(item):
    return getattr(item, "poi", item)


class ExplorePresenter:
    def __init__(self, pack, tr: Translator, badges: HoursBadges, *, limit: int = 60) -> None:
        self.pack = pack
        self.tr = tr
        self.badges = badges
        self.limit = limit
        self.filters = ExploreFilters()

    def categories(self) -> list[tuple[str, str]]:
        """(name, label) of the categories present in the pack, by label."""
        present = {c for p in self.pack.pois for c in p.categories if c in CATEGORIES}
        return sorted(((c, category_label(c, self.tr.lang)) for c in present), key=lambda t: t[1].lower())

    def rows(self, *, near: LatLon | None, now: datetime) -> list[ExploreRow]:
        f = self.filters
        origin = near or self.pack.manifest.centre
        results = self.pack.search(
            f.text.strip() or None,
            kinds=f.kinds(),
            categories=[f.category] if f.category else None,
            open_at=now if f.open_now else None,
            near=origin,
            limit=self.limit if f.text.strip() else max(len(self.pack.pois), 1),
        )
        pois = [_poi_of(r) for r in results]
        if not pois:
            return []
        d = haversine_m(origin.lat, origin.lon, [p.location.lat for p in pois], [p.location.lon for p in pois])
        order = sorted(range(len(pois)), key=lambda i: float(d[i]))[: self.limit]
        rows = []
        for i in order:
            p = pois[i]
            cats = ", ".join(category_label(c, self.tr.lang) for c in p.categories[:2]) or self.tr.tr(f"kind.{p.kind}")
            dist = self.tr.tr("explore.distance", distance=self.tr.distance(float(d[i])))
            if p.opening_hours:
                b = self.badges.badge(p.opening_hours, now, self.tr.lang, self.tr.tr("hours.unknown"))
                badge, state = b.text, b.state
            elif p.kind == "commerce":
                badge, state = self.tr.tr("hours.unknown"), "unknown"
            else:
                badge, state = "", ""
            photo = next((ph for ph in photos_of(p, self.tr) if ph.path and ph.path in self.pack.media), None)
            rows.append(
                ExploreRow(p.id, p.kind, escape(p.name.get(self.tr.lang)), escape(f"{cats} · {dist}"), escape(badge), state,
                           float(d[i]), photo.path if photo else "", photo.credit if photo else "")
            )
        return rows

    def has_shops(self) -> bool:
        return any(p.kind == "commerce" for p in self.pack.pois)

    def looking_for_shops(self) -> bool:
        """The filters or the typed words ask for shops (a shop category, "bakery", "open now"…)."""
        from heritage_kit.search import categories_for

        f = self.filters
        if f.shops or f.open_now:
            return True
        cats = [f.category] if f.category else []
        cats += [c for word in f.text.split() for c in categories_for(word)]
        return any(c in CATEGORIES and CATEGORIES[c].kind == "commerce" for c in cats)

    def count_text(self, rows: list[ExploreRow]) -> str:
        """"12 results", "1 result", or why there is none (not escaped)."""
        if len(rows) == 1:
            return self.tr.tr("explore.count_one")
        if rows:
            return self.tr.tr("explore.count", n=len(rows))
        if not self.has_shops() and self.looking_for_shops():
            return self.tr.tr("explore.no_shop_data")
        return self.tr.tr("explore.no_result")
