"""One inbox, several towns: submissions routed to their town, and every moderator credential scoped to its towns.

Runs the real app (FastAPI test client) over the ``storage`` fixture: SQLite and a real PostgreSQL. A desk
session of a Périgueux moderator, or a machine key scoped to Monaco, never sees nor decides the other town's
submissions (404), asking for the other town by name is 403, and cookie-authenticated writes need the CSRF token.
"""

from __future__ import annotations

import json
import os
import pathlib
import uuid as _uuid
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from heritage_kit.inbox import InboxSettings, accounts, create_app  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PERIGUEUX = (45.1850, 0.7200)
MONACO = (43.7384, 7.4246)
KEY, BOT_KEY = "k" * 32, "b" * 32
TOKEN = "device-token-for-towns-0001"


@pytest.fixture(scope="module")
def packs():
    return [load_pack(ROOT / "content" / "perigueux"), load_pack(ROOT / "content" / "monaco")]


def doc(name: str, at: tuple[float, float]) -> dict:
    return {"uuid": str(_uuid.uuid4()), "kind": "new_poi", "contributor": "Marie P.", "consent": True,
            "created": "2026-11-20T10:00:00+00:00",
            "proposal": {"name": {"fr": name}, "category": "fountain", "location": {"lat": at[0], "lon": at[1]}}}


@pytest.fixture
def hub(storage, packs):
    settings = InboxSettings(moderator_keys={KEY: "ops", BOT_KEY: "bot"}, moderator_key_towns={"bot": ["monaco"]})
    client = TestClient(create_app(storage, packs, settings), base_url="https://testserver")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ids = {}
    for town, at, params in (("perigueux", PERIGUEUX, {}), ("monaco", MONACO, {}),
                             ("monaco", MONACO, {"town": "monaco"})):
        r = client.post("/v1/submissions", json=doc(f"Lavoir {town} {len(ids)}", at), headers=auth, params=params)
        assert r.status_code == 201, r.text
        ids.setdefault(town, r.json()["uuid"])
    return client, storage, ids


def desk_session(storage, name: str, towns: tuple[str, ...], role: str = "moderator"):
    storage.add_account(name, password_hash=accounts.hash_password("a long password"), role=role, towns=towns)
    s = accounts.new_session(storage, name)
    return {"hk_desk": s.token}, s.session.csrf


def test_submissions_go_to_the_town_holding_their_location(hub):
    client, storage, ids = hub
    assert storage.get(ids["perigueux"]).town == "perigueux"
    assert storage.get(ids["monaco"]).town == "monaco"
    assert storage.count(towns=["monaco"]) == 2
    far = client.post("/v1/submissions", json=doc("Nowhere", (48.85, 2.35)), headers={"Authorization": f"Bearer {TOKEN}"})
    assert far.status_code == 422 and "town" in far.json()["error"]["fields"]
    wrong = client.post("/v1/submissions", json=doc("X", MONACO), params={"town": "atlantis"},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert wrong.status_code == 422
    health = client.get("/v1/health").json()
    assert [t["town_id"] for t in health["towns"]] == ["perigueux", "monaco"]


def test_a_towns_moderator_session_never_sees_nor_decides_another_town(hub):
    client, storage, ids = hub
    cookies, csrf = desk_session(storage, "ana", ("perigueux",))
    client.cookies.update(cookies)
    q = client.get("/v1/moderation/queue", params={"status": "all"}).json()
    assert {i["town"] for i in q["items"]} == {"perigueux"} and q["total"] == 1
    assert client.get("/v1/moderation/queue", params={"town": "monaco"}).status_code == 403
    assert client.get(f"/v1/moderation/submissions/{ids['monaco']}").status_code == 404
    assert client.get(f"/v1/moderation/submissions/{ids['monaco']}/photos/0").status_code == 404
    r = client.post(f"/v1/moderation/submissions/{ids['monaco']}/reject", json={"reason": "no"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and storage.get(ids["monaco"]).status == "pending"
    # the own town: a write without the session's CSRF token is refused, with it accepted
    r = client.post(f"/v1/moderation/submissions/{ids['perigueux']}/approve")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = client.post(f"/v1/moderation/submissions/{ids['perigueux']}/approve", headers={"X-CSRF-Token": "x" * 32})
    assert r.status_code == 403 and storage.get(ids["perigueux"]).status == "pending"
    r = client.post(f"/v1/moderation/submissions/{ids['perigueux']}/approve", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and storage.get(ids["perigueux"]).status == "approved"
    actors = {a["actor"] for a in client.get("/v1/moderation/audit").json()["entries"]}
    assert "desk:ana" in actors
    towns = {storage.get(a["uuid"]).town for a in client.get("/v1/moderation/audit").json()["entries"] if a["uuid"]}
    assert towns == {"perigueux"}
    assert client.get("/v1/moderation/audit", params={"submission_id": ids["monaco"]}).status_code == 404


def test_machine_keys_are_scoped_by_settings(hub):
    client, storage, ids = hub
    bot = {"X-API-Key": BOT_KEY}
    assert client.get(f"/v1/moderation/submissions/{ids['perigueux']}", headers=bot).status_code == 404
    assert client.get(f"/v1/moderation/submissions/{ids['monaco']}", headers=bot).json()["town"] == "monaco"
    assert client.get("/v1/moderation/queue", headers=bot).json()["total"] == 2
    r = client.post(f"/v1/moderation/submissions/{ids['monaco']}/approve", headers=bot)  # no CSRF for a key
    assert r.status_code == 200
    assert storage.audit(ids["monaco"])[-1].actor == "moderator:bot"
    ops = {"X-API-Key": KEY}  # a key not given towns has every town of the inbox
    assert client.get("/v1/moderation/queue", headers=ops, params={"status": "all"}).json()["total"] == 3


def test_other_roles_and_ended_sessions_get_no_moderation(hub):
    client, storage, ids = hub
    cookies, _ = desk_session(storage, "root", ("*",), role="admin")
    client.cookies.update(cookies)
    assert client.get("/v1/moderation/queue", params={"status": "all"}).json()["total"] == 3
    storage.delete_sessions_of("root")
    assert client.get("/v1/moderation/queue").status_code == 401


@pytest.mark.slow
def test_cli_serves_several_packs(tmp_path):
    """``heritage-kit inbox serve --pack A --pack B`` on loopback: both towns in /v1/health, one database."""
    from contrib.contrib_support import ServeCli

    args = ["--db", str(tmp_path / "i.db"), "--pack", str(ROOT / "content" / "perigueux"),
            "--pack", str(ROOT / "content" / "monaco")]
    with ServeCli(args, env={**os.environ, "PYTHONPATH": str(ROOT)}) as server:
        assert [t["town_id"] for t in server.health["towns"]] == ["perigueux", "monaco"]


def test_key_file_scopes_keys_to_towns(tmp_path):
    from heritage_kit.cli.inbox import load_moderator_key_towns, load_moderator_keys
    from heritage_kit.errors import ConfigurationError

    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"ops": KEY, "bot": {"key": BOT_KEY, "towns": ["monaco"]}}))
    assert load_moderator_keys(str(path), environ={}) == {KEY: "ops", BOT_KEY: "bot"}
    assert load_moderator_key_towns(str(path)) == {"bot": ["monaco"]}
    path.write_text(json.dumps({"bot": {"key": BOT_KEY, "towns": []}}))  # a scope with no town is refused
    with pytest.raises(ConfigurationError, match="towns"):
        load_moderator_keys(str(path), environ={})
