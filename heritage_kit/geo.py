"""Small, pure geodesy helpers shared by discovery, geofencing and routing.

``geodesic_m`` is the reference (Karney's algorithm, via geographiclib which
geopy ships); ``haversine_m`` is the fast spherical formula (vectorised with
NumPy); ``LocalProjection`` is an azimuthal-equidistant-like local tangent
plane for small areas (a town): metres east/north of an origin.
"""

from __future__ import annotations

import math

import numpy as np
from geographiclib.geodesic import Geodesic

__all__ = [
    "WGS84_A",
    "WGS84_F",
    "WGS84_E2",
    "ACCURACY_PER_SIGMA",
    "SIGMA_PER_ACCURACY",
    "metres_per_degree",
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
