"""Small, pure geodesy helpers shared by discovery, geofencing and routing.

``geodesic_m`` is the reference (Karney's algorithm, via geographiclib which
geopy ships); ``haversine_m`` is the fast spherical formula (vectorised with
NumPy); ``LocalProjection`` is an azimuthal-equidistant-like local tangent
plane for small areas (a town): metres east/north of an origin.

The fast ellipsoidal kernel of the spatial index lives here too:
``fast_distance_m`` is the chord between two points in Earth-centred (ECEF,
WGS84) coordinates lengthened to the arc with the Gaussian radius of curvature
at the query point (relative error below ``0.002 (d / R)²`` up to
``FAST_MAX_M``; ``fast_error_bound_m`` bounds it), ``lambert_m`` takes longer
lines (relative error below ``LAMBERT_REL_ERR``), ``geodesic_distance_m`` is
the exact fallback one pair at a time. ``ecef`` and ``chord_origin`` are its
pieces, for callers that precompute the points' ECEF rows once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from geographiclib.geodesic import Geodesic

__all__ = [
    "WGS84_A",
    "WGS84_F",
    "WGS84_E2",
    "ACCURACY_PER_SIGMA",
    "SIGMA_PER_ACCURACY",
    "metres_per_degree",
    "FAST_MAX_M",
    "LAMBERT_REL_ERR",
    "ecef",
    "chord_origin",
    "fast_distance_m",
    "fast_distance_scalar_m",
    "fast_error_bound_m",
    "geodesic_distance_m",
    "lambert_m",
    "EARTH_RADIUS_M", "geodesic_m", "haversine_m", "bearing_deg", "LocalProjection"]

EARTH_RADIUS_M = 6_371_008.8
_WGS84 = Geodesic.WGS84

WGS84_A = 6_378_137.0
"""WGS84 semi-major axis (m)."""
WGS84_F = 1 / 298.257223563
"""WGS84 flattening."""
WGS84_E2 = WGS84_F * (2 - WGS84_F)
"""WGS84 first eccentricity squared."""
ACCURACY_PER_SIGMA = 1.515
"""68% radius of a circular Gaussian, in units of its per-axis std (Android's accuracy)."""
SIGMA_PER_ACCURACY = 1.0 / ACCURACY_PER_SIGMA
"""Per-axis std of a circular Gaussian whose 68% radius is 1."""
_DEG = math.pi / 180.0
_DIST = Geodesic.DISTANCE


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, metres per degree of latitude) at ``lat``.

    The meridian and prime-vertical radii of WGS84, as in :class:`LocalProjection`.
    """
    s = math.sin(lat * _DEG)
    w2 = 1.0 - WGS84_E2 * s * s
    w = math.sqrt(w2)
    return WGS84_A / w * math.cos(lat * _DEG) * _DEG, WGS84_A * (1 - WGS84_E2) / (w2 * w) * _DEG


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Ellipsoidal (WGS84) distance in metres."""
    return _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres; accepts scalars or NumPy arrays."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


class LocalProjection:
    """Metres east (x) / north (y) of an origin, for areas of a few km.

    Uses the ellipsoid's meridian and prime-vertical radii at the origin, so
    distances within ~5 km of the origin agree with geodesic ones to ~0.1%.
    """

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0 = float(lat0)
        self.lon0 = float(lon0)
        a = WGS84_A
        f = WGS84_F
        e2 = f * (2 - f)
        s = math.sin(math.radians(lat0))
        w = math.sqrt(1 - e2 * s * s)
        self._m_per_rad_lat = a * (1 - e2) / (w**3)
        self._m_per_rad_lon = a / w * math.cos(math.radians(lat0))

    def to_xy(self, lat, lon):
        x = np.radians(np.asarray(lon, dtype=float) - self.lon0) * self._m_per_rad_lon
        y = np.radians(np.asarray(lat, dtype=float) - self.lat0) * self._m_per_rad_lat
        if np.ndim(x) == 0:
            return float(x), float(y)
        return x, y

    def to_latlon(self, x, y):
        lat = self.lat0 + np.degrees(np.asarray(y, dtype=float) / self._m_per_rad_lat)
        lon = self.lon0 + np.degrees(np.asarray(x, dtype=float) / self._m_per_rad_lon)
        if np.ndim(lat) == 0:
            return float(lat), float(lon)
        return lat, lon


# -- the fast ellipsoidal kernel (spatial index) ----------------------------------------

FAST_MAX_M = 1_000_000.0
"""Longest distance for which :func:`fast_distance_m`'s error bound was measured (beyond: :func:`lambert_m`)."""
LAMBERT_REL_ERR = 2e-5
"""Relative error bound of :func:`lambert_m` (4e-6 measured)."""


def ecef(lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Earth-centred coordinates (metres) of points on the WGS84 ellipsoid."""
    p, lam = np.radians(lats), np.radians(lons)
    sp, cp = np.sin(p), np.cos(p)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * sp * sp)
    return n * cp * np.cos(lam), n * cp * np.sin(lam), n * (1.0 - WGS84_E2) * sp


def chord_origin(lat0: float, lon0: float) -> tuple[float, float, float, float]:
    """ECEF of the query point and 1 / (24 R²), R its Gaussian radius of curvature.

    A squared chord ``c2`` from there is the arc ``sqrt(c2) * (1 + c2 * k24)``.
    """
    p, lam = math.radians(lat0), math.radians(lon0)
    sp, cp = math.sin(p), math.cos(p)
    w2 = 1.0 - WGS84_E2 * sp * sp
    n = WGS84_A / math.sqrt(w2)
    m = n * (1.0 - WGS84_E2) / w2
    return n * cp * math.cos(lam), n * cp * math.sin(lam), n * (1.0 - WGS84_E2) * sp, 1.0 / (24.0 * m * n)


def fast_distance_m(lat0: float, lon0: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Ellipsoidal distance from the chord through the Earth (vectorised).

    The straight line between the two points in Earth-centred coordinates,
    lengthened to the arc (``c + c³ / 24R²``, R the Gaussian radius of
    curvature at the query point). Relative error below ``0.002 (d / 6371 km)²``
    up to 1,000 km at any latitude, poles and antimeridian included (measured
    against Karney's geodesic: 3e-4 (d/R)², i.e. 2e-8 at 50 km).
    """
    x, y, z = ecef(np.asarray(lats, dtype=float), np.asarray(lons, dtype=float))
    x0, y0, z0, k = chord_origin(lat0, lon0)
    dx = x - x0
    dy = y - y0
    dz = z - z0
    c2 = dx * dx
    c2 += dy * dy
    c2 += dz * dz
    c = np.sqrt(c2)
    c2 *= k
    c2 += 1.0
    c *= c2
    return c


def fast_distance_scalar_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """:func:`fast_distance_m` for one pair, in plain Python."""
    x0, y0, z0, k = chord_origin(lat0, lon0)
    x, y, z, _ = chord_origin(lat, lon)
    c2 = (x - x0) ** 2 + (y - y0) ** 2 + (z - z0) ** 2
    return math.sqrt(c2) * (1.0 + c2 * k)


def fast_error_bound_m(d):
    """Upper bound of |fast - geodesic| (metres) for fast distances ``d`` up to :data:`FAST_MAX_M`."""
    q = d / EARTH_RADIUS_M
    return 1e-6 + d * (2e-9 + 0.002 * q * q)


def geodesic_distance_m(lat0: float, lon0: float, lats: Iterable[float], lons: Iterable[float]) -> np.ndarray:
    """Karney's geodesic distances (geographiclib) from one point, one pair at a time."""
    inv = _WGS84.Inverse
    return np.fromiter(
        (inv(lat0, lon0, float(la), float(lo), _DIST)["s12"] for la, lo in zip(lats, lons)), dtype=float
    )


def lambert_m(lat0: float, lon0: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Lambert's formula for long lines on the WGS84 ellipsoid (vectorised).

    Near-antipodal pairs (where it degrades) get the exact geodesic.
    """
    f = WGS84_F
    b1 = math.atan((1 - f) * math.tan(math.radians(lat0)))
    b2 = np.arctan((1 - f) * np.tan(np.radians(lats)))
    h = np.sin((b2 - b1) / 2) ** 2 + math.cos(b1) * np.cos(b2) * np.sin(np.radians(lons - lon0) / 2) ** 2
    sig = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    p, q = (b1 + b2) / 2, (b2 - b1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sig - np.sin(sig)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sig / 2) ** 2
        y = (sig + np.sin(sig)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sig / 2) ** 2
        d = WGS84_A * (sig - f / 2 * (x + y))
    bad = ~np.isfinite(d) | (sig > 2.5)
    if bad.any():
        d[bad] = geodesic_distance_m(lat0, lon0, lats[bad], lons[bad])
    return d
