"""Where the map's names go, in screen pixels, without a window (issue 13).

:func:`layout_labels` places, for one view, the names a walker reads on the map:

1. **important POIs** (trail stops first, then protected or documented heritage) — beside their dot, trying
   right, left, above, below; from street view (< 3 m/px) on, every heritage POI from building view (< 0.5 m/px);
2. **place and square names** of the basemap, horizontal;
3. **street names**, main streets before minor ones, each rotated along a straight-ish stretch of its street
   (the polyline between the label's two ends stays within half the text height of the chord), never
   upside down (angle in (-90°, 90°]), repeated every :data:`REPEAT_PX` on long streets; from street view on;
4. **house numbers** at building view, if room is left.

No label is cut by the edge of the screen: the widget lays out a region larger than the view (its pan margin),
and a label that would straddle the view's edge — part shown, part beyond — is moved to its next spot (the other
side of its dot, further along its street, a place name pushed inside) or not drawn; labels wholly in the margin
are kept for the next pan (:func:`straddles`).

Collisions are tested on a :class:`CollisionGrid` of small square cells: a label (an oriented box plus a few
pixels of padding) takes the cells under its bounds, or for a slanted label under a chain of squares of its
height along its axis (slices of a boolean array: a few microseconds a label); a label that would take a taken
cell is not drawn. Important POI dots are reserved first, so no street name covers them. Text sizes come from a
``measure(text, kind) -> (width, height)`` callable: the widget passes one that renders (and caches) the Kivy
texture; tests pass an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Placement", "CollisionGrid", "layout_labels", "street_label_spots", "upright", "short_name", "straddles",
           "REPEAT_PX",
           "STREET_VIEW_MPP", "BUILDING_VIEW_MPP"]

STREET_VIEW_MPP = 3.0  # street names and POI labels from this zoom on (metres per pixel), as basemap band 1
BUILDING_VIEW_MPP = 0.5  # house numbers and every heritage name from this zoom on (band 2)
REPEAT_PX = 360.0  # one street's name again after this many pixels
PAD_PX = 3.0  # free space kept around every label
MAX_POI_CHARS = 28  # longer POI names are cut at a word ("Statue de la … de l'océan" covers half a screen)
MAX_TRIES = 16  # spots tried per street (a crowded street gives up: the layout stays fast)
STRAIGHT = 0.45  # a street bends at most this fraction of the text height under its label

Measure = Callable[[str, str], tuple[float, float]]


@dataclass(frozen=True)
class Placement:
    """One label: its text and kind, centre and size in screen pixels, angle in degrees (counter-clockwise)."""

    text: str
    kind: str  # "poi", "place", "square", "street_major", "street", "housenumber"
    x: float
    y: float
    w: float
    h: float
    angle: float = 0.0

    def corners(self) -> np.ndarray:
        """The four corners (bottom-left, bottom-right, top-right, top-left of the text), shape (4, 2)."""
        return _box(self.x, self.y, self.w, self.h, self.angle)


def _box(cx: float, cy: float, w: float, h: float, angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    u = np.array([math.cos(a), math.sin(a)]) * (w / 2)
    v = np.array([-math.sin(a), math.cos(a)]) * (h / 2)
    c = np.array([cx, cy])
    return np.array([c - u - v, c + u - v, c + u + v, c - u + v])


def upright(angle_deg: float) -> float:
    """The same line direction with text never upside down: an angle in (-90, 90]."""
    a = (angle_deg + 180.0) % 360.0 - 180.0  # [-180, 180)
    if a > 90.0:
        a -= 180.0
    elif a <= -90.0:
        a += 180.0
    return a


class CollisionGrid:
    """Occupied screen space as a grid of ``cell``-pixel squares over ``region`` (x0, y0, x1, y1)."""

    def __init__(self, region: tuple[float, float, float, float], cell: float = 6.0) -> None:
        self.x0, self.y0, x1, y1 = region
        self.cell = float(cell)
        self.nx = max(1, int(math.ceil((x1 - self.x0) / self.cell)))
        self.ny = max(1, int(math.ceil((y1 - self.y0) / self.cell)))
        self.taken = np.zeros((self.ny, self.nx), dtype=bool)

    def _boxes(self, cx: float, cy: float, w: float, h: float, angle_deg: float):
        """Grid slices (r0, r1, c0, c1) covering the box: its bounds when (nearly) axis-aligned, else a chain
        of squares of the text height along its axis, each by its bounds (at most 41 % more than the box at
        45°, and never less). None if the box leaves the grid."""
        a = math.radians(angle_deg)
        ux, uy = math.cos(a), math.sin(a)
        if abs(ux) > 0.985 or abs(uy) > 0.985:  # within 10° of the axes: the bounds hug the box
            ex = abs(ux) * w / 2 + abs(uy) * h / 2
            ey = abs(uy) * w / 2 + abs(ux) * h / 2
            centres, half = [(cx, cy, ex, ey)], None
        else:
            n = max(1, int(math.ceil(w / h)))
            step = (w - h) / (n - 1) if n > 1 else 0.0
            e = (abs(ux) + abs(uy)) * h / 2
            first = -(w - h) / 2
            centres = [(cx + ux * (first + i * step), cy + uy * (first + i * step), e, e) for i in range(n)]
        out = []
        cell = self.cell
        for x, y, ex, ey in centres:
            c0 = int(math.floor((x - ex - self.x0) / cell))
            c1 = int(math.floor((x + ex - self.x0) / cell))
            r0 = int(math.floor((y - ey - self.y0) / cell))
            r1 = int(math.floor((y + ey - self.y0) / cell))
            if c0 < 0 or r0 < 0 or c1 >= self.nx or r1 >= self.ny:
                return None
            out.append((r0, r1 + 1, c0, c1 + 1))
        return out

    def place(self, cx: float, cy: float, w: float, h: float, angle_deg: float = 0.0) -> bool:
        """Take the box's cells if all are free (and the box is inside the region); say whether it did."""
        boxes = self._boxes(cx, cy, w, h, angle_deg)
        if boxes is None:
            return False
        taken = self.taken
        for r0, r1, c0, c1 in boxes:
            if taken[r0:r1, c0:c1].any():
                return False
        for r0, r1, c0, c1 in boxes:
            taken[r0:r1, c0:c1] = True
        return True

    def reserve(self, cx: float, cy: float, w: float, h: float) -> None:
        """Take the cells whose centre lies in an axis-aligned box (a POI dot), clipped to the grid: a label
        beside the dot may share the cells its edge only touches."""
        c0 = max(0, int(math.ceil((cx - w / 2 - self.x0) / self.cell - 0.5)))
        c1 = min(self.nx - 1, int(math.floor((cx + w / 2 - self.x0) / self.cell - 0.5)))
        r0 = max(0, int(math.ceil((cy - h / 2 - self.y0) / self.cell - 0.5)))
        r1 = min(self.ny - 1, int(math.floor((cy + h / 2 - self.y0) / self.cell - 0.5)))
        if c0 <= c1 and r0 <= r1:
            self.taken[r0 : r1 + 1, c0 : c1 + 1] = True


def _extent(w: float, h: float, angle_deg: float) -> tuple[float, float]:
    """Half width and half height of the bounds of a ``w`` × ``h`` box turned by ``angle_deg``."""
    a = math.radians(angle_deg)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    return c * w / 2 + s * h / 2, s * w / 2 + c * h / 2


def straddles(view: tuple[float, float, float, float], cx: float, cy: float, w: float, h: float,
              angle_deg: float = 0.0) -> bool:
    """Whether the box would be cut by the edge of ``view`` (x0, y0, x1, y1): partly inside, partly out."""
    ex, ey = _extent(w, h, angle_deg)
    x0, y0, x1, y1 = view
    overlaps = cx + ex > x0 and cx - ex < x1 and cy + ey > y0 and cy - ey < y1
    inside = cx - ex >= x0 and cx + ex <= x1 and cy - ey >= y0 and cy + ey <= y1
    return overlaps and not inside


def _pushed_inside(view, cx: float, cy: float, w: float, h: float) -> tuple[float, float] | None:
    """A horizontal label whose anchor is in ``view`` moved just inside it; None if it does not fit."""
    x0, y0, x1, y1 = view
    if not (x0 <= cx <= x1 and y0 <= cy <= y1) or w > x1 - x0 or h > y1 - y0:
        return None
    return min(max(cx, x0 + w / 2), x1 - w / 2), min(max(cy, y0 + h / 2), y1 - h / 2)


def street_label_spots(pts: np.ndarray, w: float, h: float, *, step: float | None = None):
    """Where a ``w`` × ``h`` label fits along the polyline ``pts`` (n, 2) in pixels: (x, y, angle) spots.

    A spot is the middle of a chord between two points of the line ``w`` apart (along the line) such that the
    line between them strays at most ``STRAIGHT`` × ``h`` from the chord and the chord is at least 0.9 ``w``
    long (no hairpin). Spots come middle of the line first, then outwards; the angle is :func:`upright`.
    """
    if len(pts) < 2:
        return
    seg = np.hypot(*np.diff(pts, axis=0).T)
    cum = np.r_[0.0, np.cumsum(seg)]
    total = float(cum[-1])
    if total < w * 1.02:
        return
    step = step or max(w / 4, 10.0)
    k = int((total - w) / 2 // step)  # candidates every ``step`` from the middle outwards
    offsets = np.arange(-k, k + 1) * step
    ds = total / 2 + offsets[np.argsort(np.abs(offsets), kind="stable")]
    # every candidate at once: chord ends, chord lengths, and how far the line strays from each chord
    a = np.column_stack([np.interp(ds - w / 2, cum, pts[:, 0]), np.interp(ds - w / 2, cum, pts[:, 1])])
    b = np.column_stack([np.interp(ds + w / 2, cum, pts[:, 0]), np.interp(ds + w / 2, cum, pts[:, 1])])
    chord = b - a
    length = np.hypot(chord[:, 0], chord[:, 1])
    ok = length >= 0.9 * w
    if not ok.any():
        return
    n = np.column_stack([-chord[:, 1], chord[:, 0]]) / np.maximum(length, 1e-9)[:, None]
    inner = (cum[None, :] > (ds - w / 2)[:, None]) & (cum[None, :] < (ds + w / 2)[:, None])  # (k, n)
    off = np.abs((pts[None, :, 0] - a[:, None, 0]) * n[:, None, 0] + (pts[None, :, 1] - a[:, None, 1]) * n[:, None, 1])
    stray = np.where(inner, off, 0.0).max(axis=1)
    ok &= stray <= STRAIGHT * h
    mid = (a + b) / 2
    ang = np.degrees(np.arctan2(chord[:, 1], chord[:, 0]))
    for i in np.nonzero(ok)[0]:
        yield float(mid[i, 0]), float(mid[i, 1]), upright(float(ang[i]))


def layout_labels(scene, viewport, *, lang: str, measure: Measure, marker_px: float = 10.0,
                  region: tuple[float, float, float, float] | None = None, cell: float = 6.0) -> list[Placement]:
    """The labels to draw for ``viewport`` over ``scene`` (a :class:`~mobile.presenters.map_view.MapScene`).

    ``region`` (screen pixels, default the viewport) is the area laid out: the widget passes a larger one so a
    pan does not need a new layout at once; no label straddles the edge of the viewport itself (moved or
    dropped). ``marker_px`` is the POI dots' radius in pixels.
    """
    vp = viewport
    view = (0.0, 0.0, float(vp.width), float(vp.height))
    x0, y0, x1, y1 = region if region is not None else view

    def cut(cx, cy, w, h, angle=0.0):
        return straddles(view, cx, cy, w + PAD_PX, h + PAD_PX, angle)

    mpp = 1.0 / vp.scale
    grid = CollisionGrid((x0, y0, x1, y1), cell)
    out: list[Placement] = []
    if mpp >= STREET_VIEW_MPP * 2:  # far out: the town's shape, no names
        return out

    def inside(sx, sy):
        return (sx >= x0) & (sx <= x1) & (sy >= y0) & (sy <= y1)

    # 1. important POIs: their dots are reserved first, then their names beside them
    pois = []
    if mpp < STREET_VIEW_MPP and len(scene.poi_xy):
        min_rank = 1 if mpp < BUILDING_VIEW_MPP else 2
        ranks = scene.poi_rank
        sx, sy = vp.to_screen(scene.poi_xy[:, 0], scene.poi_xy[:, 1])
        idx = np.nonzero((ranks >= min_rank) & inside(sx, sy))[0]
        idx = idx[np.argsort(-ranks[idx], kind="stable")]
        for i in idx:
            grid.reserve(float(sx[i]), float(sy[i]), 2 * marker_px + 2, 2 * marker_px + 2)
            pois.append((i, float(sx[i]), float(sy[i])))
    gap = marker_px + 4
    for i, px, py in pois:
        text = short_name(scene.poi_name(i, lang))
        if not text:
            continue
        w, h = measure(text, "poi")
        for cx, cy in ((px + gap + w / 2, py), (px - gap - w / 2, py), (px, py + gap + h / 2 - 2),
                       (px, py - gap - h / 2 + 2)):
            if not cut(cx, cy, w, h) and grid.place(cx, cy, w + PAD_PX, h + PAD_PX):
                out.append(Placement(text, "poi", cx, cy, w, h))
                break

    # 2. place and square names of the basemap (horizontal)
    band = 0 if mpp >= STREET_VIEW_MPP else (1 if mpp >= BUILDING_VIEW_MPP else 2)
    basemap_labels = scene.basemap.labels(band) if scene.basemap is not None else []
    numbers = []
    for lab in basemap_labels:
        if lab.kind == "housenumber":
            numbers.append(lab)
            continue
        kind = "place" if lab.kind == "place" else "square"
        cx, cy = vp.to_screen(lab.x, lab.y)
        w, h = measure(lab.text, kind)
        if cut(cx, cy, w, h):  # a district name at the edge: pushed inside when its anchor is on screen
            moved = _pushed_inside(view, float(cx), float(cy), w + PAD_PX, h + PAD_PX)
            if moved is None:
                continue
            cx, cy = moved
        if grid.place(cx, cy, w + PAD_PX, h + PAD_PX):
            out.append(Placement(lab.text, kind, cx, cy, w, h))

    # 3. street names along their streets, main streets first, long streets before short ones
    if mpp < STREET_VIEW_MPP:
        placed_at: dict[str, list[tuple[float, float]]] = {}
        for major in (True, False):
            kind = "street_major" if major else "street"
            for st, pts in _visible_streets(scene, vp, (x0, y0, x1, y1), major):
                w, h = measure(st.name, kind)
                seen = placed_at.setdefault(st.name, [])
                tries = 0
                for cx, cy, ang in street_label_spots(pts, w, h):
                    if not (x0 <= cx <= x1 and y0 <= cy <= y1):
                        continue
                    if any((cx - ox) ** 2 + (cy - oy) ** 2 < REPEAT_PX ** 2 for ox, oy in seen):
                        continue
                    if cut(cx, cy, w, h, ang):  # further along the street, or not at all
                        continue
                    tries += 1
                    if tries > MAX_TRIES:
                        break
                    if grid.place(cx, cy, w + PAD_PX, h + PAD_PX, ang):
                        out.append(Placement(st.name, kind, cx, cy, w, h, ang))
                        seen.append((cx, cy))

    # 4. house numbers, where room is left
    for lab in numbers:
        cx, cy = vp.to_screen(lab.x, lab.y)
        w, h = measure(lab.text, "housenumber")
        if not straddles(view, cx, cy, w + 1, h + 1) and grid.place(cx, cy, w + 1, h + 1):
            out.append(Placement(lab.text, "housenumber", cx, cy, w, h))
    return out


def short_name(text: str, limit: int = MAX_POI_CHARS) -> str:
    """A POI name cut at a word boundary to about ``limit`` characters (with "…"), for a map label."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–(")
    return (cut if len(cut) >= limit // 2 else text[:limit]) + "…"


def _visible_streets(scene, vp, region, major: bool):
    """Named streets of one class crossing ``region``, as (street, screen points), longest first."""
    x0, y0, x1, y1 = region
    named = scene.named_streets(major)
    if not named:
        return []
    lo, hi, length = scene.named_street_bounds(major)
    # world box of the region
    wx0, wy0 = vp.to_world(x0, y0)
    wx1, wy1 = vp.to_world(x1, y1)
    hit = (hi[:, 0] >= wx0) & (lo[:, 0] <= wx1) & (hi[:, 1] >= wy0) & (lo[:, 1] <= wy1)
    hit &= length * vp.scale >= 30.0  # too short to carry any name at this zoom
    order = np.nonzero(hit)[0]
    order = order[np.argsort(-length[order], kind="stable")]
    out = []
    for i in order:
        st = named[i]
        sx, sy = vp.to_screen(st.xy[:, 0], st.xy[:, 1])
        out.append((st, np.column_stack([sx, sy])))
    return out
