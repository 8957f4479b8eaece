"""The library's public API is pinned: a change to it is a decision (CHANGELOG.md), not an accident.

Removing or renaming a name of ``heritage_kit.__all__`` breaks towns' code;
this test fails until the pinned list (and the CHANGELOG) say so. Every name
resolves lazily, carries a docstring, and the modules behind it type-check
with mypy (the package ships ``py.typed``).
"""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import pytest

import heritage_kit

ROOT = pathlib.Path(__file__).resolve().parents[2]

PUBLIC_API = [
    "BBox", "ContentPack", "Fence", "Fix", "GeofenceConfig", "GeofenceEngine", "HeritageKitError", "HoursError",
    "InboxClient", "LatLon", "LocalizedText", "ModerationError", "OpeningHours", "Outbox", "POI", "PackError",
    "PackManifest", "PoiIndex", "PoiNotFound", "QueryError", "RouteNotFound", "SourceDataError", "Submission",
    "SubmissionError", "SyncError", "Trail", "ValidationReport", "WalkingGraph", "__version__", "build_pack",
    "load_pack", "merge_pois", "order_stops", "plan_trail", "plan_visits", "read_merimee", "read_osm",
    "read_overpass_json", "save_pack", "validate_pack",
]
# the modules the public names come from (what a town's type checker reads)
TYPED_MODULES = ["heritage_kit/__init__.py", "heritage_kit/errors.py", "heritage_kit/extras.py",
                 "heritage_kit/geofence/__init__.py", "heritage_kit/hours.py", "heritage_kit/models/__init__.py",
                 "heritage_kit/packs/__init__.py", "heritage_kit/routing/__init__.py", "heritage_kit/spatial.py",
                 "heritage_kit/submissions/__init__.py", "heritage_kit/types.py"]


def test_public_api_is_pinned():
    assert heritage_kit.__all__ == sorted(PUBLIC_API), (
        "heritage_kit.__all__ changed: update PUBLIC_API here and say so in CHANGELOG.md "
        f"(added {sorted(set(heritage_kit.__all__) - set(PUBLIC_API))}, "
        f"removed {sorted(set(PUBLIC_API) - set(heritage_kit.__all__))})")


@pytest.mark.parametrize("name", [n for n in PUBLIC_API if n != "__version__"])
def test_every_public_name_resolves_and_is_documented(name):
    obj = getattr(heritage_kit, name)
    assert (getattr(obj, "__doc__", None) or "").strip(), f"heritage_kit.{name} has no docstring"


def test_py_typed_ships_and_the_changelog_has_this_version():
    assert (ROOT / "heritage_kit" / "py.typed").is_file()
    assert f"## {heritage_kit.__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_public_api_type_checks():
    r = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent", "--ignore-missing-imports",
                        "--no-error-summary", *TYPED_MODULES], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_a_deprecated_name_still_works_and_warns():
    import heritage_kit.errors as errors

    with pytest.warns(DeprecationWarning, match="use SourceDataError"):
        assert errors.ImportError_ is errors.SourceDataError
    with pytest.raises(AttributeError):
        errors.NoSuchError  # noqa: B018
