"""The POI page: name and text in the chosen language, where the text comes from, photos, hours, facts, refs.

Shops and services get a one-line summary (category · hours today · wheelchair access · address), composed
here at display time rather than at build time: "today" changes every day and the page already holds the
hours evaluator; the pack keeps only the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from heritage_kit.categories import category_label
from heritage_kit.compose import composed_sources, protection_words
from heritage_kit.export.audio import audio_for
from mobile.i18n import Translator
from mobile.presenters.hours import Badge, HoursBadges
from mobile.presenters.markup import escape

__all__ = ["PoiPage", "Photo", "present_poi", "photos_of"]


@dataclass(frozen=True)
class Photo:
    path: str | None  # "media/…" inside the pack
    url: str | None
    credit: str  # escaped


@dataclass(frozen=True)
class AudioTrack:
    path: str  # "media/audio/…" inside the pack
    credit: str  # "Synthetic voice · 42 s" / "Recorded by … (licence) · 1 min 05 s"; escaped


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
    origin: str = ""  # "composed from open data (…)" for a composed text, "" for a human one; escaped
    summary: str = ""  # shops and services: one line (category · today's hours · access · address); escaped
    audio: AudioTrack | None = None  # the pack's audio in this language (a recording before a synthetic voice)
    week: list[str] = field(default_factory=list)  # the opening hours of the 7 days from today; escaped lines
    reopens: str = ""  # closed now: "Reopens 25 March at 10:00"; escaped


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
        words = protection_words(h, lang)  # plain words, never the register's "liste" / "arrêté"
        if words:
            facts.append(escape(tr.tr("poi.protection", value=words)))
        if h.period:
            facts.append(escape(tr.tr("poi.period", value=h.period)))
        if h.dates:
            facts.append(escape(tr.tr("poi.dates", value=", ".join(d.strip() for d in h.dates.split(";")))))
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

    photos = photos_of(poi, tr)
    pending = sum(1 for m in poi.media if m.pending)
    if pending:
        refs.append(escape(tr.tr("poi.photo_refs", n=pending)))
    origin = ""
    if desc and poi.text_origin == "composed":
        sources = ", ".join(composed_sources(poi)) or tr.tr("poi.open_data")
        origin = escape(tr.tr("poi.origin.composed", sources=sources))
    summary = _summary(poi, cats, tr, badges, now) if poi.kind in ("commerce", "service") else ""
    speech = ". ".join(p for p in (name, cats, desc) if p)
    from mobile.presenters.hours_table import reopens, week_lines

    week = [escape(line) for line in week_lines(badges, poi.opening_hours, now, tr)]
    return PoiPage(poi.id, poi.kind, escape(name), escape(cats), body, hours, photos, facts, refs, speech, practical,
                   origin, summary, _audio(poi, tr), week, escape(reopens(badges, poi.opening_hours, now, tr)))


def photos_of(poi, tr: Translator) -> list[Photo]:
    """The POI's photos that may be shown (in the pack or at a checked address; not the pending references
    OpenStreetMap lists), each with its author and licence — the page's gallery and the lists' thumbnail."""
    return [
        Photo(m.path, m.url, escape(tr.tr("poi.photo_credit", author=m.author or tr.tr("poi.unknown_author"),
                                          licence=m.licence)))
        for m in poi.media
        if m.type == "image" and not m.pending
    ]


def _audio(poi, tr: Translator) -> AudioTrack | None:
    track = audio_for(poi, tr.lang)
    if track is None or not track.path:
        return None
    seconds = round(track.duration_s or 0)
    length = f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
    if track.origin == "recorded":
        who = tr.tr("poi.audio.recorded", author=track.author or tr.tr("poi.unknown_author"), licence=track.licence)
    else:
        who = tr.tr("poi.audio.synthetic")
    return AudioTrack(track.path, escape(f"{who} · {length}" if seconds else who))


def _hhmm(t: datetime, day_start: datetime) -> str:
    return "24:00" if t.date() > day_start.date() and t.hour == 0 and t.minute == 0 else t.strftime("%H:%M")


def _summary(poi, cats: str, tr: Translator, badges: HoursBadges | None, now: datetime) -> str:
    """One line: category · hours today (if known) · wheelchair access (if tagged) · address (if known)."""
    parts = [cats[:1].upper() + cats[1:]]
    today = badges.today(poi.opening_hours, now) if badges and poi.opening_hours else None
    if today == []:
        parts.append(tr.tr("poi.summary.closed_today"))
    elif today:
        start = today[0][0]
        hours = ", ".join(f"{_hhmm(a, start)}–{_hhmm(b, start)}" for a, b in today)
        parts.append(tr.tr("poi.summary.today", hours=hours))
    if poi.wheelchair == "yes":
        parts.append(tr.tr("poi.summary.step_free"))
    elif poi.wheelchair == "limited":
        parts.append(tr.tr("poi.summary.limited"))
    if poi.address and poi.address.line():
        parts.append(poi.address.line())
    return escape(" · ".join(parts))
