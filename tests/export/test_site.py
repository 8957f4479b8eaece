"""The static site: every page there, links that resolve offline, valid schema.org JSON-LD, and accessible pages
checked by axe-core in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from heritage_kit.cli import main
from heritage_kit.export.jsonld import SCHEMA_TYPES
from heritage_kit.export.leaflet_plan import hours_on_day
from heritage_kit.export.site import build_site
from heritage_kit.export.urls import poi_path, trail_path
from heritage_kit.packs import load_pack

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"
WEEK = date(2026, 12, 7)
# schema.org types the site may use (all exist in schema.org's vocabulary, https://schema.org/docs/full.html)
KNOWN_TYPES = set(SCHEMA_TYPES.values()) | {
    "TouristAttraction", "LandmarksOrHistoricalBuildings", "Store", "LocalBusiness", "TouristTrip", "ItemList",
    "ListItem", "GeoCoordinates", "PostalAddress", "OpeningHoursSpecification", "LocationFeatureSpecification",
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if key in a:
                self.refs.append((tag, a[key]))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


@pytest.fixture(scope="module")
def monaco_site(tmp_path_factory):
    pack = load_pack(ROOT / "content" / "monaco")
    out = tmp_path_factory.mktemp("site")
    for rel, data in build_site(pack, base_url="https://monaco.example/guide", week_of=WEEK).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    return pack, out


def test_every_poi_and_trail_has_a_page_in_both_languages(monaco_site):
    pack, out = monaco_site
    for lang in ("fr", "en"):
        assert (out / lang / "index.html").is_file()
        for poi in pack.pois:
            assert (out / poi_path(lang, poi.id)).is_file(), poi.id
        for trail in pack.trails:
            assert (out / trail_path(lang, trail.id)).is_file()
    page = (out / "fr" / "trail" / "rocher-heritage.html").read_text()
    assert '<html lang="fr">' in page and "<svg" in page and 'role="img"' in page


def test_links_resolve_on_disk_and_nothing_is_fetched_from_elsewhere(monaco_site):
    _, out = monaco_site
    pages = sorted(out.rglob("*.html"))
    for page in pages[:: max(1, len(pages) // 150)] + [out / "fr" / "index.html", out / "en" / "index.html"]:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, ref in parser.refs:
            assert not re.match(r"^(https?:)?//", ref), f"{page}: external {tag} {ref}"
            if ref.startswith("#"):
                continue
            assert (page.parent / ref.split("#")[0]).resolve().is_file(), f"{page}: broken link {ref}"


def _expand(doc: dict) -> list:
    from pyld import jsonld

    def loader(url, options=None):  # schema.org's context, offline: every term is in the schema.org vocabulary
        assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": "https://schema.org/"}}}

    return jsonld.expand(doc, {"documentLoader": loader})


def _types(node, found: set) -> None:
    if isinstance(node, dict):
        for t in node.get("@type", []):
            found.add(t)
        for v in node.values():
            _types(v, found)
    elif isinstance(node, list):
        for v in node:
            _types(v, found)


def _jsonld(page: Path) -> dict:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.scripts) == 1, page
    return json.loads(parser.scripts[0])


def test_jsonld_uses_schema_org_types_and_the_trail_itinerary_is_in_order(monaco_site):
    pack, out = monaco_site
    trail = next(t for t in pack.trails if t.id == "rocher-heritage")
    doc = _jsonld(out / trail_path("en", trail.id))
    found: set = set()
    _types(_expand(doc), found)
    assert "https://schema.org/TouristTrip" in found
    assert {t.removeprefix("https://schema.org/") for t in found} <= KNOWN_TYPES
    items = doc["itinerary"]["itemListElement"]
    assert [i["position"] for i in items] == list(range(1, len(trail.stops) + 1))
    assert [i["item"]["@id"] for i in items] == [
        f"https://monaco.example/guide/{poi_path('en', pid)}" for pid in trail.stops]


def test_shop_hours_in_jsonld_match_the_week_shown(monaco_site):
    pack, out = monaco_site
    shop = next(p for p in pack.pois if p.kind == "commerce" and p.opening_hours
                and hours_on_day(p, WEEK, country="MC", timezone=pack.manifest.timezone, lang="en")[0].isdigit())
    doc = _jsonld(out / poi_path("en", shop.id))
    found: set = set()
    _types(_expand(doc), found)
    assert {t.removeprefix("https://schema.org/") for t in found} <= KNOWN_TYPES
    monday = [s for s in doc["openingHoursSpecification"] if s["dayOfWeek"].endswith("/Monday")]
    shown = hours_on_day(shop, WEEK, country=pack.manifest.country, timezone=pack.manifest.timezone, lang="en")
    assert ", ".join(f"{s['opens']}–{s['closes']}".replace("23:59", "24:00") for s in monday) == shown


def test_heritage_pages_have_no_invented_hours(monaco_site):
    pack, out = monaco_site
    poi = next(p for p in pack.pois if p.kind == "heritage" and not p.opening_hours)
    page = (out / poi_path("fr", poi.id)).read_text()
    assert "<table" not in page and "openingHoursSpecification" not in page


def test_cli_builds_perigueux(tmp_path):
    assert main(["site", "build", str(ROOT / "content" / "perigueux"), "--out", str(tmp_path), "--week-of",
                 "2026-12-07"]) == 0
    page = (tmp_path / "fr" / "index.html").read_text()
    assert "Périgueux" in page and "Ministère de la Culture" in page


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver") and AXE.is_file()),
                    reason="scripts/setup.sh installs chromium, chromium-driver and axe-core")
def test_axe_core_finds_no_serious_violation_and_pages_reflow_at_200_percent(monaco_site, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    pack, out = monaco_site
    shop = next(p for p in pack.pois if p.kind == "commerce" and p.opening_hours)
    pages = ["fr/index.html", "en/index.html", trail_path("fr", "rocher-heritage"), trail_path("en", "condamine-shopping"),
             poi_path("fr", pack.trails[0].stops[0]), poi_path("en", shop.id)]
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    axe = AXE.read_text()
    try:
        for rel in pages:
            driver.set_window_size(1280, 900)
            driver.get((out / rel).as_uri())
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}).then(done);")
            bad = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
            assert not bad, f"{rel}: {bad}"
            assert result["passes"], rel  # axe really ran
            # 200 % zoom on a 1280 px screen = a 640 px viewport: the page must reflow, not scroll sideways
            driver.set_window_size(640, 900)
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            assert overflow <= 1, f"{rel}: {overflow}px horizontal scroll at 200 %"
    finally:
        driver.quit()


def test_poi_pages_show_the_packs_photos_with_author_and_licence(tmp_path):
    """A POI whose pack carries a photo: the page shows it from the site's own copy (no external request),
    with alt text and the credit in the page's language; a pending reference is never shown."""
    from heritage_kit.models import POI
    from heritage_kit.packs import ContentPack

    jpeg = (ROOT / "tests" / "data" / "mobile" / "photo.jpg").read_bytes()
    poi = POI.model_validate({
        "id": "osm:node/1", "kind": "heritage", "categories": ["chapel"],
        "name": {"fr": "Chapelle de la Miséricorde", "en": "Chapel of Mercy"},
        "location": {"lat": 43.7317, "lon": 7.4228},
        "media": [{"type": "image", "path": "media/img/chapel.jpg", "author": "Jeanne Martin", "licence": "CC-BY-SA-4.0",
                   "caption": {"fr": "La façade", "en": "The front"}},
                  {"type": "image", "url": "https://commons.example/x.jpg", "licence": "unknown", "pending": True}]})
    pack = ContentPack.new(town_id="monaco", town_name="Monaco", pois=[poi], trails=[],
                           attributions=[{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}],
                           timezone="Europe/Monaco", country="MC", media={"media/img/chapel.jpg": jpeg})
    files = build_site(pack, base_url="https://monaco.example/guide", week_of=WEEK)
    assert files["media/img/chapel.jpg"] == jpeg
    for lang, alt, credit in (("fr", "La façade", "Photo : Jeanne Martin (CC-BY-SA-4.0)"),
                              ("en", "The front", "Photo: Jeanne Martin (CC-BY-SA-4.0)")):
        html = files[poi_path(lang, poi.id)].decode()
        links = _Links()
        links.feed(html)
        imgs = [ref for tag, ref in links.refs if tag == "img"]
        assert imgs == ["../../media/img/chapel.jpg"]  # resolves from fr/poi/… to the site's copy
        assert f'alt="{alt}"' in html and f"<figcaption>{credit}</figcaption>" in html
        assert "commons.example" not in html
    assert not any("media" in p for p in build_site(load_pack(ROOT / "content" / "perigueux"), week_of=WEEK))
