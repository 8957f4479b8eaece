"""The app's flows without a window: take me there, plan my walk (options, arrival times),
save a contribution (once), send now, and the walk's lifecycle (start, skip, I'm here, restore).

The host below is what :class:`mobile.app.HeritageApp` gives the flows: the real mini pack, its
real walking network and planner, a real outbox and walk store in ``tmp_path``; only the worker
thread is replaced by running the work inline (or later, to see what a second tap does meanwhile).
Screens record what the flows show them through the ``show_*`` contract of ``HKScreen``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo


from heritage_kit.routing import WalkingGraph
from heritage_kit.submissions import Outbox
from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.platform.storage import JsonStore
from mobile.presenters.contribute import ContributePresenter
from mobile.presenters.flows import ContributionFlow, PlanFlow, RouteFlow, fit_box
from mobile.presenters.hours import HoursBadges
from mobile.presenters.location import Position
from mobile.presenters.map_view import MapScene
from mobile.presenters.trails import PlanOptions, TrailsPresenter, make_planner
from mobile.presenters.walk_session import WalkSession

TEN_AM = datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Europe/Monaco"))
NEAR_PALACE = LatLon(lat=43.7313, lon=7.4205)


class RecordingScreen:
    """Keeps every ``show_*`` call it receives, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def __getattr__(self, name):
        if name.startswith("show_"):
            return lambda *args: self.calls.append((name, args))
        raise AttributeError(name)

    def shown(self, name: str) -> list[tuple]:
        return [args for n, args in self.calls if n == name]


class Host:
    def __init__(self, pack, tmp_path, *, lang="en", network=True, position=None) -> None:
        self.pack = pack
        self.tr = Translator(lang)
        self.network = WalkingGraph.for_pack(pack) if network else None
        self.scene = MapScene.from_pack(pack)
        self.position = position
        self.badges = HoursBadges(country="MC", timezone="Europe/Monaco")
        self.route: list[LatLon] = []
        self.syncing = False
        self.walk = None
        self.highlight: list[str] = []
        self.screens = defaultdict(RecordingScreen)
        self.shown: list[str] = []
        self.later: list = []  # work held back while ``hold`` is set (a slow worker thread)
        self.hold = False
        self.tmp_path = tmp_path
        self._trails = TrailsPresenter(pack, self.tr, planner=make_planner(pack))
        self._contribute = ContributePresenter(pack, self.tr, lambda: Outbox(tmp_path / "outbox.sqlite", pack=pack))

    def now(self):
        return TEN_AM

    def here(self):
        return self.position.latlon if self.position is not None else self.pack.manifest.centre

    def run_io(self, work, done=None, failed=None):
        def job():
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - handed to ``failed`` like the app's worker does
                if failed is None:
                    raise
                failed(exc)
                return
            if done is not None:
                done(result)

        self.later.append(job) if self.hold else job()

    def finish_io(self):
        while self.later:
            self.later.pop(0)()

    def schedule(self, fn):
        fn()

    def screen(self, name):
        return self.screens[name]

    def show(self, name):
        self.shown.append(name)

    def trails_presenter(self):
        return self._trails

    def contribute_presenter(self):
        return self._contribute

    def inbox_credentials(self):
        return "", "device-token"

    def router(self, step_free=False):
        net = self.network
        return (lambda a, b: list(net.route(a, b, step_free=step_free).geometry)) if net is not None else None

    def walk_started(self):
        self.shown.append("walk")


# -- take me there ------------------------------------------------------------------------------
def test_take_me_there_draws_the_route_shows_the_map_and_fits_it(pack, tmp_path):
    host = Host(pack, tmp_path)
    flow = RouteFlow(host)
    flow.take_me_to("osm:way/3")
    assert len(host.route) >= 2 and host.shown == ["map"]
    assert host.route[-1] == pack.poi("osm:way/3").location  # the street route, to the door
    assert flow.summary.startswith("Route: ") and flow.summary.endswith("Position unknown: route from the town centre.")
    ((poi_id, box),) = host.screens["map"].shown("show_route")
    xy = host.scene.line_xy(host.route)
    assert poi_id == "osm:way/3"
    assert box[0] < xy[:, 0].min() and box[2] > xy[:, 0].max() and box[1] < xy[:, 1].min() and box[3] > xy[:, 1].max()
    assert flow.info_text(pick_mode=False) == flow.summary
    assert flow.info_text(pick_mode=True) == "Tap the map where the contribution is"
    flow.clear()
    assert host.route == [] and flow.info_text(pick_mode=False) == ""


def test_take_me_there_from_my_position_says_no_more(pack, tmp_path):
    here = Position(43.7314, 7.4198, 12.0, TEN_AM)
    host = Host(pack, tmp_path, lang="fr", position=here)
    flow = RouteFlow(host)
    flow.take_me_to("osm:node/4")
    start = host.route[0]  # from the street nearest to me, not from the town centre
    assert abs(start.lat - here.lat) < 3e-4 and abs(start.lon - here.lon) < 3e-4
    assert flow.summary.startswith("Itinéraire : ") and "\n" not in flow.summary


def test_take_me_there_before_the_street_map_is_built(pack, tmp_path):
    host = Host(pack, tmp_path, network=False)
    RouteFlow(host).take_me_to("osm:way/3")
    assert host.screens["poi"].shown("show_notice") == [("No route: the street map is still loading",)]
    assert host.route == [] and host.shown == []


def test_fit_box_pads_the_points():
    import numpy as np

    assert fit_box(np.array([[0.0, 10.0], [5.0, -2.0]]), 3.0) == (-3.0, -5.0, 8.0, 13.0)
    assert fit_box(np.zeros((0, 2)), 3.0) is None


# -- plan my walk --------------------------------------------------------------------------------
def test_plan_shows_planning_then_every_stop_with_its_arrival_time(pack, tmp_path):
    host = Host(pack, tmp_path, lang="fr")
    PlanFlow(host).plan(PlanOptions(minutes=90, start_here=False))
    screen = host.screens["trails"]
    assert [name for name, _a in screen.calls] == ["show_planning", "show_plan"]
    ((text, ok),) = screen.shown("show_plan")
    planned = host.trails_presenter().planned
    assert ok and planned is not None and len(planned.arrivals) == len(planned.stop_ids) >= 3
    head, *lines = text.split("\n")
    assert head.startswith(f"Balade proposée : {len(planned.stop_ids)} étapes")
    assert len(lines) == len(planned.stop_ids)
    for line, sid, t in zip(lines, planned.stop_ids, planned.arrivals):
        assert line == f"{Translator('fr').time(t.hour, t.minute)} · {pack.poi(sid).name.get('fr')}"
    assert planned.arrivals == sorted(planned.arrivals) and planned.arrivals[0] >= TEN_AM


def test_interests_change_the_plan(pack, tmp_path):
    plain, museums = Host(pack, tmp_path), Host(pack, tmp_path)
    PlanFlow(plain).plan(PlanOptions(minutes=90, start_here=False))
    PlanFlow(museums).plan(PlanOptions(minutes=90, start_here=False, interests=("museums",)))
    assert "osm:way/3" not in plain.trails_presenter().planned.stop_ids
    assert "osm:way/3" in museums.trails_presenter().planned.stop_ids  # the Oceanographic Museum
    assert PlanOptions(interests=("museums", "cafes")).interest_keys() == ["museum", "gallery", "cafe", "bakery",
                                                                           "pastry", "ice_cream"]
    labels = dict(TrailsPresenter(pack, Translator("fr")).interest_labels())
    assert labels["churches"] == "Églises" and labels["cafes"] == "Cafés, boulangeries"


def test_a_plan_that_cannot_be_made_is_said_in_the_users_language(pack, tmp_path):
    host = Host(pack, tmp_path, lang="fr")
    PlanFlow(host).plan(PlanOptions(minutes=0, start_here=False))  # plan_trail refuses 0 minutes
    ((text, ok),) = host.screens["trails"].shown("show_plan")
    assert not ok and text.startswith("Impossible d'organiser la balade : ")
    assert host.trails_presenter().planned is None


# -- contributions -------------------------------------------------------------------------------
def _fill(p: ContributePresenter) -> None:
    f = p.form
    f.kind, f.category = "heritage", "memorial"
    f.name, f.description, f.author, f.consent = "Plaque des remparts", "Une plaque ancienne.", "Testeur", True
    p.set_place(NEAR_PALACE)


def test_a_double_tap_on_save_saves_once_and_shows_no_error(pack, tmp_path):
    host = Host(pack, tmp_path)
    flow = ContributionFlow(host)
    p = host.contribute_presenter()
    _fill(p)
    host.hold = True  # the outbox is slow: the second tap comes while the first save runs
    assert flow.save() is True
    assert flow.save() is False
    host.finish_io()
    screen = host.screens["contribute"]
    assert screen.shown("show_saving") == [(True,), (False,)]
    assert screen.shown("show_result") == [(
        "Saved on this phone. No contribution server is set (Settings): nothing is sent until one is.", True)]
    # a third tap on the emptied form right after the success: still no "field required"
    assert p.form.is_blank() and flow.save() is False
    assert screen.shown("show_errors") == [({},)]
    assert len(p.outbox.items()) == 1
    # a new entry started: its problems are shown again
    p.form.name = "Autre plaque"
    assert flow.save() is False
    (errors,) = screen.shown("show_errors")[-1]
    assert set(errors) == {"category", "place", "consent"}
    assert screen.shown("show_result")[-1][1] is False


def test_an_over_long_description_is_reported_on_its_field_with_the_limit(pack, tmp_path):
    for lang, expected, hint in (("en", "Text too long (at most 5000 characters).", "30000 / 5000 characters"),
                                 ("fr", "Texte trop long (5000 caractères au plus).", "30000 / 5000 caractères")):
        p = ContributePresenter(pack, Translator(lang))
        _fill(p)
        p.form.description = "x" * 30_000
        assert p.field_errors() == {"description": expected}  # not "Name: 1 validation error for Proposal"
        assert p.length_hint("description") == hint
        assert not p.save().ok
    p = ContributePresenter(pack, Translator("en"))
    _fill(p)
    p.form.name = "n" * 300
    p.form.author = ""
    errors = p.field_errors()
    assert errors["name"] == "Text too long (at most 200 characters)." and "author" in errors


def test_send_now_without_a_server_says_so_and_ends(pack, tmp_path):
    host = Host(pack, tmp_path)
    outcomes = []
    flow = ContributionFlow(host, spawn=lambda fn: fn())
    flow.send(outcomes.append)
    assert not host.syncing and len(outcomes) == 1
    assert outcomes[0].text.startswith("No contribution server is set") and not outcomes[0].ok


# -- the walk ------------------------------------------------------------------------------------
def test_walk_session_start_skip_here_save_restore_stop(pack, tmp_path):
    store = JsonStore(tmp_path / "walk.json")
    host = Host(pack, tmp_path)
    session = WalkSession(host, store)
    session.start_trail("rocher")
    stops = list(pack.trail("rocher").stops)
    assert host.walk is not None and host.highlight == stops and host.shown == ["walk"]
    assert store.load()["stops"] == stops and store.load()["kind"] == "trail"
    assert session.arrived() == stops[0] and session.skip() == stops[1]
    saved = store.load()
    assert saved["visited"] == [stops[0]] and saved["skipped"] == [stops[1]]
    # a restart: a new app, the same store
    host2 = Host(pack, tmp_path)
    session2 = WalkSession(host2, store)
    assert session2.restore(store.load())
    assert host2.walk.next_id == stops[2] and host2.walk.visited == [stops[0]] and host2.highlight == stops
    assert host2.walk.title == "The Rock"
    # another town's walk is not taken
    assert not WalkSession(Host(pack, tmp_path), store).restore({**saved, "town_id": "perigueux"})
    session2.stop()
    assert host2.walk is None and host2.highlight == [] and store.load() == {}
    assert session2.skip() is None and session2.on_position(Position(43.73, 7.42, 10.0, TEN_AM)) == []


def test_the_planned_walk_has_a_plain_title(pack, tmp_path):
    host = Host(pack, tmp_path)
    session = WalkSession(host, JsonStore(tmp_path / "walk.json"))
    assert session.start_planned() is False  # nothing planned yet
    PlanFlow(host).plan(PlanOptions(minutes=90, start_here=False))
    assert session.start_planned() is True
    minutes = round(host.trails_presenter().planned.duration_s / 60)
    assert host.walk.view().title == f"Walk: your {minutes}-minute walk"  # not "Walk: Plan my walk"
    assert session.kind == "planned" and host.walk.stop_ids == host.trails_presenter().planned.stop_ids


def test_my_own_earlier_submission_is_warned_as_a_duplicate(pack, tmp_path):
    host = Host(pack, tmp_path, lang="fr")
    flow = ContributionFlow(host)
    p = host.contribute_presenter()
    _fill(p)
    assert p.duplicate_warning() == ""  # nothing like it in the pack
    assert flow.save()
    _fill(p)  # the same entry again (the server accepted four copies of one)
    assert p.duplicate_warning() == "Attention : vous avez déjà proposé « Plaque des remparts » à 0 m."
    # after a restart: read back from the outbox file
    again = ContributePresenter(pack, Translator("en"), Outbox(tmp_path / "outbox.sqlite", pack=pack))
    again.load_own()
    _fill(again)
    assert again.duplicate_warning("plaque des Remparts") == "Careful: you already submitted “Plaque des remparts” 0 m away."


def test_a_walk_started_where_the_dot_is_does_not_wait_for_a_position(pack, tmp_path):
    host = Host(pack, tmp_path, position=Position(43.7316, 7.4216, 10.0, TEN_AM))  # at the pharmacy
    WalkSession(host, JsonStore(tmp_path / "walk.json")).start_trail("rocher")
    v = host.walk.view()
    assert v.distance != "Waiting for a position…" and v.distance.endswith(" west") and v.bearing is not None
    assert len(v.route) >= 2 and v.done == 0  # no arrival decided without the engine


def test_a_saved_entry_is_sent_in_the_background_to_a_real_inbox(pack, tmp_path):
    """With a server set, Save sends at once on another thread (no "Send now"); the server is a real
    inbox on 127.0.0.1. Then the server goes away: a new entry stays queued, and the next background
    try keeps the outbox's backoff (no request before the next attempt is due)."""
    import pathlib
    import sys
    import threading

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contrib"))
    from contrib_support import ThreadServer

    from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app

    host = Host(pack, tmp_path)
    threads = []

    def spawn(fn):
        t = threading.Thread(target=fn)
        threads.append(t)
        t.start()

    flow = ContributionFlow(host, spawn=spawn)
    p = host.contribute_presenter()
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    try:
        with ThreadServer(create_app(storage, pack, InboxSettings())) as server:
            host.inbox_credentials = lambda: (server.url, "device-token-1234567890")
            _fill(p)
            assert flow.save()
            for t in threads:
                t.join(20)
            (text, ok), = host.screens["contribute"].shown("show_result")
            assert ok and text.startswith("Saved on this phone. Sending in the background;")
            assert not host.syncing and flow.last_background.ok, flow.last_background.text
            assert [i.status for i in p.outbox.items()] == ["pending"]
            url = server.url
        _fill(p)
        p.form.name = "Lavoir du Rocher"
        assert flow.save()
        for t in threads:
            t.join(30)
        assert not host.syncing and flow.last_background.ok is False  # the server is gone: still queued
        assert "waiting" in flow.last_background.text or "attente" in flow.last_background.text
        queued = p.outbox.items(status="queued")
        assert len(queued) == 1 and queued[0].last_error
        assert p.send_due(url, "device-token-1234567890") is not None  # due again only after the backoff…
        assert [i.attempts for i in p.outbox.items(status="queued")] == [queued[0].attempts]  # …so not retried
    finally:
        storage.close()
    empty = ContributePresenter(pack, Translator("en"), Outbox(tmp_path / "empty.sqlite", pack=pack))
    assert empty.send_due("https://inbox.example.org", "t") is None  # nothing queued: no request at all
