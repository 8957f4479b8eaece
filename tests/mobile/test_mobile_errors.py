"""Failures reach the screens as a reason in the user's language."""

from __future__ import annotations

from heritage_kit.errors import PoiNotFound, RouteNotFound, SourceDataError
from mobile.i18n import Translator
from mobile.presenters.errors import error_reason


def test_no_route_in_both_languages():
    exc = RouteNotFound("no step-free route from (43.73, 7.42) to (43.74, 7.43)")
    assert error_reason(exc, Translator("fr")) == "aucun chemin à pied ne relie ces points dans les rues de la ville"
    assert error_reason(exc, Translator("en")) == "no walking path links these points in the town's streets"


def test_missing_place_and_unreadable_file():
    assert error_reason(PoiNotFound("osm:node/1"), Translator("fr")).startswith("ce lieu n'est plus")
    err = FileNotFoundError(2, "No such file or directory", "walk.gpx")
    assert error_reason(err, Translator("en")) == "the file could not be read (No such file or directory)"


def test_other_library_errors_keep_their_first_line():
    exc = SourceDataError("walk.gpx: track 1, point 3: latitude 95 out of range\nmore detail")
    assert error_reason(exc, Translator("fr")) == "walk.gpx: track 1, point 3: latitude 95 out of range"
    assert error_reason(ValueError(""), Translator("en")) == "ValueError"
