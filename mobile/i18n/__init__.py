"""French and English for every string of the app.

``Translator(lang).tr(key, **values)`` returns the text for ``key`` in the
chosen language (``str.format`` placeholders filled in). Every key of
:data:`mobile.i18n.catalog.CATALOG` has both languages (a test checks it);
an unknown key is a programming error and raises ``KeyError``. ``count(key, n)`` picks the
singular entry (``key.one``) by the language's plural rule ("1 result", "1 étape").

No kivy import here: presenters use it too.
"""

from __future__ import annotations

import locale
import os

from mobile.i18n.catalog import CATALOG
from mobile.i18n.towns_text import TEXTS as _TOWNS_TEXTS

assert not set(_TOWNS_TEXTS) & set(CATALOG), "a Towns key is also in catalog.py"
CATALOG.update(_TOWNS_TEXTS)

__all__ = ["LANGUAGES", "Translator", "default_language", "CATALOG"]

LANGUAGES: tuple[str, ...] = ("fr", "en")


def default_language(environ: dict[str, str] | None = None) -> str:
    """French on a French system (``LANG``/``LC_ALL``/``LC_MESSAGES`` = fr…), else English."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    if environ is None:
        try:
            loc = locale.getlocale()[0] or ""
        except ValueError:  # pragma: no cover - broken locale settings
            loc = ""
        if loc.lower().startswith("fr"):
            return "fr"
    return "en"


class Translator:
    """Looks strings up in one language of the catalogue."""

    def __init__(self, lang: str = "fr") -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        self.lang = lang

    def tr(self, key: str, /, **values: object) -> str:
        text = CATALOG[key][self.lang]
        return text.format(**values) if values else text

    __call__ = tr

    def count(self, key: str, /, n: int, **values: object) -> str:
        """``key`` for ``n`` things with the language's plural rule: the ``key + ".one"`` entry for the
        singular (French: 0 and 1; English: 1) when the catalogue has one, else ``key``."""
        singular = n in (0, 1) if self.lang == "fr" else n == 1
        one = key + ".one"
        return self.tr(one if singular and one in CATALOG else key, n=n, **values)

    # -- formatting helpers shared by presenters ---------------------------
    def distance(self, metres: float) -> str:
        if metres < 1000:
            return self.tr("unit.m", n=int(round(metres / 5.0) * 5))
        km = metres / 1000.0
        text = f"{km:.1f}"
        if self.lang == "fr":
            text = text.replace(".", ",")
        return self.tr("unit.km", n=text)

    def minutes(self, minutes: float) -> str:
        m = max(1, int(round(minutes)))
        if m < 60:
            return self.tr("unit.min", n=m)
        return self.tr("unit.h_min", h=m // 60, m=f"{m % 60:02d}")

    def time(self, hour: int, minute: int) -> str:
        if self.lang == "fr":
            return f"{hour:d} h {minute:02d}" if minute else f"{hour:d} h"
        return f"{hour:d}:{minute:02d}"

    def direction(self, bearing: float) -> str:
        names = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
        return self.tr("dir." + names[int(((bearing % 360) + 22.5) // 45) % 8])
