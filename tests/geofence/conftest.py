"""The geofencing tests import their helpers from ``geofence_support`` (this folder, as tests/contrib does)."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
