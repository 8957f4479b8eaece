"""Where the inbox keeps submissions, photos, accounts, sessions and the audit log.

:class:`Storage` is the interface; two engines implement it with the same SQL
and the same semantics (``heritage_kit.inbox.storage_sql``): :class:`SqliteStorage`
(one file, WAL, the default for one town) and ``PostgresStorage``
(``heritage_kit.inbox.storage_pg``, psycopg 3 with a connection pool, for a hub
of several towns). :func:`open_storage` picks one from a path or URL.
Device and session tokens are stored only as SHA-256 hashes. The audit table is
append-only (triggers refuse UPDATE and DELETE); every state change is written
in the same transaction as the change itself. Schemas are versioned
(``heritage_kit.inbox.migrations``) and upgraded on open.
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from heritage_kit.submissions.model import Submission
from heritage_kit.submissions.photos import CleanPhoto

__all__ = ["Storage", "SqliteStorage", "StoredSubmission", "AuditEntry", "StoredPhoto", "Account", "Session",
           "ROLES", "open_storage", "iso_bound", "NearbyEntry"]

ROLES: tuple[str, ...] = ("moderator", "admin", "town-centre manager")  # the last: merchants (issue 20)


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
    town: str = ""  # the pack's manifest town_id

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
    uuid: str | None  # None for account events (sign-in, user add/remove)
    at: str
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NearbyEntry:
    """A stored new entry near a point: what duplicate hints need (:meth:`Storage.entries_near`)."""

    uuid: str
    name: dict[str, str]
    lat: float
    lon: float


def _box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within ``radius_m`` (a little larger)."""
    from heritage_kit.geo import metres_per_degree

    m_lon, m_lat = metres_per_degree(lat)  # (per degree of longitude, of latitude)
    r = float(radius_m) * 1.01 + 1.0
    dlon = r / max(m_lon, 1.0)
    return lat - r / m_lat, lon - dlon, lat + r / m_lat, lon + dlon


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # 'moderator' | 'admin'
    towns: tuple[str, ...]
    password_hash: str
    created: str


@dataclass(frozen=True)
class Session:
    token_hash: str
    account: str
    expires: str
    csrf: str


def _now_iso(at: datetime | None) -> str:
    return (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="milliseconds")


def iso_bound(value: str | datetime | None) -> str | None:
    """A date or date-time (``"2026-11-20"``, ISO-8601, ``datetime``) as the stored UTC form, for comparisons.

    Naive values are taken as UTC. Raises ``ValueError`` naming the value when it is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not a date or ISO-8601 date-time: {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return _now_iso(dt)


class Storage(abc.ABC):
    """The inbox's persistence. Every method is atomic.

    Filters of :meth:`list` / :meth:`count`: ``towns=None`` means every town,
    ``towns=[]`` none; ``since`` (inclusive) and ``until`` (exclusive) bound the
    arrival time (dates or ISO-8601, see :func:`iso_bound`).
    """

    @abc.abstractmethod
    def add(self, submission: Submission, *, token_hash: str, content_hash: str, photos: Sequence[CleanPhoto],
            hints: builtins.list[dict], actor: str, town: str = "",
            at: datetime | None = None) -> tuple[StoredSubmission, str]:
        """Store a new submission; returns it and ``"created"``, ``"replay"`` or ``"revised"``.

        Raises :class:`SubmissionConflict` when the uuid exists with another
        device or other content (and no changes were requested).
        """

    @abc.abstractmethod
    def get(self, uuid: str) -> StoredSubmission | None: ...

    @abc.abstractmethod
    def list(self, *, status: str | None = None, towns: Sequence[str] | None = None, kind: str | None = None,
             since: str | None = None, until: str | None = None, has_photo: bool | None = None,
             has_hints: bool | None = None, limit: int = 50, offset: int = 0) -> builtins.list[StoredSubmission]:
        """Submissions matching every filter given, oldest first."""

    @abc.abstractmethod
    def count(self, *, status: str | None = None, towns: Sequence[str] | None = None, kind: str | None = None,
              since: str | None = None, until: str | None = None, has_photo: bool | None = None,
              has_hints: bool | None = None) -> int: ...

    @abc.abstractmethod
    def photos(self, uuid: str) -> builtins.list[StoredPhoto]: ...

    @abc.abstractmethod
    def moderate(self, uuid: str, action: str, *, actor: str, reason: str | None = None,
                 edited: Submission | None = None, edits: dict | None = None,
                 at: datetime | None = None) -> StoredSubmission:
        """Apply a moderation action (state machine checked under a row lock), with its audit entry.

        Of concurrent decisions on one submission exactly one wins; the others
        raise :class:`ModerationError` (HTTP 409).
        """

    @abc.abstractmethod
    def audit(self, uuid: str | None = None, *, limit: int = 1000) -> builtins.list[AuditEntry]: ...

    @abc.abstractmethod
    def record_audit(self, actor: str, action: str, *, uuid: str | None = None, detail: dict | None = None,
                     at: datetime | None = None) -> None:
        """Append an event that is not a moderation decision (sign-in, sign-in failure, user add/remove)."""

    @abc.abstractmethod
    def approved(self, *, include_published: bool = False,
                 towns: Sequence[str] | None = None) -> builtins.list[StoredSubmission]:
        """Approved submissions in order of arrival (by default only those not yet published)."""

    def approved_unpublished(self) -> builtins.list[StoredSubmission]:
        return self.approved(include_published=False)

    def entries_near(self, lat: float, lon: float, radius_m: float, *,
                     limit: int = 500) -> builtins.list[NearbyEntry]:
        """New entries (``new_poi``) pending or approved and not yet published within about ``radius_m`` of
        (``lat``, ``lon``) — a bounding box, the caller measures the exact distance — for duplicate hints.

        The SQL engines answer from indexed columns; this default (for other engines) reads the lists.
        """
        box = _box(lat, lon, radius_m)
        out: builtins.list[NearbyEntry] = []
        for status in ("pending", "approved"):
            for st in self.list(status=status, kind="new_poi", limit=10_000):
                prop = st.submission.proposal
                loc = prop.location
                if loc is None or not prop.name or st.published_version is not None:
                    continue
                if box[0] <= loc.lat <= box[2] and box[1] <= loc.lon <= box[3]:
                    out.append(NearbyEntry(st.uuid, dict(prop.name), loc.lat, loc.lon))
        return out[:limit]

    @abc.abstractmethod
    def mark_published(self, uuids: Sequence[str], version: int, *, actor: str,
                       at: datetime | None = None) -> builtins.list[str]:
        """Record that pack ``version`` carries ``uuids``; returns those actually marked.

        A submission already marked with this version or a later one is left
        alone, so concurrent publishes of one version mark (and audit) each once.
        """

    # -- accounts ----------------------------------------------------------------
    @abc.abstractmethod
    def add_account(self, name: str, *, password_hash: str, role: str, towns: Sequence[str],
                    at: datetime | None = None) -> Account:
        """Create an account; raises :class:`AccountExists` or :class:`AccountError` (unknown role)."""

    @abc.abstractmethod
    def get_account(self, name: str) -> Account | None: ...

    @abc.abstractmethod
    def list_accounts(self) -> builtins.list[Account]: ...

    @abc.abstractmethod
    def remove_account(self, name: str) -> bool:
        """Delete an account and its sessions; False when there was none."""

    @abc.abstractmethod
    def set_password(self, name: str, password_hash: str) -> bool: ...

    @abc.abstractmethod
    def set_account_towns(self, name: str, *, role: str, towns: Sequence[str]) -> bool: ...

    # -- sessions -----------------------------------------------------------------
    @abc.abstractmethod
    def create_session(self, token_hash: str, account: str, *, expires: str, csrf: str) -> None: ...

    @abc.abstractmethod
    def get_session(self, token_hash: str, *, now: datetime | None = None) -> Session | None:
        """The session, or None when unknown or expired at ``now`` (default: the current time)."""

    @abc.abstractmethod
    def delete_session(self, token_hash: str) -> None: ...

    @abc.abstractmethod
    def delete_sessions_of(self, account: str) -> None: ...

    @abc.abstractmethod
    def schema_version(self) -> int: ...

    def close(self) -> None:  # pragma: no cover - optional
        pass


def open_storage(url_or_path: str, *, town: str = "") -> Storage:
    """A storage from a path or ``sqlite:///path`` (SQLite) or ``postgresql://…`` (PostgreSQL).

    ``town`` is given to submissions stored before towns were recorded (schema v1).
    """
    target = str(url_or_path)
    if target.startswith(("postgresql://", "postgres://")):
        from heritage_kit.inbox.storage_pg import PostgresStorage

        return PostgresStorage(target, town=town)
    if target.startswith("sqlite:///"):  # as SQLAlchemy: sqlite:///relative.db, sqlite:////absolute.db
        target = target[len("sqlite:///"):]
    from heritage_kit.inbox.storage_sql import SqliteStorage

    return SqliteStorage(target, town=town)


def __getattr__(name: str):
    if name == "SqliteStorage":
        from heritage_kit.inbox.storage_sql import SqliteStorage

        return SqliteStorage
    raise AttributeError(f"module 'heritage_kit.inbox.storage' has no attribute {name!r}")
