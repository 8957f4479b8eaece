"""The one place heritage_kit reaches into shapely's private internals.

Two shortcuts make the spatial index's small queries cheap (``STRtree.query``
spends ~3 of its 3.5 µs in Python around the compiled tree; ``shapely.box``'s
wrapper only checks for deprecated arguments):

* :data:`box` — ``shapely.lib.box`` (the ufunc under ``shapely.box``), called
  ``box(west, south, east, north, ccw)``;
* :func:`compiled_tree` — ``STRtree._tree``, whose ``query(geoms, 0)`` (predicate
  0 = envelopes intersect) skips ``STRtree.query``'s Python; :func:`tree_query`
  wraps it as a function of the geometries.

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

__all__ = ["TESTED_WITH", "box", "compiled_tree", "has_fast_box", "has_fast_tree", "public_box", "tree_query"]

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
    """Whether ``tree`` exposes the compiled tree :func:`compiled_tree` returns."""
    return getattr(tree, "_tree", None) is not None


class _PublicTree:
    """The compiled tree's ``query(geoms, predicate)`` through ``STRtree``'s public method (predicate 0 only)."""

    __slots__ = ("_tree",)

    def __init__(self, tree: STRtree) -> None:
        self._tree = tree

    def query(self, geoms: np.ndarray, predicate: int = 0) -> np.ndarray:
        if predicate != 0:
            raise ValueError("only predicate 0 (envelopes intersect) has a public fallback here")
        return self._tree.query(geoms)


def compiled_tree(tree: STRtree):
    """An object whose ``query(geoms, 0)`` gives ``STRtree.query(geoms)``'s (2, n) array of index pairs.

    ``tree._tree`` itself (no Python frame around the compiled call) when this
    shapely has it, else an adapter over the public method.
    """
    ctree = getattr(tree, "_tree", None)
    return ctree if ctree is not None else _PublicTree(tree)


def tree_query(tree: STRtree) -> Callable[[np.ndarray], np.ndarray]:
    """A function: array of geometries → rows of ``tree``'s geometries whose envelopes meet theirs.

    Rows come as ``STRtree.query(geoms)[1]`` gives them (one per pair, so a row
    may repeat when several geometries are asked).
    """
    query = compiled_tree(tree).query

    def rows(geoms: np.ndarray) -> np.ndarray:
        return query(geoms, 0)[1]

    return rows
