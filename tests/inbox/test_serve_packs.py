"""The inbox serves the publish folder (issue 17) and follows the desk's publishes (issue 22 item 8): a phone's
installer updates from a real inbox server (uvicorn on 127.0.0.1) after a contribution is accepted and the desk
publishes — no restart, and another process of the same inbox serves the new version too."""

from __future__ import annotations

import pathlib
import re
import sys
import warnings

import pytest
import requests

ROOT = pathlib.Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "tests" / "contrib"))
from contrib_support import ThreadServer, new_poi_doc  # noqa: E402

pytest.importorskip("argon2")
warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from heritage_kit.errors import ConfigurationError  # noqa: E402
from heritage_kit.inbox import accounts  # noqa: E402
from heritage_kit.inbox.serving import IMMUTABLE, INDEX_CACHE, ServeConfig, build_app, mount_packs_dir  # noqa: E402
from heritage_kit.inbox.storage import open_storage  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402
from heritage_kit.packs.install import install_result  # noqa: E402
from heritage_kit.packs.publish import publish_pack  # noqa: E402

PERIGUEUX = ROOT / "content" / "perigueux"
KEY = "moderator-key-serve-0123456789"
TOKEN = "device-token-serve-000000001"
PASSWORD = "a long password"


def _config(tmp_path, **extra) -> ServeConfig:
    return ServeConfig(database=str(tmp_path / "inbox.sqlite"), packs=[str(PERIGUEUX)],
                       settings={"moderator_keys": {KEY: "alice"}}, desk_dir=str(tmp_path / "published"), **extra)


def _desk_publish(app) -> None:
    """An admin signs in on the desk and presses Publish for Périgueux."""
    client = TestClient(app, base_url="https://testserver")
    page = client.get("/desk/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/desk/sign-in", data={"username": "max", "password": PASSWORD, "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    form = client.get("/desk/publish?town=perigueux")
    r = client.post("/desk/publish", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', form.text).group(1),
                                           "town": "perigueux"})
    assert r.status_code == 200 and "perigueux-v" in r.text, r.text


def test_a_phone_updates_from_the_inbox_after_a_desk_publish(tmp_path):
    pub, phone = tmp_path / "pub", tmp_path / "phone"
    v1 = publish_pack(PERIGUEUX, pub)
    storage = open_storage(str(tmp_path / "inbox.sqlite"))
    storage.add_account("max", password_hash=accounts.hash_password(PASSWORD), role="admin", towns=("perigueux",))
    storage.close()
    cfg = _config(tmp_path, packs_dir=str(pub))
    app, other = build_app(cfg), build_app(cfg)  # two processes of one inbox, as with --workers 2
    other.state.inbox.watch.interval = 0.0  # look at every request (2 s by default)
    with ThreadServer(app) as inbox, ThreadServer(other) as second:
        index = inbox.url + "/packs/index.json"
        first = install_result(index, "perigueux", phone)
        assert (first.method, first.version, first.sha256) == ("full", v1.entry.version, v1.entry.sha256)
        # a resident's entry, accepted by a moderator
        doc = new_poi_doc("Lavoir du Greffe", lat=45.1850, lon=0.7200)
        r = requests.post(inbox.url + "/v1/submissions", json=doc, timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 201, r.text
        r = requests.post(f"{inbox.url}/v1/moderation/submissions/{doc['uuid']}/approve", json={}, timeout=10,
                          headers={"X-API-Key": KEY})
        assert r.status_code == 200, r.text
        assert install_result(index, "perigueux", phone).method == "none"  # nothing new yet
        # the desk publishes: the next version is written, served, and offered to the phones at once
        _desk_publish(app)
        r = requests.get(index, timeout=10)
        assert r.headers["Cache-Control"] == INDEX_CACHE and r.json()["towns"][0]["version"] == v1.entry.version + 1
        got = install_result(index, "perigueux", phone)
        assert got.version == v1.entry.version + 1
        assert got.method == "delta" and got.downloaded < r.json()["towns"][0]["size"]  # the delta, served too
        assert f"hk:{doc['uuid']}" in {p.id for p in load_pack(got.path).pois}
        # the process that published serves the new version; the other picks it up from the desk's folder
        for server in (inbox, second):
            health = requests.get(server.url + "/v1/health", timeout=10).json()
            assert health["pack_version"] == v1.entry.version + 1, server.url
        # its duplicate hints now see the published entry as a POI of the pack
        again = new_poi_doc("Lavoir du Greffe", lat=45.1850, lon=0.7200)
        r = requests.post(second.url + "/v1/submissions", json=again, timeout=10,
                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert f"hk:{doc['uuid']}" in [h["poi_id"] for h in r.json()["duplicate_hints"]], r.json()
    # a restarted inbox starts from the newest published version, not the --pack given on the command line
    assert build_app(cfg).state.inbox.services["perigueux"].pack.manifest.version == v1.entry.version + 1


def test_a_half_written_zip_is_not_adopted(tmp_path):
    cfg = _config(tmp_path)
    app = build_app(cfg)
    ctx = app.state.inbox
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "perigueux-v99.zip").write_bytes(b"PK\x03\x04 not yet complete")
    assert ctx.watch.check(ctx, force=True) == []
    assert ctx.services["perigueux"].pack.manifest.version == load_pack(PERIGUEUX).manifest.version


def test_pack_files_are_immutable_and_answer_ranges(tmp_path):
    pub = tmp_path / "pub"
    v1 = publish_pack(PERIGUEUX, pub)
    with ThreadServer(build_app(_config(tmp_path, packs_dir=str(pub)))) as inbox:
        url = f"{inbox.url}/packs/{v1.entry.file}"
        r = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
        assert r.status_code == 206 and r.content == v1.path.read_bytes()[100:200]
        assert r.headers["Cache-Control"] == IMMUTABLE
        assert requests.get(inbox.url + "/packs/../inbox.sqlite", timeout=10).status_code == 404
        assert requests.get(inbox.url + "/packs/%2e%2e/inbox.sqlite", timeout=10).status_code == 404
        assert requests.get(inbox.url + "/v1/health", timeout=10).json()["ok"]  # the API is still there


def test_a_missing_publish_folder_is_a_clear_error(tmp_path):
    from fastapi import FastAPI

    with pytest.raises(ConfigurationError, match="no such folder"):
        mount_packs_dir(FastAPI(), tmp_path / "nope")
