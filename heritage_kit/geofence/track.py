"""Free walking (rule 9): where the walker is when no route holds them, from every fix and its Doppler.

Two small pieces, both pure and cheap (a handful of float operations per fix):

* :class:`StillDetector` — *is the walker standing still?* A phone's Doppler
  speed is far steadier than its positions (two fixes 1 s apart at 30 m
  accuracy "move" tens of metres), but one Doppler reading is noisy too (its
  absolute value never reads 0), so the decision is made on an exponential
  moving average of the Doppler speed (time constant ``still_tau_s``) against
  ``still_mps``; without Doppler, on the speed between successive filtered
  positions. Standing still, the filter below stops dead-reckoning and its
  fixes simply average.

* :class:`FreeFilter` — a Kalman filter on local east/north metres (ENU at
  the first fix). Per axis the state is (position, GPS bias): the walker's
  position moves by the Doppler velocity (speed along the bearing) x dt — a
  motion model that a phone measures instead of guessing (constant velocity
  at ``walking_speed_mps`` when no bearing is given) — and the GPS bias is an
  Ornstein–Uhlenbeck process (``route_bias_tau_s``; ``route_bias_fraction``
  of the fix's variance ``(accuracy / 1.515)²``, the rest white) as on the
  route (rule 8). Because the bias drifts slowly while the walker's own
  motion is known, every fix of the last minutes helps place the walker: a
  halt's fixes average, a street walked is one trajectory shifted by one
  bias, and one wild fix (innovation beyond ``free_gate`` sigmas) is not
  believed. Both axes share one 2x2 covariance (isotropic noise), so the
  filter costs a few multiplications per fix. A gap longer than
  ``route_max_gap_s`` reopens the position (walked at ``max_speed_mps`` / 2).
  A fix without Doppler speed, or moving without a bearing, restarts the
  filter at that fix and is judged as it is: with no motion measured, a
  random-walk model cannot tell the walker's moves from the bias and lags.

The engine judges fences at the filter's position with its accuracy
(1.515 x the posterior standard deviation, at least ``route_min_accuracy_m``).
"""

from __future__ import annotations

import math

from heritage_kit.geo import ACCURACY_PER_SIGMA, SIGMA_PER_ACCURACY, metres_per_degree
from heritage_kit.geofence.config import GeofenceConfig
from heritage_kit.geofence.model import Fix
from heritage_kit.geofence.state import FreeTrack

__all__ = ["StillDetector", "FreeFilter"]


class StillDetector:
    """Standing still from a smoothed Doppler speed (see the module docstring)."""

    __slots__ = ("tau", "threshold")

    def __init__(self, config: GeofenceConfig) -> None:
        self.tau = config.still_tau_s
        self.threshold = config.still_mps

    def step(self, ema: float | None, speed: float | None, dt: float) -> tuple[float | None, bool | None]:
        """(new smoothed speed, still?) after a fix with Doppler ``speed`` ``dt`` s after the last one.

        ``None`` speed: the smoothed speed is kept and stillness is unknown (None).
        """
        if speed is None:
            return ema, None
        if ema is None or dt <= 0.0:
            ema = speed
        else:
            a = math.exp(-dt / self.tau)
            ema = a * ema + (1.0 - a) * speed
        return ema, ema < self.threshold


class FreeFilter:
    """The free-walking Kalman filter (see the module docstring); its state lives in ``GeofenceState.free``."""

    __slots__ = ("cfg", "still")

    def __init__(self, config: GeofenceConfig) -> None:
        self.cfg = config
        self.still = StillDetector(config)

    def step(self, fix: Fix, tr: FreeTrack | None) -> tuple[FreeTrack, float, float, float, bool | None]:
        """Take one fix; (the track, lat, lon, accuracy of the filtered position, still?)."""
        cfg = self.cfg
        sig = fix.accuracy_m * SIGMA_PER_ACCURACY
        var = sig * sig
        fb = cfg.route_bias_fraction
        no_motion = fix.speed is None
        if tr is None or tr.t is None or no_motion:
            # (re)start at this fix; without Doppler the fix is judged as it is (no motion to model)
            kx, ky = metres_per_degree(fix.lat)
            ema, still = self.still.step(None, fix.speed, 0.0)
            tr = FreeTrack(fix.lat, fix.lon, kx, ky, 0.0, 0.0, 0.0, 0.0, var, 0.0, fb * var, fix.timestamp,
                           ema, fix.speed, fix.bearing, 0, 0)  # at the fix: no lag yet
            return tr, fix.lat, fix.lon, max(fix.accuracy_m, cfg.route_min_accuracy_m), still
        dt = fix.timestamp - tr.t
        if abs(tr.x) > 5000.0 or abs(tr.y) > 5000.0:  # far from the origin: a new tangent plane
            return self.step(fix, None)
        ema, still = self.still.step(tr.ema, fix.speed, dt)
        # -- predict: the walker moves by the last Doppler velocity, the bias decays
        speed, bearing = tr.speed, tr.bearing
        if dt > cfg.route_max_gap_s:
            ux = uy = 0.0
            q = (0.5 * cfg.max_speed_mps * dt) ** 2
        elif still or (speed is not None and speed < cfg.stationary_mps and bearing is None):
            ux = uy = 0.0
            q = (cfg.free_still_noise_mps * dt) ** 2
        elif speed is not None and bearing is not None:
            b = math.radians(bearing)
            step = speed * dt
            ux, uy = step * math.sin(b), step * math.cos(b)
            tr.walked_blind = 0
            # Doppler noise, and a turn between fixes (grows with dt²: a street corner at 20 s)
            sn = max(cfg.route_speed_noise_mps, cfg.speed_noise_per_accuracy * fix.accuracy_m)
            q = (sn * dt) ** 2 + (cfg.free_turn_mps * dt) ** 2 * (dt / (dt + 5.0))
        else:  # moving, last fix without bearing: the walker went speed x dt somewhere
            ux = uy = 0.0
            tr.walked_blind += 1
            q = ((speed or cfg.walking_speed_mps) * dt) ** 2
        a = math.exp(-dt / cfg.route_bias_tau_s)
        pxx, pxb, pbb = tr.pxx + q, tr.pxb * a, tr.pbb * a * a + fb * var * (1.0 - a * a)
        x, y = tr.x + ux, tr.y + uy
        bx, by = tr.bx * a, tr.by * a
        # -- update with the fix: z = position + bias + white noise (per axis)
        zx = (fix.lon - tr.lon0) * tr.kx
        zy = (fix.lat - tr.lat0) * tr.ky
        ix, iy = zx - x - bx, zy - y - by
        r = (1.0 - fb) * var
        s = pxx + 2.0 * pxb + pbb + r
        if (ix * ix + iy * iy) / s > cfg.free_gate * cfg.free_gate * 2.0 and tr.rejected < cfg.reanchor_fixes:
            tr.rejected += 1  # a wild fix: predicted only
        else:
            tr.rejected = 0
            k0, k1 = (pxx + pxb) / s, (pxb + pbb) / s
            x += k0 * ix
            y += k0 * iy
            bx += k1 * ix
            by += k1 * iy
            # P = (I - K H) P, H = [1 1]
            h0, h1 = pxx + pxb, pxb + pbb
            pxx, pxb, pbb = pxx - k0 * h0, pxb - k0 * h1, pbb - k1 * h1
        tr.x, tr.y, tr.bx, tr.by = x, y, bx, by
        tr.pxx, tr.pxb, tr.pbb = pxx, pxb, pbb
        tr.t, tr.ema, tr.speed, tr.bearing = fix.timestamp, ema, fix.speed, fix.bearing
        lat = tr.lat0 + y / tr.ky
        lon = tr.lon0 + x / tr.kx
        acc = ACCURACY_PER_SIGMA * math.sqrt(max(pxx, 0.0))
        return tr, lat, lon, max(acc, cfg.route_min_accuracy_m), still
