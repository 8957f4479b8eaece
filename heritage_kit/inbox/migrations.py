"""Versioned schemas of the inbox database, for SQLite and PostgreSQL.

``MIGRATIONS[dialect][i]`` takes a database from version ``i`` to ``i + 1``.
Version 1 is the schema of the first inbox (submissions, photos, audit);
version 2 adds the town of each submission, moderator accounts, desk sessions,
and audit entries without a submission (account events); version 3 copies a new
entry's location and name into columns (``lat``, ``lon``, ``name``) with an index,
so duplicate hints fetch only the entries near a point instead of parsing every
stored submission; version 4 adds ``rate_buckets``, the token buckets of the rate limits shared by every
process serving one database (``inbox serve --workers N``); version 5 (merchants) adds shop claims, merchant
edits and the ``town-centre manager`` role; version 6 (revocation) lets a claim be ``revoked`` (when, by whom,
why) and a merchant edit be reviewed (``review``: kept for publishing or set aside); version 7 adds
``publish_locks``, the per-town publish lock (:mod:`heritage_kit.inbox.publish_lock`). A migration runs in
one transaction with its version stamp (SQLite: ``PRAGMA user_version``;
PostgreSQL: a ``schema_migrations`` table), so a database is never half-upgraded.
``{town}`` in a script is the town given to rows stored before v2.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "LATEST", "scripts", "sql_literal"]

# Accounts and desk sessions (v2): the same DDL on both engines.
_ACCOUNTS = """
CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('moderator','admin')),
    towns TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    expires TEXT NOT NULL,
    csrf TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account);
"""

_SQLITE_V1 = """
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

# v2: audit.uuid becomes nullable — SQLite cannot alter a column, so the table is copied (the
# append-only triggers are dropped for the copy and created again, inside the same transaction).
_SQLITE_V2 = """
ALTER TABLE submissions ADD COLUMN town TEXT NOT NULL DEFAULT '';
UPDATE submissions SET town = {town};
CREATE INDEX submissions_town ON submissions(town, status, seq);
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
CREATE TABLE audit_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO audit_v2(id, uuid, at, actor, action, from_status, to_status, detail)
    SELECT id, uuid, at, actor, action, from_status, to_status, detail FROM audit;
DROP TABLE audit;
ALTER TABLE audit_v2 RENAME TO audit;
CREATE INDEX audit_uuid ON audit(uuid, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

_PG_V1 = """
CREATE TABLE submissions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE INDEX submissions_status ON submissions(status, seq);
CREATE TABLE photos (
    uuid TEXT NOT NULL REFERENCES submissions(uuid),
    n INTEGER NOT NULL,
    data BYTEA NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    PRIMARY KEY (uuid, n)
);
CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_uuid ON audit(uuid, id);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
"""

_PG_V2 = """
ALTER TABLE submissions ADD COLUMN town TEXT NOT NULL DEFAULT '';
UPDATE submissions SET town = {town};
CREATE INDEX submissions_town ON submissions(town, status, seq);
ALTER TABLE audit ALTER COLUMN uuid DROP NOT NULL;
"""

# v3: where a new entry is and what it is called, for duplicate hints by bounding box (filled by add; the rows
# stored before are backfilled from their JSON).
_SQLITE_V3 = """
ALTER TABLE submissions ADD COLUMN lat REAL;
ALTER TABLE submissions ADD COLUMN lon REAL;
ALTER TABLE submissions ADD COLUMN name TEXT;
UPDATE submissions SET lat = json_extract(submission, '$.proposal.location.lat'),
    lon = json_extract(submission, '$.proposal.location.lon'),
    name = json_extract(submission, '$.proposal.name')
    WHERE kind = 'new_poi';
CREATE INDEX submissions_near ON submissions(lat, lon) WHERE lat IS NOT NULL AND published_version IS NULL;
"""

_PG_V3 = """
ALTER TABLE submissions ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE submissions ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE submissions ADD COLUMN name TEXT;
UPDATE submissions SET lat = (submission::jsonb #>> '{proposal,location,lat}')::double precision,
    lon = (submission::jsonb #>> '{proposal,location,lon}')::double precision,
    name = (submission::jsonb #> '{proposal,name}')::text
    WHERE kind = 'new_poi';
CREATE INDEX submissions_near ON submissions(lat, lon) WHERE lat IS NOT NULL AND published_version IS NULL;
"""

# v4: rate-limit token buckets shared by the processes of one inbox (``key`` = limiter name + client key;
# ``tokens`` left at unix time ``at``). Losing them costs nothing but a refill: PostgreSQL keeps them UNLOGGED.
_BUCKETS = """
CREATE {unlogged}TABLE rate_buckets (
    key TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_buckets_at ON rate_buckets(at);
"""

MIGRATIONS: dict[str, tuple[str, ...]] = {
    "sqlite": (_SQLITE_V1, _SQLITE_V2 + _ACCOUNTS, _SQLITE_V3, _BUCKETS.replace("{unlogged}", "")),
    "postgresql": (_PG_V1, _PG_V2 + _ACCOUNTS, _PG_V3, _BUCKETS.replace("{unlogged}", "UNLOGGED ")),
}


def _merchants_step(dialect: str) -> str:
    """v5, merchants (issue 20): shop claims, merchant edits, and the ``town-centre manager`` account role.

    SQLite cannot change a CHECK: ``accounts`` and ``sessions`` are copied to new tables (sessions dropped
    first and restored last, so the ``ON DELETE CASCADE`` never fires).
    """
    blob = "BYTEA" if dialect == "postgresql" else "BLOB"
    tables = f"""
CREATE TABLE merchant_claims (
    id TEXT PRIMARY KEY,
    town TEXT NOT NULL,
    poi_id TEXT,
    shop TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','verified','refused')),
    token_hash TEXT UNIQUE,
    created TEXT NOT NULL,
    decided TEXT,
    decided_by TEXT,
    reason TEXT
);
CREATE INDEX merchant_claims_town ON merchant_claims(town, status, created);
CREATE TABLE merchant_edits (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES merchant_claims(id),
    town TEXT NOT NULL,
    poi_id TEXT NOT NULL,
    edit TEXT NOT NULL,
    photo {blob},
    created TEXT NOT NULL,
    published_version INTEGER
);
CREATE INDEX merchant_edits_town ON merchant_edits(town, created);
"""
    roles = "('moderator','admin','town-centre manager')"
    if dialect == "postgresql":
        return tables + f"""
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN {roles});
"""
    return tables + f"""
CREATE TABLE accounts_copy AS SELECT * FROM accounts;
CREATE TABLE sessions_copy AS SELECT * FROM sessions;
DROP TABLE sessions;
DROP TABLE accounts;
{_ACCOUNTS.replace("('moderator','admin')", roles).strip()}
INSERT INTO accounts SELECT name, role, towns, password_hash, created FROM accounts_copy;
INSERT INTO sessions SELECT token_hash, account, expires, csrf FROM sessions_copy;
DROP TABLE sessions_copy;
DROP TABLE accounts_copy;
"""


_CLAIM_COLS = "id, town, poi_id, shop, email, status, token_hash, created, decided, decided_by, reason"
_EDIT_COLS = "id, claim_id, town, poi_id, edit, photo, created, published_version"


def _revocation_step(dialect: str) -> str:
    """v6, revoking a verified merchant: claim status ``revoked`` with ``revoked``/``revoked_by``/``revoke_reason``,
    and ``review``/``reviewed``/``reviewed_by`` on an edit (a revoked merchant's unpublished edit waits for one).

    SQLite cannot change a CHECK: both merchant tables are copied (edits dropped first and restored last, so
    their foreign key on the claims never sees a missing claim).
    """
    review = ("review TEXT CHECK (review IN ('publish','set_aside')),\n    reviewed TEXT,\n    reviewed_by TEXT")
    statuses = "('pending','verified','refused','revoked')"
    if dialect == "postgresql":
        return f"""
ALTER TABLE merchant_claims DROP CONSTRAINT IF EXISTS merchant_claims_status_check;
ALTER TABLE merchant_claims ADD CONSTRAINT merchant_claims_status_check CHECK (status IN {statuses});
ALTER TABLE merchant_claims ADD COLUMN revoked TEXT;
ALTER TABLE merchant_claims ADD COLUMN revoked_by TEXT;
ALTER TABLE merchant_claims ADD COLUMN revoke_reason TEXT;
ALTER TABLE merchant_edits ADD COLUMN review TEXT CHECK (review IN ('publish','set_aside'));
ALTER TABLE merchant_edits ADD COLUMN reviewed TEXT;
ALTER TABLE merchant_edits ADD COLUMN reviewed_by TEXT;
"""
    tables = _merchants_step("sqlite").split("CREATE TABLE accounts_copy")[0].strip()
    tables = tables.replace("('pending','verified','refused')", statuses)
    tables = tables.replace("    reason TEXT\n);", "    reason TEXT,\n    revoked TEXT,\n    revoked_by TEXT,\n"
                            "    revoke_reason TEXT\n);")
    tables = tables.replace("    published_version INTEGER\n);", f"    published_version INTEGER,\n    {review}\n);")
    return f"""
CREATE TABLE merchant_claims_copy AS SELECT * FROM merchant_claims;
CREATE TABLE merchant_edits_copy AS SELECT * FROM merchant_edits;
DROP TABLE merchant_edits;
DROP TABLE merchant_claims;
{tables}
INSERT INTO merchant_claims({_CLAIM_COLS}) SELECT {_CLAIM_COLS} FROM merchant_claims_copy;
INSERT INTO merchant_edits({_EDIT_COLS}) SELECT {_EDIT_COLS} FROM merchant_edits_copy;
DROP TABLE merchant_edits_copy;
DROP TABLE merchant_claims_copy;
"""


# v5: the merchants' step (its own function: SQLite copies two tables to widen a CHECK); v6: revocation
MIGRATIONS = {d: steps + (_merchants_step(d), _revocation_step(d)) for d, steps in MIGRATIONS.items()}

# v7: the per-town publish lock (publish_lock.py): who publishes a town, since when, until when it counts (SQLite
# takes over an expired row; PostgreSQL holds an advisory lock and keeps the row only to say who holds it)
_PUBLISH_LOCKS = """
CREATE TABLE publish_locks (
    town TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    actor TEXT NOT NULL,
    started TEXT NOT NULL,
    expires DOUBLE PRECISION NOT NULL
);
"""
MIGRATIONS = {d: steps + (_PUBLISH_LOCKS,) for d, steps in MIGRATIONS.items()}
LATEST = len(MIGRATIONS["sqlite"])


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal (for the ``{town}`` placeholder; both engines quote alike)."""
    return "'" + str(text).replace("'", "''") + "'"


def scripts(dialect: str, current: int, *, town: str = "") -> list[tuple[int, list[str]]]:
    """The migrations still to run on a ``dialect`` database at version ``current``: (new version, statements)."""
    out = []
    for i, script in enumerate(MIGRATIONS[dialect][current:], start=current + 1):
        text = script.replace("{town}", sql_literal(town))
        out.append((i, _split(text)))
    return out


def _split(script: str) -> list[str]:
    """Statements of a script: one ends on a line ending with ``;`` outside a ``$$`` body."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        stmt = "\n".join(buf)
        if line.rstrip().endswith(";") and stmt.count("$$") % 2 == 0:
            out.append(stmt.strip())
            buf = []
    return out
