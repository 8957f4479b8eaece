"""The filters of benchmarks/geofence_bounds.py: knowing the walker's exact motion must place them better than the
phone's Doppler does, and the independent Doppler filter must agree with the engine's own free filter (it is the
README's evidence that the engine's filter is at what Doppler allows, so it has to stay true)."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import geofence_bounds as B  # noqa: E402


@pytest.fixture(scope="module")
def errors():
    pack = B.ev.load_monaco(ROOT / "content" / "monaco")
    return B.position_errors(pack, walks=2, sigmas=(20.0,), seed_offset=7000)[20.0]


def med(errors, name):
    return float(np.median(np.abs(errors[name])))


def test_exact_motion_places_the_walker_better_than_doppler(errors):
    assert med(errors, "plane: exact motion") < 0.8 * med(errors, "plane: Doppler motion")
    assert med(errors, "plane: exact motion, episodes known") <= 1.05 * med(errors, "plane: exact motion")
    assert med(errors, "route: exact motion") < 0.8 * med(errors, "route: Doppler, truly still")


def test_the_independent_doppler_filter_agrees_with_the_engines_free_filter(errors):
    ratio = med(errors, "plane: Doppler motion") / med(errors, "plane: engine FreeFilter")
    assert 0.75 < ratio < 1.25, ratio


def test_oracle_positions_feed_the_engine_in_every_mode():
    pack = B.ev.load_monaco(ROOT / "content" / "monaco")
    out = B.oracle_alerts(pack, walks=1, sigmas=(10.0,), seed_offset=7000, episodes=True)
    assert set(out) == {"route", "plain", "free"}
    assert out["route"][10.0]["recall"] >= 0.9 and out["route"][10.0]["precision"] >= 0.9
