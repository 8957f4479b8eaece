"""Extension points of the pack format (format 1.1): ``extensions`` and ``branding``.

* ``extensions`` — on the manifest and on every POI — is an object of
  **namespaces**, each a JSON object the town owns:
  ``"extensions": {"chartres": {"parcours": "vitraux", "numero": 12}}``.
  heritage-kit never reads inside a namespace; it validates the shape
  (namespace names ``^[a-z][a-z0-9_.-]{0,62}$``, at most 20 namespaces, 16 KB of
  JSON per object) and keeps the content byte for byte through load and save.
  The namespace ``hk`` is reserved for heritage-kit itself.
* ``branding`` — on the manifest — the town's name, colours, logo and links,
  shown by the app's header and about box: colours as ``#RRGGBB``, links
  ``https://`` only, the logo a ``media/…`` file of the pack or an https URL.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from heritage_kit.models.text import LocalizedText
from heritage_kit.types import ShortText

__all__ = ["Extensions", "Branding", "BrandColours", "BrandLink", "MAX_EXTENSION_BYTES"]

MAX_EXTENSION_BYTES = 16_384
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_.-]{0,62}$")
RESERVED_NAMESPACES = frozenset({"hk"})


def _check_extensions(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > 20:
        raise ValueError("extensions: at most 20 namespaces")
    for ns, body in value.items():
        if not _NAMESPACE.match(ns):
            raise ValueError(f"extensions: namespace {ns!r:.70} must match ^[a-z][a-z0-9_.-]{{0,62}}$ "
                             "(e.g. your town's id)")
        if ns in RESERVED_NAMESPACES:
            raise ValueError(f"extensions: namespace {ns!r} is reserved for heritage-kit")
        if not isinstance(body, dict):
            raise ValueError(f"extensions.{ns}: must be a JSON object, not {type(body).__name__}")
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"extensions: not plain JSON ({exc})") from None
    if size > MAX_EXTENSION_BYTES:
        raise ValueError(f"extensions: {size} bytes of JSON, at most {MAX_EXTENSION_BYTES}")
    return value


Extensions = Annotated[dict[str, Any], AfterValidator(_check_extensions)]


def _https(value: str) -> str:
    if not re.match(r"^https://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError("must be an https:// URL")
    return value


HttpsUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_https)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]

_BRAND = ConfigDict(extra="forbid", frozen=True)


class BrandColours(BaseModel):
    """Colours as ``#RRGGBB``: ``primary`` (header), optional ``secondary`` and ``accent``."""

    model_config = _BRAND

    primary: Colour
    secondary: Colour | None = None
    accent: Colour | None = None


class BrandLink(BaseModel):
    """A link of the about box: its label in the pack's languages and an https URL."""

    model_config = _BRAND

    label: LocalizedText
    url: HttpsUrl


class Branding(BaseModel):
    """How the town presents its pack in the app (header colour, about box)."""

    model_config = _BRAND

    name: LocalizedText | None = None  # e.g. {"fr": "Chartres, ville d'art"}; default: the town name
    colours: BrandColours | None = None
    logo: Annotated[str, StringConstraints(max_length=300)] | None = None  # "media/logo.png" or https URL
    links: Annotated[list[BrandLink], Field(max_length=10)] = Field(default_factory=list)
    organisation: ShortText | None = None  # who publishes the pack ("Ville de Chartres")

    @model_validator(mode="after")
    def _logo(self):
        if self.logo is not None:
            if self.logo.startswith("media/"):
                if ".." in self.logo.split("/") or not re.match(r"^media/[A-Za-z0-9._/-]+\.(png|jpe?g|webp)$",
                                                                 self.logo):
                    raise ValueError("logo: a media/ path to a .png, .jpg or .webp file of the pack")
            else:
                _https(self.logo)
        return self
