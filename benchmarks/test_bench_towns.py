"""Pack distribution (issue 17): download + verify + swap of the Monaco pack from a loopback server.

Baseline in the same run: a bare ``requests`` GET of the same zip written to disk (no Range, no size or
SHA-256 check, no ``validate_pack``, no atomic swap). Measured: the full install (``install_result`` with
the whole zip: download, size + SHA-256, the pack's own integrity check, ``os.replace``) and the update
through the published delta (5 residents' POIs with photos: download the delta, rebuild the zip, SHA-256,
integrity check, swap). Wall-clock medians (network I/O).

Install then open (issue 17): the installer's integrity check loads the pack; the app used to read the zip
again to open it (two parses), it now opens the pack the check loaded (one parse). Both are measured here.

    python -m pytest benchmarks/test_bench_towns.py --benchmark-only
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heritage_kit.packs import load_pack, save_pack  # noqa: E402
from heritage_kit.packs import install as inst  # noqa: E402
from heritage_kit.packs.publish import publish_pack  # noqa: E402
from tests.pack_server import PackServer  # noqa: E402
from tests.towns_support import MONACO, with_contributions  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench-towns")
    pub = tmp / "pub"
    v1 = publish_pack(MONACO, pub)
    v2_pack, _ = with_contributions(load_pack(MONACO), 5)
    save_pack(v2_pack, tmp / "v2.zip")
    # a second folder holds v1 only (full installs); the first, v1 then v2 with its delta
    only_v1 = tmp / "pub-v1"
    shutil.copytree(pub, only_v1)
    v2 = publish_pack(tmp / "v2.zip", pub)
    with PackServer(only_v1) as full_srv, PackServer(pub) as delta_srv:
        yield {"tmp": tmp, "v1": v1, "v2": v2, "full": full_srv, "delta": delta_srv}


def _fresh(tmp: Path, name: str) -> Path:
    dest = tmp / name
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir()
    return dest


def test_baseline_plain_get(benchmark, served):
    url = served["full"].url + served["v1"].path.name
    out = served["tmp"] / "plain.zip"
    session = requests.Session()

    def run():
        out.write_bytes(session.get(url, timeout=30).content)

    benchmark.pedantic(run, rounds=7, warmup_rounds=1)
    assert out.stat().st_size == served["v1"].entry.size


def test_full_install_download_verify_swap(benchmark, served):
    session = inst.make_session()
    url = served["full"].url + "index.json"

    def setup():
        return (_fresh(served["tmp"], "phone-full"),), {}

    def run(dest):
        return inst.install_result(url, "monaco", dest, session=session)

    res = benchmark.pedantic(run, setup=setup, rounds=7, warmup_rounds=1)
    assert res.method == "full" and res.downloaded == served["v1"].entry.size


def test_delta_update_download_apply_verify_swap(benchmark, served):
    session = inst.make_session()
    url = served["delta"].url + "index.json"
    v1_bytes = served["v1"].path.read_bytes()

    def setup():
        dest = _fresh(served["tmp"], "phone-delta")
        (dest / "monaco.zip").write_bytes(v1_bytes)
        return (dest,), {}

    def run(dest):
        return inst.install_result(url, "monaco", dest, session=session)

    res = benchmark.pedantic(run, setup=setup, rounds=7, warmup_rounds=1)
    assert res.method == "delta" and res.downloaded == served["v2"].entry.deltas[0].size


MOBILE_RATE = 1_250_000  # bytes/s: a 10 Mbit/s mobile connection (the server paces the zip bodies)


@pytest.mark.parametrize("kind", ["full", "delta"])
def test_update_on_a_10_mbit_link(benchmark, served, kind):
    """The same installs, the server paced at 10 Mbit/s: what a visitor waits for."""
    srv = served[kind]
    session = inst.make_session()
    v1_bytes = served["v1"].path.read_bytes()

    def setup():
        dest = _fresh(served["tmp"], f"phone-slow-{kind}")
        if kind == "delta":
            (dest / "monaco.zip").write_bytes(v1_bytes)
        return (dest,), {}

    def run(dest):
        return inst.install_result(srv.url + "index.json", "monaco", dest, session=session)

    srv.faults.rate = MOBILE_RATE
    try:
        res = benchmark.pedantic(run, setup=setup, rounds=3)
    finally:
        srv.faults.rate = 0
    assert res.method == kind


@pytest.mark.parametrize("parses", [2, 1])
def test_install_then_open(benchmark, served, parses):
    """Full install of Monaco and the pack in memory, ready for the map: before (the check, then
    ``load_pack`` of the installed zip) and after (the pack the check loaded)."""
    session = inst.make_session()
    url = served["full"].url + "index.json"

    def setup():
        return (_fresh(served["tmp"], f"phone-open-{parses}"),), {}

    def run(dest):
        res = inst.install_result(url, "monaco", dest, session=session)
        return load_pack(res.path) if parses == 2 else res.pack

    pack = benchmark.pedantic(run, setup=setup, rounds=5, warmup_rounds=1)
    assert pack.manifest.town_id == "monaco" and len(pack.pois) > 500
