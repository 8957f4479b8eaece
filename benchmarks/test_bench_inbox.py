"""Inbox load (issue 18): submissions/s and p50/p99 latency at 1, 4 and 32 concurrent clients, SQLite and
PostgreSQL, against ``inbox serve --workers 2`` as a real process (``benchmarks/_inbox_load.py``).

Each level runs twice in the same server: ``GET /v1/health`` round trips (the baseline: uvicorn, FastAPI and the
loopback, no heritage-kit work) and JSON submissions without photos, spread over Périgueux. One more group times
submissions with one 640x480 JPEG (the photo path). Bounded: ``SECONDS`` per level (about 50 s in all, plus the
servers' start-up); loopback only. pytest-benchmark records the wall time of each level (one round, including
building its requests); the figures that matter (requests/s, p50/p99/max ms, the server's CPU ms per request) are
in ``extra_info`` and printed::

    python -m pytest benchmarks/test_bench_inbox.py --benchmark-only -s

Marked ``slow``; the default suite (``testpaths = tests``) never runs it, ``scripts/bench.sh`` does.
PostgreSQL: the throwaway cluster of tests/pg_cluster.py (``HK_SKIP_PG=1`` skips it).
"""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "contrib"))
from _inbox_load import InboxProcess, run_level  # noqa: E402

pytestmark = pytest.mark.slow
LEVELS = (1, 4, 32)
WORKERS = int(os.environ.get("HK_BENCH_WORKERS", "2"))
SECONDS = float(os.environ.get("HK_BENCH_SECONDS", "2"))
RESULTS: list[dict] = []


@pytest.fixture(scope="module")
def pg_cluster():
    from pg_cluster import PgCluster

    cluster = PgCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def inbox(request, tmp_path_factory):
    if request.param == "sqlite":
        database = str(tmp_path_factory.mktemp("inbox") / "inbox.sqlite")
    else:
        database = request.getfixturevalue("pg_cluster").new_database()
    with InboxProcess(database, workers=WORKERS) as server:
        run_level(server.port, 32, seconds=1.0, per_client=40)  # warm-up: imports, both pools grown, prepared statements
        server.engine = request.param
        yield server


def _measure(benchmark, inbox, clients: int, kind: str, **extra) -> dict:
    out: dict = {}

    def once():
        out.update(run_level(inbox.port, clients, kind=kind, seconds=SECONDS, server=inbox, **extra))

    benchmark.pedantic(once, rounds=1, iterations=1)
    row = {"engine": inbox.engine, "workers": WORKERS, **out}
    benchmark.extra_info.update(row)
    RESULTS.append(row)
    print(f"\n{inbox.engine:10s} {kind:6s} {clients:2d} clients: {row['per_s']:7.1f}/s  p50 {row['p50_ms']:6.1f} ms"
          f"  p99 {row['p99_ms']:6.1f} ms  server CPU {row['server_cpu_ms']:.2f} ms/request  {row['statuses']}", flush=True)
    return row


@pytest.mark.parametrize("clients", LEVELS)
@pytest.mark.parametrize("kind", ["health", "submit"])  # the baseline first, same server, same clients
def test_inbox_load(benchmark, inbox, kind, clients):
    benchmark.group = f"inbox-load-{inbox.engine}-{clients}"
    # enough requests for the level's time at twice the rates seen (they are built before the clock starts)
    per_client = int(SECONDS * (12_000 if kind == "health" else 2_000) / clients) + 20
    row = _measure(benchmark, inbox, clients, kind, per_client=per_client)
    expected = "200" if kind == "health" else "201"  # every submission stored, nothing refused or busy
    assert row["statuses"] == {expected: row["requests"]}, row["statuses"]


def test_inbox_photo_path(benchmark, inbox):
    sys.path.insert(0, str(ROOT / "tests" / "contrib"))
    from contrib_support import make_jpeg

    benchmark.group = f"inbox-photo-{inbox.engine}"
    row = _measure(benchmark, inbox, 4, "photo", jpeg=make_jpeg(640, 480), per_client=200)
    assert row["statuses"] == {"201": row["requests"]}, row["statuses"]
