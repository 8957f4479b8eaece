"""heritage_kit._shapely: the private shapely shortcuts exist and answer as the public API does.

Pinned to the installed shapely: after an upgrade this file fails until someone re-checks the shim
(and bumps ``TESTED_WITH``), so a shortcut that disappears shows up here, not as a silent slow-down.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import STRtree

from heritage_kit import _shapely


def test_pinned_to_the_installed_shapely():
    assert shapely.__version__ == _shapely.TESTED_WITH, (
        f"shapely is {shapely.__version__}, the shim was checked against {_shapely.TESTED_WITH}: "
        "re-run this file's checks, then update heritage_kit/_shapely.py TESTED_WITH"
    )


def test_the_shortcuts_exist_in_this_shapely():
    tree = STRtree(shapely.points([0.0, 1.0], [0.0, 1.0]))
    assert _shapely.has_fast_box, "shapely.lib.box is gone: spatial queries now use the slower public shapely.box"
    assert _shapely.box is shapely.lib.box
    assert _shapely.has_fast_tree(tree), "STRtree._tree is gone: spatial queries now use the slower public query"
    assert _shapely.compiled_tree(tree) is tree._tree


@pytest.mark.parametrize("ccw", [True, False])
def test_fast_box_equals_public_box(ccw):
    rng = np.random.default_rng(12)
    for _ in range(50):
        w, s = rng.uniform(-180, 170), rng.uniform(-90, 80)
        e, n = w + rng.uniform(0, 10), s + rng.uniform(0, 10)
        fast, public = _shapely.box(w, s, e, n, ccw), _shapely.public_box(w, s, e, n, ccw)
        assert shapely.equals_exact(fast, public, tolerance=0.0), (fast, public)
        assert shapely.is_ccw(fast.exterior) == shapely.is_ccw(public.exterior)


def test_fast_tree_query_equals_public_query():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-5, 8, 2000), rng.uniform(42, 51, 2000)
    tree = STRtree(shapely.points(lon, lat))
    fast = _shapely.tree_query(tree)
    for _ in range(100):
        w, s = rng.uniform(-6, 8), rng.uniform(41, 51)
        boxes = [shapely.box(w, s, w + rng.uniform(0, 2), s + rng.uniform(0, 2)) for _ in range(rng.integers(1, 3))]
        geoms = np.array(boxes, dtype=object)
        got = fast(geoms)
        want = tree.query(geoms)[1]
        assert got.dtype.kind == "i"
        assert sorted(got.tolist()) == sorted(want.tolist())
    # no answer is an empty array of rows, as the public API gives
    empty = fast(np.array([shapely.box(100, 0, 101, 1)], dtype=object))
    assert empty.size == 0 and empty.dtype.kind == "i"


def test_public_fallback_answers_as_the_shortcut():
    """The fallback taken when ``_tree`` is missing (an object without it) gives the same rows."""
    rng = np.random.default_rng(3)
    pts = shapely.points(rng.uniform(0, 1, 500), rng.uniform(0, 1, 500))
    tree = STRtree(pts)

    class PublicOnly:  # an STRtree of a shapely without the private attribute
        def query(self, geoms):
            return tree.query(geoms)

    public = _shapely.tree_query(PublicOnly())
    fast = _shapely.tree_query(tree)
    geoms = np.array([shapely.box(0.2, 0.2, 0.5, 0.6)], dtype=object)
    assert sorted(public(geoms).tolist()) == sorted(fast(geoms).tolist())
    assert len(fast(geoms)) > 0
    # the adapter has the compiled tree's signature and (2, n) answer
    adapter = _shapely.compiled_tree(PublicOnly())
    assert not isinstance(adapter, type(tree._tree))
    assert adapter.query(geoms, 0).shape == tree._tree.query(geoms, 0).shape
    with pytest.raises(ValueError):
        adapter.query(geoms, 1)

