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
