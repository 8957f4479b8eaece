"""The inbox's use cases, shared by the HTTP app and the terminal (no HTTP here).

:class:`InboxService` checks submissions against the town's pack, sanitises
photos again on the server (never trusting the device), computes duplicate
hints, and runs moderation through the pure state machine, with the storage
(an injected :class:`~heritage_kit.inbox.storage.Storage`) writing the audit log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import ValidationError

from heritage_kit.models import LocalizedText
from heritage_kit.types import LatLon
from heritage_kit.errors import ModerationError, PhotoError, SubmissionError, SubmissionNotFound
from heritage_kit.submissions.duplicates import DUPLICATE_RADIUS_M, duplicate_hints
from heritage_kit.submissions.messages import message
from heritage_kit.submissions.model import MAX_PHOTOS, PhotoRef, Proposal, Submission
from heritage_kit.submissions.photos import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, sanitise_photo
from heritage_kit.submissions.rules import BOUNDS_MARGIN_M, check_plain_text, parse_submission, validate_submission
from heritage_kit.inbox.moderation import MAX_REASON
from heritage_kit.inbox.storage import AuditEntry, Storage, StoredSubmission, _box

__all__ = ["InboxSettings", "InboxService", "token_hash", "content_hash", "apply_edits"]


@dataclass
class InboxSettings:
    """Limits and keys of one inbox.

    ``moderator_keys`` maps an API key to the moderator's name (written in the
    audit log). With no key, every moderator endpoint refuses (desk accounts
    still work). ``moderator_key_towns`` scopes a key's name to towns.
    """

    moderator_keys: Mapping[str, str] = field(default_factory=dict)
    # machine keys' towns: moderator name -> town ids ('*' every town); a name not listed has every town served
    moderator_key_towns: Mapping[str, Sequence[str]] = field(default_factory=dict)
    max_photos: int = MAX_PHOTOS
    max_photo_bytes: int = MAX_PHOTO_BYTES
    max_photo_pixels: int = MAX_PHOTO_PIXELS
    max_json_bytes: int = 256 * 1024
    max_request_bytes: int = MAX_PHOTOS * MAX_PHOTO_BYTES + 512 * 1024
    submissions_per_hour: float = 60.0  # per device token
    submission_burst: int = 20
    reads_per_hour: float = 3600.0  # status reads per device token
    read_burst: int = 120
    # Device tokens are made by the devices: a client minting tokens is still held by its address.
    address_submissions_per_hour: float = 600.0
    address_burst: int = 200
    # wrong moderator keys: a budget per client address and one for all addresses together (then 429)
    key_failures_per_hour: float = 60.0
    key_failure_burst: int = 10
    all_key_failure_burst: int = 100
    bounds_margin_m: float = BOUNDS_MARGIN_M
    # HTTP limits (heritage_kit.inbox.limits): requests with a body handled at once (503 + Retry-After beyond),
    # and at most one "client disconnected" log line per interval.
    max_bodies_in_flight: int = 4
    busy_retry_after_s: int = 5
    disconnect_log_interval_s: float = 10.0
    # several processes on one database (inbox serve --workers N): the rate limits are kept in the database
    # (heritage_kit.inbox.ratelimit.SharedRateLimiter) so that they hold in total, not per process
    shared_rate_limits: bool = False

    def __post_init__(self) -> None:
        self.moderator_keys = {str(k): str(v) for k, v in dict(self.moderator_keys).items() if k}
        self.moderator_key_towns = {str(k): tuple(str(t) for t in v) for k, v in dict(self.moderator_key_towns).items()}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def content_hash(submission: Submission) -> str:
    doc = json.dumps(submission.wire(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def apply_edits(submission: Submission, edits: Mapping[str, Any] | None, *, pack: Any = None,
                margin_m: float = BOUNDS_MARGIN_M) -> Submission:
    """``submission`` with the moderator's ``edits`` to its proposal (e.g. a fixed name), checked again.

    ``edits`` holds proposal fields; ``name`` and ``description`` merge per
    language (an empty string removes that language), other fields replace.
    """
    if not edits:
        return submission
    if not isinstance(edits, Mapping):
        raise SubmissionError("edits must be an object", {"edits": "must be an object"},
                              messages={"edits": message("invalid")})
    current = submission.proposal.model_dump(mode="json", exclude_none=True)
    merged = {**current, **dict(edits)}
    for key in ("name", "description"):  # localised texts merge per language; "" removes one
        if isinstance(edits.get(key), Mapping) and isinstance(current.get(key), dict):
            both = {**current[key], **edits[key]}
            merged[key] = {k: v for k, v in both.items() if not (isinstance(v, str) and not v.strip())} or None
    try:
        proposal = Proposal.model_validate(merged)
    except ValidationError as err:
        fields = {"edits." + ".".join(map(str, e["loc"])): e["msg"] for e in err.errors(include_url=False)}
        raise SubmissionError(f"invalid edits: {fields}", fields,
                              messages={k: message("invalid") for k in fields}) from None
    edited = submission.model_copy(update={"proposal": proposal})
    errors = validate_submission(edited, pack=pack, margin_m=margin_m)
    if errors:
        raise SubmissionError(
            "invalid edits (" + ", ".join(f"{k}: {v.en}" for k, v in errors.items()) + ")",
            {k: v.en for k, v in errors.items()}, messages=errors,
        )
    return edited


class InboxService:
    """The inbox's operations over a storage and the town's current pack."""

    def __init__(self, storage: Storage, pack: Any, settings: InboxSettings | None = None) -> None:
        self.storage = storage
        self.pack = pack
        self.settings = settings or InboxSettings()
        self._pack_coords: tuple | None = None  # (pack, its POIs, their lats, lons): see _pack_pois_near

    # -- contributors ---------------------------------------------------------
    def submit(self, token: str, doc: Any, photos: Sequence[bytes] = (), *,
               at: datetime | None = None) -> tuple[StoredSubmission, str]:
        """Check and store one submission for the device ``token``.

        Returns the stored submission and ``"created"`` / ``"replay"`` / ``"revised"``.
        Raises :class:`SubmissionError` (per-field bilingual messages),
        :class:`SubmissionConflict` (same uuid, other content or device).
        """
        s = self.settings
        if len(photos) > s.max_photos:
            m = message("too_many", max=s.max_photos)
            raise SubmissionError(f"photos: {m.en}", {"photos": m.en}, messages={"photos": m})
        if isinstance(doc, Mapping) and not doc.get("photos") and photos:
            # The device did not declare its photos: describe the ones received.
            doc = {**doc, "photos": [{"sha256": hashlib.sha256(p).hexdigest(), "size": len(p)} for p in photos]}
        sub = parse_submission(doc, pack=self.pack, margin_m=s.bounds_margin_m)
        declared = [r.sha256 for r in sub.photos]
        received = [hashlib.sha256(p).hexdigest() for p in photos]
        if declared != received:
            m = message("photo_mismatch")
            raise SubmissionError(f"photos: {m.en}", {"photos": m.en}, messages={"photos": m})
        clean = []
        errors, messages = {}, {}
        for i, data in enumerate(photos):
            try:
                clean.append(sanitise_photo(data, field=f"photos.{i}", max_bytes=s.max_photo_bytes,
                                            max_pixels=s.max_photo_pixels))
            except PhotoError as exc:
                errors.update(exc.errors)
                messages.update(exc.messages)
        if errors:
            raise SubmissionError("photos refused (" + ", ".join(f"{k}: {v}" for k, v in errors.items()) + ")",
                                  errors, messages=messages)
        hash_ = content_hash(sub)
        stored_sub = sub.model_copy(update={
            "photos": [PhotoRef(sha256=c.sha256, size=c.size, width=c.width, height=c.height) for c in clean]
        })
        hints: list[dict] = []
        p = sub.proposal
        if p.location is not None and p.name:
            lat, lon = p.location.lat, p.location.lon
            pois = [x for x in self._pack_pois_near(lat, lon) if x.id != sub.target]
            # other residents' entries still in the inbox count too (two people adding the same lavoir): only
            # those near the point, from the storage's indexed columns (the old full scan parsed every entry)
            pois += [_Entry(f"hk:{e.uuid}", LocalizedText(e.name), LatLon(lat=e.lat, lon=e.lon))
                     for e in self.storage.entries_near(lat, lon, DUPLICATE_RADIUS_M) if e.uuid != sub.id]
            hints = [h.to_dict() for h in duplicate_hints(pois, name=p.name, lat=lat, lon=lon)]
        th = token_hash(token)
        return self.storage.add(stored_sub, token_hash=th, content_hash=hash_, photos=clean, hints=hints,
                                actor=f"device:{th[:12]}", town=getattr(getattr(self.pack, "manifest", None),
                                                                         "town_id", "") or "", at=at)

    def _pack_pois_near(self, lat: float, lon: float) -> list[Any]:
        """The pack's POIs in a box around the point (duplicate hints then measure exactly): the coordinates are
        read once per pack, not on every submission."""
        pack = self.pack
        if pack is None or not getattr(pack, "pois", None):
            return []
        if self._pack_coords is None or self._pack_coords[0] is not pack:  # a publish swaps the pack
            pois = list(pack.pois)
            self._pack_coords = (pack, pois, np.array([q.location.lat for q in pois]),
                                 np.array([q.location.lon for q in pois]))
        _, pois, lats, lons = self._pack_coords
        south, west, north, east = _box(lat, lon, DUPLICATE_RADIUS_M)
        inside = np.flatnonzero((lats >= south) & (lats <= north) & (lons >= west) & (lons <= east))
        return [pois[int(k)] for k in inside]

    def status(self, token: str, uuid: str) -> StoredSubmission:
        """A submission as its own device sees it; another device gets :class:`SubmissionNotFound`."""
        stored = self.storage.get(str(uuid))
        if stored is None or stored.token_hash != token_hash(token):
            raise SubmissionNotFound(f"no submission {uuid} for this device")
        return stored

    # -- moderators --------------------------------------------------------------
    def queue(self, *, status: str | None = "pending", limit: int = 50, offset: int = 0) -> list[StoredSubmission]:
        return self.storage.list(status=status, limit=limit, offset=offset)

    def get(self, uuid: str) -> StoredSubmission:
        stored = self.storage.get(str(uuid))
        if stored is None:
            raise SubmissionNotFound(f"no submission {uuid}")
        return stored

    def detail(self, uuid: str) -> dict[str, Any]:
        """Everything a moderator needs: the submission, duplicate hints, target POI, photos, audit."""
        st = self.get(uuid)
        target = None
        if st.submission.target and self.pack is not None:
            try:
                target = self.pack.poi(st.submission.target).model_dump(mode="json", exclude_none=True)
            except LookupError:
                target = None
        return {
            "uuid": st.uuid,
            "status": st.status,
            "message": st.message,
            "created": st.created,
            "updated": st.updated,
            "published_version": st.published_version,
            "submission": st.submission.wire(),
            "duplicate_hints": st.duplicate_hints,
            "target_poi": target,
            "photos": [{"n": p.n, "sha256": p.sha256, "width": p.width, "height": p.height}
                       for p in self.storage.photos(st.uuid)],
            "edits": st.edits,
            "audit": [_audit_dict(a) for a in self.storage.audit(st.uuid)],
        }

    def approve(self, uuid: str, *, actor: str, edits: Mapping[str, Any] | None = None,
                at: datetime | None = None) -> StoredSubmission:
        st = self.get(uuid)
        if st.status != "pending":  # checked again inside the storage transaction
            raise ModerationError(f"cannot approve a submission that is {st.status.replace('_', ' ')}")
        edited = apply_edits(st.submission, edits, pack=self.pack, margin_m=self.settings.bounds_margin_m)
        return self.storage.moderate(st.uuid, "approve", actor=actor, edited=edited if edits else None,
                                     edits=dict(edits) if edits else None, at=at)

    def reject(self, uuid: str, *, actor: str, reason: str, at: datetime | None = None) -> StoredSubmission:
        return self.storage.moderate(self.get(uuid).uuid, "reject", actor=actor, reason=_reason(reason), at=at)

    def request_changes(self, uuid: str, *, actor: str, reason: str, at: datetime | None = None) -> StoredSubmission:
        return self.storage.moderate(self.get(uuid).uuid, "request_changes", actor=actor, reason=_reason(reason),
                                     at=at)


def _reason(reason: str) -> str:
    """A moderator's reason, shown to the contributor: plain text like theirs (no bidi or control characters)."""
    m = check_plain_text(reason, max_len=MAX_REASON, multiline=True) if isinstance(reason, str) else message("invalid")
    if m is not None:
        raise SubmissionError(f"reason: {m.en}", {"reason": m.en}, messages={"reason": m})
    return reason


@dataclass(frozen=True)
class _Entry:
    """The POI-like view of a submitted new entry that duplicate hints need."""

    id: str
    name: LocalizedText
    location: LatLon


def _audit_dict(a: AuditEntry) -> dict[str, Any]:
    return {"id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "from_status": a.from_status,
            "to_status": a.to_status, "detail": a.detail}
