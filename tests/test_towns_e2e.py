"""End to end over real HTTP on 127.0.0.1: a submission posted by the app's outbox code to a real inbox
(uvicorn, ``create_app``) → approved through the moderation API → ``inbox.publish`` → ``pack publish``
into a served folder → the app's Towns flow sees the update and installs it (a delta) → the POI is in the
loaded pack and on the map; the contributor's entry says "Now in the Périgueux guide"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent / "contrib"))

from contrib_support import ThreadServer, make_jpeg  # noqa: E402
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app  # noqa: E402
from heritage_kit.inbox.publish import publish  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402
from heritage_kit.packs.publish import publish_pack  # noqa: E402
from heritage_kit.submissions import Outbox  # noqa: E402
from heritage_kit.types import LatLon  # noqa: E402
from mobile.i18n import Translator  # noqa: E402
from mobile.presenters.contribute import ContributePresenter  # noqa: E402
from mobile.presenters.map_view import MapScene  # noqa: E402
from tests.mobile.test_mobile_towns import make, started  # noqa: E402
from tests.pack_server import PackServer  # noqa: E402
from tests.towns_support import PERIGUEUX  # noqa: E402

pytestmark = pytest.mark.slow
KEY = "moderator-key-towns-0123456789"
TOKEN = "device-token-towns-00000000"


def test_submission_to_published_update_on_the_phone(tmp_path):
    pub = tmp_path / "pub"
    v1 = publish_pack(PERIGUEUX, pub)
    with PackServer(pub) as packs:
        # the phone installs Périgueux v1 from the catalogue and opens it
        towns, flow, host, loop = make(tmp_path, packs.url + "index.json")
        started(flow, loop, towns)
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in towns.progress)
        flow.switch("perigueux")
        phone_pack = load_pack(host.active[0])
        # the visitor contributes (the app's presenter and outbox) and sends it to the town's inbox
        box = Outbox(tmp_path / "app" / "outbox.sqlite", pack=phone_pack)
        contrib = ContributePresenter(phone_pack, Translator("en"), lambda: box)
        photo = tmp_path / "lavoir.jpg"
        photo.write_bytes(make_jpeg(1600, 1200))
        f = contrib.form
        f.kind, f.category, f.name = "heritage", "fountain", "Lavoir de la rue Neuve"
        f.description, f.author, f.consent, f.photo_path = "Ancien lavoir couvert.", "Marie P.", True, str(photo)
        contrib.set_place(LatLon(lat=45.1850, lon=0.7200))
        saved = contrib.save()
        assert saved.ok, saved.text
        storage = SqliteStorage(tmp_path / "inbox.sqlite")
        with ThreadServer(create_app(storage, load_pack(PERIGUEUX), InboxSettings(moderator_keys={KEY: "alice"}))) \
                as inbox:
            sent = contrib.send_now(inbox.url, TOKEN)
            assert sent.ok, sent.text
            mod = requests.Session()
            mod.headers["X-API-Key"] = KEY
            r = mod.post(f"{inbox.url}/v1/moderation/submissions/{saved.uuid}/approve", json={}, timeout=10)
            assert r.status_code == 200, r.text
            assert contrib.send_now(inbox.url, TOKEN).ok  # refreshes the status: approved
        assert [row.status_code for row in contrib.my_submissions()] == ["approved"]
        assert "Now in the" not in contrib.my_submissions()[0].status  # not yet in the installed guide
        # the town publishes the next version and ships it
        out = tmp_path / "perigueux-v2.zip"
        assert publish(storage, PERIGUEUX, out).applied == [saved.uuid]
        storage.close()
        v2 = publish_pack(out, pub)
        assert v2.entry.version == 2 and v2.entry.deltas and v2.entry.deltas[0].from_sha256 == v1.entry.sha256
        # the phone's daily check sees it, the update installs (the delta), the open town reloads
        towns.last_check = None
        flow.tick()
        loop.run_until(lambda: not towns.checking)
        assert towns.updates() == ["perigueux"]
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in towns.progress)
        (row,) = towns.rows(*host.active)
        assert not row.failed and "downloaded instead of" in row.message, row.message
        assert len(host.opened) == 2
        updated = load_pack(host.opened[-1])
    poi = updated.poi(f"hk:{saved.uuid}")
    assert updated.manifest.version == 2 and poi.name.get("fr") == "Lavoir de la rue Neuve"
    assert poi.media and poi.media[0].author == "Marie P."
    assert f"hk:{saved.uuid}" in MapScene.from_pack(updated).poi_ids
    mine = ContributePresenter(updated, Translator("en"), lambda: box).my_submissions()
    assert mine[0].status == "approved · Now in the Périgueux guide"
    fr = ContributePresenter(updated, Translator("fr"), lambda: box).my_submissions()
    assert fr[0].status.endswith("Désormais dans le guide de Périgueux")
    box.close()
