"""The map off-screen at a zoom: python scripts/map_screenshot.py PACK LANG M_PER_PX OUT.png [LAT LON [BEARING]]
(docs/screenshots/map_*.png). With BEARING, the walker is shown at LAT LON heading that way (accuracy 12 m)."""
import os, sys, tempfile
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen"); os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
sys.path.insert(0, os.getcwd())
from kivy.config import Config
Config.set("graphics", "width", "432"); Config.set("graphics", "height", "912")
from kivy.clock import Clock
from kivy.core.window import Window
from mobile.app import HeritageApp
pack, lang, mpp, out = sys.argv[1:5]
centre = tuple(map(float, sys.argv[5:7])) if len(sys.argv) >= 7 else None
bearing = float(sys.argv[7]) if len(sys.argv) >= 8 else None

def ready(app):
    def go(_):
        app.show("map")
        Clock.schedule_once(zoom, 0.5)
    def zoom(_):
        m = app.screen("map").ids.map
        lat, lon = centre or (app.pack.manifest.centre.lat, app.pack.manifest.centre.lon)
        m.centre_on_latlon(lat, lon, min_scale=1.0 / float(mpp))
        m.viewport.scale = 1.0 / float(mpp); m.centre_on_latlon(lat, lon)
        if bearing is not None:
            from datetime import datetime, timezone
            from mobile.presenters.location import Position
            m.position = Position(lat, lon, 12.0, datetime.now(timezone.utc), speed_mps=1.3, bearing_deg=bearing)
        m.rebuild_now()
        Clock.schedule_once(snap, 1.0)
    def snap(_):
        Clock.tick_draw(); Window.dispatch("on_draw")
        tmp = Window.screenshot(name=out + ".tmp.png"); os.replace(tmp, out)
        app.stop()
    Clock.schedule_once(go, 0.5)

app = HeritageApp(pack_path=pack, lang=lang, app_dir=tempfile.mkdtemp(), auto_replay=False, on_ready=ready)
app.run()
