"""The real app off-screen on the Towns screen, against a real pack server on 127.0.0.1.

    python tests/ui/towns_driver.py RESULT.json SHOTS_DIR

Before the app starts: Monaco v1, Périgueux and Chambéry are published into a
folder served by ``tests.pack_server.PackServer`` (in this process), Monaco v1
is installed as the phone's downloaded pack and opened, then Monaco v2 (5
residents' POIs with photos) is published. The script shows the Towns screen
(``towns.png``: update available, size before download), starts the update
with the server throttled and shoots it half-way (``towns-update.png``), waits
for the verified swap and records what the app then has (RESULT.json).
Then a signed town: Périgueux v2 is published signed by the town's key, the
app installs it (pinning the key listed in the catalogue) and opens it; the
zip on the phone is replaced by an unsigned copy and opened again: the app
must refuse it and say so.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

from offscreen import ROOT  # noqa: E402,F401 (Kivy set up off-screen before it is imported)

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402

RESULT, SHOTS = sys.argv[1], sys.argv[2]
result: dict = {"shots": [], "errors": []}


def shot(name: str) -> None:
    path = os.path.join(SHOTS, f"{name}.png")
    Clock.tick_draw()
    Window.dispatch("on_draw")
    os.replace(Window.screenshot(name=os.path.join(SHOTS, ".tmp.png")), path)
    result["shots"].append(path)


def prepare(app_dir: str):
    """The publish folder, the server, the phone's Monaco v1; then Monaco v2 published."""
    from pathlib import Path

    from heritage_kit.packs import load_pack, save_pack
    from heritage_kit.packs.publish import publish_pack
    from tests.pack_server import PackServer
    from tests.towns_support import MONACO, PERIGUEUX, with_contributions

    pub = Path(app_dir).parent / "pub"
    v1 = publish_pack(MONACO, pub)
    publish_pack(PERIGUEUX, pub)
    publish_pack(Path(ROOT) / "content" / "chambery", pub)
    packs = Path(app_dir) / "packs"
    packs.mkdir(parents=True, exist_ok=True)
    (packs / "monaco.zip").write_bytes(v1.path.read_bytes())
    v2, subs = with_contributions(load_pack(MONACO), 5)
    save_pack(v2, pub.parent / "monaco-v2.zip")
    publish_pack(pub.parent / "monaco-v2.zip", pub)
    server = PackServer(pub).__enter__()
    server.pub = pub  # the publish folder (the signed town is published into it later)
    return server, str(packs / "monaco.zip"), [f"hk:{s.uuid}" for s in subs]


def script(app, server, new_ids):
    """Steps as a generator: each ``yield`` is a condition to wait for (or seconds to wait)."""
    app.show("towns")
    yield lambda: not app.towns.presenter.checking and app.towns.presenter.state.fetched is not None
    yield 0.4
    screen = app.screen("towns")
    result["header"] = screen.header
    result["rows"] = {c.town_id: {"status": c.status, "action_text": c.action_text, "detail": c.detail,
                                  "active": c.active} for c in screen.ids.list.children}
    shot("towns")
    server.faults.rate = 250_000  # bytes/s: the update takes a few seconds
    app.towns.download("monaco")
    p = app.towns.presenter
    yield lambda: p.progress.get("monaco", (0, 0))[1] and p.progress["monaco"][0] > 0.4 * p.progress["monaco"][1]
    yield 0.2
    card = next(c for c in screen.ids.list.children if c.town_id == "monaco")
    result["during"] = {"status": card.status, "progress": card.progress}
    shot("towns-update")
    server.faults.rate = 0
    yield lambda: "monaco" not in p.progress
    yield lambda: app.pack is not None and app.pack.manifest.version == 2
    yield 0.6
    result["screen_after_update"] = app.sm.current
    card = next(c for c in screen.ids.list.children if c.town_id == "monaco")
    result["after"] = {"status": card.status, "message": card.message, "failed": card.failed}
    result["pack_version"] = app.pack.manifest.version
    result["new_in_pack"] = [i for i in new_ids if app.pack.poi(i) is not None]
    result["new_on_map"] = [i for i in new_ids if i in set(app.scene.poi_ids)]
    shot("towns-updated")
    result["home_towns"] = sorted(e.town_id for e in app.pack_entries)
    yield from signed_town(app, server)


def signed_town(app, server):
    """Périgueux v2 signed: installed with the catalogue's key pinned, opened; then an unsigned zip refused."""
    from pathlib import Path

    from heritage_kit.packs import load_pack, save_pack
    from heritage_kit.packs.publish import publish_pack
    from heritage_kit.packs.signing import generate_keypair
    from tests.towns_support import PERIGUEUX

    private, public = generate_keypair()
    pack = load_pack(PERIGUEUX)
    pack.manifest = pack.manifest.model_copy(update={"version": 2})
    staged = Path(app.user_dir).parent / "perigueux-v2.zip"
    save_pack(pack, staged)
    publish_pack(staged, server.pub, sign_key=private)
    p = app.towns.presenter
    app.towns.check_now()
    yield lambda: not p.checking
    app.towns.download("perigueux")
    yield lambda: "perigueux" not in p.progress
    installed = Path(p.packs_dir) / "perigueux.zip"
    result["signed"] = {"message": p.messages.get("perigueux", ("", True))[0], "key": p.key_for("perigueux") == public,
                        "row": next(r.detail for r in p.rows() if r.town_id == "perigueux")}
    app.towns.switch("perigueux")
    yield lambda: app.pack is not None and app.pack.manifest.town_id == "perigueux"
    result["signed"]["opened_version"] = app.pack.manifest.version
    save_pack(load_pack(installed), installed)  # the same content, without manifest.sig: not the town's
    app.open_pack(str(installed))
    yield lambda: bool(app.pack_error)
    yield 0.3
    result["signed"]["tampered_error"] = app.pack_error
    result["signed"]["screen"] = app.sm.current


def main() -> None:
    from mobile.app import HeritageApp
    from mobile.platform.storage import JsonStore, user_dir

    os.makedirs(SHOTS, exist_ok=True)
    server, monaco_zip, new_ids = prepare(str(user_dir()))
    JsonStore(user_dir() / "settings.json").save({"lang": "en", "location_source": "simulated",
                                                  "catalogue_url": server.url + "index.json",
                                                  "pack": monaco_zip})

    def finish(app):
        with open(RESULT, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
        server.__exit__(None, None, None)
        app.stop()

    def ready(app):
        steps = script(app, server, new_ids)
        deadline = [time.monotonic() + 60]

        def tick(_dt):
            try:
                wait = app._towns_wait
                if callable(wait) and not wait():
                    if time.monotonic() > deadline[0]:
                        raise TimeoutError("timed out")
                    Clock.schedule_once(tick, 0.05)
                    return
                app._towns_wait = nxt = next(steps)
                deadline[0] = time.monotonic() + 60
                Clock.schedule_once(tick, nxt if isinstance(nxt, float) else 0.05)
            except StopIteration:
                finish(app)
            except Exception:  # noqa: BLE001
                result["errors"].append(traceback.format_exc())
                finish(app)

        app._towns_wait = None
        app._towns_tick = tick  # Clock keeps only weak references
        Clock.schedule_once(tick, 0.2)

    HeritageApp(lang="en", auto_replay=False, on_ready=ready).run()


if __name__ == "__main__":
    main()
