"""Drives the real app off-screen through every screen (run in a subprocess by test_app.py).

    python tests/ui/driver.py PHASE RESULT.json SHOTS_DIR [PACK]

PHASE ``tour``: every screen (screenshots), a simulated walk along the pack's
first trail with arrival alerts, a contribution saved offline, settings
(French, large text, high contrast). PHASE ``restart``: a second launch on the
same app folder, replaying the same walk: records the alerts it shows.
Results (alerts, texts, outbox rows, timings) go to RESULT.json; the test
asserts on them.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

import offscreen  # noqa: E402,F401 (Kivy set up off-screen before it is imported)

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402

from mobile.app import HeritageApp  # noqa: E402

PHASE, RESULT, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
PACK = sys.argv[4] if len(sys.argv) > 4 else None
result: dict = {"phase": PHASE, "shots": [], "errors": []}


def shot(name: str) -> None:
    """Save what the window shows now: lay out, draw into the back buffer and read it before the
    next flip (reading after a flip returns an older frame on a busy machine)."""
    path = os.path.join(SHOTS, f"{name}.png")
    Clock.tick_draw()
    Window.dispatch("on_draw")
    tmp = Window.screenshot(name=os.path.join(SHOTS, ".tmp.png"))
    os.replace(tmp, path)
    result["shots"].append(path)


def small_targets(app) -> list[str]:
    """Every visible touch target (buttons, toggles, check boxes, text fields, sliders) of the root and
    of every screen built so far that is under 48 dp on a side, as "screen: Class 'text' WxH dp"."""
    from kivy.metrics import dp
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.checkbox import CheckBox
    from kivy.uix.slider import Slider
    from kivy.uix.textinput import TextInput

    def visible(w):
        while w is not None and w is not w.parent:
            if w.opacity == 0 or w.width <= 0 or w.height <= 0:
                return False
            w = w.parent
        return True

    out = []
    roots = [("root", app.root_widget.ids.topbar), ("root", app.root_widget.ids.nav)]
    roots += [(s.name, s) for s in app.sm.screens]
    for name, root in roots:
        for w in root.walk(restrict=True):
            if not isinstance(w, (ButtonBehavior, CheckBox, TextInput, Slider)) or w.disabled or not visible(w):
                continue
            if w.width < dp(48) - 0.5 or w.height < dp(48) - 0.5:
                label = getattr(w, "text", "") or ""
                out.append(f"{name}: {type(w).__name__} {label[:20]!r} {w.width / dp(1):.0f}x{w.height / dp(1):.0f} dp")
    return out


def text_colours(app) -> list[str]:
    """Every visible label's text colour (buttons included) on every screen built so far that is not
    one of the theme's checked text colours (mobile.presenters.settings.text_pairs): "screen: 'text' rgba"."""
    from kivy.uix.label import Label

    from mobile.presenters.settings import text_pairs

    allowed = {tuple(round(c, 3) for c in fg[:3]) for fg, _bg in text_pairs(app.theme).values()}
    out = []
    roots = [("root", app.root_widget)] + [(s.name, s) for s in app.sm.screens]
    result["labels_checked"] = 0
    for name, root in roots:
        for w in root.walk(restrict=True):
            if not isinstance(w, Label) or not w.text.strip() or w.opacity == 0 or w.width <= 0:
                continue
            result["labels_checked"] += 1
            rgb = tuple(round(c, 3) for c in w.color[:3])
            if rgb not in allowed:
                out.append(f"{name}: {w.text[:24]!r} {rgb}")
    return sorted(set(out))


class Script:
    """A list of steps run one per frame or more; a step returning a float waits that long,
    returning a callable waits until it is true."""

    def __init__(self, app: HeritageApp, steps) -> None:
        self.app = app
        self.steps = list(steps)
        self.wait_until = None
        self.deadline = 0.0

    def start(self) -> None:
        Clock.schedule_once(self.tick, 0.2)

    def tick(self, _dt) -> None:
        try:
            if self.wait_until is not None:
                if not self.wait_until():
                    if time.monotonic() > self.deadline:
                        raise TimeoutError(f"timed out waiting before step {len(result['shots'])}")
                    Clock.schedule_once(self.tick, 0.05)
                    return
                self.wait_until = None
            if not self.steps:
                self.finish()
                return
            step = self.steps.pop(0)
            out = step(self.app)
            if callable(out):
                self.wait_until = out
                self.deadline = time.monotonic() + 30
                Clock.schedule_once(self.tick, 0.05)
            else:
                Clock.schedule_once(self.tick, float(out or 0.15))
        except Exception:  # noqa: BLE001
            result["errors"].append(traceback.format_exc())
            self.finish()

    def finish(self) -> None:
        with open(RESULT, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
        self.app.stop()


# -- steps ------------------------------------------------------------------------
def s_map(app):
    result["first_frame_s"] = app.first_frame_s
    result["pack"] = app.pack.manifest.town_id
    result["pois"] = len(app.pack.pois)
    m = app.screen("map").ids.map
    result["map_redraws"] = m.redraws
    shot("map")


def s_pan(app):
    """Drag the map: the base layer (an Fbo texture) must follow."""
    import hashlib

    m = app.screen("map").ids.map
    app._pan_before = hashlib.md5(m._fbo.pixels).hexdigest()
    app._pan_u0 = m._base_rect.tex_coords[0]
    m.pan_by(80, 0)
    return 0.3


def s_pan_check(app):
    import hashlib

    m = app.screen("map").ids.map
    result["pan_changed_base"] = hashlib.md5(m._fbo.pixels).hexdigest() != app._pan_before
    # a pan within the Fbo's margin moves the texture under the widget instead of rendering it again
    result["pan_texture_shift_px"] = round((m._base_rect.tex_coords[0] - app._pan_u0) * m._fbo.size[0], 1)
    result["fbo_size"] = list(m._fbo.size)
    result["fbo_margin"] = list(m._fbo_margin)
    result["map_size"] = [int(round(m.width)), int(round(m.height))]
    m.pan_by(-80, 0)


def s_tap_marker(app):
    """Zoom to the first trail stop and tap its marker like a finger would."""
    m = app.screen("map").ids.map
    stop = app.pack.trails[0].stops[0]
    poi = app.pack.poi(stop)
    m.centre_on_latlon(poi.location.lat, poi.location.lon, min_scale=2.5)
    m.rebuild_now()
    x, y = m.marker_screen_pos(stop)
    m.tap(x - m.x, y - m.y)
    result["tapped"] = {"stop": stop, "screen": app.sm.current, "poi": app.screen("poi").poi_id}
    return 0.3


def s_poi_shot(app):
    shot("poi")
    s = app.screen("poi")
    button = next(w for w in s.walk(restrict=True) if getattr(w, "text", "") == "Must visit on my walk")
    button.dispatch("on_release")  # "must visit": the planner must include this place
    result["must_visit"] = list(app.must_visit)
    result["must_visit_button_after"] = button.text


def s_take_me(app):
    result["route_before"] = len(app.route)
    app.take_me_to(app.pack.trails[0].stops[-1])
    m = app.screen("map").ids.map
    # the route is drawn and the map has settled (markers re-made at the route's zoom, the target ringed)
    return lambda: len(app.route) >= 2 and app.sm.current == "map" and not m._rebuild_trigger.is_triggered


def s_route_shot(app):
    result["route_points"] = len(app.route)
    result["map_info"] = app.screen("map").info_text
    result["map_selected"] = app.screen("map").ids.map.selected
    shot("map_route")
    app.clear_route()


def s_home(app):
    app.show("home")
    return 0.3


def s_home_shot(app):
    result["home_towns"] = len(app.screen("home").ids.towns.children)
    shot("home")


def s_explore(app):
    app.show("explore")
    return 0.4


def s_explore_shot(app):
    s = app.screen("explore")
    result["explore_rows"] = len(s.ids.rv.data)
    result["explore_first"] = s.ids.rv.data[0] if s.ids.rv.data else None
    shot("explore")
    s.ids.shops.state = "down"
    s.ids.open_now.state = "down"
    return 0.5


def s_explore_filtered(app):
    s = app.screen("explore")
    rows = s.ids.rv.data
    result["explore_open_shops"] = len(rows)
    result["explore_open_kinds"] = sorted({r["kind"] for r in rows})
    result["explore_open_states"] = sorted({r["badge_state"] for r in rows})
    shot("explore_open_shops")
    s.ids.shops.state = "normal"
    s.ids.open_now.state = "normal"
    s.ids.search.text = "musée"
    return 0.5


def s_explore_search(app):
    s = app.screen("explore")
    result["explore_search"] = [r["title"] for r in s.ids.rv.data[:5]]
    s.ids.search.text = "bakery"
    return 0.5


def s_explore_bakery(app):
    s = app.screen("explore")
    result["explore_bakery"] = [app.pack.poi(r["poi_id"]).categories for r in s.ids.rv.data[:5]]
    s.ids.open_on_arrival.state = "down"
    return 0.5


def s_explore_on_arrival(app):
    s = app.screen("explore")
    rows = s.ids.rv.data
    result["explore_bakery_on_arrival"] = [
        {"cats": app.pack.poi(r["poi_id"]).categories, "badge": r["badge"], "state": r["badge_state"]} for r in rows]
    shot("explore_bakery_open_on_arrival")
    s.ids.open_on_arrival.state = "normal"
    s.ids.search.text = ""


def s_trails(app):
    app.show("trails")
    app.screen("trails").ids.minutes.value = 90
    app.screen("trails").plan()
    return lambda: not app.screen("trails").planning and bool(app.screen("trails").plan_text)


def s_trails_shot(app):
    s = app.screen("trails")
    result["must_visit_text"] = s.must_visit_text
    result["plan_stops"] = list(app.trails_presenter().planned.stop_ids) if app.trails_presenter().planned else []
    result["plan_text"] = s.plan_text
    result["plan_ok"] = s.can_start_plan
    result["trail_cards"] = len(s.ids.list.children)
    shot("trails")


def s_walk_skip(app):
    """The walk screen's "I'm here" and "Skip this stop" (a walk always finishes), then Stop."""
    app.start_walk(app.pack.trails[0].id)
    return 0.4


def s_walk_skip_tap(app):
    s = app.screen("walk")
    result["walk_buttons"] = sorted(w.text for w in s.walk(restrict=True) if w.__class__.__name__ in ("HKButton", "HKFlatButton"))
    app.arrived_here()
    app.skip_stop()
    result["walk_after_skip"] = {"progress": s.progress_text, "next_id": s.next_id, "stops": s.stops_text}
    return 0.3


def s_walk_skip_shot(app):
    s = app.screen("walk")
    shot("walk_skip")
    for _ in app.pack.trails[0].stops[2:]:
        app.skip_stop()
    result["walk_all_skipped"] = {"next": s.next_text, "finished": s.finished}
    app.stop_walk()
    return 0.2


def s_start_walk(app):
    trail = app.pack.trails[0]
    result["trail"] = trail.id
    result["trail_stops"] = list(trail.stops)
    app.set_setting("audio_on_arrival", True)  # Settings: play the stop's audio when it is reached
    app.start_walk(trail.id)
    return lambda: app.provider is not None and app.provider.finished is False and app.provider.loaded.is_set()


def walk_until_first_alert(app):
    p = app.provider
    while p.index < len(p.positions) and not app.alert_log:
        p.step()
    result["positions"] = len(p.positions)
    return 0.3


def s_walk_shot(app):
    result["banner_after_first_alert"] = app.banner_text
    first = app.alert_log[0].poi_id
    result["arrival_playback"] = {"poi": first, "what": list(app.arrival_playback or [])}
    result["arrival_audio_path"] = next((m.path for m in app.pack.poi(first).media
                                         if m.type == "audio" and m.lang == "en" and m.path in app.pack.media), None)
    app.set_setting("audio_on_arrival", False)
    shot("walk")


def _rect(w):
    x, y = w.to_window(w.x, w.y)
    return [x, y, x + w.width, y + w.height]


def s_walk_follow(app):
    """Follow mode, numbered markers, the banner clear of the zoom buttons, a tap on it opens nothing."""
    from kivy.tests.common import UnitTestTouch

    s = app.screen("walk")
    m = s.ids.map
    wx, wy = m.scene.to_xy(app.position.lat, app.position.lon)
    nx, ny = m.scene.poi_xy[m.scene.poi_ids.index(s.next_id)] if s.next_id else (wx, wy)
    banner = app.root_widget.ids.banner
    zoom = [w for w in app.screen("map").walk(restrict=True) if w.__class__.__name__ == "MapRoundButton"]
    b, mr = _rect(banner), _rect(m)
    result["walk_follow"] = {
        "following": s.following,
        "walker_visible": m.viewport.visible(wx, wy),
        "next_visible": m.viewport.visible(nx, ny),
        # the next stop is not under the banner: below the banner's bottom edge in window pixels
        "next_below_banner": m.to_window(*m.viewport.to_screen(nx, ny))[1] < b[1] if b[1] < mr[3] else True,
        "numbers": [n for _pid, n, _x, _y in s.ids.numbers.drawn],
        "stops": len(s.stop_ids),
        "banner_overlaps_zoom": [z.text for z in zoom if not (b[2] <= _rect(z)[0] or b[0] >= _rect(z)[2]
                                                            or b[3] <= _rect(z)[1] or b[1] >= _rect(z)[3])],
    }
    touch = UnitTestTouch(banner.x + dp_(20), banner.center_y)
    touch.touch_down()
    touch.touch_up()
    return 0.2


def dp_(v):
    from kivy.metrics import dp

    return dp(v)


def s_walk_banner_tapped(app):
    s = app.screen("walk")
    result["banner_tap"] = {"screen": app.sm.current, "banner": app.banner_text}
    s.ids.map.pan_by(150, 40)  # the user drags the map away
    result["walk_after_pan"] = {"following": s.following, "recentre": s.show_recentre}
    b = s.ids.recentre
    result["recentre_button"] = {"size": list(b.size), "pos": list(b.pos), "opacity": b.opacity,
                                 "disabled": b.disabled, "map_top": s.ids.map.top, "map_right": s.ids.map.right}
    return 0.3  # a frame for the ◎ button to be laid out and drawn


def s_walk_recentre(app):
    s = app.screen("walk")
    shot("walk_recentre")
    s.recentre()
    result["walk_after_recentre"] = {"following": s.following, "recentre": s.show_recentre}


def walk_rest(app):
    p = app.provider
    while p.step() is not None:
        pass
    return 0.3


def s_walk_done(app):
    result["alerts"] = [a.poi_id for a in app.alert_log]
    result["alert_titles"] = [a.title for a in app.alert_log]
    result["walk_view"] = {"progress": app.screen("walk").progress_text, "next": app.screen("walk").next_text}
    with open(os.path.join(app.user_dir, "walk.json"), encoding="utf-8") as fh:
        result["saved_walk"] = json.load(fh)
    shot("walk_finished")
    app.banner_text = ""  # the arrival banner goes away after a few seconds; the next shots are of other screens


def s_contribute_empty(app):
    """Saving an empty form: each field says what it needs, nothing is stored."""
    app.show("contribute")
    s = app.screen("contribute")
    s.save()
    result["contribute_errors"] = dict(s.errors)
    result["contribute_empty_result"] = s.result_text
    return 0.3


def s_contribute(app):
    shot("contribute_errors")
    app.show("contribute")
    s = app.screen("contribute")
    s.ids.name.text = "Plaque du Rocher"
    s.ids.description.text = "Une plaque [commémorative] & ancienne, au pied des remparts."
    s.ids.author.text = "Testeur"
    s.ids.category.text = s.category_labels[0]
    s.at_position()
    s.set_photo(os.path.join(os.path.dirname(__file__), "..", "data", "mobile", "photo.jpg"))
    s.ids.consent.active = True
    return 0.3


def s_contribute_dup(app):
    s = app.screen("contribute")
    stop = app.pack.poi(app.pack.trails[0].stops[-1])
    s.ids.name.text = stop.name.get(app.lang)
    result["duplicate_warning"] = s.warning_text
    s.ids.name.text = "Plaque du Rocher"
    result["contribute_errors_after_fill"] = dict(s._sync().field_errors())
    shot("contribute")
    s.save()
    return lambda: bool(s.result_text)


def s_contribute_saved(app):
    s = app.screen("contribute")
    result["contribute_result"] = s.result_text
    result["contribute_ok"] = s.result_ok
    app.show("submissions")
    return lambda: len(app.screen("submissions").ids.list.children) > 0 or app.screen("submissions").empty_text


def s_send_without_server(app):
    s = app.screen("submissions")
    result["submissions_queued"] = [{"title": r.title, "status": r.status} for r in s.ids.list.children]
    s.send_now()
    return lambda: not app.syncing and bool(s.sync_text)


def s_send_to_local_server(app):
    """"Send now" to a real inbox on 127.0.0.1 (heritage_kit.inbox, in a thread of this process)."""
    s = app.screen("submissions")
    result["sync_no_server"] = s.sync_text
    result["outbox_after_no_server"] = len(s.ids.list.children)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "contrib"))
    from contrib_support import ThreadServer

    from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app

    storage = SqliteStorage(os.path.join(app.user_dir, "inbox-server.sqlite"))
    server = ThreadServer(create_app(storage, app.pack, InboxSettings()))
    server.__enter__()
    app._test_server = (server, storage)
    app.set_setting("inbox_url", server.url)
    app.show("submissions")
    s.sync_text = ""
    s.send_now()
    return lambda: not app.syncing and bool(s.sync_text)


def s_submissions_shot(app):
    s = app.screen("submissions")
    rows = s.ids.list.children
    result["submissions"] = [{"title": r.title, "status": r.status} for r in rows]
    result["sync_text"] = s.sync_text
    result["sync_ok"] = s.sync_ok
    shot("submissions")
    server, storage = app._test_server
    server.__exit__(None, None, None)
    storage.close()
    app.set_setting("inbox_url", "")


def s_settings(app):
    app.show("settings")
    return 0.3


def s_settings_shot(app):
    result["small_targets"] = small_targets(app)
    result["text_colours"] = text_colours(app)
    shot("settings")
    app.screen("settings").choose_gpx()  # the GPX file chooser opens (then is closed)
    return 0.3


def s_settings_chooser(app):
    from kivy.uix.modalview import ModalView

    popups = [w for w in Window.children if isinstance(w, ModalView)]
    result["gpx_chooser_title"] = popups[0].title if popups else None
    for w in popups:
        w.dismiss(animation=False)  # gone before the next screenshot
    app.set_setting("lang", "fr")
    app.set_setting("large_text", True)
    app.show("explore")
    return 0.6


def s_french_large(app):
    result["explore_fr_count"] = app.screen("explore").count_text
    result["nav_fr"] = [b.text for b in app.root_widget.ids.nav.children][::-1]
    nav = app.root_widget.ids.nav
    result["large_text"] = {
        "font_scale": app.font_scale,
        "nav_cols": nav.cols,
        # a label cut by `shorten` renders narrower text than it needs: compare with an unshortened render
        "nav_cut": [b.text for b in nav.children if _cut(b)],
        "small_targets": small_targets(app),
    }
    shot("explore_fr_large_text")
    app.show("trails")
    return 0.5


def s_trails_fr_large(app):
    s = app.screen("trails")
    result["plan_after_language_change"] = {"text": s.plan_text, "can_start": s.can_start_plan}
    shot("trails_fr_large_text")
    app.set_setting("high_contrast", True)
    app.open_poi(app.pack.trails[0].stops[0])
    return 0.6


def _cut(button) -> bool:
    from kivy.core.text import Label as CoreLabel

    full = CoreLabel(text=button.text, font_size=button.font_size, bold=button.bold)
    full.refresh()
    return full.texture.size[0] > button.width - 2


def s_contrast(app):
    result["poi_fr_title"] = app.screen("poi").title
    result["hc_nav_colour"] = list(app.root_widget.ids.nav.children[-1].color)  # every kv rule follows the theme
    result["hc_muted"] = list(app.theme.muted)
    result["hc_text_colours"] = text_colours(app)
    shot("poi_fr_high_contrast")
    app.set_setting("high_contrast", False)
    app.set_setting("large_text", False)
    app.show("map")
    return 0.3


def s_restart(app):
    """Second launch: the walk is restored; replay it from the start."""
    result["restored_walk"] = app.walk is not None
    result["restored_visited"] = list(app.walk.visited) if app.walk else []
    result["pack"] = app.pack.manifest.town_id
    return lambda: app.provider is not None and app.provider.loaded.is_set()


def s_restart_replay(app):
    p = app.provider
    while p.step() is not None:
        pass
    result["alerts"] = [a.poi_id for a in app.alert_log]
    result["banner"] = app.banner_text


TOUR = [s_map, s_pan, s_pan_check, s_tap_marker, s_poi_shot, s_take_me, s_route_shot, s_home, s_home_shot, s_explore, s_explore_shot,
        s_explore_filtered, s_explore_search, s_explore_bakery, s_explore_on_arrival,
        s_trails, s_trails_shot, s_walk_skip, s_walk_skip_tap,
        s_walk_skip_shot, s_start_walk, walk_until_first_alert, s_walk_shot, s_walk_follow,
        s_walk_banner_tapped, s_walk_recentre,
        walk_rest, s_walk_done, s_contribute_empty, s_contribute, s_contribute_dup, s_contribute_saved, s_send_without_server,
        s_send_to_local_server, s_submissions_shot, s_settings,
        s_settings_shot, s_settings_chooser, s_french_large, s_trails_fr_large, s_contrast]
RESTART = [s_restart, s_restart_replay]


def main() -> None:
    os.makedirs(SHOTS, exist_ok=True)
    steps = TOUR if PHASE == "tour" else RESTART

    def ready(app):
        app._script = Script(app, steps)  # Clock keeps only weak references
        app._script.start()

    from mobile.platform.storage import JsonStore, user_dir

    # before the app starts: it reads its settings while it opens the window
    JsonStore(user_dir() / "settings.json").save({"lang": "en", "location_source": "simulated"})
    app = HeritageApp(pack_path=PACK, lang="en", auto_replay=False, on_ready=ready)
    app.run()


if __name__ == "__main__":
    main()
