"""The Kivy application: wiring of packs, presenters, flows, screens, location and alerts.

The app object holds the state every screen binds to (language, theme, text
scale, pack, map scene, position, route, walk) and the collaborators it
injects into presenters. What the app does for the visitor ("take me there",
"plan my walk", a walk, a contribution) lives in plain-Python flows
(:mod:`mobile.presenters.flows`, :mod:`mobile.presenters.walk_session`) that
hand results to screens through their typed ``show_*`` methods
(:mod:`mobile.ui.screens.base`). File, SQLite and routing work runs on one
worker thread (:meth:`HeritageApp.run_io`) and comes back through ``Clock``.
"""

from __future__ import annotations

import importlib
import logging
import os
import pathlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import ScreenManager

from heritage_kit.types import LatLon
from mobile import platform as hk_platform
from mobile.i18n import Translator
from mobile.platform.location import LocationProvider, PlyerGpsProvider, ReplayProvider
from mobile.platform.storage import JsonStore, discover_packs, repo_content_dir, user_dir
from mobile.presenters.contribute import ContributePresenter
from mobile.presenters.explore import ExplorePresenter
from mobile.presenters.flows import AUTO_SEND_SECONDS, ContributionFlow, PlanFlow, RouteFlow
from mobile.presenters.home import HomePresenter, brand_name
from mobile.presenters.hours_editor import HoursEditFlow, HoursEditorPresenter
from mobile.presenters.hours import HoursBadges
from mobile.presenters.location import Position
from mobile.presenters.map_view import MapScene
from mobile.presenters.markup import escape
from mobile.presenters.poi_page import present_poi
from mobile.presenters.settings import NORMAL, Settings, brand_logo, header_colours, theme_for
from mobile.presenters.trails import TrailsPresenter, make_planner
from mobile.presenters.walk import Alert
from mobile.presenters.walk_session import WalkSession

__all__ = ["HeritageApp", "SCREENS"]

log = logging.getLogger("mobile")
HERE = pathlib.Path(__file__).resolve().parent
SCREENS = ("home", "map", "explore", "poi", "trails", "walk", "contribute", "submissions", "settings", "towns",
           "hours_editor")
SCREEN_CLASSES = {
    "home": ("mobile.ui.screens.home", "HomeScreen"),
    "map": ("mobile.ui.screens.map", "MapScreen"),
    "explore": ("mobile.ui.screens.explore", "ExploreScreen"),
    "poi": ("mobile.ui.screens.poi", "PoiScreen"),
    "trails": ("mobile.ui.screens.trails", "TrailsScreen"),
    "walk": ("mobile.ui.screens.walk", "WalkScreen"),
    "contribute": ("mobile.ui.screens.contribute", "ContributeScreen"),
    "submissions": ("mobile.ui.screens.contribute", "SubmissionsScreen"),
    "settings": ("mobile.ui.screens.settings", "SettingsScreen"),
    "towns": ("mobile.ui.screens.towns", "TownsScreen"),
    "hours_editor": ("mobile.ui.screens.hours_editor", "HoursEditorScreen"),
}
NAV_SCREENS = ("map", "explore", "trails", "walk", "contribute", "towns", "settings")
BANNER_SECONDS = 8.0


class Banner(ButtonBehavior, FloatLayout):
    pass


class RootLayout(FloatLayout):
    pass


class HeritageApp(App):
    lang = StringProperty("fr")
    font_scale = NumericProperty(1.0)
    high_contrast = BooleanProperty(False)
    audio_on_arrival = BooleanProperty(False)
    # rebind: kv rules read `app.theme.text` etc.; without it Kivy does not re-evaluate them when the theme changes
    theme = ObjectProperty(NORMAL, rebind=True)
    header = ObjectProperty(header_colours(NORMAL), rebind=True)  # the top bar: the town's branding colour
    header_logo = ObjectProperty(None, allownone=True)  # the town's logo texture (branding.logo), if any
    location_source = StringProperty("gps")
    gpx_path = StringProperty("")
    inbox_url = StringProperty("")
    location_notice = StringProperty("")
    pack_error = StringProperty("")
    title_text = StringProperty("")
    banner_text = StringProperty("")
    can_go_back = BooleanProperty(False)
    pack = ObjectProperty(None, allownone=True)
    pack_path = StringProperty(None, allownone=True)
    scene = ObjectProperty(None, allownone=True)
    position = ObjectProperty(None, allownone=True)
    route = ListProperty([])
    highlight = ListProperty([])
    must_visit = ListProperty([])  # POI ids marked "must visit" on their page, for "plan my walk"
    pick_mode = BooleanProperty(False)
    walk = ObjectProperty(None, allownone=True)
    ready = BooleanProperty(False)
    network_ready = BooleanProperty(False)
    syncing = BooleanProperty(False)

    def __init__(
        self,
        *,
        pack_path: str | None = None,
        lang: str | None = None,
        screenshot: str | None = None,
        app_dir: str | None = None,
        content_dirs: list[str] | None = None,
        replay_speedup: float = 8.0,
        auto_replay: bool = True,
        sim_seed: int = 7,
        on_ready: Callable[["HeritageApp"], None] | None = None,
        t0: float | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.t0 = t0 if t0 is not None else time.perf_counter()
        self.first_frame_s: float | None = None
        self.arg_pack = pack_path
        self.arg_lang = lang
        self.screenshot_path = screenshot
        self.user_dir = str(app_dir or user_dir())
        self.content_dirs = content_dirs or [str(repo_content_dir())]
        self.replay_speedup = replay_speedup
        self.auto_replay = auto_replay
        self.sim_seed = sim_seed
        self.on_ready = on_ready
        self.settings_store = JsonStore(os.path.join(self.user_dir, "settings.json"))
        self.walk_store = JsonStore(os.path.join(self.user_dir, "walk.json"))
        self.settings = Settings()
        self.tr = Translator("fr")
        self.services = hk_platform.detect()
        self.io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hk-io")
        self.provider: LocationProvider | None = None
        self.network = None
        self.badges: HoursBadges | None = None
        self.alert_log: list[Alert] = []
        self.history: list[str] = []
        self.pack_entries = []
        self._presenters: dict[str, Any] = {}
        self._banner_event = None
        self._banner_poi: str | None = None
        self.arrival_playback: tuple[str, str] | None = None  # what "audio on arrival" played last
        self._chime = None
        self.routes = RouteFlow(self)
        self.plans = PlanFlow(self)
        self.contributions = ContributionFlow(self)
        self.hours_edits = HoursEditFlow(self)  # the hours editor's Save (same outbox, same background send)
        self._hours_editor = None  # the HoursEditorPresenter of the shop being edited
        self.walks = WalkSession(self, self.walk_store)
        from kivy.utils import platform as kivy_platform

        from mobile.platform.walk_service import walk_service

        self.walk_service = walk_service(kivy_platform)  # the walk while the app sleeps (Android service)
        self._open_outbox: tuple[Any, Any] | None = None  # (pack, Outbox): the current town's
        self._outbox_lock = threading.Lock()
        self.title = "heritage-kit"
        # Settings and the list of bundled packs are read on the worker thread while
        # Kivy opens its window; build() picks them up.
        self._startup = self.io.submit(self._read_startup)

    def _read_startup(self):
        entries = discover_packs(*self.content_dirs)
        if self.arg_pack and not any(e.path == self.arg_pack for e in entries):
            entries.append(_entry_for(self.arg_pack))
        return self.settings_store.load(), entries

    # -- strings -----------------------------------------------------------------
    def t(self, key: str, *_bind, **values) -> str:
        """Translated text; kv passes ``app.lang`` as an extra argument so bindings refresh."""
        return self.tr.tr(key, **values)

    def now(self) -> datetime:
        tz = self.pack.timezone if self.pack is not None else None
        return datetime.now(tz)

    def schedule(self, fn: Callable[[], None]) -> None:
        Clock.schedule_once(lambda _dt: fn())

    def run_io(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None,
               failed: Callable[[BaseException], None] | None = None) -> None:
        """Run ``work`` on the I/O thread; ``done(result)`` / ``failed(exc)`` back on the UI thread."""

        def finished(fut):
            exc = fut.exception()
            if exc is not None:
                if failed is not None:
                    self.schedule(lambda: failed(exc))
                else:
                    log.error("background task failed: %s", exc, exc_info=exc)
            elif done is not None:
                result = fut.result()
                self.schedule(lambda: done(result))

        self.io.submit(work).add_done_callback(finished)

    # -- build -------------------------------------------------------------------
    def build(self):
        saved, self.pack_entries = self._startup.result()
        self.settings = Settings.from_dict(saved)
        if self.arg_lang:
            self.settings.lang = self.arg_lang
        self._apply_settings()
        Builder.load_file(str(HERE / "ui" / "widgets" / "common.kv"))
        Builder.load_file(str(HERE / "ui" / "root.kv"))
        root = RootLayout()
        self.sm: ScreenManager = root.ids.sm
        self.root_widget = root
        self.screen("map")  # the first screen; the others are built when first shown (faster launch)
        Clock.schedule_interval(self._auto_send, AUTO_SEND_SECONDS)  # queued contributions leave when online
        from mobile.ui.towns_host import start_towns

        self.towns = start_towns(self)  # the pack catalogue, downloads, the daily update check
        path = self.arg_pack or self.settings.pack or HomePresenter(self.pack_entries, self.tr).default_path()
        self._set_title("map")
        self._select_nav("map")
        if path:
            self.open_pack(path, first=True)
        else:
            Clock.schedule_once(lambda dt: self.show("home"))
        return root

    def on_pause(self) -> bool:
        """Going to the background: a walk in progress is saved and handed to the walk service."""
        if self.pack_path and self.walk_service.available and self.walks.save_now():
            self.walk_service.start(title=self.walk.title or self.t("nav.walk"),
                                    text=self.t("walk.background"),
                                    argument={"pack": self.pack_path, "user_dir": str(self.user_dir),
                                              "lang": self.tr.lang})
        return True

    def on_resume(self) -> None:
        """Back in front: the service stops and the walk (with what it recorded) is taken back."""
        if self.walk_service.running:
            self.walk_service.stop()
            self.run_io(self.walk_store.load, done=lambda saved: self.walks.restore(saved))

    def on_stop(self) -> None:
        if self.provider is not None:
            self.provider.stop()
        self.services.speaker.stop()
        self.io.shutdown(wait=True)

    # -- settings ----------------------------------------------------------------
    def _apply_settings(self) -> None:
        s = self.settings
        self.tr = Translator(s.lang)
        self._presenters.clear()
        self.font_scale = s.font_scale
        self.high_contrast = s.high_contrast
        self.audio_on_arrival = s.audio_on_arrival
        self.theme = theme_for(s)
        self.header = header_colours(self.theme, self.pack.manifest if self.pack is not None else None)
        self.location_source = s.location_source
        self.gpx_path = s.gpx_path
        self.inbox_url = s.inbox_url
        self.lang = s.lang  # last: kv bindings on app.lang re-translate with the new translator

    def set_setting(self, key: str, value) -> None:
        if getattr(self.settings, key) == value:
            return
        setattr(self.settings, key, value)
        self.settings = Settings.from_dict(self.settings.to_dict())
        self._apply_settings()
        self._save_settings()
        if key in ("location_source", "gpx_path"):
            self.start_location()
        self.refresh_current()

    def refresh_current(self) -> None:
        """The shown screen again, after a change of language, theme or pack data."""
        current = self.sm.current if hasattr(self, "sm") else None
        if current:
            self._set_title(current)
            self.screen(current).refresh()

    def _save_settings(self) -> None:
        data = self.settings.to_dict()
        self.run_io(lambda: self.settings_store.save(data))

    # -- packs --------------------------------------------------------------------
    def open_pack(self, path: str, *, first: bool = False, pack=None) -> None:
        """Load a pack off the UI thread; the map shows as soon as the pack is read,
        the walking network is built next (routes, walks and plans wait for it).

        A downloaded town that signs its packs is loaded with its key (``towns.key_for_path``): a zip
        altered on the phone is refused. ``pack``: the pack the install has just loaded (and verified)
        from ``path`` — not read a second time."""
        towns = getattr(self, "towns", None)

        def work():
            from heritage_kit.packs import load_pack

            loaded = pack
            if loaded is None:
                key = towns.presenter.key_for_path(path) if towns is not None else None
                loaded = load_pack(path, public_key=key)
            return loaded, MapScene.from_pack(loaded), self.walk_store.load()

        def done(result):
            pack, scene, saved_walk = result
            self._pack_loaded(path, pack, scene, saved_walk, first)

        def failed(exc):
            from heritage_kit.errors import PackSignatureError

            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, PackSignatureError):  # plain words, not the library's detail
                msg = self.t("towns.err.signature")
            self.pack_error = escape(self.t("home.bad_pack", message=msg))  # shown as markup on Home
            self.show("home", push=self.pack is not None)  # no way back to an empty map
            if self.screenshot_path:  # --screenshot: the first screen is Home with the error
                Clock.schedule_once(self._take_screenshot, 0.25)

        self.run_io(work, done, failed)

    def _show_logo(self, pack) -> None:
        """The town's logo in the top bar: decoded off the UI thread, shown if the pack is still open."""
        self.header_logo = None
        data = brand_logo(pack)
        if data:
            from mobile.ui.images import decode_async

            def shown(tex):
                if self.pack is pack:
                    self.header_logo = tex

            decode_async(data, shown, 128)

    def _build_network(self, pack) -> None:
        def work():
            from heritage_kit.routing import WalkingGraph

            return WalkingGraph.for_pack(pack)

        def done(network):
            if pack is self.pack:
                self.network = network
                self.network_ready = True
                self._after_network()

        def failed(exc):
            log.warning("no walking network: %s", exc)
            self.network_ready = True
            self._after_network()

        self.run_io(work, done, failed)

    def _after_network(self) -> None:
        """The walk in progress and the location source use the network (street routes)."""
        if self.walk is not None:
            self.walk.router = self.router()
        self.start_location()

    def _pack_loaded(self, path, pack, scene, saved_walk: dict, first: bool) -> None:
        self.pack_error = ""
        self.pack = pack
        self.header = header_colours(self.theme, pack.manifest)
        self._show_logo(pack)
        self.pack_path = path
        self.network = None
        self.network_ready = False
        m = pack.manifest
        self.badges = HoursBadges(country=m.country, timezone=m.timezone)
        self._presenters.clear()
        self.route = []
        self.highlight = []
        self.must_visit = []
        self.walk = None
        self.scene = scene
        if self.settings.pack != path:
            self.settings.pack = path
            self._save_settings()
        if self.walks.restore(saved_walk):
            self._preload_chime()
        self.show("map", push=False)
        self.history.clear()
        self.can_go_back = False
        self._build_network(pack)
        Clock.schedule_once(self._first_frame, 0)

    def _first_frame(self, _dt) -> None:
        if self.first_frame_s is None:
            self.first_frame_s = time.perf_counter() - self.t0
            log.info("first map frame after %.3f s", self.first_frame_s)
        self.ready = True
        if self.screenshot_path:
            Clock.schedule_once(self._take_screenshot, 0.25)
        elif self.on_ready is not None:
            self._call_on_ready()

    def _call_on_ready(self, *_a) -> None:
        """``on_ready`` (tests) once the first frame is drawn and the walking network is built."""
        if self.on_ready is None:
            return
        if not self.network_ready:
            Clock.schedule_once(self._call_on_ready, 0.05)
            return
        cb, self.on_ready = self.on_ready, None
        cb(self)

    def _take_screenshot(self, _dt) -> None:
        # draw now and read the back buffer before the next flip (after a flip it holds an older frame)
        Clock.tick_draw()
        Window.dispatch("on_draw")
        saved = Window.screenshot(name=os.path.join(os.path.dirname(os.path.abspath(self.screenshot_path)), ".hk-shot.png"))
        if saved:
            os.replace(saved, self.screenshot_path)
        if self.first_frame_s is not None:
            print(f"first map frame after {self.first_frame_s:.3f} s; screenshot {self.screenshot_path}", flush=True)
        else:
            print(f"no map (the pack could not be opened); screenshot {self.screenshot_path}", flush=True)
        self.stop()

    def home_presenter(self) -> HomePresenter:
        return HomePresenter(self.pack_entries, self.tr)

    # -- navigation ----------------------------------------------------------------
    def show(self, name: str, *, push: bool = True) -> None:
        if name not in SCREENS:
            raise ValueError(f"no screen {name!r}")
        current = self.sm.current
        if push and current != name:
            self.history.append(current)
            del self.history[:-20]
        if name != "map" and self.pick_mode:
            self.pick_mode = False
        self._set_title(name)
        self._select_nav(name)
        screen = self.screen(name)  # built on first use
        if self.sm.current == name:
            screen.refresh()
        else:
            self.sm.current = name  # HKScreen.on_pre_enter refreshes it, before its first frame
        self.can_go_back = bool(self.history) and name in ("poi", "submissions", "home", "hours_editor")

    def go_back(self) -> None:
        if self.history:
            self.show(self.history.pop(), push=False)

    def _select_nav(self, name: str) -> None:
        for btn in self.root_widget.ids.nav.children:
            btn.state = "down" if getattr(btn, "screen", None) == name else "normal"

    def _set_title(self, name: str) -> None:
        town = brand_name(self.pack.manifest, self.lang) if self.pack is not None else "heritage-kit"
        key = {
            "home": "home.title",
            "map": None,
            "explore": "explore.title",
            "poi": None,
            "trails": "trails.title",
            "walk": "nav.walk",
            "contribute": "contrib.title",
            "submissions": "contrib.mine",
            "settings": "settings.title",
            "towns": "towns.title",
            "hours_editor": "hours_editor.title",
        }[name]
        if name == "map":
            self.title_text = escape(self.t("map.title", town=town))
        elif name == "poi":
            self.title_text = escape(town)
        else:
            self.title_text = escape(self.t(key))

    def screen(self, name: str):
        """The screen ``name``, built (its module imported, its kv loaded) the first time it is needed."""
        if not self.sm.has_screen(name):
            module, cls = SCREEN_CLASSES[name]
            self.sm.add_widget(getattr(importlib.import_module(module), cls)())
        return self.sm.get_screen(name)

    # -- presenters ------------------------------------------------------------------
    def explore_presenter(self) -> ExplorePresenter | None:
        if self.pack is None:
            return None
        p = self._presenters.get("explore")
        if p is None:
            p = self._presenters["explore"] = ExplorePresenter(self.pack, self.tr, self.badges)
        return p

    def trails_presenter(self) -> TrailsPresenter | None:
        if self.pack is None:
            return None
        p = self._presenters.get("trails")
        if p is None:
            p = self._presenters["trails"] = TrailsPresenter(self.pack, self.tr, planner=make_planner(self.pack),
                                                                  badges=self.badges)
        return p

    def contribute_presenter(self) -> ContributePresenter | None:
        if self.pack is None:
            return None
        p = self._presenters.get("contribute")
        if p is None:
            p = self._presenters["contribute"] = ContributePresenter(self.pack, self.tr, self._outbox)
            self.run_io(p.load_own)  # the user's own entries, for the duplicate warning
        return p

    def open_hours_editor(self, poi_id: str) -> None:
        """The POI page's "Edit opening hours": the editor pre-filled from the POI's current value."""
        if self.pack is None:
            return
        contribute = self._presenters.get("contribute")
        self._hours_editor = HoursEditorPresenter(self.pack, self.tr, self._outbox, poi_id, today=self.now().date(),
                                                  author=contribute.form.author if contribute else "")
        self.show("hours_editor")

    def hours_editor_presenter(self) -> HoursEditorPresenter | None:
        p = self._hours_editor
        if p is not None and (p.pack is not self.pack):
            p = self._hours_editor = None  # another town was opened
        if p is not None:
            p.tr = self.tr  # after a change of language
        return p

    def _outbox(self):
        """The outbox for the open pack, opened on first use by a worker thread (SQLite)."""
        with self._outbox_lock:
            pack = self.pack
            if self._open_outbox is None or self._open_outbox[0] is not pack:
                from heritage_kit.submissions import Outbox

                self._open_outbox = (pack, Outbox(os.path.join(self.user_dir, "outbox.sqlite"), pack=pack))
            return self._open_outbox[1]

    def poi_page(self, poi_id: str):
        return present_poi(self.pack.poi(poi_id), tr=self.tr, badges=self.badges, now=self.now())

    def router(self, step_free: bool = False):
        net = self.network
        if net is None:
            return None

        def route(a: LatLon, b: LatLon):
            return list(net.route(a, b, step_free=step_free).geometry)

        return route

    # -- POI page, routes ------------------------------------------------------------------
    def open_poi(self, poi_id: str) -> None:
        if self.pack is None:
            return
        self.screen("poi").show(poi_id)
        self.show("poi")

    def here(self) -> LatLon:
        return self.position.latlon if self.position is not None else self.pack.manifest.centre

    def toggle_must_visit(self, poi_id: str) -> None:
        """The POI page's "must visit on my walk": in or out of the planner's must-visit list."""
        if poi_id in self.must_visit:
            self.must_visit = [p for p in self.must_visit if p != poi_id]
        else:
            self.must_visit = [*self.must_visit, poi_id]

    def clear_must_visit(self) -> None:
        self.must_visit = []
        if self.sm.current == "trails":
            self.screen("trails").refresh()

    def take_me_to(self, poi_id: str) -> None:
        self.routes.take_me_to(poi_id)

    def clear_route(self) -> None:
        self.routes.clear()
        self.screen("map").refresh()

    def map_info_text(self) -> str:
        return self.routes.info_text(pick_mode=self.pick_mode)

    # -- location ---------------------------------------------------------------------------
    def start_location(self) -> None:
        if self.provider is not None:
            self.provider.stop()
            self.provider = None
        if self.pack is None:
            return
        source = self.settings.location_source
        self.location_notice = ""
        if source == "gps" and not self.services.gps_available:
            source = "simulated"
            self.location_notice = self.t("settings.gps_unavailable")
        interval = Clock.schedule_interval if self.auto_replay else None
        if source == "gps":
            provider: LocationProvider = PlyerGpsProvider(self.schedule)
        elif source == "gpx":
            path = self.settings.gpx_path

            def load_gpx():
                from heritage_kit.gpx import read_gpx

                from mobile.presenters.arrivals import fix_to_position

                return [fix_to_position(f) for f in read_gpx(path)]

            provider = ReplayProvider(self.schedule, load_gpx, name="gpx", speedup=self.replay_speedup,
                                      schedule_interval=interval)
        else:
            pack, stops, router, seed = self.pack, self._simulation_stops(), self.router(), self.sim_seed

            def load_sim():
                from mobile.presenters.arrivals import simulate_walk

                return simulate_walk(pack, stops, seed=seed, router=router)

            provider = ReplayProvider(self.schedule, load_sim, name="simulated", speedup=self.replay_speedup,
                                      schedule_interval=interval)
        self.provider = provider
        provider.start(self.handle_position, self.on_location_error)

    def _simulation_stops(self) -> list[str]:
        if self.walk is not None:
            return list(self.walk.stop_ids)
        if self.pack.trails:
            return list(self.pack.trails[0].stops)
        from heritage_kit.geo import haversine_m

        c = self.pack.manifest.centre
        heritage = [p for p in self.pack.pois if p.kind == "heritage"] or self.pack.pois
        heritage.sort(key=lambda p: haversine_m(c.lat, c.lon, p.location.lat, p.location.lon))
        return [p.id for p in heritage[:4]]

    def on_location_error(self, message: str) -> None:
        self.location_notice = escape(self.t("platform.gps_error", message=message))

    def handle_position(self, position: Position) -> None:
        """Every position, on the UI thread: map layer, walk engine, alerts."""
        self.position = position
        if self.walk is not None:
            for alert in self.walks.on_position(position):
                self.show_alert(alert)
            if self.sm.current == "walk":
                self.screen("walk").refresh()

    # -- alerts ---------------------------------------------------------------------------------
    def show_alert(self, alert: Alert) -> None:
        self.alert_log.append(alert)
        self._banner_poi = alert.poi_id
        self.banner_text = f"[b]{escape(alert.title)}[/b]\n{escape(alert.body)}"
        n = self.services.notifier
        n.notify(alert.title, alert.body)
        n.vibrate(0.6)
        if self.settings.audio_on_arrival and self.pack is not None:
            self._play_arrival_audio(alert.poi_id)
        elif n.in_app:
            self._play_chime()
        if self._banner_event is not None:
            self._banner_event.cancel()
        self._banner_event = Clock.schedule_once(lambda dt: setattr(self, "banner_text", ""), BANNER_SECONDS)

    def _play_arrival_audio(self, poi_id: str) -> None:
        """"Audio on arrival" (Settings): the stop's audio file, else the phone's voice reads its page."""
        from mobile.presenters.walk import arrival_audio

        what = arrival_audio(self.pack, poi_id, self.lang)
        self.arrival_playback = what
        if what is None:
            return
        player = getattr(self.services, "player", None)
        if what[0] == "file" and player is not None and player.playing_key != what[1]:
            if player.toggle(what[1], self.pack.media[what[1]]) != "error":
                return
        if what[0] == "speech" or player is None:
            self.services.speaker.speak(what[1] if what[0] == "speech" else self.pack.poi(poi_id).name.get(self.lang),
                                        self.lang)

    def _play_chime(self) -> None:
        if self._chime:  # loaded on the worker thread when the walk began (no file read here)
            try:
                self._chime.play()
            except Exception as exc:  # noqa: BLE001 - no audio device is not an error
                log.info("no sound: %s", exc)
                self._chime = False

    def _preload_chime(self) -> None:
        """Desktop arrival alerts chime: decode the sound file on the worker thread, once."""
        if self._chime is not None or not self.services.notifier.in_app:
            return
        self._chime = False  # until loaded (an alert meanwhile shows its banner without sound)

        def load():
            from kivy.core.audio import SoundLoader

            return SoundLoader.load(str(HERE / "ui" / "assets" / "chime.wav")) or False

        def loaded(sound):
            self._chime = sound

        self.run_io(load, loaded, lambda exc: log.info("no sound: %s", exc))

    def banner_tapped(self) -> None:
        """The banner's "Read" button: the arrived stop's page."""
        poi = self._banner_poi
        self.dismiss_banner()
        if poi:
            self.open_poi(poi)

    def dismiss_banner(self) -> None:
        """A tap on the banner itself only hides it (it never opens a page by accident)."""
        self.banner_text = ""
        if self._banner_event is not None:
            self._banner_event.cancel()
            self._banner_event = None

    # -- walks (kv: TrailCard, the trails and walk screens) ---------------------------------------
    def start_walk(self, trail_id: str) -> None:
        self.walks.start_trail(trail_id)

    def start_planned_walk(self) -> None:
        self.walks.start_planned()

    def walk_started(self) -> None:
        self._preload_chime()
        if self.settings.location_source != "gps" or not self.services.gps_available:
            self.start_location()  # the simulated walk follows this trail
        self.show("walk")

    def stop_walk(self) -> None:
        self.walks.stop()
        self.screen("walk").refresh()

    def skip_stop(self) -> None:
        self.walks.skip()
        self.screen("walk").refresh()

    def arrived_here(self) -> None:
        self.walks.arrived()
        self.screen("walk").refresh()

    # -- contributions ------------------------------------------------------------------------------
    def pick_on_map(self) -> None:
        self.pick_mode = True
        self.show("map")

    def picked_on_map(self, x: float, y: float) -> None:
        self.contribute_presenter().set_place_from_map(self.scene, x, y)
        self.pick_mode = False
        self.show("contribute")

    def _auto_send(self, *_a) -> None:
        if self.pack is not None and self.settings.inbox_url.strip():
            self.contributions.send_in_background(self._sent_in_background)

    def _sent_in_background(self, outcome) -> None:
        """A background send ended: "My submissions", when shown, shows the new statuses."""
        if self.sm.current == "submissions":
            self.screen("submissions").show_sync(outcome)

    def inbox_credentials(self) -> tuple[str, str]:
        """The inbox server and this device's token (made and saved on first use)."""
        if not self.settings.device_token:
            from heritage_kit.submissions import new_device_token

            self.settings.device_token = new_device_token()
            self._save_settings()
        return self.settings.inbox_url, self.settings.device_token


def _entry_for(path: str):
    from mobile.platform.storage import PackEntry, discover_packs

    parent = pathlib.Path(path).resolve().parent
    for e in discover_packs(parent):
        if pathlib.Path(e.path).resolve() == pathlib.Path(path).resolve():
            return e
    return PackEntry(path, None, f"{path}: not a content pack")
