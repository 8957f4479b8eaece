"""Localised text: ``{"fr": "...", "en": "..."}`` with a fallback chain."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, RootModel, StringConstraints, model_validator

from heritage_kit.types import MAX_LONG_TEXT, LangCode

__all__ = ["LocalizedText", "DEFAULT_FALLBACK"]

DEFAULT_FALLBACK: tuple[str, ...] = ("en", "fr")

_Text = Annotated[str, StringConstraints(max_length=MAX_LONG_TEXT)]


class LocalizedText(RootModel[dict[LangCode, _Text]]):
    """Text in several languages. ``get("de")`` falls back to en, fr, then any."""

    model_config = ConfigDict(frozen=True)  # POIs loaded together share parts (heritage_kit.models.compact)

    @model_validator(mode="before")
    @classmethod
    def _accept_plain_string(cls, value):
        # A bare string is taken as language-neutral French-or-whatever text
        # under the key "und" is not allowed; callers must say the language.
        if isinstance(value, str):
            raise ValueError("localised text must be an object such as {\"fr\": \"...\"}")
        return value

    @model_validator(mode="after")
    def _not_empty(self):
        for v in self.root.values():
            if v and not v.isspace():  # (what ``v.strip()`` tests, without making a string)
                return self
        raise ValueError("localised text needs at least one non-empty language")

    def get(self, lang: str | None = None, fallback: tuple[str, ...] = DEFAULT_FALLBACK) -> str:
        """The text in ``lang``, else the first of ``fallback`` present, else any."""
        texts = self.root
        if lang:
            if texts.get(lang):
                return texts[lang]
            base = lang.split("-")[0]
            if texts.get(base):
                return texts[base]
        for fb in fallback:
            if texts.get(fb):
                return texts[fb]
        for value in texts.values():
            if value:
                return value
        return ""

    @property
    def languages(self) -> list[str]:
        return sorted(k for k, v in self.root.items() if v)

    def values(self):
        return self.root.values()

    def __str__(self) -> str:
        return self.get()
