"""The phone build can be made: every distribution the app imports has a way onto Android.

No Android SDK can be downloaded here, so the build is proven on paper, by
checks that fail when it would break:

* the app is run headless on a pack in a fresh interpreter and every module
  mobile/ names is imported (``closure_driver.py``); the top-level modules in
  ``sys.modules`` are mapped to their distributions;
* each of those distributions is in ``mobile/buildozer.spec``'s requirements,
  pinned to the version the tests ran;
* each compiled one (it ships ``.so`` files) has a python-for-android recipe —
  ours in ``mobile/recipes/`` or p4a's own at the pinned commit
  (``mobile/recipes/p4a-pinned.json``) — whose version satisfies what the other
  distributions and heritage-kit itself require of it;
* build-only distributions (osmium, tqdm: the ``build`` extra) are never imported.
"""

from __future__ import annotations

import configparser
import importlib.metadata as md
import json
import os
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC = ROOT / "mobile" / "buildozer.spec"
RECIPES = ROOT / "mobile" / "recipes"

# Imported on the desktop, absent (and not needed) on the phone — with the reason.
DESKTOP_ONLY = {
    "setuptools": "its _distutils_hack is loaded by a .pth file of the desktop venv",
    "cffi": "Pillow 10 imports it only if installed (PyAccess, for PyPy; guarded ImportError)",
    "pysocks": "requests imports urllib3.contrib.socks only if PySocks is installed (guarded ImportError)",
}
# Compiled on the desktop, but their sdist builds pure Python (which p4a's pip does).
PURE_FROM_SDIST = {
    "charset-normalizer": "mypyc is used only with CHARSET_NORMALIZER_USE_MYPYC=1",
}
BUILD_ONLY = {"osmium", "tqdm"}
# Interpreter internals that belong to no distribution.
_INTERNAL = re.compile(r"^(_cython_\d|cython_runtime$|__editable__|_sysconfigdata_|__main__$|_virtualenv$)")


def _spec_requirements() -> dict[str, str | None]:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(SPEC, encoding="utf-8")
    out: dict[str, str | None] = {}
    for item in cfg["app"]["requirements"].split(","):
        name, _, version = item.strip().partition("==")
        out[canonicalize_name(name)] = version or None
    return out


def _recipe_version(init: pathlib.Path) -> str | None:
    m = re.search(r"^\s*version\s*=\s*['\"]([^'\"]+)['\"]", init.read_text(encoding="utf-8"), re.M)
    return m.group(1).lstrip("v") if m else None


def _recipes() -> dict[str, tuple[str, str | None]]:
    """canonical name -> (where, version): ours win over p4a's pinned ones."""
    pinned = json.loads((RECIPES / "p4a-pinned.json").read_text(encoding="utf-8"))
    out = {canonicalize_name(n): ("p4a", None) for n in pinned["recipes"]}
    for name, version in pinned["versions"].items():
        out[canonicalize_name(name)] = ("p4a", version.lstrip("v") if version else None)
    for init in RECIPES.glob("*/__init__.py"):
        out[canonicalize_name(init.parent.name)] = ("mobile/recipes", _recipe_version(init))
    return out


def _is_compiled(dist: md.Distribution) -> bool:
    return any(str(f).endswith((".so", ".pyd")) or ".so." in str(f) for f in (dist.files or []))


def _requirements_on(name: str, imported: dict[str, md.Distribution]) -> list[tuple[str, Requirement]]:
    """Who requires ``name`` and how: the imported distributions and heritage-kit's own pyproject."""
    out = []
    sources = [(d.metadata["Name"], d.requires or []) for d in imported.values()]
    own = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    sources.append(("heritage-kit", own["dependencies"] + own["optional-dependencies"]["app"]))
    for who, reqs in sources:
        for text in reqs:
            req = Requirement(text)
            if canonicalize_name(req.name) != name:
                continue
            if req.marker is not None and not req.marker.evaluate({"extra": "", "sys_platform": "linux",
                                                                   "platform_system": "Linux"}):
                continue
            out.append((who, req))
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, md.Distribution]:
    tmp = tmp_path_factory.mktemp("closure")
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp / "kivy"))
    out = tmp / "modules.json"
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "ship" / "closure_driver.py"), str(out),
                           str(tmp / "shot.png"), str(ROOT / "content" / "monaco")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and out.exists(), proc.stdout[-2000:] + proc.stderr[-4000:]
    doc = json.loads(out.read_text())
    assert set(doc["unavailable"]) <= {"android", "jnius", "android.permissions", "android.storage"}, doc["unavailable"]
    tops = {m.split(".")[0] for m in doc["modules"]}
    by_module = md.packages_distributions()
    dists: dict[str, md.Distribution] = {}
    unknown = []
    for top in sorted(tops):
        if top in sys.stdlib_module_names or top in ("heritage_kit", "mobile") or _INTERNAL.match(top):
            continue
        names = by_module.get(top)
        if not names:
            unknown.append(top)
            continue
        for name in names:
            dists[canonicalize_name(name)] = md.distribution(name)
    assert not unknown, f"modules of no known distribution: {unknown}"
    return dists


@pytest.mark.slow
def test_build_only_distributions_are_not_imported(imported):
    assert not BUILD_ONLY & set(imported), sorted(BUILD_ONLY & set(imported))


@pytest.mark.slow
def test_every_imported_distribution_is_a_pinned_requirement(imported):
    spec = _spec_requirements()
    problems = []
    for name, dist in sorted(imported.items()):
        if name in DESKTOP_ONLY:
            continue
        if name not in spec:
            problems.append(f"{name} {dist.version}: imported by the app but not in buildozer.spec requirements")
        elif spec[name] is not None and Version(spec[name]) != Version(dist.version) and name not in _p4a_owned():
            problems.append(f"{name}: buildozer.spec pins {spec[name]}, the tests ran {dist.version}")
    assert not problems, "\n".join(problems)


def _p4a_owned() -> set[str]:
    return {n for n, (where, _) in _recipes().items() if where == "p4a"}


@pytest.mark.slow
def test_every_compiled_distribution_has_a_recipe_that_fits(imported):
    spec, recipes = _spec_requirements(), _recipes()
    problems = []
    for name, dist in sorted(imported.items()):
        if name in DESKTOP_ONLY or name in PURE_FROM_SDIST or not _is_compiled(dist):
            continue
        if name not in recipes:
            problems.append(f"{name}: compiled (ships .so files) and no python-for-android recipe, "
                            "ours (mobile/recipes/) or p4a's")
            continue
        where, version = recipes[name]
        if version is None:
            problems.append(f"{name}: the {where} recipe states no version")
            continue
        if spec.get(name) and Version(spec[name]) != Version(version):
            problems.append(f"{name}: buildozer.spec pins {spec[name]} but the {where} recipe builds {version}")
        for who, req in _requirements_on(name, imported):
            if req.specifier and not req.specifier.contains(Version(version), prereleases=True):
                problems.append(f"{name}: {who} requires '{req}', the {where} recipe builds {version}")
    assert not problems, "\n".join(problems)


def test_local_recipes_state_their_version_and_are_documented():
    readme = (RECIPES / "README.md").read_text(encoding="utf-8")
    for init in sorted(RECIPES.glob("*/__init__.py")):
        name = init.parent.name
        assert _recipe_version(init), f"{init}: no version"
        assert f"`{name}`" in readme, f"{name}: not explained in mobile/recipes/README.md"
        assert "recipe = " in init.read_text(encoding="utf-8"), f"{init}: p4a needs a module-level 'recipe'"


def test_p4a_pin_matches_buildozer_spec():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(SPEC, encoding="utf-8")
    pinned = json.loads((RECIPES / "p4a-pinned.json").read_text(encoding="utf-8"))
    assert cfg["app"]["p4a.commit"] == pinned["commit"]
    assert cfg["app"]["p4a.local_recipes"] == "./recipes"
    perms = {p.strip() for p in cfg["app"]["android.permissions"].split(",")}
    assert {"ACCESS_BACKGROUND_LOCATION", "FOREGROUND_SERVICE", "FOREGROUND_SERVICE_LOCATION"} <= perms
    service = cfg["app"]["services"]
    name, path, *options = service.split(":")
    assert (ROOT / path).is_file(), f"buildozer.spec services: {path} does not exist"
    assert "foreground" in options and "foregroundServiceType=location" in options
