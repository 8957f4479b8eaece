"""Moderator accounts: argon2 password hashes, role/town checks, session tokens, sign-in throttling.

Pure apart from the storage passed in; the clock is injected for sessions and throttling.
Only the SHA-256 of a session token is stored, so a stolen database gives no live session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from heritage_kit.errors import AccountError
from heritage_kit.inbox.ratelimit import RateLimiter
from heritage_kit.inbox.storage import Account, Session, Storage

__all__ = ["ROLES", "MODERATING_ROLES", "MANAGER_ROLES", "MIN_PASSWORD_LENGTH", "hash_password", "verify_password", "needs_rehash", "check_name",
           "check_password", "can_see", "can_decide", "token_hash", "new_session", "SignInThrottle"]

ROLES = ("moderator", "admin", "town-centre manager")
# the roles that review residents' submissions (the desk, the moderation API); admins also publish
MODERATING_ROLES = ("moderator", "admin")
PUBLISHING_ROLES = ("admin",)
# the roles that verify shop claims (heritage_kit.inbox.merchants): the town-centre manager, and admins
MANAGER_ROLES = ("town-centre manager", "admin")
MIN_PASSWORD_LENGTH = 10
SESSION_HOURS = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise AccountError(f"account name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    return password


def check_role(role: str, towns: Sequence[str]) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    if not towns:
        raise AccountError("an account needs at least one --town")


def can_see(account: Account, town: str) -> bool:
    """Moderators and admins see only the towns they are given ('*' is every town)."""
    return "*" in account.towns or town in account.towns


def can_decide(account: Account, town: str) -> bool:
    return account.role in MODERATING_ROLES and can_see(account, town)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, never stored
    session: Session


def new_session(storage: Storage, account: str, *, now: datetime | None = None,
                hours: float = SESSION_HOURS) -> NewSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = ((now or datetime.now(timezone.utc)) + timedelta(hours=hours)).isoformat(timespec="milliseconds")
    storage.create_session(token_hash(token), account, expires=expires, csrf=csrf)
    return NewSession(token, Session(token_hash(token), account, expires, csrf))


class SignInThrottle:
    """Failed sign-ins limited per account name and per client address (token buckets)."""

    def __init__(self, *, per_account: int = 5, per_address: int = 20, per_hour: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._accounts = RateLimiter(per_hour=per_hour, burst=per_account, clock=clock)
        self._addresses = RateLimiter(per_hour=per_hour * 4, burst=per_address, clock=clock)

    def blocked(self, name: str, address: str) -> float:
        """Seconds to wait, 0 when a sign-in attempt may go ahead (peeks without spending)."""
        return max(self._accounts.wait("a:" + name.lower()), self._addresses.wait("ip:" + address))

    def failed(self, name: str, address: str) -> None:
        self._accounts.allow("a:" + name.lower())
        self._addresses.allow("ip:" + address)


def sign_in(storage: Storage, throttle: SignInThrottle, name: str, password: str, address: str, *,
            now: datetime | None = None) -> NewSession | float | None:
    """A new session, or the seconds to wait when throttled (float), or None for a wrong name/password."""
    wait = throttle.blocked(name, address)
    if wait > 0:
        return wait
    account = storage.get_account(name)
    if account is None or not verify_password(account.password_hash, password):
        throttle.failed(name, address)
        storage.record_audit(name or "?", "sign_in_failed", detail={"address": address})
        return None
    if needs_rehash(account.password_hash):
        storage.set_password(name, _hasher.hash(password))
    storage.record_audit(name, "sign_in", detail={"address": address})
    return new_session(storage, name, now=now)
