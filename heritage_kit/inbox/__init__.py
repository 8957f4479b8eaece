"""The inbox service: storage, moderation, publishing (and the FastAPI app, extra ``server``).

``create_app`` is imported lazily so the terminal tools (``inbox review``,
``inbox publish``) work without FastAPI installed.
"""

from __future__ import annotations

from heritage_kit.inbox.moderation import ACTIONS, STATUSES, allowed_actions, next_status
from heritage_kit.inbox.publish import PublishResult, build_next_pack, publish
from heritage_kit.inbox.ratelimit import RateLimiter
from heritage_kit.inbox.service import InboxService, InboxSettings
from heritage_kit.inbox.storage import Account, AuditEntry, Session, SqliteStorage, Storage, StoredSubmission, open_storage

__all__ = [
    "ACTIONS",
    "Account",
    "Session",
    "open_storage",
    "STATUSES",
    "AuditEntry",
    "InboxService",
    "InboxSettings",
    "PublishResult",
    "RateLimiter",
    "SqliteStorage",
    "Storage",
    "StoredSubmission",
    "allowed_actions",
    "build_next_pack",
    "create_app",
    "next_status",
    "publish",
]


def __getattr__(name: str):
    if name == "create_app":
        from heritage_kit.inbox.app import create_app

        return create_app
    raise AttributeError(f"module 'heritage_kit.inbox' has no attribute {name!r}")
