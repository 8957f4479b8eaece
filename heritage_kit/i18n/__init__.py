"""The library's French / English texts, in one catalogue: ``text(key, lang, **fmt)``.

Every user-facing sentence heritage_kit itself produces lives in this package, under a
dotted key whose first part names its user. The words are kept in one module per user
group, merged here into the one :data:`CATALOGUE` (a key found in two parts fails the
import with :class:`~heritage_kit.errors.ArgumentValueError` naming it):

* :mod:`heritage_kit.i18n.library` —

  * ``contrib.<code>`` — validation messages for contributors
    (:mod:`heritage_kit.submissions.messages`; the codes are public API);
  * ``http.<code>`` — the inbox service's error bodies (:mod:`heritage_kit.inbox.http.errors`);
  * ``hours.*`` — :meth:`heritage_kit.hours.OpeningHours.describe`: sentences,
    ``hours.day.0``–``6`` (Monday first), ``hours.month.1``–``12``; ``hours.edit.*`` the hours editor;
  * ``leaflet.*`` — the printable leaflet's words (:data:`heritage_kit.export.leaflet_plan.WORDS`);
  * ``site.*`` — the static site's words (:data:`heritage_kit.export.site.SITE_WORDS`), with
    ``site.protection.*`` and the photo credit;
  * ``routing.*`` — the routing's notes (a pack without streets);

* :mod:`heritage_kit.i18n.desk` — ``desk.*``: the moderation desk's and the merchants' pages
  (:mod:`heritage_kit.inbox.http.desk`), the publish lock's message, ``inbox publish``'s lines;
  ``desk.reasons.<code>``: the listed rejection reasons (:data:`REASONS`).

Each entry has both ``fr`` and ``en`` with the same ``{placeholders}``
(``tests/test_i18n.py`` checks it). Two ways to read it, as before the merge:

* :func:`text` — the library's: any French tag (``fr-CA``) reads French, anything else English
  (``lang`` defaults to ``"en"``); a missing placeholder value leaves the text unfilled.
* :func:`desk_text` — the desk's: its key without the ``desk.`` prefix (``http.*`` keys are the
  library's, an unknown one reads as ``http.bad_request``); ``lang`` is ``fr`` or ``en`` as
  :func:`pick_lang` gives it (French when the request says nothing), any other value reads
  English; a missing placeholder value is a ``KeyError``.

The language of a desk request is :func:`pick_lang`; :func:`reason_text` is the rejection reason a
contributor reads. The Kivy app's own texts stay in ``mobile/i18n/`` (its ``Translator`` and
catalogue, ``mobile/i18n/catalog.py``), unchanged. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from heritage_kit.errors import ArgumentValueError

from . import desk as _desk
from . import library as _library

__all__ = ["LANGS", "CATALOGUE", "REASONS", "DESK_PREFIX", "REASONS_PREFIX", "text", "texts", "lang_of", "keys",
           "table", "desk_text", "pick_lang", "reason_text", "merge"]

LANGS = ("fr", "en")
"""The languages every entry has (English is the fallback)."""

DESK_PREFIX = "desk."
"""What :func:`desk_text` puts before the desk's keys (``t("queue")`` reads ``desk.queue``)."""

REASONS_PREFIX = "desk.reasons."
"""The listed rejection reasons: ``desk.reasons.<code>``."""

Part = tuple[str, str, Mapping[str, dict[str, str]]]
"""``(name, prefix, texts)``: a table of the catalogue, its keys put under ``prefix``."""


def merge(*parts: Part) -> dict[str, dict[str, str]]:
    """One catalogue from ``parts``, in their order; a key in two parts is an ``ArgumentValueError``
    naming the key and both parts (``argument="parts"``, ``value`` the key)."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for name, prefix, entries in parts:
        for key, entry in entries.items():
            full = prefix + key
            if full in merged:
                raise ArgumentValueError(f"heritage_kit.i18n: text {full!r} is in both {origin[full]} and {name}",
                                         argument="parts", value=full)
            merged[full], origin[full] = entry, name
    return merged


PARTS: tuple[Part, ...] = (
    ("heritage_kit.i18n.library", "", _library.TEXT),
    ("heritage_kit.i18n.desk.TEXT", DESK_PREFIX, _desk.TEXT),
    ("heritage_kit.i18n.desk.REASONS", REASONS_PREFIX, _desk.REASONS),
)
"""The parts :data:`CATALOGUE` is merged from."""

CATALOGUE: dict[str, dict[str, str]] = merge(*PARTS)
"""Every text of the library: ``{key: {"fr": ..., "en": ...}}``."""

REASONS: dict[str, dict[str, str]] = {
    key.removeprefix(REASONS_PREFIX): entry for key, entry in CATALOGUE.items() if key.startswith(REASONS_PREFIX)
}
"""The listed rejection reasons, ``{code: {"fr": ..., "en": ...}}`` (a view of ``desk.reasons.*``)."""


def lang_of(lang: str | None) -> str:
    """``fr`` for any French tag (``fr``, ``fr-CA``, ``FR_fr``…), else ``en``."""
    return "fr" if (lang or "").replace("_", "-").split("-")[0].lower() == "fr" else "en"


def _entry(key: str) -> dict[str, str]:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in heritage_kit.i18n") from None


def text(key: str, lang: str | None = "en", **fmt) -> str:
    """The text under ``key`` in ``lang`` (French or English), its ``{placeholders}`` filled from ``fmt``.

    An unknown key is a ``KeyError`` naming it; a missing placeholder value
    leaves the text unfilled rather than hiding it.
    """
    s = _entry(key)[lang_of(lang)]
    if not fmt:
        return s
    try:
        return s.format(**fmt)
    except (KeyError, IndexError):
        return s


def desk_text(key: str, lang: str | None, **fmt: object) -> str:
    """The desk's text ``key`` (without ``desk.``) in ``lang``, English for any language but ``fr``/``en``.

    ``http.*`` keys are the library's (:func:`text`), an unknown one reads as ``http.bad_request``. An
    unknown key is a ``KeyError`` naming it; so is a placeholder without its value (the desk's pages
    always pass them).
    """
    if key.startswith("http."):
        return text(key, lang, **fmt) if key in CATALOGUE else text("http.bad_request", lang)
    entry = _entry(DESK_PREFIX + key)
    value = entry[lang] if lang in LANGS else entry["en"]
    return value.format(**fmt) if fmt else value


def texts(key: str, **fmt) -> tuple[str, str]:
    """``(French, English)`` for ``key``, filled as :func:`text` does."""
    return text(key, "fr", **fmt), text(key, "en", **fmt)


def keys(prefix: str = "") -> list[str]:
    """The keys starting with ``prefix`` (e.g. ``"contrib."``), in catalogue order."""
    return [k for k in CATALOGUE if k.startswith(prefix)]


def table(prefix: str) -> dict[str, dict[str, str]]:
    """``{lang: {key without prefix: text}}`` for the keys under ``prefix`` (placeholders unfilled):
    the word tables the exporters index as ``WORDS[lang]["stops"]``."""
    return {lang: {k[len(prefix):]: CATALOGUE[k][lang] for k in keys(prefix)} for lang in LANGS}


def pick_lang(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """A desk request's language: ``?lang=``, then the cookie, then the first of fr/en in ``Accept-Language``
    (by q), else French."""
    for given in (query, cookie):
        if given in LANGS:
            return given
    best, best_q = None, -1.0
    for i, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if base in LANGS and q > best_q:
            best, best_q = base, q
    return best or "fr"


def reason_text(choice: str | None, typed: str | None) -> str | None:
    """The reason a contributor reads: the typed one, else the chosen one in both languages; None when neither."""
    typed = (typed or "").strip()
    if typed:
        return typed
    if choice in REASONS:
        r = REASONS[choice]
        return f"{r['fr']} / {r['en']}"
    return None
