"""heritage_kit.hours_editor: a merchant's week -> canonical opening_hours, checked by the parser, read back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage_kit.errors import HeritageKitError, HoursEditError
from heritage_kit.hours import OpeningHours, is_public_holiday
from heritage_kit.hours_editor import (
    Closure,
    TimeRange,
    WeekForm,
    describe_form,
    from_value,
    parse_time,
    problems,
    to_value,
)
from heritage_kit.models import POI
from heritage_kit.packs import ContentPack
from heritage_kit.routing import plan_trail
from heritage_kit.types import LatLon

SPLIT = [("09:00", "12:00"), ("14:00", "19:00")]


def shop_week() -> WeekForm:
    return WeekForm.weekly({"Mo-Tu,Th-Sa": SPLIT})


# -- writing -----------------------------------------------------------------------------------


def test_equal_days_are_grouped_in_one_selector_with_commas_never_the_rule_separator():
    assert to_value(shop_week()) == "Mo-Tu,Th-Sa 09:00-12:00,14:00-19:00; PH off"
    oh = OpeningHours(to_value(shop_week()), lenient=False)
    assert not oh.is_open(datetime(2026, 12, 7, 8, 0))  # Monday before opening: not the ", " trap (open all day)
    assert not oh.is_open(datetime(2026, 12, 9, 10, 0))  # Wednesday closed
    assert oh.is_open(datetime(2026, 12, 10, 10, 0))


def test_two_days_are_a_range_single_days_stand_alone_and_groups_follow_the_week():
    form = WeekForm.weekly({"Mo,We,Fr": [("10:00", "18:00")], "Sa-Su": [("09:00", "12:00")]})
    assert to_value(form) == "Mo,We,Fr 10:00-18:00; Sa-Su 09:00-12:00; PH off"
    every = WeekForm.weekly({"Mo-Su": [("00:00", "24:00")]}, holidays="as_usual")
    assert to_value(every) == "24/7"


def test_lunch_break_splits_the_day_in_two_ranges():
    form = WeekForm.weekly({"Mo-Sa": [("9h", "19h")]}).with_lunch_break("We", "12:30", "14:00")
    assert to_value(form) == "Mo-Tu,Th-Sa 09:00-19:00; We 09:00-12:30,14:00-19:00; PH off"
    oh = OpeningHours(to_value(form), lenient=False)
    assert not oh.is_open(datetime(2026, 12, 9, 13, 0)) and oh.is_open(datetime(2026, 12, 10, 13, 0))


def test_holidays_closed_as_usual_or_with_their_own_hours():
    week = WeekForm.weekly({"Mo-Sa": [("09:00", "19:00")]})
    christmas = datetime(2026, 12, 25, 10, 0)  # a Friday
    assert not OpeningHours(to_value(week)).is_open(christmas)
    assert OpeningHours(to_value(week.with_holidays("as_usual"))).is_open(christmas)
    short = week.with_holidays("hours", [("10:00", "12:00")])
    assert to_value(short) == "Mo-Sa 09:00-19:00; PH 10:00-12:00"
    assert OpeningHours(to_value(short)).is_open(christmas) and not OpeningHours(to_value(short)).is_open(
        christmas.replace(hour=15))


def test_closures_are_written_last_compactly_and_sorted():
    form = (shop_week().with_closure(date(2027, 1, 1)).with_closure(date(2026, 12, 24), date(2026, 12, 26))
            .with_closure(date(2026, 12, 31), date(2027, 1, 2)))
    assert to_value(form).endswith("; PH off; 2026 Dec 24-26,2026 Dec 31-2027 Jan 02,2027 Jan 01 off")


# -- a closure on the day: closed, and not "open on arrival" ----------------------------------------


def test_a_closure_closes_the_shop_that_day_and_it_is_not_open_on_arrival():
    inventory = date(2026, 11, 23)  # a Monday
    value = to_value(WeekForm.weekly({"Mo-Sa": [("07:00", "13:00")]}).with_closure(inventory))
    oh = OpeningHours(value, country="FR", timezone="Europe/Paris")
    assert not oh.is_open(datetime(2026, 11, 23, 9, 0))
    assert not oh.is_open_for(datetime(2026, 11, 23, 9, 0), 10)
    assert oh.is_open_for(datetime(2026, 11, 30, 9, 0), 10)  # the next Monday, as usual
    assert oh.describe(datetime(2026, 11, 23, 9, 0), "fr") == "Fermé · Ouvre demain à 07:00"

    bakery = POI.model_validate({"id": "test:bakery", "kind": "commerce", "categories": ["bakery"],
                                 "name": {"fr": "Boulangerie du Rocher"}, "opening_hours": value,
                                 "location": {"lat": 43.73190, "lon": 7.42180}})
    pack = ContentPack.new(town_id="rocher", town_name="Rocher (test)", pois=[bakery], timezone="Europe/Paris",
                           country="FR", attributions=[{"text": "test", "licence": "CC0"}])
    start = LatLon(lat=43.7298, lon=7.4165)

    def stops(at: datetime) -> list[str]:
        return [s.poi_id for s in plan_trail(pack, start=start, start_time=at, minutes=60, interests=["bakery"]).stops]

    assert stops(datetime(2026, 11, 30, 9, 0)) == ["test:bakery"]
    assert stops(datetime(2026, 11, 23, 9, 0)) == []  # the closure: the planner does not send anyone there


# -- same answers as the parser, at many instants (Hypothesis) ----------------------------------------

QUARTERS = st.integers(min_value=0, max_value=96).map(lambda q: q * 15)


@st.composite
def day_ranges(draw):
    cuts = sorted(set(draw(st.lists(QUARTERS, max_size=4))))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return tuple(TimeRange(a, b) for a, b in zip(cuts[::2], cuts[1::2]))


@st.composite
def forms(draw):
    days = tuple(draw(day_ranges()) for _ in range(7))
    if not any(days):
        days = (draw(day_ranges().filter(bool)),) + days[1:]
    closures = []
    for _ in range(draw(st.integers(0, 3))):
        start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
        length = draw(st.integers(0, 20))
        closures.append(Closure(start, start + timedelta(days=length) if length else None))
    holidays = draw(st.sampled_from(["closed", "as_usual", "hours"]))
    ph = draw(day_ranges().filter(bool)) if holidays == "hours" else ()
    return WeekForm(days=days, closures=tuple(closures), holidays=holidays, holiday_ranges=ph)


INSTANTS = st.lists(
    st.builds(lambda d, m: datetime(2026, 1, 1) + timedelta(days=d, minutes=m),
              st.integers(0, 730), st.integers(0, 1439).filter(lambda m: not 120 <= m < 180)),  # no DST gap
    min_size=20, max_size=40)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms(), INSTANTS)
def test_the_written_value_opens_and_closes_exactly_as_the_form_says(form, instants):
    value = to_value(form)
    oh = OpeningHours(value, country="FR", timezone="Europe/Paris", lenient=False)
    assert not oh.changes  # canonical: the lenient reader had nothing to repair
    assert ", " not in value
    around = [d - timedelta(days=1) for c in form.closures for d in (c.start, c.last + timedelta(days=2))]
    on_days = [d for c in form.closures for d in (c.start, c.last)] + around + [date(2026, 12, 25), date(2027, 5, 1)]
    instants = instants + [datetime.combine(d, time(h, 5)) for d in on_days for h in (0, 8, 10, 12, 15, 18, 23)]
    for at in instants:
        assert oh.is_open(at) == form.is_open(at, public_holiday=is_public_holiday(at.date(), "FR")), (value, at)
    back = from_value(value)
    assert back.editable, (value, back.en)
    assert to_value(back.form) == value  # read back: the same canonical value


@settings(max_examples=60, deadline=None)
@given(forms())
def test_the_reading_names_every_open_day_and_every_closure(form):
    for lang in ("fr", "en"):
        lines = describe_form(form, lang)
        assert len([line for line in lines if "2026" in line or "2027" in line or "2028" in line]) == len(form.closures)
        assert all(line and line[0].isupper() for line in lines)


# -- plain words ------------------------------------------------------------------------------------


def test_plain_french_and_english():
    form = shop_week().with_closure(date(2026, 12, 24), date(2026, 12, 26)).with_closure(date(2027, 1, 1))
    assert describe_form(form, "fr") == [
        "Lundi, mardi et du jeudi au samedi : 09:00–12:00, 14:00–19:00",
        "Fermé mercredi et dimanche",
        "Fermé les jours fériés",
        "Fermeture exceptionnelle du 24 au 26 décembre 2026",
        "Fermeture exceptionnelle le 1er janvier 2027",
    ]
    assert describe_form(form, "en") == [
        "Monday, Tuesday and Thursday to Saturday: 09:00–12:00, 14:00–19:00",
        "Closed Wednesday and Sunday",
        "Closed on public holidays",
        "Exceptionally closed from 24 to 26 December 2026",
        "Exceptionally closed on 1 January 2027",
    ]
    new_year = WeekForm.weekly({"Mo-Su": [("00:00", "24:00")]}, holidays="as_usual").with_closure(
        date(2026, 12, 31), date(2027, 1, 2))
    assert describe_form(new_year, "fr") == ["Du lundi au dimanche : 24h/24", "Jours fériés : horaires habituels",
                                             "Fermeture exceptionnelle du 31 décembre 2026 au 2 janvier 2027"]


# -- errors name the day and the field ----------------------------------------------------------------


def test_errors_name_the_day_and_field_in_french_and_english():
    form = WeekForm.weekly({"Mo": [("09:00", "12:00")]}).with_day("Tu", [("12:00", "09:00")]).with_day(
        "Th", [("09:00", "13:00"), ("12:00", "18:00")])
    with pytest.raises(HoursEditError) as caught:
        to_value(form)
    err = caught.value
    assert isinstance(err, HeritageKitError) and isinstance(err, ValueError)
    assert (err.day, err.field) == ("Tu", "days.Tu.ranges[0].end")
    assert [(p.day, p.field, p.code) for p in err.problems] == [
        ("Tu", "days.Tu.ranges[0].end", "end_before_start"), ("Th", "days.Th.ranges[1].start", "overlap")]
    assert err.problems[0].fr == "Mardi : la fermeture (09:00) doit suivre l'ouverture (12:00)"
    assert err.problems[1].en == "Thursday: the ranges 09:00–13:00 and 12:00–18:00 overlap"
    assert "days.Tu.ranges[0].end" in str(err)


def test_other_problems_no_open_day_holiday_hours_closure_order_and_lunch_outside():
    assert [p.code for p in problems(WeekForm())] == ["no_open_day"]
    assert [p.field for p in problems(shop_week().with_holidays("hours"))] == ["holidays.ranges"]
    bad = shop_week().with_closure(date(2026, 12, 26), date(2026, 12, 24))
    assert [(p.field, p.en) for p in problems(bad)] == [
        ("closures[0].end", "Closure from 2026-12-26: its end (2026-12-24) is before its start")]
    with pytest.raises(HoursEditError) as caught:
        shop_week().with_lunch_break("Mo", "11:00", "15:00")  # crosses the existing break
    assert caught.value.field == "days.Mo.lunch" and caught.value.problems[0].fr.startswith("Lundi : la pause")
    with pytest.raises(HoursEditError) as caught:
        shop_week().with_lunch_break("Mo", "midi", "14:00")
    assert caught.value.problems[0].code == "bad_time" and "midi" in caught.value.problems[0].en


@pytest.mark.parametrize("raw,minutes", [("09:30", 570), ("9:30", 570), ("9h30", 570), ("9h", 540), ("0930", 570),
                                         ("24:00", 1440), (600, 600)])
def test_parse_time_accepts_what_people_type(raw, minutes):
    assert parse_time(raw) == minutes


@pytest.mark.parametrize("raw", ["25:00", "9:75", "midi", "", "24:30", -5])
def test_parse_time_refuses_the_rest(raw):
    with pytest.raises(ValueError):
        parse_time(raw)


# -- reading an existing value ----------------------------------------------------------------------


def test_simple_values_come_back_as_a_form():
    r = from_value("Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00; Su off; PH off; 2026 Aug 01-15 off")
    assert r.editable and r.form.days[0] == (TimeRange(540, 720), TimeRange(840, 1080)) and r.form.days[6] == ()
    assert r.form.holidays == "closed" and r.form.closures == (Closure(date(2026, 8, 1), date(2026, 8, 15)),)
    assert from_value("Mo-Sa 09:00-19:00").form.holidays == "as_usual"  # no PH rule: holidays as usual
    assert from_value("Mo-Su 09:00-19:00; We 09:00-12:00").form.days[2] == (TimeRange(540, 720),)  # later rule wins
    assert from_value(None).editable and not any(from_value("").form.days)


@pytest.mark.parametrize("raw", [
    "Mo-Tu, Th-Sa 06:30-13:30",   # the ", " trap: Mo-Tu open all day — not what its mapper meant
    'Mo-Fr 08:00-12:00 "sur rendez-vous"',
    "Fr-Sa 18:00-02:00",
    "sunrise-sunset",
    "Mo-Fr 09:00-18:00 || \"sur rendez-vous\"",
    "Jul-Aug Mo-Su 10:00-19:00",
    "Mo-Fr 09:00-18:00; PH off; Su off",  # only "no open day" would stop this... it is fine
])
def test_other_values_keep_the_raw_value_and_say_why(raw):
    r = from_value(raw)
    if raw.endswith("Su off"):
        assert r.editable
        return
    assert not r.editable and r.raw == raw and r.form is None
    assert r.fr.startswith("Ces horaires") or r.fr.startswith("Valeur refusée")
    assert r.en and r.fr != r.en


def test_an_invalid_value_is_said_so():
    r = from_value("Mo-Fr 25:00-26:00")
    assert not r.editable and r.en.startswith("Value refused by the opening-hours parser")
