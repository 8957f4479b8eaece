"""Contributors' endpoints (``Authorization: Bearer <device token>``).

* ``POST /v1/submissions`` — multipart (``submission`` JSON part + ``photos`` files) or a JSON body; idempotent
  on the submission uuid (201 created, 200 replayed or revised, 409 same uuid with other content or device).
  On an inbox serving several towns the town is ``?town=`` when given, else the pack holding the edit's target
  POI, else the pack whose bounds hold the proposed location (the phone's client needs no change);
* ``GET /v1/submissions/{uuid}`` — status, only for the submitting device.
"""

from __future__ import annotations

import json
import uuid as _uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from heritage_kit.errors import SubmissionError, SubmissionNotFound
from heritage_kit.inbox.http.deps import Ctx, InboxContext, address, device_limited, limit_async
from heritage_kit.inbox.service import InboxService
from heritage_kit.submissions.messages import message

__all__ = ["router", "parse_uuid", "pick_town"]

router = APIRouter(tags=["contributors"])

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


def parse_uuid(value: str) -> str:
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


def pick_town(ctx: InboxContext, doc: Any, town: str | None) -> InboxService:
    """The town a submission goes to (see the module docstring); 422 ``unknown_town`` when none fits."""
    services = ctx.services
    if town is not None:
        if town not in services:
            m = message("invalid")
            raise SubmissionError(f"town {town[:60]!r} is not served here", {"town": m.en}, messages={"town": m})
        return services[town]
    if len(services) == 1:
        return next(iter(services.values()))
    if isinstance(doc, Mapping):
        target = doc.get("target")
        if isinstance(target, str):
            for svc in services.values():
                try:
                    svc.pack.poi(target)
                    return svc
                except LookupError:
                    continue
        proposal = doc.get("proposal")
        loc = proposal.get("location") if isinstance(proposal, Mapping) else None
        if isinstance(loc, Mapping) and all(isinstance(loc.get(k), (int, float)) for k in ("lat", "lon")):
            for svc in services.values():
                bbox = svc.pack.manifest.bbox
                if bbox is not None and bbox.contains(loc["lat"], loc["lon"], margin_m=ctx.settings.bounds_margin_m):
                    return svc
    m = message("invalid")
    raise SubmissionError("no town of this inbox holds the submission's target or location (give ?town=)",
                          {"town": m.en}, messages={"town": m})


async def _read_submission(request: Request, ctx: InboxContext) -> tuple[Any, list[bytes]]:
    settings = ctx.settings
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    photos: list[bytes] = []
    if ctype == "multipart/form-data":
        form = await request.form(max_files=settings.max_photos, max_fields=4, max_part_size=settings.max_json_bytes)
        try:
            raw = form.get("submission")
            if raw is None:
                m = message("required")
                raise SubmissionError("submission part missing", {"submission": m.en}, messages={"submission": m})
            if isinstance(raw, UploadFile):
                raw = await raw.read(settings.max_json_bytes + 1)
                if len(raw) > settings.max_json_bytes:
                    raise StarletteHTTPException(413, "submission JSON too large")
            doc = _loads(raw)
            for i, part in enumerate(form.getlist("photos")):
                if not isinstance(part, UploadFile):
                    m = message("photo_format")
                    raise SubmissionError("photo is not a file", {f"photos.{i}": m.en}, messages={f"photos.{i}": m})
                data = await part.read(settings.max_photo_bytes + 1)
                if len(data) > settings.max_photo_bytes:
                    m = message("photo_too_large", max_mb=settings.max_photo_bytes // (1024 * 1024))
                    raise SubmissionError("photo too large", {f"photos.{i}": m.en}, messages={f"photos.{i}": m})
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
    return doc, photos


@router.post("/v1/submissions", status_code=201, openapi_extra=_SUBMISSION_REQUEST,
             summary="Send a submission (idempotent on its uuid)")
async def post_submission(request: Request, ctx: Ctx, token: Annotated[str, Depends(device_limited("submit"))],
                          town: Annotated[str | None, Query(max_length=100)] = None):
    await limit_async(ctx.limiters["address"], address(request))
    doc, photos = await _read_submission(request, ctx)
    service = pick_town(ctx, doc, town)
    stored, outcome = await run_in_threadpool(service.submit, token, doc, photos)
    body = {"uuid": stored.uuid, "status": stored.status, "outcome": outcome,
            "duplicate_hints": stored.duplicate_hints}
    return JSONResponse(body, status_code=201 if outcome == "created" else 200)


@router.get("/v1/submissions/{submission_id}", summary="Status of one of my submissions")
async def get_submission(submission_id: str, ctx: Ctx, token: Annotated[str, Depends(device_limited("read"))]):
    service = next(iter(ctx.services.values()))  # one storage for every town: any service answers
    stored = await run_in_threadpool(service.status, token, parse_uuid(submission_id))
    return stored.public()

