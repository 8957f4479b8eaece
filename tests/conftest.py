import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def raw_dir() -> pathlib.Path:
    return RAW


@pytest.fixture(scope="session")
def content_dir() -> pathlib.Path:
    return CONTENT


@pytest.fixture(scope="session")
def rocher_graph(raw_dir):
    """The walking network of Monaco-Ville from the real OSM extract (read once per run)."""
    from heritage_kit.routing import WalkingGraph
    from rocher_support import ROCHER

    return WalkingGraph.from_osm(raw_dir / "osm" / "monaco-2026-07.osm.pbf", bbox=ROCHER)
