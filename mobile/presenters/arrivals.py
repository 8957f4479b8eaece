"""Adapters from the app's :class:`Position` to :mod:`heritage_kit.geofence` and :mod:`heritage_kit.simulate`.

:class:`GeofenceArrivals` is the walk presenter's ``ArrivalEngine``: one fence
per trail stop (kept apart with ``separate=True``), the next stop exempt from
the alert budget, and the engine's state saved and restored as a dict.
:func:`simulate_walk` makes the seeded walk the desktop location provider
replays: along the walking network's routes between the stops, with the
library's GPS noise model.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Callable, Sequence

from heritage_kit.types import LatLon
from mobile.presenters.location import Position

__all__ = ["GeofenceArrivals", "simulate_walk", "position_to_fix", "fix_to_position"]


def position_to_fix(p: Position):
    from heritage_kit.geofence.model import Fix

    return Fix(
        lat=p.lat,
        lon=p.lon,
        accuracy_m=p.accuracy_m,
        timestamp=p.time.timestamp(),
        speed=p.speed_mps,
        bearing=p.bearing_deg,
    )


def fix_to_position(f) -> Position:
    return Position(
        lat=f.lat,
        lon=f.lon,
        accuracy_m=f.accuracy_m,
        time=datetime.fromtimestamp(f.timestamp, timezone.utc),
        speed_mps=f.speed,
        bearing_deg=f.bearing,
    )


class GeofenceArrivals:
    """The geofence engine watching a walk's stops."""

    def __init__(self, pack, stop_ids: Sequence[str], *, config=None) -> None:
        from heritage_kit.geofence import GeofenceEngine, fences_for

        self.stop_ids = list(stop_ids)
        self.engine = GeofenceEngine(fences_for(pack, ids=self.stop_ids, separate=True), config=config)
        self.engine.set_active(self.stop_ids, next_id=self.stop_ids[0] if self.stop_ids else None)

    def set_next(self, next_id: str | None) -> None:
        self.engine.set_active(self.stop_ids, next_id=next_id)

    def set_route(self, points) -> None:
        """The walker's planned path (points with lat/lon; None clears): the engine's route mode."""
        self.engine.set_route(points)

    def update(self, position: Position) -> list[str]:
        return [e.fence_id for e in self.engine.update(position_to_fix(position)) if e.kind == "enter"]

    def state_dict(self) -> dict:
        return self.engine.state.to_dict()

    def load_state(self, data: dict) -> None:
        from heritage_kit.geofence import GeofenceState

        self.engine.state = GeofenceState.from_dict(data)


def _lead_in(first: LatLon, second: LatLon | None, metres: float) -> LatLon:
    """A start point ``metres`` before ``first``, opposite to the way to ``second``."""
    if second is None:
        dx, dy = 1.0, 0.0
    else:
        dy = second.lat - first.lat
        dx = (second.lon - first.lon) * math.cos(math.radians(first.lat))
        n = math.hypot(dx, dy) or 1.0
        dx, dy = dx / n, dy / n
    dlat = -dy * metres / 111_320.0
    dlon = -dx * metres / (111_320.0 * math.cos(math.radians(first.lat)))
    return LatLon(lat=first.lat + dlat, lon=first.lon + dlon)


def simulate_walk(
    pack,
    stop_ids: Sequence[str],
    *,
    seed: int = 7,
    router: Callable[[LatLon, LatLon], "list[LatLon] | None"] | None = None,
    lead_in_m: float = 150.0,
    start: LatLon | None = None,
    noise=None,
    walker=None,
) -> list[Position]:
    """A seeded simulated walk through ``stop_ids`` (street routes when ``router`` is given)."""
    from heritage_kit.simulate import NoiseModel, WalkerModel, path_through
    from heritage_kit.simulate import simulate_walk as _simulate

    stops = [pack.poi(s).location for s in stop_ids]
    if not stops:
        return []
    begin = start or _lead_in(stops[0], stops[1] if len(stops) > 1 else None, lead_in_m)
    points = [begin, *stops]
    legs = None
    if router is not None:
        legs = []
        for a, b in zip(points, points[1:]):
            try:
                geom = router(a, b)
            except LookupError:
                geom = None
            legs.append(list(geom) if geom else [a, b])
    path, vertices = path_through(points, legs)
    walk = _simulate(
        path,
        seed=seed,
        stop_vertices=vertices[1:],
        walker=walker or WalkerModel(pause_s=(20.0, 40.0)),
        noise=noise or NoiseModel(),
        start_time=datetime.now(timezone.utc).timestamp(),
    )
    return [fix_to_position(f) for f in walk.fixes]
