"""The ``storage`` fixture: every storage test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parents[1]))
from pg_cluster import PgCluster  # noqa: E402

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = PgCluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """The URL of a fresh, empty database in the session's cluster."""
    return pg_cluster.new_database()


@pytest.fixture(params=ENGINES)
def storage(request, tmp_path):
    from heritage_kit.inbox.storage import open_storage

    if request.param == "sqlite":
        s = open_storage(str(tmp_path / "inbox.sqlite"))
    else:
        s = open_storage(request.getfixturevalue("pg_database"))
    yield s
    s.close()
