"""Inbox load: submissions/s and p50/p99 latency for 1-32 concurrent clients, SQLite vs PostgreSQL.

The real inbox app (``create_app``) runs under uvicorn on 127.0.0.1 (a free port,
one worker, in a thread of this process); clients are threads, each with its own
``requests`` session, POSTing JSON submissions (no photos) with their own device
token; rate limits are raised so that the database path is what is measured.
One photo-bearing submission (a 640x480 JPEG, sanitised on the server) is timed
too. Bounded: ``PER_LEVEL`` submissions per concurrency level, loopback only.

Run: ``python benchmarks/bench_inbox_load.py`` (prints the table for benchmarks/README.md).
PostgreSQL uses the throwaway cluster of tests/pg_cluster.py.
"""

from __future__ import annotations

import os
import pathlib
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid as _uuid

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "contrib"))
from contrib_support import ThreadServer, make_jpeg, new_poi_doc  # noqa: E402

LEVELS = (1, 4, 16, 32)
DENSE = os.environ.get("DENSE") == "1"
PER_LEVEL = 640


def _app(storage):
    from heritage_kit.inbox import InboxSettings, create_app
    from heritage_kit.packs import load_pack

    pack = load_pack(ROOT / "content" / "perigueux")
    big = 10.0 ** 9
    settings = InboxSettings(submissions_per_hour=big, submission_burst=10 ** 9, address_submissions_per_hour=big,
                             address_burst=10 ** 9,
                             max_bodies_in_flight=64)  # 32 clients never meet the 503 "busy" guard
    return create_app(storage, pack, settings)


def _level(url: str, clients: int, total: int) -> tuple[float, float, float]:
    per = total // clients
    lat: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer bench-device-token-{i:04d}-{_uuid.uuid4().hex[:8]}"
        # entries spread over Périgueux's pack area (seeded), as a town's residents' would be: the duplicate-hint
        # work then depends on the entries near each point, not on the whole inbox (DENSE=1: all in one 75 m spot)
        rng = random.Random(i)
        if DENSE:
            docs = [new_poi_doc(f"Lavoir {i}-{k}", lat=45.18 + k * 1e-5, lon=0.72 + i * 1e-5) for k in range(per)]
        else:
            docs = [new_poi_doc(f"Lavoir {i}-{k}", lat=rng.uniform(45.1750, 45.1873), lon=rng.uniform(0.7130, 0.7250))
                    for k in range(per)]
        mine = []
        barrier.wait()
        for doc in docs:
            t = time.perf_counter()
            r = s.post(url + "/v1/submissions", json=doc, timeout=30)
            mine.append(time.perf_counter() - t)
            assert r.status_code == 201, r.text
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    [t.start() for t in threads]
    barrier.wait()
    t0 = time.perf_counter()
    [t.join() for t in threads]
    wall = time.perf_counter() - t0
    lat.sort()
    return len(lat) / wall, statistics.median(lat) * 1000, lat[int(0.99 * (len(lat) - 1))] * 1000


def _photo_cost(url: str) -> float:
    s = requests.Session()
    s.headers["Authorization"] = "Bearer bench-photo-device-000001"
    jpeg = make_jpeg()
    best = []
    for _ in range(5):
        doc = new_poi_doc("Lavoir photo")
        t = time.perf_counter()
        r = s.post(url + "/v1/submissions", files={"submission": (None, __import__("json").dumps(doc)),
                                                   "photos": ("p.jpg", jpeg, "image/jpeg")}, timeout=30)
        best.append(time.perf_counter() - t)
        assert r.status_code == 201, r.text
    return statistics.median(best) * 1000


def run() -> list[tuple]:
    from heritage_kit.inbox.storage import open_storage
    from pg_cluster import PgCluster

    rows = []
    cluster = PgCluster()
    try:
        for engine in ("sqlite", "postgresql"):
            target = str(pathlib.Path(tempfile.mkdtemp()) / "inbox.sqlite") if engine == "sqlite" \
                else cluster.new_database()
            storage = open_storage(target)
            with ThreadServer(_app(storage)) as server:
                _level(server.url, 4, 40)  # warm-up
                for clients in LEVELS:
                    rate, p50, p99 = _level(server.url, clients, PER_LEVEL)
                    rows.append((engine, clients, rate, p50, p99))
                    print(f"{engine:10s} {clients:3d} clients: {rate:7.1f} sub/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms",
                          flush=True)
                photo = _photo_cost(server.url)
                rows.append((engine, "photo", photo))
                print(f"{engine:10s} one 640x480 photo submission: {photo:.1f} ms (median of 5)", flush=True)
            storage.close()
    finally:
        cluster.stop()
    return rows


if __name__ == "__main__":
    run()
