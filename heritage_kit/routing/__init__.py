"""Walking routes and visit planning (issue 5).

* :mod:`.graph` — :class:`WalkingGraph` (exact routes, snapping, matrices) and the straight-line fallback;
* :mod:`._osm_ways` — the osmium adapter reading foot-accessible ways;
* :mod:`.order` — :func:`order_stops` (best visiting order of every stop);
* :mod:`.visits` — :func:`plan_visits` (orienteering with time windows on any matrix);
* :mod:`.trail` — :func:`plan_trail` and :class:`Itinerary` (a time-budget trail in a pack).
"""

from __future__ import annotations

from heritage_kit.routing.graph import (
    DETOUR_FACTOR,
    STEPS_SPEED_FACTOR,
    WALKING_SPEED_MPS,
    Route,
    StraightLineNetwork,
    WalkingGraph,
    WalkingNetwork,
    network_for_pack,
)
from heritage_kit.routing.order import order_stops, path_cost
from heritage_kit.routing.trail import Itinerary, ItineraryStop, Leg, plan_trail, poi_score, visit_minutes
from heritage_kit.routing.visits import Schedule, plan_visits, visit_schedule

__all__ = [
    "DETOUR_FACTOR",
    "STEPS_SPEED_FACTOR",
    "WALKING_SPEED_MPS",
    "Route",
    "StraightLineNetwork",
    "WalkingGraph",
    "WalkingNetwork",
    "network_for_pack",
    "order_stops",
    "path_cost",
    "plan_visits",
    "visit_schedule",
    "Schedule",
    "Itinerary",
    "ItineraryStop",
    "Leg",
    "plan_trail",
    "poi_score",
    "visit_minutes",
]
