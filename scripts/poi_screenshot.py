"""One POI page off-screen: python scripts/poi_screenshot.py PACK LANG POI_ID OUT.png (docs/screenshots/poi_*.png).
POI_ID "explore:WORDS" shows the Explore list searched for WORDS instead (docs/screenshots/explore_photo_*.png)."""
import os, sys, tempfile
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen"); os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
sys.path.insert(0, os.getcwd())
from kivy.config import Config
Config.set("graphics", "width", "432"); Config.set("graphics", "height", "912")
from kivy.clock import Clock
from kivy.core.window import Window
from mobile.app import HeritageApp
pack, lang, poi_id, out = sys.argv[1:5]

def ready(app):
    def go(_):
        if poi_id.startswith("explore:"):
            app.show("explore")
            app.screen("explore").ids.search.text = poi_id.split(":", 1)[1]
            Clock.schedule_once(lambda _dt: app.screen("explore").refresh(), 0.3)
            Clock.schedule_once(snap, 2.0)  # thumbnails are decoded off the UI thread
            return
        app.open_poi(poi_id)
        Clock.schedule_once(snap, 1.0)
    def snap(_):
        Clock.tick_draw(); Window.dispatch("on_draw")
        tmp = Window.screenshot(name=out + ".tmp.png"); os.replace(tmp, out)
        print("page:", app.screen("poi").title, "|", app.screen("poi").origin, "|", app.screen("poi").summary)
        app.stop()
    Clock.schedule_once(go, 0.5)

app = HeritageApp(pack_path=pack, lang=lang, app_dir=tempfile.mkdtemp(), auto_replay=False, on_ready=ready)
app.run()
