"""The inbox HTTP app through FastAPI's test client: auth, isolation, idempotency, limits, moderation."""

from __future__ import annotations

import io
import json
import uuid
import warnings

import pytest
from PIL import Image

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from contrib_support import make_jpeg, new_poi_doc  # noqa: E402
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app  # noqa: E402

KEY = "moderator-key-0123456789"
TOKEN_A = "device-token-aaaaaaaaaaaa"
TOKEN_B = "device-token-bbbbbbbbbbbb"
A = {"Authorization": f"Bearer {TOKEN_A}"}
B = {"Authorization": f"Bearer {TOKEN_B}"}
MOD = {"X-API-Key": KEY}


@pytest.fixture
def storage():
    s = SqliteStorage(":memory:")
    yield s
    s.close()


@pytest.fixture
def client(storage, pack):
    app = create_app(storage, pack, InboxSettings(moderator_keys={KEY: "alice"}))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def post(client, doc, photos=(), headers=A):
    files = [("submission", (None, json.dumps(doc), "application/json"))]
    files += [("photos", (f"p{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photos)]
    return client.post("/v1/submissions", headers=headers, files=files)


def test_submit_is_idempotent_on_uuid(client, storage):
    doc = new_poi_doc()
    photo = make_jpeg()
    r1 = post(client, doc, [photo])
    assert r1.status_code == 201 and r1.json()["status"] == "pending" and r1.json()["outcome"] == "created"
    r2 = post(client, doc, [photo])
    assert r2.status_code == 200 and r2.json()["outcome"] == "replay"
    assert storage.count() == 1 and len(storage.audit(doc["uuid"])) == 1
    assert post(client, doc, [photo], headers=B).status_code == 409  # another device, same uuid
    changed = {**doc, "contributor": "Marie Pérez"}
    r3 = post(client, changed)  # the same device corrects it before review
    assert r3.status_code == 200 and r3.json()["outcome"] == "revised"
    assert storage.get(doc["uuid"]).submission.contributor == "Marie Pérez" and storage.count() == 1
    client.post(f"/v1/moderation/submissions/{doc['uuid']}/approve", headers=MOD)
    assert post(client, {**doc, "contributor": "Encore"}).status_code == 409  # approved is final


def test_json_body_works_too_and_photos_are_stored_without_exif(client, storage):
    doc = new_poi_doc()
    assert client.post("/v1/submissions", headers=A, json=doc).status_code == 201
    doc2 = new_poi_doc(name="Lavoir du Toulon")
    r = post(client, doc2, [make_jpeg(2500, 1000, gps=True)])
    assert r.status_code == 201
    [p] = storage.photos(doc2["uuid"])
    im = Image.open(io.BytesIO(p.data))
    assert im.size == (2048, 819) and len(im.getexif()) == 0 and b"Exif" not in p.data
    got = client.get(f"/v1/moderation/submissions/{doc2['uuid']}/photos/0", headers=MOD)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg" and got.content == p.data


def test_device_tokens_are_isolated_and_required(client):
    doc = new_poi_doc()
    post(client, doc)
    assert client.get(f"/v1/submissions/{doc['uuid']}", headers=A).json()["status"] == "pending"
    other = client.get(f"/v1/submissions/{doc['uuid']}", headers=B)
    assert other.status_code == 404  # indistinguishable from a uuid that does not exist
    assert client.get(f"/v1/submissions/{uuid.uuid4()}", headers=B).json() == other.json()
    assert client.get(f"/v1/submissions/{doc['uuid']}").status_code == 401
    assert client.get(f"/v1/submissions/{doc['uuid']}", headers={"Authorization": "Bearer short"}).status_code == 401
    assert post(client, new_poi_doc(), headers={}).status_code == 401
    assert client.get("/v1/submissions/not-a-uuid", headers=A).status_code == 404


@pytest.mark.parametrize("method,path", [
    ("get", "/v1/moderation/queue"),
    ("get", "/v1/moderation/audit"),
    ("get", "/v1/moderation/submissions/{id}"),
    ("get", "/v1/moderation/submissions/{id}/photos/0"),
    ("post", "/v1/moderation/submissions/{id}/approve"),
    ("post", "/v1/moderation/submissions/{id}/reject"),
    ("post", "/v1/moderation/submissions/{id}/request-changes"),
])
def test_moderator_endpoints_refuse_without_the_key(client, storage, method, path):
    doc = new_poi_doc()
    post(client, doc, [make_jpeg(64, 48)])
    url = path.format(id=doc["uuid"])
    body = {"reason": "x"} if "reject" in path or "changes" in path else None
    for headers in ({}, {"X-API-Key": "wrong-key-0123456789"}, {"X-API-Key": KEY[:-1]}, A):
        r = getattr(client, method)(url, headers=headers, **({"json": body} if method == "post" else {}))
        assert r.status_code == 401, (headers, r.text)
    assert storage.get(doc["uuid"]).status == "pending"


def test_moderation_flow_with_audit(client, storage):
    doc = new_poi_doc(name="Cathédrale St-Front", lat=45.18365, lon=0.72279)
    post(client, doc)
    queue = client.get("/v1/moderation/queue", headers=MOD).json()
    assert queue["total"] == 1 and queue["items"][0]["duplicate_hints"] == 1
    detail = client.get(f"/v1/moderation/submissions/{doc['uuid']}", headers=MOD).json()
    assert detail["duplicate_hints"][0]["poi_id"] == "merimee:PA00082725"
    # send back, contributor sees the reason, revises with the same uuid
    r = client.post(f"/v1/moderation/submissions/{doc['uuid']}/request-changes", headers=MOD,
                    json={"reason": "Est-ce la cathédrale ? Précisez."})
    assert r.json()["status"] == "changes_requested"
    seen = client.get(f"/v1/submissions/{doc['uuid']}", headers=A).json()
    assert seen["status"] == "changes_requested" and seen["message"] == "Est-ce la cathédrale ? Précisez."
    revised = {**doc, "proposal": {**doc["proposal"], "name": {"fr": "Lavoir de la cathédrale"}}}
    r = post(client, revised)
    assert r.status_code == 200 and r.json()["outcome"] == "revised" and r.json()["status"] == "pending"
    # approve with an edit; illegal moves refused afterwards
    r = client.post(f"/v1/moderation/submissions/{doc['uuid']}/approve", headers=MOD,
                    json={"edits": {"category": "fountain", "name": {"en": "Cathedral wash-house"}}})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(f"/v1/moderation/submissions/{doc['uuid']}/reject", headers=MOD, json={"reason": "oops"})
    assert r.status_code == 409 and "approved" in r.json()["error"]["en"]
    stored = storage.get(doc["uuid"])
    assert stored.submission.proposal.name == {"fr": "Lavoir de la cathédrale", "en": "Cathedral wash-house"}
    audit = client.get("/v1/moderation/audit", headers=MOD, params={"submission_id": doc["uuid"]}).json()["entries"]
    assert [(a["action"], a["actor"]) for a in audit] == [
        ("submit", audit[0]["actor"]), ("request_changes", "moderator:alice"), ("resubmit", audit[0]["actor"]),
        ("approve", "moderator:alice")]
    assert audit[0]["actor"].startswith("device:") and TOKEN_A not in json.dumps(audit)
    assert audit[3]["detail"]["edits"]["category"] == "fountain"
    assert all(a["at"] for a in audit)


def test_moderation_input_is_checked(client):
    doc = new_poi_doc()
    post(client, doc)
    url = f"/v1/moderation/submissions/{doc['uuid']}"
    assert client.post(url + "/reject", headers=MOD, json={}).status_code == 422
    assert client.post(url + "/reject", headers=MOD, json={"reason": ""}).status_code == 422
    r = client.post(url + "/approve", headers=MOD, json={"edits": {"location": {"lat": 48.85, "lon": 2.35}}})
    assert r.status_code == 422 and r.json()["error"]["fields"]["proposal.location"]["code"] == "outside_town"
    assert client.post(url + "/approve", headers=MOD, json={"edits": {"colour": "red"}}).status_code == 422
    assert client.post(f"/v1/moderation/submissions/{uuid.uuid4()}/approve", headers=MOD).status_code == 404
    assert client.get("/v1/moderation/queue", headers=MOD, params={"limit": 0}).status_code == 422
    assert client.get("/v1/moderation/queue", headers=MOD, params={"status": "bogus"}).status_code == 422
    assert client.post(url + "/reject", headers=MOD, json={"reason": "Doublon de la fiche existante."}).status_code == 200


def test_validation_errors_are_per_field_and_bilingual(client):
    doc = new_poi_doc(name="<b>x</b>", lat=43.7, lon=7.4)
    doc["consent"] = False
    r = post(client, doc)
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    assert {"consent", "proposal.name.fr", "proposal.location"} <= set(fields)
    assert fields["consent"]["fr"] and fields["consent"]["en"] and fields["consent"]["code"] == "consent_required"


def test_photos_are_checked_on_the_server(client):
    doc = new_poi_doc()
    doc["photos"] = [{"sha256": "0" * 64, "size": 10}]
    r = post(client, doc, [make_jpeg(64, 48)])
    assert r.status_code == 422 and r.json()["error"]["fields"]["photos"]["code"] == "photo_mismatch"
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, "PNG")
    r = post(client, new_poi_doc(), [bomb.getvalue()])
    assert r.status_code == 422 and r.json()["error"]["fields"]["photos.0"]["code"] == "photo_too_many_pixels"
    r = post(client, new_poi_doc(), [b"not an image at all"])
    assert r.json()["error"]["fields"]["photos.0"]["code"] == "photo_format"
    r = post(client, new_poi_doc(), [make_jpeg(32, 32)] * 6)
    assert r.status_code in (400, 422)


def test_request_size_limits(storage, pack):
    app = create_app(storage, pack, InboxSettings(max_request_bytes=200_000, max_json_bytes=4_000))
    with TestClient(app, raise_server_exceptions=False) as c:
        big = {**new_poi_doc(), "proposal": {**new_poi_doc()["proposal"], "description": {"fr": "x" * 5_000}}}
        assert c.post("/v1/submissions", headers=A, json=big).status_code == 413
        r = post(c, new_poi_doc(), [b"\xff\xd8\xff" + b"\x00" * 300_000])
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"

        def chunks():  # no Content-Length: counted while streaming
            for _ in range(50):
                yield b"x" * 10_000

        r = c.post("/v1/submissions", headers={**A, "Content-Type": "application/json"}, content=chunks())
        assert r.status_code == 413
        assert c.post("/v1/moderation/submissions/x/reject", headers=MOD, content=b"x" * 5_000).status_code == 413


def test_rate_limit_per_device_token(storage, pack):
    app = create_app(storage, pack, InboxSettings(submission_burst=3, submissions_per_hour=1))
    with TestClient(app, raise_server_exceptions=False) as c:
        codes = [post(c, new_poi_doc()).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        r = post(c, new_poi_doc())
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert r.json()["error"]["code"] == "rate_limited" and r.json()["error"]["fr"]
        assert post(c, new_poi_doc(), headers=B).status_code == 201  # another device is not affected


def test_unsupported_media_type_and_bad_json(client):
    assert client.post("/v1/submissions", headers={**A, "Content-Type": "text/plain"}, content=b"hi").status_code == 415
    assert client.post("/v1/submissions", headers={**A, "Content-Type": "application/json"},
                       content=b"{not json").status_code == 400
    assert client.post("/v1/submissions", headers={**A, "Content-Type": "application/json"},
                       content=b"[" * 100_000).status_code in (400, 413)
    assert client.post("/v1/submissions", headers=A, files=[("other", (None, b"x"))]).status_code == 422
    r = client.post("/v1/submissions", headers={**A, "Content-Type": "application/json"}, content=b'{"a": NaN}')
    assert r.status_code == 400


def test_openapi_is_served(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/submissions", "/v1/submissions/{submission_id}", "/v1/moderation/queue",
                 "/v1/moderation/submissions/{submission_id}/approve",
                 "/v1/moderation/submissions/{submission_id}/request-changes"):
        assert path in spec["paths"], path
    assert "Submission" in spec["components"]["schemas"]
    body = spec["paths"]["/v1/submissions"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
    assert client.get("/v1/health").json()["town_id"] == "perigueux"


def test_entries_waiting_in_the_inbox_are_hinted_too(client):
    first = new_poi_doc(name="Lavoir de la rue Neuve", lat=45.18500, lon=0.72000)
    assert post(client, first).json()["duplicate_hints"] == []
    second = new_poi_doc(name="Le lavoir rue Neuve", lat=45.18520, lon=0.72010, contributor="Paul")
    hints = post(client, second).json()["duplicate_hints"]
    assert [h["poi_id"] for h in hints] == [f"hk:{first['uuid']}"] and hints[0]["distance_m"] < 30
    detail = client.get(f"/v1/moderation/submissions/{second['uuid']}", headers=MOD).json()
    assert detail["duplicate_hints"] == hints  # stored for the moderator


def test_minting_device_tokens_does_not_escape_the_limit(storage, pack):
    app = create_app(storage, pack, InboxSettings(address_burst=3, address_submissions_per_hour=1))
    with TestClient(app, raise_server_exceptions=False) as c:
        codes = [post(c, new_poi_doc(), headers={"Authorization": f"Bearer fresh-token-{i:012d}"}).status_code
                 for i in range(4)]
        assert codes == [201, 201, 201, 429]


def test_wrong_moderator_keys_are_throttled_per_address(client):
    """Red team: 300 wrong keys gave 300 × 401 and no 429. Now a budget of failures per address."""
    codes = [client.get("/v1/moderation/queue", headers={"X-API-Key": f"guess-{i:04d}-0123456789"}).status_code
             for i in range(300)]
    assert codes[:10] == [401] * 10
    assert set(codes[10:]) == {429}, "every attempt past the budget is refused without comparing the key"
    r = client.get("/v1/moderation/queue", headers={"X-API-Key": "guess-more-0123456789"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # the right key waits too while the address is over its budget (no oracle for a guesser)
    assert client.get("/v1/moderation/queue", headers=MOD).status_code == 429


def test_a_right_key_is_not_spending_the_failure_budget(client):
    for _ in range(50):
        assert client.get("/v1/moderation/queue", headers=MOD).status_code == 200
