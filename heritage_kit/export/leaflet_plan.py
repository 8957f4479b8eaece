"""What a printed trail leaflet says, computed from a pack (pure: no file, no PDF).

:func:`plan_leaflet` walks the trail's legs on the pack's walking network, finds the shops along the route with
their hours on the day printed, shortens each stop's text, and gathers the pack's attributions. The PDF renderer
(:mod:`heritage_kit.export.leaflet`) only lays this out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo


from heritage_kit.categories import category_label
from heritage_kit import i18n
from heritage_kit.errors import HeritageKitError
from heritage_kit.export.mapdata import basemap_areas, street_lines
from heritage_kit.export.urls import page_url, poi_path, trail_path
from heritage_kit.hours import State, hours_for
from heritage_kit.types import LatLon

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.models import POI
    from heritage_kit.packs import ContentPack

__all__ = ["LeafletStop", "LeafletShop", "LeafletPlan", "plan_leaflet", "hours_on_day", "UnknownTrail", "day_words", "WORDS"]

SHOP_CORRIDOR_M = 40.0
MAX_SHOPS = 14

# FR/EN words of the leaflet (the renderer uses these too): kept in heritage_kit.i18n ("leaflet.*"),
# the day and month names are the hours' ("hours.day.*", "hours.month.*").
WORDS: dict[str, dict[str, str]] = i18n.table("leaflet.")


class UnknownTrail(HeritageKitError, LookupError):
    """The pack has no trail of that id."""

    def __init__(self, trail_id: str, known: list[str]) -> None:
        self.trail_id = trail_id
        self.known = known
        super().__init__(f"no trail {trail_id!r} in this pack; its trails: {', '.join(known) or 'none'}")


@dataclass(frozen=True)
class LeafletStop:
    number: int
    poi_id: str
    name: str
    text: str
    walk_min: int | None  # from the previous stop; None for the first
    notes: tuple[str, ...]
    url: str
    location: LatLon


@dataclass(frozen=True)
class LeafletShop:
    name: str
    category: str
    hours: str
    address: str


@dataclass(frozen=True)
class LeafletPlan:
    lang: str
    town: str
    title: str
    summary: str
    description: str
    stops: tuple[LeafletStop, ...]
    route: tuple[tuple[float, float], ...]  # (lat, lon) of the whole walk
    streets: tuple[tuple[tuple[float, float], ...], ...]  # (lat, lon) polylines near the route
    areas: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]  # (layer, outer ring (lat, lon)) from the basemap
    straight_line: bool
    shops: tuple[LeafletShop, ...]
    shops_heading: str
    attributions: tuple[str, ...]
    trail_url: str


def day_words(day: date, lang: str) -> str:
    """``samedi 12 décembre 2026`` / ``Saturday 12 December 2026``."""
    lang = _lang(lang)
    first = "1er" if (lang == "fr" and day.day == 1) else str(day.day)
    weekday, month = i18n.text(f"hours.day.{day.weekday()}", lang), i18n.text(f"hours.month.{day.month}", lang)
    return f"{weekday} {first} {month} {day.year}"


def _lang(lang: str) -> str:
    return "fr" if (lang or "en").lower().startswith("fr") else "en"


def _short_text(text: str, limit: int) -> str:
    """The first sentences of ``text`` that fit in ``limit`` characters (a word boundary and … otherwise)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    if out:
        return out
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def hours_on_day(poi: "POI", day: date, *, country: str, timezone: str, lang: str) -> str:
    words = WORDS[lang]
    if not poi.opening_hours:
        return words["unknown"]
    oh = hours_for(poi.opening_hours, country=country, timezone=timezone)
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tz)
    end = start + timedelta(days=1)
    spans = oh.intervals(start, end)
    if any(iv.state is State.UNKNOWN for iv in spans):
        return words["unknown"]
    opened = [iv for iv in spans if iv.state is State.OPEN]
    if not opened:
        return words["closed"]
    parts = []
    for iv in opened:
        b = "24:00" if iv.end >= end else iv.end.strftime("%H:%M")
        parts.append(f"{iv.start.strftime('%H:%M')}–{b}")
    return ", ".join(parts)


def _address(poi: "POI") -> str:
    a = poi.address
    if a is None:
        return ""
    return " ".join(p for p in (a.housenumber, a.street) if p)


def _stop_notes(poi: "POI", leg: Any, lang: str) -> tuple[str, ...]:
    words = WORDS[lang]
    notes = []
    if leg is not None and getattr(leg, "has_steps", False):
        notes.append(words["steps"])
    if poi.wheelchair == "yes":
        notes.append(words["step_free"])
    elif poi.wheelchair == "limited":
        notes.append(words["limited"])
    elif poi.wheelchair == "no":
        notes.append(words["no_step_free"])
    return tuple(notes)


def plan_leaflet(
    pack: "ContentPack",
    trail_id: str,
    *,
    lang: str = "fr",
    day: date | None = None,
    base_url: str = "https://example.org/heritage",
    text_limit: int = 320,
    network: Any = None,
) -> LeafletPlan:
    """Everything the leaflet of ``trail_id`` prints, in ``lang``, with the shops' hours on ``day``."""
    lang = _lang(lang)
    words = WORDS[lang]
    trails = {t.id: t for t in pack.trails}
    if trail_id not in trails:
        raise UnknownTrail(trail_id, sorted(trails))
    trail = trails[trail_id]
    man = pack.manifest
    day = day or datetime.now(ZoneInfo(man.timezone)).date()
    if network is None:
        from heritage_kit.routing import network_for_pack

        network = network_for_pack(pack)

    pois = [pack.poi(pid) for pid in trail.stops]
    route: list[tuple[float, float]] = []
    stops: list[LeafletStop] = []
    length_m = 0.0
    duration_s = 0.0
    prev = None
    for number, poi in enumerate(pois, start=1):
        leg = None
        if prev is not None:
            leg = network.route(prev.location, poi.location)
            length_m += leg.length_m
            duration_s += leg.duration_s
            route.extend((p.lat, p.lon) for p in leg.geometry)
        else:
            route.append((poi.location.lat, poi.location.lon))
        desc = poi.description.get(lang) if poi.description else ""
        if not desc:
            desc = ", ".join(category_label(c, lang) for c in poi.categories[:2])
        stops.append(LeafletStop(
            number=number, poi_id=poi.id, name=poi.name.get(lang), text=_short_text(desc, text_limit),
            walk_min=None if leg is None else max(1, math.ceil(leg.duration_s / 60)),
            notes=_stop_notes(poi, leg, lang) + ((hours_on_day(poi, day, country=man.country, timezone=man.timezone,
                                                               lang=lang),) if poi.kind != "heritage" else ()),
            url=page_url(base_url, poi_path(lang, poi.id)), location=poi.location,
        ))
        prev = poi

    lats = [p[0] for p in route]
    lons = [p[1] for p in route]
    pad = 0.0012
    box = (min(lats) - pad, min(lons) - pad, max(lats) + pad, max(lons) + pad)

    stop_ids = set(trail.stops)
    shops: list[LeafletShop] = []
    path = [LatLon.model_construct(lat=la, lon=lo) for la, lo in route] if len(route) >= 2 else None
    if path is not None:
        for hit in pack.index.along(path, SHOP_CORRIDOR_M, kinds=["commerce"]):
            if hit.poi.id in stop_ids:
                continue
            cat = category_label(hit.poi.categories[0], lang) if hit.poi.categories else ""
            shops.append(LeafletShop(
                name=hit.poi.name.get(lang), category=cat, address=_address(hit.poi),
                hours=hours_on_day(hit.poi, day, country=man.country, timezone=man.timezone, lang=lang),
            ))
        # shops whose hours are known first (a visitor can plan with them), each group in walking order
        unknown = words["unknown"]
        shops = sorted(shops, key=lambda s: s.hours == unknown)[:MAX_SHOPS]

    minutes = round(trail.duration_min if trail.duration_min else duration_s / 60)
    km = (trail.length_m or length_m) / 1000
    km_text = f"{km:.1f}".replace(".", ",") if lang == "fr" else f"{km:.1f}"
    summary = f"{man.town_name} · {km_text} km · {minutes} min · {words['stops'].format(n=len(stops))}"
    return LeafletPlan(
        lang=lang, town=man.town_name, title=trail.title.get(lang), summary=summary,
        description=trail.description.get(lang) if trail.description else "",
        stops=tuple(stops), route=tuple(route),
        streets=tuple(street_lines(pack).in_box(box)), areas=tuple(basemap_areas(pack).in_box(box)),
        straight_line=bool(getattr(network, "straight_line", False)),
        shops=tuple(shops), shops_heading=words["shops"].format(day=day_words(day, lang)),
        attributions=tuple(f"{a.text} ({a.licence})" for a in man.attributions),
        trail_url=page_url(base_url, trail_path(lang, trail.id)),
    )
