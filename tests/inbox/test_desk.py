"""The desk's pages through the real app (FastAPI test client, SQLite): sign-in, scoping, forms, CSRF, publish."""

from __future__ import annotations

import io
import pathlib
import re
import uuid as _uuid
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")
warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from heritage_kit.inbox import InboxSettings, accounts, create_app  # noqa: E402
from heritage_kit.inbox.storage import open_storage  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "a long password"
AUTH = {"Authorization": "Bearer device-token-for-desk-0001"}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def new_doc(name, lat, lon, **extra):
    return {"uuid": str(_uuid.uuid4()), "kind": "new_poi", "contributor": "Marie P.", "consent": True,
            "created": "2026-11-20T10:00:00+00:00",
            "proposal": {"name": {"fr": name}, "description": {"fr": "Ancien lavoir couvert."},
                         "category": "fountain", "location": {"lat": lat, "lon": lon}}, **extra}


@pytest.fixture(scope="module")
def packs():
    return [load_pack(ROOT / "content" / "perigueux"), load_pack(ROOT / "content" / "monaco")]


@pytest.fixture
def desk(tmp_path, packs):
    storage = open_storage(str(tmp_path / "inbox.db"))
    for name, role, towns in (("ana", "moderator", ("perigueux",)), ("max", "admin", ("monaco",))):
        storage.add_account(name, password_hash=accounts.hash_password(PASSWORD), role=role, towns=towns)
    app = create_app(storage, packs, InboxSettings(), publish_dir=str(tmp_path / "published"))
    client = TestClient(app, base_url="https://testserver")
    ids = {}
    r = client.post("/v1/submissions", json=new_doc("Lavoir de la rue Neuve", 45.1850, 0.7200), headers=AUTH)
    ids["perigueux"] = r.json()["uuid"]
    import json as _json

    doc = new_doc("Fontaine du Rocher", 43.7312, 7.4208)
    r = client.post("/v1/submissions", headers=AUTH, data={"submission": _json.dumps(doc)},
                    files=[("photos", ("p.jpg", jpeg(), "image/jpeg"))])
    assert r.status_code == 201, r.text
    ids["monaco"] = r.json()["uuid"]
    yield client, storage, ids
    storage.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client, name, password=PASSWORD):
    page = client.get("/desk/sign-in")
    return client.post("/desk/sign-in", data={"username": name, "password": password, "csrf": csrf_of(page.text)},
                       follow_redirects=False)


def test_sign_in_wrong_password_and_missing_csrf(desk):
    client, storage, ids = desk
    assert client.get("/desk/queue", follow_redirects=False).headers["location"] == "/desk/sign-in"
    page = client.get("/desk/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'name="username"' in page.text and 'type="password"' in page.text and "Sign in" in page.text
    assert "Connexion" in client.get("/desk/sign-in?lang=fr").text
    r = sign_in(client, "ana", "wrong password!")
    assert r.status_code == 401 and "incorrect" in r.text
    r = client.post("/desk/sign-in", data={"username": "ana", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "hk_desk=" not in r.headers.get("set-cookie", "")
    r = sign_in(client, "ana")
    assert r.status_code == 303 and r.headers["location"] == "/desk/queue"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    actions = [a.action for a in storage.audit()]
    assert "sign_in_failed" in actions and "sign_in" in actions


def test_queue_and_pages_are_scoped_to_the_accounts_towns(desk):
    client, storage, ids = desk
    sign_in(client, "ana")
    q = client.get("/desk/queue")
    assert "Lavoir de la rue Neuve" in q.text and "Fontaine du Rocher" not in q.text
    assert client.get("/desk/queue?town=monaco").status_code == 403
    assert client.get(f"/desk/submissions/{ids['monaco']}").status_code == 404
    assert client.get(f"/desk/submissions/{ids['monaco']}/photos/0").status_code == 404
    page = client.get(f"/desk/submissions/{ids['perigueux']}")
    assert page.status_code == 200 and "<svg" in page.text
    r = client.post(f"/desk/submissions/{ids['monaco']}/reject",
                    data={"csrf": csrf_of(page.text), "reason_choice": "duplicate", "action": "reject"})
    assert r.status_code == 404 and storage.get(ids["monaco"]).status == "pending"
    assert "Fontaine" not in client.get("/desk/audit").text


def test_accept_with_edit_reject_with_reason_and_csrf(desk):
    client, storage, ids = desk
    sign_in(client, "max")
    uuid = ids["monaco"]
    page = client.get(f"/desk/submissions/{uuid}")
    assert f"/desk/submissions/{uuid}/photos/0" in page.text
    assert client.get(f"/desk/submissions/{uuid}/photos/0").headers["content-type"] == "image/jpeg"
    form = {"name_fr": "Fontaine du Rocher (XIXe)", "name_en": "Rock fountain", "description_fr": "Ancien lavoir couvert.",
            "description_en": "", "lat": "43.7313", "lon": "7.4208"}
    r = client.post(f"/desk/submissions/{uuid}/accept", data=form, follow_redirects=False)
    assert r.status_code == 403 and storage.get(uuid).status == "pending"  # no CSRF field
    r = client.post(f"/desk/submissions/{uuid}/accept", data={**form, "csrf": "forged" * 5}, follow_redirects=False)
    assert r.status_code == 403 and storage.get(uuid).status == "pending"
    bad = client.post(f"/desk/submissions/{uuid}/accept", data={**form, "lat": "north", "csrf": csrf_of(page.text)})
    assert bad.status_code == 422 and storage.get(uuid).status == "pending"
    r = client.post(f"/desk/submissions/{uuid}/accept", data={**form, "csrf": csrf_of(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303
    st = storage.get(uuid)
    assert st.status == "approved" and st.submission.proposal.name == {"fr": "Fontaine du Rocher (XIXe)",
                                                                       "en": "Rock fountain"}
    assert st.submission.proposal.location.lat == pytest.approx(43.7313)
    assert storage.audit(uuid)[-1].actor == "desk:max"
    # a second Monaco entry, rejected with a typed reason; the device reads it back
    r = client.post("/v1/submissions", json=new_doc("Statue", 43.7320, 7.4210), headers=AUTH)
    other = r.json()["uuid"]
    page = client.get(f"/desk/submissions/{other}")
    missing = client.post(f"/desk/submissions/{other}/reject", data={"csrf": csrf_of(page.text), "action": "reject"})
    assert missing.status_code == 422 and storage.get(other).status == "pending"
    client.post(f"/desk/submissions/{other}/reject", data={"csrf": csrf_of(page.text), "action": "reject",
                                                           "reason_text": "Déjà présent : Statue de Rainier III"})
    assert client.get(f"/v1/submissions/{other}", headers=AUTH).json()["message"] == "Déjà présent : Statue de Rainier III"
    # publish: the admin writes monaco's next version with the accepted entry and its photo
    pub = client.get("/desk/publish")
    assert "Fontaine du Rocher (XIXe)" in pub.text
    version = load_pack(ROOT / "content" / "monaco").manifest.version + 1
    r = client.post("/desk/publish", data={"csrf": csrf_of(pub.text), "town": "monaco"})
    assert r.status_code == 200 and f"monaco-v{version}.zip" in r.text
    zipped = client.get(f"/desk/published/monaco-v{version}.zip")
    assert zipped.status_code == 200 and zipped.content[:2] == b"PK"
    assert storage.get(uuid).published_version == version


def test_moderators_cannot_publish_and_sign_out_ends_the_session(desk):
    client, storage, ids = desk
    sign_in(client, "ana")
    pub = client.get("/desk/publish")
    assert pub.status_code == 200
    assert client.post("/desk/publish", data={"csrf": csrf_of(pub.text), "town": "perigueux"}).status_code == 403
    r = client.post("/desk/sign-out", data={"csrf": csrf_of(pub.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/desk/queue", follow_redirects=False).status_code == 303


def test_publish_while_the_town_is_being_published_is_409_and_changes_nothing(desk):
    """Another publish holds Monaco's lock (another worker, the terminal): the admin's Publish is answered 409 with
    who and since when, in the page's language (JSON for a script); nothing is written or marked published."""
    from heritage_kit.inbox.publish_lock import hold, shown_time

    client, storage, ids = desk
    sign_in(client, "max")
    storage.moderate(ids["monaco"], "approve", actor="desk:max")
    pub = client.get("/desk/publish")
    with hold(storage, "monaco", actor="cli:root", town_name="Monaco") as other:
        at = shown_time(other.started)
        r = client.post("/desk/publish?lang=en", data={"csrf": csrf_of(pub.text), "town": "monaco"})
        assert r.status_code == 409
        assert (f"A publish of Monaco is under way, started by cli:root at {at}; try again in a moment."
                in r.text.replace("&#39;", "'"))
        assert 'role="alert"' in r.text and 'name="town" value="monaco"' in r.text  # the button stays
        fr = client.post("/desk/publish?lang=fr", data={"csrf": csrf_of(pub.text), "town": "monaco"})
        assert fr.status_code == 409 and "Une publication de Monaco est en cours, lancée par cli:root" in fr.text
        js = client.post("/desk/publish", data={"csrf": csrf_of(pub.text), "town": "monaco"},
                         headers={"Accept": "application/json"})
        assert js.status_code == 409 and js.json()["error"]["code"] == "publish_locked"
        assert (js.json()["error"]["actor"], js.json()["error"]["started"]) == ("cli:root", other.started)
        assert "under way" in js.json()["error"]["en"] and "en cours" in js.json()["error"]["fr"]
    assert storage.get(ids["monaco"]).published_version is None
    version = load_pack(ROOT / "content" / "monaco").manifest.version + 1
    assert not (pathlib.Path(client.app.state.inbox.publish_dir) / f"monaco-v{version}.zip").exists()
    r = client.post("/desk/publish", data={"csrf": csrf_of(pub.text), "town": "monaco"})  # free again: published
    assert r.status_code == 200 and storage.get(ids["monaco"]).published_version == version


def test_the_language_link_on_a_forms_answer_leads_to_a_page_not_the_forms_action(desk):
    # a page answering a POST (a form with an error, a refusal) offers the other language: following that link
    # must show the page the form was on, not GET the form's action (405)
    client, storage, ids = desk
    sign_in(client, "max")
    uuid = ids["monaco"]
    page = client.get(f"/desk/submissions/{uuid}")
    bad = client.post(f"/desk/submissions/{uuid}/accept", data={"lat": "north", "lon": "7.42", "name_fr": "X",
                                                                 "csrf": csrf_of(page.text)})
    assert bad.status_code == 422
    link = re.search(r'<a href="([^"]+)" lang="(fr|en)" aria-label', bad.text)
    assert link and link.group(1).startswith(f"/desk/submissions/{uuid}?lang="), link and link.group(1)
    follow = client.get(link.group(1).replace("&amp;", "&"))
    assert follow.status_code == 200 and 'lang="' + link.group(2) + '"' in follow.text
    # a GET page keeps its own query
    q = client.get("/desk/queue?town=monaco")
    assert re.search(r'<a href="/desk/queue\?town=monaco&amp;lang=(fr|en)"', q.text)
