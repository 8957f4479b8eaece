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
    "SyncUnreachable",
    "SyncTimedOut",
    "SyncBadAnswer",
    "SyncServerError",
    "SyncRateLimited",
    "SyncUnauthorised",
    "ModerationError",
    "QueryError",
    "PhotoError",
    "SubmissionRefused",
    "SubmissionConflict",
    "ConfigurationError",
    "SubmissionNotFound",
    "FetchError",
    "GeofenceError",
    "CatalogueError",
    "PackDownloadError",
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


class QueryError(HeritageKitError, ValueError):
    """A discovery query (spatial or search) was given an impossible position, radius or filter."""


class HoursError(HeritageKitError, ValueError):
    """An opening-hours value cannot be read."""


class SubmissionError(HeritageKitError, ValueError):
    """A contributor submission is invalid; ``errors`` maps field -> message.

    ``messages`` (when given) maps the same fields to bilingual
    :class:`heritage_kit.submissions.messages.Message` objects (code, fr, en).
    """

    def __init__(self, message: str, errors: dict[str, str] | None = None, *, messages: dict | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})
        self.messages = dict(messages or {})


class PhotoError(SubmissionError):
    """A photo is refused (unrecognised format, too large, decompression bomb, unreadable)."""


class SubmissionRefused(SubmissionError):
    """The inbox service refused a submission (a 4xx answer other than auth or rate limit).

    ``status_code`` is the HTTP status; ``errors`` the server's per-field messages.
    """

    def __init__(self, message: str, errors: dict[str, str] | None = None, *, status_code: int = 400,
                 messages: dict | None = None) -> None:
        super().__init__(message, errors, messages=messages)
        self.status_code = status_code


class SubmissionConflict(SubmissionError):
    """The same submission uuid was sent again with different content (or by another device)."""


class SubmissionNotFound(HeritageKitError, LookupError):
    """No such submission (or not one this device may see)."""


class ConfigurationError(HeritageKitError, ValueError):
    """A setting is unusable (e.g. a plain-http inbox URL that is not on this machine)."""


class ModerationError(HeritageKitError, ValueError):
    """An illegal moderation move (e.g. approving a rejected submission)."""


class FetchError(HeritageKitError, OSError):
    """Downloading source data failed (network, timeout, server refused or overloaded).

    ``status_code`` is the HTTP status, if one was received; ``retry_after``
    the server's ``Retry-After`` hint in seconds, if it gave one (429, 503).
    """

    def __init__(self, message: str, *, status_code: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "fetch failed"


class SyncError(HeritageKitError, OSError):
    """Talking to the inbox service failed (network, timeout, server error).

    ``transient`` is True when trying again later may succeed (timeouts,
    connection errors, 5xx, 408, 429); ``retry_after`` is the server's hint in
    seconds, if any; ``status_code`` the HTTP status, if one was received.
    """

    def __init__(self, message: str, *, transient: bool = True, status_code: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status_code = status_code
        self.retry_after = retry_after

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "sync failed"

    @property
    def code(self) -> str:
        """A stable code for apps to translate; a class attribute on every leaf.

        Derived from ``status_code`` / ``transient`` only for a bare ``SyncError``
        (one a third-party client raised): ``rate_limited``, ``unauthorised``,
        ``server_error``, ``unreachable`` or ``refused``.
        """
        status = self.status_code
        if status == 429:
            return SyncRateLimited.code
        if status in (401, 403):
            return SyncUnauthorised.code
        if status is not None and status >= 500:
            return SyncServerError.code
        return SyncUnreachable.code if self.transient else "refused"


class SyncUnreachable(SyncError, ConnectionError):
    """No usable answer: no network, connection dropped, timed out, a redirect, 408 (try again later)."""

    code = "unreachable"


class SyncTimedOut(SyncUnreachable, TimeoutError):
    """The inbox service did not answer in time (connect or read timeout)."""


class SyncBadAnswer(SyncUnreachable):
    """The server answered something that is not the inbox API (not JSON, not an object): try again later."""


class SyncServerError(SyncError):
    """The inbox service failed (HTTP 5xx); ``retry_after`` is its hint, if any."""

    code = "server_error"


class SyncRateLimited(SyncError):
    """Too many requests (HTTP 429): wait ``retry_after`` seconds (the server's hint, if any)."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, status_code: int | None = 429) -> None:
        super().__init__(message, transient=True, status_code=status_code, retry_after=retry_after)


class SyncUnauthorised(SyncError, PermissionError):
    """The device token or key is refused (HTTP 401/403): trying again will not help."""

    code = "unauthorised"

    def __init__(self, message: str, *, status_code: int | None = 401) -> None:
        super().__init__(message, transient=False, status_code=status_code)


class GeofenceError(HeritageKitError, ValueError):
    """A fence, fix, engine state or GPS trace is invalid (names the record and field)."""


class CatalogueError(HeritageKitError, ValueError):
    """A pack catalogue (index.json) is malformed, or has no entry for the town asked for.

    ``url`` is where it was read from; ``field`` the offending field, if any.
    """

    def __init__(self, message: str, *, url: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.field = field


class PackDownloadError(HeritageKitError, OSError):
    """Downloading or installing a pack failed; the previously installed pack (if any) is untouched.

    ``town_id`` and ``url`` name the pack; ``reason`` is one of ``network``, ``http``, ``size``,
    ``sha256``, ``invalid``, ``disk`` (``delta``: a patch did not rebuild the published zip — the installer
    then downloads the full zip); ``status_code`` the HTTP status, if one was received.
    """

    def __init__(self, message: str, *, town_id: str | None = None, url: str | None = None,
                 reason: str = "network", status_code: int | None = None) -> None:
        super().__init__(message)
        self.town_id = town_id
        self.url = url
        self.reason = reason
        self.status_code = status_code

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "pack download failed"
