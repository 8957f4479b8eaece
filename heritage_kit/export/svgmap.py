"""Inline SVG maps for the static site (pure: returns markup).

Streets, basemap buildings, the walked route and numbered stops, a scale bar and a north arrow; the map has
``role="img"`` and a ``<title>``/``<desc>`` so a screen reader announces it (the stop list beside it carries the
content). No external request: everything is inline.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from heritage_kit.export.mapframe import MapFrame

__all__ = ["svg_map"]

Pt = tuple[float, float]


def _path(points: list[Pt]) -> str:
    return "M" + " L".join(f"{x:g} {y:g}" for x, y in points)


def svg_map(
    *,
    title: str,
    desc: str,
    route: Sequence[Pt],
    stops: Sequence[tuple[int, Pt]] = (),
    streets: Sequence[Sequence[Pt]] = (),
    buildings: Sequence[Sequence[Pt]] = (),
    marker: Pt | None = None,
    dashed: bool = False,
    width: int = 640,
    height: int = 420,
    north: str = "N",
    min_span_m: float = 50.0,
) -> str:
    """An SVG ``width`` × ``height`` map framing ``route`` (or ``marker``) — (lat, lon) points."""
    frame_pts = list(route) or ([marker] if marker else [])
    frame = MapFrame(frame_pts, width=width, height=height, margin=44, min_span_m=min_span_m)  # room for the arrow
    out = [
        f'<svg class="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="map-title">{escape(title)}</title><desc id="map-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" class="map-bg"/>',
    ]
    for cls, lines, close in (("map-buildings", buildings, " Z"), ("map-streets", streets, "")):
        drawn = [f'<path d="{_path(pts)}{close}"/>' for pts in frame.xy_many(lines)
                 if len(pts) >= (3 if close else 2) and any(0 <= x <= width and 0 <= y <= height for x, y in pts)]
        if drawn:
            out.append(f'<g class="{cls}">' + "".join(drawn) + "</g>")
    if len(route) >= 2:
        cls = "map-route dashed" if dashed else "map-route"
        out.append(f'<path class="{cls}" d="{_path(frame.xy(route))}"/>')
    for number, p in stops:
        (x, y), = frame.xy([p])
        out.append(f'<g class="map-stop"><circle cx="{x:.1f}" cy="{y:.1f}" r="11"/>'
                   f'<text x="{x:.1f}" y="{y + 4.5:.1f}" text-anchor="middle">{number}</text></g>')
    if marker is not None:
        (x, y), = frame.xy([marker])
        out.append(f'<circle class="map-marker" cx="{x:.1f}" cy="{y:.1f}" r="9"/>')
    nice, length = frame.scale_bar(width * 0.18)
    label = f"{nice} m" if nice < 1000 else f"{nice // 1000} km"
    y = height - 14
    out.append(f'<g class="map-scale"><path d="M14 {y - 5} V{y} H{14 + length:.1f} V{y - 5}"/>'
               f'<text x="{14 + length / 2:.1f}" y="{y - 8}" text-anchor="middle">{label}</text></g>')
    out.append(f'<g class="map-north"><path d="M{width - 22} 12 L{width - 30} 34 L{width - 22} 29 L{width - 14} 34 Z"/>'
               f'<text x="{width - 22}" y="50" text-anchor="middle">{escape(north)}</text></g>')
    out.append("</svg>")
    return "".join(out)
