"""Issue 20: the trail planner counts events — a market open on arrival is open, a monument closed for an event
is closed (real walking network of Monaco-Ville, from the OSM extract)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from heritage_kit.errors import RouteNotFound
from heritage_kit.events import occurrences
from heritage_kit.models.event import Event
from heritage_kit.routing import plan_trail
from rocher_support import MONUMENTS, START, poi, rocher_pack

SATURDAY = datetime(2026, 11, 21, 10, 0)
SOURCE = {"name": "Mairie de Monaco (test)", "licence": "CC0 1.0"}
POIS = [*MONUMENTS, poi("test:market", "commerce", ["marketplace"], "Marché de la place", 43.73120, 7.42150)]  # no hours


def event(eid, poi_id, start, end, **kw) -> Event:
    return Event.model_validate({"id": eid, "kind": kw.pop("kind", "market"), "title": {"fr": eid},
                                 "start": start, "end": end, "poi": poi_id, "source": SOURCE, **kw})


MARKET = event("marche", "test:market", "2026-11-07T07:00", "2026-11-07T13:00",
               recurrence={"freq": "weekly", "weekdays": ["SA"]})
WEDDING = event("mariage", "test:cathedral", "2026-11-21T09:00", "2026-11-21T13:00", kind="closure", closes_poi=True)


@pytest.fixture(scope="module")
def graph(rocher_graph):
    return rocher_graph


def make_pack(graph, events=()):
    return rocher_pack(graph, POIS, events=list(events))


@pytest.fixture(scope="module")
def pack(graph):
    return make_pack(graph, [MARKET, WEDDING])


def ids(it):
    return [s.poi_id for s in it.stops]


def test_a_market_without_hours_is_open_while_it_is_held(pack, graph):
    bare = make_pack(graph)
    with pytest.raises(RouteNotFound, match="opening hours are unknown"):
        plan_trail(bare, start=START, start_time=SATURDAY, minutes=60, must_visit=["test:market"])
    assert "test:market" not in ids(plan_trail(bare, start=START, start_time=SATURDAY, minutes=60,
                                               interests=["marketplace"]))
    it = plan_trail(pack, start=START, start_time=SATURDAY, minutes=60, interests=["marketplace"])
    stop = next(s for s in it.stops if s.poi_id == "test:market")
    assert stop.open_checked and stop.events == ("marche",)
    assert stop.departure <= SATURDAY.replace(hour=13, tzinfo=stop.start.tzinfo)  # visit ends by 13:00
    for other in (SATURDAY.replace(hour=14), SATURDAY + timedelta(days=1)):  # market over; a Sunday: no market
        with pytest.raises(RouteNotFound, match="opening hours are unknown"):
            plan_trail(pack, start=START, start_time=other, minutes=60, must_visit=["test:market"])
    with pytest.raises(RouteNotFound, match="not open for a 20-minute visit"):  # 12:50: ten minutes of market left
        plan_trail(pack, start=START, start_time=SATURDAY.replace(hour=12, minute=50), minutes=60,
                   must_visit=["test:market"])


def test_a_monument_closed_for_an_event_is_left_out_then_visited_after_it(pack, graph):
    assert "test:cathedral" in ids(plan_trail(make_pack(graph), start=START, start_time=SATURDAY, minutes=90))
    it = plan_trail(pack, start=START, start_time=SATURDAY, minutes=90)
    assert "test:cathedral" not in ids(it) and "test:palace" in ids(it)
    with pytest.raises(RouteNotFound, match="closed for an event"):
        plan_trail(pack, start=START, start_time=SATURDAY, minutes=90, must_visit=["test:cathedral"])
    later = plan_trail(pack, start=START, start_time=SATURDAY.replace(hour=12, minute=30), minutes=90,
                       must_visit=["test:cathedral"])
    stop = next(s for s in later.stops if s.poi_id == "test:cathedral")
    assert stop.start.hour >= 13 and not stop.open_checked  # waited for the end; nothing says "open" either


def test_a_closure_cuts_a_museums_opening_hours(graph):
    concert = event("concert", "test:museum", "2026-11-21T10:00", "2026-11-21T16:00", kind="concert",
                    closes_poi=True)
    pack = make_pack(graph, [concert])
    it = plan_trail(pack, start=START, start_time=SATURDAY.replace(hour=15), minutes=120, must_visit=["test:museum"])
    stop = next(s for s in it.stops if s.poi_id == "test:museum")
    assert stop.start.hour >= 16 and stop.open_checked  # open by its hours, after the closure
    occ = occurrences([concert], stop.start, stop.departure, pack.timezone)
    assert occ == []  # the visit does not overlap the closure


def test_events_are_an_input_the_caller_can_replace(pack):
    assert "test:cathedral" in ids(plan_trail(pack, start=START, start_time=SATURDAY, minutes=90, events=()))
    assert "test:cathedral" not in ids(plan_trail(pack, start=START, start_time=SATURDAY, minutes=90,
                                                  events=[WEDDING]))
