"""The SQL behind both storage engines, and the SQLite engine.

:class:`SqlStorage` holds every query (written with ``?`` placeholders) and the
transaction logic once; an engine supplies a write transaction (``_tx``), a
read connection (``_read``), the row-lock clause and its migrations. So SQLite
and PostgreSQL share their semantics, and one test suite checks both.

Concurrency: a decision reads its submission with the engine's row lock
(SQLite: ``BEGIN IMMEDIATE`` under the connection lock serialises writers;
PostgreSQL: ``SELECT … FOR UPDATE``), so of two moderators deciding at once
the second sees the first's status and gets :class:`ModerationError` (409). A
new uuid is one ``INSERT … ON CONFLICT DO NOTHING`` (not read before or after: the common
case is one statement); when it inserted nothing the row is read locked, so two devices' concurrent
posts of one uuid leave one row.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from heritage_kit.errors import AccountError, AccountExists, ModerationError, SubmissionConflict
from heritage_kit.inbox.migrations import scripts
from heritage_kit.inbox.moderation import next_status, replay_decision
from heritage_kit.inbox.storage import (
    ROLES, Account, AuditEntry, NearbyEntry, Session, Storage, StoredPhoto, StoredSubmission, _box, _now_iso,
    iso_bound,
)
from heritage_kit.submissions.model import Submission

__all__ = ["SqlStorage", "SqliteStorage"]

_COLS = ("uuid, status, submission, token_hash, content_hash, duplicate_hints, message, edits, created, updated, "
         "published_version, (SELECT COUNT(*) FROM photos p WHERE p.uuid = s.uuid), town")
_ACCOUNT_COLS = "name, role, towns, password_hash, created"


def _where_and_name(submission: Submission) -> tuple[float | None, float | None, str | None]:
    """A new entry's location and name, kept in columns for :meth:`SqlStorage.entries_near`."""
    prop = submission.proposal
    if submission.kind != "new_poi" or prop.location is None or not prop.name:
        return None, None, None
    return float(prop.location.lat), float(prop.location.lon), _dumps(dict(prop.name))


_INSERT = ("INSERT INTO submissions(uuid, kind, target, status, submission, token_hash, content_hash,"
           " duplicate_hints, created, updated, town, lat, lon, name) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
           " ON CONFLICT (uuid) DO NOTHING")
# the new row and its "submit" audit entry in one statement (PostgreSQL's data-modifying WITH; no row: no entry)
_INSERT_WITH_AUDIT = (f"WITH s AS ({_INSERT} RETURNING uuid) INSERT INTO audit(uuid, at, actor, action, from_status,"
                      " to_status, detail) SELECT uuid, ?, ?, 'submit', NULL, 'pending', ? FROM s")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _where(*, status=None, towns=None, kind=None, since=None, until=None, has_photo=None, has_hints=None,
           approved_only=False, unpublished=False) -> tuple[str, list]:
    clauses, args = [], []
    if status:
        clauses.append("status=?")
        args.append(status)
    if towns is not None:
        towns = [str(t) for t in towns]
        if not towns:
            clauses.append("1=0")
        else:
            clauses.append(f"town IN ({', '.join('?' for _ in towns)})")
            args.extend(towns)
    if kind:
        clauses.append("kind=?")
        args.append(kind)
    if since is not None:
        clauses.append("created >= ?")
        args.append(iso_bound(since))
    if until is not None:
        clauses.append("created < ?")
        args.append(iso_bound(until))
    if has_photo is not None:
        clauses.append(("" if has_photo else "NOT ") + "EXISTS (SELECT 1 FROM photos p WHERE p.uuid = s.uuid)")
    if has_hints is not None:
        clauses.append("duplicate_hints " + ("<>" if has_hints else "=") + " '[]'")
    if approved_only:
        clauses.append("status='approved'")
    if unpublished:
        clauses.append("published_version IS NULL")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _wait(row: Sequence | None, *, rate: float, burst: float, now: float) -> float:
    """Seconds before a bucket row ``(tokens, at)`` holds one token (a missing row is a full bucket)."""
    tokens = min(float(burst), row[0] + (now - row[1]) * rate) if row else float(burst)
    return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    return role


class SqlStorage(Storage):
    """The storage logic over a DB-API-like connection (``execute`` returning a cursor)."""

    dialect = ""
    for_update = ""  # the row-lock clause of a SELECT inside a write transaction
    least = "MIN"  # the scalar minimum of two values (PostgreSQL: LEAST)
    insert_with_audit = False  # the engine runs _INSERT_WITH_AUDIT (a data-modifying WITH: PostgreSQL)

    # -- what an engine provides ---------------------------------------------------
    def _tx(self) -> contextlib.AbstractContextManager:  # pragma: no cover - abstract
        raise NotImplementedError

    def _read(self) -> contextlib.AbstractContextManager:  # pragma: no cover - abstract
        raise NotImplementedError

    def _binary(self, data: bytes) -> Any:
        return data

    def _single(self) -> contextlib.AbstractContextManager:
        """A connection for one self-contained statement (PostgreSQL: autocommit, no BEGIN/COMMIT round trips)."""
        return self._tx()

    # -- helpers ---------------------------------------------------------------
    @staticmethod
    def _row(row: Sequence) -> StoredSubmission:
        uuid, status, doc, th, ch, hints, msg, edits, created, updated, pv, n, town = row
        return StoredSubmission(
            uuid=uuid, status=status, submission=Submission.model_validate_json(doc), token_hash=th,
            content_hash=ch, duplicate_hints=json.loads(hints), message=msg,
            edits=json.loads(edits) if edits else None, created=created, updated=updated,
            published_version=pv, photo_count=int(n), town=town,
        )

    @staticmethod
    def _account(row: Sequence) -> Account:
        name, role, towns, ph, created = row
        return Account(name=name, role=role, towns=tuple(json.loads(towns)), password_hash=ph, created=created)

    def _get(self, db, uuid: str, *, lock: bool = False) -> StoredSubmission | None:
        sql = f"SELECT {_COLS} FROM submissions s WHERE uuid=?" + (self.for_update if lock else "")
        row = db.execute(sql, (uuid,)).fetchone()
        return self._row(row) if row else None

    @staticmethod
    def _audit(db, uuid: str | None, at: str, actor: str, action: str, old: str | None, new: str | None,
               detail: dict) -> None:
        db.execute(
            "INSERT INTO audit(uuid, at, actor, action, from_status, to_status, detail) VALUES (?,?,?,?,?,?,?)",
            (uuid, at, actor, action, old, new, _dumps(detail)),
        )

    def _put_photos(self, db, uuid: str, photos, *, new: bool = False) -> None:
        if not new:  # a revision replaces the photos; a new row has none yet
            db.execute("DELETE FROM photos WHERE uuid=?", (uuid,))
        rows = [(uuid, i, self._binary(p.data), p.sha256, p.width, p.height) for i, p in enumerate(photos)]
        if rows:
            db.executemany("INSERT INTO photos(uuid, n, data, sha256, width, height) VALUES (?,?,?,?,?,?)", rows)

    # -- submissions --------------------------------------------------------------
    def add(self, submission, *, token_hash, content_hash, photos, hints, actor, town="", at=None):
        uuid = submission.id
        ts = _now_iso(at)
        doc = _dumps(submission.wire())
        lat, lon, name = _where_and_name(submission)
        hints_doc = json.dumps(hints, ensure_ascii=False)
        row = (uuid, submission.kind, submission.target, "pending", doc, token_hash, content_hash, hints_doc,
               ts, ts, str(town), lat, lon, name)
        audit = _dumps({"kind": submission.kind, "photos": len(photos), "duplicate_hints": len(hints),
                        "town": str(town)})
        created = StoredSubmission(uuid=uuid, status="pending", submission=submission, token_hash=token_hash,
                                   content_hash=content_hash, duplicate_hints=json.loads(hints_doc), message=None,
                                   edits=None, created=ts, updated=ts, published_version=None,
                                   photo_count=len(photos), town=str(town))
        # the common case first: a new uuid is inserted, not read before nor after (a concurrent insert of the same
        # uuid waits on the unique index; then this one inserts nothing and the row is read locked below)
        if not photos and self.insert_with_audit:  # PostgreSQL: one statement, one round trip
            with self._single() as db:
                if db.execute(_INSERT_WITH_AUDIT, (*row, ts, actor, audit)).rowcount == 1:
                    return created, "created"
        with self._tx() as db:
            if db.execute(_INSERT, row).rowcount == 1:
                self._put_photos(db, uuid, photos, new=True)
                db.execute("INSERT INTO audit(uuid, at, actor, action, from_status, to_status, detail)"
                           " VALUES (?,?,?,'submit',NULL,'pending',?)", (uuid, ts, actor, audit))
                return created, "created"
            existing = self._get(db, uuid, lock=True)
            decision = replay_decision(status=existing.status, same_device=existing.token_hash == token_hash,
                                       same_content=existing.content_hash == content_hash)
            if decision == "replay":
                return existing, "replay"
            if decision == "conflict":
                raise SubmissionConflict(f"submission {uuid} already exists with other content")
            new = next_status(existing.status, "resubmit")
            db.execute(
                "UPDATE submissions SET kind=?, target=?, status=?, submission=?, content_hash=?, duplicate_hints=?,"
                " message=NULL, updated=?, lat=?, lon=?, name=? WHERE uuid=?",
                (submission.kind, submission.target, new, doc, content_hash, hints_doc, ts, lat, lon, name, uuid),
            )
            self._put_photos(db, uuid, photos)
            self._audit(db, uuid, ts, actor, "resubmit", existing.status, new, {"photos": len(photos)})
            return self._get(db, uuid), "revised"

    def entries_near(self, lat, lon, radius_m, *, limit=500):
        s, w, n, e = _box(float(lat), float(lon), float(radius_m))
        with self._read() as db:
            rows = db.execute(
                "SELECT uuid, name, lat, lon FROM submissions WHERE lat IS NOT NULL AND published_version IS NULL"
                " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND kind='new_poi'"
                " AND status IN ('pending','approved') ORDER BY seq LIMIT ?",
                (s, n, w, e, max(0, int(limit)))).fetchall()
        return [NearbyEntry(u, json.loads(nm), float(la), float(lo)) for u, nm, la, lo in rows if nm]

    def get(self, uuid):
        with self._read() as db:
            return self._get(db, str(uuid))

    # -- rate limits shared by processes (schema v4) ---------------------------------------------------
    def take_token(self, key: str, *, rate: float, burst: float, now: float) -> float:
        """Spend one token of the bucket ``key`` (``burst`` tokens, refilled at ``rate`` per second).

        0.0 when spent, else the seconds before one is available. One atomic upsert, so every process
        sharing the database draws from the same bucket (a refused call changes nothing).
        """
        refill = f"{self.least}(?, rate_buckets.tokens + (? - rate_buckets.at) * ?)"
        with self._single() as db:
            cur = db.execute(
                "INSERT INTO rate_buckets(key, tokens, at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
                f" SET tokens = {refill} - 1, at = ? WHERE {refill} >= 1",
                (key, float(burst) - 1.0, now, burst, now, rate, now, burst, now, rate))
            if cur.rowcount == 1:
                return 0.0
            row = db.execute("SELECT tokens, at FROM rate_buckets WHERE key=?", (key,)).fetchone()
        return _wait(row, rate=rate, burst=burst, now=now)

    def peek_tokens(self, key: str, *, rate: float, burst: float, now: float) -> float:
        """Seconds before the bucket ``key`` has a token (0.0: now), spending nothing."""
        with self._single() as db:
            row = db.execute("SELECT tokens, at FROM rate_buckets WHERE key=?", (key,)).fetchone()
        return _wait(row, rate=rate, burst=burst, now=now)

    def forget_buckets(self, *, older_than: float) -> int:
        """Delete the buckets untouched since ``older_than`` (full again by then); how many were deleted."""
        with self._single() as db:
            return db.execute("DELETE FROM rate_buckets WHERE at < ?", (float(older_than),)).rowcount

    def list(self, *, status=None, towns=None, kind=None, since=None, until=None, has_photo=None, has_hints=None,
             limit=50, offset=0):
        where, args = _where(status=status, towns=towns, kind=kind, since=since, until=until, has_photo=has_photo,
                             has_hints=has_hints)
        with self._read() as db:
            rows = db.execute(f"SELECT {_COLS} FROM submissions s{where} ORDER BY seq LIMIT ? OFFSET ?",
                              (*args, max(0, int(limit)), max(0, int(offset)))).fetchall()
        return [self._row(r) for r in rows]

    def count(self, *, status=None, towns=None, kind=None, since=None, until=None, has_photo=None, has_hints=None):
        where, args = _where(status=status, towns=towns, kind=kind, since=since, until=until, has_photo=has_photo,
                             has_hints=has_hints)
        with self._read() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM submissions s{where}", args).fetchone()[0])

    def photos(self, uuid):
        with self._read() as db:
            rows = db.execute("SELECT n, data, sha256, width, height FROM photos WHERE uuid=? ORDER BY n",
                              (str(uuid),)).fetchall()
        return [StoredPhoto(n, bytes(d), h, w, ht) for n, d, h, w, ht in rows]

    def moderate(self, uuid, action, *, actor, reason=None, edited=None, edits=None, at=None):
        ts = _now_iso(at)
        with self._tx() as db:
            existing = self._get(db, str(uuid), lock=True)
            if existing is None:
                raise ModerationError(f"no submission {uuid}")
            new = next_status(existing.status, action, reason=reason)
            doc = _dumps((edited or existing.submission).wire())
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
        where, args = (" WHERE uuid=?", (str(uuid),)) if uuid else ("", ())
        with self._read() as db:
            rows = db.execute(f"SELECT id, uuid, at, actor, action, from_status, to_status, detail FROM audit{where}"
                              " ORDER BY id LIMIT ?", (*args, int(limit))).fetchall()
        return [AuditEntry(int(i), u, at, a, act, f, t, json.loads(d)) for i, u, at, a, act, f, t, d in rows]

    def record_audit(self, actor, action, *, uuid=None, detail=None, at=None):
        with self._tx() as db:
            self._audit(db, str(uuid) if uuid else None, _now_iso(at), str(actor), str(action), None, None,
                        dict(detail or {}))

    def approved(self, *, include_published=False, towns=None):
        where, args = _where(towns=towns, approved_only=True, unpublished=not include_published)
        with self._read() as db:
            rows = db.execute(f"SELECT {_COLS} FROM submissions s{where} ORDER BY seq", args).fetchall()
        return [self._row(r) for r in rows]

    def mark_published(self, uuids, version, *, actor, at=None):
        ts = _now_iso(at)
        version = int(version)
        marked: builtins.list[str] = []
        with self._tx() as db:
            for uuid in uuids:
                cur = db.execute(
                    "UPDATE submissions SET published_version=?, updated=? WHERE uuid=? AND status='approved'"
                    " AND (published_version IS NULL OR published_version < ?)", (version, ts, uuid, version))
                if cur.rowcount == 1:
                    self._audit(db, uuid, ts, actor, "publish", "approved", "approved", {"pack_version": version})
                    marked.append(uuid)
        return marked

    # -- accounts --------------------------------------------------------------------
    def add_account(self, name, *, password_hash, role, towns, at=None):
        account = Account(name=str(name), role=_check_role(role), towns=tuple(str(t) for t in towns),
                          password_hash=str(password_hash), created=_now_iso(at))
        with self._tx() as db:
            cur = db.execute(f"INSERT INTO accounts({_ACCOUNT_COLS}) VALUES (?,?,?,?,?) ON CONFLICT (name) DO NOTHING",
                             (account.name, account.role, json.dumps(list(account.towns)), account.password_hash,
                              account.created))
            if cur.rowcount != 1:
                raise AccountExists(account.name)
        return account

    def get_account(self, name):
        with self._read() as db:
            row = db.execute(f"SELECT {_ACCOUNT_COLS} FROM accounts WHERE name=?", (str(name),)).fetchone()
        return self._account(row) if row else None

    def list_accounts(self):
        with self._read() as db:
            rows = db.execute(f"SELECT {_ACCOUNT_COLS} FROM accounts ORDER BY name").fetchall()
        return [self._account(r) for r in rows]

    def _change(self, sql: str, args: Sequence) -> bool:
        with self._tx() as db:
            return db.execute(sql, args).rowcount > 0

    def remove_account(self, name):
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE account=?", (str(name),))
            return db.execute("DELETE FROM accounts WHERE name=?", (str(name),)).rowcount > 0

    def set_password(self, name, password_hash):
        return self._change("UPDATE accounts SET password_hash=? WHERE name=?", (str(password_hash), str(name)))

    def set_account_towns(self, name, *, role, towns):
        return self._change("UPDATE accounts SET role=?, towns=? WHERE name=?",
                            (_check_role(role), json.dumps([str(t) for t in towns]), str(name)))

    # -- sessions ------------------------------------------------------------------------
    def create_session(self, token_hash, account, *, expires, csrf):
        with self._tx() as db:
            db.execute("INSERT INTO sessions(token_hash, account, expires, csrf) VALUES (?,?,?,?)",
                       (str(token_hash), str(account), iso_bound(expires), str(csrf)))

    def get_session(self, token_hash, *, now=None):
        with self._read() as db:
            row = db.execute("SELECT token_hash, account, expires, csrf FROM sessions WHERE token_hash=?"
                             " AND expires > ?", (str(token_hash), _now_iso(now))).fetchone()
        return Session(*row) if row else None

    def delete_session(self, token_hash):
        self._change("DELETE FROM sessions WHERE token_hash=?", (str(token_hash),))

    def delete_sessions_of(self, account):
        self._change("DELETE FROM sessions WHERE account=?", (str(account),))


class _SqliteTx:
    def __init__(self, storage: "SqliteStorage") -> None:
        self.s = storage

    def __enter__(self) -> sqlite3.Connection:
        self.s._lock.acquire()
        try:
            self.s._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.s._lock.release()
            raise
        return self.s._db

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            self.s._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.s._lock.release()
        return False


class SqliteStorage(SqlStorage):
    """SQLite storage in one file (``":memory:"`` for tests): WAL, one connection guarded by a lock.

    ``town`` is given to submissions stored before towns were recorded.
    """

    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike, *, town: str = "") -> None:
        self.path = os.fspath(path)
        if self.path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._migrate(town)

    def _migrate(self, town: str) -> None:
        with self._tx() as db:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current == 0 and db.execute("SELECT 1 FROM sqlite_master WHERE name='submissions'").fetchone():
                current = 1  # a file of the first inbox, from before versions were stamped
            for version, statements in scripts("sqlite", current, town=town):
                for stmt in statements:
                    db.execute(stmt)
                db.execute(f"PRAGMA user_version={int(version)}")

    def schema_version(self) -> int:
        with self._read() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self):
        return _SqliteTx(self)

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def _binary(self, data: bytes) -> Any:
        return sqlite3.Binary(data)


