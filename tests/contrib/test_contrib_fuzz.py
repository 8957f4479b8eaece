"""Property-based tests against the inbox app: no input gives a 500 or an unhandled exception."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from contrib_support import make_jpeg, new_poi_doc  # noqa: E402
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app  # noqa: E402

KEY = "moderator-key-0123456789"
TOKEN = "device-token-fuzzfuzzfuzz"
SETTINGS = dict(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client(pack):
    storage = SqliteStorage(":memory:")
    app = create_app(storage, pack, InboxSettings(moderator_keys={KEY: "fuzz"}, submission_burst=10**6,
                                                  key_failure_burst=10**6, all_key_failure_burst=10**6,
                                                  read_burst=10**6, address_burst=10**6))
    # raise_server_exceptions=True: any unhandled exception fails the test loudly
    with TestClient(app, raise_server_exceptions=True) as c:
        c.seeded = new_poi_doc()
        c.post("/v1/submissions", headers={"Authorization": f"Bearer {TOKEN}"}, json=c.seeded)
        yield c
    storage.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=15), c, max_size=6),
    max_leaves=25,
)


def mutate_doc():
    base = new_poi_doc()
    keys = st.sampled_from(sorted(base) + ["proposal.name", "proposal.location", "proposal.sources", "extra"])
    return st.dictionaries(keys, json_values, max_size=4).map(lambda changes: _apply(base, changes))


def _apply(base: dict, changes: dict) -> dict:
    doc = json.loads(json.dumps(base))
    doc["uuid"] = str(uuid.uuid4())
    for k, v in changes.items():
        if k.startswith("proposal."):
            if isinstance(doc.get("proposal"), dict):
                doc["proposal"][k.split(".", 1)[1]] = v
        else:
            doc[k] = v
    return doc


@settings(**SETTINGS)
@given(doc=st.one_of(mutate_doc(), json_values))
def test_any_json_submission_never_gives_a_500(client, doc):
    r = client.post("/v1/submissions", headers={"Authorization": f"Bearer {TOKEN}"}, json=doc)
    assert r.status_code in (200, 201, 400, 409, 413, 415, 422), r.text
    assert "error" in r.json() or r.status_code in (200, 201)


@settings(**SETTINGS)
@given(
    submission=st.one_of(st.binary(max_size=300), mutate_doc().map(lambda d: json.dumps(d).encode())),
    photos=st.lists(st.one_of(st.binary(max_size=200), st.just(make_jpeg(40, 30)),
                              st.binary(max_size=64).map(lambda b: b"\xff\xd8\xff" + b),
                              st.binary(max_size=64).map(lambda b: b"\x89PNG\r\n\x1a\n" + b)), max_size=3),
    filename=st.one_of(st.none(), st.text(max_size=20)),
)
def test_any_multipart_submission_never_gives_a_500(client, submission, photos, filename):
    files = [("submission", (filename, submission, "application/json"))]
    files += [("photos", (f"x{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photos)]
    r = client.post("/v1/submissions", headers={"Authorization": f"Bearer {TOKEN}"}, files=files)
    assert r.status_code in (200, 201, 400, 409, 413, 415, 422), r.text


@settings(**SETTINGS)
@given(body=st.binary(max_size=400), ctype=st.sampled_from(["application/json", "multipart/form-data",
                                                             "multipart/form-data; boundary=xyz", "text/plain",
                                                             "application/x-www-form-urlencoded", ""]))
def test_raw_bodies_never_give_a_500(client, body, ctype):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": ctype}
    r = client.post("/v1/submissions", headers=headers, content=body)
    assert r.status_code < 500, r.text


path_segment = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"),
                       min_size=1, max_size=40)


@settings(**SETTINGS)
@given(seg=st.one_of(path_segment, st.uuids().map(str)), token=st.one_of(st.just(TOKEN), st.text(max_size=40)),
       key=st.one_of(st.none(), st.just(KEY), st.text(max_size=30)),
       action=st.sampled_from(["approve", "reject", "request-changes"]), body=json_values)
def test_any_path_token_key_or_moderation_body_never_gives_a_500(client, seg, token, key, action, body):
    seg = quote(seg, safe="")
    if seg in (".", ".."):
        seg = "%2E" * len(seg)
    auth = {"Authorization": f"Bearer {token}"} if token.isascii() and token.isprintable() else {}
    assert client.get(f"/v1/submissions/{seg}", headers=auth).status_code in (401, 404)
    mod = {"X-API-Key": key} if key is not None and key.isascii() and key.isprintable() else {}
    r = client.post(f"/v1/moderation/submissions/{seg}/{action}", headers=mod, json=body)
    assert r.status_code in (200, 401, 404, 409, 422), r.text
    r = client.get(f"/v1/moderation/submissions/{seg}", headers=mod)
    assert r.status_code in (200, 401, 404)
    # moderation of the seeded submission with a random body: never a 500
    r = client.post(f"/v1/moderation/submissions/{client.seeded['uuid']}/{action}", headers=mod, json=body)
    assert r.status_code in (200, 401, 409, 422), r.text


@settings(**SETTINGS)
@given(params=st.dictionaries(st.sampled_from(["status", "limit", "offset", "submission_id"]),
                              st.text(max_size=25), max_size=4))
def test_any_query_never_gives_a_500(client, params):
    for path in ("/v1/moderation/queue", "/v1/moderation/audit"):
        r = client.get(path, headers={"X-API-Key": KEY}, params=params)
        assert r.status_code in (200, 404, 422), r.text
