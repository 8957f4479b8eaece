"""Background jobs for pack downloads (adapter: threads; results come back through ``schedule``).

Downloads get their own worker thread, so a long download never holds up the
app's I/O worker (pack loading, SQLite, routing) and never the UI thread:
``submit(work, done, failed)`` runs ``work`` there and hands ``done(result)`` or
``failed(exc)`` to ``schedule`` (``Clock.schedule_once`` in the app, a plain
call in tests). ``relay(fn)`` wraps a progress callback called on the worker
thread: at most one call per ``min_interval`` seconds (and always the last
one) reaches ``schedule``.

``online()`` says whether the phone has a network: Android's
ConnectivityManager through pyjnius; elsewhere True (a failed request then
says "offline").
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

__all__ = ["BackgroundJobs", "online"]

log = logging.getLogger(__name__)


class BackgroundJobs:
    def __init__(self, schedule: Callable[[Callable[[], None]], None], *, min_interval: float = 0.1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.schedule = schedule
        self.min_interval = min_interval
        self.clock = clock
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hk-download")

    def submit(self, work: Callable[[], Any], done: Callable[[Any], None],
               failed: Callable[[BaseException], None] | None = None):
        def finished(fut):
            exc = fut.exception()
            if exc is None:
                result = fut.result()
                self.schedule(lambda: done(result))
            elif failed is not None:
                self.schedule(lambda: failed(exc))
            else:
                log.error("download job failed: %s", exc, exc_info=exc)

        fut = self.pool.submit(work)
        fut.add_done_callback(finished)
        return fut

    def relay(self, fn: Callable[[int, int], None]) -> Callable[[int, int], None]:
        """``fn(have, total)`` on the UI thread, throttled; the final call (have == total) always passes."""
        lock = threading.Lock()
        last = [float("-inf")]

        def progress(have: int, total: int) -> None:
            now = self.clock()
            with lock:
                if have < total and now - last[0] < self.min_interval:
                    return
                last[0] = now
            self.schedule(lambda: fn(have, total))

        return progress

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def online() -> bool:
    """True unless the platform says there is no network."""
    try:
        from kivy.utils import platform
    except ImportError:  # pragma: no cover
        return True
    if platform != "android":
        return True
    try:  # pragma: no cover - Android only
        from jnius import autoclass

        activity = autoclass("org.kivy.android.PythonActivity").mActivity
        context = autoclass("android.content.Context")
        cm = activity.getSystemService(context.CONNECTIVITY_SERVICE)
        net = cm.getActiveNetworkInfo()
        return bool(net and net.isConnected())
    except Exception as exc:  # noqa: BLE001 - no answer: try the network and see
        log.info("connectivity unknown: %s", exc)
        return True
