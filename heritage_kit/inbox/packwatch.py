"""Reload after publish: every inbox process follows the pack versions the desk publishes (adapter: files).

The desk's "Publish" writes ``<town>-v<N>.zip`` into its folder and swaps the pack of the process that handled
the request. The other processes (``inbox serve --workers N``) and a restarted inbox find it here:
:meth:`PackWatch.check` looks at the folder's modification time at most every ``interval`` seconds (one
``stat``), and when it changed loads, for each town served, the highest version above the one in use. A zip
that does not load yet (still being written, damaged) is left aside and looked at again at the next change.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["PackWatch", "PUBLISHED", "newest_published", "adopt_newest"]

log = logging.getLogger("heritage_kit.inbox")

PUBLISHED = re.compile(r"^([a-z0-9][a-z0-9_-]{0,63})-v(\d{1,9})\.zip$")


def newest_published(folder: str | os.PathLike, town: str, above: int) -> list[tuple[int, str]]:
    """``(version, path)`` of the town's published zips in ``folder`` above version ``above``, newest first."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [(int(m.group(2)), os.path.join(folder, n)) for n in names
             if (m := PUBLISHED.match(n)) and m.group(1) == town and int(m.group(2)) > above]
    return sorted(found, reverse=True)


class PackWatch:
    """Watches the desk's publish folder for the processes of one inbox (see the module docstring)."""

    def __init__(self, folder: str | os.PathLike, *, interval: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = os.fspath(folder)
        self.interval = float(interval)
        self._clock = clock
        self._last = -float("inf")
        self._seen: int | None = None
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Whether :meth:`check` would look at the folder now (the interval has passed)."""
        return self._clock() - self._last >= self.interval

    def check(self, ctx: Any, *, force: bool = False) -> list[str]:
        """Adopt newer published packs into ``ctx`` (an ``InboxContext``); the towns updated."""
        now = self._clock()
        if not force and now - self._last < self.interval:
            return []
        if not self._lock.acquire(blocking=force):
            return []  # another request of this process is already looking
        try:
            self._last = now
            try:
                mtime = os.stat(self.folder).st_mtime_ns
            except OSError:
                return []
            if mtime == self._seen and not force:
                return []
            return self._adopt_newer(ctx, mtime)
        finally:
            self._lock.release()

    def _adopt_newer(self, ctx: Any, mtime: int) -> list[str]:
        updated, complete = [], True
        for town in list(ctx.services):
            adopted, loaded_all = adopt_newest(ctx, town, self.folder)
            complete = complete and loaded_all
            if adopted:
                updated.append(town)
        self._seen = mtime if complete else None
        return updated


def adopt_newest(ctx: Any, town: str, folder: str | os.PathLike) -> tuple[bool, bool]:
    """Serve the newest version of ``town`` published in ``folder`` above the one in use, if any:
    ``(adopted, every newer zip loaded)`` (a zip being written or damaged is passed over and logged)."""
    from heritage_kit.packs import load_pack

    svc = ctx.services[town]
    current = svc.pack.manifest.version if svc.pack is not None else 0
    complete = True
    for version, path in newest_published(folder, town, current):
        try:
            pack = load_pack(path)
        except Exception as exc:  # noqa: BLE001 - a file being written or damaged: try again later
            log.warning("published pack %s not loaded yet: %s", os.path.basename(path), exc)
            complete = False
            continue
        if pack.manifest.town_id == town and pack.manifest.version == version:
            ctx.adopt(town, pack)
            log.info("town %s now at pack v%d (%s)", town, version, os.path.basename(path))
            return True, complete
    return False, complete
