"""The map's basemap layer without a window: projected, banded and triangulated from the Monaco pack."""

import numpy as np
import shapely

from heritage_kit.packs import load_pack
from mobile.presenters.basemap import MAX_TRIANGLES_PER_MESH, band_for, triangle_meshes
from mobile.presenters.map_view import MapScene


def _area(tris: np.ndarray) -> float:
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
    u, v = b - a, c - a
    return float(np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]).sum() / 2)


def test_monaco_fills_cover_the_basemap_polygons_in_every_band(content_dir):
    pack = load_pack(content_dir / "monaco")
    scene = MapScene.from_pack(pack)
    assert scene.basemap is not None
    for band in (0, 1, 2):
        fills = scene.basemap.fills(band)
        assert {"sea", "park", "building"} <= set(fills), band
        # triangles cover exactly the polygons drawn in this band (areas agree within 1 %)
        polys = [g for lyr, _k, b, mb, g in scene.basemap.areas
                 if lyr == "building" and b <= band and (mb is None or band <= mb)]
        expected = float(shapely.area(np.array(polys, dtype=object)).sum())
        assert abs(_area(fills["building"]) - expected) <= 0.01 * expected
        for verts, idx in triangle_meshes(fills["building"]):
            assert len(idx) <= 3 * MAX_TRIANGLES_PER_MESH and len(verts) == 4 * len(idx)
    assert scene.basemap.fills(1) is scene.basemap.fills(1)  # triangulated once per band
    # more detail when zoomed in: small buildings appear from street view on
    assert len(scene.basemap.fills(0)["building"]) < len(scene.basemap.fills(2)["building"])


def test_a_pack_without_basemap_keeps_the_street_map(content_dir):
    scene = MapScene.from_pack(load_pack(content_dir / "perigueux"))
    assert scene.basemap is None
    assert band_for(5.0) == 0 and band_for(1.0) == 1 and band_for(0.2) == 2


def test_scale_bar_picks_the_longest_round_length_that_fits():
    from mobile.presenters.map_view import scale_bar

    assert scale_bar(1.0, 110) == (100, 100.0)  # 1 m/px: 100 m in 100 px
    assert scale_bar(4.0, 110) == (250, 62.5)  # town view
    metres, px = scale_bar(0.35, 110)
    assert metres == 20 and 0 < px <= 110
    assert scale_bar(3000.0, 110) == (10000, 10000 / 3000)
    assert scale_bar(0.001, 110)[0] == 5  # zoomed past the shortest length: still the shortest
