"""Contributor-facing validation rules: one bilingual message per field (pure, no I/O).

>>> errors = validate_submission({"kind": "new_poi", "contributor": "Ana", "consent": False})
>>> errors["consent"].code
'consent_required'

Field names are dotted paths into the submission: ``consent``,
``proposal.name.fr``, ``proposal.location``, ``proposal.sources.0.url``,
``photos``, ``target``…
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from heritage_kit.categories import CATEGORIES
from heritage_kit.errors import SubmissionError
from heritage_kit.submissions.messages import Message, message
from heritage_kit.submissions.model import MAX_PHOTOS, Submission
from heritage_kit.textnorm import BIDI_CONTROLS, invisible_in_name

__all__ = [
    "validate_submission",
    "check_submission",
    "parse_submission",
    "check_plain_text",
    "submission_error",
    "MAX_NAME",
    "MAX_DESCRIPTION",
    "MAX_DATES",
    "MAX_PSEUDONYM",
    "MIN_PSEUDONYM",
    "MAX_SOURCES",
    "MAX_URL",
    "BOUNDS_MARGIN_M",
]

MAX_NAME = 200
MAX_DESCRIPTION = 5_000
MAX_DATES = 200
MAX_SOURCE_NAME = 300
MAX_URL = 2_000
MAX_SOURCES = 10
MIN_PSEUDONYM = 2
MAX_PSEUDONYM = 60
BOUNDS_MARGIN_M = 250.0

_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_POI_ID = re.compile(r"^[a-z][a-z0-9_-]*:[A-Za-z0-9/_.:-]+$")
_ALLOWED_CONTROLS = {"\n", "\t"}


def check_plain_text(value: str, *, max_len: int, min_len: int = 1, multiline: bool = False,
                     name: bool = False) -> Message | None:
    """Why ``value`` is not acceptable plain text, or None when it is.

    Bidi controls are refused everywhere; with ``name`` (names, pseudonyms), invisible characters too (U+200B
    zero-width space, U+00AD soft hyphen, U+2060, U+FEFF…: :func:`heritage_kit.textnorm.invisible_in_name`).
    """
    stripped = value.strip()
    if not stripped:
        return message("blank")
    if len(stripped) < min_len:
        return message("too_short", min=min_len)
    if len(value) > max_len:
        return message("too_long", max=max_len)
    allowed = _ALLOWED_CONTROLS if multiline else set()
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            return message("control_chars")
        if ch in ("\u2028", "\u2029") or (ch == "\r" and not multiline):
            return message("control_chars")
        if ch in BIDI_CONTROLS:
            return message("bidi_controls")
    if name and invisible_in_name(value) is not None:
        return message("invisible_chars")
    if _TAG.search(value):
        return message("markup")
    return None


def _from_pydantic(err: ValidationError) -> dict[str, Message]:
    out: dict[str, Message] = {}
    for e in err.errors(include_url=False):
        loc = ".".join(str(x) for x in e.get("loc", ())) or "submission"
        kind = e.get("type", "")
        ctx = e.get("ctx") or {}
        if kind == "missing":
            m = message("required")
        elif kind == "extra_forbidden":
            m = message("unknown_field")
        elif kind == "string_too_long":
            m = message("too_long", max=ctx.get("max_length", "?"))
        elif kind == "too_long":
            m = message("too_many", max=ctx.get("max_length", "?"))
        elif kind.startswith("uuid"):
            m = message("invalid_uuid")
        elif kind == "literal_error" and loc == "licence":
            m = message("licence")
        elif kind == "bidi_control":
            m = message("bidi_controls")
        else:
            m = message("invalid")
        out.setdefault(loc, m)
    return out


def _text_map(errors: dict[str, Message], field: str, texts: Mapping[str, str] | None, *, max_len: int,
              multiline: bool, name: bool = False) -> None:
    if texts is None:
        return
    if not any(v.strip() for v in texts.values()):
        errors[field] = message("blank")
        return
    for lang, text in texts.items():
        if not text.strip():
            continue  # an empty language is simply absent
        m = check_plain_text(text, max_len=max_len, multiline=multiline, name=name)
        if m is not None:
            errors[f"{field}.{lang}"] = m


def _intrinsic(sub: Submission, photo_count: int | None = None) -> dict[str, Message]:
    errors: dict[str, Message] = {}
    n_photos = len(sub.photos) if photo_count is None else photo_count
    if sub.consent is not True:
        errors["consent"] = message("consent_required")
    m = check_plain_text(sub.contributor, max_len=MAX_PSEUDONYM, min_len=MIN_PSEUDONYM, name=True)
    if m is not None:
        errors["contributor"] = m
    p = sub.proposal
    if sub.kind == "new_poi":
        if sub.target is not None:
            errors["target"] = message("target_forbidden")
        if not p.name:
            errors["proposal.name"] = message("required")
        if p.location is None:
            errors["proposal.location"] = message("required")
    else:
        if not sub.target:
            errors["target"] = message("target_required")
        elif not _POI_ID.match(sub.target):
            errors["target"] = message("invalid")
        if sub.kind == "edit" and p.is_empty():
            errors["proposal"] = message("nothing_proposed")
        if sub.kind == "photo" and n_photos == 0:
            errors["photos"] = message("photo_required")
    if n_photos > MAX_PHOTOS:
        errors["photos"] = message("too_many", max=MAX_PHOTOS)
    _text_map(errors, "proposal.name", p.name, max_len=MAX_NAME, multiline=False, name=True)
    _text_map(errors, "proposal.description", p.description, max_len=MAX_DESCRIPTION, multiline=True)
    if p.category is not None and p.category not in CATEGORIES:
        errors["proposal.category"] = message("unknown_category")
    if p.dates is not None:
        m = check_plain_text(p.dates, max_len=MAX_DATES)
        if m is not None:
            errors["proposal.dates"] = m
    if p.opening_hours is not None and not _valid_hours(p.opening_hours):
        errors["proposal.opening_hours"] = message("invalid_hours")
    if len(p.sources) > MAX_SOURCES:
        errors["proposal.sources"] = message("too_many", max=MAX_SOURCES)
    for i, s in enumerate(p.sources[:MAX_SOURCES]):
        m = check_plain_text(s.name, max_len=MAX_SOURCE_NAME)
        if m is not None:
            errors[f"proposal.sources.{i}.name"] = m
        if s.url is not None:
            if len(s.url) > MAX_URL:
                errors[f"proposal.sources.{i}.url"] = message("too_long", max=MAX_URL)
            elif not _URL.match(s.url) or any(unicodedata.category(c) == "Cc" for c in s.url):
                errors[f"proposal.sources.{i}.url"] = message("url_scheme")
    return errors


def _valid_hours(value: str) -> bool:
    """An ``opening_hours`` value the strict parser reads (no lenient repair for a proposed value)."""
    from heritage_kit.errors import HoursError
    from heritage_kit.hours import OpeningHours

    try:
        OpeningHours(value, lenient=False)
    except HoursError:
        return False
    return True


def _contextual(sub: Submission, *, pack: Any, bbox: Any, margin_m: float) -> dict[str, Message]:
    errors: dict[str, Message] = {}
    if bbox is None and pack is not None:
        bbox = pack.manifest.bbox
    loc = sub.proposal.location
    if loc is not None and bbox is not None and not bbox.contains(loc.lat, loc.lon, margin_m=margin_m):
        town = pack.manifest.town_name if pack is not None else "—"
        errors["proposal.location"] = message("outside_town", town=town)
    if pack is not None and sub.kind != "new_poi" and sub.target and "target" not in errors:
        try:
            pack.poi(sub.target)
        except LookupError:
            errors["target"] = message("unknown_target")
    return errors


def validate_submission(
    data: Submission | Mapping[str, Any],
    *,
    pack: Any = None,
    bbox: Any = None,
    margin_m: float = BOUNDS_MARGIN_M,
    photo_count: int | None = None,
) -> dict[str, Message]:
    """Every problem of ``data`` as ``{field: Message}``; empty when it is acceptable.

    ``data`` is a :class:`Submission` or the raw dict a form (or the wire) gives.
    With ``pack`` (a :class:`~heritage_kit.packs.ContentPack`) or ``bbox``
    (a :class:`~heritage_kit.types.BBox`), the location must lie inside the
    town's bounds (``margin_m`` of slack) and an edit's or photo's ``target``
    must be a POI of the pack. ``photo_count`` is the number of photos the form
    holds before they are attached (default: ``len(data.photos)``). Never
    raises for bad input.

    An app shows ``errors[field].get(lang)`` next to each field, or translates
    ``errors[field].code`` (see :data:`heritage_kit.submissions.messages.CATALOGUE`).
    """
    if isinstance(data, Submission):
        sub = data
    else:
        if not isinstance(data, Mapping):
            return {"submission": message("invalid")}
        try:
            sub = Submission.model_validate(dict(data))
        except ValidationError as err:
            return _from_pydantic(err)
    errors = _intrinsic(sub, photo_count)
    for field, m in _contextual(sub, pack=pack, bbox=bbox, margin_m=margin_m).items():
        errors.setdefault(field, m)
    return errors


def submission_error(errors: dict[str, Message] | ValidationError) -> SubmissionError:
    """The :class:`SubmissionError` listing every field of ``errors`` (or of a pydantic error)."""
    if isinstance(errors, ValidationError):
        errors = _from_pydantic(errors)
    fields = ", ".join(f"{k}: {v.en}" for k, v in sorted(errors.items()))
    return SubmissionError(f"invalid submission ({fields})", {k: v.en for k, v in errors.items()}, messages=errors)


def _raise(errors: dict[str, Message]) -> None:
    raise submission_error(errors)


def parse_submission(data: Any, **context) -> Submission:
    """A valid :class:`Submission` from raw (wire) data, or :class:`SubmissionError` listing every field.

    The wire form must carry its ``uuid``: it is the idempotency key made on the device, so a body sent again
    is stored once (the model's default uuid would make every replay a new submission).
    """
    if not isinstance(data, Mapping):
        _raise({"submission": message("invalid")})
    if data.get("uuid") in (None, ""):
        _raise({"uuid": message("uuid_required")})
    try:
        sub = Submission.model_validate(dict(data))
    except ValidationError as err:
        _raise(_from_pydantic(err))
    errors = validate_submission(sub, **context)
    if errors:
        _raise(errors)
    return sub


def check_submission(sub: Submission, **context) -> Submission:
    """``sub`` itself when valid; otherwise :class:`SubmissionError` with every field's message."""
    errors = validate_submission(sub, **context)
    if errors:
        _raise(errors)
    return sub
