"""Every string exists in French and English; placeholders agree; kv and code use known keys."""

import pathlib
import re
import string

import pytest

from mobile.i18n import CATALOG, LANGUAGES, Translator, default_language

MOBILE = pathlib.Path(__file__).resolve().parents[2] / "mobile"


def _fields(text):
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_key_has_french_and_english_with_same_placeholders():
    for key, texts in CATALOG.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(t.strip() for t in texts.values()), key
        assert _fields(texts["fr"]) == _fields(texts["en"]), key


def test_french_and_english_differ_except_for_words_shared_by_both():
    same = sorted(k for k, t in CATALOG.items() if t["fr"] == t["en"] and re.search(r"[A-Za-zé]{3,}", t["fr"]))
    # words spelt the same in both languages; everything else is translated
    assert same == ["contrib.description", "field.description", "field.photo", "kind.service", "nav.towns",
                    "trails.arrival", "trails.interest.monuments", "unit.min", "walk.distance"]


def _used_keys():
    keys = set()
    pattern = re.compile(r"""(?:\bt|\.tr|tr\.tr|app\.t|self\.t)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
    for path in list(MOBILE.rglob("*.py")) + list(MOBILE.rglob("*.kv")):
        keys.update(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_key_used_in_code_and_kv_is_in_the_catalogue():
    used = _used_keys()
    assert len(used) > 60
    missing = sorted(k for k in used if k not in CATALOG)
    assert not missing, missing


def test_kv_files_have_no_untranslated_literal_text():
    offenders = []
    for path in MOBILE.rglob("*.kv"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = re.match(r"\s*(text|hint_text|title):\s*'([^']*)'\s*$", line)
            if m and re.search(r"[A-Za-zé]{3,}", m.group(2)) and m.group(2) not in ("Français", "English"):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_translator_formats_and_rejects_unknown_language():
    fr, en = Translator("fr"), Translator("en")
    assert fr.tr("walk.progress", n=2, m=5) == "2/5 étapes vues"
    assert en.tr("walk.progress", n=2, m=5) == "2/5 stops visited"
    with pytest.raises(ValueError):
        Translator("de")
    with pytest.raises(KeyError):
        en.tr("no.such.key")


def test_units_and_directions():
    fr, en = Translator("fr"), Translator("en")
    assert en.distance(123) == "125 m"
    assert fr.distance(1530) == "1,5 km" and en.distance(1530) == "1.5 km"
    assert en.minutes(75) == "1 h 15" and fr.minutes(12) == "12 min"
    assert en.direction(0) == "north" and en.direction(350) == "north"
    assert fr.direction(90) == "à l'est" and en.direction(225) == "south-west"
    assert fr.time(9, 0) == "9 h" and fr.time(18, 30) == "18 h 30" and en.time(18, 30) == "18:30"


@pytest.mark.parametrize(
    "env, lang",
    [({"LANG": "fr_FR.UTF-8"}, "fr"), ({"LC_ALL": "fr_CA"}, "fr"), ({"LANG": "en_GB.UTF-8"}, "en"),
     ({"LC_ALL": "de_DE", "LANG": "fr_FR"}, "en"), ({}, "en")],
)
def test_default_language_is_french_on_a_french_system(env, lang):
    assert default_language(env) == lang


def test_counts_follow_each_languages_plural_rule():
    en, fr = Translator("en"), Translator("fr")
    assert [en.count("explore.count", n) for n in (1, 2)] == ["1 result", "2 results"]
    assert [fr.count("explore.count", n) for n in (1, 2)] == ["1 résultat", "2 résultats"]
    assert [fr.count("trails.stops", n) for n in (0, 1, 2)] == ["0 étape", "1 étape", "2 étapes"]
    assert en.count("trails.stops", 0) == "0 stops"
    assert en.count("trails.planned", 1, distance="300 m", duration="5 min") == "Suggested walk: 1 stop, 300 m, 5 min"
    assert en.count("walk.progress", 1, m=4) == "1/4 stops visited"  # no singular entry: the key itself
