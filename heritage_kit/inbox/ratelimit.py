"""Token-bucket rate limiters per key: in memory (:class:`RateLimiter`, pure; the clock is injected) or kept in
the inbox's database and shared by every process serving it (:class:`SharedRateLimiter`)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["RateLimiter", "SharedRateLimiter", "make_limiter"]


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


class SharedRateLimiter:
    """The token bucket of :class:`RateLimiter`, kept in the inbox database (table ``rate_buckets``, schema v4).

    Every process serving one database (``inbox serve --workers N``, or several servers behind one proxy) draws
    from the same buckets, so a limit holds in total, not per process. Each call is one atomic upsert
    (``SqlStorage.take_token``); the clock is the wall clock, which the processes share. Buckets idle long
    enough to be full again are deleted every ``purge_every`` calls.
    """

    def __init__(self, storage, name: str, *, per_hour: float, burst: int, clock: Callable[[], float] = time.time,
                 purge_every: int = 10_000) -> None:
        if per_hour <= 0 or burst < 1:
            raise ValueError("per_hour must be > 0 and burst >= 1")
        self.storage = storage
        self.name = name
        self.rate = per_hour / 3600.0
        self.burst = float(burst)
        self._clock = clock
        self._purge_every = purge_every
        self._calls = 0

    def allow(self, key: str) -> tuple[bool, float]:
        """(allowed, seconds to wait before the next request would be allowed), as :meth:`RateLimiter.allow`."""
        now = self._clock()
        wait = self.storage.take_token(f"{self.name}:{key}", rate=self.rate, burst=self.burst, now=now)
        self._calls += 1
        if self._calls % self._purge_every == 0:
            self.storage.forget_buckets(older_than=now - self.burst / self.rate)
        return wait == 0.0, wait

    def wait(self, key: str) -> float:
        return self.storage.peek_tokens(f"{self.name}:{key}", rate=self.rate, burst=self.burst, now=self._clock())


def make_limiter(storage, name: str, *, per_hour: float, burst: int, shared: bool):
    """A :class:`SharedRateLimiter` on ``storage`` when ``shared`` (several processes), else a
    :class:`RateLimiter` in memory (one process: no database round trip)."""
    if shared:
        if not hasattr(storage, "take_token"):
            raise TypeError(f"{type(storage).__name__} cannot hold shared rate limits")
        return SharedRateLimiter(storage, name, per_hour=per_hour, burst=burst)
    return RateLimiter(per_hour=per_hour, burst=burst)
