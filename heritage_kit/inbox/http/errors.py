"""Every error the inbox answers: one JSON body ``{"error": {"code", "fr", "en", "fields"?}}``.

:func:`install_error_handlers` maps the library's errors to HTTP statuses (409 conflict / moderation, 422
invalid, 404 not found, 401 missing credential, 403 forbidden, 413, 415, 429) and never lets a traceback reach a
client. A request under ``/desk/`` gets the same status as an HTML page instead, rendered by the hook the desk
router installs (``app.state.html_error``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from heritage_kit import i18n
from heritage_kit.errors import (
    ClaimNotFound, MerchantError, MerchantRefused, MerchantRevoked, ModerationError, SubmissionConflict, SubmissionError,
    SubmissionNotFound,
)
from heritage_kit.submissions.messages import Message, message

__all__ = ["error_response", "install_error_handlers", "ModeratorRefused", "Forbidden"]

log = logging.getLogger("heritage_kit.inbox")

_CODES = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "bad_request",
          413: "too_large", 415: "unsupported_media_type", 429: "rate_limited"}


def error_response(status: int, code: str, detail: str | None = None, *, fields: dict[str, Message] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The error body: ``code`` and its texts (``http.<code>`` in :mod:`heritage_kit.i18n`)."""
    fr, en = i18n.texts(f"http.{code}" if f"http.{code}" in i18n.CATALOGUE else "http.bad_request")
    body: dict[str, Any] = {"code": code, "fr": fr, "en": f"{en} {detail}".strip() if detail else en}
    if fields:
        body["fields"] = {k: m.to_dict() for k, m in fields.items()}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


class ModeratorRefused(Exception):
    """No valid moderator credential (key or desk session): 401."""


class Forbidden(Exception):
    """A valid credential asking for a town (or an action) it is not given: 403. ``code`` names the reason."""

    def __init__(self, code: str = "forbidden", detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def _respond(request: Request, status: int, code: str, detail: str | None = None, **kw):
    html = getattr(request.app.state, "html_error", None)
    if html is not None and request.url.path.startswith("/desk"):
        return html(request, status, code, kw.get("headers"))
    return error_response(status, code, detail, **kw)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SubmissionConflict)
    async def _conflict(request, exc):
        return _respond(request, 409, "conflict", str(exc))

    @app.exception_handler(SubmissionError)
    async def _invalid(request, exc: SubmissionError):
        fields = exc.messages or {k: Message("invalid", v, v) for k, v in exc.errors.items()}
        return _respond(request, 422, "invalid_submission", fields=fields)

    @app.exception_handler(SubmissionNotFound)
    async def _not_found(request, exc):
        return _respond(request, 404, "not_found")

    @app.exception_handler(ModerationError)
    async def _moderation(request, exc):
        return _respond(request, 409, "moderation", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request, exc: RequestValidationError):
        fields = {}
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()))
            fields[loc] = Message("invalid", message("invalid").fr, str(e.get("msg", "invalid")))
        return _respond(request, 422, "bad_request", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        code = _CODES.get(exc.status_code, "bad_request")
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code in (400, 413, 415) else None
        return _respond(request, exc.status_code, code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(ModeratorRefused)
    async def _mod_refused(request, exc):
        return _respond(request, 401, "moderator_key", headers={"WWW-Authenticate": "X-API-Key"})

    @app.exception_handler(Forbidden)
    async def _forbidden(request, exc: Forbidden):
        return _respond(request, 403, exc.code, exc.detail or None)

    # merchants (issue 20): a claim or edit refused as given (422, fields named), not allowed (403), unknown (404)
    @app.exception_handler(MerchantError)
    async def _merchant_invalid(request, exc: MerchantError):
        fields = {k: Message("invalid", fr, en) for k, (fr, en) in exc.fields.items()}
        return _respond(request, 422, "invalid_merchant", fields=fields)

    @app.exception_handler(MerchantRefused)
    async def _merchant_refused(request, exc):
        return _respond(request, 403, "merchant_refused")

    @app.exception_handler(MerchantRevoked)  # the town took the merchant's right back: said as such
    async def _merchant_revoked(request, exc):
        return _respond(request, 403, "merchant_revoked")

    @app.exception_handler(ClaimNotFound)
    async def _claim_not_found(request, exc):
        return _respond(request, 404, "not_found")

    @app.exception_handler(Exception)
    async def _bug(request, exc):  # pragma: no cover - a bug; logged, never a traceback to the client
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(request, 500, "server_error")
