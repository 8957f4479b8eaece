"""Fixtures for the contributions tests: the real Périgueux pack and photo makers.

The pack is ``content/perigueux`` (built by the project from base Mérimée and
OpenStreetMap data; see ``content/README.md``). Tests never write into it:
``pack_dir`` is a copy in a temporary folder.
"""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).parent))

from contrib_support import make_jpeg  # noqa: E402


@pytest.fixture(scope="session")
def pack():
    from heritage_kit.packs import load_pack

    return load_pack(ROOT / "content" / "perigueux")


@pytest.fixture(scope="session")
def pack_dir(pack, tmp_path_factory):
    from heritage_kit.packs import load_pack, save_pack

    path = tmp_path_factory.mktemp("pack") / "perigueux"
    save_pack(load_pack(ROOT / "content" / "perigueux"), path)
    return path


@pytest.fixture
def jpeg():
    return make_jpeg
