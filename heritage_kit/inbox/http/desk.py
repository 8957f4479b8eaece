"""The moderation desk under ``/desk/``: server-rendered pages (Jinja2), plain forms, no JavaScript.

Sign-in (username, password, a CSRF hidden field checked against a pre-session cookie), sign-out, the queue
(status tabs with counts, filters town / kind / dates / photo / duplicate hint, paging), a submission (text,
photos, the location on an SVG map of the town's streets, duplicate hints with links, the side-by-side diff of
an edit, accept / edit-then-accept / reject or ask for changes with a reason), the audit log and "Publish".
Every page is limited to the account's towns (another town's submission is a 404 page); every form carries
the session's CSRF token (missing or wrong: 403). Session cookies are HttpOnly, Secure, SameSite=Strict.
Texts: :func:`heritage_kit.i18n.desk_text` (``desk.*`` keys); what pages compute:
:mod:`heritage_kit.inbox.desk_view`.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from starlette.routing import Match

from heritage_kit.errors import PackError, PublishLocked, SubmissionError, SubmissionNotFound
from heritage_kit.i18n import LANGS, REASONS, pick_lang, reason_text
from heritage_kit.i18n import desk_text as text
from heritage_kit.inbox import accounts, publish_lock
from heritage_kit.inbox.desk_view import (
    PAGE_SIZE, STATUS_TABS, diff_rows, edits_from_form, location_map, publish_summary, queue_filters, title_of,
)
from heritage_kit.inbox.http.deps import (
    SESSION_COOKIE, Ctx, InboxContext, Principal, SignInRequired, address, check_csrf, session_principal,
    visible_submission,
)
from heritage_kit.inbox.http.devices import parse_uuid
from heritage_kit.inbox.http.errors import Forbidden
from heritage_kit.inbox.packwatch import PUBLISHED as _PUBLISHED, adopt_newest
from heritage_kit.inbox.http.moderation import decide, visible_audit

__all__ = ["router", "install", "TEMPLATES"]

router = APIRouter(prefix="/desk", include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "desk"
PRE_COOKIE = "hk_desk_pre"  # the sign-in form's CSRF token before there is a session
LANG_COOKIE = "hk_lang"
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True)
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# -- rendering -----------------------------------------------------------------------------------
def lang_of(request: Request) -> str:
    return pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                     request.headers.get("accept-language"))


def _cookie(response: Response, name: str, value: str, *, path: str = "/", max_age: int | None = None) -> None:
    response.set_cookie(name, value, path=path, max_age=max_age, httponly=True, samesite="strict", secure=True)


def render(request: Request, template: str, *, status: int = 200, who: Principal | None = None,
           **values: Any) -> HTMLResponse:
    lang = lang_of(request)
    ctx: InboxContext = request.app.state.inbox
    other_lang = next(x for x in LANGS if x != lang)
    if request.method in ("GET", "HEAD"):
        other = request.url.include_query_params(lang=other_lang)
        lang_url = f"{other.path}?{other.query}"
    else:  # a page answering a form: the link must not GET the form's action (405)
        lang_url = f"{_page_of(request)}?lang={other_lang}"
    page = _env.get_template(template).render(
        lang=lang, t=lambda key, **kw: text(key, lang, **kw), who=who, path=request.url.path, root=root_of(request),
        lang_url=lang_url,
        town_name=lambda t: ctx.services[t].pack.manifest.town_name if t in ctx.services else t,
        who_towns=(text("all_towns", lang) if who and "*" in who.towns else ", ".join(who.towns) if who else ""),
        **values)
    response = HTMLResponse(page, status_code=status, headers=HEADERS)
    if request.query_params.get("lang") in LANGS:
        _cookie(response, LANG_COOKIE, lang, max_age=365 * 86400)
    return response


def _page_of(request: Request) -> str:
    """The page a form's answer stands for: its action's path if that is also a page (``/desk/publish``), else the
    nearest parent that is (``…/submissions/ID/accept`` → ``…/submissions/ID``); the desk's home at worst."""
    root = root_of(request)
    path = request.url.path
    rel = path[len(root):] if root and path.startswith(root) else path
    while rel and rel != "/":
        scope = {"type": "http", "path": rel, "method": "GET", "root_path": ""}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            return root + rel
        rel = rel.rsplit("/", 1)[0]
    return root + "/desk/"


def root_of(request: Request) -> str:
    """The path prefix a reverse proxy serves the inbox under (``inbox serve --root-path``; "" without)."""
    return str(request.scope.get("root_path") or "").rstrip("/")


def redirect(request: Request, url: str) -> RedirectResponse:
    """303 to the desk path ``url`` (``/desk/…``), under the root path."""
    return RedirectResponse(root_of(request) + url, status_code=303, headers={"Cache-Control": "no-store"})


def html_error(request: Request, status: int, code: str, headers: dict | None = None) -> Response:
    if status == 401:
        return redirect(request, "/desk/sign-in")
    response = render(request, "error.html.j2", status=status, code=code, status_code=status)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def install(app: FastAPI) -> None:
    """The desk's HTML error pages and its sign-in redirect."""
    app.state.html_error = html_error

    @app.exception_handler(SignInRequired)
    async def _sign_in(request, exc):
        return redirect(request, "/desk/sign-in")


# -- who is asking ---------------------------------------------------------------------------------
def desk_user(request: Request, ctx: Ctx) -> Principal:
    principal = session_principal(ctx, request)
    if principal is None:
        raise SignInRequired()
    return principal


Desk = Annotated[Principal, Depends(desk_user)]


async def posted(request: Request, ctx: InboxContext,
                 roles: tuple[str, ...] = accounts.MODERATING_ROLES) -> tuple[Principal, dict[str, str]]:
    """The signed-in principal of a form post, and its fields, once the CSRF field matches the session's."""
    principal = await run_in_threadpool(session_principal, ctx, request, roles)
    if principal is None:
        raise SignInRequired()
    form = await request.form(max_files=0, max_fields=40)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(principal, fields.get("csrf"))
    return principal, fields


# -- sign-in ---------------------------------------------------------------------------------------
@router.get("")
async def desk_root_bare(request: Request):
    return redirect(request, "/desk/")


@router.get("/")
async def desk_root(request: Request, ctx: Ctx):
    signed_in = await run_in_threadpool(session_principal, ctx, request, accounts.ROLES)
    return redirect(request, home_of(signed_in.role) if signed_in else "/desk/sign-in")


def home_of(role: str) -> str:
    """Where an account lands: the queue, or the shop claims for a town-centre manager (issue 20)."""
    return "/desk/queue" if role in accounts.MODERATING_ROLES else "/desk/merchants"


def _sign_in_page(request: Request, *, status: int = 200, error: str | None = None, name: str = "") -> HTMLResponse:
    token = request.cookies.get(PRE_COOKIE)
    if not token or len(token) > 64:
        token = secrets.token_urlsafe(24)
    response = render(request, "sign_in.html.j2", status=status, csrf=token, error=error, name=name,
                      signed_out=request.query_params.get("out") == "1")
    _cookie(response, PRE_COOKIE, token, path=root_of(request) + "/desk")
    return response


@router.get("/sign-in")
async def sign_in_form(request: Request):
    return _sign_in_page(request)


@router.post("/sign-in")
async def sign_in(request: Request, ctx: Ctx):
    form = await request.form(max_files=0, max_fields=10)
    given, expected = form.get("csrf"), request.cookies.get(PRE_COOKIE)
    if not isinstance(given, str) or not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("csrf")
    name = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:1024]
    lang = lang_of(request)
    outcome = await run_in_threadpool(accounts.sign_in, ctx.storage, ctx.throttle, name, password, address(request))
    if isinstance(outcome, float):
        return _sign_in_page(request, status=429, name=name,
                             error=text("sign_in.throttled", lang, min=max(1, math.ceil(outcome / 60))))
    if outcome is None:
        return _sign_in_page(request, status=401, name=name, error=text("sign_in.wrong", lang))
    account = await run_in_threadpool(ctx.storage.get_account, outcome.session.account)
    response = redirect(request, home_of(account.role if account else ""))
    _cookie(response, SESSION_COOKIE, outcome.token, max_age=int(accounts.SESSION_HOURS * 3600))
    response.delete_cookie(PRE_COOKIE, path=root_of(request) + "/desk")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, ctx: Ctx):
    principal, _ = await posted(request, ctx, accounts.ROLES)

    def run():
        ctx.storage.delete_session(principal.session_hash)
        ctx.storage.record_audit(principal.account, "sign_out", detail={"address": address(request)})

    await run_in_threadpool(run)
    response = redirect(request, "/desk/sign-in?out=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- the queue ---------------------------------------------------------------------------------------
def _visible_towns(ctx: InboxContext, who: Principal) -> list[str]:
    return [t for t in ctx.towns if who.can_see(t)]


@router.get("/queue")
async def queue(request: Request, ctx: Ctx, who: Desk):
    filters, form, bad = queue_filters(request.query_params)
    towns = who.scope(ctx, form["town"] or None)
    page = form["page"]

    def run():
        common = {k: v for k, v in filters.items() if k != "status"}
        counts = {s: ctx.storage.count(status=None if s == "all" else s, towns=towns, **common) for s in STATUS_TABS}
        total = counts[form["status"]]
        items = ctx.storage.list(**filters, towns=towns, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return counts, total, items

    counts, total, items = await run_in_threadpool(run)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    query = {k: v for k, v in form.items() if v and k != "page"}
    return render(request, "queue.html.j2", who=who, form=form, counts=counts, total=total, items=items,
                  page=page, pages=pages, query=query, bad_dates=bad, tabs=STATUS_TABS,
                  towns=_visible_towns(ctx, who), title_of=title_of)


# -- a submission ---------------------------------------------------------------------------------------
def _map_layers(ctx: InboxContext, town: str):
    key = f"layers:{town}"
    if key not in ctx.cache:
        from heritage_kit.export.mapdata import basemap_areas, street_lines

        pack = ctx.services[town].pack if town in ctx.services else None
        ctx.cache[key] = (street_lines(pack), basemap_areas(pack)) if pack is not None else (None, None)
    return ctx.cache[key]


def _submission_page(request: Request, ctx: InboxContext, who: Principal, uuid: str, *, status: int = 200,
                     errors: list[str] | None = None, values: dict[str, str] | None = None) -> HTMLResponse:
    lang = lang_of(request)
    stored = visible_submission(ctx, who, uuid)
    detail = ctx.service(stored.town).detail(stored.uuid)
    sub = detail["submission"]
    proposal = sub.get("proposal") or {}
    target = detail["target_poi"]
    name = title_of(proposal.get("name"), lang) or title_of((target or {}).get("name"), lang) or text("untitled", lang)
    loc = proposal.get("location") or (target or {}).get("location")
    current = (target or {}).get("location")
    svg = None
    if loc:
        streets, areas = _map_layers(ctx, stored.town)
        cur = (current["lat"], current["lon"]) if current and proposal.get("location") else None
        svg = Markup(location_map(streets, areas, proposed=(loc["lat"], loc["lon"]), current=cur,
                                  title=text("map_title", lang, name=name), desc=text("map_desc", lang)))
    form = {f"{k}_{lg}": str((proposal.get(k) or {}).get(lg, "")) for k in ("name", "description") for lg in LANGS}
    form.update(lat=str(loc["lat"]) if proposal.get("location") else "",
                lon=str(loc["lon"]) if proposal.get("location") else "", reason_text="", reason_choice="")
    form.update(values or {})
    return render(request, "submission.html.j2", status=status, who=who, stored=stored, detail=detail, sub=sub,
                  proposal=proposal, target=target, name=name, svg=svg, form=form, errors=errors or [],
                  diff=diff_rows(proposal, target) if sub["kind"] != "new_poi" else [],
                  done=request.query_params.get("done"), reasons=REASONS, csrf=who.csrf, title_of=title_of)


@router.get("/submissions/{submission_id}")
async def submission(request: Request, submission_id: str, ctx: Ctx, who: Desk):
    return await run_in_threadpool(_submission_page, request, ctx, who, parse_uuid(submission_id))


@router.get("/submissions/{submission_id}/photos/{n}")
async def submission_photo(submission_id: str, n: int, ctx: Ctx, who: Desk):
    def run():
        stored = visible_submission(ctx, who, parse_uuid(submission_id))
        return ctx.storage.photos(stored.uuid)

    for p in await run_in_threadpool(run):
        if p.n == n:
            return Response(p.data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600",
                                                                       "X-Content-Type-Options": "nosniff"})
    raise SubmissionNotFound("no such photo")


def _messages(exc: SubmissionError, lang: str) -> list[str]:
    if exc.messages:
        return [f"{k}: {m.fr if lang == 'fr' else m.en}" for k, m in exc.messages.items()]
    return [f"{k}: {v}" for k, v in exc.errors.items()]


@router.post("/submissions/{submission_id}/accept")
async def accept(request: Request, submission_id: str, ctx: Ctx):
    who, form = await posted(request, ctx)
    uuid = parse_uuid(submission_id)

    def run():
        stored = visible_submission(ctx, who, uuid)
        try:
            edits = edits_from_form(stored.submission.proposal.model_dump(mode="json", exclude_none=True), form)
            decide(ctx, who, uuid, "approve", edits=edits or None)
        except SubmissionError as exc:
            return _submission_page(request, ctx, who, uuid, status=422, errors=_messages(exc, lang_of(request)),
                                    values=form)
        return redirect(request, f"/desk/submissions/{uuid}?done=approved")

    return await run_in_threadpool(run)


@router.post("/submissions/{submission_id}/reject")
async def reject(request: Request, submission_id: str, ctx: Ctx):
    who, form = await posted(request, ctx)
    uuid = parse_uuid(submission_id)
    action = "request_changes" if form.get("action") == "request_changes" else "reject"

    def run():
        reason = reason_text(form.get("reason_choice"), form.get("reason_text"))
        visible_submission(ctx, who, uuid)
        if reason is None:
            return _submission_page(request, ctx, who, uuid, status=422,
                                    errors=[text("reason.missing", lang_of(request))], values=form)
        try:
            st = decide(ctx, who, uuid, action, reason=reason)
        except SubmissionError as exc:
            return _submission_page(request, ctx, who, uuid, status=422, errors=_messages(exc, lang_of(request)),
                                    values=form)
        return redirect(request, f"/desk/submissions/{uuid}?done={st.status}")

    return await run_in_threadpool(run)


@router.get("/towns/{town}/pois/{poi_id:path}")
async def poi_page(request: Request, town: str, poi_id: str, ctx: Ctx, who: Desk):
    lang = lang_of(request)
    if not who.can_see(town) or town not in ctx.services:
        raise SubmissionNotFound(town)
    try:
        poi = ctx.services[town].pack.poi(poi_id)
    except LookupError:
        raise SubmissionNotFound(poi_id) from None
    streets, areas = await run_in_threadpool(_map_layers, ctx, town)
    name = poi.name.get(lang)
    svg = Markup(location_map(streets, areas, proposed=(poi.location.lat, poi.location.lon), current=None,
                              title=text("map_title", lang, name=name), desc=text("map_desc", lang)))
    return render(request, "poi.html.j2", who=who, poi=poi, name=name, town=town, svg=svg,
                  description=poi.description.get(lang) if poi.description else "")


# -- audit and publish --------------------------------------------------------------------------------------
@router.get("/audit")
async def audit(request: Request, ctx: Ctx, who: Desk):
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    entries = await run_in_threadpool(lambda: visible_audit(ctx, who, ctx.storage.audit(limit=100_000))[::-1])
    pages = max(1, math.ceil(len(entries) / 50))
    return render(request, "audit.html.j2", who=who, entries=entries[(page - 1) * 50:page * 50], page=page,
                  pages=pages)


def _published(ctx: InboxContext, town: str) -> list[str]:
    if not ctx.publish_dir or not os.path.isdir(ctx.publish_dir):
        return []
    found = [(int(m.group(2)), n) for n in os.listdir(ctx.publish_dir)
             if (m := _PUBLISHED.match(n)) and m.group(1) == town]
    return [n for _, n in sorted(found, reverse=True)]


def _publish_page(request: Request, ctx: InboxContext, who: Principal, town: str, *, done: Any = None,
                  status: int = 200, locked: PublishLocked | None = None) -> HTMLResponse:
    from heritage_kit.inbox.publish import build_next_pack

    lang = lang_of(request)
    svc = ctx.services[town]
    approved = ctx.storage.approved(towns=[town])
    plan = build_next_pack(svc.pack, approved, lambda u: [p.data for p in ctx.storage.photos(u)])
    from heritage_kit.inbox.merchants import publish_merchant_edits

    publish_merchant_edits(ctx.storage, plan)  # the preview shows the verified merchants' edits too (issue 20)
    return render(request, "publish.html.j2", status=status, who=who, town=town, towns=_visible_towns(ctx, who),
                  summary=done[1] if done else publish_summary(svc.pack, plan, approved, lang), done=done,
                  version=plan.pack.manifest.version, can_publish=who.role in accounts.PUBLISHING_ROLES,
                  publish_dir=ctx.publish_dir, published=_published(ctx, town), csrf=who.csrf, locked=locked,
                  locked_at=publish_lock.shown_time(locked.started) if locked else "")


def _publish_town(ctx: InboxContext, who: Principal, town: str | None) -> str:
    towns = _visible_towns(ctx, who)
    town = town or (towns[0] if towns else None)
    if town is None or town not in ctx.services or not who.can_see(town):
        raise SubmissionNotFound(f"town {town!r}")
    return town


@router.get("/publish")
async def publish_form(request: Request, ctx: Ctx, who: Desk):
    town = _publish_town(ctx, who, request.query_params.get("town"))
    return await run_in_threadpool(_publish_page, request, ctx, who, town)


@router.post("/publish")
async def publish(request: Request, ctx: Ctx):
    from heritage_kit.inbox.publish import publish as publish_pack

    who, form = await posted(request, ctx)
    town = _publish_town(ctx, who, form.get("town"))
    if who.role not in accounts.PUBLISHING_ROLES or not ctx.publish_dir:
        raise Forbidden("forbidden")

    def run():
        svc = ctx.services[town]
        try:
            # one publish of a town at a time, in every process and the terminal (publish_lock.py)
            with publish_lock.hold(ctx.storage, town, actor=who.actor, town_name=svc.pack.manifest.town_name):
                # another worker may have published meanwhile: build on its version, never beside it
                adopt_newest(ctx, town, ctx.publish_dir)
                before, approved = svc.pack, ctx.storage.approved(towns=[town])
                os.makedirs(ctx.publish_dir, exist_ok=True)
                name = f"{town}-v{before.manifest.version + 1}.zip"
                target = os.path.join(ctx.publish_dir, name)
                if os.path.exists(target):  # there but not loadable (adopt_newest logged why): never overwrite
                    raise PackError(f"{name} is already in the publishing folder but does not load; move it away")
                result = publish_pack(ctx.storage, before, target, actor=who.actor, towns=[town])
                if result.out is None:
                    return _publish_page(request, ctx, who, town)  # "nothing new to publish"
                # the next review and publish start from the version just published; phones get it under /packs/
                ctx.adopt(town, result.pack, ship=target)
        except PublishLocked as exc:
            if "application/json" in request.headers.get("accept", ""):  # a script: the API's error body
                return _locked_json(exc)
            return _publish_page(request, ctx, who, town, status=409, locked=exc)
        summary = publish_summary(before, result, approved, lang_of(request))
        return _publish_page(request, ctx, who, town, done=(name, summary))

    return await run_in_threadpool(run)


def _locked_json(exc: PublishLocked) -> JSONResponse:
    fr, en = (text("publish.locked", lang, town=exc.town_name, who=exc.actor,
                   at=publish_lock.shown_time(exc.started)) for lang in LANGS)
    return JSONResponse({"error": {"code": "publish_locked", "fr": fr, "en": en, "town": exc.town,
                                   "actor": exc.actor, "started": exc.started}}, status_code=409)


@router.get("/published/{name}")
async def download(name: str, ctx: Ctx, who: Desk):
    m = _PUBLISHED.match(name)
    if not m or not who.can_see(m.group(1)) or not ctx.publish_dir:
        raise SubmissionNotFound(name)
    path = os.path.join(ctx.publish_dir, name)
    if not os.path.isfile(path):
        raise SubmissionNotFound(name)
    return FileResponse(path, media_type="application/zip", filename=name)


@router.get("/static/desk.css")
async def stylesheet():
    return Response((TEMPLATES / "static" / "desk.css").read_bytes(), media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

