"""The POI page's full opening hours: the week from today and the next opening ("reopens 25 March")."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mobile.i18n import Translator
from mobile.presenters.hours import HoursBadges
from mobile.presenters.hours_table import reopens, week_lines
from mobile.presenters.poi_page import present_poi

TZ = ZoneInfo("Europe/Monaco")
BADGES = HoursBadges(country="MC", timezone="Europe/Monaco")
WED_NOON = datetime(2026, 7, 15, 12, 0, tzinfo=TZ)  # a Wednesday


def test_the_week_from_today_in_both_languages():
    raw = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-13:00"
    en = week_lines(BADGES, raw, WED_NOON, Translator("en"))
    assert en == ["Wednesday: 09:00–12:00, 14:00–18:00", "Thursday: 09:00–12:00, 14:00–18:00",
                  "Friday: 09:00–12:00, 14:00–18:00", "Saturday: 10:00–13:00", "Sunday: closed",
                  "Monday: 09:00–12:00, 14:00–18:00", "Tuesday: 09:00–12:00, 14:00–18:00"]
    fr = week_lines(BADGES, raw, WED_NOON, Translator("fr"))
    assert fr[0] == "Mercredi : 9 h–12 h, 14 h–18 h" and fr[4] == "Dimanche : fermé"
    assert week_lines(BADGES, "Mo-Su 00:00-24:00", WED_NOON, Translator("fr"))[0] == "Mercredi : 0 h–24 h"
    assert week_lines(BADGES, None, WED_NOON, Translator("en")) == []
    assert week_lines(BADGES, "not hours at all", WED_NOON, Translator("en")) == []


@pytest.mark.parametrize("lang, when, expected", [
    ("en", datetime(2026, 7, 15, 13, 0, tzinfo=TZ), "Reopens today at 14:00"),
    ("fr", datetime(2026, 7, 15, 19, 0, tzinfo=TZ), "Rouvre demain à 9 h"),
    ("en", datetime(2026, 7, 18, 14, 0, tzinfo=TZ), "Reopens Monday at 09:00"),
])
def test_when_a_closed_place_reopens(lang, when, expected):
    raw = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-13:00"
    assert reopens(BADGES, raw, when, Translator(lang)) == expected
    assert reopens(BADGES, raw, WED_NOON.replace(hour=10), Translator(lang)) == ""  # open now: nothing to add


def test_a_seasonal_place_closed_in_winter_says_the_date_it_reopens():
    raw = "Mar 25-Oct 31 10:00-18:00"
    winter = datetime(2026, 12, 7, 11, 0, tzinfo=TZ)
    assert reopens(BADGES, raw, winter, Translator("en")) == "Reopens 25 March at 10:00"
    assert reopens(BADGES, raw, winter, Translator("fr")) == "Rouvre le 25 mars à 10 h"
    assert reopens(BADGES, "Apr 01 10:00-11:00", winter, Translator("fr")) == "Rouvre le 1er avril à 10 h"


def test_the_poi_page_carries_the_week_and_the_next_opening(pack):
    page = present_poi(pack.poi("osm:way/3"), tr=Translator("en"), badges=BADGES,
                       now=datetime(2026, 7, 15, 19, 0, tzinfo=TZ))  # the museum, 10:00–18:00, after closing
    assert page.hours.state == "closed" and page.reopens == "Reopens tomorrow at 10:00"
    assert len(page.week) == 7 and page.week[0] == "Wednesday: 10:00–18:00"
    assert present_poi(pack.poi("osm:way/2"), tr=Translator("en"), badges=BADGES, now=WED_NOON).week == []
