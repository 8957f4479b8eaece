"""PostgreSQL storage (psycopg 3 and a connection pool; extra ``server``).

The queries and transaction logic are :class:`~heritage_kit.inbox.storage_sql.SqlStorage`'s,
shared with SQLite; here only the connection: a pool (FastAPI's worker threads
each take a connection), ``?`` placeholders turned into psycopg's ``%s``,
``SELECT … FOR UPDATE`` as the row lock, and migrations stamped in a
``schema_migrations`` table under an advisory lock (two servers starting at once
upgrade once).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from heritage_kit.errors import ConfigurationError
from heritage_kit.inbox.migrations import scripts
from heritage_kit.inbox.storage_sql import SqlStorage

__all__ = ["PostgresStorage"]

_MIGRATION_LOCK = 0x48_4B_49_4E  # "HKIN": pg_advisory_xact_lock key of the inbox migrations


class _Conn:
    """A psycopg connection speaking the ``?`` placeholders of the shared SQL."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, args: Sequence = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), tuple(args))

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> Any:
        cur = self.conn.cursor()
        cur.executemany(sql.replace("?", "%s"), rows)
        return cur


class PostgresStorage(SqlStorage):
    """Storage in a PostgreSQL database given by a ``postgresql://`` URL."""

    dialect = "postgresql"
    for_update = " FOR UPDATE"
    least = "LEAST"
    insert_with_audit = True

    def __init__(self, url: str, *, town: str = "", min_size: int = 1, max_size: int = 16) -> None:
        try:
            import psycopg  # noqa: F401
            from psycopg_pool import ConnectionPool
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConfigurationError("PostgreSQL needs the 'server' extra (psycopg, psycopg_pool)") from exc
        self.url = url
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True,
                                    kwargs={"autocommit": False}, timeout=30.0)
        self._migrate(town)

    def _migrate(self, town: str) -> None:
        with self._tx() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                       " applied TIMESTAMPTZ NOT NULL DEFAULT now())")
            current = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]
            for version, statements in scripts("postgresql", int(current), town=town):
                for stmt in statements:
                    db.conn.execute(stmt)
                db.execute("INSERT INTO schema_migrations(version) VALUES (?)", (version,))

    def schema_version(self) -> int:
        with self._read() as db:
            return int(db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])

    @contextlib.contextmanager
    def _tx(self) -> Iterator[_Conn]:
        with self._pool.connection() as conn:  # commits on success, rolls back on an exception
            yield _Conn(conn)

    @contextlib.contextmanager
    def _single(self) -> Iterator[_Conn]:
        with self._pool.connection() as conn:
            conn.autocommit = True  # one atomic statement: no BEGIN / COMMIT round trips
            try:
                yield _Conn(conn)
            finally:
                conn.autocommit = False

    _read = _single  # every read is one statement (atomic by itself): no transaction around it

    def close(self) -> None:
        self._pool.close()
