"""Where the inbox keeps submissions, photos and the audit log.

:class:`Storage` is the interface (so PostgreSQL can follow); :class:`SqliteStorage`
the default implementation (one file, WAL, one connection guarded by a lock,
so it is safe from FastAPI's worker threads). Device tokens are stored only as
SHA-256 hashes. The audit table is append-only (SQLite triggers refuse UPDATE
and DELETE on it); every state change is written in the same transaction as
the change itself.
"""

from __future__ import annotations

import abc
import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from heritage_kit.errors import ModerationError, SubmissionConflict
from heritage_kit.inbox.moderation import next_status, replay_decision
from heritage_kit.submissions.model import Submission
from heritage_kit.submissions.photos import CleanPhoto

__all__ = ["Storage", "SqliteStorage", "StoredSubmission", "AuditEntry", "StoredPhoto"]


@dataclass(frozen=True)
class StoredSubmission:
    uuid: str
    status: str
    submission: Submission
    token_hash: str
    content_hash: str
    duplicate_hints: list[dict]
    message: str | None  # reason given to the contributor (rejection, requested changes)
    edits: dict | None  # the moderator's edits made on approval
    created: str
    updated: str
    published_version: int | None
    photo_count: int

    def public(self) -> dict[str, Any]:
        """What the submitting device may see."""
        return {
            "uuid": self.uuid,
            "status": self.status,
            "message": self.message,
            "updated": self.updated,
            "published_version": self.published_version,
        }


@dataclass(frozen=True)
class StoredPhoto:
    n: int
    data: bytes
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class AuditEntry:
    id: int
    uuid: str
    at: str
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict = field(default_factory=dict)


def _now_iso(at: datetime | None) -> str:
    return (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="milliseconds")


class Storage(abc.ABC):
    """The inbox's persistence. Every method is atomic."""

    @abc.abstractmethod
    def add(self, submission: Submission, *, token_hash: str, content_hash: str, photos: Sequence[CleanPhoto],
            hints: list[dict], actor: str, at: datetime | None = None) -> tuple[StoredSubmission, str]:
        """Store a new submission; returns it and ``"created"``, ``"replay"`` or ``"revised"``.

        Raises :class:`SubmissionConflict` when the uuid exists with another
        device or other content (and no changes were requested).
        """

    @abc.abstractmethod
    def get(self, uuid: str) -> StoredSubmission | None: ...

    @abc.abstractmethod
    def list(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[StoredSubmission]: ...

    @abc.abstractmethod
    def count(self, *, status: str | None = None) -> int: ...

    @abc.abstractmethod
    def photos(self, uuid: str) -> list[StoredPhoto]: ...

    @abc.abstractmethod
    def moderate(self, uuid: str, action: str, *, actor: str, reason: str | None = None,
                 edited: Submission | None = None, edits: dict | None = None,
                 at: datetime | None = None) -> StoredSubmission:
        """Apply a moderation action (state machine checked), with its audit entry."""

    @abc.abstractmethod
    def audit(self, uuid: str | None = None, *, limit: int = 1000) -> list[AuditEntry]: ...

    @abc.abstractmethod
    def approved(self, *, include_published: bool = False) -> list[StoredSubmission]:
        """Approved submissions in order of arrival (by default only those not yet published)."""

    def approved_unpublished(self) -> list[StoredSubmission]:
        return self.approved(include_published=False)

    @abc.abstractmethod
    def mark_published(self, uuids: Sequence[str], version: int, *, actor: str, at: datetime | None = None) -> None: ...

    def close(self) -> None:  # pragma: no cover - optional
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    target TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected','changes_requested')),
    submission TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    duplicate_hints TEXT NOT NULL DEFAULT '[]',
    message TEXT,
    edits TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    published_version INTEGER
);
CREATE INDEX IF NOT EXISTS submissions_status ON submissions(status, seq);
CREATE TABLE IF NOT EXISTS photos (
    uuid TEXT NOT NULL REFERENCES submissions(uuid),
    n INTEGER NOT NULL,
    data BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    PRIMARY KEY (uuid, n)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_uuid ON audit(uuid, id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

_COLS = ("uuid, status, submission, token_hash, content_hash, duplicate_hints, message, edits, created, updated, "
         "published_version, (SELECT COUNT(*) FROM photos p WHERE p.uuid = s.uuid)")


class SqliteStorage(Storage):
    """SQLite storage in one file (``":memory:"`` for tests)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = os.fspath(path)
        if self.path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- helpers ------------------------------------------------------------
    def _tx(self):
        storage = self

        class _Tx:
            def __enter__(self_inner):
                storage._lock.acquire()
                storage._db.execute("BEGIN IMMEDIATE")
                return storage._db

            def __exit__(self_inner, exc_type, exc, tb):
                try:
                    storage._db.execute("ROLLBACK" if exc_type else "COMMIT")
                finally:
                    storage._lock.release()
                return False

        return _Tx()

    @staticmethod
    def _row(row: tuple) -> StoredSubmission:
        uuid, status, doc, th, ch, hints, msg, edits, created, updated, pv, n = row
        return StoredSubmission(
            uuid=uuid, status=status, submission=Submission.model_validate_json(doc), token_hash=th,
            content_hash=ch, duplicate_hints=json.loads(hints), message=msg,
            edits=json.loads(edits) if edits else None, created=created, updated=updated,
            published_version=pv, photo_count=n,
        )

    def _get(self, db: sqlite3.Connection, uuid: str) -> StoredSubmission | None:
        row = db.execute(f"SELECT {_COLS} FROM submissions s WHERE uuid=?", (uuid,)).fetchone()
        return self._row(row) if row else None

    @staticmethod
    def _audit(db, uuid: str, at: str, actor: str, action: str, old: str | None, new: str | None, detail: dict) -> None:
        db.execute(
            "INSERT INTO audit(uuid, at, actor, action, from_status, to_status, detail) VALUES (?,?,?,?,?,?,?)",
            (uuid, at, actor, action, old, new, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )

    @staticmethod
    def _put_photos(db, uuid: str, photos: Sequence[CleanPhoto]) -> None:
        db.execute("DELETE FROM photos WHERE uuid=?", (uuid,))
        db.executemany(
            "INSERT INTO photos(uuid, n, data, sha256, width, height) VALUES (?,?,?,?,?,?)",
            [(uuid, i, sqlite3.Binary(p.data), p.sha256, p.width, p.height) for i, p in enumerate(photos)],
        )

    # -- interface ------------------------------------------------------------
    def add(self, submission, *, token_hash, content_hash, photos, hints, actor, at=None):
        uuid = submission.id
        ts = _now_iso(at)
        doc = json.dumps(submission.wire(), ensure_ascii=False, sort_keys=True)
        hints_doc = json.dumps(hints, ensure_ascii=False)
        with self._tx() as db:
            existing = self._get(db, uuid)
            if existing is None:
                db.execute(
                    "INSERT INTO submissions(uuid, kind, target, status, submission, token_hash, content_hash,"
                    " duplicate_hints, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (uuid, submission.kind, submission.target, "pending", doc, token_hash, content_hash, hints_doc,
                     ts, ts),
                )
                self._put_photos(db, uuid, photos)
                self._audit(db, uuid, ts, actor, "submit", None, "pending",
                            {"kind": submission.kind, "photos": len(photos), "duplicate_hints": len(hints)})
                return self._get(db, uuid), "created"
            decision = replay_decision(status=existing.status, same_device=existing.token_hash == token_hash,
                                       same_content=existing.content_hash == content_hash)
            if decision == "replay":
                return existing, "replay"
            if decision == "conflict":
                raise SubmissionConflict(f"submission {uuid} already exists with other content")
            new = next_status(existing.status, "resubmit")
            db.execute(
                "UPDATE submissions SET kind=?, target=?, status=?, submission=?, content_hash=?, duplicate_hints=?,"
                " message=NULL, updated=? WHERE uuid=?",
                (submission.kind, submission.target, new, doc, content_hash, hints_doc, ts, uuid),
            )
            self._put_photos(db, uuid, photos)
            self._audit(db, uuid, ts, actor, "resubmit", existing.status, new, {"photos": len(photos)})
            return self._get(db, uuid), "revised"

    def get(self, uuid):
        with self._lock:
            return self._get(self._db, str(uuid))

    def list(self, *, status=None, limit=50, offset=0):
        where, args = ("WHERE status=?", [status]) if status else ("", [])
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLS} FROM submissions s {where} ORDER BY seq LIMIT ? OFFSET ?",
                (*args, max(0, int(limit)), max(0, int(offset))),
            ).fetchall()
        return [self._row(r) for r in rows]

    def count(self, *, status=None):
        where, args = ("WHERE status=?", (status,)) if status else ("", ())
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM submissions {where}", args).fetchone()[0]

    def photos(self, uuid):
        with self._lock:
            rows = self._db.execute(
                "SELECT n, data, sha256, width, height FROM photos WHERE uuid=? ORDER BY n", (str(uuid),)
            ).fetchall()
        return [StoredPhoto(n, bytes(d), h, w, ht) for n, d, h, w, ht in rows]

    def moderate(self, uuid, action, *, actor, reason=None, edited=None, edits=None, at=None):
        ts = _now_iso(at)
        with self._tx() as db:
            existing = self._get(db, str(uuid))
            if existing is None:
                raise ModerationError(f"no submission {uuid}")
            new = next_status(existing.status, action, reason=reason)
            doc = json.dumps((edited or existing.submission).wire(), ensure_ascii=False, sort_keys=True)
            db.execute(
                "UPDATE submissions SET status=?, message=?, submission=?, edits=?, updated=? WHERE uuid=?",
                (new, reason.strip() if reason else None, doc,
                 json.dumps(edits, ensure_ascii=False) if edits else None, ts, existing.uuid),
            )
            detail: dict[str, Any] = {}
            if reason:
                detail["reason"] = reason.strip()
            if edits:
                detail["edits"] = edits
            self._audit(db, existing.uuid, ts, actor, action, existing.status, new, detail)
            return self._get(db, existing.uuid)

    def audit(self, uuid=None, *, limit=1000):
        where, args = ("WHERE uuid=?", (str(uuid),)) if uuid else ("", ())
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, uuid, at, actor, action, from_status, to_status, detail FROM audit {where}"
                " ORDER BY id LIMIT ?",
                (*args, int(limit)),
            ).fetchall()
        return [AuditEntry(i, u, at, a, act, f, t, json.loads(d)) for i, u, at, a, act, f, t, d in rows]

    def approved(self, *, include_published=False):
        only_new = "" if include_published else " AND published_version IS NULL"
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLS} FROM submissions s WHERE status='approved'{only_new} ORDER BY seq"
            ).fetchall()
        return [self._row(r) for r in rows]

    def mark_published(self, uuids, version, *, actor, at=None):
        ts = _now_iso(at)
        with self._tx() as db:
            for uuid in uuids:
                db.execute("UPDATE submissions SET published_version=?, updated=? WHERE uuid=?", (int(version), ts, uuid))
                self._audit(db, uuid, ts, actor, "publish", "approved", "approved", {"pack_version": int(version)})
