"""The merchants' routes (issue 20); the logic is :mod:`heritage_kit.inbox.merchants`.

* ``POST /v1/merchants/claims`` — JSON ``{email, poi_id}`` or ``{email, shop: {name, category, lat, lon}}``
  (``town`` optional on a one-town inbox): 201 with the claim, ``pending``. ``GET /merchants/claim`` is the same
  as a plain web form in French and English (no script; a CSRF field checked against a cookie), posting to
  ``POST /merchants/claim``. Claims are rate-limited per client address.
* The town-centre manager (a desk session of role ``town-centre manager`` or ``admin``, limited to its towns;
  another town's claim is 404): the desk pages ``/desk/merchants`` (the queue) and ``/desk/merchants/{id}`` (a
  claim: verify, or refuse with a reason; every form carries the session's CSRF token), and the JSON API
  ``GET /v1/merchants/claims``, ``POST /v1/merchants/claims/{id}/verify`` (gives the merchant token, once) and
  ``POST /v1/merchants/claims/{id}/refuse`` (``{reason}``) — writes need ``X-CSRF-Token``.
* A verified merchant (``Authorization: Bearer <merchant token>``): ``GET /v1/merchants/me``,
  ``POST /v1/merchants/edits`` — JSON ``{hours | opening_hours, description, website, phone, step_free,
  photo_base64}``; accepted at once (201) with the value written and its plain French/English reading.
* Revoking a verified merchant, re-issuing a token: :mod:`heritage_kit.inbox.http.merchants_admin` (a revoked
  token: 403 ``merchant_revoked``, and a French/English page on ``/merchants/edit``).

Errors are the inbox's JSON ``{"error": {"code", "fr", "en", "fields"}}``: 422 invalid (the field named),
403 not a verified merchant / not a manager, 404 unknown claim.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from heritage_kit import i18n
from heritage_kit.errors import MerchantError, MerchantRefused, MerchantRevoked
from heritage_kit.inbox import accounts
from heritage_kit.inbox.http.deps import Ctx, InboxContext, Principal, address, check_csrf, limit, session_principal
from heritage_kit.i18n import desk_text as text
from heritage_kit.inbox.http.desk import SignInRequired, lang_of, posted, redirect, render, root_of
from heritage_kit.inbox.http.errors import Forbidden
from heritage_kit.inbox.merchants import Merchants, pick_claim_town, reading
from heritage_kit.inbox.merchants_form import edit_fields, field_of, form_values
from heritage_kit.inbox.ratelimit import RateLimiter
from heritage_kit.hours_editor import DAYS

__all__ = ["router", "merchants_of"]

router = APIRouter(tags=["merchants"])
FORM_COOKIE = "hk_merchant_csrf"  # the public forms' CSRF token (claim, merchant sign-in and edit)
MERCHANT_COOKIE = "hk_merchant"  # a verified merchant's token, for the web edit form
MAX_PHOTO_B64 = 12 * 1024 * 1024
STATUSES = ("pending", "verified", "refused", "revoked")
_bearer = HTTPBearer(auto_error=False, description="A verified merchant's token")


def merchants_of(ctx: InboxContext) -> Merchants:
    m = ctx.cache.get("merchants")
    if m is None:
        m = ctx.cache["merchants"] = Merchants(ctx.storage)
        ctx.limiters.setdefault("claim", RateLimiter(per_hour=30, burst=10))
    return m


def _packs(ctx: InboxContext) -> dict[str, Any]:
    return {t: svc.pack for t, svc in ctx.services.items() if svc.pack is not None}


def _country(ctx: InboxContext, town: str) -> str:
    pack = _packs(ctx).get(town)
    return getattr(pack.manifest, "country", None) or "FR" if pack is not None else "FR"


def _claim(ctx: InboxContext, *, email: str, poi_id: str | None, shop: Any, town: str | None):
    packs = _packs(ctx)
    town = pick_claim_town(packs, town=town, poi_id=poi_id, shop=shop, margin_m=ctx.settings.bounds_margin_m)
    return merchants_of(ctx).claim(packs[town], email=email, poi_id=poi_id, shop=shop)


async def _json(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        raise MerchantError("body: not JSON", field="body", fr="body : ce n'est pas du JSON") from None
    if not isinstance(body, dict):
        raise MerchantError("body: a JSON object", field="body", fr="body : un objet JSON")
    return body


def manager(request: Request, ctx: Ctx) -> Principal:
    """The town-centre manager's desk session (403 without one); writes need ``X-CSRF-Token``."""
    who = session_principal(ctx, request, accounts.MANAGER_ROLES)
    if who is None:
        raise MerchantRefused("sign in to the desk as the town-centre manager")
    if request.method not in ("GET", "HEAD"):
        check_csrf(who, request.headers.get("x-csrf-token"))
    return who


Manager = Annotated[Principal, Depends(manager)]


def merchant_token(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str | None:
    return creds.credentials if creds else None


Token = Annotated[str | None, Depends(merchant_token)]


# -- the JSON API ---------------------------------------------------------------------------------------------
@router.post("/v1/merchants/claims", status_code=201, summary="Claim a shop (an existing POI or a new shop)")
async def post_claim(request: Request, ctx: Ctx):
    merchants_of(ctx)
    limit(ctx.limiters["claim"], address(request))
    body = await _json(request)
    claim = await run_in_threadpool(lambda: _claim(ctx, email=str(body.get("email") or ""), poi_id=body.get("poi_id"),
                                                   shop=body.get("shop"), town=body.get("town")))
    return JSONResponse(claim.public(), status_code=201)


@router.get("/v1/merchants/claims", summary="Shop claims of the manager's towns")
async def list_claims(ctx: Ctx, who: Manager, status: Annotated[str, Query(pattern="^(pending|verified|refused|revoked)$")] = "pending"):
    claims = await run_in_threadpool(merchants_of(ctx).claims, who, status)
    return {"items": [{**c.public(), "email": c.email} for c in claims]}


@router.post("/v1/merchants/claims/{claim_id}/verify", summary="Verify a claim: gives the merchant token once")
async def verify(claim_id: str, ctx: Ctx, who: Manager):
    claim, token = await run_in_threadpool(merchants_of(ctx).verify, who, claim_id)
    return {**claim.public(), "merchant_token": token}


@router.post("/v1/merchants/claims/{claim_id}/refuse", summary="Refuse a claim, saying why")
async def refuse(claim_id: str, request: Request, ctx: Ctx, who: Manager):
    body = await _json(request)
    claim = await run_in_threadpool(merchants_of(ctx).refuse, who, claim_id, str(body.get("reason") or ""))
    return claim.public()


@router.get("/v1/merchants/me", summary="The verified merchant's claim")
async def me(ctx: Ctx, token: Token):
    return (await run_in_threadpool(merchants_of(ctx).merchant, token)).public()


def _photo(raw: Any) -> bytes | None:
    if not raw:
        return None
    if not isinstance(raw, str) or len(raw) > MAX_PHOTO_B64:
        raise MerchantError("photo_base64: a base64 JPEG, PNG or WebP (at most 9 MB)", field="photo",
                            fr="photo_base64 : une image JPEG, PNG ou WebP en base64 (9 Mo au plus)")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise MerchantError("photo_base64: not base64", field="photo", fr="photo_base64 : ce n'est pas du base64") from None


async def _upload(part: Any) -> bytes | None:
    """The bytes of an uploaded file part (None when no file was chosen)."""
    return (await part.read()) or None if hasattr(part, "read") else None


def _loads_edit(raw: Any) -> dict:
    import json

    try:
        body = json.loads(raw) if isinstance(raw, str) and raw.strip() else {}
    except ValueError:
        raise MerchantError("edit: not JSON", field="edit", fr="edit : ce n'est pas du JSON") from None
    if not isinstance(body, dict):
        raise MerchantError("edit: a JSON object", field="edit", fr="edit : un objet JSON")
    return body


@router.post("/v1/merchants/edits", status_code=201, summary="A verified merchant's edit of the shop")
async def post_edit(request: Request, ctx: Ctx, token: Token):
    m = merchants_of(ctx)
    claim = await run_in_threadpool(m.merchant, token)  # 403 before reading a large body
    if (request.headers.get("content-type") or "").startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=4) as form:
            body = _loads_edit(form.get("edit"))
            photo = await _upload(form.get("photo"))
    else:
        body = await _json(request)
        photo = _photo(body.pop("photo_base64", None))
    country = _country(ctx, claim.town)
    edit = await run_in_threadpool(lambda: m.submit_edit(token, body, photo, country=country))
    out: dict[str, Any] = {"id": edit.id, "poi_id": edit.poi_id, "edit": edit.edit, "photo": edit.has_photo}
    if "opening_hours" in edit.edit:
        out["reading"] = reading(edit.edit["opening_hours"], country=country)
    return JSONResponse(out, status_code=201)


# -- the public claim form --------------------------------------------------------------------------------------
def _shops(ctx: InboxContext, lang: str) -> list[tuple[str, str]]:
    out = []
    for town, pack in _packs(ctx).items():
        many = len(ctx.services) > 1
        for p in pack.pois:
            if p.kind == "commerce":
                label = p.name.get(lang) + (f" ({pack.manifest.town_name})" if many else "")
                out.append((p.id, label))
    return sorted(out, key=lambda x: x[1].casefold())[:3000]


def _page(request: Request, template: str, *, status: int = 200, **values: Any):
    """A public merchants' page whose forms carry a CSRF field matching a cookie (double submit)."""
    token = request.cookies.get(FORM_COOKIE)
    if not token or len(token) > 64:
        token = secrets.token_urlsafe(24)
    response = render(request, template, status=status, csrf=token, brand_key="merchants.brand",
                      brand_url="/merchants/claim", **values)
    response.set_cookie(FORM_COOKIE, token, path=root_of(request) + "/merchants", httponly=True, samesite="strict", secure=True)
    return response


def _check_form_csrf(request: Request, given: Any) -> None:
    expected = request.cookies.get(FORM_COOKIE)
    if not isinstance(given, str) or not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("csrf")


def _claim_page(request: Request, ctx: InboxContext, *, status: int = 200, errors: dict | None = None,
                form: dict | None = None, sent: Any = None):
    return _page(request, "merchant_claim.html.j2", status=status, shops=_shops(ctx, lang_of(request)),
                 errors=errors or {}, form=form or {}, sent=sent,
                 towns=[(t, p.manifest.town_name) for t, p in _packs(ctx).items()])


@router.get("/merchants/claim", include_in_schema=False)
async def claim_form(request: Request, ctx: Ctx):
    return await run_in_threadpool(_claim_page, request, ctx)


@router.post("/merchants/claim", include_in_schema=False)
async def claim_form_post(request: Request, ctx: Ctx):
    merchants_of(ctx)
    limit(ctx.limiters["claim"], address(request))
    form = await request.form(max_files=0, max_fields=12)
    _check_form_csrf(request, form.get("csrf"))
    values = {k: str(form.get(k) or "").strip()[:300] for k in ("poi_id", "name", "lat", "lon", "email", "town")}
    shop = None if values["poi_id"] else {"name": values["name"], "lat": values["lat"], "lon": values["lon"]}
    lang = lang_of(request)
    try:
        claim = await run_in_threadpool(lambda: _claim(ctx, email=values["email"], poi_id=values["poi_id"] or None,
                                                       shop=shop, town=values["town"] or None))
    except MerchantError as exc:
        errors = {k: (fr if lang == "fr" else en) for k, (fr, en) in exc.fields.items()}
        return await run_in_threadpool(lambda: _claim_page(request, ctx, status=422, errors=errors, form=values))
    return await run_in_threadpool(lambda: _claim_page(request, ctx, status=201, sent=claim))


# -- the desk: the manager's queue and a claim -------------------------------------------------------------------
def _desk_manager(request: Request, ctx: Ctx) -> Principal:
    who = session_principal(ctx, request, accounts.MANAGER_ROLES)
    if who is None:
        raise SignInRequired()
    return who


DeskManager = Annotated[Principal, Depends(_desk_manager)]


@router.get("/desk/merchants", include_in_schema=False)
async def desk_claims(request: Request, ctx: Ctx, who: DeskManager):
    status = request.query_params.get("status")
    status = status if status in STATUSES else "pending"
    m = merchants_of(ctx)

    def run():
        claims = m.claims(who, status)
        held = {}  # a revoked merchant's edits waiting for a decision, per claim
        for c in claims if status == "revoked" else ():
            held[c.id] = sum(e.held(c) for e in m.store.edits(c.town) if e.claim_id == c.id)
        return {s: len(m.claims(who, s)) for s in STATUSES}, claims, held

    counts, claims, held = await run_in_threadpool(run)
    return render(request, "merchants.html.j2", who=who, tab=status, statuses=STATUSES, counts=counts,
                  claims=claims, held=held, shop_name=lambda c: _shop_name(ctx, c, lang_of(request)))


def _shop_name(ctx: InboxContext, claim, lang: str) -> str:
    if claim.poi_id:
        pack = _packs(ctx).get(claim.town)
        poi = next((p for p in pack.pois if p.id == claim.poi_id), None) if pack is not None else None
        return poi.name.get(lang) if poi is not None else claim.poi_id
    return claim.shop.get("name", "?")


def _claim_desk_page(request: Request, ctx: InboxContext, who: Principal, claim_id: str, *, status: int = 200,
                     error: str | None = None, token: str | None = None, notice: str | None = None):
    m = merchants_of(ctx)
    claim = m.visible_claim(who, claim_id)
    edits = m.store.edits(claim.town)
    edits = [e for e in edits if e.claim_id == claim.id]
    return render(request, "merchant.html.j2", status=status, who=who, claim=claim, csrf=who.csrf, error=error,
                  token=token, name=_shop_name(ctx, claim, lang_of(request)), edits=edits, notice=notice,
                  held={e.id for e in edits if e.held(claim)})  # a revoked merchant's edits wait for a decision


@router.get("/desk/merchants/{claim_id}", include_in_schema=False)
async def desk_claim(request: Request, claim_id: str, ctx: Ctx, who: DeskManager):
    return await run_in_threadpool(_claim_desk_page, request, ctx, who, claim_id)


@router.post("/desk/merchants/{claim_id}/verify", include_in_schema=False)
async def desk_verify(request: Request, claim_id: str, ctx: Ctx):
    who, _ = await posted(request, ctx, accounts.MANAGER_ROLES)

    def run():
        _, token = merchants_of(ctx).verify(who, claim_id)
        return _claim_desk_page(request, ctx, who, claim_id, token=token)  # the token is shown this once

    return await run_in_threadpool(run)


@router.post("/desk/merchants/{claim_id}/refuse", include_in_schema=False)
async def desk_refuse(request: Request, claim_id: str, ctx: Ctx):
    who, form = await posted(request, ctx, accounts.MANAGER_ROLES)
    lang = lang_of(request)

    def run():
        try:
            merchants_of(ctx).refuse(who, claim_id, form.get("reason"))
        except MerchantError as exc:
            fr, en = exc.fields.get(exc.field, (str(exc), str(exc)))
            return _claim_desk_page(request, ctx, who, claim_id, status=422, error=fr if lang == "fr" else en)
        return _claim_desk_page(request, ctx, who, claim_id)

    return await run_in_threadpool(run)


# -- the verified merchant's web form -----------------------------------------------------------------------------
def _current_hours(ctx: InboxContext, claim) -> str | None:
    """The shop's hours as the merchant last gave them, else as in the pack."""
    edits = [e for e in merchants_of(ctx).store.edits(claim.town) if e.claim_id == claim.id and "opening_hours" in e.edit]
    if edits:
        return edits[-1].edit["opening_hours"]
    pack = _packs(ctx).get(claim.town)
    poi = next((p for p in pack.pois if p.id == claim.poi_id), None) if pack is not None and claim.poi_id else None
    return poi.opening_hours if poi is not None else None


def _edit_page(request: Request, ctx: InboxContext, claim, *, status: int = 200, errors: dict | None = None,
               form: dict | None = None, saved: Any = None):
    country = _country(ctx, claim.town)
    values, unreadable = form_values(_current_hours(ctx, claim), country=country)
    values.update(form or {})
    return _page(request, "merchant_edit.html.j2", status=status, claim=claim, name=_shop_name(ctx, claim, lang_of(request)),
                 form=values, unreadable=unreadable, errors=errors or {}, saved=saved, days=DAYS,
                 day_names=[i18n.text(f"hours.day.{i}", lang_of(request)).capitalize() for i in range(7)],
                 reading=reading(saved.edit["opening_hours"], country=country) if saved and "opening_hours" in saved.edit else None)


def _web_merchant(request: Request, ctx: InboxContext):
    """The merchant of the cookie's token, or None; a revoked one raises :class:`MerchantRevoked`."""
    token = request.cookies.get(MERCHANT_COOKIE)
    try:
        return merchants_of(ctx).merchant(token) if token else None
    except MerchantRevoked:
        raise
    except MerchantRefused:
        return None


def _revoked_page(request: Request, exc: MerchantRevoked):
    """403: the town took the merchant's right back (said in the page's language, with the date)."""
    message = text("merchants.token_revoked", lang_of(request), at=(exc.revoked or "")[:10])
    return _page(request, "merchant_edit.html.j2", status=403, claim=None, form={}, errors={"token": message})


@router.get("/merchants/edit", include_in_schema=False)
async def edit_form(request: Request, ctx: Ctx):
    try:
        claim = await run_in_threadpool(_web_merchant, request, ctx)
    except MerchantRevoked as exc:
        return _revoked_page(request, exc)
    if claim is None:
        return _page(request, "merchant_edit.html.j2", claim=None, errors={}, form={})
    return await run_in_threadpool(_edit_page, request, ctx, claim)


@router.post("/merchants/sign-in", include_in_schema=False)
async def merchant_sign_in(request: Request, ctx: Ctx):
    merchants_of(ctx)
    limit(ctx.limiters["claim"], address(request))  # a guessed token costs like a claim
    form = await request.form(max_files=0, max_fields=4)
    _check_form_csrf(request, form.get("csrf"))
    token = str(form.get("token") or "").strip()[:200]
    try:
        await run_in_threadpool(merchants_of(ctx).merchant, token)
    except MerchantRevoked as exc:
        return _revoked_page(request, exc)
    except MerchantRefused:
        lang = lang_of(request)
        return _page(request, "merchant_edit.html.j2", status=403, claim=None, form={},
                     errors={"token": text("merchants.token_unknown", lang)})
    response = redirect(request, "/merchants/edit")
    response.set_cookie(MERCHANT_COOKIE, token, path=root_of(request) + "/merchants", httponly=True, samesite="strict", secure=True,
                        max_age=30 * 86400)
    return response


@router.post("/merchants/edit", include_in_schema=False)
async def edit_form_post(request: Request, ctx: Ctx):
    try:
        claim = await run_in_threadpool(_web_merchant, request, ctx)
    except MerchantRevoked as exc:
        return _revoked_page(request, exc)
    if claim is None:
        raise MerchantRefused("not a verified merchant")
    async with request.form(max_files=1, max_fields=60) as form:
        _check_form_csrf(request, form.get("csrf"))
        photo = await _upload(form.get("photo"))
        values = {k: v[:1000] for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    lang = lang_of(request)
    token = request.cookies.get(MERCHANT_COOKIE)
    country = _country(ctx, claim.town)
    current = await run_in_threadpool(_current_hours, ctx, claim)
    try:
        edit = await run_in_threadpool(lambda: merchants_of(ctx).submit_edit(
            token, edit_fields(values), photo or None, country=country, current_hours=current))
    except MerchantRevoked as exc:  # revoked while the form was open
        return _revoked_page(request, exc)
    except MerchantError as exc:
        errors = {field_of(k): (fr if lang == "fr" else en) for k, (fr, en) in exc.fields.items()}
        return await run_in_threadpool(lambda: _edit_page(request, ctx, claim, status=422, errors=errors, form=values))
    return await run_in_threadpool(lambda: _edit_page(request, ctx, claim, status=201, saved=edit))
