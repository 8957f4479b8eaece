"""Screenshots of issue 20 off-screen: "This week" on the home screen, a shop in a listed building.

    python tests/ui/events_driver.py SHOTS_DIR

* ``this-week``: the Chambéry pack (content/chambery, which carries the European Heritage Days) on the
  home screen, the app's clock set to Tuesday 15 September 2026;
* ``shop-in-listed-building``: a pack of two real records of Niort — the Halles (Mérimée PA00101285, protected
  by an arrêté, 1870) and the market hall's OpenStreetMap point (node/6019535859, data/raw/osm/niort-2019, 3 m
  from it), whose ``housed_in`` the town sets (no building outline of Niort is in the data) — and its weekly
  market as an example event.
Results (texts shown) go to SHOTS_DIR/result.json.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from datetime import datetime

from offscreen import ROOT  # noqa: E402,F401 (Kivy set up off-screen before it is imported)

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402

from heritage_kit.models import POI  # noqa: E402
from heritage_kit.models.event import Event  # noqa: E402
from heritage_kit.packs import ContentPack, save_pack  # noqa: E402
from mobile.app import HeritageApp  # noqa: E402

SHOTS = sys.argv[1]
result: dict = {"shots": [], "errors": [], "texts": {}}


def shot(name: str) -> None:
    path = os.path.join(SHOTS, f"{name}.png")
    Clock.tick_draw()
    Window.dispatch("on_draw")
    tmp = Window.screenshot(name=os.path.join(SHOTS, ".tmp.png"))
    os.replace(tmp, path)
    result["shots"].append(path)


def niort_pack(folder: str) -> str:
    merimee = {"name": "Ministère de la Culture, base Mérimée", "licence": "Licence Ouverte 2.0"}
    osm = {"name": "OpenStreetMap", "licence": "ODbL 1.0"}
    pois = [
        POI.model_validate({"id": "merimee:PA00101285", "kind": "heritage", "categories": ["building"],
                            "name": {"fr": "Halles de Niort", "en": "Niort market hall"},
                            "location": {"lat": 46.3256, "lon": -0.46422}, "refs": {"merimee": "PA00101285"},
                            "heritage": {"protection": "inscrit", "protection_act": "arrêté", "dates": "1870"},
                            "sources": [merimee]}),
        POI.model_validate({"id": "osm:node/6019535859", "kind": "commerce", "categories": ["marketplace"],
                            "name": {"fr": "Les Halles de Niort"}, "location": {"lat": 46.325645, "lon": -0.464196},
                            "opening_hours": "Mo-Su 07:00-20:30", "address": {"housenumber": "18",
                                                                             "street": "Rue Brisson"},
                            "housed_in": "merimee:PA00101285", "sources": [osm]}),
    ]
    market = Event.model_validate({
        "id": "exemple-marche", "kind": "market", "title": {"fr": "Marché (exemple)", "en": "Market (example)"},
        "start": "2026-09-03T07:00", "end": "2026-09-03T13:00", "poi": "osm:node/6019535859",
        "recurrence": {"freq": "weekly", "weekdays": ["TH", "SA"], "on_public_holiday": "day_before"},
        "source": {"name": "example event of the screenshot (not a sourced timetable)", "licence": "CC0 1.0"}})
    pack = ContentPack.new(town_id="niort", town_name="Niort", pois=pois, events=[market], created=datetime(2026, 9, 1),
                           attributions=[{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"},
                                         {"text": "Ministère de la Culture – base Mérimée",
                                          "licence": "Licence Ouverte 2.0"}])
    path = os.path.join(folder, "niort")
    save_pack(pack, path)
    return path


def main() -> None:
    os.makedirs(SHOTS, exist_ok=True)
    which = os.environ.get("HK_EVENTS_SHOT", "this-week")
    tmp = tempfile.mkdtemp(prefix="hk-events-")
    os.environ["HK_APP_DIR"] = tmp
    pack = os.path.join(ROOT, "content", "chambery") if which == "this-week" else niort_pack(tmp)

    def ready(app):
        tz = app.pack.timezone
        app.now = lambda: datetime(2026, 9, 15, 10, 0, tzinfo=tz)  # a fixed clock for the screenshot

        def step(_dt):
            try:
                if which == "this-week":
                    app.show("home")
                    home = app.screen("home")
                    home.refresh()
                    result["texts"]["week"] = [(w.title, w.when) for w in home.ids.week.children]
                    result["texts"]["week_empty"] = home.week_empty
                else:
                    app.open_poi("osm:node/6019535859")
                    poi = app.screen("poi")
                    result["texts"]["host"] = [poi.host_heading, poi.host_title, poi.host_protection]
                    result["texts"]["events"] = poi.events
                Clock.schedule_once(lambda _d: finish(app), 0.6)
            except Exception:  # noqa: BLE001
                result["errors"].append(traceback.format_exc())
                finish(app, take=False)

        Clock.schedule_once(step, 0.5)

    def finish(app, take=True):
        try:
            if take:
                shot(which)
        except Exception:  # noqa: BLE001
            result["errors"].append(traceback.format_exc())
        with open(os.path.join(SHOTS, f"{which}.json"), "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
        app.stop()

    app = HeritageApp(pack_path=pack, lang="en", auto_replay=False, on_ready=ready, app_dir=tmp,
                      content_dirs=[os.path.dirname(pack)])
    app.run()


if __name__ == "__main__":
    main()
