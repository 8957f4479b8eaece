"""Helpers of the geofencing tests: hand-made walks in metres around Monaco-Ville."""

from __future__ import annotations

import math

from heritage_kit.geo import LocalProjection
from heritage_kit.geofence import Fence, Fix
from heritage_kit.models import POI
from heritage_kit.types import LatLon

# Monaco-Ville, near the cathedral
P = LocalProjection(43.7306, 7.4230)


def at(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of the point x m east, y m north of the origin."""
    return P.to_latlon(x, y)


def fix(x: float, y: float, t: float, acc: float = 5.0) -> Fix:
    lat, lon = at(x, y)
    return Fix(lat, lon, acc, t)


def circle(fid: str, x: float, y: float, r: float, **kw) -> Fence:
    lat, lon = at(x, y)
    return Fence.circle(fid, lat=lat, lon=lon, radius_m=r, **kw)


def walk(engine, points, t0=0.0, dt=1.0, acc=5.0):
    """Feed fixes at (x, y) points, one per dt; (t, event) pairs."""
    out = []
    t = t0
    for x, y in points:
        for e in engine.update(fix(x, y, t, acc)):
            out.append(e)
        t += dt
    return out


def line(x0, y0, x1, y1, step=1.0):
    n = max(1, int(round(math.hypot(x1 - x0, y1 - y0) / step)))
    return [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n + 1)]


def kinds(events, fid=None):
    return [e.kind for e in events if fid is None or e.fence_id == fid]


def make_poi(pid, cats, kind, x, y, footprint=None):
    lat, lon = at(x, y)
    return POI(
        id=pid,
        kind=kind,
        categories=cats,
        name={"fr": pid},
        location=LatLon(lat=lat, lon=lon),
        footprint=footprint,
    )


def ll(x: float, y: float) -> LatLon:
    lat, lon = at(x, y)
    return LatLon(lat=lat, lon=lon)


def walk_fixes(points, t0=0.0, acc=8.0, speed=1.2, bias=(0.0, 0.0)):
    """A fix per point, one per second, with Doppler speed, shifted by a constant ``bias`` (east, north, m)."""
    out = []
    prev = None
    for k, (x, y) in enumerate(points):
        v = speed if prev is None or (x, y) != prev else 0.0
        lat, lon = at(x + bias[0], y + bias[1])
        out.append(Fix(lat, lon, acc, t0 + k, v))
        prev = (x, y)
    return out


ROUTE = [ll(-200, 0), ll(200, 0), ll(200, 300)]  # east along a street, then north


def replay_all(eng, fixes):
    out = []
    for f in fixes:
        out += eng.update(f)
    return out
