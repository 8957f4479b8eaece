"""The hours editor's presenter and save flow without a window: pre-filled from the POI's value (or why
not), lunch breaks, copying a day, closures, holidays, the live reading and problems in French and
English, the OSM value; saved as an ``edit`` in the real outbox, shown in "My submissions", and sent
in the background to a real inbox on 127.0.0.1."""

from __future__ import annotations

import pathlib
import sys
import threading
from datetime import date

import pytest

from heritage_kit.models import POI
from heritage_kit.packs import ContentPack
from heritage_kit.submissions import Outbox, validate_submission
from mobile.i18n import Translator
from mobile.presenters.contribute import ContributePresenter
from mobile.presenters.flows import ContributionFlow
from mobile.presenters.hours_editor import HoursEditFlow, HoursEditorPresenter, parse_date
from test_mobile_flows import RecordingScreen  # the show_* recorder of the flow tests

SHOP = "osm:node/6"  # Souvenirs du Palais, "Mo-Su 09:00-18:00" in the mini pack
TODAY = date(2026, 12, 1)


def _editor(pack, tmp_path, lang="en", poi=SHOP, outbox=None) -> HoursEditorPresenter:
    box = outbox if outbox is not None else (lambda: Outbox(tmp_path / "outbox.sqlite", pack=pack))
    return HoursEditorPresenter(pack, Translator(lang), box, poi, today=TODAY)


def _merchant_week(p: HoursEditorPresenter) -> None:
    """Monday–Saturday with a lunch break, closed on Sunday and public holidays, closed 24–26 December."""
    p.add_break(0)
    p.copy_day(0, range(1, 6))
    p.set_open(6, False)
    p.set_holidays("closed")
    k = p.add_closure()
    p.set_closure(k, 0, "24/12/2026")
    p.set_closure(k, 1, "2026-12-26")


def _pack_with(hours: str | None) -> ContentPack:
    poi = POI.model_validate({"id": "osm:node/9", "kind": "commerce", "categories": ["bakery"],
                              "name": {"fr": "Boulangerie", "en": "Bakery"},
                              "location": {"lat": 43.7313, "lon": 7.4226}, "opening_hours": hours})
    return ContentPack.new(town_id="monaco", town_name="Monaco", pois=[poi], country="MC",
                           timezone="Europe/Monaco",
                           attributions=[{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}])


def test_prefilled_from_the_pois_current_value(pack, tmp_path):
    p = _editor(pack, tmp_path)
    assert [d.open for d in p.days] == [True] * 7
    assert all(d.ranges == [["09:00", "18:00"]] for d in p.days)
    assert p.holidays == "as_usual" and p.closures == [] and p.notice() == ""
    s = p.state()
    assert s.ok and s.value == "Mo-Su 09:00-18:00"
    assert s.reading == ["Monday to Sunday: 09:00–18:00", "Public holidays: usual hours"]
    assert p.field_errors()["week"] == "These are already the place's hours: nothing to send."


def test_lunch_break_copy_closures_and_holidays_make_the_value_and_its_reading(pack, tmp_path):
    p = _editor(pack, tmp_path, "fr")
    _merchant_week(p)
    assert p.days[3].ranges == [["09:00", "12:00"], ["14:00", "18:00"]]
    s = p.state()
    assert s.ok and s.problems == {}
    assert s.value == "Mo-Sa 09:00-12:00,14:00-18:00; PH off; 2026 Dec 24-26 off"
    assert s.reading == ["Du lundi au samedi : 09:00–12:00, 14:00–18:00", "Fermé dimanche",
                         "Fermé les jours fériés", "Fermeture exceptionnelle du 24 au 26 décembre 2026"]
    p.remove_break(2)
    p.set_holidays("hours")
    p.set_holiday_time(0, "10:00")
    p.set_holiday_time(1, "13:00")
    p.remove_closure(0)
    assert p.state().value == "Mo-Tu,Th-Sa 09:00-12:00,14:00-18:00; We 09:00-18:00; PH 10:00-13:00"


def test_a_time_typed_loosely_is_tidied_when_readable():
    assert [HoursEditorPresenter.tidy_time(t) for t in ("9h30", "9h", "0930", "24:00", "9h6", "")] == \
        ["09:30", "09:00", "09:30", "24:00", "9h6", ""]


def test_a_break_that_does_not_fit_lunchtime_goes_in_the_middle(pack, tmp_path):
    p = _editor(pack, tmp_path)
    p.set_time(0, 0, 0, "14:00")
    p.set_time(0, 0, 1, "20:00")
    p.add_break(0)
    assert p.days[0].ranges == [["14:00", "17:00"], ["17:30", "20:00"]]


@pytest.mark.parametrize("lang, where, word", [("en", "Tuesday", "unreadable time"),
                                               ("fr", "Mardi", "heure illisible")])
def test_problems_are_named_per_day_in_the_users_language(pack, tmp_path, lang, where, word):
    p = _editor(pack, tmp_path, lang)
    p.set_time(1, 0, 0, "9h6")
    p.set_time(3, 0, 1, "08:00")  # Thursday closes before it opens
    s = p.state()
    assert not s.ok and s.value == ""
    assert set(s.problems) == {"day.1", "day.3"}
    assert s.problems["day.1"].startswith(where) and word in s.problems["day.1"] and "9h6" in s.problems["day.1"]
    assert "08:00" in s.problems["day.3"]


def test_closure_dates_are_checked_and_named(pack, tmp_path):
    p = _editor(pack, tmp_path)
    p.add_closure()
    p.set_closure(0, 0, "31/02/2026")
    k = p.add_closure()
    p.set_closure(k, 0, "10/01/2027")
    p.set_closure(k, 1, "05/01/2027")
    s = p.state()
    assert s.problems["closure.0"] == "Closure 1: unreadable date “31/02/2026” (write e.g. 24/12/2026)"
    assert "closure.1" in s.problems and "2027-01-05" in s.problems["closure.1"]
    assert parse_date("2026-12-24") == parse_date("24.12.2026") == date(2026, 12, 24)
    with pytest.raises(ValueError, match="12/24"):
        parse_date("12/24")


def test_every_day_closed_and_holidays_without_hours(pack, tmp_path):
    p = _editor(pack, tmp_path)
    for i in range(7):
        p.set_open(i, False)
    p.set_holidays("hours")
    p.set_holiday_time(0, "")
    s = p.state()
    assert s.problems["week"] == "No opening day: open at least one day"
    assert s.problems["holidays"].startswith("Public holidays: unreadable time")


def test_a_value_the_editor_cannot_represent_is_shown_and_the_week_starts_empty(tmp_path):
    raw = "Jan-Mar Mo-Fr 10:00-16:00"
    pack = _pack_with(raw)
    for lang, words in (("en", "cannot be edited here"), ("fr", "ne peuvent pas être modifiés")):
        p = _editor(pack, tmp_path, lang, poi="osm:node/9")
        assert words in p.notice() and raw in p.notice()
        assert [d.open for d in p.days] == [False] * 7
        assert p.state().problems["week"] in ("No opening day: open at least one day",
                                              "Aucun jour d'ouverture : ouvrir au moins un jour")


def test_a_shop_without_hours_starts_from_an_empty_week(tmp_path):
    p = _editor(_pack_with(None), tmp_path, poi="osm:node/9")
    assert p.notice() == "" and not any(d.open for d in p.days)
    assert p.current_value() == "Current value: —"


def test_pseudonym_and_consent_are_required(pack, tmp_path):
    p = _editor(pack, tmp_path)
    _merchant_week(p)
    errors = p.field_errors()
    assert set(errors) == {"author", "consent"}
    res = p.save()
    assert not res.ok and res.text.startswith("To fix:")
    assert p.outbox.items() == []


def test_saved_as_an_edit_in_the_outbox_and_listed_in_my_submissions(pack, tmp_path):
    p = _editor(pack, tmp_path)
    _merchant_week(p)
    p.author, p.consent = "Marchande du Rocher", True
    res = p.save()
    assert res.ok, res.text
    (item,) = p.outbox.items()
    sub = item.submission
    assert sub.kind == "edit" and sub.target == SHOP and item.status == "queued"
    assert sub.proposal.opening_hours == "Mo-Sa 09:00-12:00,14:00-18:00; PH off; 2026 Dec 24-26 off"
    assert validate_submission(sub.wire(), pack=pack) == {}  # the server's own rules accept it
    assert p.field_errors() == {"week": "These hours are already saved (see “My submissions”)."}
    rows = ContributePresenter(pack, Translator("en"), p.outbox).my_submissions()
    assert [(r.title, r.status_code) for r in rows] == [("Palace Souvenirs", "queued")]
    assert rows[0].detail.startswith("Opening hours: Mo-Sa 09:00-12:00,14:00-18:00")


class _Host:
    """What the app gives the flow: the worker thread replaced by running the work inline."""

    def __init__(self, pack, tmp_path) -> None:
        self.pack, self.tr, self.syncing = pack, Translator("en"), False
        self.url = ""
        self._contribute = ContributePresenter(pack, self.tr, lambda: Outbox(tmp_path / "outbox.sqlite", pack=pack))
        self.threads: list[threading.Thread] = []

        def spawn(fn):
            t = threading.Thread(target=fn)
            self.threads.append(t)
            t.start()

        self.contributions = ContributionFlow(self, spawn=spawn)

        self.later: list = []  # work held back while ``hold`` is set (a slow worker thread)
        self.hold = False

    def run_io(self, work, done=None, failed=None):
        def job():
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001
                failed(exc)
                return
            done(result)

        self.later.append(job) if self.hold else job()

    def schedule(self, fn):
        fn()

    def contribute_presenter(self):
        return self._contribute

    def inbox_credentials(self):
        return self.url, "device-token-1234567890"


def test_the_flow_refuses_a_form_with_problems_and_names_them(pack, tmp_path):
    host, screen = _Host(pack, tmp_path), RecordingScreen()
    p = _editor(pack, tmp_path)
    p.set_time(0, 0, 0, "25:00")
    assert not HoursEditFlow(host).save(p, screen)
    (name, (errors,)), (name2, (text, ok)) = screen.calls
    assert name == "show_errors" and set(errors) == {"day.0", "author", "consent"}
    assert name2 == "show_result" and not ok and "25:00" in text


def test_a_second_tap_while_saving_saves_once_and_the_draft_is_read_at_the_tap(pack, tmp_path):
    host, screen = _Host(pack, tmp_path), RecordingScreen()
    p = _editor(pack, tmp_path, outbox=host.contribute_presenter().outbox)
    _merchant_week(p)
    p.author, p.consent = "Marchande du Rocher", True
    flow = HoursEditFlow(host)
    host.hold = True
    assert flow.save(p, screen) and not flow.save(p, screen)
    p.set_time(0, 0, 0, "07:00")  # typed while the worker stores the tapped week
    host.hold = False
    for job in host.later:
        job()
    (item,) = p.outbox.items()
    assert item.submission.proposal.opening_hours == "Mo-Sa 09:00-12:00,14:00-18:00; PH off; 2026 Dec 24-26 off"
    assert screen.shown("show_saving") == [(True,), (False,)]
    assert p.state().value.startswith("Mo 07:00-12:00,14:00-18:00")  # the next save would be a new edit


def test_saved_then_sent_in_the_background_to_a_real_inbox(pack, tmp_path):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contrib"))
    from contrib_support import ThreadServer

    from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app

    host, screen = _Host(pack, tmp_path), RecordingScreen()
    p = _editor(pack, tmp_path, outbox=host.contribute_presenter().outbox)
    _merchant_week(p)
    p.author, p.consent = "Marchande du Rocher", True
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    try:
        with ThreadServer(create_app(storage, pack, InboxSettings())) as server:
            host.url = server.url
            assert HoursEditFlow(host).save(p, screen)
            for t in host.threads:
                t.join(20)
            results = [args for n, args in screen.calls if n == "show_result"]
            assert results == [(results[0][0], True)] and "Sending in the background" in results[0][0]
            assert host.contributions.last_background.ok, host.contributions.last_background.text
            assert [i.status for i in p.outbox.items()] == ["pending"]
        stored = storage.get(p.outbox.items()[0].uuid)
        assert stored.submission.proposal.opening_hours == "Mo-Sa 09:00-12:00,14:00-18:00; PH off; 2026 Dec 24-26 off"
    finally:
        storage.close()


def test_copy_says_what_it_did_and_needs_a_target(pack, tmp_path):
    p = _editor(pack, tmp_path, "fr")
    p.set_open(0, False)
    assert p.copy(0, [0]) == "Choisissez au moins un jour."
    assert p.copy(0, [5, 6, 0]) == "Lundi copié vers : Samedi, Dimanche"
    assert [d.open for d in p.days] == [False, True, True, True, True, False, False]
    assert p.short_day_names() == ["Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim"]
    assert p.state().value == "Tu-Fr 09:00-18:00"
