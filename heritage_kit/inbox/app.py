"""The inbox HTTP service (FastAPI): ``create_app(storage, pack, settings)``.

Contributors (``Authorization: Bearer <device token>``):

* ``POST /v1/submissions`` — multipart (``submission`` JSON part + ``photos``
  files) or a JSON body; idempotent on the submission uuid (201 created,
  200 replayed or revised, 409 same uuid with other content or device);
* ``GET /v1/submissions/{uuid}`` — status, only for the submitting device.

Moderators (``X-API-Key``): ``GET /v1/moderation/queue``,
``GET /v1/moderation/submissions/{uuid}`` (with duplicate hints and audit),
``GET …/photos/{n}``, ``POST …/approve`` (optional edits), ``POST …/reject``,
``POST …/request-changes`` (reason required), ``GET /v1/moderation/audit``.

Every error is JSON ``{"error": {"code", "en", "fr", "fields"?}}``; requests are
capped in size (413) and rate-limited per device token (429 + Retry-After).
The OpenAPI spec is served at ``/openapi.json``.
"""


import hmac
import json
import logging
import math
import uuid as _uuid
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from heritage_kit import i18n
from heritage_kit.errors import ModerationError, SubmissionConflict, SubmissionError, SubmissionNotFound
from heritage_kit.inbox.limits import install_limits
from heritage_kit.inbox.moderation import MAX_REASON, STATUSES
from heritage_kit.inbox.ratelimit import RateLimiter
from heritage_kit.inbox.service import InboxService, InboxSettings, token_hash
from heritage_kit.inbox.storage import Storage
from heritage_kit.submissions.client import TOKEN_PATTERN
from heritage_kit.submissions.messages import Message, message

__all__ = ["create_app"]

log = logging.getLogger("heritage_kit.inbox")

def _error(status: int, code: str, detail: str | None = None, *, fields: dict[str, Message] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    """The error body: ``code`` and its texts (``http.<code>`` in :mod:`heritage_kit.i18n`)."""
    fr, en = i18n.texts(f"http.{code}" if f"http.{code}" in i18n.CATALOGUE else "http.bad_request")
    body: dict[str, Any] = {"code": code, "fr": fr, "en": f"{en} {detail}".strip() if detail else en}
    if fields:
        body["fields"] = {k: m.to_dict() for k, m in fields.items()}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


class _TooLarge(Exception):
    pass


class _SizeLimit:
    """ASGI middleware: refuse bodies above a limit (by Content-Length, then by counting)."""

    def __init__(self, app, *, big_limit: int, small_limit: int) -> None:
        self.app = app
        self.big = big_limit
        self.small = small_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.big if (scope.get("path") == "/v1/submissions" and scope.get("method") == "POST") else self.small
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    return await _error(413, "too_large", f"(limit {limit} bytes)")(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            msg = await receive()
            if msg.get("type") == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return msg

        started = False

        async def tracking_send(msg):
            nonlocal started
            if msg.get("type") == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await _error(413, "too_large", f"(limit {limit} bytes)")(scope, receive, send)


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    edits: dict[str, Any] | None = Field(default=None, description="Proposal fields the moderator corrects")


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


_SUBMISSION_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["submission"],
                    "properties": {
                        "submission": {"type": "string", "description": "the Submission as JSON"},
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/Submission"}},
        },
    }
}


def _parse_uuid(value: str) -> str:
    try:
        return str(_uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise SubmissionNotFound(f"no submission {value[:60]!r}") from None


def _json_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _loads(raw: bytes | str) -> Any:
    try:
        return json.loads(raw, parse_constant=_json_constant)
    except (ValueError, RecursionError):
        raise StarletteHTTPException(400, "the submission is not valid JSON") from None


def create_app(storage: Storage, pack: Any, settings: InboxSettings | None = None) -> FastAPI:
    """The inbox service for ``pack``'s town, storing into ``storage``."""
    settings = settings or InboxSettings()
    service = InboxService(storage, pack, settings)
    submit_limit = RateLimiter(per_hour=settings.submissions_per_hour, burst=settings.submission_burst)
    read_limit = RateLimiter(per_hour=settings.reads_per_hour, burst=settings.read_burst)
    address_limit = RateLimiter(per_hour=settings.address_submissions_per_hour, burst=settings.address_burst)
    # failed moderator-key attempts: per client address, and all addresses together (a spread-out guess)
    key_failures = RateLimiter(per_hour=settings.key_failures_per_hour, burst=settings.key_failure_burst)
    all_key_failures = RateLimiter(per_hour=settings.key_failures_per_hour * 10, burst=settings.all_key_failure_burst)
    app = FastAPI(
        title="heritage-kit inbox",
        version="1",
        description=f"Residents' contributions for {pack.manifest.town_name} (pack v{pack.manifest.version}).",
    )
    app.state.service = service
    install_limits(app, settings)  # body limits per content type, bodies in flight, quiet client disconnects

    # -- errors ------------------------------------------------------------------
    @app.exception_handler(SubmissionConflict)
    async def _conflict(request, exc):
        return _error(409, "conflict", str(exc))

    @app.exception_handler(SubmissionError)
    async def _invalid(request, exc: SubmissionError):
        fields = exc.messages or {k: Message("invalid", v, v) for k, v in exc.errors.items()}
        return _error(422, "invalid_submission", fields=fields)

    @app.exception_handler(SubmissionNotFound)
    async def _not_found(request, exc):
        return _error(404, "not_found")

    @app.exception_handler(ModerationError)
    async def _moderation(request, exc):
        return _error(409, "moderation", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request, exc: RequestValidationError):
        fields = {}
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()))
            fields[loc] = Message("invalid", message("invalid").fr, str(e.get("msg", "invalid")))
        return _error(422, "bad_request", fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        code = {400: "bad_request", 401: "unauthorised", 404: "not_found", 405: "bad_request",
                413: "too_large", 415: "unsupported_media_type", 429: "rate_limited"}.get(exc.status_code,
                                                                                        "bad_request")
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code in (400, 413, 415) else None
        return _error(exc.status_code, code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(_TooLarge)
    async def _too_large(request, exc):
        return _error(413, "too_large")

    @app.exception_handler(Exception)
    async def _bug(request, exc):  # pragma: no cover - a bug; logged, never a traceback to the client
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "server_error")

    # -- auth ----------------------------------------------------------------------
    bearer = HTTPBearer(auto_error=False, description="The device token (16-256 URL-safe characters)")
    api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="A moderator's API key")

    def device(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
        token = creds.credentials if creds else None
        if not token or not TOKEN_PATTERN.match(token):
            raise StarletteHTTPException(401, headers={"WWW-Authenticate": "Bearer"})
        return token

    def moderator(request: Request, key: Annotated[str | None, Depends(api_key)]) -> str:
        address = request.client.host if request.client else "-"
        wait = max(key_failures.wait(address), all_key_failures.wait("*"))
        if wait > 0:  # too many wrong keys: no key is even compared until the budget refills
            raise StarletteHTTPException(429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
        if key:
            for known, name in settings.moderator_keys.items():
                if hmac.compare_digest(key.encode("utf-8", "surrogateescape"), known.encode("utf-8")):
                    return f"moderator:{name}"
        key_failures.allow(address)  # one failure spent
        all_key_failures.allow("*")
        return _raise_moderator()

    def _raise_moderator() -> str:
        raise _ModeratorRefused()

    class _ModeratorRefused(Exception):
        pass

    @app.exception_handler(_ModeratorRefused)
    async def _mod_refused(request, exc):
        return _error(401, "moderator_key", headers={"WWW-Authenticate": "X-API-Key"})

    def _limit(limiter: RateLimiter, token: str) -> None:
        ok, wait = limiter.allow(token_hash(token))
        if not ok:
            raise StarletteHTTPException(429, headers={"Retry-After": str(max(1, math.ceil(wait)))})

    # -- contributors --------------------------------------------------------------
    @app.post("/v1/submissions", status_code=201, tags=["contributors"], openapi_extra=_SUBMISSION_REQUEST,
              summary="Send a submission (idempotent on its uuid)")
    async def post_submission(request: Request, token: Annotated[str, Depends(device)]):
        _limit(submit_limit, token)
        ok, wait = address_limit.allow(request.client.host if request.client else "-")
        if not ok:
            raise StarletteHTTPException(429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        photos: list[bytes] = []
        if ctype == "multipart/form-data":
            form = await request.form(max_files=settings.max_photos, max_fields=4,
                                      max_part_size=settings.max_json_bytes)
            try:
                raw = form.get("submission")
                if raw is None:
                    m = message("required")
                    raise SubmissionError("submission part missing", {"submission": m.en},
                                          messages={"submission": m})
                if isinstance(raw, UploadFile):
                    raw = await raw.read(settings.max_json_bytes + 1)
                    if len(raw) > settings.max_json_bytes:
                        raise StarletteHTTPException(413, "submission JSON too large")
                doc = _loads(raw)
                for i, part in enumerate(form.getlist("photos")):
                    if not isinstance(part, UploadFile):
                        m = message("photo_format")
                        raise SubmissionError("photo is not a file", {f"photos.{i}": m.en},
                                              messages={f"photos.{i}": m})
                    data = await part.read(settings.max_photo_bytes + 1)
                    if len(data) > settings.max_photo_bytes:
                        m = message("photo_too_large", max_mb=settings.max_photo_bytes // (1024 * 1024))
                        raise SubmissionError("photo too large", {f"photos.{i}": m.en},
                                              messages={f"photos.{i}": m})
                    photos.append(data)
            finally:
                await form.close()
        elif ctype in ("application/json", ""):
            body = await request.body()
            if len(body) > settings.max_json_bytes:
                raise StarletteHTTPException(413, "submission JSON too large")
            doc = _loads(body)
        else:
            raise StarletteHTTPException(415)
        stored, outcome = await run_in_threadpool(service.submit, token, doc, photos)
        body = {"uuid": stored.uuid, "status": stored.status, "outcome": outcome,
                "duplicate_hints": stored.duplicate_hints}
        return JSONResponse(body, status_code=201 if outcome == "created" else 200)

    @app.get("/v1/submissions/{submission_id}", tags=["contributors"], summary="Status of one of my submissions")
    async def get_submission(submission_id: str, token: Annotated[str, Depends(device)]):
        _limit(read_limit, token)
        stored = await run_in_threadpool(service.status, token, _parse_uuid(submission_id))
        return stored.public()

    # -- moderators ---------------------------------------------------------------------
    Mod = Annotated[str, Depends(moderator)]

    @app.get("/v1/moderation/queue", tags=["moderators"], summary="Submissions by status, oldest first")
    async def queue(who: Mod, status: Literal["pending", "approved", "rejected", "changes_requested", "all"] = "pending",
                    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
        wanted = None if status == "all" else status
        items = await run_in_threadpool(service.queue, status=wanted, limit=limit, offset=offset)
        total = await run_in_threadpool(lambda: storage.count(status=wanted))
        return {
            "status": status,
            "total": total,
            "items": [
                {"uuid": s.uuid, "status": s.status, "kind": s.submission.kind, "target": s.submission.target,
                 "name": (s.submission.proposal.name or {}), "contributor": s.submission.contributor,
                 "created": s.created, "photos": s.photo_count, "duplicate_hints": len(s.duplicate_hints)}
                for s in items
            ],
        }

    @app.get("/v1/moderation/submissions/{submission_id}", tags=["moderators"],
             summary="One submission with duplicate hints, target POI, photos and audit log")
    async def detail(submission_id: str, who: Mod):
        return await run_in_threadpool(service.detail, _parse_uuid(submission_id))

    @app.get("/v1/moderation/submissions/{submission_id}/photos/{n}", tags=["moderators"],
             response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
    async def photo(submission_id: str, n: Annotated[int, Path(ge=0, le=100)], who: Mod):
        photos = await run_in_threadpool(storage.photos, _parse_uuid(submission_id))
        for p in photos:
            if p.n == n:
                return Response(p.data, media_type="image/jpeg")
        raise SubmissionNotFound("no such photo")

    @app.post("/v1/moderation/submissions/{submission_id}/approve", tags=["moderators"],
              summary="Approve, optionally correcting proposal fields")
    async def approve(submission_id: str, who: Mod, body: ApproveBody | None = None):
        st = await run_in_threadpool(lambda: service.approve(_parse_uuid(submission_id), actor=who,
                                                             edits=body.edits if body else None))
        return {"uuid": st.uuid, "status": st.status}

    @app.post("/v1/moderation/submissions/{submission_id}/reject", tags=["moderators"],
              summary="Reject with a reason shown to the contributor")
    async def reject(submission_id: str, body: ReasonBody, who: Mod):
        st = await run_in_threadpool(lambda: service.reject(_parse_uuid(submission_id), actor=who,
                                                            reason=body.reason))
        return {"uuid": st.uuid, "status": st.status}

    @app.post("/v1/moderation/submissions/{submission_id}/request-changes", tags=["moderators"],
              summary="Send back to the contributor with what to change")
    async def request_changes(submission_id: str, body: ReasonBody, who: Mod):
        st = await run_in_threadpool(lambda: service.request_changes(_parse_uuid(submission_id), actor=who,
                                                                     reason=body.reason))
        return {"uuid": st.uuid, "status": st.status}

    @app.get("/v1/moderation/audit", tags=["moderators"], summary="The audit log (who, when, what)")
    async def audit(who: Mod, submission_id: str | None = None, limit: Annotated[int, Query(ge=1, le=10_000)] = 1000):
        uuid = _parse_uuid(submission_id) if submission_id else None
        entries = await run_in_threadpool(storage.audit, uuid, limit=limit)
        return {"entries": [{"id": a.id, "uuid": a.uuid, "at": a.at, "actor": a.actor, "action": a.action,
                             "from_status": a.from_status, "to_status": a.to_status, "detail": a.detail}
                            for a in entries]}

    @app.get("/v1/health", tags=["service"], summary="Liveness and the pack served")
    async def health():
        m = pack.manifest
        return {"ok": True, "town_id": m.town_id, "pack_version": m.version, "statuses": list(STATUSES)}

    # The Submission schema for the JSON request body in the OpenAPI document.
    from heritage_kit.submissions.model import Submission

    original_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original_openapi()
        defs = Submission.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        comps.update(defs.pop("$defs", {}))
        comps["Submission"] = defs
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
