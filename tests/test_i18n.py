"""heritage_kit.i18n: every key in French and English, with the same placeholders; the old entry points use it."""

from __future__ import annotations

import string
from datetime import datetime

import pytest

from heritage_kit import i18n
from heritage_kit.hours import OpeningHours
from heritage_kit.submissions.messages import CATALOGUE, message


def _fields(s: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(s) if name is not None}


def _assert_bilingual(key: str, entry: dict[str, str]) -> None:
    assert set(entry) == set(i18n.LANGS), key
    assert all(isinstance(v, str) and v.strip() for v in entry.values()), key
    assert _fields(entry["fr"]) == _fields(entry["en"]), key


@pytest.mark.parametrize("key", list(i18n.CATALOGUE))
def test_every_key_has_french_and_english_with_the_same_placeholders(key):
    _assert_bilingual(key, i18n.CATALOGUE[key])


def _desk_tables():
    from heritage_kit.inbox import desk_text

    return {**{f"desk:{k}": v for k, v in desk_text.TEXT.items()},
            **{f"desk reason:{k}": v for k, v in desk_text.REASONS.items()}}


@pytest.mark.parametrize("key", list(_desk_tables()))
def test_every_desk_text_has_french_and_english_with_the_same_placeholders(key):
    # the desk's own table (heritage_kit.inbox.desk_text): the same rules as the library's catalogue
    _assert_bilingual(key, _desk_tables()[key])


def test_keys_are_grouped_by_their_user():
    assert {k.split(".")[0] for k in i18n.CATALOGUE} == {"contrib", "http", "hours", "routing", "leaflet", "site"}
    assert len(i18n.keys("hours.day.")) == 7 and len(i18n.keys("hours.month.")) == 12


def test_text_fills_placeholders_and_picks_the_language():
    assert i18n.text("contrib.too_long", "fr", max=80) == "Texte trop long (80 caractères au plus)."
    assert i18n.text("contrib.too_long", "fr-CA", max=80).startswith("Texte")
    assert i18n.text("contrib.too_long", "de", max=80) == "Text too long (at most 80 characters)."
    assert i18n.text("contrib.too_long", None) == "Text too long (at most {max} characters)."  # nothing to fill
    with pytest.raises(KeyError, match="no text 'nope'"):
        i18n.text("nope")


def test_submission_messages_come_from_the_catalogue():
    assert set(CATALOGUE) == {k.removeprefix("contrib.") for k in i18n.keys("contrib.")}
    m = message("photo_too_large", max_mb=8)
    assert (m.code, m.fr, m.en) == ("photo_too_large", "Photo trop lourde (8 Mo au plus).", "Photo too large (at most 8 MB).")
    assert message("no_such_code").en == "Invalid value."
    assert message("too_long").fr == "Texte trop long ({max} caractères au plus)."  # a missing value never hides it


def test_hours_sentences_come_from_the_catalogue():
    h = OpeningHours("Mo-Fr 09:00-18:00", timezone="Europe/Paris")
    sat = datetime(2026, 12, 5, 12, 0)  # a Saturday
    assert h.describe(sat, "fr") == "Fermé · Ouvre lundi à 09:00"
    assert h.describe(sat, "en") == "Closed · Opens Monday at 09:00"
    assert h.describe(datetime(2026, 12, 7, 10, 0), "fr") == "Ouvert jusqu'à 18:00"
    far = OpeningHours("Jan 01 09:00-12:00", timezone="Europe/Paris")
    assert far.describe(datetime(2026, 12, 24, 10, 0), "fr") == "Fermé · Ouvre le 1er janvier à 09:00"
    assert far.describe(datetime(2026, 12, 24, 10, 0), "en") == "Closed · Opens on 1 January at 09:00"


def test_the_exporters_word_tables_come_from_the_catalogue():
    """The leaflet's and the site's FR/EN words have one home: heritage_kit.i18n (both languages checked above)."""
    from datetime import date

    from heritage_kit.export.leaflet_plan import WORDS, day_words
    from heritage_kit.export.site import SITE_WORDS

    for table, prefix in ((WORDS, "leaflet."), (SITE_WORDS, "site.")):
        assert set(table) == {"fr", "en"} and table["fr"].keys() == table["en"].keys()
        assert {prefix + k for k in table["fr"]} == set(i18n.keys(prefix))
        assert all(table[lang][k] == i18n.text(prefix + k, lang) for lang in ("fr", "en") for k in table[lang])
    assert WORDS["fr"]["stops"] == "{n} étapes" and SITE_WORDS["en"]["hours"] == "Opening hours"
    assert SITE_WORDS["fr"]["protection.classé"] == "classé monument historique"
    assert day_words(date(2026, 3, 1), "fr") == "dimanche 1er mars 2026"
    assert day_words(date(2026, 12, 12), "en") == "Saturday 12 December 2026"
