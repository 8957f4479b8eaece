"""Issue 20, events: the model, recurrences across summer time and French public holidays, the pack's
events.json (load, save, validation naming file, record and field) and the recipe's ``events`` key."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from heritage_kit.errors import PackError
from heritage_kit.events import availability, occurrences, open_throughout, poi_event_windows, upcoming
from heritage_kit.hours import is_public_holiday
from heritage_kit.models import POI
from heritage_kit.models.event import Event
from heritage_kit.packs import ContentPack, load_pack, save_pack, validate_pack
from heritage_kit.packs.build import build_pack

PARIS = ZoneInfo("Europe/Paris")
SOURCE = {"name": "Ville de Test", "licence": "Licence Ouverte 2.0"}
ATTR = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]
HOLIDAYS_FILE = Path(__file__).resolve().parents[1] / "data" / "raw" / "opening-hours" / \
    "opening_hours_rs_holidays_public_FR.txt"


def event(**kw) -> Event:
    data = {"id": "marche", "kind": "market", "title": {"fr": "Marché", "en": "Market"},
            "start": "2026-03-05T07:00", "end": "2026-03-05T13:00", "poi": "osm:node/1", "source": SOURCE}
    data.update(kw)
    return Event.model_validate(data)


def weekly(days=("TH",), rule="keep", **kw) -> Event:
    return event(recurrence={"freq": "weekly", "weekdays": list(days), "on_public_holiday": rule}, **kw)


def french_holidays() -> set[date]:
    out = set()
    for line in HOLIDAYS_FILE.read_text().splitlines():
        if line.startswith("FR "):
            out.add(date.fromisoformat(line.split()[1]))
    return out


# -- the model ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "words"), [
    ({"start": "2026-03-05T07:00+01:00"}, "local time without a UTC offset"),
    ({"end": "2026-03-05T06:00"}, "end must be after start"),
    ({"poi": None}, "needs a poi"),
    ({"closes_poi": True, "opens_poi": True}, "both open and close"),
    ({"source": {"name": "x"}}, "needs its licence"),
    ({"kind": "rave"}, "Input should be"),
    ({"recurrence": {"freq": "weekly", "nth": 2, "weekdays": ["SU"]}}, "nth is for monthly or yearly"),
    ({"recurrence": {"freq": "monthly", "nth": 1}}, "nth needs weekdays"),
    ({"recurrence": {"freq": "weekly", "until": "2026-12-31", "count": 3}}, "until or count"),
    ({"recurrence": {"freq": "weekly", "on_public_holiday": "maybe"}}, "on_public_holiday"),
    ({"url": "ftp://example.org"}, "http"),
])
def test_bad_events_say_why(change, words):
    with pytest.raises(ValidationError, match=words):
        event(**change)


def test_a_market_at_a_poi_opens_it_and_a_closure_does_not():
    assert event().opens
    assert not event(kind="concert").opens
    assert event(kind="concert", opens_poi=True).opens
    assert not event(kind="closure", closes_poi=True).opens
    assert not event(poi=None, location={"lat": 45.5, "lon": 5.9}).opens


# -- recurrences ----------------------------------------------------------------------------------------
def test_weekly_market_keeps_its_local_time_across_both_changes_of_summer_time():
    ev = weekly(days=("SU",), start="2026-03-01T07:00", end="2026-03-01T13:00")
    occ = occurrences([ev], datetime(2026, 3, 15), datetime(2026, 11, 8), PARIS)
    assert all(o.start.strftime("%a %H:%M") == "Sun 07:00" and o.end.strftime("%H:%M") == "13:00" for o in occ)
    assert len(occ) == 34  # every Sunday from 15 March to 1 November
    utc = {o.start.date(): o.start.astimezone(timezone.utc).hour for o in occ}
    assert utc[date(2026, 3, 22)] == 6 and utc[date(2026, 3, 29)] == 5  # clocks go forward on 29 March
    assert utc[date(2026, 10, 18)] == 5 and utc[date(2026, 10, 25)] == 6  # and back on 25 October
    assert all(o.end.astimezone(timezone.utc) - o.start.astimezone(timezone.utc) == timedelta(hours=6) for o in occ)


def test_a_night_event_over_a_change_of_summer_time_lasts_its_wall_clock_length():
    ev = event(kind="concert", start="2026-03-28T22:00", end="2026-03-29T04:00", poi=None,
               location={"lat": 43.73, "lon": 7.42}, recurrence={"freq": "weekly"})
    first = occurrences([ev], datetime(2026, 3, 28), datetime(2026, 3, 30), PARIS)[0]
    assert first.start.isoformat() == "2026-03-28T22:00:00+01:00" and first.end.isoformat() == "2026-03-29T04:00:00+02:00"
    utc = timezone.utc  # (Python subtracts two times of one zone by their wall clocks)
    assert first.end.astimezone(utc) - first.start.astimezone(utc) == timedelta(hours=5)  # the night lost an hour


def test_a_start_in_the_spring_gap_moves_forward_by_the_gap():
    ev = event(start="2026-03-22T02:30", end="2026-03-22T03:30", recurrence={"freq": "weekly"})
    occ = occurrences([ev], datetime(2026, 3, 20), datetime(2026, 4, 1), PARIS)
    assert [o.start.strftime("%d %H:%M%z") for o in occ] == ["22 02:30+0100", "29 03:30+0200"]


def test_every_holiday_rule_against_the_projects_list_of_french_public_holidays():
    holidays = french_holidays()
    thursdays = [d for d in (date(2026, 1, 1) + timedelta(n) for n in range(365)) if d.weekday() == 3]
    on_holiday = {d for d in thursdays if d in holidays}
    assert on_holiday == {date(2026, 1, 1), date(2026, 5, 14)}  # New Year's Day, Ascension
    assert all(is_public_holiday(d) for d in on_holiday)
    window = (datetime(2026, 1, 1), datetime(2027, 1, 1))
    keep = occurrences([weekly(rule="keep")], *window, PARIS)
    assert [o.start.date() for o in keep] == [d for d in thursdays if d >= date(2026, 3, 5)]  # from its start
    skip = {o.start.date() for o in occurrences([weekly(rule="skip")], *window, PARIS)}
    assert date(2026, 5, 14) not in skip and date(2026, 5, 21) in skip and not skip & holidays
    before = occurrences([weekly(rule="day_before")], *window, PARIS)
    moved = [o for o in before if o.moved_from]
    assert [(o.start.date(), o.moved_from) for o in moved] == [(date(2026, 5, 13), date(2026, 5, 14))]
    assert moved[0].start.strftime("%A %H:%M") == "Wednesday 07:00"
    assert len(before) == len(keep)
    after = occurrences([weekly(days=("MO",), rule="day_after", start="2026-03-02T07:00", end="2026-03-02T12:00")],
                        *window, PARIS)
    # Mondays on a holiday in 2026: Easter Monday (6 April) and Whit Monday (25 May)
    assert [(o.start.date(), o.moved_from) for o in after if o.moved_from] == [
        (date(2026, 4, 7), date(2026, 4, 6)), (date(2026, 5, 26), date(2026, 5, 25))]


def test_a_move_onto_a_cancelled_day_is_dropped():
    # Christmas 2025 and New Year's Day 2026 are Thursdays: held the day before, unless that day is cancelled
    ev = event(start="2025-12-04T07:00", end="2025-12-04T13:00",
               recurrence={"freq": "weekly", "on_public_holiday": "day_before", "except_dates": ["2025-12-24"]})
    got = [(o.start.date(), o.moved_from) for o in occurrences([ev], datetime(2025, 12, 20), datetime(2026, 1, 3), PARIS)]
    assert got == [(date(2025, 12, 31), date(2026, 1, 1))]


def test_european_heritage_days_are_the_third_weekend_of_september_every_year():
    jep = event(id="jep", kind="heritage_days", start="2025-09-20T09:00", end="2025-09-21T18:00", poi=None,
                location={"lat": 45.566, "lon": 5.932},
                recurrence={"freq": "yearly", "months": [9], "weekdays": ["SA"], "nth": 3})
    occ = occurrences([jep], datetime(2025, 1, 1), datetime(2030, 12, 31), PARIS)
    saturdays = [o.start.date() for o in occ]
    # the editions announced by the Ministère de la Culture: 20–21 Sept 2025, 19–20 Sept 2026
    assert saturdays[:2] == [date(2025, 9, 20), date(2026, 9, 19)] and len(saturdays) == 6
    for d in saturdays:
        assert d.weekday() == 5 and 15 <= d.day <= 21  # the third Saturday
    assert all(o.end.date() - o.start.date() == timedelta(days=1) for o in occ)  # Saturday and Sunday


def test_monthly_first_sunday_interval_count_and_until():
    brocante = event(id="brocante", kind="sale", start="2026-01-04T08:00", end="2026-01-04T17:00",
                     recurrence={"freq": "monthly", "weekdays": ["SU"], "nth": 1, "count": 4})
    got = [o.start.date() for o in occurrences([brocante], datetime(2026, 1, 1), datetime(2027, 1, 1), PARIS)]
    assert got == [date(2026, 1, 4), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 5)]
    fortnight = event(recurrence={"freq": "weekly", "interval": 2, "until": "2026-04-02"})
    got = [o.start.date() for o in occurrences([fortnight], datetime(2026, 1, 1), datetime(2027, 1, 1), PARIS)]
    assert got == [date(2026, 3, 5), date(2026, 3, 19), date(2026, 4, 2)]


def test_an_occurrence_under_way_overlaps_the_window_and_one_off_events_are_themselves():
    once = event(id="concert", kind="concert", start="2026-06-21T20:00", end="2026-06-21T23:30")
    at = datetime(2026, 6, 21, 22, 0, tzinfo=PARIS)
    assert [o.event.id for o in occurrences([once], at, at + timedelta(hours=1), PARIS)] == ["concert"]
    assert occurrences([once], at + timedelta(hours=2), at + timedelta(days=3), PARIS) == []
    week = upcoming([once, weekly()], datetime(2026, 6, 19, 12, 0), "Europe/Paris")
    assert [(o.event.id, o.start.date()) for o in week] == [("concert", date(2026, 6, 21)), ("marche", date(2026, 6, 25))]


def test_availability_opens_for_a_market_and_closes_for_a_ceremony():
    t0 = datetime(2026, 5, 13, 6, 0, tzinfo=PARIS)
    window = (t0, t0 + timedelta(hours=12))
    occ = occurrences([weekly(rule="day_before"),
                       event(id="mariage", kind="closure", closes_poi=True, start="2026-05-13T10:00",
                             end="2026-05-13T11:00")], *window, PARIS)
    opened, closed = poi_event_windows(occ, "osm:node/1")
    assert opened == [(t0 + timedelta(hours=1), t0 + timedelta(hours=7))]  # the Ascension market, on Wednesday
    assert closed == [(t0 + timedelta(hours=4), t0 + timedelta(hours=5))]
    spans = availability([], opened, closed, window=window)
    assert spans == [(t0 + timedelta(hours=1), t0 + timedelta(hours=4)), (t0 + timedelta(hours=5), t0 + timedelta(hours=7))]
    assert open_throughout(spans, t0 + timedelta(hours=2), 60) and not open_throughout(spans, t0 + timedelta(hours=3, minutes=30), 60)
    assert availability(None, opened, [], window=window) is None  # unconstrained stays unconstrained
    assert availability(None, [], closed, window=window) == [(t0, closed[0][0]), (closed[0][1], window[1])]


# -- the pack's events.json ------------------------------------------------------------------------------
def small_pack(events) -> ContentPack:
    poi = POI.model_validate({"id": "osm:node/1", "kind": "commerce", "categories": ["marketplace"],
                              "name": {"fr": "Place du Marché"}, "location": {"lat": 45.5664, "lon": 5.9317}})
    return ContentPack.new(town_id="t", town_name="T", pois=[poi], attributions=ATTR, events=events)


def test_events_round_trip_through_save_and_load_as_format_1_2(tmp_path):
    evs = [weekly(rule="day_before", text={"fr": "Producteurs locaux", "en": "Local growers"}),
           event(id="jep", kind="heritage_days", poi=None, location={"lat": 45.566, "lon": 5.932},
                 url="https://journees-du-patrimoine.culture.gouv.fr/")]
    save_pack(small_pack(evs), tmp_path / "p")
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert manifest["format_version"] == "1.2" and "events.json" in manifest["files"]
    back = load_pack(tmp_path / "p")
    assert back.events == evs and back.events[0].recurrence.on_public_holiday == "day_before"
    save_pack(back, tmp_path / "q")
    assert (tmp_path / "q" / "events.json").read_bytes() == (tmp_path / "p" / "events.json").read_bytes()
    save_pack(small_pack([]), tmp_path / "r")
    assert not (tmp_path / "r" / "events.json").exists()
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["format_version"] == 1


def _rewrite(folder: Path, name: str, doc) -> None:
    import hashlib

    data = json.dumps(doc).encode()
    (folder / name).write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_bad_events_are_reported_by_file_record_and_field(tmp_path):
    save_pack(small_pack([weekly()]), tmp_path / "p")
    good = weekly().model_dump(mode="json", exclude_none=True)
    _rewrite(tmp_path / "p", "events.json", {"events": [
        good,
        {**good, "id": "tard", "end": "2026-03-05T06:00"},
        {**good, "id": "ailleurs", "poi": "osm:node/99"},
        {**good, "id": "faux", "recurrence": {"freq": "daily"}},
        {**good, "id": "marche"},
    ]})
    report = validate_pack(tmp_path / "p")
    found = {(p.file, p.record, p.field) for p in report.errors}
    assert any(p.record == "tard" and "end must be after start" in p.message for p in report.errors)
    assert ("events.json", "ailleurs", "poi") in found
    assert ("events.json", "faux", "recurrence.freq") in found
    assert ("events.json", "marche", "id") in found  # duplicate id
    assert "end must be after start" in str(report)
    with pytest.raises(PackError, match="events.json"):
        load_pack(tmp_path / "p")
    _rewrite(tmp_path / "p", "events.json", [good])
    assert [p.message for p in validate_pack(tmp_path / "p").errors] == ["must be an object with an 'events' list"]


def test_an_unknown_event_field_of_a_newer_minor_is_dropped_with_a_warning(tmp_path):
    # a 1.3 pack's unknown event field is dropped with a warning (forward compatibility, as for POIs)
    save_pack(small_pack([weekly()]), tmp_path / "p")
    good = weekly().model_dump(mode="json", exclude_none=True)
    _rewrite(tmp_path / "p", "events.json", {"events": [{**good, "ticket_price": 5}]})
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    manifest["format_version"] = "1.3"
    (tmp_path / "p" / "manifest.json").write_text(json.dumps(manifest))
    report = validate_pack(tmp_path / "p")
    assert report.ok and any(p.field == "ticket_price" and p.severity == "warning" for p in report.problems)
    assert load_pack(tmp_path / "p").events[0].id == "marche"


# -- the recipe ------------------------------------------------------------------------------------------
def recipe(tmp_path, content_dir, events) -> Path:
    config = json.loads((content_dir / "chambery" / "build.json").read_text())
    config.update(audio=False, basemap=None, streets=None, events=str(tmp_path / "my-events.json"))
    config = {k: v for k, v in config.items() if v is not None}
    (tmp_path / "my-events.json").write_text(json.dumps(events))
    path = tmp_path / "build.json"
    path.write_text(json.dumps(config))
    return path


def test_the_recipe_events_file_goes_into_the_pack(tmp_path, content_dir, raw_dir):
    market = weekly(poi="osm:node/3441430863").model_dump(mode="json", exclude_none=True)
    res = build_pack(recipe(tmp_path, content_dir, {"events": [market]}), root=raw_dir.parents[1])
    assert [e.id for e in res.pack.events] == ["marche"] and "events: 1 from my-events.json" in res.notes
    assert res.pack.build["events"].endswith("my-events.json")
    save_pack(res.pack, tmp_path / "out")
    assert load_pack(tmp_path / "out").events == res.pack.events


@pytest.mark.parametrize(("events", "words"), [
    ({"events": [{"id": "x", "kind": "market"}]}, r"my-events.json: event 'x' field title: Field required"),
    ({"events": [{**weekly().model_dump(mode="json", exclude_none=True), "poi": "osm:node/5"}]},
     r"event 'marche' field poi: 'osm:node/5' is not a POI of the pack"),
    ([], r"must be an object with an 'events' list"),
])
def test_a_bad_recipe_events_file_names_file_event_and_field(tmp_path, content_dir, raw_dir, events, words):
    with pytest.raises(PackError, match=words):
        build_pack(recipe(tmp_path, content_dir, events), root=raw_dir.parents[1])


def test_chambery_pack_carries_the_european_heritage_days(content_dir):
    pack = load_pack(content_dir / "chambery")
    jep = next(e for e in pack.events if e.kind == "heritage_days")
    assert jep.source.url.startswith("https://journees-du-patrimoine.culture.gouv.fr")
    occ = occurrences(pack.events, datetime(2026, 9, 1), datetime(2026, 10, 1), pack.timezone,
                      country=pack.manifest.country)
    assert [(o.start.isoformat(), o.end.isoformat()) for o in occ] == [
        ("2026-09-19T09:00:00+02:00", "2026-09-20T18:00:00+02:00")]


def test_the_next_edition_built_from_contributions_keeps_the_events(content_dir):
    from datetime import timezone as tz

    from heritage_kit.inbox.publish import build_next_pack

    pack = load_pack(content_dir / "chambery")
    result = build_next_pack(pack, [], lambda _u: [], now=datetime(2026, 9, 1, tzinfo=tz.utc))
    assert result.pack.events == pack.events and result.pack.events  # not dropped by the rebuild
