"""A printed or web map's frame: fit (lat, lon) points into a rectangle, y downwards (pure).

Shared by the PDF leaflet (millimetres) and the site's inline SVG maps (pixels); the local projection is
:class:`heritage_kit.geo.LocalProjection`, north up, equal scale on both axes.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from heritage_kit.geo import LocalProjection

__all__ = ["MapFrame", "NICE_LENGTHS_M"]

NICE_LENGTHS_M = (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


class MapFrame:
    """Maps (lat, lon) to (x, y) in a ``width`` × ``height`` box at ``(x0, y0)``, ``margin`` inside it."""

    def __init__(self, points: Sequence[tuple[float, float]], *, x0: float = 0.0, y0: float = 0.0,
                 width: float, height: float, margin: float = 0.0, min_span_m: float = 50.0) -> None:
        if not points:
            raise ValueError("a map needs at least one point")
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        self.proj = LocalProjection((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
        xs, ys = self.proj.to_xy(lats, lons)
        span_x = max(float(max(xs) - min(xs)) if len(lats) > 1 else 0.0, min_span_m)
        span_y = max(float(max(ys) - min(ys)) if len(lats) > 1 else 0.0, min_span_m)
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)  # units per metre
        self.cx = x0 + width / 2
        self.cy = y0 + height / 2

    def xy(self, pts: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        pts = list(pts)
        if not pts:
            return []
        px, py = self.proj.to_xy([p[0] for p in pts], [p[1] for p in pts])
        if not hasattr(px, "__len__"):
            px, py = [px], [py]
        return [(self.cx + float(a) * self.scale, self.cy - float(b) * self.scale) for a, b in zip(px, py)]

    def xy_many(self, lines: Sequence[Sequence[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
        """:meth:`xy` of many polylines in one vectorised projection (a map page has thousands)."""
        lines = [line for line in lines if len(line)]
        if not lines:
            return []
        flat = np.concatenate([np.asarray(line, dtype=float).reshape(-1, 2) for line in lines])
        px, py = self.proj.to_xy(flat[:, 0], flat[:, 1])
        xs = (self.cx + px * self.scale).round(1)  # a tenth of a unit: sub-pixel, sub-millimetre
        ys = (self.cy - py * self.scale).round(1)
        out, i = [], 0
        for line in lines:
            n = len(line)
            out.append(list(zip(xs[i:i + n].tolist(), ys[i:i + n].tolist())))
            i += n
        return out

    def scale_bar(self, target_units: float) -> tuple[int, float]:
        """A round length in metres drawn about ``target_units`` long, and its drawn length."""
        want = target_units / self.scale
        nice = max((v for v in NICE_LENGTHS_M if v <= want), default=NICE_LENGTHS_M[0])
        return nice, nice * self.scale
