"""Events and the heritage–commerce links, for the home screen ("This week") and the POI page.

* :func:`this_week` — the pack's events of the next 7 days (:func:`heritage_kit.events.upcoming`), one row
  per occurrence: title, when ("Saturday 19 September, 09:00 – Sunday 20 September, 18:00", "On now until
  13:00"), where (the POI's name), and a note (moved for a public holiday, closed to visitors);
* :func:`poi_extras` — for one POI page: its coming events, the heritage card of the listed building a shop
  is in (``housed_in``), the shops a monument houses, and the monument's support link.

Plain Python (no kivy); every text is escaped for Kivy markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from heritage_kit.categories import category_label
from heritage_kit.compose import protection_words
from heritage_kit.errors import PoiNotFound
from heritage_kit.events import Occurrence, upcoming
from heritage_kit.housing import is_listed
from heritage_kit.i18n import text as hk_text
from mobile.i18n import Translator
from mobile.presenters.markup import escape

__all__ = ["EventRow", "HeritageCard", "ShopLink", "SupportRow", "PoiExtras", "this_week", "poi_extras",
           "event_rows", "WEEK_DAYS", "POI_DAYS"]

WEEK_DAYS = 7  # "This week": the next 7 days
POI_DAYS = 31  # a POI page lists its events of the coming month
MAX_POI_EVENTS = 5


@dataclass(frozen=True)
class EventRow:
    event_id: str
    kind: str
    title: str  # escaped
    when: str  # escaped
    where: str  # the POI's name, or ""; escaped
    note: str  # "Held on Wednesday: Thursday is a public holiday", "Closed to visitors"…; escaped
    poi_id: str | None
    start: datetime


@dataclass(frozen=True)
class HeritageCard:
    """The listed building a shop is in."""

    poi_id: str
    title: str  # escaped
    protection: str  # "Listed historic monument" / "" ; escaped
    subtitle: str  # its categories; escaped
    heading: str = ""  # "In a listed building" (protected) / "In a heritage building"; escaped


@dataclass(frozen=True)
class ShopLink:
    poi_id: str
    title: str  # escaped
    subtitle: str  # category; escaped


@dataclass(frozen=True)
class SupportRow:
    url: str  # https only (checked by the model)
    label: str  # escaped


@dataclass
class PoiExtras:
    events: list[EventRow] = field(default_factory=list)
    housing: HeritageCard | None = None  # a shop in a listed building: that building
    shops: list[ShopLink] = field(default_factory=list)  # a monument: the shops it houses
    support: SupportRow | None = None


def _day(t: datetime, now: datetime, tr: Translator) -> str:
    days = (t.date() - now.date()).days
    if days == 0:
        return tr.tr("events.today")
    if days == 1:
        return tr.tr("events.tomorrow")
    lang = tr.lang
    n = hk_text("hours.first", lang) if (t.day == 1 and lang == "fr") else str(t.day)
    return f"{hk_text(f'hours.day.{t.weekday()}', lang)} {n} {hk_text(f'hours.month.{t.month}', lang)}"


def _when(o: Occurrence, now: datetime, tr: Translator) -> str:
    start, end = o.start, o.end
    hm = "%H:%M"
    if start <= now < end:
        if end.date() == now.date():
            return tr.tr("events.now_until", t=end.strftime(hm))
        return tr.tr("events.now_until_day", day=_day(end, now, tr), t=end.strftime(hm))
    if start.date() == end.date():
        return f"{_day(start, now, tr)}, {start.strftime(hm)}–{end.strftime(hm)}"  # (the same in both languages)
    if (end.date() - start.date()).days == 1 and end.hour == 0 and end.minute == 0:  # until midnight
        return f"{_day(start, now, tr)}, {start.strftime(hm)}–24:00"
    return tr.tr("events.span", day=_day(start, now, tr), a=start.strftime(hm), day2=_day(end, now, tr),
                 b=end.strftime(hm))


def _note(o: Occurrence, tr: Translator) -> str:
    notes = []
    if o.moved_from is not None:
        notes.append(tr.tr("events.moved", day=hk_text(f"hours.day.{o.moved_from.weekday()}", tr.lang)))
    if o.event.closes_poi:
        notes.append(tr.tr("events.closes"))
    return " · ".join(notes)


def event_rows(pack, occs: list[Occurrence], *, tr: Translator, now: datetime) -> list[EventRow]:
    """One row per occurrence (see the module docstring)."""
    lang = tr.lang
    rows = []
    for o in occs:
        where = ""
        if o.event.poi is not None:
            try:
                where = pack.poi(o.event.poi).name.get(lang)
            except PoiNotFound:
                where = ""
        rows.append(EventRow(
            event_id=o.event.id, kind=o.event.kind, title=escape(o.event.title.get(lang)),
            when=escape(_when(o, now, tr)), where=escape(where), note=escape(_note(o, tr)),
            poi_id=o.event.poi if where else None, start=o.start,
        ))
    return rows


def _now(pack, now: datetime) -> datetime:
    tz = pack.timezone
    return now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)


def this_week(pack, *, tr: Translator, now: datetime, days: int = WEEK_DAYS) -> list[EventRow]:
    """The pack's events in the next ``days`` days (those under way included), by start time."""
    if pack is None or not getattr(pack, "events", None):
        return []
    at = _now(pack, now)
    occs = upcoming(pack.events, at, pack.timezone, days=days, country=pack.manifest.country)
    return event_rows(pack, occs, tr=tr, now=at)


def _housed(pack) -> dict[str, list]:
    """Monument id -> the shops that name it (derived once per pack)."""
    def build():
        out: dict[str, list] = {}
        for p in pack.pois:
            if p.housed_in is not None:
                out.setdefault(p.housed_in, []).append(p)
        return out

    return pack.derived("events.housed_shops", build)


def poi_extras(pack, poi_id: str, *, tr: Translator, now: datetime) -> PoiExtras:
    """What the POI page adds for ``poi_id``: events, heritage card, housed shops, support link."""
    lang = tr.lang
    poi = pack.poi(poi_id)
    at = _now(pack, now)
    extras = PoiExtras()
    mine = [e for e in getattr(pack, "events", ()) if e.poi == poi_id]
    if mine:
        occs = upcoming(mine, at, pack.timezone, days=POI_DAYS, country=pack.manifest.country)
        extras.events = event_rows(pack, occs[:MAX_POI_EVENTS], tr=tr, now=at)
    if poi.housed_in is not None:
        try:
            host = pack.poi(poi.housed_in)
        except PoiNotFound:
            host = None
        if host is not None:
            words = protection_words(host.heritage, lang) if host.heritage is not None else ""
            protection = words[:1].upper() + words[1:] if words else (
                tr.tr("poi.housing.merimee", ref=host.refs.merimee) if host.refs.merimee else "")
            cats = ", ".join(category_label(c, lang) for c in host.categories)
            heading = tr.tr("poi.housing.title" if is_listed(host) else "poi.housing.title_heritage")
            extras.housing = HeritageCard(host.id, escape(host.name.get(lang)), escape(protection), escape(cats),
                                          escape(heading))
    shops = sorted(_housed(pack).get(poi_id, ()), key=lambda p: p.name.get(lang).casefold())
    extras.shops = [ShopLink(s.id, escape(s.name.get(lang)),
                             escape(", ".join(category_label(c, lang) for c in s.categories)))
                    for s in shops]
    if poi.support is not None:
        extras.support = SupportRow(poi.support.url, escape(poi.support.label.get(lang)))
    return extras
