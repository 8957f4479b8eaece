"""One root for every error heritage-kit raises.

Each leaf also subclasses the builtin that fits, so callers may catch either
``HeritageKitError`` or the builtin they already expect (the geopy pattern).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.packs.report import ValidationReport

__all__ = [
    "HeritageKitError",
    "PackError",
    "ImportError_",
    "SourceDataError",
    "PoiNotFound",
    "RouteNotFound",
    "HoursError",
    "SubmissionError",
    "SyncError",
    "ModerationError",
    "FetchError",
]


class HeritageKitError(Exception):
    """Root of every heritage-kit error."""


class PackError(HeritageKitError, ValueError):
    """A content pack is invalid, unsafe or unreadable.

    ``report`` carries every problem found (file, record, field, message).
    """

    def __init__(self, message: str, report: "ValidationReport | None" = None) -> None:
        super().__init__(message)
        self.report = report

    def __str__(self) -> str:  # the report makes the message complete
        base = super().__str__()
        if self.report is not None and self.report.problems:
            return base + "\n" + self.report.format(limit=20)
        return base


class SourceDataError(HeritageKitError, ValueError):
    """Source data given to an importer is malformed (names the file and record)."""


# Backwards-compatible alias with a name that does not shadow the builtin.
ImportError_ = SourceDataError


class PoiNotFound(HeritageKitError, LookupError):
    """No POI with this id in the pack."""


class RouteNotFound(HeritageKitError, LookupError):
    """No walking route joins the two points under the given constraints."""


class HoursError(HeritageKitError, ValueError):
    """An opening-hours value cannot be read."""


class SubmissionError(HeritageKitError, ValueError):
    """A contributor submission is invalid; ``errors`` maps field -> message."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


class ModerationError(HeritageKitError, ValueError):
    """An illegal moderation move (e.g. approving a rejected submission)."""


class FetchError(HeritageKitError, OSError):
    """Downloading source data failed (network, timeout, server refused or overloaded)."""


class SyncError(HeritageKitError, OSError):
    """Talking to the inbox service failed (network, timeout, server error)."""
