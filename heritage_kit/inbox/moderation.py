"""The moderation state machine and replay rules (pure, no I/O).

::

    pending ──approve──────────▶ approved
       │  ──reject───────────▶ rejected
       │  ──request_changes────▶ changes_requested ──resubmit──▶ pending
       └──resubmit (the contributor corrects it before review)──▶ pending

Anything else is refused with :class:`~heritage_kit.errors.ModerationError`.
``reject`` and ``request_changes`` need a reason (shown to the contributor).
"""

from __future__ import annotations

from typing import Literal

from heritage_kit.errors import ModerationError

__all__ = [
    "STATUSES",
    "ACTIONS",
    "Status",
    "Action",
    "TRANSITIONS",
    "next_status",
    "allowed_actions",
    "replay_decision",
    "MAX_REASON",
]

Status = Literal["pending", "approved", "rejected", "changes_requested"]
Action = Literal["approve", "reject", "request_changes", "resubmit"]
STATUSES: tuple[str, ...] = ("pending", "approved", "rejected", "changes_requested")
ACTIONS: tuple[str, ...] = ("approve", "reject", "request_changes", "resubmit")
MAX_REASON = 2_000

TRANSITIONS: dict[tuple[str, str], str] = {
    ("pending", "approve"): "approved",
    ("pending", "reject"): "rejected",
    ("pending", "request_changes"): "changes_requested",
    ("changes_requested", "resubmit"): "pending",
    ("pending", "resubmit"): "pending",  # the contributor corrects an entry not yet reviewed
}
_NEEDS_REASON = frozenset({"reject", "request_changes"})


def next_status(current: str, action: str, *, reason: str | None = None) -> str:
    """The status after ``action`` on a submission in ``current``; refuses illegal moves."""
    if action not in ACTIONS:
        raise ModerationError(f"unknown moderation action {action!r} (one of {', '.join(ACTIONS)})")
    if current not in STATUSES:
        raise ModerationError(f"unknown status {current!r}")
    new = TRANSITIONS.get((current, action))
    if new is None:
        raise ModerationError(f"cannot {action.replace('_', ' ')} a submission that is {current.replace('_', ' ')}")
    if action in _NEEDS_REASON:
        if reason is None or not reason.strip():
            raise ModerationError(f"{action.replace('_', ' ')} needs a reason for the contributor")
        if len(reason) > MAX_REASON:
            raise ModerationError(f"reason longer than {MAX_REASON} characters")
    return new


def allowed_actions(current: str) -> list[str]:
    """The actions legal from ``current``."""
    return [a for (s, a) in TRANSITIONS if s == current]


def replay_decision(*, status: str, same_device: bool, same_content: bool) -> Literal["replay", "revise", "conflict"]:
    """What a second POST of an existing uuid means.

    * same device, same content → ``replay`` (idempotent: answer as before);
    * same device, new content, not yet reviewed or sent back for changes → ``revise``;
    * anything else → ``conflict`` (409: approved and rejected ones are final;
      another device never learns more).
    """
    if not same_device:
        return "conflict"
    if same_content:
        return "replay"
    if status in ("pending", "changes_requested"):
        return "revise"
    return "conflict"
