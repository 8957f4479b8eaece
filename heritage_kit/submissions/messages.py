"""Bilingual (French / English) messages for contributors, keyed by a stable code.

Validation returns ``{field: Message}``; an app shows ``message.get(lang)`` or
translates ``message.code`` itself. The codes are part of the public API.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Message", "CATALOGUE", "message"]


class Message(NamedTuple):
    """One user-facing message: a stable ``code`` and its French and English text."""

    code: str
    fr: str
    en: str

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang`` ("fr" or "en"; anything else gives English)."""
        return self.fr if (lang or "").split("-")[0] == "fr" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "fr": self.fr, "en": self.en}

    def __str__(self) -> str:
        return self.en


# code -> (French, English); ``{name}`` placeholders are filled by :func:`message`.
CATALOGUE: dict[str, tuple[str, str]] = {
    "required": ("Ce champ est obligatoire.", "This field is required."),
    "invalid": ("Valeur invalide.", "Invalid value."),
    "invalid_uuid": ("Identifiant de contribution invalide.", "Invalid submission identifier."),
    "unknown_field": ("Champ inconnu.", "Unknown field."),
    "consent_required": (
        "Vous devez accepter la publication de votre contribution sous licence CC BY-SA 4.0.",
        "You must agree to publish your contribution under the CC BY-SA 4.0 licence.",
    ),
    "licence": (
        "Les contributions sont publiées sous licence CC BY-SA 4.0 uniquement.",
        "Contributions are published under the CC BY-SA 4.0 licence only.",
    ),
    "too_long": ("Texte trop long ({max} caractères au plus).", "Text too long (at most {max} characters)."),
    "too_short": ("Texte trop court ({min} caractères au moins).", "Text too short (at least {min} characters)."),
    "too_many": ("Trop d'éléments ({max} au plus).", "Too many items (at most {max})."),
    "blank": ("Le texte est vide.", "The text is empty."),
    "markup": (
        "Texte brut uniquement : les balises HTML ne sont pas acceptées.",
        "Plain text only: HTML tags are not accepted.",
    ),
    "control_chars": (
        "Le texte contient des caractères de contrôle.",
        "The text contains control characters.",
    ),
    "url_scheme": (
        "Seules les adresses web http:// ou https:// sont acceptées.",
        "Only http:// or https:// web addresses are accepted.",
    ),
    "outside_town": (
        "Ce lieu est en dehors de la zone couverte ({town}).",
        "This place is outside the area covered ({town}).",
    ),
    "unknown_target": ("Ce lieu n'existe pas dans le guide.", "This place is not in the guide."),
    "target_required": ("Indiquez le lieu concerné.", "Say which place this is about."),
    "target_forbidden": (
        "Une nouvelle fiche ne doit pas viser un lieu existant.",
        "A new entry must not refer to an existing place.",
    ),
    "unknown_category": ("Catégorie inconnue.", "Unknown category."),
    "nothing_proposed": (
        "Proposez au moins une modification.",
        "Propose at least one change.",
    ),
    "photo_required": ("Ajoutez au moins une photo.", "Add at least one photo."),
    "photo_mismatch": (
        "Les photos envoyées ne correspondent pas à celles annoncées.",
        "The photos sent do not match the ones declared.",
    ),
    "photo_format": (
        "Format d'image non reconnu : JPEG, PNG ou WebP uniquement.",
        "Image format not recognised: JPEG, PNG or WebP only.",
    ),
    "photo_too_large": ("Photo trop lourde ({max_mb} Mo au plus).", "Photo too large (at most {max_mb} MB)."),
    "photo_too_many_pixels": (
        "Image trop grande ({max_mp} mégapixels au plus).",
        "Image too big (at most {max_mp} megapixels).",
    ),
    "photo_unreadable": ("Image illisible ou incomplète.", "The image is unreadable or incomplete."),
    "not_naive_time": ("Indiquez le fuseau horaire.", "Give the time zone."),
}


def message(code: str, **params) -> Message:
    """The :class:`Message` for ``code`` with its placeholders filled."""
    fr, en = CATALOGUE.get(code, CATALOGUE["invalid"])
    try:
        return Message(code, fr.format(**params), en.format(**params))
    except (KeyError, IndexError):  # a missing parameter never hides the message
        return Message(code, fr, en)
