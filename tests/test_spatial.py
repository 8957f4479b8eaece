"""PoiIndex against brute-force geodesic scans, on the 44,480 Mérimée monuments and real town packs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from shapely.geometry import LineString, Point

from heritage_kit import PoiIndex, QueryError
from heritage_kit.geo import LocalProjection, haversine_m
from heritage_kit.importers.merimee import read_merimee
from heritage_kit.models import POI
from heritage_kit.packs import load_pack
from heritage_kit.spatial import fast_distance_m
from heritage_kit.types import BBox, LatLon

WGS84 = Geodesic.WGS84


def geodesic(lat1, lon1, lat2, lon2) -> float:
    return WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]


class BruteForce:
    """The reference: every POI's geodesic (Karney) distance, ties broken by pack order.

    To keep the scan affordable on 44,480 points, every point is first measured
    on the sphere (within 0.56% of the ellipsoid everywhere) and only those that
    could possibly qualify (spherical distance <= limit * 1.01) are measured
    with the exact geodesic; no point is skipped without that proof.
    """

    def __init__(self, pois: list[POI]) -> None:
        self.pois = pois
        self.lat = np.array([p.lat for p in pois])
        self.lon = np.array([p.lon for p in pois])

    def ranked(self, lat: float, lon: float, limit_m: float, rows: np.ndarray | None = None):
        rows = np.arange(len(self.pois)) if rows is None else rows
        sph = haversine_m(lat, lon, self.lat[rows], self.lon[rows])
        cand = rows[sph <= limit_m * 1.01 + 1.0]
        d = np.array([geodesic(lat, lon, self.lat[i], self.lon[i]) for i in cand])
        order = np.lexsort((cand, d))
        return [(self.pois[cand[j]].id, d[j]) for j in order]

    def nearest(self, lat, lon, k, rows=None):
        rows = np.arange(len(self.pois)) if rows is None else rows
        sph = np.sort(haversine_m(lat, lon, self.lat[rows], self.lon[rows]))
        limit = sph[min(k, len(sph) - 1)] * 1.0075  # the k+1-th on the sphere bounds the k-th exactly
        return self.ranked(lat, lon, limit, rows)[:k]

    def within(self, lat, lon, radius):
        return [(i, d) for i, d in self.ranked(lat, lon, radius) if d <= radius]


def assert_same(hits, expected):
    assert [h.poi.id for h in hits] == [i for i, _ in expected]
    for h, (_, d) in zip(hits, expected):
        # well inside 0.5%: the documented bound of the refinement
        assert abs(h.distance_m - d) <= 1e-6 + d * (2e-9 + 0.002 * (d / 6_371_008.8) ** 2) + d * 2e-5


@pytest.fixture(scope="module")
def france(raw_dir):
    pois = read_merimee(raw_dir / "merimee" / "mh-france-all.geojson.gz")
    assert len(pois) == 44_480
    return pois, PoiIndex(pois), BruteForce(pois)


def random_queries(bf: BruteForce, n: int, seed: int):
    """Positions near real monuments (dense towns), a few km off, and far out (sea, abroad)."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        j = rng.integers(len(bf.pois))
        spread = rng.choice([0.0005, 0.005, 0.05, 0.5, 2.0])
        yield float(bf.lat[j] + rng.normal(0, spread)), float(bf.lon[j] + rng.normal(0, spread))


@pytest.mark.slow
def test_nearest_equals_brute_force_on_all_french_monuments(france):
    _, index, bf = france
    for lat, lon in random_queries(bf, 60, seed=1):
        for k in (1, 10):
            assert_same(index.nearest(lat, lon, k), bf.nearest(lat, lon, k))


@pytest.mark.slow
def test_within_equals_brute_force_on_all_french_monuments(france):
    _, index, bf = france
    for n, (lat, lon) in enumerate(random_queries(bf, 60, seed=2)):
        radius = (100.0, 500.0, 2_000.0)[n % 3]
        assert_same(index.within(lat, lon, radius), bf.within(lat, lon, radius))


@pytest.mark.slow
def test_filtered_and_capped_nearest_equal_brute_force_on_all_french_monuments(france):
    """Categories common (churches), spread (castles) and rare (bridges), and a distance cap."""
    pois, index, bf = france
    rows = {c: np.array([i for i, p in enumerate(pois) if c in p.categories]) for c in ("church", "castle", "bridge")}
    for n, (lat, lon) in enumerate(random_queries(bf, 45, seed=4)):
        cat = ("church", "castle", "bridge")[n % 3]
        for k in (1, 10):
            assert_same(index.nearest(lat, lon, k, categories=[cat]), bf.nearest(lat, lon, k, rows=rows[cat]))
        cap = (300.0, 3_000.0, 30_000.0)[n % 3]
        assert_same(index.nearest(lat, lon, 10, max_distance_m=cap), bf.within(lat, lon, cap)[:10])


@pytest.mark.slow
def test_whole_country_distances_stay_geodesic(france):
    """No flat projection across France: Brest to Strasbourg, Dunkirk to Corsica, and overseas."""
    _, index, bf = france
    for lat, lon in [(48.39, -4.49), (48.58, 7.75), (51.03, 2.37), (41.93, 8.74), (16.24, -61.53), (-21.11, 55.53)]:
        hits = index.nearest(lat, lon, 3)
        assert_same(hits, bf.nearest(lat, lon, 3))
        # the farthest monument from here, measured through the index, is still geodesic
        everything = index.in_bbox(-90, -180, 90, 180, origin=LatLon(lat=lat, lon=lon))
        assert len(everything) == len(bf.pois)
        rng = np.random.default_rng(int(abs(lat * 1000)))
        for h in [everything[-1], *(everything[j] for j in rng.integers(len(everything), size=200))]:
            exact = geodesic(lat, lon, h.poi.lat, h.poi.lon)
            assert abs(h.distance_m - exact) <= 0.005 * exact
            assert abs(h.distance_m - exact) <= 1e-4 * exact + 1e-3  # in fact far better than 0.5%
        assert everything[-1].distance_m > 500_000


def test_nearest_and_within_in_a_town_pack(content_dir):
    pack = load_pack(content_dir / "monaco")
    bf = BruteForce(pack.pois)
    for lat, lon in random_queries(bf, 40, seed=3):
        assert_same(pack.index.nearest(lat, lon, 10), bf.nearest(lat, lon, 10))
        assert_same(pack.index.within(lat, lon, 150), bf.within(lat, lon, 150))


def test_filters_by_kind_and_category(content_dir):
    pack = load_pack(content_dir / "monaco")
    index, bf = pack.index, BruteForce(pack.pois)
    pharm = np.array([i for i, p in enumerate(pack.pois) if "pharmacy" in p.categories])
    shops = np.array([i for i, p in enumerate(pack.pois) if p.kind == "commerce"])
    assert len(pharm) >= 10 and len(shops) > 100
    lat, lon = 43.7384, 7.4246
    hits = index.nearest(lat, lon, 3, categories=["pharmacy"])
    assert all("pharmacy" in h.poi.categories for h in hits)
    assert_same(hits, bf.nearest(lat, lon, 3, rows=pharm))
    assert_same(index.nearest(lat, lon, 5, kinds="commerce"), bf.nearest(lat, lon, 5, rows=shops))
    near_shops = index.within(lat, lon, 300, kinds=["commerce"], categories=["bakery", "cafe"])
    assert near_shops and all(h.poi.kind == "commerce" and {"bakery", "cafe"} & set(h.poi.categories) for h in near_shops)
    # asking for more than there are gives all of them
    assert len(index.nearest(lat, lon, 100, categories="pharmacy")) == len(pharm)
    assert index.nearest(lat, lon, 5, categories="cemetery") == [] or all(
        "cemetery" in h.poi.categories for h in index.nearest(lat, lon, 5, categories="cemetery")
    )


def test_max_distance_and_limit(content_dir):
    pack = load_pack(content_dir / "monaco")
    lat, lon = 43.7384, 7.4246
    capped = pack.index.nearest(lat, lon, 50, max_distance_m=120)
    assert capped == pack.index.within(lat, lon, 120)[:50]
    assert pack.index.within(lat, lon, 400, limit=3) == pack.index.within(lat, lon, 400)[:3]


def test_in_bbox(content_dir):
    pack = load_pack(content_dir / "monaco")
    box = BBox(south=43.728, west=7.415, north=43.735, east=7.425)
    hits = pack.index.in_bbox(box)
    expected = {p.id for p in pack.pois if box.south <= p.lat <= box.north and box.west <= p.lon <= box.east}
    assert {h.poi.id for h in hits} == expected and expected
    dists = [h.distance_m for h in hits]
    assert dists == sorted(dists)
    c = ((box.south + box.north) / 2, (box.west + box.east) / 2)
    assert abs(hits[0].distance_m - geodesic(*c, hits[0].poi.lat, hits[0].poi.lon)) < 0.01
    # four floats work too, and an origin changes the order
    same = pack.index.in_bbox(box.south, box.west, box.north, box.east, origin=LatLon(lat=box.south, lon=box.west))
    assert {h.poi.id for h in same} == expected
    assert [h.distance_m for h in same] == sorted(h.distance_m for h in same)


def test_along_a_route_matches_a_local_brute_force(content_dir):
    pack = load_pack(content_dir / "perigueux")
    # a walk across Périgueux's old town (real street corners, roughly)
    path = [
        LatLon(lat=45.1806, lon=0.7150),
        LatLon(lat=45.1840, lon=0.7190),
        LatLon(lat=45.1845, lon=0.7230),
        LatLon(lat=45.1870, lon=0.7240),
    ]
    corridor = 120.0
    hits = pack.index.along(path, corridor)
    # oracle: shapely in a local metric projection (a town is small enough for it)
    proj = LocalProjection(45.184, 0.721)
    line = LineString([proj.to_xy(p.lat, p.lon) for p in path])
    expected = []
    for p in pack.pois:
        pt = Point(proj.to_xy(p.lat, p.lon))
        if line.distance(pt) <= corridor - 0.5:
            expected.append((line.project(pt), p.id, line.distance(pt)))
    expected.sort()
    got = {h.poi.id: h for h in hits}
    assert expected and {i for _, i, _ in expected} <= set(got)
    assert all(h.distance_m <= corridor for h in hits)
    alongs = [h.along_m for h in hits]
    assert alongs == sorted(alongs)
    for a, i, d in expected:
        assert abs(got[i].distance_m - d) <= 0.5 + 0.002 * d
        assert abs(got[i].along_m - a) <= 1.0 + 0.002 * a


def test_antimeridian_and_pole_against_a_full_geodesic_scan():
    rng = np.random.default_rng(7)
    pois = []
    for i in range(400):
        if i % 2:
            lat, lon = rng.uniform(-17.5, -16.5), rng.choice([rng.uniform(179.4, 180.0), rng.uniform(-180.0, -179.4)])
        else:
            lat, lon = rng.uniform(84.0, 89.9), rng.uniform(-180, 180)
        pois.append(POI(id=f"hk:p{i}", kind="heritage", name={"en": f"p{i}"}, location={"lat": lat, "lon": lon}))
    index, bf = PoiIndex(pois), BruteForce(pois)
    for lat, lon in [(-17.0, 179.99), (-17.0, -179.99), (-16.9, 180.0), (88.0, 10.0), (89.99, -100.0), (85.0, 179.9)]:
        full = sorted((geodesic(lat, lon, p.lat, p.lon), i) for i, p in enumerate(pois))
        assert [h.poi.id for h in index.nearest(lat, lon, 10)] == [pois[i].id for _, i in full[:10]]
        within = [pois[i].id for d, i in full if d <= 20_000]
        assert [h.poi.id for h in index.within(lat, lon, 20_000)] == within


def test_fast_distance_is_within_its_bound():
    rng = np.random.default_rng(11)
    for _ in range(1000):
        lat0, lon0 = rng.uniform(-90, 90), rng.uniform(-180, 180)  # poles and antimeridian included
        az, dist = rng.uniform(0, 360), 10 ** rng.uniform(-1, 6)
        g = WGS84.Direct(lat0, lon0, az, dist)
        d = fast_distance_m(lat0, lon0, np.array([g["lat2"]]), np.array([g["lon2"]]))[0]
        assert abs(d - dist) <= 1e-6 + dist * (2e-9 + 0.002 * (dist / 6_371_008.8) ** 2)


def test_bad_queries_are_clear_errors(content_dir):
    index = load_pack(content_dir / "chambery").index
    with pytest.raises(QueryError, match="lat"):
        index.nearest(95.0, 2.0)
    with pytest.raises(QueryError):
        index.within(45.0, 5.9, -1)
    with pytest.raises(QueryError):
        index.within(45.0, 5.9, math.nan)
    with pytest.raises(QueryError, match="category"):
        index.nearest(45.0, 5.9, categories=["bakeries"])
    with pytest.raises(QueryError, match="kind"):
        index.nearest(45.0, 5.9, kinds=["shop"])
    with pytest.raises(ValueError):
        index.along([(45.0, 5.9), (45.1, 5.9)], 10)  # tuples are not positions
    assert index.nearest(45.0, 5.9, 0) == []
    assert PoiIndex([]).nearest(45.0, 5.9) == [] and PoiIndex([]).within(45.0, 5.9, 100) == []


def test_pack_index_is_built_once_lazily(content_dir):
    pack = load_pack(content_dir / "chambery")
    assert "index" not in pack._derived
    first = pack.index
    assert pack.index is first and len(first) == len(pack.pois)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(
    centre_lat=st.floats(-89.5, 89.5),
    centre_lon=st.floats(-179.9, 179.9),
    spread=st.sampled_from([0.0005, 0.01, 0.3, 3.0]),
    n=st.integers(1, 60),
    k=st.integers(1, 12),
    radius=st.floats(1.0, 200_000.0),
    seed=st.integers(0, 2**16),
)
def test_property_equals_a_full_geodesic_scan(centre_lat, centre_lon, spread, n, k, radius, seed):
    rng = np.random.default_rng(seed)
    lats = np.clip(centre_lat + rng.normal(0, spread, n), -89.0, 89.0)
    lons = (centre_lon + rng.normal(0, spread, n) + 180.0) % 360.0 - 180.0
    if n > 3:  # duplicates happen in real data (several monuments on one point)
        lats[1], lons[1] = lats[0], lons[0]
    pois = [
        POI(
            id=f"hk:q{i}",
            kind="heritage",
            name={"en": f"q{i}"},
            categories=["church" if i % 3 else "castle"],
            location={"lat": float(a), "lon": float(b)},
        )
        for i, (a, b) in enumerate(zip(lats, lons))
    ]
    index = PoiIndex(pois)
    qlat = float(np.clip(centre_lat + rng.normal(0, spread), -89.0, 89.0))
    qlon = float((centre_lon + rng.normal(0, spread) + 180.0) % 360.0 - 180.0)
    full = sorted((geodesic(qlat, qlon, p.lat, p.lon), i) for i, p in enumerate(pois))
    assert [h.poi.id for h in index.nearest(qlat, qlon, k)] == [pois[i].id for _, i in full[:k]]
    assert [h.poi.id for h in index.within(qlat, qlon, radius)] == [pois[i].id for d, i in full if d <= radius]
    assert [h.poi.id for h in index.nearest(qlat, qlon, k, max_distance_m=radius)] == [
        pois[i].id for d, i in full if d <= radius
    ][:k]
    assert [h.poi.id for h in index.nearest(qlat, qlon, k, categories="castle")] == [
        pois[i].id for _, i in full if i % 3 == 0
    ][:k]


def _full_scan(pois, lat, lon):
    return sorted((geodesic(lat, lon, p.lat, p.lon), i) for i, p in enumerate(pois))


def test_places_shared_by_several_pois_and_mirror_ties_follow_pack_order():
    """Several POIs at one place across the k-th result, and POIs at mirror positions
    (the same geodesic distance from a query on the meridian between them): the fast
    paths must hand these to the exact ordering, never pick among them arbitrarily."""
    rng = np.random.default_rng(5)
    places = [(45.0 + rng.normal(0, 0.01), 6.0 + rng.normal(0, 0.01)) for _ in range(300)]
    # a crowd of 7 POIs on one spot ~ the 8th-14th nearest, scattered in pack order
    spot = (45.0012, 6.0009)
    for j in (3, 40, 41, 120, 200, 260, 299):
        places[j] = spot
    # mirror pairs around the meridian 6.0 at the query latitude
    for j, dlon in ((10, 0.0004), (11, -0.0004), (50, 0.0011), (51, -0.0011)):
        places[j] = (45.0, 6.0 + dlon)
    pois = [
        POI(id=f"hk:s{i}", kind="heritage", name={"en": f"s{i}"}, location={"lat": a, "lon": b})
        for i, (a, b) in enumerate(places)
    ]
    index = PoiIndex(pois)
    for lat, lon in [(45.0, 6.0), (45.0010, 6.0007), (45.0012, 6.0009), (44.9990, 6.0)]:
        full = _full_scan(pois, lat, lon)
        for k in range(1, 25):
            assert [h.poi.id for h in index.nearest(lat, lon, k)] == [pois[i].id for _, i in full[:k]], (lat, lon, k)
        for radius in (50.0, 120.0, 150.0, 400.0):
            expected = [pois[i].id for d, i in full if d <= radius]
            assert [h.poi.id for h in index.within(lat, lon, radius)] == expected
            assert [h.poi.id for h in index.within(lat, lon, radius, limit=3)] == expected[:3]


def test_a_crowd_tied_with_a_mirror_poi_across_the_kth():
    """Three POIs on one spot and one POI at its mirror position (the same geodesic distance
    to the last bit): the first k must follow pack order even when the crowd's fast distance
    is a hair smaller and the crowd runs past the k-th (this once went wrong)."""
    for lat in (0.3, 27.5, 51.26, -63.0):
        for lone_first in (True, False):
            near = (lat + 0.0005, 10.0)
            east, west = (lat + 0.01, 10.005), (lat + 0.01, 9.995)
            spots = [near, east, west, west, west] if lone_first else [near, west, east, east, east]
            pois = [
                POI(id=f"hk:m{i}", kind="heritage", name={"en": f"m{i}"}, location={"lat": a, "lon": b})
                for i, (a, b) in enumerate(spots)
            ]
            far = [(lat + 0.1 + i * 0.01, 10.0) for i in range(40)]
            pois += [
                POI(id=f"hk:f{i}", kind="heritage", name={"en": f"f{i}"}, location={"lat": a, "lon": b})
                for i, (a, b) in enumerate(far)
            ]
            index = PoiIndex(pois)
            full = _full_scan(pois, lat, 10.0)
            for k in range(1, 7):
                assert [h.poi.id for h in index.nearest(lat, 10.0, k)] == [pois[i].id for _, i in full[:k]], (lat, k)
            radius = full[4][0]  # exactly the crowd's distance
            assert [h.poi.id for h in index.within(lat, 10.0, radius)] == [pois[i].id for d, i in full if d <= radius]


def test_nearest_and_within_give_the_very_same_distances(france):
    """The fast paths and the general code compute a distance the same way, to the last bit."""
    _, index, bf = france
    for lat, lon in random_queries(bf, 30, seed=9):
        near = index.nearest(lat, lon, 12)
        if near[-1].distance_m - near[-2].distance_m < 1e-3:
            continue
        radius = (near[-2].distance_m + near[-1].distance_m) / 2  # well off the edge: no exact re-measure
        assert index.within(lat, lon, radius) == near[:-1]
        assert index.nearest(lat, lon, 12, max_distance_m=near[-1].distance_m * 2) == near  # the general loop
