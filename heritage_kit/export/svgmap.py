"""Inline SVG maps for the static site (pure: returns markup).

Streets, basemap areas (sea, water, parks, squares, buildings), the walked route and numbered stops, a scale bar and a north arrow; the map has
``role="img"`` and a ``<title>``/``<desc>`` so a screen reader announces it (the stop list beside it carries the
content). No external request: everything is inline.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

import shapely
from shapely.geometry import LineString, Polygon

from heritage_kit.export.mapframe import MapFrame

__all__ = ["svg_map"]

Pt = tuple[float, float]


def _path(points: list[Pt]) -> str:
    """SVG path data in whole pixels (the viewBox is 640 wide), repeated pixels dropped."""
    parts: list[str] = []
    last = None
    for x, y in points:
        p = f"{x:.0f} {y:.0f}"
        if p != last:
            parts.append(p)
            last = p
    return "M" + " L".join(parts)


def _clip_line(line: list[Pt], width: float, height: float) -> list[list[Pt]]:
    if all(-4 <= x <= width + 4 and -4 <= y <= height + 4 for x, y in line):
        return [line]
    if not any(-4 <= x <= width + 4 and -4 <= y <= height + 4 for x, y in line):
        bx = [x for x, _ in line]
        by = [y for _, y in line]
        if max(bx) < 0 or min(bx) > width or max(by) < 0 or min(by) > height:
            return []
    clipped = shapely.clip_by_rect(LineString(line), -4, -4, width + 4, height + 4)
    return [list(g.coords) for g in getattr(clipped, "geoms", [clipped])
            if isinstance(g, LineString) and len(g.coords) >= 2]


def _clip_ring(ring: list[Pt], width: float, height: float) -> list[list[Pt]]:
    """The parts of a filled ring inside the map (a town's sea polygon is thousands of points, mostly off-map)."""
    if len(ring) < 3:
        return []
    if all(-4 <= x <= width + 4 and -4 <= y <= height + 4 for x, y in ring):
        return [ring]
    clipped = shapely.clip_by_rect(shapely.make_valid(Polygon(ring)), -4, -4, width + 4, height + 4)
    return [list(p.exterior.coords) for p in getattr(clipped, "geoms", [clipped])
            if isinstance(p, Polygon) and not p.is_empty and len(p.exterior.coords) >= 4]


def svg_map(
    *,
    title: str,
    desc: str,
    route: Sequence[Pt],
    stops: Sequence[tuple[int, Pt]] = (),
    streets: Sequence[Sequence[Pt]] = (),
    areas: Sequence[tuple[str, Sequence[Pt]]] = (),
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
    if areas:  # basemap fills in drawing order, one class per layer (colours in style.css)
        rings = frame.xy_many([ring for _, ring in areas])
        out.append('<g class="map-areas">' + "".join(
            f'<path class="a-{layer}" d="{_path(pts)} Z"/>' for (layer, _), ring in zip(areas, rings)
            for pts in _clip_ring(ring, width, height)) + "</g>")
    drawn = [f'<path d="{_path(part)}"/>' for pts in frame.xy_many(streets) if len(pts) >= 2
             for part in _clip_line(pts, width, height)]
    if drawn:
        out.append('<g class="map-streets">' + "".join(drawn) + "</g>")
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
