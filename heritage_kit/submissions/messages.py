"""Bilingual (French / English) messages for contributors, keyed by a stable code.

Validation returns ``{field: Message}``; an app shows ``message.get(lang)`` or
translates ``message.code`` itself. The codes are part of the public API; the
texts live in :mod:`heritage_kit.i18n` (keys ``contrib.<code>``).
"""

from __future__ import annotations

from typing import NamedTuple

from heritage_kit import i18n

__all__ = ["Message", "CATALOGUE", "message"]

_PREFIX = "contrib."


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


# code -> (French, English): a view of the ``contrib.*`` entries of :mod:`heritage_kit.i18n`
# (their one home); ``{name}`` placeholders are filled by :func:`message`.
CATALOGUE: dict[str, tuple[str, str]] = {
    key.removeprefix(_PREFIX): (entry["fr"], entry["en"]) for key, entry in i18n.CATALOGUE.items() if key.startswith(_PREFIX)
}


def message(code: str, **params) -> Message:
    """The :class:`Message` for ``code`` with its placeholders filled (an unknown code gives ``invalid``'s text)."""
    key = _PREFIX + code if _PREFIX + code in i18n.CATALOGUE else _PREFIX + "invalid"
    return Message(code, *i18n.texts(key, **params))
