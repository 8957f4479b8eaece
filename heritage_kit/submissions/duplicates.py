"""Duplicate hints for submissions: :mod:`heritage_kit.duplicates` (the rule is shared with trail planning)."""

from heritage_kit.duplicates import (
    DUPLICATE_MIN_SCORE,
    DUPLICATE_RADIUS_M,
    DuplicateHint,
    duplicate_hints,
    normalise_name,
)

__all__ = ["DuplicateHint", "duplicate_hints", "normalise_name", "DUPLICATE_RADIUS_M", "DUPLICATE_MIN_SCORE"]
