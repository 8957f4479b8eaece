"""Fixtures for the contributions tests: a real Périgueux pack and photo makers.

The pack is built from ``data/raw/merimee/mh-perigueux-1500m.geojson`` (the
30 protected monuments within 1.5 km of Périgueux's centre; Ministère de la
Culture – base Mérimée, Licence Ouverte 2.0).
"""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).parent))

from contrib_support import make_jpeg, perigueux_pack  # noqa: E402


@pytest.fixture(scope="session")
def pack():
    return perigueux_pack(ROOT / "data" / "raw" / "merimee" / "mh-perigueux-1500m.geojson")


@pytest.fixture(scope="session")
def pack_dir(pack, tmp_path_factory):
    from heritage_kit.packs import save_pack

    path = tmp_path_factory.mktemp("pack") / "perigueux"
    save_pack(pack, path)
    return path


@pytest.fixture
def jpeg():
    return make_jpeg
