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
    "PackSignatureError",
    "SourceDataError",
    "PoiNotFound",
    "RouteNotFound",
    "HoursError",
    "HoursEditError",
    "SubmissionError",
    "SyncError",
    "OutboxError",
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
    "MissingExtra",
    "ArgumentTypeError",
    "ArgumentValueError",
    "StartTooFar",
    "AccountError",
    "AccountExists",
    "MerchantError",
    "ClaimNotFound",
    "MerchantRefused",
    "MerchantRevoked",
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

    def __str__(self) -> str:  # the report makes the message complete, each problem said once
        base = super().__str__()
        if self.report is None or not self.report.problems:
            return base
        core = base.split(": ", 1)[-1]
        lines: list[str] = []
        for problem in self.report.problems:
            if str(problem) in base or (problem.message in base and problem.file in base):
                continue  # the message already says it
            if core and problem.message.startswith(core) and not lines:
                base += problem.message[len(core):]  # the same problem, in more detail
                continue
            lines.append(f"  - {problem}")
        if len(lines) > 20:
            lines = lines[:20] + [f"  … and {len(lines) - 20} more"]
        return "\n".join([base, *lines])


class PackSignatureError(PackError):
    """A pack's ``manifest.sig`` is missing, malformed or not made by the town's key (tampered pack)."""


class SourceDataError(HeritageKitError, ValueError):
    """Source data given to an importer is malformed (names the file and record)."""


# Deprecated names: still importable, with a DeprecationWarning, until the release CHANGELOG.md names.
_DEPRECATED = {"ImportError_": ("SourceDataError", "0.3.0")}


def __getattr__(name: str):
    if name in _DEPRECATED:
        import warnings

        new, removal = _DEPRECATED[name]
        warnings.warn(f"heritage_kit.errors.{name} is deprecated, use {new} (removed in {removal})",
                      DeprecationWarning, stacklevel=2)
        return globals()[new]
    raise AttributeError(f"module 'heritage_kit.errors' has no attribute {name!r}")


class PoiNotFound(HeritageKitError, LookupError):
    """No POI with this id in the pack."""


class RouteNotFound(HeritageKitError, LookupError):
    """No walking route joins the two points under the given constraints."""


class QueryError(HeritageKitError, ValueError):
    """A discovery query (spatial or search) was given an impossible position, radius or filter."""


class ArgumentTypeError(HeritageKitError, TypeError):
    """An argument of a public function has the wrong type (``start=(lat, lon)`` instead of a LatLon).

    ``argument`` names it; ``value`` is what was given.
    """

    def __init__(self, message: str, *, argument: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.value = value


class ArgumentValueError(HeritageKitError, ValueError):
    """An argument of a public function has an impossible value (``minutes=-5``); ``argument``, ``value``."""

    def __init__(self, message: str, *, argument: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.value = value


class StartTooFar(ArgumentValueError):
    """A walk starts too far from the town's pack: ``distance_m`` to its nearest place, ``limit_m`` allowed."""

    def __init__(self, message: str, *, distance_m: float, limit_m: float, value: object = None) -> None:
        super().__init__(message, argument="start", value=value)
        self.distance_m = distance_m
        self.limit_m = limit_m


class HoursError(HeritageKitError, ValueError):
    """An opening-hours value cannot be read."""


class HoursEditError(HoursError):
    """The hours editor's form cannot become an ``opening_hours`` value.

    ``problems`` lists every :class:`heritage_kit.hours_editor.Problem` (code, day, field, fr, en);
    ``day`` and ``field`` are the first one's (``"Tu"``, ``"days.Tu.ranges[1].end"``).
    """

    def __init__(self, message: str, *, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        self.day = getattr(first, "day", None)
        self.field = getattr(first, "field", None)


class SubmissionError(HeritageKitError, ValueError):
    """A contributor submission is invalid; ``errors`` maps field -> message.

    ``messages`` (when given) maps the same fields to bilingual
    :class:`heritage_kit.submissions.messages.Message` objects (code, fr, en).
    """

    def __init__(self, message: str, errors: dict[str, str] | None = None, *, messages: dict | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})
        self.messages = dict(messages or {})

    def __str__(self) -> str:  # the field reasons belong in the message: "Invalid submission. (name: required)"
        message = super().__str__()
        reasons = "; ".join(f"{field}: {why}" for field, why in self.errors.items() if why and why not in message)
        return f"{message} ({reasons})" if reasons else message


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


class OutboxError(HeritageKitError, OSError):
    """The device's outbox could not store or read an item (disk full, database locked or damaged)."""


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
    ``sha256``, ``invalid``, ``signature`` (not signed by the town's key), ``disk`` (``delta``: a patch did
    not rebuild the published zip — the installer then downloads the full zip); ``status_code`` the HTTP status, if one was received.
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


class MissingExtra(HeritageKitError, ImportError):
    """A feature needs an optional dependency group (a pip "extra") that is not installed.

    ``module`` is the missing import, ``extra`` the group that provides it
    (``pip install 'heritage-kit[<extra>]'``), ``feature`` what needed it.
    """

    def __init__(self, module: str, extra: str, feature: str = "") -> None:
        what = f"{feature} needs" if feature else "this needs"
        super().__init__(f"{what} the '{extra}' extra (missing module '{module}'): "
                         f"pip install 'heritage-kit[{extra}]'", name=module)
        self.module = module
        self.extra = extra
        self.feature = feature
class AccountError(HeritageKitError, ValueError):
    """A moderator account cannot be created or changed as asked (unknown role, bad name)."""


class AccountExists(AccountError):
    """An account with this name already exists; ``name`` carries it."""

    def __init__(self, name: str) -> None:
        super().__init__(f"an account named {name!r} already exists")
        self.name = name


# -- merchants (issue 20): shop claims and verified merchants' edits ---------------------------------------------
class MerchantError(HeritageKitError, ValueError):
    """A shop claim or a merchant's edit is refused as given; ``fields`` maps each field to ``(fr, en)``."""

    def __init__(self, message: str, *, field: str = "", fr: str = "", fields: dict | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.fields = dict(fields) if fields else ({field: (fr or message, message)} if field else {})


class ClaimNotFound(HeritageKitError, LookupError):
    """No such shop claim (or not one of the towns given to the account)."""


class MerchantRefused(HeritageKitError, PermissionError):
    """Not a verified merchant's token, or not the town-centre manager of this claim's town."""


class MerchantRevoked(MerchantRefused):
    """A merchant token whose right the town revoked; ``claim_id`` and ``revoked`` (when, ISO) carry it."""

    def __init__(self, claim_id: str, revoked: str | None) -> None:
        super().__init__(f"the merchant right of claim {claim_id[:8]} was revoked on {(revoked or '?')[:10]}")
        self.claim_id = claim_id
        self.revoked = revoked


# -- the per-town publish lock (heritage_kit.inbox.publish_lock) ---------------------------------------------------
class PublishLocked(HeritageKitError, RuntimeError):
    """Another publish of the town is under way (another worker, the desk or the terminal): try again in a moment.

    ``town`` (id), ``town_name``, ``actor`` (who started it, as in the audit log) and ``started`` (ISO 8601, UTC)
    say which; the message is in French and English.
    """

    def __init__(self, message: str, *, town: str, actor: str, started: str, town_name: str = "") -> None:
        super().__init__(message)
        self.town = town
        self.town_name = town_name or town
        self.actor = actor
        self.started = started
