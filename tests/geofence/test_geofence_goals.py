"""Regression floors of arrival alerts on a small fixed set of seeded Monaco walks (urban-canyon multipath on).

The same evaluation as ``benchmarks/eval_geofence.py`` (definitions there), 8 walks per sigma and mode on seeds
7000+ (neither the tuning seeds 0+ nor the held-out report seeds 100000+). The floors are the figures this set
gave when written, less about 0.05: a change that loses arrivals or adds false alerts fails here. They are below
the issue's goals (recall and precision >= 0.95 at σ = 20 m): benchmarks/README.md says where the engine stands.
"""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import eval_geofence as E  # noqa: E402

# mode -> sigma -> (recall floor, precision floor); measured: route 1.0/.99 .93/.94 .90/.93 (route_from_free; before it
# .99/.99 .92/.96 .79/.85, and .83/.90 at σ=30 before the 8 m margin cap),
# plain .94/.93 .93/.92 .83/.92, free .83/.89 .81/.84 .69/.80 (rule 11; before: .79/.90 .75/.87 .47/.87)
FLOORS = {
    "route": {10.0: (0.94, 0.93), 20.0: (0.88, 0.89), 30.0: (0.85, 0.88)},
    "plain": {10.0: (0.89, 0.88), 20.0: (0.88, 0.87), 30.0: (0.78, 0.87)},
    "free": {10.0: (0.78, 0.84), 20.0: (0.76, 0.79), 30.0: (0.64, 0.75)},
}
MAX_MEDIAN_DELAY_S = {10.0: 20.0, 20.0: 20.0, 30.0: 30.0}  # measured at most 15 / 15 / 23.5 s (30.5 s at σ=30 before)


@pytest.fixture(scope="module")
def pack():
    return E.load_monaco(ROOT / "content" / "monaco")


@pytest.mark.parametrize("mode", sorted(FLOORS))
def test_recall_and_precision_hold_their_floors(pack, mode):
    table, _, _ = E.evaluate(pack, walks=8, sigmas=tuple(FLOORS[mode]), noise_options=E.CANYON, seed_offset=7000,
                             **E.MODES[mode])
    for sigma, (r_min, p_min) in FLOORS[mode].items():
        s = table[sigma]
        assert s["recall"] >= r_min and s["precision"] >= p_min, (mode, sigma, s)
        assert s["alerts_per_visit_max"] <= 1, (mode, sigma, s)  # never twice for one visit
        assert s["median_delay_s"] <= MAX_MEDIAN_DELAY_S[sigma], (mode, sigma, s)
