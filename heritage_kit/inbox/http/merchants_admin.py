"""Revoking a verified merchant and re-issuing a token (issue 20); the logic is
:mod:`heritage_kit.inbox.merchants_admin`.

The town-centre manager (or an admin) of the claim's town — another town's claim or edit is 404:

* JSON API (a desk session, writes need ``X-CSRF-Token``, as the claims' routes):
  ``POST /v1/merchants/claims/{id}/revoke`` (``{reason}``, required), ``POST /v1/merchants/claims/{id}/reissue``
  (the new ``merchant_token``, once), ``POST /v1/merchants/edits/{id}/review`` (``{decision: publish | set_aside}``,
  a revoked merchant's unpublished edit); ``GET /v1/merchants/claims?status=revoked`` lists the revoked ones.
* Desk forms on the claim page ``/desk/merchants/{id}`` (each carries the session's CSRF field):
  ``POST /desk/merchants/{id}/revoke``, ``POST /desk/merchants/{id}/reissue`` (the new token shown once) and
  ``POST /desk/merchants/edits/{id}/review``.

A revoked token is refused on every merchant route (403 ``merchant_revoked``; the web pages say it in French or
English): :class:`heritage_kit.errors.MerchantRevoked`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from heritage_kit.errors import MerchantError
from heritage_kit.inbox import accounts
from heritage_kit.i18n import desk_text as text
from heritage_kit.inbox.http.deps import Ctx, InboxContext
from heritage_kit.inbox.http.desk import lang_of, posted
from heritage_kit.inbox.http.merchants import Manager, _claim_desk_page, _json, merchants_of
from heritage_kit.inbox.merchants_admin import MerchantAdmin

__all__ = ["router", "admin_of"]

router = APIRouter(tags=["merchants"])


def admin_of(ctx: InboxContext) -> MerchantAdmin:
    a = ctx.cache.get("merchant_admin")
    if a is None:
        a = ctx.cache["merchant_admin"] = MerchantAdmin(merchants_of(ctx))
    return a


# -- the JSON API ---------------------------------------------------------------------------------------------
@router.post("/v1/merchants/claims/{claim_id}/revoke", summary="Revoke a verified merchant's right, saying why")
async def revoke(claim_id: str, request: Request, ctx: Ctx, who: Manager):
    body = await _json(request)
    claim = await run_in_threadpool(admin_of(ctx).revoke, who, claim_id, body.get("reason"))
    return claim.public()


@router.post("/v1/merchants/claims/{claim_id}/reissue", summary="A new merchant token (once); the old one stops")
async def reissue(claim_id: str, ctx: Ctx, who: Manager):
    claim, token = await run_in_threadpool(admin_of(ctx).reissue, who, claim_id)
    return {**claim.public(), "merchant_token": token}


@router.post("/v1/merchants/edits/{edit_id}/review", summary="Publish anyway or set aside a revoked merchant's edit")
async def review(edit_id: str, request: Request, ctx: Ctx, who: Manager):
    body = await _json(request)
    edit = await run_in_threadpool(admin_of(ctx).review, who, edit_id, str(body.get("decision") or ""))
    return {"id": edit.id, "claim_id": edit.claim_id, "poi_id": edit.poi_id, "review": edit.review,
            "reviewed": edit.reviewed}


# -- the desk's forms -----------------------------------------------------------------------------------------
async def _desk_action(request: Request, ctx: Ctx, claim_of: Callable[[Any], str],
                       act: Callable[[Any, dict], dict]):
    """Run ``act(who, form)`` (which returns the claim page's extra values); a refusal as given is the claim page
    again with the error (422), in the page's language."""
    who, form = await posted(request, ctx, accounts.MANAGER_ROLES)
    lang = lang_of(request)

    def run():
        claim_id = claim_of(who)
        try:
            values = act(who, form)
        except MerchantError as exc:
            fr, en = exc.fields.get(exc.field, (str(exc), str(exc)))
            return _claim_desk_page(request, ctx, who, claim_id, status=422, error=fr if lang == "fr" else en)
        return _claim_desk_page(request, ctx, who, claim_id, **values)

    return await run_in_threadpool(run)


@router.post("/desk/merchants/{claim_id}/revoke", include_in_schema=False)
async def desk_revoke(request: Request, claim_id: str, ctx: Ctx):
    def act(who, form):
        admin_of(ctx).revoke(who, claim_id, form.get("reason"))
        return {}

    return await _desk_action(request, ctx, lambda who: claim_id, act)


@router.post("/desk/merchants/{claim_id}/reissue", include_in_schema=False)
async def desk_reissue(request: Request, claim_id: str, ctx: Ctx):
    def act(who, form):
        _, token = admin_of(ctx).reissue(who, claim_id)
        return {"token": token, "notice": text("claim.reissued", lang_of(request))}  # the token is shown this once

    return await _desk_action(request, ctx, lambda who: claim_id, act)


@router.post("/desk/merchants/edits/{edit_id}/review", include_in_schema=False)
async def desk_review(request: Request, edit_id: str, ctx: Ctx):
    a = admin_of(ctx)

    def claim_of(who):  # another town's edit: 404 before anything
        return a.merchants.visible_claim(who, a.store.edit(edit_id[:100]).claim_id).id

    def act(who, form):
        a.review(who, edit_id, form.get("decision") or "")
        return {}

    return await _desk_action(request, ctx, claim_of, act)
