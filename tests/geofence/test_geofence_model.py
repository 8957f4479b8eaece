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
