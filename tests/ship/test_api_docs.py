"""Issue 21: API reference docs built from the docstrings (mkdocs + mkdocstrings), in CI.

The build is strict (a reference to an object that does not exist, a page missing from the nav, fail it), every
public name of ``heritage_kit.__all__`` has its entry in the built reference and a docstring to show there."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import heritage_kit

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = [n for n in heritage_kit.__all__ if n != "__version__"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return out


def test_every_public_name_has_its_entry_in_the_reference(site):
    ids = set()
    for page in (site / "reference").rglob("index.html"):
        ids.update(re.findall(r'id="(heritage_kit\.[A-Za-z0-9_.]+)"', page.read_text(encoding="utf-8")))
    documented = {i.rsplit(".", 1)[1] for i in ids}
    missing = [n for n in PUBLIC if n not in documented]
    assert not missing, f"public names without an entry in docs/reference/: {missing}"
    # the entries point at the objects the names really are
    for name in ("load_pack", "plan_trail", "GeofenceEngine", "PackError"):
        obj = getattr(heritage_kit, name)
        assert f"{obj.__module__.split('.')[0]}." in " ".join(ids)
        assert any(i.endswith(f".{name}") and i.startswith(obj.__module__.rsplit('.', 1)[0]) for i in ids), name


@pytest.mark.parametrize("name", [n for n in PUBLIC if n not in ("LatLon", "BBox")])
def test_every_public_name_has_a_docstring(name):
    obj = getattr(heritage_kit, name)
    doc = inspect.getdoc(obj) or ""
    if isinstance(obj, type) and issubclass(obj, BaseException):
        doc = obj.__doc__ or ""
    assert len(doc.strip()) >= 20, f"heritage_kit.{name} has no docstring for the reference"


def test_the_site_has_the_guides_and_the_reference(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "reference/" in home and "guide/" in home
    packs = (site / "reference" / "packs" / "index.html").read_text(encoding="utf-8")
    assert "load_pack" in packs and "valid" in packs.lower()
