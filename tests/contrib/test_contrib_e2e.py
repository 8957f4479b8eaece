"""End to end over real HTTP on 127.0.0.1: outbox → inbox → moderation → published pack; and fault injection."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest
import requests

from contrib_support import FaultProxy, ThreadServer, free_port, make_jpeg, new_poi_doc
from heritage_kit.errors import ConfigurationError
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app
from heritage_kit.packs import load_pack
from heritage_kit.submissions import InboxClient, Outbox, Submission

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = "moderator-key-e2e-0123456789"
TOKEN = "device-token-e2e-000000000"


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"inbox serve exited: {proc.stderr.read()}")
        try:
            if requests.get(url + "/v1/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("inbox serve did not answer in time")


def test_offline_submission_waits_then_is_delivered_moderated_and_published(tmp_path, pack_dir):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db = tmp_path / "inbox.sqlite"
    # 1. made while the server is down: it waits in the outbox
    box = Outbox(tmp_path / "device" / "outbox.sqlite", pack=load_pack(pack_dir))
    client = InboxClient(url, TOKEN, timeout=(1.0, 5.0))
    sub = Submission.model_validate(new_poi_doc(name="Lavoir de la rue Neuve", contributor="Marie P."))
    box.enqueue(sub, photos=[make_jpeg(1600, 1200, gps=True)])
    report = box.sync(client, max_attempts=2, base_delay=0.01, sleep=lambda s: None)
    assert report.sent == [] and report.remaining == 1 and "connection failed" in report.error
    assert box.get(sub.id).status == "queued"
    # 2. the server starts (the real CLI)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HERITAGE_KIT_MODERATOR_KEYS": f"alice:{KEY}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "heritage_kit", "inbox", "serve", "--db", str(db), "--pack", str(pack_dir),
         "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_healthy(url, proc)
        # 3. sync delivers it (the persisted backoff is skipped with force=True, a "send now")
        report = box.sync(client, force=True)
        assert report.sent == [sub.id] and report.complete
        assert box.get(sub.id).status == "pending"
        # 4. a moderator approves it over HTTP
        mod = requests.Session()
        mod.headers["X-API-Key"] = KEY
        queue = mod.get(url + "/v1/moderation/queue", timeout=5).json()
        assert [i["uuid"] for i in queue["items"]] == [sub.id]
        r = mod.post(url + f"/v1/moderation/submissions/{sub.id}/approve", json={}, timeout=5)
        assert r.status_code == 200, r.text
        report = box.sync(client)
        assert report.refreshed == {sub.id: "approved"} and box.get(sub.id).status == "approved"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    # 5. publish writes a pack whose load_pack shows the new POI with its credit
    out = tmp_path / "perigueux-v2.zip"
    res = subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", "publish", "--db", str(db), "--pack",
                          str(pack_dir), "--out", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    v2 = load_pack(out)
    assert v2.manifest.version == 2
    poi = v2.poi(f"hk:{sub.id}")
    assert poi.name.get("fr") == "Lavoir de la rue Neuve"
    assert any(s.licence == "CC BY-SA 4.0" and "Marie P." in s.name for s in poi.sources)
    assert poi.media[0].author == "Marie P."
    assert any(a.licence == "CC BY-SA 4.0" for a in v2.manifest.attributions)


class PostCounter:
    """ASGI wrapper counting the answers the server gave to POST /v1/submissions, by status."""

    def __init__(self, app) -> None:
        self.app = app
        self.codes: list[int] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/submissions":
            return await self.app(scope, receive, send)

        async def spy(msg):
            if msg["type"] == "http.response.start":
                self.codes.append(msg["status"])
            await send(msg)

        return await self.app(scope, receive, spy)


@pytest.mark.slow
def test_every_submission_arrives_exactly_once_through_a_faulty_network(tmp_path, pack):
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    app = PostCounter(create_app(storage, pack, InboxSettings(submission_burst=10_000, read_burst=10_000,
                                                                                address_burst=10_000)))
    n = 40
    with ThreadServer(app) as server, FaultProxy(server.port, rate=0.3, seed=6, delay=0.9) as proxy:
        session = requests.Session()
        session.headers["Connection"] = "close"  # one connection per request: each may be broken
        client = InboxClient(proxy.url, TOKEN, session=session, timeout=(1.0, 0.5))
        box = Outbox(tmp_path / "outbox.sqlite")
        subs = [Submission.model_validate(new_poi_doc(name=f"Lavoir n°{i}")) for i in range(n)]
        for i, s in enumerate(subs):
            box.enqueue(s, photos=[make_jpeg(200, 150)] if i % 5 == 0 else [])
        rounds = 0
        while box.counts().get("queued", 0) and rounds < 30:
            box.sync(client, force=True, max_attempts=4, base_delay=0.01, max_delay=0.05, refresh=False)
            rounds += 1
        box.sync(client, force=True, max_attempts=6, base_delay=0.01, max_delay=0.05)  # refresh through faults
        faults = dict(proxy.faults)
        connections = proxy.connections
    # every kind of fault happened, at about the rate asked
    assert set(faults) == set(FaultProxy.KINDS), faults
    assert 0.15 < sum(faults.values()) / connections < 0.45
    # the server really saw repeats (answers lost after it stored them) and answered them as replays
    assert app.codes.count(201) == n and app.codes.count(200) >= 3, app.codes
    # exactly once: each uuid stored once, one 'submit' audit entry each, nothing else
    assert box.counts() == {"pending": n}
    stored = storage.list(status=None, limit=1000)
    assert sorted(s.uuid for s in stored) == sorted(s.id for s in subs)
    audit = storage.audit(limit=10_000)
    assert [a.action for a in audit] == ["submit"] * n
    assert len({a.uuid for a in audit}) == n
    for s in stored:
        assert s.photo_count == (1 if s.submission.proposal.name["fr"].endswith(("0", "5")) else 0)
    storage.close()


def test_client_requires_https_except_on_this_machine():
    for ok in ("https://inbox.perigueux.fr", "http://localhost:8000", "http://127.0.0.1:1", "http://[::1]:8000"):
        InboxClient(ok, TOKEN)
    for bad in ("http://inbox.perigueux.fr", "ftp://127.0.0.1", "inbox.perigueux.fr", "http://10.0.0.2:80"):
        with pytest.raises(ConfigurationError):
            InboxClient(bad, TOKEN)
    with pytest.raises(ConfigurationError):
        InboxClient("https://inbox.perigueux.fr", "short")


def test_client_classifies_the_servers_answers(tmp_path, pack):
    from heritage_kit.errors import SubmissionRefused, SyncError

    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    app = create_app(storage, pack, InboxSettings(submission_burst=2, submissions_per_hour=1))
    with ThreadServer(app) as server:
        client = InboxClient(server.url, TOKEN)
        ok = Submission.model_validate(new_poi_doc())
        result = client.submit(ok, [make_jpeg(64, 48)])
        assert result.created and result.status == "pending"
        assert client.submit(ok, [make_jpeg(64, 48)]).created is False  # replay
        assert client.status(ok.id).status == "pending"
        # a refusal carries the per-field messages in both languages
        far = Submission.model_validate(new_poi_doc(lat=48.85, lon=2.35))
        with pytest.raises(SyncError) as info:  # the burst of 2 is spent: rate limited, transient
            client.submit(far)
        assert info.value.transient and info.value.status_code == 429 and info.value.retry_after > 0
        other = InboxClient(server.url, "another-device-token-0000")
        with pytest.raises(SubmissionRefused) as refused:
            other.submit(far)
        assert refused.value.status_code == 422
        assert refused.value.messages["proposal.location"].code == "outside_town"
        assert "Périgueux" in refused.value.messages["proposal.location"].fr
        with pytest.raises(SubmissionRefused) as missing:
            other.status(ok.id)  # not this device's
        assert missing.value.status_code == 404
        bad = InboxClient(server.url, "x" * 16)
        bad._token = "bad token with spaces"  # what a corrupted setting would send
        with pytest.raises(SyncError) as auth:
            bad.status(ok.id)
        assert auth.value.status_code == 401 and not auth.value.transient
    storage.close()
