"""The one place heritage_kit reaches into shapely's private internals.

Two shortcuts make the spatial index's small queries cheap (``STRtree.query``
spends ~3 of its 3.5 µs in Python around the compiled tree; ``shapely.box``'s
wrapper only checks for deprecated arguments):

* :data:`box` — ``shapely.lib.box`` (the ufunc under ``shapely.box``), called
  ``box(west, south, east, north, ccw)``;
* :func:`tree_query` — ``STRtree._tree.query(geoms, 0)`` (the compiled tree,
  predicate 0 = envelopes intersect).

Each falls back to the public API when the private name is missing, so an
upgrade of shapely stays correct; ``tests/test_shapely_shim.py`` is pinned to
:data:`TESTED_WITH` and fails loudly when a shortcut disappears or answers
differently from the public API (an upgrade then says so instead of slowing
down silently).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from shapely import STRtree

__all__ = ["TESTED_WITH", "box", "has_fast_box", "has_fast_tree", "public_box", "tree_query"]

TESTED_WITH = "2.2.0"
"""The shapely version whose internals this module was checked against."""


def public_box(west: float, south: float, east: float, north: float, ccw: bool = True):
    """``shapely.box`` through its public wrapper (the fallback of :data:`box`)."""
    return shapely.box(west, south, east, north, ccw=ccw)


_lib_box = getattr(getattr(shapely, "lib", None), "box", None)
has_fast_box = _lib_box is not None
box: Callable = _lib_box if _lib_box is not None else public_box
"""``box(west, south, east, north, ccw)`` → a polygon: shapely's ufunc, else :func:`public_box`."""


def has_fast_tree(tree: STRtree) -> bool:
    """Whether ``tree`` exposes the compiled tree :func:`tree_query` uses."""
    return getattr(tree, "_tree", None) is not None


def tree_query(tree: STRtree) -> Callable[[np.ndarray], np.ndarray]:
    """A function: array of geometries → rows of ``tree``'s geometries whose envelopes meet theirs.

    Rows come as ``STRtree.query(geoms)[1]`` gives them (one per pair, so a row
    may repeat when several geometries are asked).
    """
    ctree = getattr(tree, "_tree", None)
    if ctree is not None:
        query = ctree.query

        def fast(geoms: np.ndarray) -> np.ndarray:
            return query(geoms, 0)[1]

        return fast

    def public(geoms: np.ndarray) -> np.ndarray:
        return tree.query(geoms)[1]

    return public
