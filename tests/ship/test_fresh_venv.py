"""``pip install heritage-kit`` gives the core library, and a missing extra says which one to install.

A fresh virtual environment (no system site-packages) gets the project from
a wheel built from this checkout, with its core dependencies only — what a
town's developer gets from ``pip install heritage-kit``. Then:

* ``import heritage_kit`` and its public API work, and kivy, the app, the
  build tools (osmium, tqdm), the server and the exporters are not installed;
* the CLI's read-only commands work on a bundled pack;
* a command that needs an extra fails with one line naming the extra (no
  traceback): OSM import (``build``), the inbox (``server``), the leaflet and
  the site (``export``).
The package registry is needed (as for any ``pip install``); slow.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)


@pytest.fixture(scope="module")
def core_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fresh")
    wheels = tmp / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)])
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    (wheel,) = wheels.glob("heritage_kit-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    py = env_dir / "bin" / "python"
    installed = _run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)])
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-3000:]
    return py, wheel


def test_the_wheel_holds_the_library_only(core_env):
    import zipfile

    _, wheel = core_env
    names = zipfile.ZipFile(wheel).namelist()
    assert "heritage_kit/py.typed" in names
    assert not [n for n in names if n.startswith("mobile/")], "the Kivy app is not part of the library"
    assert any(n.endswith("METADATA") for n in names)
    meta = next(zipfile.ZipFile(wheel).read(n).decode() for n in names if n.endswith("METADATA"))
    assert "License-Expression: MIT" in meta
    for extra in ("build", "server", "export", "app"):
        assert f"Provides-Extra: {extra}" in meta


def test_core_import_and_public_api_without_extras(core_env):
    py, _ = core_env
    code = (
        "import importlib.util, heritage_kit as hk\n"
        "missing = [m for m in ('kivy', 'osmium', 'tqdm', 'fastapi', 'uvicorn', 'fpdf', 'segno', 'jinja2', 'mobile')"
        " if importlib.util.find_spec(m)]\n"
        "assert not missing, missing\n"
        "for name in hk.__all__: getattr(hk, name)\n"
        "print(hk.__version__, len(hk.__all__))\n"
    )
    r = _run([str(py), "-c", code], cwd="/")
    assert r.returncode == 0, r.stderr[-3000:]


def test_read_only_cli_commands_work_on_the_core(core_env):
    py, _ = core_env
    cli = py.parent / "heritage-kit"
    pack = ROOT / "content" / "monaco"
    for args in (["--version"], ["pack", "validate", str(pack)], ["pack", "info", str(pack)],
                 ["hours", "check", str(pack)], ["route", "--help"]):
        r = _run([str(cli), *args], cwd="/")
        assert r.returncode == 0, (args, r.stdout[-1500:], r.stderr[-1500:])
        assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args, extra", [
    (["import", "osm", str(ROOT / "data" / "raw" / "osm" / "chambery-faubourg-montmelian.osm.gz"), "--out", "{tmp}/x.geojson"],
     "build"),
    (["inbox", "serve", "--pack", str(ROOT / "content" / "monaco"), "--db", "{tmp}/inbox.sqlite"], "server"),
    (["site", "build", str(ROOT / "content" / "monaco"), "--out", "{tmp}/site"], "export"),
])
def test_a_missing_extra_is_named(core_env, tmp_path, args, extra):
    py, _ = core_env
    cli = py.parent / "heritage-kit"
    r = _run([str(cli), *[a.format(tmp=tmp_path) for a in args]], cwd="/")
    assert r.returncode == 1, (r.stdout[-1500:], r.stderr[-1500:])
    assert "Traceback" not in r.stderr
    assert f"'{extra}' extra" in r.stderr and f"heritage-kit[{extra}]" in r.stderr, r.stderr
