"""Contributions: outbox enqueue, photo sanitising, duplicate hints, sync over real HTTP.

Each group pairs heritage-kit with a baseline measured in the same run:

* ``contrib-enqueue``: ``Outbox.enqueue`` (validation + one durable WAL
  transaction, synchronous=FULL) vs a bare ``sqlite3`` INSERT of the same JSON
  with the same pragmas on an open connection;
* ``contrib-photo``: ``sanitise_photo`` of a 12 MP camera JPEG vs the naive
  Pillow pipeline (full decode, transpose, thumbnail, save);
* ``contrib-duplicates``: ``duplicate_hints`` on the Monaco pack vs a Python
  loop of geodesic distances and rapidfuzz on every POI;
* ``contrib-sync``: ``Outbox.sync`` of 300 queued items to ``heritage-kit
  inbox serve`` on 127.0.0.1 (its own process) vs 300 bare ``requests`` POSTs
  of the same payloads to the same server.

Run: ``python -m pytest benchmarks/test_bench_contrib.py --benchmark-only``.
"""

from __future__ import annotations

import io
import json
import pathlib
import sqlite3
import sys

import pytest
import requests
from PIL import Image, ImageOps
from rapidfuzz import fuzz

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "contrib"))

from contrib_support import make_jpeg, new_poi_doc  # noqa: E402
from heritage_kit.geo import geodesic_m  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402
from heritage_kit.submissions import InboxClient, Outbox, Submission, duplicate_hints, sanitise_photo  # noqa: E402

TOKEN = "device-token-benchmark-0000"


@pytest.fixture(scope="module")
def perigueux():
    return load_pack(ROOT / "content" / "perigueux")


@pytest.fixture(scope="module")
def monaco():
    return load_pack(ROOT / "content" / "monaco")


# -- enqueue -----------------------------------------------------------------------
@pytest.mark.benchmark(group="contrib-enqueue")
def test_outbox_enqueue(benchmark, tmp_path, perigueux):
    box = Outbox(tmp_path / "o.sqlite", pack=perigueux)
    benchmark(lambda: box.enqueue(Submission.model_validate(new_poi_doc())))
    benchmark.extra_info["items"] = len(box.items())


@pytest.mark.benchmark(group="contrib-enqueue")
def test_baseline_bare_sqlite_insert(benchmark, tmp_path):
    db = sqlite3.connect(tmp_path / "b.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE items (uuid TEXT PRIMARY KEY, submission TEXT)")

    def insert():
        doc = new_poi_doc()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO items VALUES (?, ?)", (doc["uuid"], json.dumps(doc)))
        db.execute("COMMIT")

    benchmark(insert)


# -- photos ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def camera_jpeg():
    return make_jpeg(4000, 3000, gps=True, orientation=6)


@pytest.mark.benchmark(group="contrib-photo")
def test_sanitise_photo_12mp(benchmark, camera_jpeg):
    clean = benchmark(sanitise_photo, camera_jpeg)
    assert max(clean.width, clean.height) == 2048


@pytest.mark.benchmark(group="contrib-photo")
def test_baseline_naive_pillow_12mp(benchmark, camera_jpeg):
    def naive():
        im = Image.open(io.BytesIO(camera_jpeg))
        im.load()
        im = ImageOps.exif_transpose(im).convert("RGB")
        im.thumbnail((2048, 2048), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        im.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()

    benchmark(naive)


# -- duplicate hints ----------------------------------------------------------------
@pytest.mark.benchmark(group="contrib-duplicates")
def test_duplicate_hints_monaco(benchmark, monaco):
    p = monaco.pois[len(monaco.pois) // 2]
    hints = benchmark(duplicate_hints, monaco, name=p.name.get("fr"), lat=p.location.lat, lon=p.location.lon)
    assert hints and hints[0].poi_id == p.id
    benchmark.extra_info["pois"] = len(monaco.pois)


@pytest.mark.benchmark(group="contrib-duplicates")
def test_baseline_loop_geodesic_monaco(benchmark, monaco):
    p = monaco.pois[len(monaco.pois) // 2]
    name = p.name.get("fr")

    def loop():
        out = []
        for q in monaco.pois:
            d = geodesic_m(p.location.lat, p.location.lon, q.location.lat, q.location.lon)
            if d <= 75 and fuzz.token_sort_ratio(name, q.name.get("fr")) >= 75:
                out.append(q.id)
        return out

    assert p.id in benchmark(loop)


# -- sync over HTTP -----------------------------------------------------------------
N_SYNC = 300


class _Served:
    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real ``heritage-kit inbox serve`` in its own process (as deployed)."""
    import os
    import subprocess
    import time

    from contrib_support import free_port

    port = free_port()
    db = tmp_path_factory.mktemp("inbox") / "inbox.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "heritage_kit", "inbox", "serve", "--db", str(db), "--pack",
         str(ROOT / "content" / "perigueux"), "--port", str(port), "--burst", "100000", "--address-burst", "100000"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/v1/health", timeout=1).ok:
                    break
            except requests.RequestException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("inbox serve did not start") from None
                time.sleep(0.1)
        yield _Served(url)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.benchmark(group="contrib-sync")
def test_outbox_sync_300_items(benchmark, server, tmp_path):
    client = InboxClient(server.url, TOKEN)
    counter = iter(range(10**6))

    def setup():
        box = Outbox(tmp_path / f"o{next(counter)}.sqlite")
        for _ in range(N_SYNC):
            box.enqueue(Submission.model_validate(new_poi_doc()))
        return (box,), {}

    def run(box):
        report = box.sync(client, refresh=False)
        assert len(report.sent) == N_SYNC

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["items"] = N_SYNC


@pytest.mark.benchmark(group="contrib-sync")
def test_baseline_bare_requests_300_posts(benchmark, server):
    session = requests.Session()

    def setup():
        return ([new_poi_doc() for _ in range(N_SYNC)],), {}

    def run(docs):
        for doc in docs:
            files = [("submission", (None, json.dumps(doc).encode(), "application/json"))]
            r = session.post(server.url + "/v1/submissions", files=files,
                             headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
            assert r.status_code == 201

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["items"] = N_SYNC
