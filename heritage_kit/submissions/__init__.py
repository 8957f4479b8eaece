"""Resident contributions on the device: submissions, photos, duplicate hints, outbox, inbox client.

Public API (used by the mobile app):

* :class:`Submission` (+ :class:`Proposal`, :class:`SourceLink`) — the model;
* :func:`validate_submission` → ``{field: Message}`` (French and English, stable codes);
* :func:`sanitise_photo` — bytes → metadata-free JPEG (:class:`CleanPhoto`);
* :func:`duplicate_hints` — POIs within 75 m with a similar name;
* :class:`Outbox` — durable SQLite queue: ``enqueue``, ``items``, ``revise``, ``sync(client)``;
* :class:`InboxClient` — the HTTP adapter (requests), HTTPS except localhost.
"""

from heritage_kit.submissions.client import InboxClient, StatusResult, SubmitResult, new_device_token
from heritage_kit.submissions.duplicates import DuplicateHint, duplicate_hints, normalise_name
from heritage_kit.submissions.messages import CATALOGUE, Message, message
from heritage_kit.submissions.model import (
    MAX_PHOTOS,
    SUBMISSION_KINDS,
    SUBMISSION_LICENCE,
    SUBMISSION_LICENCE_URL,
    PhotoRef,
    Proposal,
    SourceLink,
    Submission,
)
from heritage_kit.submissions.outbox import OUTBOX_STATUSES, Outbox, OutboxItem, SyncReport, default_outbox_path
from heritage_kit.submissions.photos import CleanPhoto, sanitise_photo
from heritage_kit.submissions.rules import check_submission, parse_submission, validate_submission

__all__ = [
    "CATALOGUE",
    "MAX_PHOTOS",
    "OUTBOX_STATUSES",
    "SUBMISSION_KINDS",
    "SUBMISSION_LICENCE",
    "SUBMISSION_LICENCE_URL",
    "CleanPhoto",
    "DuplicateHint",
    "InboxClient",
    "Message",
    "Outbox",
    "OutboxItem",
    "PhotoRef",
    "Proposal",
    "SourceLink",
    "StatusResult",
    "Submission",
    "SubmitResult",
    "SyncReport",
    "check_submission",
    "default_outbox_path",
    "duplicate_hints",
    "message",
    "new_device_token",
    "normalise_name",
    "parse_submission",
    "sanitise_photo",
    "validate_submission",
]
