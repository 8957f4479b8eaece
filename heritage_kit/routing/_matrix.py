"""Checks shared by the planners: a square, non-negative cost matrix."""

from __future__ import annotations

import numpy as np

__all__ = ["as_cost_matrix"]


def as_cost_matrix(m, *, name: str = "cost_matrix") -> np.ndarray:
    """``m`` as a float array; ``inf`` (unreachable) becomes a large finite penalty."""
    a = np.array(m, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN")
    if (a < 0).any():
        raise ValueError(f"{name} contains a negative cost")
    inf = np.isinf(a)
    if inf.any():
        finite = a[~inf]
        big = (float(finite.max()) if finite.size else 1.0) * max(a.shape[0], 1) * 1e3 + 1e6
        a[inf] = big
    return a
