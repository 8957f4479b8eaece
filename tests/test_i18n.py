"""heritage_kit.i18n: every key (the library's and the desk's) in French and English, with the same placeholders;
one catalogue merged from its parts; the old entry points use it."""

from __future__ import annotations

import os
import string
import subprocess
import sys
from datetime import datetime
from pathlib import Path

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


def test_the_desk_texts_and_reasons_are_in_the_catalogue():
    # the desk's table and its listed reasons are checked by the test above, as desk.* / desk.reasons.* keys
    from heritage_kit.i18n import desk, library

    assert {"desk." + k for k in desk.TEXT} | {"desk.reasons." + k for k in desk.REASONS} == set(i18n.keys("desk."))
    assert len(i18n.CATALOGUE) == len(library.TEXT) + len(desk.TEXT) + len(desk.REASONS)
    assert i18n.REASONS == desk.REASONS and set(i18n.REASONS) >= {"duplicate", "outside", "wording"}
    assert all(i18n.CATALOGUE[k] == v for k, v in library.TEXT.items())


def test_a_key_in_two_parts_is_refused():
    from heritage_kit.errors import ArgumentValueError, HeritageKitError

    one = {"queue": {"fr": "File", "en": "Queue"}}
    assert list(i18n.merge(("a", "", {"desk.queue": one["queue"]}), ("b", "x.", one))) == ["desk.queue", "x.queue"]
    with pytest.raises(ArgumentValueError, match="'desk.queue' is in both a and b") as err:
        i18n.merge(("a", "", {"desk.queue": one["queue"]}), ("b", "desk.", one))
    assert isinstance(err.value, HeritageKitError) and isinstance(err.value, ValueError)
    assert err.value.value == "desk.queue"


def test_a_key_in_two_parts_fails_the_import(tmp_path):
    """A copy of the package whose desk part repeats a library key cannot be imported (the merge runs at import)."""
    root = Path(i18n.__file__).parent
    copy = tmp_path / "i18n_copy"
    copy.mkdir()
    for name in ("__init__.py", "library.py", "desk.py"):
        (copy / name).write_text((root / name).read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parents[1])])}
    probe = [sys.executable, "-c", "import i18n_copy; print(len(i18n_copy.CATALOGUE))"]
    ok = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and int(ok.stdout) == len(i18n.CATALOGUE), ok.stderr
    with (copy / "desk.py").open("a", encoding="utf-8") as f:
        f.write('\nTEXT["reasons.photo"] = {"fr": "Photo", "en": "Photo"}\n')  # desk.reasons.photo twice
    bad = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0
    assert "ArgumentValueError" in bad.stderr and "'desk.reasons.photo' is in both" in bad.stderr, bad.stderr


def test_desk_text_reads_the_desk_keys_as_the_desk_did():
    assert i18n.desk_text("queue", "fr") == "Contributions" and i18n.desk_text("queue", "en") == "Submissions"
    assert i18n.desk_text("page", "fr", n=2, total=5) == "Page 2 sur 5"
    assert i18n.desk_text("queue", "de") == "Submissions"  # any other language: English
    assert i18n.desk_text("queue", "fr-CA") == "Submissions"  # exact codes (pick_lang gives fr or en)
    assert i18n.text("contrib.blank", "fr-CA") == "Le texte est vide."  # the library's text reads any French tag
    assert i18n.desk_text("http.not_found", "fr") == "Introuvable."  # the library's http.* texts
    assert i18n.desk_text("http.no_such_code", "en") == "Bad request."
    with pytest.raises(KeyError, match="no text 'desk.nope'"):
        i18n.desk_text("nope", "fr")
    with pytest.raises(KeyError):  # the desk's pages always pass their values: a missing one is a bug
        i18n.desk_text("page", "fr", n=2)
    assert i18n.text("desk.page", "fr", n=2) == "Page {n} sur {total}"  # the library's text never hides it


def test_pick_lang_and_reason_text():
    assert i18n.pick_lang(None, None, None) == "fr"
    assert i18n.pick_lang("en", "fr", "fr") == "en" and i18n.pick_lang("xx", "en", "fr") == "en"
    assert i18n.pick_lang(None, None, "de, en-GB;q=0.8, fr;q=0.5") == "en"
    assert i18n.pick_lang(None, None, "en;q=bad, fr;q=0.1") == "fr"
    assert i18n.reason_text("duplicate", "  ") == "Ce lieu est déjà dans le guide. / This place is already in the guide."
    assert i18n.reason_text("duplicate", " Déjà là ") == "Déjà là"
    assert i18n.reason_text("nope", None) is None


def test_keys_are_grouped_by_their_user():
    assert {k.split(".")[0] for k in i18n.CATALOGUE} == {"contrib", "http", "hours", "routing", "leaflet", "site",
                                                        "desk"}
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
