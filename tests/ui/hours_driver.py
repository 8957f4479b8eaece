"""The hours editor, driven off-screen through its widgets (run in a subprocess by test_mobile_hours_editor_ui.py).

    python tests/ui/hours_driver.py SHOTS_DIR        (HK_HOURS_SHOT = en | fr | large)

* ``en``: Monaco's bakery L'Épi d'Or (OpenStreetMap node/1712696722, ``Mo-Su 06:30-19:00``), opened from its
  POI page's "Edit opening hours"; a lunch break on Monday, Monday copied to Tuesday–Saturday, Sunday until
  12:30, closed on public holidays, closed 24–26 December; saved to the outbox (``hours-editor.png``, then the
  bottom of the form ``hours-editor-closures.png``);
* ``fr``: D.P.M. Motors (node/1712696858), whose ``Mo-Sa 09:00-12:30, 14:00-19:00`` the editor cannot
  represent (the ", " rule separator): the notice and the raw value, an empty week, a time typed wrong;
* ``large``: the first case with large text.
Results (texts shown, the outbox's item) go to SHOTS_DIR/<which>.json.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback

from offscreen import ROOT  # noqa: E402,F401 (Kivy set up off-screen before it is imported)

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402

from mobile.app import HeritageApp  # noqa: E402

SHOTS = sys.argv[1]
WHICH = os.environ.get("HK_HOURS_SHOT", "en")
BAKERY, GARAGE = "osm:node/1712696722", "osm:node/1712696858"
result: dict = {"which": WHICH, "shots": [], "errors": [], "texts": {}}


def shot(name: str) -> None:
    path = os.path.join(SHOTS, f"{name}.png")
    Clock.tick_draw()
    Window.dispatch("on_draw")
    tmp = Window.screenshot(name=os.path.join(SHOTS, ".tmp.png"))
    os.replace(tmp, path)
    result["shots"].append(path)


def button(root, text: str):
    """The widget showing ``text`` (a button, toggle) under ``root``, as a finger would find it."""
    return next(w for w in root.walk(restrict=True) if getattr(w, "text", None) == text and hasattr(w, "trigger_action"))


def tap(root, text: str) -> None:
    button(root, text).trigger_action(duration=0)


def type_into(field, text: str) -> None:
    field.focus = True
    field.text = ""
    field.insert_text(text)
    field.focus = False


def small_targets(ed) -> list[str]:
    """The editor's visible touch targets under 48 dp on a side ("Class 'text' WxH dp")."""
    from kivy.metrics import dp
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.checkbox import CheckBox
    from kivy.uix.textinput import TextInput

    def shown(w):
        while w is not None and w is not w.parent:
            if w.opacity == 0 or w.width <= 0 or w.height <= 0:
                return False
            w = w.parent
        return True

    return [f"{type(w).__name__} {getattr(w, 'text', '')[:20]!r} {w.width / dp(1):.0f}x{w.height / dp(1):.0f} dp"
            for w in ed.walk(restrict=True)
            if isinstance(w, (ButtonBehavior, CheckBox, TextInput)) and not w.disabled and shown(w)
            and (w.width < dp(48) - 0.5 or w.height < dp(48) - 0.5)]


def texts(ed) -> dict:
    return {"title": ed.title, "current": ed.current, "notice": ed.notice, "reading": ed.reading,
            "value": ed.value_text, "week_error": ed.week_error,
            "day_errors": {c.day: c.error for c in ed._cards if c.error},
            "closure_errors": [r.error for r in ed._closure_rows], "result": ed.result_text, "ok": ed.result_ok}


def steps_en(app):
    ed = app.screen("hours_editor")
    monday = ed._cards[0]
    yield lambda: tap(monday, app.t("hours_editor.add_break"))
    yield lambda: tap(ed, app.t("hours_editor.copy_weekdays"))
    yield lambda: setattr(ed._targets[5], "state", "down")  # and Saturday
    yield lambda: tap(ed, app.t("hours_editor.copy_do"))
    sunday_close = lambda: [w for w in ed._cards[6].ids.rows.walk(restrict=True) if hasattr(w, "insert_text")][1]
    yield lambda: type_into(sunday_close(), "12:30")
    yield lambda: tap(ed, app.t("hours_editor.ph.closed"))
    yield lambda: tap(ed, app.t("hours_editor.add_closure"))

    def dates():
        a, b = [w for w in ed._closure_rows[0].walk(restrict=True) if hasattr(w, "insert_text")]
        type_into(a, "24/12/2026")
        type_into(b, "26/12/2026")
    yield dates
    yield lambda: type_into(ed.ids.author, "Boulangère du Rocher")
    yield lambda: setattr(ed.ids.consent, "active", True)
    yield 0.4
    yield lambda: ed.ids.scroller.__setattr__("scroll_y", 1.0)
    yield 0.3
    yield lambda: result["texts"].__setitem__("before_save", texts(ed))
    yield lambda: result["texts"].__setitem__("small_targets", small_targets(ed))
    yield lambda: shot("hours-editor-large" if WHICH == "large" else "hours-editor")
    yield lambda: ed.save()
    yield lambda: (lambda: ed.result_text != "" and not ed.saving)

    def outbox():
        items = app._outbox().items()
        result["texts"]["outbox"] = [(i.submission.kind, i.submission.target, i.submission.proposal.opening_hours,
                                      i.status) for i in items]
        result["texts"]["after_save"] = texts(ed)
        ed.ids.scroller.scroll_y = 0.0
    yield outbox
    yield 0.4
    if WHICH == "en":
        yield lambda: shot("hours-editor-closures")
        yield lambda: tap(ed, app.t("contrib.mine"))
        yield lambda: (lambda: len(app.screen("submissions").ids.list.children) > 0)

        def mine():
            row = app.screen("submissions").ids.list.children[0]
            result["texts"]["my_submissions"] = [row.title, row.detail, row.status]
        yield mine


def steps_fr(app):
    ed = app.screen("hours_editor")
    yield lambda: result["texts"].__setitem__("opened", texts(ed))
    yield lambda: setattr(ed._cards[0].ids.chk, "active", True)

    def wrong():
        a, b = [w for w in ed._cards[0].ids.rows.walk(restrict=True) if hasattr(w, "insert_text")]
        type_into(a, "9h")
        type_into(b, "25:00")
    yield wrong
    yield 0.2

    def fields():
        a, b = [w for w in ed._cards[0].ids.rows.walk(restrict=True) if hasattr(w, "insert_text")]
        result["texts"]["monday_fields"] = [a.text, b.text]  # "9h" tidied when the field was left
    yield fields
    yield 0.4
    yield lambda: result["texts"].__setitem__("typed", texts(ed))
    yield lambda: result["texts"].__setitem__("small_targets", small_targets(ed))
    yield lambda: shot("hours-editor-fr")


def main() -> None:
    os.makedirs(SHOTS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="hk-hours-")
    pack = os.path.join(ROOT, "content", "monaco")

    def ready(app):
        if WHICH == "large":
            app.set_setting("large_text", True)
        if os.environ.get("HK_HOURS_CONTRAST"):  # a look in high contrast (not a committed screenshot)
            app.set_setting("high_contrast", True)
        poi = GARAGE if WHICH == "fr" else BAKERY
        app.open_poi(poi)
        steps = iter(steps_fr(app) if WHICH == "fr" else steps_en(app))
        state = {"wait": None, "deadline": 0.0}

        def first(_dt):
            try:
                page = app.screen("poi")
                result["texts"]["poi_button"] = button(page, app.t("poi.edit_hours")).text
                tap(page, app.t("poi.edit_hours"))
                result["texts"]["screen"] = app.sm.current
                Clock.schedule_once(tick, 0.4)
            except Exception:  # noqa: BLE001
                result["errors"].append(traceback.format_exc())
                finish(app)

        def tick(_dt):
            try:
                if state["wait"] is not None:
                    if not state["wait"]():
                        if time.monotonic() > state["deadline"]:
                            raise TimeoutError("timed out")
                        Clock.schedule_once(tick, 0.05)
                        return
                    state["wait"] = None
                step = next(steps, None)
                if step is None:
                    finish(app)
                    return
                if isinstance(step, float):
                    Clock.schedule_once(tick, step)
                    return
                out = step()
                if callable(out):
                    state["wait"], state["deadline"] = out, time.monotonic() + 30
                Clock.schedule_once(tick, 0.1)
            except Exception:  # noqa: BLE001
                result["errors"].append(traceback.format_exc())
                finish(app)

        Clock.schedule_once(first, 0.4)

    def finish(app):
        with open(os.path.join(SHOTS, f"{WHICH}.json"), "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
        app.stop()

    app = HeritageApp(pack_path=pack, lang="fr" if WHICH == "fr" else "en", auto_replay=False, on_ready=ready,
                      app_dir=tmp, content_dirs=[os.path.dirname(pack)])
    app.run()


if __name__ == "__main__":
    main()
