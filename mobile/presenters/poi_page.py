"""The POI page: name and text in the chosen language, photos, hours, facts, refs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from heritage_kit.categories import category_label
from mobile.i18n import Translator
from mobile.presenters.hours import Badge, HoursBadges
from mobile.presenters.markup import escape

__all__ = ["PoiPage", "Photo", "present_poi"]


@dataclass(frozen=True)
class Photo:
    path: str | None  # "media/…" inside the pack
    url: str | None
    credit: str  # escaped


@dataclass
class PoiPage:
    poi_id: str
    kind: str
    title: str  # escaped
    subtitle: str  # categories, escaped
    body: str  # markup (escaped pieces)
    hours: Badge | None
    photos: list[Photo] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # heritage facts, escaped lines
    refs: list[str] = field(default_factory=list)  # escaped lines
    speech: str = ""  # plain text for text-to-speech
    practical: list[str] = field(default_factory=list)  # address, phone, website, access: escaped lines


def present_poi(poi, *, tr: Translator, badges: HoursBadges | None, now: datetime) -> PoiPage:
    lang = tr.lang
    name = poi.name.get(lang)
    desc = poi.description.get(lang) if poi.description else ""
    cats = ", ".join(category_label(c, lang) for c in poi.categories) or tr.tr(f"kind.{poi.kind}")
    body = escape(desc) if desc else f"[i]{escape(tr.tr('poi.no_description'))}[/i]"

    hours = None
    if poi.opening_hours:
        hours = badges.badge(poi.opening_hours, now, lang, tr.tr("hours.unknown")) if badges else Badge(poi.opening_hours, "unknown")

    facts: list[str] = []
    h = poi.heritage
    if h is not None:
        if h.protection:
            facts.append(escape(tr.tr("poi.protection", value=tr.tr(f"poi.protection.{h.protection}"))))
        if h.period:
            facts.append(escape(tr.tr("poi.period", value=h.period)))
        if h.dates:
            facts.append(escape(tr.tr("poi.dates", value=h.dates)))
        if h.protection_act:
            facts.append(escape(tr.tr("poi.act", value=h.protection_act)))
    practical: list[str] = []
    if poi.address and poi.address.line():
        practical.append(escape(tr.tr("poi.address", value=poi.address.line())))
    if poi.phone:
        practical.append(escape(tr.tr("poi.phone", value=poi.phone)))
    if poi.website:
        practical.append(escape(tr.tr("poi.website", value=poi.website)))
    if poi.wheelchair:
        practical.append(escape(tr.tr(f"poi.wheelchair.{poi.wheelchair}")))

    refs: list[str] = []
    r = poi.refs
    if r.merimee:
        refs.append(escape(f"Mérimée {r.merimee}"))
    if r.osm:
        refs.append(escape(f"OpenStreetMap {r.osm}"))
    if r.wikidata:
        refs.append(escape(f"Wikidata {r.wikidata}"))
    if r.wikipedia:
        refs.append(escape(f"Wikipedia {r.wikipedia}"))
    if poi.sources:
        refs.append(escape(tr.tr("poi.sources", value="; ".join(
            s.name + (f" ({s.licence})" if s.licence else "") for s in poi.sources))))

    photos = [
        Photo(m.path, m.url, escape(tr.tr("poi.photo_credit", author=m.author or "?", licence=m.licence)))
        for m in poi.media
        if m.type == "image"
    ]
    speech = ". ".join(p for p in (name, cats, desc) if p)
    return PoiPage(poi.id, poi.kind, escape(name), escape(cats), body, hours, photos, facts, refs, speech, practical)
