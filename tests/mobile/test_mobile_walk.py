"""Walk mode presenter: next stop, distance and direction, progress, alerts once, restart."""

from datetime import datetime, timedelta, timezone

import pytest

from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.hours import HoursBadges
from mobile.presenters.location import Position
from mobile.presenters.walk import WalkPresenter

T0 = datetime(2026, 7, 15, 9, 0, tzinfo=timezone.utc)


class ScriptedEngine:
    """Answers a fixed arrival per call; records what it was told (presenter logic only)."""

    def __init__(self, script):
        self.script = list(script)
        self.next_ids = []
        self.loaded = None

    def update(self, position):
        return self.script.pop(0) if self.script else []

    def set_next(self, next_id):
        self.next_ids.append(next_id)

    def state_dict(self):
        return {"remaining": len(self.script)}

    def load_state(self, data):
        self.loaded = data


def pos(p, t=0, acc=8.0):
    return Position(p.lat, p.lon, acc, T0 + timedelta(seconds=t))


def make(pack, engine, lang="en", router=None, badges=None):
    trail = pack.trail("rocher")
    return WalkPresenter(pack, trail, tr=Translator(lang), engine=engine, router=router, badges=badges)


def test_next_stop_distance_direction_and_progress(pack):
    w = make(pack, ScriptedEngine([]))
    v = w.view()
    assert v.next_id == "osm:way/1" and v.progress == "0/4 stops visited" and v.bearing is None
    assert v.distance == "Waiting for a position…"
    # 100 m east of the palace: the palace is to the west
    here = LatLon(lat=43.7314, lon=7.4198 + 100 / (111_320 * 0.7224))
    w.on_position(Position(here.lat, here.lon, 8.0, T0))
    v = w.view()
    assert v.distance == "100 m west"
    assert 265 < v.bearing < 275
    assert v.route == [here, pack.poi("osm:way/1").location]  # no router: the straight line


def test_alerts_once_in_order_and_progress(pack):
    stops = pack.trail("rocher").stops
    eng = ScriptedEngine([[stops[0]], [stops[0]], [], ["osm:node/5"], [stops[1]], [stops[3]], [stops[2]], [stops[2]]])
    w = make(pack, eng, lang="fr")
    alerts = []
    for i in range(8):
        alerts += w.on_position(pos(pack.poi(stops[min(i // 2, 3)]).location, t=i * 30))
    # each once; not the shop; the museum reported while the walker stands at the cathedral (the next
    # stop) does not pass the cathedral over: the cathedral first, the museum on the next fix
    assert [a.poi_id for a in alerts] == [stops[0], stops[1], stops[2], stops[3]]
    assert alerts[0].title == "Vous êtes arrivé : Palais Princier"
    v = w.view()
    assert v.finished and v.progress == "4/4 étapes vues" and v.next_name == "Balade terminée, bravo !"
    # the engine was told the next stop each time it changed
    assert eng.next_ids[:3] == [stops[0], stops[1], stops[2]]


def test_a_later_stop_reached_first_skips_the_earlier_ones(pack):
    """A missed arrival never blocks the walk: the walker is not sent back to a stop it passed."""
    stops = pack.trail("rocher").stops
    eng = ScriptedEngine([[stops[1]], [stops[2]], [stops[3]]])
    w = make(pack, eng)
    w.on_position(pos(pack.poi(stops[1]).location))
    v = w.view()
    assert v.next_id == stops[2] and v.done == 1 and v.progress == "1/4 stops visited"
    assert v.skipped == [stops[0]] and eng.next_ids[-1] == stops[2]
    assert [seen for _i, _n, seen in v.stops] == [False, True, False, False]
    w.on_position(pos(pack.poi(stops[2]).location, t=60))
    w.on_position(pos(pack.poi(stops[3]).location, t=120))
    v = w.view()
    assert v.finished and v.next_name == "Walk finished. Stops visited: 3, skipped: 1."
    assert Translator("fr").tr("walk.finished_summary", visited=3, skipped=1) == \
        "Balade terminée. Étapes vues : 3, passées : 1."


def test_skip_and_im_here_move_on_and_the_walk_finishes(pack):
    stops = pack.trail("rocher").stops
    # the engine reports the stop "I'm here" marked, then the skipped one, reached after all
    eng = ScriptedEngine([[], [stops[0]], [stops[1]]])
    w = make(pack, eng, lang="fr")
    w.on_position(pos(pack.poi("osm:node/7").location))
    assert w.arrived() == stops[0]  # "J'y suis"
    assert w.skip() == stops[1]  # "Passer cette étape"
    v = w.view()
    assert v.next_id == stops[2] and v.skipped == [stops[1]] and v.progress == "1/4 étapes vues"
    assert eng.next_ids[-2:] == [stops[1], stops[2]]  # the engine follows the walker's choice
    alerts = w.on_position(pos(pack.poi(stops[0]).location, t=30))
    assert alerts == []  # marked by hand: no alert for it afterwards
    alerts = w.on_position(pos(pack.poi(stops[1]).location, t=60))
    assert [a.poi_id for a in alerts] == [stops[1]]  # a skipped stop still counts when reached
    assert w.view().skipped == [] and w.view().next_id == stops[2]
    assert w.skip() == stops[2] and w.skip() == stops[3] and w.skip() is None
    v = w.view()
    assert v.finished and v.next_name == "Balade terminée. Étapes vues : 2, passées : 2."


def test_skipped_stops_survive_a_restart(pack):
    stops = pack.trail("rocher").stops
    w = make(pack, ScriptedEngine([]))
    w.skip()
    saved = w.to_dict()
    assert saved["skipped"] == [stops[0]]
    w2 = make(pack, ScriptedEngine([]))
    assert w2.restore(saved) and w2.next_id == stops[1]
    older = {k: v for k, v in saved.items() if k != "skipped"}  # saved by the app before skipping existed
    w3 = make(pack, ScriptedEngine([]))
    assert w3.restore(older) and w3.next_id == stops[0]


def test_restart_restores_without_alerting_again(pack):
    stops = pack.trail("rocher").stops
    w = make(pack, ScriptedEngine([[stops[0]], [stops[1]]]))
    w.on_position(pos(pack.poi(stops[0]).location))
    w.on_position(pos(pack.poi(stops[1]).location, t=60))
    saved = w.to_dict()
    # a new presenter after a restart; the engine reports the same arrivals again
    eng2 = ScriptedEngine([[stops[1]], [stops[0]], [stops[2]]])
    w2 = make(pack, eng2)
    assert w2.restore(saved)
    assert eng2.loaded == {"remaining": 0}
    got = []
    for i in range(3):
        got += w2.on_position(pos(pack.poi(stops[2]).location, t=100 + i))
    assert [a.poi_id for a in got] == [stops[2]]
    assert w2.view().progress == "3/4 stops visited"


def test_restore_refuses_another_walk(pack):
    w = make(pack, ScriptedEngine([]))
    saved = w.to_dict()
    other = WalkPresenter(pack, None, tr=Translator("en"), engine=ScriptedEngine([]), stops=["osm:way/3", "osm:way/2"])
    assert not other.restore(saved)
    assert not w.restore({"version": 99})
    assert not w.restore("junk")


def test_router_is_used_and_errors_fall_back_to_straight_line(pack):
    calls = []

    def router(a, b):
        calls.append((a, b))
        if len(calls) == 1:
            return [a, LatLon(lat=(a.lat + b.lat) / 2, lon=a.lon), b]
        raise LookupError("no route")

    stops = pack.trail("rocher").stops
    w = make(pack, ScriptedEngine([[], [stops[0]]]), router=router)
    w.on_position(pos(pack.poi("osm:node/7").location))
    assert len(w.view().route) == 3
    w.on_position(pos(pack.poi(stops[0]).location, t=30))
    assert len(w.view().route) == 2 and len(calls) == 2


def test_open_shops_along_the_way(pack):
    badges = HoursBadges(country="MC", timezone="Europe/Monaco")
    stops = pack.trail("rocher").stops
    w = make(pack, ScriptedEngine([[stops[0]]]), badges=badges)
    # at the palace, next stop the chapel: the route passes the souvenir shop (09-18) and the 24/7 bakery
    w.on_position(Position(43.7314, 7.4198, 8.0, datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)))
    names = [line for _id, line in w.view().open_shops]
    assert any("Rock Bakery" in n for n in names) and any("Palace Souvenirs" in n for n in names)
    # at night only the 24/7 bakery is open
    w2 = make(pack, ScriptedEngine([[stops[0]]]), badges=badges)
    w2.on_position(Position(43.7314, 7.4198, 8.0, datetime(2026, 7, 15, 22, 0, tzinfo=timezone.utc)))
    names = [line for _id, line in w2.view().open_shops]
    assert len(names) == 1 and "Rock Bakery" in names[0]


class RoutedEngine(ScriptedEngine):
    """A scripted engine with route mode: records the planned paths it is given."""

    def __init__(self, script):
        super().__init__(script)
        self.routes = []

    def set_route(self, points):
        self.routes.append(list(points))


def test_walk_start_gives_the_engine_the_planned_path_once(pack):
    stops = pack.trail("rocher").stops
    eng = RoutedEngine([[], [stops[0]], []])
    start = LatLon(lat=43.7300, lon=7.4180)
    w = make(pack, eng)
    assert eng.routes == []  # no position yet
    w.on_position(pos(start))
    # no router: straight from here through every stop
    assert eng.routes == [[start] + [pack.poi(s).location for s in stops]]
    w.on_position(pos(pack.poi(stops[0]).location, t=30))
    w.on_position(pos(pack.poi(stops[1]).location, t=60))
    assert len(eng.routes) == 1  # not again when the next stop changes


def test_planned_path_follows_the_router_legs(pack):
    stops = pack.trail("rocher").stops

    def router(a, b):
        if b == pack.poi(stops[2]).location:
            raise LookupError("no route")  # this leg falls back to the straight line
        return [a, LatLon(lat=(a.lat + b.lat) / 2, lon=a.lon), b]

    eng = RoutedEngine([])
    w = make(pack, eng, router=router)
    start = LatLon(lat=43.7300, lon=7.4180)
    w.on_position(pos(start))
    (path,) = eng.routes
    # 4 legs: 3 routed (a midpoint each) and 1 straight
    assert len(path) == 1 + 4 + 3 and path[0] == start and path[-1] == pack.poi(stops[3]).location


def test_resumed_walk_keeps_the_engine_route_older_saves_get_one(pack):
    stops = pack.trail("rocher").stops
    w = make(pack, RoutedEngine([[stops[0]]]))
    w.on_position(pos(pack.poi(stops[0]).location))
    saved = w.to_dict()
    assert saved["route_set"] is True
    # resumed: the engine's saved state holds the route and the progress along it
    eng2 = RoutedEngine([])
    w2 = make(pack, eng2)
    assert w2.restore(saved)
    w2.on_position(pos(pack.poi(stops[1]).location, t=60))
    assert eng2.routes == []
    # a save from before route mode: the path from here through the stops not yet visited
    old = dict(saved)
    del old["route_set"]
    eng3 = RoutedEngine([])
    w3 = make(pack, eng3)
    assert w3.restore(old)
    here = pack.poi(stops[1]).location
    w3.on_position(pos(here, t=60))
    assert eng3.routes == [[here] + [pack.poi(s).location for s in stops[1:]]]


def test_geofence_arrivals_in_route_mode(pack):
    from mobile.presenters.arrivals import GeofenceArrivals

    stops = pack.trail("rocher").stops
    arrivals = GeofenceArrivals(pack, stops)
    w = make(pack, arrivals)
    start = pack.poi(stops[0]).location
    w.on_position(Position(start.lat, start.lon, 8.0, T0, speed_mps=0.0))
    assert arrivals.engine.route_length_m is not None
    saved = w.to_dict()
    assert saved["engine"]["version"] == 2 and saved["engine"]["route"] is not None


def test_a_neighbour_does_not_steal_the_next_stops_arrival(pack):
    """The engine reports the later stop first (47 m from the next one, 25 m accuracy): the next stop
    is announced first, the neighbour on the following fix, and nothing is marked skipped."""
    stops = ["osm:node/4", "osm:node/5", "osm:way/2"]  # chapel, bakery 47 m away, cathedral
    eng = ScriptedEngine([["osm:node/5"], [], []])
    w = WalkPresenter(pack, None, tr=Translator("en"), engine=eng, stops=stops, title="t")
    first = w.on_position(pos(pack.poi("osm:node/5").location, acc=25.0))
    assert [a.poi_id for a in first] == ["osm:node/4"]
    assert w.view().skipped == [] and w.next_id == "osm:node/5"
    second = w.on_position(pos(pack.poi("osm:node/5").location, t=5, acc=25.0))
    assert [a.poi_id for a in second] == ["osm:node/5"]
    v = w.view()
    assert v.skipped == [] and v.done == 2 and v.next_id == "osm:way/2"
    # far from the next stop, a later stop reached does pass it over (the walk is never blocked)
    w2 = WalkPresenter(pack, None, tr=Translator("en"), engine=ScriptedEngine([["osm:way/2"]]), stops=stops, title="t")
    assert [a.poi_id for a in w2.on_position(pos(pack.poi("osm:way/2").location, acc=8.0))] == ["osm:way/2"]
    assert w2.view().skipped == ["osm:node/4", "osm:node/5"]


def test_two_stops_entered_on_one_fix_are_announced_in_trail_order_one_per_fix(pack):
    stops = pack.trail("rocher").stops
    eng = ScriptedEngine([[stops[1], stops[0]], []])
    w = make(pack, eng)
    assert [a.poi_id for a in w.on_position(pos(pack.poi(stops[0]).location))] == [stops[0]]
    assert [a.poi_id for a in w.on_position(pos(pack.poi(stops[1]).location, t=5))] == [stops[1]]
    assert w.view().skipped == []


def test_markers_number_the_stops_as_the_list_does(pack):
    stops = pack.trail("rocher").stops
    w = make(pack, ScriptedEngine([]))
    w.arrived()
    w.skip()
    v = w.view()
    assert v.markers == [(stops[0], 1, "visited"), (stops[1], 2, "skipped"), (stops[2], 3, "next"),
                         (stops[3], 4, "todo")]
    assert [m[0] for m in v.markers] == [s for s, _n, _seen in v.stops]


def test_audio_on_arrival_plays_the_packs_file_else_reads_the_page(pack):
    from mobile.presenters.walk import arrival_audio

    kind, text = arrival_audio(pack, "osm:way/1", "fr")  # no audio file in the mini pack: the phone's voice
    assert kind == "speech" and text.startswith("Palais Princier. Résidence des princes")
    assert arrival_audio(pack, "osm:way/1", "en")[1].startswith("Prince's Palace. Home of")


def test_audio_on_arrival_uses_monacos_audio_file(monaco):
    from heritage_kit.export.audio import audio_for
    from mobile.presenters.walk import arrival_audio

    with_audio = [p for p in monaco.pois if (t := audio_for(p, "fr")) is not None and t.path in monaco.media]
    if not with_audio:
        pytest.skip("this Monaco pack has no audio files")
    kind, path = arrival_audio(monaco, with_audio[0].id, "fr")
    assert kind == "file" and path == audio_for(with_audio[0], "fr").path


def test_a_held_arrival_survives_a_restart_and_is_announced_after_it(pack):
    """A neighbour held back for the next fix is saved with the walk: after a restart (or the hand-over
    to the background walk service) it is still announced, once."""
    stops = ["osm:node/4", "osm:node/5", "osm:way/2"]
    w = WalkPresenter(pack, None, tr=Translator("en"), engine=ScriptedEngine([["osm:node/5"]]), stops=stops, title="t")
    assert [a.poi_id for a in w.on_position(pos(pack.poi("osm:node/5").location, acc=25.0))] == ["osm:node/4"]
    saved = w.to_dict()
    assert saved["held"] == ["osm:node/5"]
    again = WalkPresenter(pack, None, tr=Translator("en"), engine=ScriptedEngine([]), stops=stops, title="t")
    assert again.restore(saved)
    assert [a.poi_id for a in again.on_position(pos(pack.poi("osm:node/5").location, t=5, acc=25.0))] == ["osm:node/5"]
    assert again.on_position(pos(pack.poi("osm:node/5").location, t=10, acc=25.0)) == []
