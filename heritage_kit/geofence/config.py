"""Tuning of the geofence engine: one field per knob, grouped by the rule it tunes.

The rules are numbered as in :mod:`heritage_kit.geofence`'s docstring.
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage_kit.errors import GeofenceError
from heritage_kit.geofence.model import Fence

__all__ = ["GeofenceConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GeofenceConfig:
    """Tuning of :class:`~heritage_kit.geofence.GeofenceEngine` (rules: :mod:`heritage_kit.geofence`; ``route_*``: rule 8)."""

    # -- rule 1: accuracy gate
    max_accuracy_m: float = 100.0
    """A fix less accurate than this (m) is ignored altogether."""
    accuracy_gate: float = 1.5
    """A fix decides a fence only if its accuracy <= this x the fence's enter radius (or buffer, at least 10 m)."""

    # -- rule 2: jump rejection
    max_speed_mps: float = 3.0
    """Fastest plausible walker (m/s): a fix further than this x dt from the last accepted one is a jump."""
    jump_accuracy_factor: float = 1.0
    """Slack of the jump test, in multiples of both fixes' accuracies."""
    reanchor_fixes: int = 5
    """Consecutive mutually consistent rejected fixes that re-anchor the track (the walker did move)."""

    # -- rule 3: enter
    enter_fixes: int = 2
    """Hits needed to enter a fence ..."""
    enter_window: int = 2
    """... among this many consecutive decisive fixes (>= enter_fixes)."""
    evidence_s: float = 5.0
    """A hit after a gap of g > this (s) counts g / this hits (at most enter_fixes; g <= max_interval_s, else a dropout: 1)."""
    enter_margin: float = 0.3
    """A hit must be this x the fix's accuracy inside the enter radius (a fix barely inside is no evidence)."""
    exclusive: bool = True
    """A fix is a hit for one fence only: the nearest (relative to its size) of those whose zone holds it."""

    # -- rule 4: hysteresis (exit)
    exit_factor: float = 1.25
    """Exit radius = radius x this + exit_margin_m (unless the fence sets its own)."""
    exit_margin_m: float = 10.0
    """Metres added to the scaled radius to make the exit radius."""
    exit_fixes: int = 2
    """Trusted fixes beyond the exit radius needed to leave a fence."""

    # -- rule 5: halts
    stationary_mps: float = 0.5
    """A Doppler speed below this (m/s) means the walker stands still (a halt)."""
    halt_mean_fixes: int = 3
    """From this halt fix on, fences are judged at the halt's accuracy-weighted mean (0: never)."""
    halt_arrival_s: float | None = 5.0
    """Seconds of halt after which the next stop may be entered on the halt's mean (None: never)."""
    halt_slack: float = 0.3
    """A halt arrival accepts the mean within the enter radius + this x the mean accuracy."""
    halt_gate: float = 2.0
    """A halt arrival needs the mean accuracy <= this x the next stop's accuracy gate."""
    moved_m: float = 25.0
    """Metres walked since the last alert before a halt may give an arrival (and before a still walker is let go)."""
    hold_when_still: bool = True
    """A walker halted in a fence without having walked moved_m neither enters another fence nor leaves."""
    free_halt_arrival: bool = True
    """Without a next stop (free walking), a halt arrives at the fence that best explains it (rule 11)."""
    free_halt_s: float = 5.0
    """Seconds of halt after which, without a next stop, the best-explaining fence is entered (rule 11)."""
    free_halt_slack: float = 0.3
    """Rule 11 accepts the halt's mean within the enter radius + this x the mean accuracy."""
    free_halt_moved_m: float = 0.0
    """Metres walked since the last alert before rule 11 may give an arrival."""

    # -- rule 6: dwell
    dwell_s: float = 30.0
    """Seconds inside after which one dwell event is given."""

    # -- rule 7: alerts
    cooldown_s: float = 600.0
    """A fence that alerted less than this ago (s) is entered silently."""
    alerts_per_hour: int | None = 60
    """Budget of alerts in the last hour (the next stop is exempt; None: no budget)."""

    # -- rule 8: route (Kalman filter along the planned path)
    route_gate_m: float = 25.0
    """A fix further from the route than this (m) ..."""
    route_gate_accuracy: float = 2.5
    """... or than this x its accuracy, whichever is larger, is not used."""
    route_off_fixes: int = 5
    """Consecutive fixes off the route after which the walker has left it (plain rules again)."""
    route_on_fixes: int = 3
    """Consecutive fixes near the route that lock the walker on it again."""
    route_accel: float = 0.3
    """White acceleration noise of the constant-speed model."""
    route_bias_fraction: float = 0.6
    """Part of the fix's variance that is slowly varying GPS bias (the rest is white)."""
    route_bias_tau_s: float = 60.0
    """Time constant (s) of the bias (Ornstein–Uhlenbeck process)."""
    route_speed_noise_mps: float = 0.3
    """Standard deviation (m/s) of a Doppler speed measurement."""
    speed_noise_per_accuracy: float = 0.013
    """Doppler noise grows with poor reception: at least this x the fix's accuracy (m/s per m; routes and free walking)."""
    route_min_accuracy_m: float = 3.0
    """Fences are judged with at least this accuracy (m) for the filtered route point."""
    route_enter_margin: float = 1.2
    """On the route, a hit needs this x the filter's accuracy inside the enter zone."""
    route_margin_max_m: float = 8.0
    """... but never more than this (m): at poor accuracy, the margin alone would delay every arrival."""
    route_linearise_m: float = 5.0
    """Within this (m) of the prediction, a fix is split along/across the route at the predicted point (EKF)."""
    route_max_gap_s: float = 10.0
    """A gap without fixes longer than this (s) reopens progress and speed."""
    route_halt_slack: float = 0.0
    """halt_slack on the route (0: the halt's mean route point must be inside the zone)."""
    route_from_free: bool = True
    """The route filter measures the free-walking filter's position (rule 9) instead of the raw fix (False)."""

    # -- rule 9: free walking (Kalman filter on east/north metres, heritage_kit.geofence.track)
    free_filter: bool = True
    """Judge fences at the free-walking filter's position when no route holds the walker (False: at raw fixes)."""
    free_gate: float = 4.0
    """A fix whose innovation exceeds this many sigmas (per axis) is not believed by the filter."""
    free_still_noise_mps: float = 0.05
    """Position noise (m/s) of a walker standing still (sway, a step or two)."""
    free_turn_mps: float = 0.6
    """Position noise (m/s) for turns between fixes, growing with the interval (dead reckoning over 20 s misses corners)."""
    still_mps: float = 0.75
    """The walker stands still when the smoothed Doppler speed is below this (m/s) ..."""
    still_tau_s: float = 4.0
    """... smoothed with this time constant (s)."""

    # -- battery (suggest_interval)
    walking_speed_mps: float = 1.4
    """Assumed walking speed (m/s) when the measured one is lower."""
    min_interval_s: float = 1.0
    """Shortest suggested interval between fixes (s)."""
    max_interval_s: float = 30.0
    """Longest suggested interval between fixes (s)."""
    still_interval_s: float = 3.0
    """Suggested interval (s) while standing still in fences already announced."""

    def __post_init__(self) -> None:
        checks = {
            "exit_factor": self.exit_factor >= 1.0,
            "exit_margin_m": self.exit_margin_m >= 0.0,
            "max_accuracy_m": self.max_accuracy_m > 0.0,
            "accuracy_gate": self.accuracy_gate > 0.0,
            "enter_margin": 0.0 <= self.enter_margin < 1.0,
            "max_speed_mps": self.max_speed_mps > 0.0,
            "jump_accuracy_factor": self.jump_accuracy_factor >= 0.0,
            "reanchor_fixes": self.reanchor_fixes >= 1,
            "enter_fixes": self.enter_fixes >= 1,
            "enter_window": self.enter_window >= self.enter_fixes,
            "evidence_s": self.evidence_s > 0.0,
            "exit_fixes": self.exit_fixes >= 1,
            "dwell_s": self.dwell_s >= 0.0,
            "cooldown_s": self.cooldown_s >= 0.0,
            "alerts_per_hour": self.alerts_per_hour is None or self.alerts_per_hour >= 0,
            "walking_speed_mps": self.walking_speed_mps > 0.0,
            "stationary_mps": self.stationary_mps >= 0.0,
            "halt_arrival_s": self.halt_arrival_s is None or self.halt_arrival_s >= 0.0,
            "halt_slack": self.halt_slack >= 0.0,
            "halt_gate": self.halt_gate > 0.0,
            "halt_mean_fixes": self.halt_mean_fixes >= 0,
            "moved_m": self.moved_m >= 0.0,
            "free_halt_s": self.free_halt_s >= 0.0,
            "free_halt_slack": self.free_halt_slack >= 0.0,
            "free_halt_moved_m": self.free_halt_moved_m >= 0.0,
            "min_interval_s": 0.0 < self.min_interval_s <= self.max_interval_s,
            "still_interval_s": self.still_interval_s > 0.0,
            "route_gate_m": self.route_gate_m > 0.0,
            "route_gate_accuracy": self.route_gate_accuracy >= 0.0,
            "route_off_fixes": self.route_off_fixes >= 1,
            "route_on_fixes": self.route_on_fixes >= 1,
            "route_accel": self.route_accel > 0.0,
            "route_bias_fraction": 0.0 <= self.route_bias_fraction < 1.0,
            "route_bias_tau_s": self.route_bias_tau_s > 0.0,
            "route_speed_noise_mps": self.route_speed_noise_mps > 0.0,
            "speed_noise_per_accuracy": self.speed_noise_per_accuracy >= 0.0,
            "route_min_accuracy_m": self.route_min_accuracy_m >= 0.0,
            "route_enter_margin": 0.0 <= self.route_enter_margin < 3.0,
            "route_linearise_m": self.route_linearise_m >= 0.0,
            "route_margin_max_m": self.route_margin_max_m >= 0.0,
            "route_max_gap_s": self.route_max_gap_s > 0.0,
            "route_halt_slack": self.route_halt_slack >= 0.0,
            "free_gate": self.free_gate > 0.0,
            "free_still_noise_mps": self.free_still_noise_mps >= 0.0,
            "free_turn_mps": self.free_turn_mps >= 0.0,
            "still_mps": self.still_mps >= 0.0,
            "still_tau_s": self.still_tau_s > 0.0,
        }
        if self.exit_factor == 1.0 and self.exit_margin_m == 0.0:
            checks["exit_margin_m"] = False  # no hysteresis at all
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise GeofenceError(f"GeofenceConfig: invalid {', '.join(bad)}")

    def exit_radius(self, fence: Fence) -> float:
        """The radius (m) beyond which the walker leaves ``fence`` (rule 4)."""
        if fence.exit_radius_m is not None:
            return fence.exit_radius_m
        return fence.radius_m * self.exit_factor + self.exit_margin_m
