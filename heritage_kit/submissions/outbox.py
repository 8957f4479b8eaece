"""``Outbox``: the device's durable queue of submissions (SQLite in WAL mode).

The app keeps it in its data folder (``platformdirs.user_data_dir``)::

    outbox = Outbox(Path(user_data_dir("heritage-kit")) / "outbox.sqlite")
    item = outbox.enqueue(submission, photos=[jpeg_bytes])   # durable when it returns
    outbox.items()                                           # OutboxItem list, newest first
    report = outbox.sync(InboxClient(url, token))            # send, retry, refresh statuses

``enqueue`` sanitises the photos on the device (EXIF and GPS never leave it),
checks the submission (:func:`~heritage_kit.submissions.rules.check_submission`)
and commits in one transaction with ``synchronous=FULL``: a process killed at
any moment loses no confirmed item and leaves a consistent database.

Item ``status``: ``queued`` (not yet accepted by the server), then the
server's ``pending`` / ``approved`` / ``rejected`` / ``changes_requested``.
A 4xx refusal marks the item ``rejected`` with the server's message.
"""

from __future__ import annotations

import logging

import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from heritage_kit.errors import (
    HeritageKitError,
    OutboxError,
    SubmissionConflict,
    SubmissionError,
    SubmissionRefused,
    SyncError,
    SyncRateLimited,
)
from heritage_kit.submissions.messages import Message
from heritage_kit.submissions.model import PhotoRef, Submission
from heritage_kit.submissions.photos import sanitise_photo
from heritage_kit.submissions.rules import check_submission, submission_error

_log = logging.getLogger(__name__)

__all__ = [
    "Outbox", "OutboxItem", "SyncReport", "OUTBOX_STATUSES", "backoff_delay", "default_outbox_path", "sync_error_code",
]

OUTBOX_STATUSES = ("queued", "pending", "approved", "rejected", "changes_requested")
_FINAL = ("approved", "rejected")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    submission TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    message TEXT,
    field_messages TEXT NOT NULL DEFAULT '{}',
    duplicate_hints TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS photos (
    uuid TEXT NOT NULL REFERENCES items(uuid) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (uuid, n)
);
CREATE INDEX IF NOT EXISTS items_status ON items(status, next_attempt);
"""


@dataclass(frozen=True)
class OutboxItem:
    """One submission in the outbox and where it stands."""

    uuid: str
    kind: str
    status: str
    submission: Submission
    photo_count: int
    message: str | None  # the server's or moderator's message (rejection reason, requested changes)
    field_messages: dict[str, Message]  # a server refusal's reasons per field ("" = overall), French and English
    duplicate_hints: list[dict]
    attempts: int
    last_error: str | None
    next_attempt: float
    created: float
    updated: float


@dataclass
class SyncReport:
    """What one :meth:`Outbox.sync` did."""

    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    refreshed: dict[str, str] = field(default_factory=dict)  # uuid -> new status
    remaining: int = 0  # still queued after this sync
    error: str | None = None  # why sending stopped early, if it did
    # the same as a stable code for apps to translate: unreachable | server_error | rate_limited | unauthorised | refused
    error_code: str | None = None

    @property
    def complete(self) -> bool:
        return self.remaining == 0 and self.error is None


def sync_error_code(exc: SyncError | None) -> str:
    """A stable code for why sending stopped, for apps to translate (see :attr:`SyncReport.error_code`).

    The error's class code (:attr:`heritage_kit.errors.SyncError.code`); ``unreachable`` without one.
    """
    return "unreachable" if exc is None else exc.code


def default_outbox_path(app_name: str = "heritage-kit") -> str:
    """Where the app keeps its outbox: ``outbox.sqlite`` in the user data folder (platformdirs)."""
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir(app_name, appauthor=False), "outbox.sqlite")


def backoff_delay(attempt: int, *, base: float, cap: float, rng: Callable[[], float]) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)]."""
    return rng() * min(cap, base * (2 ** min(attempt, 30)))


class Outbox:
    """A durable queue of submissions on this device (see the module docstring).

    ``pack`` (optional) enables the checks that need the town: location in
    bounds, edit targets existing. ``clock`` is injectable for tests.
    """

    def __init__(self, path: str | os.PathLike, *, pack: Any = None, clock: Callable[[], float] = time.time) -> None:
        self.path = os.fspath(path)
        self.pack = pack
        self._clock = clock
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        # One connection for the outbox's life (closing the last connection of a WAL
        # database checkpoints it, which would cost an fsync per call), shared by
        # the app's threads under a lock.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a confirmed enqueue survives power loss too
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=30000")
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database (the outbox cannot be used afterwards)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- connection ------------------------------------------------------------
    @contextmanager
    def _tx(self, *, durable: bool = True):
        """A write transaction; ``durable=False`` skips the fsync of the commit.

        Enqueues and revisions are durable (they must survive power loss).
        Sync bookkeeping is not: losing it to a power cut only means an item
        is sent again, which the server answers as a replay (idempotent).
        """
        with self._lock:
            self._db.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- adding ---------------------------------------------------------------
    @staticmethod
    @contextmanager
    def _clean_errors(uuid: str):
        """Only :class:`HeritageKitError` leaves ``enqueue`` / ``revise`` (the app shows it, never a traceback)."""
        try:
            yield
        except HeritageKitError:
            raise
        except ValidationError as err:
            raise submission_error(err) from None
        except (sqlite3.Error, OSError) as exc:
            raise OutboxError(f"submission {uuid}: the outbox could not store it ({type(exc).__name__}: {exc})") \
                from exc
        except Exception as exc:  # noqa: BLE001 - a bug, but the caller still gets one catchable error
            raise OutboxError(f"submission {uuid}: could not be queued ({type(exc).__name__}: {exc})") from exc

    def _prepare(self, submission: Submission, photos: Sequence[bytes]) -> tuple[Submission, list[bytes]]:
        clean = [sanitise_photo(p, field=f"photos.{i}") for i, p in enumerate(photos)]
        refs = [PhotoRef(sha256=c.sha256, size=c.size, width=c.width, height=c.height) for c in clean]
        sub = submission.model_copy(update={"photos": refs})
        sub = Submission.model_validate(sub.model_dump())  # re-check the structure (e.g. MAX_PHOTOS)
        check_submission(sub, pack=self.pack)
        return sub, [c.data for c in clean]

    def enqueue(self, submission: Submission, photos: Sequence[bytes] = ()) -> OutboxItem:
        """Check, sanitise and store ``submission``; durable on disk when this returns.

        Raises :class:`~heritage_kit.errors.SubmissionError` (``.messages`` maps
        fields to bilingual messages) or :class:`~heritage_kit.errors.PhotoError`.
        Enqueuing the same uuid again with the same content returns the stored
        item; with different content it raises :class:`SubmissionConflict`
        (use :meth:`revise` after the moderator asked for changes). Any other failure
        (the disk, the database) is an :class:`~heritage_kit.errors.OutboxError`: nothing else escapes.
        """
        with self._clean_errors(getattr(submission, "id", "?")):
            return self._enqueue(submission, photos)

    def _enqueue(self, submission: Submission, photos: Sequence[bytes]) -> OutboxItem:
        sub, blobs = self._prepare(submission, photos)
        doc = json.dumps(sub.wire(), ensure_ascii=False, sort_keys=True)
        now = self._clock()
        with self._tx() as db:
            row = db.execute("SELECT submission FROM items WHERE uuid=?", (sub.id,)).fetchone()
            if row is not None:
                if row[0] != doc:
                    raise SubmissionConflict(f"submission {sub.id} is already in the outbox with other content")
            else:
                db.execute(
                    "INSERT INTO items(uuid, kind, submission, status, created, updated) VALUES (?,?,?,?,?,?)",
                    (sub.id, sub.kind, doc, "queued", now, now),
                )
                db.executemany(
                    "INSERT INTO photos(uuid, n, data) VALUES (?,?,?)",
                    [(sub.id, i, sqlite3.Binary(b)) for i, b in enumerate(blobs)],
                )
        return self.get(sub.id)

    def revise(self, submission: Submission, photos: Sequence[bytes] | None = None) -> OutboxItem:
        """Replace an item not yet reviewed (``queued``, ``pending``) or sent back by the moderator
        (``changes_requested``), and queue it again; approved and rejected items are final.

        ``photos=None`` keeps the stored photos. Errors as :meth:`enqueue`.
        """
        with self._clean_errors(getattr(submission, "id", "?")):
            return self._revise(submission, photos)

    def _revise(self, submission: Submission, photos: Sequence[bytes] | None) -> OutboxItem:
        current = self.get(submission.id)
        if current.status not in ("changes_requested", "queued", "pending"):
            raise SubmissionConflict(f"submission {submission.id} is {current.status}; it cannot be revised")
        if photos is None:
            blobs = self.photos(submission.id)
            refs = current.submission.photos
            sub = submission.model_copy(update={"photos": refs})
            sub = check_submission(Submission.model_validate(sub.model_dump()), pack=self.pack)
        else:
            sub, blobs = self._prepare(submission, photos)
        doc = json.dumps(sub.wire(), ensure_ascii=False, sort_keys=True)
        now = self._clock()
        with self._tx() as db:
            db.execute(
                "UPDATE items SET submission=?, status='queued', attempts=0, next_attempt=0, last_error=NULL,"
                " updated=? WHERE uuid=?",
                (doc, now, sub.id),
            )
            db.execute("DELETE FROM photos WHERE uuid=?", (sub.id,))
            db.executemany(
                "INSERT INTO photos(uuid, n, data) VALUES (?,?,?)",
                [(sub.id, i, sqlite3.Binary(b)) for i, b in enumerate(blobs)],
            )
        return self.get(sub.id)

    def remove(self, uuid: str) -> None:
        """Forget an item (the user cancels it, or clears finished ones)."""
        with self._tx() as db:
            db.execute("DELETE FROM items WHERE uuid=?", (str(uuid),))

    # -- reading --------------------------------------------------------------
    _COLS = ("uuid, kind, status, submission, message, field_messages, duplicate_hints, attempts, last_error,"
             " next_attempt, created, updated")

    def _item(self, row: tuple, photo_count: int) -> OutboxItem:
        uuid, kind, status, doc, msg, fields, hints, attempts, last_error, next_attempt, created, updated = row
        return OutboxItem(
            uuid=uuid, kind=kind, status=status, submission=Submission.model_validate_json(doc),
            photo_count=photo_count, message=msg,
            field_messages={k: Message(*v) for k, v in json.loads(fields).items()},
            duplicate_hints=json.loads(hints), attempts=attempts,
            last_error=last_error, next_attempt=next_attempt, created=created, updated=updated,
        )

    def get(self, uuid: str) -> OutboxItem:
        """One item; :class:`KeyError`-like :class:`SubmissionError` when absent."""
        rows = self._read(f"SELECT {self._COLS} FROM items WHERE uuid=?", (str(uuid),))
        if not rows:
            raise SubmissionError(f"no submission {uuid} in the outbox")
        n = self._read("SELECT COUNT(*) FROM photos WHERE uuid=?", (str(uuid),))[0][0]
        return self._item(rows[0], n)

    def items(self, *, status: str | None = None) -> list[OutboxItem]:
        """Every item (or those with ``status``), newest first."""
        where, args = ("WHERE i.status=?", (status,)) if status else ("", ())
        cols = ", ".join("i." + c.strip() for c in self._COLS.split(","))
        rows = self._read(
            f"SELECT {cols}, (SELECT COUNT(*) FROM photos p WHERE p.uuid=i.uuid) FROM items i {where}"
            " ORDER BY i.seq DESC",
            args,
        )
        return [self._item(r[:-1], r[-1]) for r in rows]

    def counts(self) -> dict[str, int]:
        """Number of items per status."""
        return dict(self._read("SELECT status, COUNT(*) FROM items GROUP BY status"))

    def photos(self, uuid: str) -> list[bytes]:
        return [bytes(r[0]) for r in self._read("SELECT data FROM photos WHERE uuid=? ORDER BY n", (str(uuid),))]

    def integrity_ok(self) -> bool:
        """SQLite's own integrity check of the outbox file."""
        return self._read("PRAGMA integrity_check")[0][0] == "ok"

    # -- syncing ----------------------------------------------------------------
    def _set(self, uuid: str, *, if_doc: str | None = None, **values) -> bool:
        """Update one item; with ``if_doc``, only if its content is still that (not revised meanwhile)."""
        values["updated"] = self._clock()
        cols = ", ".join(f"{k}=?" for k in values)
        cond, args = (" AND submission=?", (if_doc,)) if if_doc is not None else ("", ())
        with self._tx(durable=False) as db:
            cur = db.execute(f"UPDATE items SET {cols} WHERE uuid=?{cond}", (*values.values(), uuid, *args))
            return cur.rowcount > 0

    def sync(
        self,
        client: Any,
        *,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 60.0,
        refresh: bool = True,
        refresh_limit: int = 200,
        force: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> SyncReport:
        """Send queued items (oldest first), then refresh the status of delivered ones.

        Each item is sent with its uuid as idempotency key; a transient failure
        (timeout, connection error, 5xx, 408, 429) is retried up to
        ``max_attempts`` times with exponential backoff and full jitter. If an
        item still fails, sending stops (the server is probably unreachable), the
        queued items wait for a persisted ``next_attempt``, and the report
        says so. A 429 stops at once and the queue waits for the server's
        ``Retry-After``. A 4xx refusal marks the item ``rejected`` with the server's
        message; a 401/403 stops the sync with ``report.error`` (items stay
        queued). ``force=True`` ignores the persisted backoff (a "send now"
        button). Never loops without bound.
        """
        report = SyncReport()
        now = float("inf") if force else self._clock()
        due = self._read(
            "SELECT uuid FROM items WHERE status='queued' AND next_attempt<=? ORDER BY seq", (now,)
        )
        for (uuid,) in due:
            item = self.get(uuid)
            photos = self.photos(uuid)
            outcome = self._send_one(client, item, photos, report, max_attempts=max_attempts, base=base_delay,
                                     cap=max_delay, sleep=sleep, rng=rng)
            if outcome == "stop":
                break
        if refresh and report.error is None:
            self._refresh(client, report, limit=refresh_limit)
        report.remaining = self._read("SELECT COUNT(*) FROM items WHERE status='queued'")[0][0]
        _log.info("sync: %d sent, %d refused, %d still queued%s", len(report.sent), len(report.refused),
                  report.remaining, f"; stopped: {report.error}" if report.error else "")
        return report

    def _send_one(self, client, item: OutboxItem, photos: list[bytes], report: SyncReport, *, max_attempts: int,
                  base: float, cap: float, sleep, rng) -> str:
        rows = self._read("SELECT submission FROM items WHERE uuid=?", (item.uuid,))
        if not rows:
            return "next"  # removed meanwhile
        doc = rows[0][0]
        last: SyncError | None = None
        for attempt in range(max_attempts):
            try:
                result = client.submit(item.submission, photos)
            except SubmissionRefused as exc:
                fields = {k: list(m) for k, m in exc.messages.items() if isinstance(m, Message)}
                if self._set(item.uuid, if_doc=doc, status="rejected", message=str(exc.args[0] if exc.args else exc),
                             last_error=None,  # the server's sentence; the reasons go in field_messages
                             field_messages=json.dumps(fields, ensure_ascii=False)):
                    report.refused.append(item.uuid)
                _log.info("sync: %s refused by the inbox (%s)", item.uuid, exc)
                return "next"
            except SyncError as exc:
                if not exc.transient:
                    self._set(item.uuid, last_error=str(exc))
                    report.error, report.error_code = str(exc), sync_error_code(exc)
                    return "stop"
                if exc.code == SyncRateLimited.code:
                    # Rate limited: waiting here would hold the sync for minutes; every queued
                    # item waits for the server's Retry-After (or a backoff) instead.
                    wait = exc.retry_after if exc.retry_after is not None else backoff_delay(
                        item.attempts + attempt, base=base, cap=cap, rng=lambda: 0.5 + 0.5 * rng())
                    self._hold_queue(item.uuid, attempts=item.attempts + attempt + 1, error=str(exc), wait=wait)
                    report.error, report.error_code = f"sending stopped: {exc}", sync_error_code(exc)
                    return "stop"
                last = exc
                _log.info("sync: %s attempt %d failed (%s)", item.uuid, attempt + 1, exc)
                if attempt + 1 < max_attempts:
                    delay = backoff_delay(attempt, base=base, cap=cap, rng=rng)
                    if exc.retry_after is not None:
                        delay = max(delay, min(exc.retry_after, cap))
                    sleep(delay)
                continue
            status = result.status if result.status in OUTBOX_STATUSES else "pending"
            # If the user revised the item while it was being sent, it stays queued for the new content.
            if self._set(item.uuid, if_doc=doc, status=status, message=None, last_error=None,
                         duplicate_hints=json.dumps(result.duplicate_hints, ensure_ascii=False),
                         attempts=item.attempts + attempt + 1):
                report.sent.append(item.uuid)
            return "next"
        attempts = item.attempts + max_attempts
        delay = backoff_delay(attempts, base=base, cap=cap, rng=lambda: 0.5 + 0.5 * rng())
        self._hold_queue(item.uuid, attempts=attempts, error=str(last), wait=delay)
        report.error, report.error_code = f"sending stopped: {last}", sync_error_code(last)
        return "stop"

    def _hold_queue(self, uuid: str, *, attempts: int, error: str, wait: float) -> None:
        """Record the failure on ``uuid`` and make every queued item wait ``wait`` seconds."""
        until = self._clock() + wait
        self._set(uuid, attempts=attempts, last_error=error, next_attempt=until)
        with self._tx(durable=False) as db:  # the server is unreachable or busy: every queued item waits as long
            db.execute("UPDATE items SET next_attempt=? WHERE status='queued' AND next_attempt<?", (until, until))

    def _refresh(self, client, report: SyncReport, *, limit: int) -> None:
        rows = self._read(
            "SELECT uuid, status FROM items WHERE status IN ('pending','changes_requested') ORDER BY updated LIMIT ?",
            (limit,),
        )
        for uuid, old in rows:
            try:
                st = client.status(uuid)
            except SubmissionRefused:
                continue  # e.g. 404: the server no longer knows it; keep what we know
            except SyncError:
                break  # unreachable: try again next time
            if st.status in OUTBOX_STATUSES and st.status != "queued" and (st.status != old or st.message):
                self._set(uuid, status=st.status, message=st.message)
                if st.status != old:
                    report.refreshed[uuid] = st.status
