"""A token-bucket rate limiter per key (pure; the clock is injected)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """``burst`` requests at once, refilled at ``per_hour`` an hour, per key.

    Memory is bounded: at most ``max_keys`` keys are remembered (least recently
    seen forgotten first). Thread-safe.
    """

    def __init__(self, *, per_hour: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        if per_hour <= 0 or burst < 1:
            raise ValueError("per_hour must be > 0 and burst >= 1")
        self.rate = per_hour / 3600.0
        self.burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> tuple[bool, float]:
        """(allowed, seconds to wait before the next request would be allowed)."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                allowed, tokens, wait = True, tokens - 1.0, 0.0
            else:
                allowed, wait = False, (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        return allowed, wait

    def wait(self, key: str) -> float:
        """Seconds before ``key`` would be allowed (0 if now), without spending a token."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
