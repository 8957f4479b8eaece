"""HTTP-level limits of the inbox, as one ASGI middleware: :class:`BodyLimits` (``install_limits(app, settings)``).

* **Per content type, while streaming**: a multipart upload to ``POST /v1/submissions`` (or a merchant's edit,
  :data:`UPLOAD_PATHS`) may carry up to
  ``max_request_bytes`` (the photos), every other body (JSON above all) ``max_json_bytes``. A declared
  ``Content-Length`` above the limit is refused at once; a chunked or lying body is counted as it arrives and
  refused (413) as soon as it crosses the limit: the rest is never read, the connection is closed.
* **Bodies in flight**: at most ``max_bodies_in_flight`` requests with a body are handled at once; beyond that the
  answer is 503 with ``Retry-After`` before a byte of the body is read (the client's outbox retries later).
* **Client disconnects** (a phone losing signal mid-upload) are an ordinary event: one short log line, at most one
  per ``disconnect_log_interval_s`` (the others are counted into the next line), never a traceback.

No heritage-kit logic here: the limits come from :class:`~heritage_kit.inbox.service.InboxSettings`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect

from heritage_kit import i18n

__all__ = ["BodyLimits", "DisconnectLog", "install_limits", "UPLOAD_PATH"]

log = logging.getLogger("heritage_kit.inbox")

UPLOAD_PATH = "/v1/submissions"
# the paths whose multipart bodies carry photos (a merchant's edit: issue 20)
UPLOAD_PATHS = (UPLOAD_PATH, "/v1/merchants/edits", "/merchants/edit")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class DisconnectLog:
    """One short line per client disconnect, at most one per ``interval`` seconds (the rest are counted)."""

    def __init__(self, logger: logging.Logger = log, *, interval: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.interval, self.clock = logger, interval, clock
        self._last = -math.inf
        self._skipped = 0

    def __call__(self, method: str, path: str, received: int) -> None:
        now = self.clock()
        if now - self._last < self.interval:
            self._skipped += 1
            return
        more = f" (+{self._skipped} more since the last line)" if self._skipped else ""
        self._last, self._skipped = now, 0
        self.logger.info("client disconnected during %s %s after %d bytes%s", method, path[:80], received, more)


def _error(status: int, code: str, detail: str | None = None, headers: dict[str, str] | None = None):
    from fastapi.responses import JSONResponse

    fr, en = i18n.texts(f"http.{code}")
    body = {"code": code, "fr": fr, "en": f"{en} {detail}".strip() if detail else en}
    return JSONResponse({"error": body}, status_code=status, headers={"Connection": "close", **(headers or {})})


def _header(scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return v.decode("latin-1")
    return None


class BodyLimits:
    """The ASGI middleware (see the module docstring)."""

    def __init__(self, app, *, json_limit: int, multipart_limit: int, max_in_flight: int, retry_after_s: int = 5,
                 disconnect_log: DisconnectLog | None = None) -> None:
        self.app = app
        self.json_limit = json_limit
        self.multipart_limit = multipart_limit
        self.max_in_flight = max(1, int(max_in_flight))
        self.retry_after_s = max(1, int(retry_after_s))
        self.disconnect_log = disconnect_log or DisconnectLog()
        self.in_flight = 0

    def limit_for(self, scope) -> int:
        ctype = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if scope.get("method") == "POST" and scope.get("path") in UPLOAD_PATHS and ctype == "multipart/form-data":
            return self.multipart_limit
        return self.json_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = _header(scope, b"content-length")
        has_body = scope.get("method") in _BODY_METHODS and (
            _header(scope, b"transfer-encoding") is not None or (length is not None and length.strip() != "0"))
        if not has_body:
            return await self._run(scope, receive, send)
        limit = self.limit_for(scope)
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > limit:
            return await _error(413, "too_large", f"(limit {limit} bytes)")(scope, receive, send)
        if self.in_flight >= self.max_in_flight:
            return await _error(503, "busy", headers={"Retry-After": str(self.retry_after_s)})(scope, receive, send)
        self.in_flight += 1
        try:
            await self._run(scope, receive, send, limit=limit)
        finally:
            self.in_flight -= 1

    async def _run(self, scope, receive, send, *, limit: int | None = None) -> None:
        seen = 0
        cut = False  # the body crossed the limit: 413 sent, the app sees a disconnect
        started = False

        async def counted():
            nonlocal seen, cut
            if cut:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg.get("type") == "http.request":
                seen += len(msg.get("body", b""))
                if limit is not None and seen > limit:
                    cut = True
                    if not started:
                        await _error(413, "too_large", f"(limit {limit} bytes)")(scope, receive, guarded)
                    return {"type": "http.disconnect"}
            return msg

        async def guarded(msg):
            nonlocal started
            if msg.get("type") == "http.response.start":
                if started:
                    return  # the 413 went first: the app's own answer is dropped
                started = True
            await send(msg)

        async def app_send(msg):
            if cut:
                return
            await guarded(msg)

        try:
            await self.app(scope, counted, app_send)
        except ClientDisconnect:
            if not cut:
                self.disconnect_log(scope.get("method", "?"), scope.get("path", "?"), seen)


def install_limits(app: Any, settings: Any) -> None:
    """Add :class:`BodyLimits` to a FastAPI/Starlette ``app`` with the limits of an ``InboxSettings``."""
    app.add_middleware(
        BodyLimits,
        json_limit=settings.max_json_bytes,
        multipart_limit=settings.max_request_bytes,
        max_in_flight=settings.max_bodies_in_flight,
        retry_after_s=settings.busy_retry_after_s,
        disconnect_log=DisconnectLog(interval=settings.disconnect_log_interval_s),
    )
