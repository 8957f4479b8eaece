"""Pure: the pieces the two planners share (:mod:`.order` and :mod:`.visits`).

:func:`backtrack` reads a visit order back from a subset dynamic programme
(Held–Karp style: ``parent[mask, j]`` is the stop before ``j`` in the best
path over the stops of ``mask`` ending at ``j``, -1 at the first stop).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["backtrack"]


def backtrack(parent: np.ndarray, mask: int, j: int, labels: Sequence[int]) -> list[int]:
    """The stops (as ``labels[k]``) of the best path over ``mask`` ending at ``j``, first stop first."""
    out = []
    while j >= 0:
        out.append(labels[j])
        pj = int(parent[mask, j])
        mask ^= 1 << j
        j = pj
    out.reverse()
    return out
