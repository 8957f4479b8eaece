"""Why something failed, in the user's language.

The library's messages are English and written for developers; the screens show a
translated reason for the errors a visitor can meet, and the library's text only
for the rare others.
"""

from __future__ import annotations

from heritage_kit.errors import HeritageKitError, PoiNotFound, RouteNotFound
from mobile.i18n import Translator

__all__ = ["error_reason"]


def error_reason(exc: BaseException, tr: Translator) -> str:
    """A short reason for ``exc`` (plain text: escape it before markup)."""
    if isinstance(exc, RouteNotFound):
        return tr.tr("error.no_walking_route")
    if isinstance(exc, PoiNotFound):
        return tr.tr("error.poi_not_found")
    if isinstance(exc, OSError) and not isinstance(exc, HeritageKitError):
        return tr.tr("error.file", message=exc.strerror or type(exc).__name__)
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
