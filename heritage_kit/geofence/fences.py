"""Default fence radii by POI category and kind, and :func:`fences_for` (one fence per POI)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import shapely

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import metres_per_degree
from heritage_kit.geofence.model import Fence, as_geometry

__all__ = ["DEFAULT_RADIUS_M", "CATEGORY_RADIUS_M", "HALT_ONLY_KINDS", "MIN_RADIUS_M", "fences_for"]

DEFAULT_RADIUS_M: dict[str, float] = {"heritage": 30.0, "commerce": 15.0, "service": 20.0}
"""Default enter radius by POI kind when no category below applies."""

CATEGORY_RADIUS_M: dict[str, float] = {
    # large sites and open spaces: you "are at" them well before their centre
    "castle": 60.0, "palace": 60.0, "fort": 50.0, "cathedral": 45.0, "monastery": 45.0,
    "square": 40.0, "garden": 50.0, "cemetery": 50.0, "archaeological_site": 50.0,
    "marketplace": 35.0, "viewpoint": 25.0, "station": 40.0, "hospital": 50.0,
    # ordinary buildings
    "church": 30.0, "museum": 30.0, "theatre": 30.0, "townhall": 30.0, "building": 25.0,
    "tower": 25.0, "bridge": 30.0, "town_gate": 25.0,
    # small things in the street
    "statue": 15.0, "memorial": 15.0, "artwork": 15.0, "fountain": 15.0, "house": 15.0,
    "defibrillator": 10.0, "drinking_water": 10.0, "toilets": 15.0, "bicycle_parking": 10.0,
}
"""Enter radius (m) by category; a POI takes the largest of its categories."""

HALT_ONLY_KINDS: tuple[str, ...] = ("commerce",)
"""Kinds whose fences need the walker to stop (walking past a shop is no arrival; rule 10)."""

MIN_RADIUS_M = 12.0
"""``fences_for(..., separate=True)`` never shrinks a circle below this."""


def fences_for(
    pack_or_pois: Any,
    *,
    ids: Iterable[str] | None = None,
    radius_by_category: Mapping[str, float] | None = None,
    radius_by_kind: Mapping[str, float] | None = None,
    use_footprints: bool = True,
    footprint_buffer_m: float = 15.0,
    separate: bool = False,
    grow: float = 1.0,
    min_radius_m: float = MIN_RADIUS_M,
    priority: Mapping[str, int] | None = None,
    halt_only_kinds: Iterable[str] = HALT_ONLY_KINDS,
) -> list[Fence]:
    """One fence per POI of a :class:`~heritage_kit.packs.ContentPack` or a list of POIs.

    Radius: the largest of ``CATEGORY_RADIUS_M`` (overridable per category
    with ``radius_by_category``) over the POI's categories, else
    ``DEFAULT_RADIUS_M`` by kind — small for shop fronts (15 m), 30 m for a
    monument, 40–60 m for squares, castles and gardens. A POI with a
    footprint becomes a polygon fence buffered by ``footprint_buffer_m``
    (unless ``use_footprints=False``). ``ids`` keeps only those POIs, in that
    order.

    Fitting to the neighbourhood uses the *gap* from each POI (its point or
    footprint) to the nearest other one among those given: ``separate=True``
    shrinks a radius (or footprint buffer) to at most half the gap, never below
    ``min_radius_m`` (or the default itself when smaller), so stops 30 m apart
    stay apart; ``grow > 1`` lets an isolated POI's radius or buffer grow up to
    ``grow`` x its default, still within half the gap, so a lone fort is
    announced from a sensible distance while a shop among shops keeps 15 m.

    POIs of a kind in ``halt_only_kinds`` (default: shops, ``commerce``) get
    ``halt_only`` fences: walking past a shop is no arrival, stopping at it is
    (a trail's stops, watched explicitly with ``set_active``, arrive on passing).
    """
    pois = list(getattr(pack_or_pois, "pois", pack_or_pois))
    if ids is not None:
        by_id = {p.id: p for p in pois}
        wanted = list(ids)
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise GeofenceError(f"fences_for: no POI {missing[0]!r}")
        pois = [by_id[i] for i in wanted]
    cat_r = dict(CATEGORY_RADIUS_M)
    cat_r.update(radius_by_category or {})
    kind_r = dict(DEFAULT_RADIUS_M)
    kind_r.update(radius_by_kind or {})
    prio = priority or {}
    halt_kinds = frozenset(halt_only_kinds)
    if grow < 1.0:
        raise GeofenceError("fences_for: grow must be >= 1")
    polys = [bool(use_footprints and p.footprint is not None) for p in pois]
    radii: list[float] = []
    for p, is_poly in zip(pois, polys):
        if is_poly:
            radii.append(float(footprint_buffer_m))
            continue
        rs = [cat_r[c] for c in p.categories if c in cat_r]
        radii.append(max(rs) if rs else kind_r.get(p.kind, 25.0))
    if (separate or grow > 1.0) and len(pois) > 1:
        lat0 = float(np.mean([p.location.lat for p in pois]))
        lon0 = float(np.mean([p.location.lon for p in pois]))
        kx, ky = metres_per_degree(lat0)
        scale, origin = np.array([kx, ky]), np.array([lon0, lat0])
        cores = []
        for p, is_poly in zip(pois, polys):
            if is_poly:
                cores.append(shapely.transform(as_geometry(p.footprint, p.id), lambda c: (c - origin) * scale))
            else:
                cores.append(shapely.Point((p.location.lon - lon0) * kx, (p.location.lat - lat0) * ky))
        tree = shapely.STRtree(cores)
        (src, _dst), gap = tree.query_nearest(cores, exclusive=True, return_distance=True, all_matches=False)
        half = np.full(len(pois), np.inf)
        half[src] = gap / 2.0
        for i, r0 in enumerate(list(radii)):
            r = r0
            if separate:
                r = max(min(r, half[i]), min(min_radius_m, r0))
            if grow > 1.0:
                r = max(r, min(grow * r0, half[i]))
            radii[i] = float(r)
    fences: list[Fence] = []
    for p, r, is_poly in zip(pois, radii, polys):
        pr = int(prio.get(p.id, 0))
        if is_poly:
            fences.append(
                Fence.polygon(p.id, p.footprint, buffer_m=r, center=p.location, priority=pr, halt_only=p.kind in halt_kinds)
            )
        else:
            fences.append(Fence(p.id, p.location, r, None, None, pr, p.kind in halt_kinds))
    return fences
