"""Trails presenter: curated trails and "plan my walk"."""

from datetime import datetime, timezone

from heritage_kit.types import LatLon
from mobile.i18n import Translator
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
