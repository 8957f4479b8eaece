"""In-app geofencing: arrival alerts on every GPS fix, with no platform cap.

Pure logic (no file, network or clock access): the engine is a deterministic
state machine fed with :class:`Fix` objects; the same sequence of fixes always
gives the same events.

Typical use (the app)::

    fences = fences_for(pack)                      # one fence per POI
    engine = GeofenceEngine(fences, config=GeofenceConfig())
    engine.set_active(trail.stops, next_id=trail.stops[0])
    engine.set_route(planned_path)                 # walk mode: LatLon points (rule 8)
    for fix in gps:                                # every GPS fix
        for event in engine.update(fix):           # enter / exit / dwell
            notify(event)
        sleep(engine.suggest_interval(fix))        # battery
    saved = engine.state.to_dict()                 # JSON-ready, app restart
    engine = GeofenceEngine(fences, state=GeofenceState.from_dict(saved))

How a fix is judged (every rule is a field of :class:`GeofenceConfig`):

1. *Accuracy gate.* A fix whose reported accuracy is worse than
   ``max_accuracy_m`` is ignored. For each fence, a fix decides only if its
   accuracy circle is small against what must be decided (``accuracy <=
   accuracy_gate x`` the enter radius of a circle, the buffer of a footprint —
   at least 10 m); otherwise that fence keeps its state.
2. *Jump rejection.* A fix further from the last accepted fix than a walker
   can go (``max_speed_mps x dt + jump_accuracy_factor x (both accuracies)``)
   is rejected (multipath); ``reanchor_fixes`` consecutive mutually-consistent
   rejected fixes re-anchor the track (the walker really did move).
3. *Enter.* A fence is entered after ``enter_fixes`` hits among
   ``enter_window`` consecutive decisive fixes, a hit being a fix inside its
   enter radius less ``enter_margin`` x the fix's accuracy (a fix barely
   inside is no evidence). With ``exclusive`` (default) a fix is a hit for one
   fence only, the nearest (distance to its centre relative to its size) of
   those whose zone holds it, counting the fences the walker is already in:
   the building across the street is not announced.
4. *Hysteresis.* A fence is left after ``exit_fixes`` trusted fixes beyond its
   exit radius (``radius x exit_factor + exit_margin_m`` unless the fence sets
   its own), so a walker at the edge does not flicker.
5. *Halts.* Fixes while the walker stands still (rule 9's smoothed
   Doppler; without Doppler, by position only) form a *halt*; from its ``halt_mean_fixes``-th fix on, fences are judged at the
   accuracy-weighted mean of the halt (standing still, the mean is steadier
   than one fix). After ``halt_arrival_s`` seconds, if the walker has walked
   ``moved_m`` since the last alert, the *next stop*
   (``set_active(..., next_id=...)``) is entered when the halt's mean is within
   its enter radius + ``halt_slack`` x the mean accuracy (gate:
   ``halt_gate`` x the fence's gate) and nearer than any other watched fence:
   people stop where they were going. A walker waiting at a crossing far from
   the next stop gets nothing. With ``hold_when_still`` (default), a walker
   halted in a fence without having walked ``moved_m`` since the last alert
   neither enters another fence nor leaves (the apparent move is noise).
   Fixes without speed are judged by position only.
6. *Dwell.* One ``dwell`` event after ``dwell_s`` seconds inside.
7. *Alerts.* An ``enter`` is an alert. It is silenced (the stay is still
   tracked, and its ``exit``/``dwell`` are silent too) when the fence alerted
   less than ``cooldown_s`` ago, or when ``alerts_per_hour`` alerts were given
   in the last hour (the *next stop* set by :meth:`GeofenceEngine.set_active`
   is exempt from that budget).

8. *Route* (optional, :meth:`GeofenceEngine.set_route`). When the walker's
   planned path is known (walk mode: the routed legs through the stops), an
   extended Kalman filter tracks the walker *along* it. State: arc length
   ``s``, speed ``v`` (constant-speed model, white acceleration noise
   ``route_accel``) and the GPS bias (east, north), an Ornstein–Uhlenbeck
   process (``route_bias_tau_s``, ``route_bias_fraction`` of the fix's
   variance ``(accuracy / 1.515)²``; the rest is white). Each trusted fix
   (after rules 1–2) — or rather, with ``route_from_free`` (default), the
   free-walking filter's position and accuracy for that fix (rule 9: Doppler
   dead reckoning, its own bias state, a wild-fix gate), unless that filter
   walked ``BLIND_STEPS`` steps in a row without a Doppler bearing and so lags —
   is projected on the route near the prediction; its
   offset from the route is split *along* the route (measures ``s`` + bias)
   and *across* it (measures the bias only: a fix pushed across the street is
   taken for bias, not believed, and that estimate corrects ``s`` at the next
   corner); within ``route_linearise_m`` of the prediction the split is made
   at the predicted point (an EKF), further away at the projection. The
   Doppler speed measures ``v`` (forward; below ``stationary_mps``, 0), so
   progress is dead-reckoned between fixes; while the fix's speed says the
   walker stands still, the split is always made at the predicted point (a
   fix landing past a corner or a turn-back is bias, not progress). Fences
   are judged at the route point at the filtered ``s``, with the filter's
   accuracy (at least ``route_min_accuracy_m``), a hit needing
   ``route_enter_margin`` x that accuracy inside the zone (at most
   ``route_margin_max_m``: at 30 m accuracy the margin alone delayed every
   arrival by ~5 s; and, a fix after a gap g of evidence_s < g <=
   ``max_interval_s`` standing for that time as in rule 3, evidence_s / g of
   it: at a fix every 10–30 s the full margin missed most stops); a halt's arrival
   (rule 5) uses ``route_halt_slack`` (default 0: the halt's mean route point
   must be inside the zone) instead of ``halt_slack``. Gating: a fix further from the route than
   ``max(route_gate_m, route_gate_accuracy x accuracy)`` is not used; after
   ``route_off_fixes`` such fixes in a row the walker has left the route (a
   detour, a skipped stop) and the engine falls back to rules 1–7 on raw
   fixes, until ``route_on_fixes`` consecutive fixes near the route lock it
   again — ahead of the progress already made (a route may pass a place
   twice) and within walking reach, else anywhere. After a gap of more than
   ``route_max_gap_s`` without fixes (a dropout) the walker may have stopped
   or walked on: the filter keeps its bias estimate (decayed over the gap)
   and reopens ``s`` (variance + (``max_speed_mps`` x gap / 2)²) and ``v``
   (zero, free), so the next fixes place the walker without taking the bias
   for progress. Without a route, nothing changes.

9. *Free walking* (:mod:`heritage_kit.geofence.track`). Whenever no route
   holds the walker (no route, or off it), fences are judged at the position
   of a small Kalman filter on east/north metres instead of the raw fix
   (``free_filter``): per axis (position, GPS bias), the position moved by
   the Doppler velocity (speed along the bearing: a walking motion model the
   phone measures), the bias an Ornstein–Uhlenbeck process as on the route;
   a fix whose innovation exceeds ``free_gate`` sigmas is not believed
   (one wild fix neither fires nor cancels). Standing still is decided on the
   Doppler speed smoothed over ``still_tau_s`` against ``still_mps`` (one
   reading is too noisy; the speed between fixes at 30 m accuracy is
   meaningless), and a still walker's fixes simply average. A fix without
   Doppler restarts the filter there and is judged as it is. Why this and
   not snapping to the street network or facade distances: the pack's
   streets are already used by the route filter (rule 8) when a path is
   planned, footprints are already polygon fences (distance to the walls,
   not the centre); what poor accuracy defeats is *one fix at a time*, and
   the filter pools every fix of the last minutes at a few float operations.
   Evidence (rule 3) is counted in time: a hit after a gap of g seconds
   (``evidence_s`` < g <= ``max_interval_s``) counts g / ``evidence_s`` hits,
   at most ``enter_fixes`` — a fix every 20 s stands for 20 s; a dropout
   longer than that counts 1.
10. *Passing by.* A ``halt_only`` fence (a shop: ``fences_for`` makes every
    ``commerce`` POI one) watched among every fence (``set_active(None)``,
    free walking) is entered only while the walker stands still: walking
    past a shop is no arrival. Watched explicitly (a trail's stops) or as
    the next stop, it arrives on passing like any other: passing close is an
    arrival for a trail stop.
11. *Free-walking halts.* Without a next stop (free walking), a halt of
    ``free_halt_s`` seconds arrives at the watched fence that best explains
    it: the nearest (relative to its size) whose enter radius +
    ``free_halt_slack`` x the halt's mean accuracy holds the halt's mean —
    unless the walker is already in that fence; one arrival per halt. Why:
    at 20–30 m accuracy the filtered position stands ~15 m off for a minute
    (the slow bias), so no single fix is a hit at a 15 m shop, yet a walker who
    stops stops *somewhere*, and the fence nearest the halt's mean is the best
    guess. It trades precision for recall (held-out walks, free walking, 1 s
    fixes: σ = 20 m 0.62 / 0.88 -> 0.74 / 0.85, σ = 30 m 0.43 / 0.82 ->
    0.59 / 0.71; benchmarks/README.md).

Distances are metres on the WGS84 ellipsoid's local tangent plane at the fix
(the same radii as :class:`heritage_kit.geo.LocalProjection`), exact to ~0.1%
within a few km — far below GPS error.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "Fix",
    "Fence",
    "GeofenceEvent",
    "GeofenceConfig",
    "GeofenceState",
    "GeofenceEngine",
    "OsFence",
    "DEFAULT_RADIUS_M",
    "CATEGORY_RADIUS_M",
    "fences_for",
    "metres_per_degree",
]

# name -> submodule defining it, imported on first access: ``heritage_kit.geofence.model``
# (the value types, for gpx, simulate and the app) loads without the engine
_LAZY: dict[str, str] = {
    "Fix": "model",
    "Fence": "model",
    "GeofenceEvent": "model",
    "OsFence": "model",
    "GeofenceConfig": "config",
    "GeofenceState": "state",
    "GeofenceEngine": "engine",
    "DEFAULT_RADIUS_M": "fences",
    "CATEGORY_RADIUS_M": "fences",
    "MIN_RADIUS_M": "fences",
    "fences_for": "fences",
}


def __getattr__(name: str) -> Any:
    if name == "metres_per_degree":
        from heritage_kit.geo import metres_per_degree as value
    elif name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_LAZY))


if TYPE_CHECKING:
    from heritage_kit.geo import metres_per_degree
    from heritage_kit.geofence.config import GeofenceConfig
    from heritage_kit.geofence.engine import GeofenceEngine
    from heritage_kit.geofence.fences import CATEGORY_RADIUS_M, DEFAULT_RADIUS_M, MIN_RADIUS_M, fences_for
    from heritage_kit.geofence.model import Fence, Fix, GeofenceEvent, OsFence
    from heritage_kit.geofence.state import GeofenceState
