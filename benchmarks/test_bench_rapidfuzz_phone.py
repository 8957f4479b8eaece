"""What rapidfuzz's pure-Python implementation costs on the phone.

The Android build installs rapidfuzz without its C++ extension
(``mobile/recipes/rapidfuzz``), so the app's two users of rapidfuzz — search
and the contribution form's duplicate hints — run on ``rapidfuzz.fuzz_py`` /
``process_py``. Each is timed here on the Monaco pack with both
implementations in the same run (the compiled one is the baseline).
Run: ``python -m pytest benchmarks/test_bench_rapidfuzz_phone.py --benchmark-only``.
"""

from __future__ import annotations

import pathlib

import pytest
from rapidfuzz import fuzz, fuzz_py, process, process_py

import heritage_kit.duplicates as duplicates
import heritage_kit.search as search
from heritage_kit.packs import load_pack

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUERIES = ["boulangerie", "cathedrale", "musee oceanographique", "palais princier", "pharmacie", "eglse", "jardin",
           "fontaine", "bakery", "hotel de paris"]
IMPLS = {"cpp": (fuzz, process), "python": (fuzz_py, process_py)}
_means: dict[tuple[str, str], float] = {}


@pytest.fixture(scope="module")
def pack():
    p = load_pack(ROOT / "content" / "monaco")
    p.search("warm up")  # the word index is built once per pack, whatever the implementation
    return p


@pytest.fixture(params=sorted(IMPLS))
def impl(request, monkeypatch):
    f, pr = IMPLS[request.param]
    monkeypatch.setattr(search, "fuzz", f)
    monkeypatch.setattr(search, "process", pr)
    monkeypatch.setattr(duplicates, "fuzz", f)
    return request.param


def _ratio(kind: str, impl: str, benchmark) -> None:
    _means[(kind, impl)] = benchmark.stats.stats.mean
    if (kind, "cpp") in _means and (kind, "python") in _means:
        benchmark.extra_info["python_over_cpp"] = round(_means[(kind, "python")] / _means[(kind, "cpp")], 2)


@pytest.mark.benchmark(group="rapidfuzz-phone-search")
def test_search_monaco(benchmark, pack, impl):
    def run():
        for q in QUERIES:
            pack.search(q)

    benchmark(run)
    benchmark.extra_info["per_query_ms"] = round(benchmark.stats.stats.mean / len(QUERIES) * 1e3, 3)
    _ratio("search", impl, benchmark)


@pytest.mark.benchmark(group="rapidfuzz-phone-duplicates")
def test_duplicate_hints_monaco(benchmark, pack, impl):
    # the form asks for hints around the point being contributed, for every POI of the pack in turn
    probes = [(p.name, p.location.lat, p.location.lon) for p in pack.pois[:100]]

    def run():
        for name, lat, lon in probes:
            duplicates.duplicate_hints(pack, name=name.get("fr") if hasattr(name, "get") else name, lat=lat, lon=lon)

    benchmark(run)
    benchmark.extra_info["per_hint_ms"] = round(benchmark.stats.stats.mean / len(probes) * 1e3, 3)
    _ratio("dups", impl, benchmark)
