"""Trails presenter: curated trails and "plan my walk"."""

from datetime import datetime, timezone

import pytest

from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.markup import escape
from mobile.presenters.trails import PlannedWalk, TrailsPresenter, itinerary_to_walk


def test_curated_trail_rows(pack):
    rows = TrailsPresenter(pack, Translator("fr")).rows()
    assert [r.trail_id for r in rows] == ["rocher"]
    assert rows[0].title == "Le Rocher" and rows[0].detail == "4 étapes · 800 m · 45 min"
    assert TrailsPresenter(pack, Translator("en")).rows()[0].detail == "4 stops · 800 m · 45 min"


def test_plan_summary_and_failures(pack):
    seen = {}

    def planner(**kw):
        seen.update(kw)
        if kw["minutes"] < 10:
            raise LookupError("not enough time")
        return PlannedWalk(["osm:way/1", "osm:way/3"], [], 950.0, 1500.0)

    p = TrailsPresenter(pack, Translator("en"), planner=planner)
    start = LatLon(lat=43.7314, lon=7.4198)
    text = p.plan(minutes=45, start=start, start_time=datetime(2026, 7, 15, 10, tzinfo=timezone.utc), step_free=True)
    assert text.startswith("Suggested walk: 2 stops, 950 m, 25 min")
    assert "Prince's Palace, Oceanographic Museum" in text
    assert seen["step_free"] is True and seen["start"] == start
    assert p.planned.stop_ids == ["osm:way/1", "osm:way/3"]
    text = p.plan(minutes=5, start=start, start_time=datetime(2026, 7, 15, 10, tzinfo=timezone.utc), step_free=False)
    assert text == "Could not plan the walk: not enough time" and p.planned is None


def test_itinerary_reader_accepts_stops_or_visits():
    class Visit:
        def __init__(self, pid):
            self.poi_id = pid

    class Itin:
        visits = [Visit("a:1"), Visit("a:2")]
        legs = []
        length_m = 10.0
        duration_s = 60.0

    w = itinerary_to_walk(Itin())
    assert w.stop_ids == ["a:1", "a:2"] and w.length_m == 10.0 and w.duration_s == 60.0


def test_must_visit_from_a_poi_page_is_in_the_real_plan_with_arrival_times(monaco):
    """plan_trail on the Monaco pack: a heritage place the 30-minute plan left out, once marked
    "must visit", is in the plan, with an arrival time per stop."""
    from zoneinfo import ZoneInfo

    from mobile.presenters.trails import make_planner

    tr = Translator("fr")
    p = TrailsPresenter(monaco, tr, planner=make_planner(monaco))
    start = monaco.poi(monaco.trails[0].stops[0]).location
    when = datetime(2026, 7, 15, 10, tzinfo=ZoneInfo("Europe/Monaco"))
    free = p.plan(minutes=30, start=start, start_time=when, step_free=False)
    assert p.planned is not None, free
    from heritage_kit.geo import haversine_m

    left_out = [x for x in monaco.pois if x.kind == "heritage" and x.id not in p.planned.stop_ids]
    far = min(left_out, key=lambda x: float(haversine_m(start.lat, start.lon, x.location.lat, x.location.lon)))
    text = p.plan(minutes=30, start=start, start_time=when, step_free=False, must_visit=[far.id])
    assert p.planned is not None and far.id in p.planned.stop_ids, text
    assert len(p.planned.arrivals) == len(p.planned.stop_ids)
    assert far.name.get("fr") in text and " h" in text.split("\n")[1]  # "10 h 12 · name" lines
    assert p.must_visit_text([far.id, "nope:1"]) == f"À voir absolument : {far.name.get('fr')}".replace("&", "&amp;")
    assert p.must_visit_text([]) == ""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_must_visit_place_closed_all_walk_long_is_left_out_saying_so(monaco, lang):
    from zoneinfo import ZoneInfo

    from mobile.presenters.hours import HoursBadges
    from mobile.presenters.trails import make_planner

    palace = monaco.poi(monaco.trails[0].stops[0])
    assert palace.opening_hours  # the palace has visiting hours
    p = TrailsPresenter(monaco, Translator(lang), planner=make_planner(monaco),
                        badges=HoursBadges(country="MC", timezone="Europe/Monaco"))
    dawn = datetime(2026, 12, 7, 5, 0, tzinfo=ZoneInfo("Europe/Monaco"))
    text = p.plan(minutes=90, start=monaco.manifest.centre, start_time=dawn, step_free=False, must_visit=[palace.id])
    assert p.planned is not None and palace.id not in p.planned.stop_ids  # not "no walking path"
    closed = {"fr": "Pas dans cette balade, fermé pendant tout ce temps : ",
              "en": "Not in this walk, closed all that time: "}[lang]
    assert text.split("\n")[-1] == escape(closed + palace.name.get(lang))
    morning = datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Europe/Monaco"))
    p.plan(minutes=90, start=monaco.manifest.centre, start_time=morning, step_free=False, must_visit=[palace.id])
    assert palace.id in p.planned.stop_ids
