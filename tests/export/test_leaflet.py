"""The printed leaflet, checked the way a reader would: its text (pdftotext), its QR codes (zbarimg), its map."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from heritage_kit.cli import main
from heritage_kit.export.leaflet import FontsMissing, find_fonts, render_leaflet
from heritage_kit.export.leaflet_plan import UnknownTrail, day_words, plan_leaflet
from heritage_kit.export.urls import poi_path
from heritage_kit.packs import load_pack

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://ville.example/patrimoine"
need_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "zbarimg")),
    reason="poppler-utils and zbar-tools are installed by scripts/setup.sh",
)


@pytest.fixture(scope="module")
def monaco():
    return load_pack(ROOT / "content" / "monaco")


@pytest.fixture(scope="module")
def leaflet_pdf(monaco, tmp_path_factory):
    plan = plan_leaflet(monaco, "rocher-heritage", lang="fr", day=date(2026, 12, 12), base_url=BASE)
    out = tmp_path_factory.mktemp("leaflet") / "rocher.pdf"
    out.write_bytes(render_leaflet(plan, fonts=find_fonts()))
    return plan, out


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _pages(pdf: Path, tmp: Path, dpi: int) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp / "page")], check=True)
    return sorted(tmp.glob("page-*.png"))


@need_tools
def test_stops_are_printed_in_trail_order_with_accents(leaflet_pdf, monaco):
    plan, pdf = leaflet_pdf
    text = " ".join(_text(pdf).split())
    trail = next(t for t in monaco.trails if t.id == "rocher-heritage")
    positions = []
    for n, pid in enumerate(trail.stops, start=1):
        heading = f"{n}. {monaco.poi(pid).name.get('fr')}"
        assert heading in text, heading
        positions.append(text.index(heading))
    assert positions == sorted(positions)
    assert "Le Rocher, cœur historique de Monaco" in text  # œ and accents survive embedding
    assert "OpenStreetMap" in text and "ODbL" in text  # the licence is on the paper
    assert "samedi 12 décembre 2026" in text


@need_tools
def test_every_qr_code_decodes_to_its_stops_page(leaflet_pdf, monaco, tmp_path):
    plan, pdf = leaflet_pdf
    decoded: list[str] = []
    for page in _pages(pdf, tmp_path, 150):
        out = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True)
        decoded += out.stdout.split()
    expected = [f"{BASE}/{poi_path('fr', s.poi_id)}" for s in plan.stops]
    assert sorted(decoded) == sorted(expected)


@need_tools
def test_the_map_is_drawn(leaflet_pdf, tmp_path):
    _, pdf = leaflet_pdf
    first = _pages(pdf, tmp_path, 40)[0]
    img = Image.open(first).convert("RGB")
    w, h = img.size
    band = img.crop((int(w * 0.08), int(h * 0.17), int(w * 0.92), int(h * 0.5)))
    px = list(band.getdata())
    red = sum(1 for r, g, b in px if r > 150 and g < 90 and b < 90)  # the route and the stop discs
    grey = sum(1 for r, g, b in px if abs(r - g) < 12 and abs(g - b) < 12 and 120 < r < 215)  # streets
    assert red > 0.01 * len(px), red
    assert grey > 0.02 * len(px), grey


@need_tools
def test_large_print_body_is_at_least_16_pt(monaco, tmp_path):
    plan = plan_leaflet(monaco, "rocher-heritage", lang="en", day=date(2026, 12, 12))
    pdf = tmp_path / "lp.pdf"
    pdf.write_bytes(render_leaflet(plan, fonts=find_fonts(), large_print=True))
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)]
    assert statistics.median(heights) >= 16 * 1.1  # word boxes are ~1.16 em tall for DejaVu Sans


def test_plan_measures_legs_and_finds_open_shops(monaco):
    plan = plan_leaflet(monaco, "condamine-shopping", lang="en", day=date(2026, 12, 12))
    assert plan.stops[0].walk_min is None and all(s.walk_min >= 1 for s in plan.stops[1:])
    assert not plan.straight_line and len(plan.streets) > 50
    assert plan.shops, "La Condamine's shopping trail passes shops"
    known = [s for s in plan.shops if s.hours not in ("hours unknown",)]
    assert known and known == list(plan.shops[: len(known)])  # known hours first
    assert all(re.fullmatch(r"(\d\d:\d\d–\d\d:\d\d(, )?)+|closed that day", s.hours) for s in known)


def test_a_town_without_streets_says_so(tmp_path):
    pack = load_pack(ROOT / "content" / "perigueux")
    plan = plan_leaflet(pack, pack.trails[0].id, lang="fr", day=date(2026, 12, 12))
    assert plan.straight_line
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(render_leaflet(plan, fonts=find_fonts(), paper="a5"))
    if shutil.which("pdftotext"):
        assert "pas de plan des rues" in " ".join(_text(pdf).split())


def test_unknown_trail_and_missing_fonts_are_clear_errors(monaco, tmp_path, capsys):
    with pytest.raises(UnknownTrail) as e:
        plan_leaflet(monaco, "nope")
    assert "rocher-heritage" in str(e.value) and isinstance(e.value, LookupError)
    with pytest.raises(FontsMissing):
        _no_fonts(tmp_path)
    assert main(["trail", "leaflet", str(ROOT / "content" / "monaco"), "nope", "--out", str(tmp_path / "x.pdf")]) == 1
    assert "no trail 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def _no_fonts(tmp_path):
    import heritage_kit.export.leaflet as leaflet

    saved = leaflet.FONT_DIRS
    leaflet.FONT_DIRS = ()
    try:
        return find_fonts(tmp_path)
    finally:
        leaflet.FONT_DIRS = saved


def test_cli_writes_the_pdf(tmp_path):
    out = tmp_path / "leaflet.pdf"
    assert main(["trail", "leaflet", str(ROOT / "content" / "monaco"), "rocher-heritage", "--lang", "en",
                 "--paper", "a5", "--day", "2026-12-13", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")


def test_french_dates():
    assert day_words(date(2026, 12, 1), "fr") == "mardi 1er décembre 2026"
    assert day_words(date(2026, 12, 12), "en") == "Saturday 12 December 2026"
