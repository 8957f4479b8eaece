"""Opening hours: hand-checked cases, French public holidays, the Niort values, the opening-hours-rs sample,
and a scan of every bundled value for "open all day" readings the text does not say."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heritage_kit import HoursError, OpeningHours
from heritage_kit.hours import State, hours_for, is_public_holiday, repair
from heritage_kit.hours_repair import _BARE_DAY_LIST_MSG, _COMMENT_ONLY_MSG, _LONE_DAYS_MSG
from heritage_kit.hours_scan import scan_value, scan_values, values_in

PARIS = ZoneInfo("Europe/Paris")
SHOP = "Mo-Sa 09:00-12:00,14:00-19:30; PH off"
MISREADING_MESSAGES = (_BARE_DAY_LIST_MSG, _COMMENT_ONLY_MSG, _LONE_DAYS_MSG)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- hand-checked states ------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "state"),
    [
        ("2026-07-13 10:00", State.OPEN),  # Monday morning
        ("2026-07-13 12:30", State.CLOSED),  # lunch break
        ("2026-07-13 19:29", State.OPEN),
        ("2026-07-13 19:30", State.CLOSED),  # closing time is exclusive
        ("2026-07-14 10:00", State.CLOSED),  # Fête nationale (Tuesday): PH off
        ("2026-12-25 10:00", State.CLOSED),  # Christmas (Friday)
        ("2026-12-24 10:00", State.OPEN),  # Christmas Eve is not a holiday
        ("2026-04-06 10:00", State.CLOSED),  # Easter Monday
        ("2026-05-25 10:00", State.CLOSED),  # Whit Monday
        ("2026-07-12 10:00", State.CLOSED),  # Sunday
    ],
)
def test_state_hand_checked(when, state):
    oh = OpeningHours(SHOP, country="FR", timezone="Europe/Paris")
    assert oh.state(at(when)) == state
    assert oh.is_open(at(when)) is (state is State.OPEN)


def test_holidays_only_count_when_the_value_says_ph():
    assert OpeningHours("Mo-Sa 09:00-19:30").is_open(at("2026-07-14 10:00"))
    assert not OpeningHours("Mo-Sa 09:00-19:30; PH off").is_open(at("2026-07-14 10:00"))
    # open on holidays only
    museum = OpeningHours("Tu-Su 10:00-18:00; PH 14:00-18:00")
    assert not museum.is_open(at("2026-12-25 11:00"))
    assert museum.is_open(at("2026-12-25 15:00"))


def test_french_holiday_calendar_matches_the_reference_list(raw_dir):
    lines = (raw_dir / "opening-hours" / "opening_hours_rs_holidays_public_FR.txt").read_text().split()
    listed = {date.fromisoformat(d) for d in lines if d[:1].isdigit() and "2020" <= d[:4] <= "2030"}
    assert date(2026, 7, 14) in listed and date(2026, 12, 25) in listed
    day = date(2020, 1, 1)
    while day <= date(2030, 12, 31):
        assert is_public_holiday(day, "FR") is (day in listed), day
        day += timedelta(days=1)


def test_the_place_timezone_is_used():
    oh = OpeningHours(SHOP, timezone="Europe/Paris")
    # 17:15 UTC is 19:15 in Paris in July (open); 17:45 UTC is 19:45 (closed)
    assert oh.is_open(datetime(2026, 7, 13, 17, 15, tzinfo=timezone.utc))
    assert not oh.is_open(datetime(2026, 7, 13, 17, 45, tzinfo=timezone.utc))
    # a naive time is read as local time of the place
    assert oh.is_open(datetime(2026, 7, 13, 19, 15))
    # the same value in Guadeloupe (UTC-4): 17:15 UTC is 13:15 there, lunch break
    gp = OpeningHours(SHOP, country="FR", timezone="America/Guadeloupe")
    assert not gp.is_open(datetime(2026, 7, 13, 17, 15, tzinfo=timezone.utc))
    nxt = gp.next_change(datetime(2026, 7, 13, 17, 15, tzinfo=timezone.utc))
    assert nxt == datetime(2026, 7, 13, 14, 0, tzinfo=ZoneInfo("America/Guadeloupe"))


def test_other_countries_and_unknown_ones():
    # Monaco: Fête du Prince (19 November) and Sainte-Dévote (27 January), not 14 July
    oh = OpeningHours("Mo-Sa 09:00-19:00; PH off", country="MC", timezone="Europe/Monaco")
    assert not oh.is_open(at("2026-11-19 10:00")) and not oh.is_open(at("2026-01-27 10:00"))
    assert oh.is_open(at("2026-07-14 10:00"))
    # overseas France has its own ISO codes: the national calendar applies
    gp = OpeningHours("Mo-Sa 09:00-19:00; PH off", country="GP", timezone="America/Guadeloupe")
    assert not gp.is_open(at("2026-07-14 10:00")) and gp.is_open(at("2026-07-13 10:00"))
    with pytest.raises(HoursError, match="country"):
        OpeningHours("Mo-Sa 09:00-19:00; PH off", country="XX")
    with pytest.raises(HoursError, match="country"):
        is_public_holiday(date(2026, 12, 25), "XX")


def test_unknown_timezone_is_a_clear_error():
    with pytest.raises(HoursError, match="timezone"):
        OpeningHours("24/7", timezone="Europe/Nowhere")
    # a UTC tzinfo works, as does a ZoneInfo
    assert OpeningHours("Mo-Fr 09:00-17:00", timezone=timezone.utc).is_open(datetime(2026, 7, 13, 12, tzinfo=PARIS))
    assert not OpeningHours("Mo-Fr 09:00-17:00", timezone=timezone.utc).is_open(datetime(2026, 7, 13, 10, tzinfo=PARIS))
    assert OpeningHours("Mo-Fr 09:00-17:00", timezone=PARIS).timezone is PARIS


def test_next_change_and_intervals():
    oh = OpeningHours(SHOP)
    assert oh.next_change(at("2026-07-13 10:00")) == datetime(2026, 7, 13, 12, 0, tzinfo=PARIS)
    # Monday evening -> Wednesday 09:00 (Tuesday is 14 July)
    assert oh.next_change(at("2026-07-13 20:00")) == datetime(2026, 7, 15, 9, 0, tzinfo=PARIS)
    ivs = oh.intervals(at("2026-07-13 00:00"), at("2026-07-14 00:00"))
    assert [(i.start.strftime("%H:%M"), i.end.strftime("%H:%M"), i.state.value) for i in ivs] == [
        ("00:00", "09:00", "closed"),
        ("09:00", "12:00", "open"),
        ("12:00", "14:00", "closed"),
        ("14:00", "19:30", "open"),
        ("19:30", "00:00", "closed"),
    ]
    assert ivs[0].start.tzinfo is not None and ivs[1].minutes == 180
    windows = oh.open_intervals(at("2026-07-13 00:00"), at("2026-07-16 00:00"))
    assert [(w.start.day, w.start.hour) for w in windows] == [(13, 9), (13, 14), (15, 9), (15, 14)]
    assert oh.intervals(at("2026-07-13 10:00"), at("2026-07-13 09:00")) == []


def test_is_open_for_the_whole_visit():
    oh = OpeningHours(SHOP)
    assert oh.is_open_for(at("2026-07-13 19:00"), 20)
    assert oh.is_open_for(at("2026-07-13 19:00"), 30)  # leaves exactly at closing time
    assert not oh.is_open_for(at("2026-07-13 19:00"), 45)
    assert not oh.is_open_for(at("2026-07-13 11:30"), 45)  # lunch break in the middle
    assert oh.is_open_for(at("2026-07-13 14:00"), 60)
    assert not oh.is_open_for(at("2026-07-14 10:00"), 10)  # 14 July
    assert not oh.is_open_for(at("2026-07-13 08:55"), 30)  # not open on arrival
    # open past midnight
    bar = OpeningHours("Fr-Sa 20:00-02:00")
    assert bar.is_open_for(at("2026-07-17 23:30"), 120)
    assert not bar.is_open_for(at("2026-07-17 23:30"), 180)
    with pytest.raises(HoursError):
        oh.is_open_for(at("2026-07-13 10:00"), -5)


def test_unknown_state_is_never_open():
    oh = OpeningHours("Mo-Fr 09:00-18:00; Sa unknown \"appeler avant\"")
    assert oh.state(at("2026-07-18 10:00")) == State.UNKNOWN
    assert not oh.is_open(at("2026-07-18 10:00"))
    assert not oh.is_open_for(at("2026-07-18 10:00"), 10)
    assert oh.describe(at("2026-07-18 10:00"), "fr") == "Horaires inconnus (appeler avant)"


# -- describe ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "fr", "en"),
    [
        ("2026-07-13 15:00", "Ouvert jusqu'à 19:30", "Open until 19:30"),
        ("2026-07-13 12:30", "Fermé · Ouvre à 14:00", "Closed · Opens at 14:00"),
        ("2026-07-11 20:00", "Fermé · Ouvre lundi à 09:00", "Closed · Opens Monday at 09:00"),
        ("2026-07-16 20:00", "Fermé · Ouvre demain à 09:00", "Closed · Opens tomorrow at 09:00"),
        ("2026-07-14 10:00", "Fermé (jour férié) · Ouvre demain à 09:00", "Closed (public holiday) · Opens tomorrow at 09:00"),
        ("2026-12-25 10:00", "Fermé (jour férié) · Ouvre demain à 09:00", "Closed (public holiday) · Opens tomorrow at 09:00"),
    ],
)
def test_describe_in_french_and_english(when, fr, en):
    oh = OpeningHours(SHOP)
    assert oh.describe(at(when), "fr") == fr
    assert oh.describe(at(when), "en") == en


def test_describe_other_shapes():
    assert OpeningHours("24/7").describe(at("2026-07-13 03:00"), "fr") == "Ouvert 24h/24"
    assert OpeningHours("24/7").describe(at("2026-07-13 03:00"), "en") == "Open 24/7"
    bar = OpeningHours("Fr-Sa 20:00-02:00")
    assert bar.describe(at("2026-07-17 23:00"), "en") == "Open until 02:00 tomorrow"
    assert bar.describe(at("2026-07-17 23:00"), "fr") == "Ouvert jusqu'à demain 02:00"
    late = OpeningHours("Mo-Su 10:00-24:00")
    assert late.describe(at("2026-07-17 23:00"), "fr") == "Ouvert jusqu'à minuit"
    seasonal = OpeningHours("Jul-Aug 10:00-18:00")
    assert seasonal.describe(at("2026-06-20 12:00"), "en") == "Closed · Opens on 1 July at 10:00"
    assert seasonal.describe(at("2026-06-20 12:00"), "fr") == "Fermé · Ouvre le 1er juillet à 10:00"
    assert OpeningHours("off").describe(at("2026-06-20 12:00"), "en") == "Closed"
    assert OpeningHours("n'importe quoi").describe(at("2026-06-20 12:00"), "en") == "Opening hours unknown"
    assert OpeningHours("n'importe quoi").describe(at("2026-06-20 12:00"), "fr") == "Horaires inconnus"


# -- the lenient normaliser ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "read_as"),
    [
        ("Mo-Sa 09:00-12:30 / 14:00-19:30", "Mo-Sa 09:00-12:30,14:00-19:30"),
        ("Mo-Fr 9h-12h, 14h-18h30", "Mo-Fr 09:00-12:00, 14:00-18:30"),
        ("du lundi au vendredi 9h-12h et 14h-18h", "Mo-Fr 09:00-12:00,14:00-18:00"),
        ("mardi au samedi de 10h à 19h", "Tu-Sa 10:00-19:00"),
        ("Lundi-Samedi : 9h30 - 19h", "Mo-Sa 09:30-19:00"),
        ("lun-sam 9h30-12h30, 14h-19h; dim fermé", "Mo-Sa 09:30-12:30, 14:00-19:00; Su off"),
        ("Mo–Fr 09:00–18:00", "Mo-Fr 09:00-18:00"),
        ("Mo-Fr 9.00-12.00", "Mo-Fr 09:00-12:00"),
        ("24h/24 7j/7", "24/7"),
        ("tous les jours 10h-18h", "Mo-Su 10:00-18:00"),
        ("Mo-Sa 10:00-19:00; jours fériés fermé", "Mo-Sa 10:00-19:00; PH off"),
        ("Mo-Fr 08:00-12:00;;", "Mo-Fr 08:00-12:00"),
        # a real Monaco value (osm node 10943813051)
        ("Mo-Fr 09:00-1300 & 14:00-18:00", "Mo-Fr 09:00-13:00,14:00-18:00"),
        ("Mo-Sa 09:15-12:15 / 14:15-19:15, We 09:00-12:15 / 16:15-19:15",
         "Mo-Sa 09:15-12:15,14:15-19:15; We 09:00-12:15,16:15-19:15"),
    ],
)
def test_repairs_frequent_mistakes_and_says_so(raw, read_as):
    r = repair(raw)
    assert r.ok and r.value == read_as
    assert r.changes, "a repair must say what it changed"
    oh = OpeningHours(raw)
    assert oh.readable and oh.value == read_as and oh.changes == r.changes


def test_valid_values_are_left_alone():
    for value in ("Mo-Fr 08:45-20:00, Sa 08:45-19:30", "24/7", "Mo-Sa 09:00-19:00; PH off", "sunrise-sunset"):
        r = repair(value)
        assert r.value == value and r.changes == ()
    # a valid ',' keeps the grammar's meaning (additional rule), it is not rewritten
    oh = OpeningHours("Mo-Sa 09:00-12:00, We 14:00-16:00")
    assert oh.is_open(at("2026-07-15 10:00")) and oh.is_open(at("2026-07-15 15:00"))


def test_french_comma_means_a_later_day_group_replaces():
    # Pharmacie Baribeaud, Niort: Wednesday afternoon opens at 16:15, not 14:15
    oh = OpeningHours("Mo-Sa 09:15-12:15 / 14:15-19:15, We 09:00-12:15 / 16:15-19:15")
    assert not oh.is_open(at("2026-07-15 15:00"))  # Wednesday
    assert oh.is_open(at("2026-07-15 17:00"))
    assert oh.is_open(at("2026-07-16 15:00"))  # Thursday


def test_unreadable_values_are_unknown_never_guessed():
    for value in ("sur rendez-vous", "voir affichage", "Mo-Fr 25:00-26:00 blah", "", "   ", None):
        oh = OpeningHours(value)
        assert not oh.readable and oh.error
        assert oh.state(at("2026-07-13 10:00")) == State.UNKNOWN
        assert not oh.is_open(at("2026-07-13 10:00"))
        assert oh.next_change(at("2026-07-13 10:00")) is None
        ivs = oh.intervals(at("2026-07-13 10:00"), at("2026-07-13 12:00"))
        assert [(i.state, i.minutes) for i in ivs] == [(State.UNKNOWN, 120)]
    with pytest.raises(HoursError):
        OpeningHours("sur rendez-vous", lenient=False)
    with pytest.raises(HoursError):
        OpeningHours("Mo-Sa 09:00-12:30 / 14:00-19:30", lenient=False)


def test_zero_length_range_is_unknown_not_open():
    # a real Niort value: "Su 00:00-00:00" would read as open all Sunday; it is not guessed
    oh = OpeningHours("Mo-Fr 08:45-12:30 / 14:00-19:30, Sa 08:45-12:30, Su 00:00-00:00")
    assert oh.state(at("2026-07-19 10:00")) == State.UNKNOWN
    assert oh.is_open(at("2026-07-17 09:00"))


def _niort(raw_dir):
    doc = json.loads((raw_dir / "osm" / "niort-2019" / "niort_opening_hours_values.json").read_text())
    return [v["opening_hours"] for v in doc["values"]]


def test_niort_values(raw_dir):
    values = _niort(raw_dir)
    assert len(values) == 59
    invalid_before = [v for v in values if not repair(v).ok or repair(v).changes]
    assert len(invalid_before) >= 40  # most are invalid as typed
    readable = repaired = unreadable = 0
    for v in values:
        oh = OpeningHours(v)
        # never a crash, and nothing readable is left unexplained
        oh.state(at("2026-07-13 10:00"))
        oh.describe(at("2026-07-13 10:00"), "fr")
        if oh.readable:
            readable += 1
            repaired += bool(oh.changes)
        else:
            unreadable += 1
            assert v.strip() == "", f"non-empty Niort value left unreadable: {v!r}"
            assert oh.state(at("2026-07-13 10:00")) == State.UNKNOWN
    # 11 valid as typed, 36 repaired, 12 empty (unknown)
    assert (readable, repaired, unreadable) == (47, 36, 12)


@pytest.mark.parametrize(
    ("value", "when", "state"),
    [
        # Pharmacie du Clou-Bouchet: Monday afternoon only
        ("Mo 14:00-19:00, Tu-Fr 09:00-12:15 / 14:15-19:00, We 09:00-12:15 / 14:15-19:15, Sa 09:00-12:00", "2026-07-13 10:00", "closed"),
        ("Mo 14:00-19:00, Tu-Fr 09:00-12:15 / 14:15-19:00, We 09:00-12:15 / 14:15-19:15, Sa 09:00-12:00", "2026-07-13 15:00", "open"),
        # Wednesday 19:10: the We rule (until 19:15) replaces Tu-Fr (until 19:00)
        ("Mo 14:00-19:00, Tu-Fr 09:00-12:15 / 14:15-19:00, We 09:00-12:15 / 14:15-19:15, Sa 09:00-12:00", "2026-07-15 19:10", "open"),
        ("Mo 14:00-19:00, Tu-Fr 09:00-12:15 / 14:15-19:00, We 09:00-12:15 / 14:15-19:15, Sa 09:00-12:00", "2026-07-16 19:10", "closed"),
        ("Mo-Sa 09:00-12:30 / 13:45-19:15", "2026-07-18 13:00", "closed"),
        ("Mo-Sa 09:00-12:30 / 13:45-19:15", "2026-07-18 13:50", "open"),
        ("Mo-Th 09:00-12:30 / 14:00-19:30, Fr 09:00-13:00 / 14:30-19:30, Sa 09:00-12:30 / 14:00-18:30", "2026-07-17 12:45", "open"),
        ("Mo-Th 09:00-12:30 / 14:00-19:30, Fr 09:00-13:00 / 14:30-19:30, Sa 09:00-12:30 / 14:00-18:30", "2026-07-16 12:45", "closed"),
        ("", "2026-07-16 12:45", "unknown"),
    ],
)
def test_niort_hand_checked(value, when, state):
    assert OpeningHours(value).state(at(when)).value == state


def test_opening_hours_rs_sample_all_parse(raw_dir):
    lines = (raw_dir / "opening-hours" / "opening_hours_rs_sample.txt").read_text().splitlines()
    values = [ln for ln in lines if ln.strip()]
    assert len(values) == 202
    comments = [v for v in values if v.startswith("#")]
    plain = [v for v in values if not v.startswith("#")]
    assert len(plain) == 195 and len(comments) == 7
    when = at("2026-07-14 12:00")
    reread = []
    for v in plain:
        oh = OpeningHours(v)
        assert oh.readable, v
        if oh.changes:  # valid as written; changed only where opening-hours-rs would guess "open"
            assert set(oh.changes) <= set(MISREADING_MESSAGES), v
            reread.append(v)
        oh.state(when)
        oh.next_change(when)
        oh.describe(when, "en")
    assert sorted(v[:30] for v in reread) == [
        '"check website http://www.sena',  # the Sénat garden: a comment-only first rule
        '"only after registration"; PH ',
        'Jul 23-Jan 3: "needs reservati',
        'We-Fr 10:00-24:00 open "it is ',
    ]


def test_hours_for_is_cached():
    a = hours_for("Mo-Fr 09:00-18:00", country="FR", timezone="Europe/Paris")
    assert a is hours_for("Mo-Fr 09:00-18:00", country="FR", timezone="Europe/Paris")
    assert a is not hours_for("Mo-Fr 09:00-18:00", country="FR", timezone="Europe/Monaco")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789:-;,/ hHMoTuWeFrSaPHoff lundi\u2013.\"")), max_size=40))
def test_never_crashes_on_arbitrary_text(value):
    oh = OpeningHours(value)
    state = oh.state(at("2026-07-13 10:00"))
    if not oh.readable:
        assert state == State.UNKNOWN
    oh.describe(at("2026-07-13 10:00"), "fr")
    oh.is_open_for(at("2026-07-13 10:00"), 30)


# -- readings that would show "open all day" where the mapper did not say so ---------


CHAMBERY_BAKERY = "Mo-Tu, Th-Sa 06:30-13:30, 15:00-19:00"  # content/chambery, osm node/3441430863


def test_weekday_list_with_comma_space_is_one_list_not_open_all_day():
    # the grammar reads ", " as the additional-rule separator: "Mo-Tu" alone = open all day Monday and Tuesday
    r = repair(CHAMBERY_BAKERY)
    assert r.repaired and r.value == "Mo-Tu,Th-Sa 06:30-13:30,15:00-19:00"
    assert r.changes == (_BARE_DAY_LIST_MSG,)
    oh = OpeningHours(CHAMBERY_BAKERY)
    monday_night = at("2026-07-13 22:00")
    assert oh.state(monday_night) == State.CLOSED
    assert oh.describe(monday_night, "en") == "Closed · Opens tomorrow at 06:30"
    assert oh.describe(monday_night, "fr") == "Fermé · Ouvre demain à 06:30"
    assert oh.is_open(at("2026-07-13 10:00")) and not oh.is_open(at("2026-07-13 14:00"))
    assert oh.state(at("2026-07-15 10:00")) == State.CLOSED  # Wednesday: not in the list
    assert oh.is_open(at("2026-07-18 18:00"))  # Saturday afternoon


@pytest.mark.parametrize(
    ("raw", "read_as"),
    [
        ("Mo-Fr 08:00-18:00; Sa, Su off", "Mo-Fr 08:00-18:00; Sa,Su off"),
        ("Mo 08:00-12:00, Tu, We 10:00-12:00", "Mo 08:00-12:00, Tu,We 10:00-12:00"),
        ("Mo, We, Fr 09:00-12:00", "Mo,We,Fr 09:00-12:00"),
        # invalid as typed: the French names become days, then the list is joined too
        ("lundi, mardi 9h-12h", "Mo,Tu 09:00-12:00"),
        # opening_hours.js: "just a comment (without state) will also result in unknown"
        ('Mo "sur rendez-vous"', 'Mo unknown "sur rendez-vous"'),
        ('"only after registration"; PH off', 'unknown "only after registration"; PH off'),
        ('Mo-Fr 10:00-18:00 || "please call"', 'Mo-Fr 10:00-18:00 || unknown "please call"'),
        ('Sa, Su "sur rendez-vous"', 'Sa,Su unknown "sur rendez-vous"'),
        # days with no time where other rules give times: unknown, not open all day (both libraries say open)
        ("Mo-Fr 08:00-12:00; Sa", "Mo-Fr 08:00-12:00; Sa unknown"),
        ("Mo-Fr 08:00-12:00; Sa,Su; PH off", "Mo-Fr 08:00-12:00; Sa,Su unknown; PH off"),
    ],
)
def test_open_all_day_misreadings_are_repaired_and_flagged(raw, read_as):
    r = repair(raw)
    assert r.repaired and r.value == read_as
    assert set(r.changes) & set(MISREADING_MESSAGES)


def test_lists_and_comments_the_grammar_reads_right_are_left_alone():
    for value in ("Mo-Tu,Th-Sa 06:30-13:30", "Mo 10:00-12:00 \"by the side door\"", 'Mo unknown "x"',
                  "Mo-Fr 08:00-12:00, We 14:00-18:00", "Sa-Su", "Mo-Fr 08:00-11:00 || Tu-Th,PH open \"Emergency only\""):
        assert repair(value).changes == (), value
    oh = OpeningHours('Mo "sur rendez-vous"')
    assert oh.state(at("2026-07-13 10:00")) == State.UNKNOWN and not oh.is_open(at("2026-07-13 10:00"))


def _bundled_values(content_dir, raw_dir) -> dict[str, set[str]]:
    """Every opening_hours value of every bundled pack and of the Niort sample, by source file."""
    files = sorted(content_dir.glob("*/pois.geojson")) + sorted((raw_dir / "osm" / "niort-2019").glob("*json"))
    return {str(path.relative_to(path.parents[1])): values_in(json.loads(path.read_text(encoding="utf-8")))
            for path in files}


def _unsaid_all_day(values) -> list[str]:
    """Values whose reading has a 24-hour-open day the text does not say (24/7, 00:00-24:00, 'open')."""
    return [f"{f.value!r} read as {f.read_as!r}: {f.detail}" for f in scan_values(values) if f.kind == "all-day-unsaid"]


def test_the_all_day_scan_catches_the_misreading():
    # the check itself can fail: the grammar's own reading of the Chambéry value has 24-hour Mondays
    import opening_hours as _oh

    days = [d for d in (date(2026, 7, 13) + timedelta(n) for n in range(7))
            if _oh.OpeningHours(CHAMBERY_BAKERY).state(datetime.combine(d, datetime.min.time()) + timedelta(hours=3))[0]
            == _oh.State.OPEN]
    assert [d.weekday() for d in days] == [0, 1]
    assert _unsaid_all_day(["Sa-Su", "Mo-Su 00:00-24:00", "24/7", CHAMBERY_BAKERY, "Mo-Fr 09:00-12:00; Sa"]) == [
        "'Sa-Su' read as 'Sa-Su': read as open all day on 2026-01-03"
    ]


def test_no_bundled_value_reads_open_all_day_unless_it_says_so(content_dir, raw_dir):
    by_file = _bundled_values(content_dir, raw_dir)
    assert {"chambery/pois.geojson", "monaco/pois.geojson", "niort-2019/niort_opening_hours_values.json",
            "niort-2019/niort_pharmacy.geojson"} <= set(by_file)
    assert CHAMBERY_BAKERY in by_file["chambery/pois.geojson"]
    everything = set().union(*by_file.values())
    assert len(everything) > 150
    assert _unsaid_all_day(everything) == []


def test_no_opening_hours_rs_sample_value_reads_open_all_day_unless_it_says_so(raw_dir):
    lines = (raw_dir / "opening-hours" / "opening_hours_rs_sample.txt").read_text().splitlines()
    assert _unsaid_all_day([v for v in lines if v.strip() and not v.startswith("#")]) == []


def test_hours_check_and_explain_flag_the_chambery_value(content_dir, capsys):
    from heritage_kit.cli import main

    assert main(["hours", "check", str(content_dir / "chambery"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    bakery = [p for p in data["problems"] if p["value"] == CHAMBERY_BAKERY]
    assert len(bakery) == 1 and bakery[0]["status"] == "repaired"
    assert bakery[0]["read_as"] == "Mo-Tu,Th-Sa 06:30-13:30,15:00-19:00"
    assert bakery[0]["changes"] == [_BARE_DAY_LIST_MSG]
    assert main(["hours", "explain", CHAMBERY_BAKERY, "--at", "2026-07-13T22:00", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Open until" not in out and "Closed · Opens tomorrow at 06:30" in out


def test_the_app_and_search_never_show_the_bakery_open_on_a_monday_night(content_dir):
    from heritage_kit.packs import load_pack
    from mobile.presenters.hours import Badge, HoursBadges

    pack = load_pack(content_dir / "chambery")
    bakery = next(p for p in pack.pois if p.opening_hours == CHAMBERY_BAKERY)
    m = pack.manifest
    badges = HoursBadges(country=m.country, timezone=m.timezone)
    monday_night = at("2026-07-13 22:00")
    assert badges.badge(bakery.opening_hours, monday_night, "fr", "?") == Badge("Fermé · Ouvre demain à 06:30", "closed")
    assert badges.badge(bakery.opening_hours, monday_night, "en", "?").text == "Closed · Opens tomorrow at 06:30"
    assert not badges.is_open_for(bakery.opening_hours, at("2026-07-14 03:00"), 10)  # Tuesday 3 a.m.
    # open on Monday morning by the repaired reading, but that reading is a flagged guess: never shown "open"
    monday_morning = at("2026-07-13 10:00")
    assert OpeningHours(CHAMBERY_BAKERY).uncertain and OpeningHours(CHAMBERY_BAKERY).is_open(monday_morning)
    assert badges.badge(bakery.opening_hours, monday_morning, "fr", "?") == Badge("Horaires à vérifier", "unknown")
    assert badges.badge(bakery.opening_hours, monday_morning, "en", "?") == Badge("Hours uncertain", "unknown")
    assert badges.state(bakery.opening_hours, monday_morning) == "unknown"
    assert not badges.is_open_for(bakery.opening_hours, monday_morning, 10)
    assert badges.today(bakery.opening_hours, monday_morning) is None
    # a value read as written is shown as usual
    assert badges.badge("Mo-Sa 09:00-19:00", monday_morning, "en", "?") == Badge("Open until 19:00", "open")
    open_now = {h.poi.id for h in pack.search(open_at=monday_night.replace(tzinfo=PARIS), limit=50)}
    assert bakery.id not in open_now
    # nor listed under "open now" on that guess
    assert bakery.id not in {h.poi.id for h in pack.search(open_at=monday_morning.replace(tzinfo=PARIS), limit=50)}


def test_scan_finds_each_kind_of_suspicious_reading():
    kinds = {v: [f.kind for f in scan_value(v)] for v in (
        CHAMBERY_BAKERY, 'Mo "sur rendez-vous"', "Mo-Fr 08:00-12:00; Sa", "Sa-Su", "Mo-Fr 09:00-18:00",
        "Fr-Sa 22:00-02:00", "Mo-Su 00:00-24:00", "24/7", "Mo-Fr 18:00+", "pas du tout", "Su 20:00-23:00, Mo")}
    assert kinds == {
        CHAMBERY_BAKERY: ["weekday-list"],
        'Mo "sur rendez-vous"': ["comment-only"],
        "Mo-Fr 08:00-12:00; Sa": ["lone-days"],
        "Sa-Su": ["all-day-unsaid", "past-midnight-unsaid"],  # the grammar's meaning, still worth a look
        "Mo-Fr 09:00-18:00": [],
        "Fr-Sa 22:00-02:00": [],  # says it runs past midnight
        "Mo-Su 00:00-24:00": [],
        "24/7": [],
        "Mo-Fr 18:00+": [],
        "pas du tout": ["unreadable"],
        # a partial rule: ", Mo" is an additional rule of Monday alone, open all day, joined to Sunday evening
        "Su 20:00-23:00, Mo": ["all-day-unsaid"],
    }


def test_every_bundled_value_reads_as_a_mapper_means(content_dir, raw_dir, capsys):
    """The scan of every bundled pack and the Niort sample: only the two flagged weekday lists (counts in
    content/README.md)."""
    by_file = _bundled_values(content_dir, raw_dir)
    everything = set().union(*by_file.values())
    found = scan_values(everything)
    assert [(f.kind, f.value) for f in found] == [
        ("weekday-list", CHAMBERY_BAKERY), ("weekday-list", "Mo-Tu, Th-Sa 12:00-13:30, 19:30-21:00")]
    from heritage_kit.cli import main

    assert main(["hours", "scan", str(content_dir / "monaco"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["weekday-list"] == 1 and data["suspicious"] == 1 and data["values"] > 100
    assert main(["hours", "scan", str(content_dir / "chambery"), "--strict"]) == 1
    assert "weekday-list" in capsys.readouterr().out
    niort = raw_dir / "osm" / "niort-2019" / "niort_opening_hours_values.json"
    assert main(["hours", "scan", str(niort), "--strict"]) == 0
