"""A pack as a static web site: plain HTML + CSS, one page per trail and per POI, an index per language.

``build_site(pack)`` returns ``{relative path: bytes}`` (the CLI writes them): every link is relative, so the site
works from any static host and from ``file://``; no script, font, tracker or image is fetched from elsewhere; maps are
inline SVG (:mod:`heritage_kit.export.svgmap`); every page carries schema.org JSON-LD
(:mod:`heritage_kit.export.jsonld`). Page addresses follow :mod:`heritage_kit.export.urls`, where the leaflet's QR
codes point. Templates are Jinja2 files beside this module, autoescaped.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from heritage_kit import i18n
from heritage_kit.categories import CATEGORIES, category_label
from heritage_kit.export.jsonld import poi_jsonld, trail_jsonld
from heritage_kit.export.leaflet_plan import WORDS as LEAFLET_WORDS, day_words, hours_on_day, plan_leaflet
from heritage_kit.export.mapdata import basemap_areas, street_lines
from heritage_kit.export.svgmap import svg_map
from heritage_kit.export.urls import page_url, poi_path, slug, trail_path

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.models import POI
    from heritage_kit.packs import ContentPack

__all__ = ["build_site", "SITE_WORDS"]

# FR/EN words of the site: kept in heritage_kit.i18n ("site.*", with "site.protection.*")
SITE_WORDS: dict[str, dict[str, str]] = i18n.table("site.")
_LANG_LABEL = {"fr": "Français", "en": "English"}


def _env() -> Environment:
    return Environment(loader=PackageLoader("heritage_kit.export", "templates"),
                       autoescape=select_autoescape(["j2", "html"]), trim_blocks=True, lstrip_blocks=True)


def _json(data: Any) -> str:
    # inside <script>: "</" must not close the element
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _facts(poi: "POI", lang: str, w: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if poi.address and (poi.address.street or poi.address.city):
        a = poi.address
        out.append((w["address"], ", ".join(p for p in (" ".join(x for x in (a.housenumber, a.street) if x),
                                                         " ".join(x for x in (a.postcode, a.city) if x)) if p)))
    if poi.heritage and poi.heritage.protection:
        text = w[f"protection.{poi.heritage.protection}"]
        if poi.heritage.dates:
            text += f" ({poi.heritage.dates})"
        out.append((w["protection"], text))
    if poi.wheelchair:
        out.append((w["access"], w[poi.wheelchair]))
    if poi.phone:
        out.append((w["phone"], poi.phone))
    if poi.website:
        out.append((w["website"], str(poi.website)))
    return out


MAX_PHOTOS = 3


def _photos(poi: "POI", pack: "ContentPack", lang: str, w: dict[str, str], files: dict[str, bytes]) -> list[dict]:
    """The POI's photos that are in the pack (never a remote or pending one: no external request), copied
    once to the site under their pack path, with alt text and the author / licence credit."""
    out = []
    for m in poi.media:
        if m.type != "image" or m.pending or not m.path or m.path not in pack.media:
            continue
        files.setdefault(m.path, pack.media[m.path])
        caption = m.caption.get(lang) if m.caption else ""
        out.append({"src": m.path, "alt": caption or poi.name.get(lang),
                    "credit": w["photo_credit"].format(author=m.author or w["unknown_author"], licence=m.licence)})
        if len(out) >= MAX_PHOTOS:
            break
    return out


def build_site(
    pack: "ContentPack",
    *,
    base_url: str = "https://example.org/heritage",
    week_of: date | None = None,
    langs: tuple[str, ...] | None = None,
) -> dict[str, bytes]:
    """Every file of the site, by relative path (``index.html``, ``style.css``, ``fr/…``, ``en/…``, and the
    photos the pack carries under their pack path, ``media/…``)."""
    man = pack.manifest
    langs = tuple(lang for lang in (langs or ("fr", "en")) if lang in SITE_WORDS)
    week_of = week_of or date.today()
    monday = week_of - timedelta(days=week_of.weekday())
    env = _env()
    streets = street_lines(pack)
    areas = basemap_areas(pack)
    attributions = [f"{a.text} ({a.licence})" for a in man.attributions]
    files: dict[str, bytes] = {"style.css": (env.loader.get_source(env, "style.css")[0]).encode()}

    def alternates(path_of, root: str) -> list[dict]:
        return [{"lang": lg, "label": _LANG_LABEL[lg], "href": root + path_of(lg)} for lg in langs]

    def render(template: str, path: str, **ctx) -> None:
        files[path] = env.get_template(template).render(**ctx).encode("utf-8")

    for lang in langs:
        w = SITE_WORDS[lang]
        common = {"lang": lang, "town": man.town_name, "w": w, "attributions": attributions,
                  "week_caption": w["hours_week"].format(day=day_words(monday, lang))}
        # POI pages
        for poi in pack.pois:
            path = poi_path(lang, poi.id)
            url = page_url(base_url, path)
            text = poi.description.get(lang) if poi.description else ""
            week = [] if poi.kind == "heritage" and not poi.opening_hours else [
                (day_words(monday + timedelta(days=i), lang).rsplit(" ", 3)[0].capitalize(),
                 hours_on_day(poi, monday + timedelta(days=i), country=man.country, timezone=man.timezone, lang=lang))
                for i in range(7)]
            ll = (poi.location.lat, poi.location.lon)
            render("poi.html.j2", path, **common, root="../../", page_title=poi.name.get(lang),
                   alternates=alternates(lambda lg, pid=poi.id: poi_path(lg, pid), "../../"),
                   jsonld=_json(poi_jsonld(poi, lang=lang, url=url, week_of=monday, country=man.country,
                                           timezone=man.timezone)),
                   name=poi.name.get(lang), categories=", ".join(category_label(c, lang) for c in poi.categories),
                   text=[p for p in text.split("\n") if p.strip()],
                   text_note=w["composed"] if getattr(poi, "text_origin", None) == "composed" else "",
                   facts=_facts(poi, lang, w), photos=_photos(poi, pack, lang, w, files),
                   week=week if any(h != LEAFLET_WORDS[lang]["unknown"] for _, h in week) else [],
                   svg=svg_map(title=w["map_poi"].format(name=poi.name.get(lang)), desc=w["map_desc"], route=[ll],
                               marker=ll, streets=streets.near(*ll), areas=areas.near(*ll), min_span_m=260, height=300,
                               north=LEAFLET_WORDS[lang]["north"]),
                   sources=[f"{s.name}" + (f" ({s.licence})" if s.licence else "") for s in poi.sources])
        # trail pages
        trail_cards = []
        for trail in pack.trails:
            plan = plan_leaflet(pack, trail.id, lang=lang, day=monday, base_url=base_url)
            path = trail_path(lang, trail.id)
            stops = [{"name": s.name, "href": f"../poi/{slug(s.poi_id)}.html", "text": s.text,
                      "walk": LEAFLET_WORDS[lang]["walk"].format(min=s.walk_min) if s.walk_min else "",
                      "notes": " · ".join(s.notes)} for s in plan.stops]
            render("trail.html.j2", path, **common, root="../../", page_title=plan.title,
                   alternates=alternates(lambda lg, tid=trail.id: trail_path(lg, tid), "../../"),
                   jsonld=_json(trail_jsonld(trail, [(pack.poi(s.poi_id), page_url(base_url, poi_path(lang, s.poi_id)))
                                                     for s in plan.stops], lang=lang, url=page_url(base_url, path))),
                   title=plan.title, summary=plan.summary, description=plan.description, stops=stops,
                   straight=plan.straight_line,
                   svg=svg_map(title=w["map_trail"].format(n=len(plan.stops)), desc=w["map_desc"], route=plan.route,
                               stops=[(s.number, (s.location.lat, s.location.lon)) for s in plan.stops],
                               streets=plan.streets, areas=plan.areas, dashed=plan.straight_line,
                               north=LEAFLET_WORDS[lang]["north"]))
            trail_cards.append({"title": plan.title, "summary": plan.summary, "href": f"trail/{slug(trail.id)}.html"})
        # index
        by_kind: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for poi in pack.pois:
            cat = poi.categories[0] if poi.categories else f"{poi.kind}_other"
            by_kind[poi.kind][cat].append({"name": poi.name.get(lang), "href": f"poi/{slug(poi.id)}.html"})
        groups = []
        for kind in ("heritage", "commerce", "service"):
            cats = by_kind.get(kind)
            if not cats:
                continue
            groups.append({
                "id": kind, "title": w[kind], "count": sum(len(v) for v in cats.values()),
                "categories": [{"label": category_label(c, lang).capitalize() if c in CATEGORIES else c,
                                "pois": sorted(v, key=lambda p: p["name"].casefold())}
                               for c, v in sorted(cats.items(), key=lambda kv: -len(kv[1]))],
            })
        desc = man.description
        description = desc.get(lang) if hasattr(desc, "get") else (desc or "")
        render("index.html.j2", f"{lang}/index.html", **common, root="../", page_title=man.town_name,
               alternates=alternates(lambda lg: f"{lg}/index.html", "../"), jsonld="",
               description=description, trails=trail_cards, groups=groups)
    first = langs[0]
    render("index.html.j2", "index.html", lang=first, town=man.town_name, w=SITE_WORDS[first],
           attributions=attributions, root="", page_title=man.town_name,
           alternates=alternates(lambda lg: f"{lg}/index.html", ""), jsonld="", description="", trails=[],
           groups=[])
    return files
