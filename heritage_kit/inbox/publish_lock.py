"""The per-town publish lock: one publish of a town at a time, across every process sharing the inbox database.

The desk's "Publish" (any worker of ``inbox serve --workers N``) and ``heritage-kit inbox publish`` (the terminal)
both build and write the next pack version inside :func:`hold`; a second publisher of the same town meanwhile gets
:class:`~heritage_kit.errors.PublishLocked` (who holds it, since when; FR/EN) instead of writing a version of its
own. Other towns are not held up.

* **SQLite**: a row of ``publish_locks`` (schema v7) — town, owner (a random id per publish), who, when it started
  and when it expires — written inside ``BEGIN IMMEDIATE``, so of two processes checking at once one sees the
  other's row. The row is deleted when the publish ends. A worker killed mid-publish leaves its row: it is taken
  over once expired, :data:`LOCK_TTL_S` (15 minutes) after it was taken — a publish takes seconds at most (Monaco,
  621 POIs, five new entries: 0.2 s to build and write), so a live publish is never taken over.
* **PostgreSQL**: a transaction-level advisory lock (``pg_try_advisory_xact_lock``) on a connection held for the
  publish; the server drops it by itself when that connection or its process dies, so there is no expiry to wait
  for (``idle_in_transaction_session_timeout`` is set to :data:`LOCK_TTL_S`, so a hung process does not hold it
  for ever either). The same ``publish_locks`` row is written, committed, only to tell the others who holds it.

Test hooks (environment, read when the lock is taken; never set them in production):
``HERITAGE_KIT_TEST_PUBLISH_HOLD_S`` sleeps that many seconds inside the locked section (to make a race real);
``HERITAGE_KIT_TEST_PUBLISH_LOCK=off`` skips the lock (to show what happens without it).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from heritage_kit.errors import PublishLocked

__all__ = ["LOCK_TTL_S", "LockHolder", "hold", "holder", "shown_time", "ENV_HOLD", "ENV_LOCK"]

log = logging.getLogger("heritage_kit.inbox")

LOCK_TTL_S = 15 * 60.0
ENV_HOLD = "HERITAGE_KIT_TEST_PUBLISH_HOLD_S"
ENV_LOCK = "HERITAGE_KIT_TEST_PUBLISH_LOCK"
_NAMESPACE = b"heritage-kit publish lock:"


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a town's publish lock."""

    town: str
    owner: str  # a random id per publish
    actor: str  # as in the audit log: desk:ana, cli:root
    started: str  # ISO 8601, UTC
    expires: float  # unix time (SQLite: after it the lock is taken over)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def shown_time(iso: str) -> str:
    """``2026-12-07 12:40:03 UTC`` for the ISO time a lock was taken."""
    return iso.replace("T", " ").replace("+00:00", " UTC")


def _advisory_key(town: str) -> int:
    """The town's 64-bit advisory-lock key (signed, as PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.sha256(_NAMESPACE + town.encode("utf-8")).digest()[:8], "big", signed=True)


def _row(db: Any, town: str) -> LockHolder | None:
    row = db.execute("SELECT owner, actor, started, expires FROM publish_locks WHERE town=?", (town,)).fetchone()
    return LockHolder(town, row[0], row[1], row[2], float(row[3])) if row else None


def holder(storage: Any, town: str) -> LockHolder | None:
    """The ``publish_locks`` row of ``town`` (None when no publish holds it and none was left behind)."""
    with storage._read() as db:
        return _row(db, town)


def _refused(town: str, town_name: str | None, found: LockHolder | None) -> PublishLocked:
    from heritage_kit.i18n import desk_text as text

    actor = found.actor if found else "?"
    started = found.started if found else ""
    at = shown_time(started) if started else "?"
    name = town_name or town
    message = " / ".join(text("publish.locked", lang, town=name, who=actor, at=at) for lang in ("fr", "en"))
    return PublishLocked(message, town=town, actor=actor, started=started, town_name=name)


def _write_row(db: Any, me: LockHolder) -> None:
    db.execute("INSERT INTO publish_locks(town, owner, actor, started, expires) VALUES (?, ?, ?, ?, ?)"
               " ON CONFLICT (town) DO UPDATE SET owner=excluded.owner, actor=excluded.actor,"
               " started=excluded.started, expires=excluded.expires",
               (me.town, me.owner, me.actor, me.started, me.expires))


def _release_row(storage: Any, me: LockHolder) -> None:
    try:
        with storage._single() as db:
            gone = db.execute("DELETE FROM publish_locks WHERE town=? AND owner=?", (me.town, me.owner)).rowcount
    except Exception:  # noqa: BLE001 - the publish itself is done; the row expires (SQLite) or is overwritten
        log.exception("publish lock of %s: could not release it", me.town)
        return
    if gone != 1:
        log.warning("publish lock of %s was taken over before this publish (%s) ended", me.town, me.actor)


@contextlib.contextmanager
def _sqlite(storage: Any, me: LockHolder, town_name: str | None, now: float) -> Iterator[LockHolder]:
    with storage._tx() as db:  # BEGIN IMMEDIATE: one process at a time checks and takes
        found = _row(db, me.town)
        if found is not None and found.expires > now:
            raise _refused(me.town, town_name, found)
        _write_row(db, me)
    if found is not None:
        log.warning("publish lock of %s taken over: left by %s since %s (expired)", me.town, found.actor,
                    found.started)
    try:
        yield me
    finally:
        _release_row(storage, me)


@contextlib.contextmanager
def _postgres(storage: Any, me: LockHolder, town_name: str | None, ttl: float) -> Iterator[LockHolder]:
    done = False
    try:
        with storage._tx() as db:  # this connection's transaction holds the lock until it ends
            db.execute(f"SET LOCAL idle_in_transaction_session_timeout = {int(ttl * 1000)}")
            if not db.execute("SELECT pg_try_advisory_xact_lock(?)", (_advisory_key(me.town),)).fetchone()[0]:
                found = None
                for _ in range(5):  # the winner writes its row right after taking the lock
                    found = holder(storage, me.town)
                    if found is not None:
                        break
                    time.sleep(0.05)
                raise _refused(me.town, town_name, found)
            with storage._single() as info:  # committed at once: the others read who holds it
                _write_row(info, me)
            try:
                yield me
                done = True
            finally:
                _release_row(storage, me)
    except Exception:
        if not done:
            raise
        # the publish is complete; only ending the lock's transaction failed (its connection was cut, which
        # released the lock already)
        log.warning("publish lock of %s: its connection was lost before the end", me.town)


@contextlib.contextmanager
def hold(storage: Any, town: str, *, actor: str, town_name: str | None = None, ttl: float = LOCK_TTL_S,
         clock: Callable[[], float] = time.time) -> Iterator[LockHolder | None]:
    """Hold ``town``'s publish lock for the ``with`` block; :class:`PublishLocked` at once when another holds it.

    ``town_name`` is used in the refusal's message (the town id otherwise). ``clock`` is the wall clock the
    processes share (SQLite expiry).
    """
    if os.environ.get(ENV_LOCK) == "off":
        log.warning("publish lock of %s skipped (%s=off: a test)", town, ENV_LOCK)
        _test_pause()
        yield None
        return
    now = clock()
    me = LockHolder(town, secrets.token_hex(8), actor, _iso(now), now + ttl)
    engine = _postgres(storage, me, town_name, ttl) if storage.dialect == "postgresql" else \
        _sqlite(storage, me, town_name, now)
    with engine as held:
        _test_pause()
        yield held


def _test_pause() -> None:
    pause = os.environ.get(ENV_HOLD)
    if pause:
        time.sleep(float(pause))
