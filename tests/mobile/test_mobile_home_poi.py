"""Home (bundled packs, attribution) and the POI page presenter."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from heritage_kit.packs import save_pack
from mobile.i18n import Translator
from mobile.platform.storage import JsonStore, discover_packs
from mobile.presenters.home import HomePresenter
from mobile.presenters.hours import HoursBadges, state_name
from mobile.presenters.poi_page import present_poi


def test_discover_bundled_packs_monaco_by_default(content_dir):
    entries = discover_packs(content_dir)
    ids = [e.town_id for e in entries if e.manifest]
    assert "monaco" in ids and len(ids) >= 2
    home = HomePresenter(entries, Translator("en"))
    assert home.default_path().endswith("monaco")
    rows = home.rows(home.default_path())
    assert sum(r.current for r in rows) == 1
    assert all("OpenStreetMap" in r.attribution or "Mérimée" in r.attribution for r in rows if r.ok)


def test_town_description_in_the_chosen_language(content_dir):
    entries = [e for e in discover_packs(content_dir) if e.town_id == "monaco"]
    en = HomePresenter(entries, Translator("en")).rows()[0].subtitle
    fr = HomePresenter(entries, Translator("fr")).rows()[0].subtitle
    assert en.startswith("The Rock, La Condamine") and "Le Rocher" not in en
    assert fr.startswith("Le Rocher, la Condamine") and "The Rock" not in fr


def test_a_plain_string_description_still_reads():
    from heritage_kit.models import PackManifest

    data = {"format_version": 1, "town_id": "t", "town_name": "T", "centre": {"lat": 45.0, "lon": 1.0},
            "bbox": {"south": 44.9, "west": 0.9, "north": 45.1, "east": 1.1}, "created": "2026-01-01T00:00:00Z",
            "languages": ["fr"], "attributions": [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}],
            "description": "Un texte / A text"}
    m = PackManifest.model_validate(data)
    assert m.description == "Un texte / A text"


def test_discover_reports_broken_pack_without_raising(tmp_path, pack):
    save_pack(pack, tmp_path / "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "notapack").mkdir()
    entries = discover_packs(tmp_path, tmp_path / "missing")
    assert [e.town_id for e in entries] == ["bad", "monaco"]
    assert entries[0].manifest is None and "bad" in entries[0].problem
    home = HomePresenter(entries, Translator("fr"))
    assert home.default_path().endswith("good")
    bad_row = home.rows()[0]
    assert not bad_row.ok and "illisible" in bad_row.subtitle


def test_pack_summary_counts_and_attribution(pack):
    text = HomePresenter([], Translator("fr")).pack_summary(pack)
    assert "7 lieux · 1 parcours" in text
    assert "4 patrimoine · 2 commerces · 1 services" in text
    assert "© OpenStreetMap contributors — ODbL 1.0" in text


def test_json_store_round_trip_and_garbage(tmp_path):
    store = JsonStore(tmp_path / "sub" / "s.json")
    assert store.load() == {}
    store.save({"a": 1, "é": "ü"})
    assert store.load() == {"a": 1, "é": "ü"}
    (tmp_path / "sub" / "s.json").write_text("[1, 2", encoding="utf-8")
    assert store.load() == {}
    (tmp_path / "sub" / "s.json").write_text(json.dumps([1]), encoding="utf-8")
    assert store.load() == {}


def test_poi_page_in_both_languages_escapes_pack_text(pack):
    poi = pack.poi("osm:way/1")
    now = datetime(2026, 7, 15, 11, 0, tzinfo=ZoneInfo("Europe/Monaco"))
    fr = present_poi(poi, tr=Translator("fr"), badges=None, now=now)
    en = present_poi(poi, tr=Translator("en"), badges=None, now=now)
    assert fr.title == "Palais Princier" and en.title == "Prince's Palace"
    # the description contains markup-like text: escaped, never interpreted
    assert "&bl;Grimaldi&br;" in fr.body and "&amp;" in fr.body and "[Grimaldi]" not in fr.body
    assert fr.subtitle == "palais" and en.subtitle == "palace"
    assert "Période : XIIIe siècle" in fr.facts and "Period: XIIIe siècle" in en.facts
    assert "Wikidata Q1142012" in en.refs
    assert "Palais Princier" in fr.speech and "[" in fr.speech  # speech is plain text, not markup
    assert fr.hours is None


def test_poi_page_hours_badge_from_library(pack):
    poi = pack.poi("osm:way/3")  # Mo-Su 10:00-18:00
    badges = HoursBadges(country="MC", timezone="Europe/Monaco")
    tz = ZoneInfo("Europe/Monaco")
    open_page = present_poi(poi, tr=Translator("en"), badges=badges, now=datetime(2026, 7, 15, 11, 0, tzinfo=tz))
    closed_page = present_poi(poi, tr=Translator("fr"), badges=badges, now=datetime(2026, 7, 15, 20, 0, tzinfo=tz))
    assert open_page.hours.state == "open" and "18" in open_page.hours.text
    assert closed_page.hours.state == "closed" and "10" in closed_page.hours.text
    assert open_page.hours.text != closed_page.hours.text


def test_no_description_placeholder_is_translated(pack):
    poi = pack.poi("osm:way/2")
    page = present_poi(poi, tr=Translator("fr"), badges=None, now=datetime.now())
    assert "Pas encore de description" in page.body


def test_state_name_accepts_enums_strings_and_bools():
    from heritage_kit.hours import State

    assert state_name(State.OPEN) == "open" and state_name(State.CLOSED) == "closed"
    assert state_name(True) == "open" and state_name("unknown") == "unknown" and state_name(object()) == "unknown"


def test_unreadable_hours_are_unknown_not_an_error():
    badges = HoursBadges(country="FR", timezone="Europe/Paris")
    b = badges.badge("sometimes, ask the baker", datetime(2026, 7, 15, 11, 0, tzinfo=ZoneInfo("Europe/Paris")), "en", "?")
    assert b.state == "unknown"
