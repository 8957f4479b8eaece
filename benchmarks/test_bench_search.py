"""Search on the 44,480 Mérimée monuments (one pack for all France).

Per query, ``pack.search(text)`` (accent/typo-tolerant words, categories in two
languages, ranking) against a bare rapidfuzz ``process.extract`` of the query
over every folded name (WRatio, top 20) — the one-call baseline a developer
would write first. Also the one-off cost of building the pack's word index.
Run: ``python -m pytest benchmarks/test_bench_search.py --benchmark-only``.
"""

from __future__ import annotations

import pathlib

import pytest
from rapidfuzz import fuzz, process

from heritage_kit.importers.merimee import read_merimee
from heritage_kit.packs import ContentPack
from heritage_kit.search import _SearchIndex, normalize_text

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUERIES = ["eglise st front", "chateau de chambord", "cathedrale", "pont du gard", "abbaye", "maison natale", "moulin",
           "eglse saint etienne", "tour", "fontaine"]
_means: dict[str, float] = {}


@pytest.fixture(scope="module")
def pack():
    pois = read_merimee(ROOT / "data" / "raw" / "merimee" / "mh-france-all.geojson.gz")
    p = ContentPack.new(
        town_id="france-mh", town_name="France", pois=pois,
        attributions=[{"text": "Ministère de la Culture – base Mérimée", "licence": "Licence Ouverte 2.0"}],
    )
    p.search("warm up")  # builds the word index once
    return p


@pytest.mark.benchmark(group="search-44480")
def test_search_heritage_kit(benchmark, pack):
    def run():
        for q in QUERIES:
            pack.search(q)

    benchmark(run)
    _means["hk"] = benchmark.stats.stats.mean / len(QUERIES)
    benchmark.extra_info["per_query_ms"] = round(_means["hk"] * 1e3, 3)


@pytest.mark.benchmark(group="search-44480")
def test_search_bare_rapidfuzz(benchmark, pack):
    names = [normalize_text(p.name.get("fr")) for p in pack.pois]

    def run():
        for q in QUERIES:
            process.extract(normalize_text(q), names, scorer=fuzz.WRatio, limit=20)

    benchmark(run)
    _means["bare"] = benchmark.stats.stats.mean / len(QUERIES)
    benchmark.extra_info["per_query_ms"] = round(_means["bare"] * 1e3, 3)
    if "hk" in _means:
        benchmark.extra_info["heritage_kit_vs_bare_x"] = round(_means["hk"] / _means["bare"], 2)


@pytest.mark.benchmark(group="search-index-build")
def test_search_index_build(benchmark, pack):
    benchmark.pedantic(lambda: _SearchIndex(pack.pois), rounds=3, iterations=1)
