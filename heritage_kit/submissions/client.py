"""``InboxClient``: the HTTP adapter between a device and the inbox service (requests).

Every request has a connect and a read timeout. HTTPS is required, except for
``localhost`` / ``127.0.0.1`` / ``::1`` (development and tests). Failures become:

* a transient :class:`~heritage_kit.errors.SyncError` leaf — ``SyncTimedOut`` /
  ``SyncUnreachable`` (timeouts, connection errors, 3xx, 408), ``SyncServerError``
  (5xx), ``SyncRateLimited`` (429), ``SyncBadAnswer`` (not the API's JSON), with
  ``retry_after`` from the server: retry later;
* ``SyncUnauthorised`` (not transient) — 401/403 (the device token or key is
  refused): stop, nothing is wrong with the item;
* :class:`~heritage_kit.errors.SubmissionRefused` — any other 4xx: the server
  refuses this submission; its message (and per-field messages) are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from heritage_kit.errors import (
    ConfigurationError,
    SubmissionRefused,
    SyncBadAnswer,
    SyncRateLimited,
    SyncServerError,
    SyncTimedOut,
    SyncUnauthorised,
    SyncUnreachable,
)
from heritage_kit.submissions.messages import Message
from heritage_kit.submissions.model import Submission

__all__ = ["InboxClient", "SubmitResult", "StatusResult", "TOKEN_PATTERN", "new_device_token"]

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{16,256}$")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def new_device_token() -> str:
    """A fresh random device token (store it with the app's settings)."""
    import secrets

    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SubmitResult:
    uuid: str
    status: str
    created: bool
    duplicate_hints: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class StatusResult:
    uuid: str
    status: str
    message: str | None = None
    updated: str | None = None
    published_version: int | None = None


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error_body(resp: requests.Response) -> tuple[str, dict[str, str], dict[str, Message]]:
    try:
        body = resp.json()
        err = body.get("error", {}) if isinstance(body, dict) else {}
    except ValueError:
        err = {}
    text = err.get("en") or err.get("message") or f"HTTP {resp.status_code}"
    fields: dict[str, str] = {}
    messages: dict[str, Message] = {}
    for name, m in (err.get("fields") or {}).items():
        if isinstance(m, dict):
            fields[name] = str(m.get("en", ""))
            messages[name] = Message(str(m.get("code", "invalid")), str(m.get("fr", "")), str(m.get("en", "")))
    if err.get("fr") and err.get("code"):
        messages.setdefault("", Message(str(err["code"]), str(err["fr"]), str(err.get("en", text))))
    return str(text), fields, messages


class InboxClient:
    """Talks to one inbox service as one device.

    ``base_url`` like ``https://inbox.example.org``; ``token`` the device token
    (16–256 URL-safe characters, see :func:`new_device_token`); ``session`` a
    ``requests.Session`` to reuse (injected in tests); ``timeout`` (connect, read)
    seconds.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise ConfigurationError(f"inbox URL {base_url!r} is not an http(s) URL")
        if parts.scheme == "http" and host not in _LOCAL_HOSTS:
            raise ConfigurationError(f"inbox URL {base_url!r} must use HTTPS (plain http only for localhost)")
        if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
            raise ConfigurationError("device token must be 16-256 characters among A-Z a-z 0-9 . _ ~ -")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.session = session or requests.Session()
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<InboxClient {self.base_url}>"

    # -- transport -----------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        headers.update(kwargs.pop("headers", {}))
        try:
            resp = self.session.request(
                method, self.base_url + path, headers=headers, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.Timeout as exc:
            raise SyncTimedOut(f"{method} {path}: timed out ({exc.__class__.__name__})") from None
        except requests.RequestException as exc:
            raise SyncUnreachable(f"{method} {path}: connection failed ({exc.__class__.__name__})") from None
        code = resp.status_code
        if code == 429:
            raise SyncRateLimited(f"{method} {path}: HTTP {code}", retry_after=_retry_after(resp))
        if code >= 500:
            raise SyncServerError(f"{method} {path}: HTTP {code}", status_code=code, retry_after=_retry_after(resp))
        if code == 408 or 300 <= code < 400:
            raise SyncUnreachable(f"{method} {path}: HTTP {code}", status_code=code, retry_after=_retry_after(resp))
        if code in (401, 403):
            text, _, _ = _error_body(resp)
            raise SyncUnauthorised(f"{method} {path}: {text}", status_code=code)
        if code >= 400:
            text, fields, messages = _error_body(resp)
            raise SubmissionRefused(text, fields, status_code=code, messages=messages)
        return resp

    @staticmethod
    def _json(resp: requests.Response, what: str) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            raise SyncBadAnswer(f"{what}: the server's answer is not JSON") from None
        if not isinstance(body, dict):
            raise SyncBadAnswer(f"{what}: unexpected answer")
        return body

    # -- API -----------------------------------------------------------------
    def submit(self, submission: Submission, photos: Sequence[bytes] = ()) -> SubmitResult:
        """Send ``submission`` (idempotent on its uuid) with its photo bytes."""
        doc = json.dumps(submission.wire(), ensure_ascii=False)
        files: list[tuple[str, tuple[str | None, bytes, str]]] = [
            ("submission", (None, doc.encode("utf-8"), "application/json"))
        ]
        files += [("photos", (f"photo{i}.jpg", bytes(p), "application/octet-stream")) for i, p in enumerate(photos)]
        resp = self._request("POST", "/v1/submissions", files=files)
        body = self._json(resp, "submit")
        hints = body.get("duplicate_hints")
        return SubmitResult(
            uuid=str(body.get("uuid", submission.uuid)),
            status=str(body.get("status", "pending")),
            created=resp.status_code == 201,
            duplicate_hints=hints if isinstance(hints, list) else [],
        )

    def status(self, uuid: str) -> StatusResult:
        """The moderation status of a submission this device sent."""
        resp = self._request("GET", f"/v1/submissions/{uuid}")
        body = self._json(resp, "status")
        pv = body.get("published_version")
        return StatusResult(
            uuid=str(body.get("uuid", uuid)),
            status=str(body.get("status", "")),
            message=body.get("message") if isinstance(body.get("message"), str) else None,
            updated=body.get("updated") if isinstance(body.get("updated"), str) else None,
            published_version=pv if isinstance(pv, int) else None,
        )
