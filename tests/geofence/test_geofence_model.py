"""Geofencing value types (heritage_kit.geofence.model, .config) and the package's public names."""

from __future__ import annotations

import pytest

from geofence_support import circle
from heritage_kit.errors import GeofenceError
from heritage_kit.geofence import (
    Fence,
    Fix,
    GeofenceConfig,
    GeofenceEngine,
)


def test_fix_and_fence_validation():
    with pytest.raises(GeofenceError):
        Fix(91.0, 0.0, 5.0, 0.0)
    with pytest.raises(GeofenceError):
        Fix(45.0, 0.0, float("nan"), 0.0)
    with pytest.raises(GeofenceError, match="twice"):
        GeofenceEngine([circle("a:1", 0, 0, 30), circle("a:1", 10, 0, 30)])
    with pytest.raises(GeofenceError, match="radius"):
        circle("a:1", 0, 0, 0)


def test_exit_radius_must_exceed_enter_radius():
    with pytest.raises(GeofenceError, match="exit_radius_m"):
        circle("a:1", 0, 0, 30, exit_radius_m=20)
    with pytest.raises(GeofenceError, match="exit_margin_m"):
        GeofenceConfig(exit_factor=1.0, exit_margin_m=0.0)


def test_public_names_are_exported_lazily():
    import heritage_kit

    assert heritage_kit.GeofenceEngine is GeofenceEngine and heritage_kit.Fix is Fix
    assert heritage_kit.Fence is Fence and heritage_kit.GeofenceConfig is GeofenceConfig


def test_value_types_load_without_the_engine():
    # gpx, simulate and the app need Fix and friends, not the rules
    import subprocess
    import sys

    code = (
        "import sys, heritage_kit.geofence.model, heritage_kit.gpx, heritage_kit.simulate;"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('heritage_kit.geofence'))))"
    )
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    res = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert res.stdout.split() == ["heritage_kit.geofence,heritage_kit.geofence.model"]


def test_package_reexports_every_public_name_from_its_module():
    import heritage_kit.geofence as pkg
    from heritage_kit.geofence import engine, fences, model, state

    assert pkg.Fix is model.Fix and pkg.OsFence is model.OsFence and pkg.GeofenceEvent is model.GeofenceEvent
    assert pkg.GeofenceEngine is engine.GeofenceEngine and pkg.GeofenceState is state.GeofenceState
    assert pkg.fences_for is fences.fences_for and pkg.CATEGORY_RADIUS_M is fences.CATEGORY_RADIUS_M
    assert set(pkg.__all__) <= set(dir(pkg))
    with pytest.raises(AttributeError, match="no_such_name"):
        pkg.no_such_name  # noqa: B018


def test_every_config_field_has_a_one_line_doc():
    import ast
    import dataclasses
    import inspect

    from heritage_kit.geofence import config

    tree = ast.parse(inspect.getsource(config))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "GeofenceConfig"]
    docs = {}
    for a, b in zip(cls.body, cls.body[1:]):
        if isinstance(a, ast.AnnAssign) and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant):
            docs[a.target.id] = b.value.value
    fields = [f.name for f in dataclasses.fields(GeofenceConfig)]
    assert sorted(docs) == sorted(fields)
    assert all(d.strip() and "\n" not in d for d in docs.values())
