"""Explore: search box and filters (heritage / shops / open now / category), by distance.

A shop without opening hours says "hours unknown", never nothing; when nothing is found while
looking for shops in a town whose pack has none, the screen says that the town has no shop data
yet instead of "No result" (:meth:`ExplorePresenter.count_text`).

Typed words keep the search's ranking (best match first, the nearest among equals: "bakery" lists
bakeries before a bike shop next door); without words, the nearest first. "Open when I arrive"
keeps the places open at the walker's arrival (walking there at the library's walking speed; the pack's events
count: a market opens its square, an event closing a place closes it) and
says when that is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    open_on_arrival: bool = False  # open when I get there, walking from here
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

    def _event_windows(self, now: datetime) -> dict[str, tuple[list, list]]:
        """POI id -> (opened, closed) stretches from the pack's events over the next day (a market opens its
        square, a private ceremony closes its church)."""
        events = getattr(self.pack, "events", None) or []
        if not events:
            return {}
        from heritage_kit.events import occurrences, poi_event_windows

        tz = self.pack.manifest.timezone
        start = now if now.tzinfo else now.replace(tzinfo=self.pack.timezone)
        occs = occurrences(events, start, start + timedelta(days=1), tz, country=self.pack.manifest.country)
        return {pid: poi_event_windows(occs, pid) for pid in {o.event.poi for o in occs if o.event.poi}}

    def _open_at(self, p, arrival: datetime, event_windows: dict[str, tuple[list, list]]) -> bool:
        """Open when the walker gets there: its hours say open or an event opens it, and no event closes it."""
        opened, closed = event_windows.get(p.id, ((), ()))
        at = arrival if arrival.tzinfo else arrival.replace(tzinfo=self.pack.timezone)
        if any(a <= at < b for a, b in closed):
            return False
        return any(a <= at < b for a, b in opened) or self.badges.state(p.opening_hours, arrival) == "open"

    def rows(self, *, near: LatLon | None, now: datetime) -> list[ExploreRow]:
        f = self.filters
        origin = near or self.pack.manifest.centre
        from heritage_kit.routing import WALKING_SPEED_MPS

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
        scores = [float(getattr(r, "score", 0.0) or 0.0) for r in results]
        if f.text.strip():  # the search's ranking first, the nearest among equal matches
            order = sorted(range(len(pois)), key=lambda i: (-scores[i], float(d[i])))
        else:
            order = sorted(range(len(pois)), key=lambda i: float(d[i]))
        event_windows = self._event_windows(now) if f.open_on_arrival else {}
        rows = []
        for i in order:
            if len(rows) >= self.limit:
                break
            p = pois[i]
            cats = ", ".join(category_label(c, self.tr.lang) for c in p.categories[:2]) or self.tr.tr(f"kind.{p.kind}")
            dist = self.tr.tr("explore.distance", distance=self.tr.distance(float(d[i])))
            if f.open_on_arrival:
                arrival = now + timedelta(seconds=float(d[i]) / WALKING_SPEED_MPS)
                if not self._open_at(p, arrival, event_windows):
                    continue
                when = arrival.astimezone(self.pack.timezone) if arrival.tzinfo else arrival
                rows.append(ExploreRow(p.id, p.kind, escape(p.name.get(self.tr.lang)), escape(f"{cats} · {dist}"),
                                       escape(self.tr.tr("explore.open_at_arrival", time=self.tr.time(when.hour, when.minute))),
                                       "open", float(d[i])))
                continue
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
        if f.shops or f.open_now or f.open_on_arrival:
            return True
        cats = [f.category] if f.category else []
        cats += [c for word in f.text.split() for c in categories_for(word)]
        return any(c in CATEGORIES and CATEGORIES[c].kind == "commerce" for c in cats)

    def count_text(self, rows: list[ExploreRow]) -> str:
        """"12 results", "1 result", or why there is none (not escaped)."""
        if rows:
            return self.tr.count("explore.count", len(rows))
        if not self.has_shops() and self.looking_for_shops():
            return self.tr.tr("explore.no_shop_data")
        f = self.filters
        if f.open_now or f.open_on_arrival:  # found, but closed: say so rather than "No result"
            key = "explore.none_open_on_arrival" if f.open_on_arrival else "explore.none_open_now"
            saved = (f.open_now, f.open_on_arrival)
            f.open_now = f.open_on_arrival = False
            try:
                found = self.pack.search(f.text.strip() or None, kinds=f.kinds(),
                                         categories=[f.category] if f.category else None, limit=1)
            finally:
                f.open_now, f.open_on_arrival = saved
            if found:
                return self.tr.tr(key)
        return self.tr.tr("explore.no_result")
