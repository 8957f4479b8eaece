"""A printable trail leaflet (PDF), laid out from a :class:`~heritage_kit.export.leaflet_plan.LeafletPlan`.

fpdf2 draws it: pure Python (no Cairo/Pango to install, unlike WeasyPrint), vector paths for the map and the QR
codes (crisp at any print resolution), TrueType fonts embedded and subset (DejaVu Sans: every French accent, the
œ ligature, typographic quotes), document language set for screen readers. ReportLab would do too but needs its own
font registration and paragraph engine for the same result; fpdf2's ``multi_cell`` is enough for this layout.

Adapter: the only I/O is reading the font files (:func:`find_fonts`); the PDF comes back as bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from heritage_kit.errors import HeritageKitError
from heritage_kit.export.leaflet_plan import WORDS, LeafletPlan
from heritage_kit.export.mapframe import MapFrame

__all__ = ["Fonts", "find_fonts", "render_leaflet", "FontsMissing", "PAPERS"]

PAPERS = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")
ROUTE_RGB = (200, 40, 30)
STOP_RGB = (200, 40, 30)
STREET_RGB = (175, 175, 175)
AREA_RGB = {"sea": (178, 212, 226), "water": (178, 212, 226), "park": (203, 226, 186),
            "pedestrian": (236, 232, 224), "building": (222, 215, 205)}


class FontsMissing(HeritageKitError, FileNotFoundError):
    """No Unicode TrueType font to embed (install Debian's fonts-dejavu-core or pass a folder)."""

    def __init__(self, searched: tuple[str, ...]) -> None:
        self.searched = searched
        super().__init__("no DejaVuSans.ttf / DejaVuSans-Bold.ttf found in " + ", ".join(searched)
                         + " (apt-get install fonts-dejavu-core, or set HERITAGE_KIT_FONTS to a folder holding them)")


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path


def find_fonts(folder: str | os.PathLike | None = None) -> Fonts:
    """DejaVu Sans regular and bold, from ``folder``, ``$HERITAGE_KIT_FONTS`` or the system font folders."""
    dirs = tuple(str(d) for d in (folder, os.environ.get("HERITAGE_KIT_FONTS")) if d) + FONT_DIRS
    for d in dirs:
        reg, bold = Path(d, "DejaVuSans.ttf"), Path(d, "DejaVuSans-Bold.ttf")
        if reg.is_file() and bold.is_file():
            return Fonts(reg, bold)
    raise FontsMissing(dirs)


class _Leaflet(FPDF):
    def __init__(self, plan: LeafletPlan, paper: str, body_pt: float) -> None:
        super().__init__(orientation="P", unit="mm", format=PAPERS[paper])
        self.plan = plan
        self.body_pt = body_pt
        self.words = WORDS[plan.lang]

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("DejaVu", "", max(7.0, self.body_pt * 0.6))
        self.set_text_color(90, 90, 90)
        text = " · ".join(self.plan.attributions)
        page = self.words["page"].format(n=self.page_no(), total="{nb}")
        self.cell(0, 4, f"{text}  —  {page}", align="C")
        self.set_text_color(0, 0, 0)


def _draw_map(pdf: _Leaflet, plan: LeafletPlan, x0: float, y0: float, w: float, h: float) -> None:
    frame = MapFrame(plan.route, x0=x0, y0=y0, width=w, height=h, margin=8.0)
    to_page = frame.xy

    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(0.3)
    pdf.set_fill_color(248, 246, 240)
    pdf.rect(x0, y0, w, h, style="DF")
    with pdf.rect_clip(x0, y0, w, h):
        for layer, ring in plan.areas:
            if len(ring) >= 3:
                pdf.set_fill_color(*AREA_RGB[layer])
                pdf.polygon(to_page(ring), style="F")
        pdf.set_draw_color(*STREET_RGB)
        pdf.set_line_width(0.35)
        for line in plan.streets:
            if len(line) >= 2:
                pdf.polyline(to_page(line))
        pdf.set_draw_color(*ROUTE_RGB)
        pdf.set_line_width(1.1)
        if plan.straight_line:
            pdf.set_dash_pattern(dash=2.5, gap=1.5)
        if len(plan.route) >= 2:
            pdf.polyline(to_page(plan.route))
        pdf.set_dash_pattern()
        r = 3.0
        pdf.set_font("DejaVu", "B", 8)
        for stop in plan.stops:
            (sx, sy), = to_page([(stop.location.lat, stop.location.lon)])
            pdf.set_fill_color(*STOP_RGB)
            pdf.set_draw_color(255, 255, 255)
            pdf.set_line_width(0.5)
            pdf.circle(sx, sy, r, style="FD")
            pdf.set_text_color(255, 255, 255)
            pdf.set_xy(sx - r, sy - r)
            pdf.cell(2 * r, 2 * r, str(stop.number), align="C")
        pdf.set_text_color(0, 0, 0)
    _scale_bar(pdf, x0 + 4, y0 + h - 5, frame)
    _north_arrow(pdf, x0 + w - 8, y0 + 4, pdf.words["north"])


def _scale_bar(pdf: FPDF, x: float, y: float, frame: MapFrame) -> None:
    nice, length = frame.scale_bar(30.0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.6)
    pdf.line(x, y, x + length, y)
    pdf.line(x, y - 1.2, x, y + 0.2)
    pdf.line(x + length, y - 1.2, x + length, y + 0.2)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_xy(x, y - 4.5)
    pdf.cell(length, 3, f"{nice} m" if nice < 1000 else f"{nice // 1000} km", align="C")


def _north_arrow(pdf: FPDF, x: float, y: float, letter: str) -> None:
    pdf.set_fill_color(0, 0, 0)
    pdf.polygon([(x, y + 1), (x - 2, y + 7), (x, y + 5.6), (x + 2, y + 7)], style="F")
    pdf.set_font("DejaVu", "B", 7)
    pdf.set_xy(x - 3, y + 7.2)
    pdf.cell(6, 3, letter, align="C")


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """A QR code as vector squares (one rectangle per horizontal run of dark modules)."""
    qr = segno.make(url, error="m")
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=2)]
    cell = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for j, row in enumerate(rows):
        i = 0
        while i < len(row):
            if row[i]:
                k = i
                while k < len(row) and row[k]:
                    k += 1
                pdf.rect(x + i * cell, y + j * cell, (k - i) * cell, cell, style="F")
                i = k
            else:
                i += 1


def render_leaflet(plan: LeafletPlan, *, fonts: Fonts, paper: str = "A4", large_print: bool = False) -> bytes:
    """The leaflet as PDF bytes. ``large_print``: body 16 pt (≥ 16 pt is the usual large-print floor)."""
    paper = paper.upper()
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    body = 16.0 if large_print else (10.0 if paper == "A4" else 9.0)
    line_h = body * 0.5
    pdf = _Leaflet(plan, paper, body)
    pdf.add_font("DejaVu", "", str(fonts.regular))
    pdf.add_font("DejaVu", "B", str(fonts.bold))
    pdf.set_lang(plan.lang)
    pdf.set_title(plan.title)
    pdf.set_author(plan.town)
    pdf.set_creator("heritage-kit")
    margin = 12.0 if paper == "A4" else 9.0
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    words = pdf.words
    width = pdf.w - 2 * margin

    pdf.set_font("DejaVu", "B", body * 2.0)
    pdf.multi_cell(width, body * 0.85, plan.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_font("DejaVu", "", body * 1.1)
    pdf.multi_cell(width, line_h * 1.3, plan.summary, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    if plan.description:
        pdf.set_font("DejaVu", "", body)
        pdf.multi_cell(width, line_h, plan.description, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(2)
    map_h = min(width * 0.72, pdf.h * 0.42)
    if pdf.will_page_break(map_h):
        pdf.add_page()
    y_map = pdf.get_y()
    _draw_map(pdf, plan, margin, y_map, width, map_h)
    pdf.set_y(y_map + map_h + 1.5)
    if plan.straight_line:
        pdf.set_font("DejaVu", "", body * 0.8)
        pdf.multi_cell(width, line_h, words["no_streets"], new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(3)

    pdf.set_font("DejaVu", "B", body * 1.4)
    pdf.cell(width, body * 0.7, words["stop_list"], new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_font("DejaVu", "", body * 0.75)
    pdf.cell(width, line_h, words["scan"], new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(1)
    qr_size = 24.0 if large_print else (20.0 if paper == "A4" else 17.0)
    text_w = width - qr_size - 4
    for stop in plan.stops:
        need = max(qr_size, line_h * 4) + 3
        if pdf.will_page_break(need):
            pdf.add_page()
        top = pdf.get_y()
        _qr(pdf, stop.url, margin + width - qr_size, top, qr_size)
        pdf.set_xy(margin, top)
        if stop.walk_min is not None:
            pdf.set_font("DejaVu", "", body * 0.85)
            pdf.set_text_color(110, 110, 110)
            pdf.cell(text_w, line_h, "↓ " + words["walk"].format(min=stop.walk_min), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "B", body * 1.15)
        pdf.multi_cell(text_w, line_h * 1.2, f"{stop.number}. {stop.name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.set_font("DejaVu", "", body)
        if stop.text:
            pdf.multi_cell(text_w, line_h, stop.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        if stop.notes:
            pdf.set_font("DejaVu", "", body * 0.85)
            pdf.multi_cell(text_w, line_h, " · ".join(stop.notes), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.set_y(max(pdf.get_y(), top + qr_size) + 3)

    if plan.shops:
        pdf.ln(2)
        if pdf.will_page_break(line_h * 6):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", body * 1.2)
        pdf.multi_cell(width, line_h * 1.3, plan.shops_heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.set_font("DejaVu", "", body * 0.9)
        for shop in plan.shops:
            what = " · ".join(p for p in (shop.category, shop.address) if p)
            colon = " : " if plan.lang == "fr" else ": "
            line = f"{shop.name} — {what}{colon}{shop.hours}" if what else f"{shop.name}{colon}{shop.hours}"
            pdf.multi_cell(width, line_h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(3)
    if pdf.will_page_break(line_h * 4):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", body)
    pdf.cell(width, line_h, words["sources"], new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_font("DejaVu", "", body * 0.85)
    for a in plan.attributions:
        pdf.multi_cell(width, line_h, a, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.multi_cell(width, line_h, plan.trail_url, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    return bytes(pdf.output())
