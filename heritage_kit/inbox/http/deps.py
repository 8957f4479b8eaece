"""What every router shares: the :class:`InboxContext` and the auth dependencies.

Credentials:

* contributors: ``Authorization: Bearer <device token>`` (:func:`device`);
* moderators: a machine key (``X-API-Key``, scoped to towns by ``InboxSettings.moderator_key_towns``) or a desk
  session cookie (a person's account, scoped to its towns); :func:`moderator` gives a :class:`Principal` either
  way. Cookie-authenticated writes need the session's CSRF token (form field ``csrf`` or ``X-CSRF-Token``).

Town scoping: a submission of a town the principal is not given is answered 404 (its existence is not
revealed); asking for such a town by name (``?town=``) is 403.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from heritage_kit.errors import SubmissionNotFound
from heritage_kit.inbox.accounts import MODERATING_ROLES, SignInThrottle, token_hash as session_hash
from heritage_kit.inbox.http.errors import Forbidden, ModeratorRefused
from heritage_kit.inbox.ratelimit import RateLimiter, SharedRateLimiter, make_limiter
from heritage_kit.inbox.service import InboxService, InboxSettings, token_hash
from heritage_kit.inbox.storage import Storage, StoredSubmission
from heritage_kit.submissions.client import TOKEN_PATTERN

__all__ = ["InboxContext", "Principal", "context", "device", "moderator", "limit", "limit_async", "SESSION_COOKIE",
           "session_principal", "check_csrf", "visible_submission", "SignInRequired"]

SESSION_COOKIE = "hk_desk"
ALL = "*"


@dataclass
class InboxContext:
    """One inbox: the storage shared by its towns, one :class:`InboxService` per town (``town_id`` → service)."""

    storage: Storage
    services: dict[str, InboxService]
    settings: InboxSettings
    publish_dir: str | None = None
    throttle: SignInThrottle = field(default_factory=SignInThrottle)
    limiters: dict[str, RateLimiter | SharedRateLimiter] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # per-town derived data (street lines for the maps)
    packs_dir: str | None = None  # the publish folder served under /packs/ (inbox serve --publish-dir)
    watch: Any = None  # a heritage_kit.inbox.packwatch.PackWatch following the desk's published versions

    def __post_init__(self) -> None:
        s = self.settings
        budgets = {
            "submit": (s.submissions_per_hour, s.submission_burst),
            "read": (s.reads_per_hour, s.read_burst),
            "address": (s.address_submissions_per_hour, s.address_burst),
            # failed moderator-key attempts: per client address, and all addresses together (a spread-out guess)
            "key": (s.key_failures_per_hour, s.key_failure_burst),
            "all_keys": (s.key_failures_per_hour * 10, s.all_key_failure_burst),
        }
        # several processes (inbox serve --workers N): the buckets live in the database, so limits hold in total
        self.limiters = {name: make_limiter(self.storage, name, per_hour=rate, burst=burst,
                                            shared=s.shared_rate_limits) for name, (rate, burst) in budgets.items()}
        if s.shared_rate_limits:  # failed desk sign-ins too
            self.throttle = _SharedSignInThrottle(self.storage)

    def adopt(self, town: str, pack: Any, *, ship: str | None = None) -> None:
        """Serve ``pack`` (a newer version of ``town``'s) from now on; with ``ship`` (the zip just written) and a
        publish folder served under /packs/, the phones are offered it too (``pack publish`` into that folder)."""
        self.services[town].pack = pack
        self.cache.pop(f"layers:{town}", None)
        if ship and self.packs_dir:
            from heritage_kit.packs.publish import publish_pack

            publish_pack(ship, self.packs_dir)

    @property
    def towns(self) -> list[str]:
        return list(self.services)

    def service(self, town: str) -> InboxService:
        """The town's service; a town no longer served (its pack not given) gets one without a pack."""
        svc = self.services.get(town)
        if svc is None:
            svc = self.cache.get(f"service:{town}")
            if svc is None:
                svc = self.cache[f"service:{town}"] = InboxService(self.storage, None, self.settings)
        return svc

    def key_towns(self, name: str) -> tuple[str, ...]:
        scopes: Mapping[str, Sequence[str]] = getattr(self.settings, "moderator_key_towns", None) or {}
        return tuple(scopes.get(name, (ALL,)))


class _SharedSignInThrottle(SignInThrottle):
    """:class:`SignInThrottle`'s two budgets (per account name, per address) kept in the database, so that
    failed sign-ins are counted across the processes of one inbox."""

    def __init__(self, storage: Storage) -> None:
        defaults = SignInThrottle()
        self._accounts = SharedRateLimiter(storage, "sign_in_account", per_hour=defaults._accounts.rate * 3600,
                                           burst=int(defaults._accounts.burst))
        self._addresses = SharedRateLimiter(storage, "sign_in_address", per_hour=defaults._addresses.rate * 3600,
                                            burst=int(defaults._addresses.burst))


@dataclass(frozen=True)
class Principal:
    """Who moderates: a machine key or a person's desk session, with the towns given to it."""

    actor: str  # as written in the audit log
    role: str
    towns: tuple[str, ...]
    via: str  # "key" | "session"
    account: str | None = None
    csrf: str | None = None
    session_hash: str | None = None

    def can_see(self, town: str) -> bool:
        return ALL in self.towns or town in self.towns

    def towns_filter(self) -> list[str] | None:
        """The ``towns=`` filter of a storage query (None: every town)."""
        return None if ALL in self.towns else list(self.towns)

    def scope(self, ctx: InboxContext, town: str | None) -> list[str] | None:
        """The towns filter for an optional ``?town=``: 403 when that town is not given to the principal."""
        if town:
            if not self.can_see(town):
                raise Forbidden("forbidden_town", f"(town {town[:60]!r})")
            return [town]
        return self.towns_filter()


async def context(request: Request) -> InboxContext:
    """The inbox of the request. Async (no worker-thread hop per request); a version published by another
    process is looked for in a worker thread, and only every few seconds (:class:`PackWatch`)."""
    ctx: InboxContext = request.app.state.inbox
    if ctx.watch is not None and ctx.watch.due():
        await run_in_threadpool(ctx.watch.check, ctx)
    return ctx


Ctx = Annotated[InboxContext, Depends(context)]

_bearer = HTTPBearer(auto_error=False, description="The device token (16-256 URL-safe characters)")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="A moderator's machine key")


def address(request: Request) -> str:
    return request.client.host if request.client else "-"


def limit(limiter: RateLimiter, key: str) -> None:
    ok, wait = limiter.allow(key)
    if not ok:
        raise StarletteHTTPException(429, headers={"Retry-After": str(max(1, math.ceil(wait)))})


async def limit_async(limiter: RateLimiter | SharedRateLimiter, key: str) -> None:
    """:func:`limit` from async code: a limiter kept in the database is asked from a worker thread, so its round
    trip does not stall the event loop (an in-memory one answers at once, in place)."""
    if isinstance(limiter, SharedRateLimiter):
        await run_in_threadpool(limit, limiter, key)
    else:
        limit(limiter, key)


async def device(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    token = creds.credentials if creds else None
    if not token or not TOKEN_PATTERN.match(token):
        raise StarletteHTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    return token


def device_limited(which: str):
    """A device dependency that also spends one unit of the token's ``which`` budget."""

    async def dep(ctx: Ctx, token: Annotated[str, Depends(device)]) -> str:
        await limit_async(ctx.limiters[which], token_hash(token))
        return token

    return dep


class SignInRequired(Exception):
    """A desk page without a valid session: the desk answers with a redirect to its sign-in page."""


def session_principal(ctx: InboxContext, request: Request,
                      roles: Sequence[str] = MODERATING_ROLES) -> Principal | None:
    """The principal of the request's desk session cookie, or None (no cookie, expired, account gone, or a role
    not among ``roles``: the town-centre manager's pages pass :data:`~heritage_kit.inbox.accounts.MANAGER_ROLES`)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    th = session_hash(token)
    session = ctx.storage.get_session(th)
    if session is None:
        return None
    account = ctx.storage.get_account(session.account)
    if account is None or account.role not in roles:
        return None
    return Principal(actor=f"desk:{account.name}", role=account.role, towns=tuple(account.towns), via="session",
                     account=account.name, csrf=session.csrf, session_hash=th)


def check_csrf(principal: Principal, given: str | None) -> None:
    """A cookie-authenticated write must carry the session's CSRF token (403 otherwise)."""
    if principal.via != "session":
        return
    if not given or not principal.csrf or not hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                                   principal.csrf.encode("utf-8")):
        raise Forbidden("csrf")


def moderator(request: Request, ctx: Ctx, key: Annotated[str | None, Depends(_api_key)]) -> Principal:
    """A machine key (``X-API-Key``) or a desk session; wrong keys are throttled per address and overall."""
    if not key:
        principal = session_principal(ctx, request)
        if principal is not None:
            if request.method not in ("GET", "HEAD"):
                check_csrf(principal, request.headers.get("x-csrf-token"))
            return principal
    here = address(request)
    wait = max(ctx.limiters["key"].wait(here), ctx.limiters["all_keys"].wait(ALL))
    if wait > 0:  # too many wrong keys: no key is even compared until the budget refills
        raise StarletteHTTPException(429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
    if key:
        for known, name in ctx.settings.moderator_keys.items():
            if hmac.compare_digest(key.encode("utf-8", "surrogateescape"), known.encode("utf-8")):
                return Principal(actor=f"moderator:{name}", role="moderator", towns=ctx.key_towns(name), via="key")
    ctx.limiters["key"].allow(here)  # one failure spent
    ctx.limiters["all_keys"].allow(ALL)
    raise ModeratorRefused()


Mod = Annotated[Principal, Depends(moderator)]


def visible_submission(ctx: InboxContext, principal: Principal, uuid: str) -> StoredSubmission:
    """The submission if the principal's towns include its town; else 404 (as if it did not exist)."""
    stored = ctx.storage.get(uuid)
    if stored is None or not principal.can_see(stored.town):
        raise SubmissionNotFound(f"no submission {uuid}")
    return stored
