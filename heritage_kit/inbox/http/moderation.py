"""The moderation JSON API (a machine key ``X-API-Key`` or a desk session cookie + ``X-CSRF-Token``).

``GET /v1/moderation/queue`` (filters: status, town, kind, since, until, has_photo, has_hints),
``GET /v1/moderation/submissions/{uuid}`` (with duplicate hints and audit), ``GET …/photos/{n}``,
``POST …/approve`` (optional edits), ``POST …/reject``, ``POST …/request-changes`` (reason required),
``GET /v1/moderation/audit``; ``GET /v1/health``. Every answer is limited to the principal's towns: another
town's submission is 404, asking for another town by name is 403.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from heritage_kit.errors import SubmissionNotFound
from heritage_kit.inbox.http.deps import Ctx, InboxContext, Mod, Principal, visible_submission
from heritage_kit.inbox.http.devices import parse_uuid
from heritage_kit.inbox.moderation import MAX_REASON, STATUSES
from heritage_kit.inbox.storage import AuditEntry, StoredSubmission

__all__ = ["router", "ApproveBody", "ReasonBody", "visible_audit", "decide"]

router = APIRouter()

StatusFilter = Literal["pending", "approved", "rejected", "changes_requested", "all"]


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    edits: dict[str, Any] | None = Field(default=None, description="Proposal fields the moderator corrects")


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


def queue_item(s: StoredSubmission) -> dict[str, Any]:
    return {"uuid": s.uuid, "status": s.status, "town": s.town, "kind": s.submission.kind,
            "target": s.submission.target, "name": (s.submission.proposal.name or {}),
            "contributor": s.submission.contributor, "created": s.created, "photos": s.photo_count,
            "duplicate_hints": len(s.duplicate_hints)}


def audit_dict(a: AuditEntry) -> dict[str, Any]:
    return {"id": a.id, "uuid": a.uuid, "at": a.at, "actor": a.actor, "action": a.action,
            "from_status": a.from_status, "to_status": a.to_status, "detail": a.detail}


def visible_audit(ctx: InboxContext, principal: Principal, entries: list[AuditEntry]) -> list[AuditEntry]:
    """The entries about the principal's towns (and its own account events); every entry for '*'."""
    if principal.towns_filter() is None:
        return entries
    towns: dict[str, str | None] = {}
    out = []
    for a in entries:
        if a.uuid is None:
            mine = principal.account is not None and principal.account in (a.actor, f"desk:{a.actor}",
                                                                            a.detail.get("account"))
            if mine or a.actor == principal.actor:
                out.append(a)
            continue
        if a.uuid not in towns:
            st = ctx.storage.get(a.uuid)
            towns[a.uuid] = st.town if st else None
        if towns[a.uuid] is not None and principal.can_see(towns[a.uuid]):
            out.append(a)
    return out


def decide(ctx: InboxContext, principal: Principal, uuid: str, action: str, *, reason: str | None = None,
           edits: dict | None = None) -> StoredSubmission:
    """Approve / reject / request changes on a submission of one of the principal's towns (404 otherwise)."""
    stored = visible_submission(ctx, principal, uuid)
    service = ctx.service(stored.town)
    if action == "approve":
        return service.approve(stored.uuid, actor=principal.actor, edits=edits)
    if action == "reject":
        return service.reject(stored.uuid, actor=principal.actor, reason=reason or "")
    return service.request_changes(stored.uuid, actor=principal.actor, reason=reason or "")


@router.get("/v1/moderation/queue", tags=["moderators"], summary="Submissions by status, oldest first")
async def queue(who: Mod, ctx: Ctx, status: StatusFilter = "pending",
                limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
                town: Annotated[str | None, Query(max_length=100)] = None,
                kind: Literal["new_poi", "edit", "photo"] | None = None,
                since: Annotated[str | None, Query(max_length=40)] = None,
                until: Annotated[str | None, Query(max_length=40)] = None,
                has_photo: bool | None = None, has_hints: bool | None = None):
    filters = dict(status=None if status == "all" else status, towns=who.scope(ctx, town), kind=kind,
                   since=since, until=until, has_photo=has_photo, has_hints=has_hints)
    try:
        items = await run_in_threadpool(lambda: ctx.storage.list(**filters, limit=limit, offset=offset))
        total = await run_in_threadpool(lambda: ctx.storage.count(**filters))
    except ValueError as exc:  # a since/until that is not a date
        from starlette.exceptions import HTTPException

        raise HTTPException(400, str(exc)) from None
    return {"status": status, "total": total, "items": [queue_item(s) for s in items]}


@router.get("/v1/moderation/submissions/{submission_id}", tags=["moderators"],
            summary="One submission with duplicate hints, target POI, photos and audit log")
async def detail(submission_id: str, who: Mod, ctx: Ctx):
    def run():
        stored = visible_submission(ctx, who, parse_uuid(submission_id))
        return {**ctx.service(stored.town).detail(stored.uuid), "town": stored.town}

    return await run_in_threadpool(run)


@router.get("/v1/moderation/submissions/{submission_id}/photos/{n}", tags=["moderators"],
            response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
async def photo(submission_id: str, n: Annotated[int, Path(ge=0, le=100)], who: Mod, ctx: Ctx):
    def run():
        stored = visible_submission(ctx, who, parse_uuid(submission_id))
        return ctx.storage.photos(stored.uuid)

    for p in await run_in_threadpool(run):
        if p.n == n:
            return Response(p.data, media_type="image/jpeg")
    raise SubmissionNotFound("no such photo")


@router.post("/v1/moderation/submissions/{submission_id}/approve", tags=["moderators"],
             summary="Approve, optionally correcting proposal fields")
async def approve(submission_id: str, who: Mod, ctx: Ctx, body: ApproveBody | None = None):
    st = await run_in_threadpool(lambda: decide(ctx, who, parse_uuid(submission_id), "approve",
                                                edits=body.edits if body else None))
    return {"uuid": st.uuid, "status": st.status}


@router.post("/v1/moderation/submissions/{submission_id}/reject", tags=["moderators"],
             summary="Reject with a reason shown to the contributor")
async def reject(submission_id: str, body: ReasonBody, who: Mod, ctx: Ctx):
    st = await run_in_threadpool(lambda: decide(ctx, who, parse_uuid(submission_id), "reject", reason=body.reason))
    return {"uuid": st.uuid, "status": st.status}


@router.post("/v1/moderation/submissions/{submission_id}/request-changes", tags=["moderators"],
             summary="Send back to the contributor with what to change")
async def request_changes(submission_id: str, body: ReasonBody, who: Mod, ctx: Ctx):
    st = await run_in_threadpool(lambda: decide(ctx, who, parse_uuid(submission_id), "request_changes",
                                                reason=body.reason))
    return {"uuid": st.uuid, "status": st.status}


@router.get("/v1/moderation/audit", tags=["moderators"], summary="The audit log (who, when, what)")
async def audit(who: Mod, ctx: Ctx, submission_id: str | None = None,
                limit: Annotated[int, Query(ge=1, le=10_000)] = 1000):
    def run():
        uuid = parse_uuid(submission_id) if submission_id else None
        if uuid:
            visible_submission(ctx, who, uuid)
        return visible_audit(ctx, who, ctx.storage.audit(uuid, limit=limit))

    return {"entries": [audit_dict(a) for a in await run_in_threadpool(run)]}


@router.get("/v1/health", tags=["service"], summary="Liveness and the packs served")
async def health(ctx: Ctx):
    packs = [svc.pack.manifest for svc in ctx.services.values()]
    m = packs[0]
    return {"ok": True, "town_id": m.town_id, "pack_version": m.version, "statuses": list(STATUSES),
            "towns": [{"town_id": p.town_id, "pack_version": p.version} for p in packs]}
