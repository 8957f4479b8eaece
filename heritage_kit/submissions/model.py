"""The ``Submission`` model: what a resident proposes (pure data, no I/O).

A submission is one of three kinds:

* ``new_poi`` — a heritage entry (or shop) not yet in the guide;
* ``edit``    — corrections to an existing POI (``target``);
* ``photo``   — photos of an existing POI (``target``).

The structure is checked here (types, hard caps); the contributor-facing rules
(lengths, plain text, URLs, bounds, consent) live in
:mod:`heritage_kit.submissions.rules`, which reports one message per field.
"""

from __future__ import annotations

import uuid as _uuid
from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from heritage_kit.textnorm import find_bidi_control
from heritage_kit.types import LatLon

__all__ = [
    "Submission",
    "Proposal",
    "SourceLink",
    "PhotoRef",
    "SubmissionKind",
    "SUBMISSION_KINDS",
    "SUBMISSION_LICENCE",
    "SUBMISSION_LICENCE_URL",
    "MAX_PHOTOS",
]

SubmissionKind = Literal["new_poi", "edit", "photo"]
SUBMISSION_KINDS: tuple[str, ...] = ("new_poi", "edit", "photo")
SUBMISSION_LICENCE = "CC BY-SA 4.0"
SUBMISSION_LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
MAX_PHOTOS = 5


def _no_bidi(value: str) -> str:
    """The one text check every string field of a submission has: no bidi control (U+202A–202E, U+2066–2069,
    U+200E, U+200F, U+061C), which would reorder what moderators and visitors read (Trojan Source)."""
    ch = find_bidi_control(value)
    if ch is not None:
        raise PydanticCustomError("bidi_control", "text contains the bidi control U+{cp}", {"cp": f"{ord(ch):04X}"})
    return value


def _text(max_length: int):
    """A submission text field: ``max_length`` characters at most, no bidi control."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_bidi)]


# Hard caps against abuse; the friendlier limits are in rules.py. Every string field is one of these.
_Cap = _text(20_000)
_Text100 = _text(100)
_Text200 = _text(200)
_Text1k = _text(1_000)
_Text2k = _text(2_000)
_Text4k = _text(4_000)
_Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
_STRICT = ConfigDict(extra="forbid")


class SourceLink(BaseModel):
    """A source the contributor relies on (a book, an archive page…)."""

    model_config = _STRICT

    name: _Text2k
    url: _Text4k | None = None


class Proposal(BaseModel):
    """The fields a contributor proposes; every one is optional (an edit sends only what changes)."""

    model_config = _STRICT

    name: Annotated[dict[_Lang, _Cap], Field(max_length=10)] | None = None
    description: Annotated[dict[_Lang, _Cap], Field(max_length=10)] | None = None
    category: _Text100 | None = None
    location: LatLon | None = None
    dates: _Text2k | None = None
    sources: Annotated[list[SourceLink], Field(max_length=50)] = Field(default_factory=list)
    # an OSM ``opening_hours`` value (the app's hours editor writes it; checked by the strict parser)
    opening_hours: _Text1k | None = None

    def is_empty(self) -> bool:
        return not (self.name or self.description or self.category or self.location or self.dates or self.sources
                    or self.opening_hours)


class PhotoRef(BaseModel):
    """A photo attached to a submission: the SHA-256 and size of its bytes as sent."""

    model_config = _STRICT

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(ge=0)]
    width: Annotated[int, Field(ge=1)] | None = None
    height: Annotated[int, Field(ge=1)] | None = None


class Submission(BaseModel):
    """One contribution. ``uuid`` is made on the device and is the idempotency key.

    ``device_token`` identifies the submitting device to the inbox; it is never
    serialised (the client sends it as a bearer token, the server stores only
    its hash).
    """

    model_config = ConfigDict(extra="forbid")

    uuid: _uuid.UUID = Field(default_factory=_uuid.uuid4)
    kind: SubmissionKind
    target: _Text200 | None = None
    proposal: Proposal = Field(default_factory=Proposal)
    contributor: _Text2k
    consent: bool = False
    licence: Literal["CC BY-SA 4.0"] = SUBMISSION_LICENCE
    created: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    photos: Annotated[list[PhotoRef], Field(max_length=MAX_PHOTOS)] = Field(default_factory=list)
    device_token: str | None = Field(default=None, exclude=True, repr=False)

    @field_validator("created")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("created must carry a time zone")
        return value.astimezone(timezone.utc)

    @property
    def id(self) -> str:
        return str(self.uuid)

    def wire(self) -> dict:
        """The JSON-ready form sent to the inbox (never contains the device token)."""
        return self.model_dump(mode="json", exclude={"device_token"})
