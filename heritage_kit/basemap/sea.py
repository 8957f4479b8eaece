"""The sea polygon of a box, from OSM coastline ways (pure).

OSM draws ``natural=coastline`` ways with the land on their **left** (the sea on the right). The box is cut
into faces by the coastlines that cross it (shapely ``polygonize`` of the box outline and the clipped lines,
noded by ``unary_union``); each face is then voted on: a point just right of every coastline segment is a vote
"sea" for the face holding it, a point just left is a vote "land". Faces with more sea votes are the sea.
Coastline pieces that end inside the box (a broken extract) cut no face; their votes still count, so a face
mostly bounded by sea-side segments is still found.

A box that no coastline crosses gets no sea: an inland town, or a box wholly at sea (not a walking town).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["sea_polygon"]

_OFFSET_DEG = 2e-7  # ≈ 2 cm: inside the face next to the segment


def _segments(lines) -> Iterable[tuple[float, float, float, float]]:
    for line in lines:
        for part in getattr(line, "geoms", [line]):
            coords = list(part.coords)
            for (x0, y0, *_), (x1, y1, *_) in zip(coords, coords[1:]):
                yield x0, y0, x1, y1


def sea_polygon(coastlines: Iterable, box):
    """The part of ``box`` (a shapely Polygon, in lon/lat) that is sea, or None (no coastline crosses it)."""
    import shapely
    from shapely.ops import polygonize, unary_union

    lines = []
    for line in coastlines:
        if line is None or line.is_empty or not line.intersects(box):
            continue
        clipped = line.intersection(box)
        for part in getattr(clipped, "geoms", [clipped]):
            if part.geom_type == "LineString" and len(part.coords) >= 2:
                lines.append(part)
    if not lines:
        return None
    noded = unary_union([box.exterior, *lines])
    faces = list(polygonize(noded))
    if not faces:
        return None
    tree = shapely.STRtree(faces)
    votes = [0] * len(faces)
    probes_x: list[float] = []
    probes_y: list[float] = []
    signs: list[int] = []
    for x0, y0, x1, y1 in _segments(lines):
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        if length == 0.0:
            continue
        off = min(_OFFSET_DEG, length / 4)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        nx, ny = dy / length * off, -dx / length * off  # right-hand normal
        probes_x += [mx + nx, mx - nx]
        probes_y += [my + ny, my - ny]
        signs += [1, -1]
    points = shapely.points(probes_x, probes_y)
    hit_point, hit_face = tree.query(points, predicate="within")
    for p, f in zip(hit_point.tolist(), hit_face.tolist()):
        votes[f] += signs[p]
    sea = [face for face, v in zip(faces, votes) if v > 0]
    if not sea:
        return None
    return unary_union(sea)
