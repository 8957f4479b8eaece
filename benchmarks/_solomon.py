"""Solomon's 100-customer VRPTW instances as orienteering problems with time windows (Righini & Salani, 2009).

The OPTW reading, as in Righini & Salani (2009) and Vansteenwegen et al. (2009): one walker, the depot as start
and end, a customer's *demand* as its score, its ready/due times as the window in which its visit may start, its
service time as the visit's length, the depot's due time as the budget, Euclidean travel times (not rounded).

The customer data (``data/solomon_100.json.gz``: per instance ``[x, y, demand, ready, due, service]``, depot
first) is Solomon's (1987) public benchmark set, copied from the text files of the public repository
JaccovanWijk/LargeNeighbourhoodSearch (commit 77b4b02), sorted by customer number.
"""

from __future__ import annotations

import gzip
import json
import pathlib

import numpy as np

DATA = pathlib.Path(__file__).parent / "data" / "solomon_100.json.gz"

# Best known (optimal, Righini & Salani 2009) total scores for one tour; as tabulated by Vansteenwegen et al. (2009).
BEST_KNOWN = {
    "c101": 320, "c102": 360, "c103": 400, "c104": 420, "c105": 340, "c106": 340, "c107": 370, "c108": 370,
    "c109": 380,
    "r101": 198, "r102": 286, "r103": 293, "r104": 303, "r105": 247, "r106": 293, "r107": 299, "r108": 308,
    "r109": 277, "r110": 284, "r111": 297, "r112": 298,
    "rc101": 219, "rc102": 266, "rc103": 266, "rc104": 301, "rc105": 244, "rc106": 252, "rc107": 277,
    "rc108": 298,
}


def load(name: str) -> dict:
    """``plan_visits`` keyword arguments (with the travel-time matrix as ``travel_time``) for one instance."""
    rows = np.array(json.loads(gzip.decompress(DATA.read_bytes()))[name], dtype=float)
    xy = rows[:, :2]
    T = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    sc = rows[:, 2].copy()
    sc[0] = 0.0
    windows = [None] + [(float(a), float(b)) for a, b in rows[1:, 3:5]]
    return dict(travel_time=T, scores=sc, service_time=rows[:, 5].copy(), windows=windows, start=0, end=0,
                budget=float(rows[0, 4]))


def family(name: str) -> str:
    return name.rstrip("0123456789")
