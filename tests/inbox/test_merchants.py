"""Merchants (issue 20) through the real inbox app, on SQLite and a real PostgreSQL (the ``storage`` fixture).

A merchant claims a shop on the plain web form, the town-centre manager verifies it in the desk, the verified
merchant edits the hours (the hours editor's form as JSON, read back in French and English), the description,
a photo, website, phone and step-free entrance over the JSON API, and the desk's "Publish" writes a pack where
the shop carries the edit and the merchant source. Town scoping, refusals and field errors alongside.
"""

from __future__ import annotations

import base64
import io
import pathlib
import re
import warnings
from datetime import datetime

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from heritage_kit.hours import OpeningHours  # noqa: E402
from heritage_kit.inbox import InboxSettings, accounts, create_app  # noqa: E402
from heritage_kit.inbox.merchants import (  # noqa: E402
    MERCHANT_SOURCE_NAME, hours_changes, is_merchant_edited,
)
from heritage_kit.inbox.merchants_store import MerchantStore  # noqa: E402
from heritage_kit.packs import load_pack, validate_pack  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PASSWORD = "centre-ville 2026"
SHOP = "osm:node/267885935"  # Marché U, Monaco: "Mo-Sa 08:30-19:30; Su off"
LUNCH = [["09:00", "12:00"], ["14:00", "19:00"]]
HOURS = {"days": {d: LUNCH for d in ("Mo", "Tu", "We", "Th", "Fr")} | {"Sa": [["08:00", "12:30"]]},
         "closures": [["2026-08-14", "2026-08-16"]], "holidays": "closed"}


@pytest.fixture(scope="module")
def packs():
    return [load_pack(ROOT / "content" / "perigueux"), load_pack(ROOT / "content" / "monaco")]


@pytest.fixture
def inbox(storage, packs, tmp_path):
    for name, role, towns in (("camille", "town-centre manager", ("monaco",)),
                              ("paul", "town-centre manager", ("perigueux",)),
                              ("mod", "moderator", ("monaco",)), ("root", "admin", ("monaco",))):
        storage.add_account(name, password_hash=accounts.hash_password(PASSWORD), role=role, towns=towns)
    app = create_app(storage, packs, InboxSettings(), publish_dir=str(tmp_path / "published"))
    return TestClient(app, base_url="https://testserver"), storage, tmp_path / "published"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(client, name: str):
    client.cookies.clear()
    page = client.get("/desk/sign-in")
    return client.post("/desk/sign-in", data={"username": name, "password": PASSWORD, "csrf": csrf_of(page.text)},
                       follow_redirects=False)


def session(storage, name: str) -> tuple[dict, dict]:
    s = accounts.new_session(storage, name)
    return {"hk_desk": s.token}, {"X-CSRF-Token": s.session.csrf}


def jpeg_with_exif() -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    Image.new("RGB", (64, 48), "orange").save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_claim_verify_hours_edit_publish_round_trip(inbox):
    client, storage, published = inbox
    # 1. the merchant claims the shop on the plain web form (CSRF field checked against its cookie)
    form = client.get("/merchants/claim?lang=en")
    assert form.status_code == 200 and "Marché U" in form.text and 'name="email"' in form.text
    assert client.post("/merchants/claim", data={"poi_id": SHOP, "email": "u@example.fr"}).status_code == 403
    sent = client.post("/merchants/claim", data={"poi_id": SHOP, "email": "u@example.fr", "csrf": csrf_of(form.text)})
    assert sent.status_code == 201 and "Claim received" in sent.text
    claim_id = MerchantStore(storage).claims(["monaco"], "pending")[0].id

    # 2. the town-centre manager signs in, lands on the merchants' queue, verifies in the desk
    r = sign_in(client, "camille")
    assert r.status_code == 303 and r.headers["location"] == "/desk/merchants"
    queue = client.get("/desk/merchants")
    assert queue.status_code == 200 and f"/desk/merchants/{claim_id}" in queue.text and "u@example.fr" in queue.text
    assert client.get("/desk/queue", follow_redirects=False).headers["location"] == "/desk/sign-in"  # not a moderator
    page = client.get(f"/desk/merchants/{claim_id}")
    assert client.post(f"/desk/merchants/{claim_id}/verify", data={"csrf": "forged" * 5}).status_code == 403
    done = client.post(f"/desk/merchants/{claim_id}/verify", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 200
    token = re.search(r'<code id="merchant-token">([^<]+)</code>', done.text).group(1)
    assert "merchant-token" not in client.get(f"/desk/merchants/{claim_id}").text  # shown once
    assert client.post(f"/desk/merchants/{claim_id}/verify", data={"csrf": csrf_of(page.text)}).status_code == 422
    stored = MerchantStore(storage).claim(claim_id)
    assert stored.status == "verified" and stored.token_hash == accounts.token_hash(token) and token not in str(stored)

    # 3. the verified merchant edits, twice, without a new verification
    client.cookies.clear()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/merchants/me", headers=auth).json()["poi_id"] == SHOP
    r = client.post("/v1/merchants/edits", headers=auth, json={
        "hours": HOURS, "description": {"fr": "Supermarché de quartier.", "en": "A local supermarket."},
        "website": "https://marche-u.example.mc", "phone": "+377 93 00 00 00", "step_free": True,
        "photo_base64": base64.b64encode(jpeg_with_exif()).decode()})
    assert r.status_code == 201, r.text
    value = r.json()["edit"]["opening_hours"]
    assert value == "Mo-Fr 09:00-12:00,14:00-19:00; Sa 08:00-12:30; PH off; 2026 Aug 14-16 off"
    OpeningHours(value, country="MC", lenient=False)
    reading = r.json()["reading"]
    assert reading["en"][0] == "Monday to Friday: 09:00–12:00, 14:00–19:00"
    assert reading["fr"][-1] == "Fermeture exceptionnelle du 14 au 16 août 2026"
    r2 = client.post("/v1/merchants/edits", headers=auth, json={"opening_hours": "Mo-Sa 08:00-19:30; PH off"})
    assert r2.status_code == 201 and r2.json()["edit"] == {"opening_hours": "Mo-Sa 08:00-19:30; PH off"}

    # 4. an admin of the town publishes: the shop carries the edits, marked as the merchant's
    sign_in(client, "root")
    pub = client.get("/desk/publish?town=monaco&lang=en")
    assert "Shops updated by their merchant (1)" in pub.text and "Marché U" in pub.text
    r = client.post("/desk/publish", data={"csrf": csrf_of(pub.text), "town": "monaco"})
    assert r.status_code == 200, r.text
    assert "Shops updated by their merchant" not in client.get("/desk/publish?town=monaco&lang=en").text
    (out,) = sorted(published.iterdir())
    assert validate_pack(out).ok
    pack = load_pack(out)
    shop = pack.poi(SHOP)
    assert shop.opening_hours == "Mo-Sa 08:00-19:30; PH off" and shop.wheelchair == "yes"
    assert str(shop.website).startswith("https://marche-u") and shop.phone == "+377 93 00 00 00"
    assert shop.description.get("en") == "A local supermarket." and shop.text_origin == "human"
    assert is_merchant_edited(shop) and not is_merchant_edited(pack.poi("osm:node/267901435"))
    assert [s.licence for s in shop.sources if s.name == MERCHANT_SOURCE_NAME] == ["CC BY-SA 4.0"]
    (photo,) = [m for m in shop.media if m.path.startswith("media/merchant/")]
    jpeg = pack.media[photo.path]
    assert b"PhoneMaker" not in jpeg and b"Exif" not in jpeg and Image.open(io.BytesIO(jpeg)).size == (64, 48)
    edits = MerchantStore(storage).edits("monaco")
    assert {e.published_version for e in edits} == {pack.manifest.version}
    # a pack rebuilt from its sources gets the merchants' edits again (inbox publish --all)
    from heritage_kit.inbox.publish import publish

    rebuilt = publish(storage, load_pack(ROOT / "content" / "monaco"), published.parent / "rebuilt.zip",
                      include_published=True, towns=["monaco"])
    assert rebuilt.merchant_pois == [SHOP] and rebuilt.pack.poi(SHOP).opening_hours == "Mo-Sa 08:00-19:30; PH off"
    # the first edit's closures changed "open on arrival"
    first = OpeningHours(edits[0].edit["opening_hours"], country="MC")
    assert not first.is_open(datetime(2026, 8, 14, 10, 0)) and first.is_open(datetime(2026, 8, 17, 10, 0))
    # 5. for osm-changes: the latest accepted hours per shop, with its merchant source
    (change,) = hours_changes(edits)
    assert (change.poi_id, change.new_value, change.source.name) == (SHOP, "Mo-Sa 08:00-19:30; PH off",
                                                                     MERCHANT_SOURCE_NAME)
    assert [c.new_value for c in hours_changes(edits, latest_only=False)] == [value, change.new_value]
    actions = {a.action for a in storage.audit(None, limit=1000)}
    assert {"merchant_claim", "merchant_verified", "merchant_edit"} <= actions


def test_a_towns_manager_never_decides_another_towns_claim(inbox):
    client, storage, _ = inbox
    r = client.post("/v1/merchants/claims", json={"email": "epicerie@example.fr",
                                                  "shop": {"name": "Épicerie fine", "lat": 45.1840, "lon": 0.7210}})
    assert r.status_code == 201 and r.json()["town"] == "perigueux" and "email" not in r.json()
    other = r.json()["id"]
    mine = client.post("/v1/merchants/claims", json={"email": "u@example.fr", "poi_id": SHOP}).json()["id"]
    cookies, csrf = session(storage, "camille")  # Monaco's manager
    client.cookies.update(cookies)
    items = client.get("/v1/merchants/claims").json()["items"]
    assert [c["id"] for c in items] == [mine]
    assert client.post(f"/v1/merchants/claims/{other}/verify", headers=csrf).status_code == 404
    assert client.get(f"/desk/merchants/{other}").status_code == 404
    page = client.get(f"/desk/merchants/{mine}")
    assert client.post(f"/desk/merchants/{other}/verify", data={"csrf": csrf_of(page.text)}).status_code == 404
    assert client.post(f"/v1/merchants/claims/{mine}/verify").status_code == 403  # no CSRF header
    assert MerchantStore(storage).claim(other).status == "pending"
    # a moderator of the town is no manager
    cookies, csrf = session(storage, "mod")
    client.cookies.clear()
    client.cookies.update(cookies)
    assert client.post(f"/v1/merchants/claims/{mine}/verify", headers=csrf).status_code == 403
    # Périgueux's manager refuses it, with a reason (none: the field is named)
    cookies, csrf = session(storage, "paul")
    client.cookies.clear()
    client.cookies.update(cookies)
    bad = client.post(f"/v1/merchants/claims/{other}/refuse", headers=csrf, json={})
    assert bad.status_code == 422 and "reason" in bad.json()["error"]["fields"]
    page = client.get(f"/desk/merchants/{other}")
    assert client.post(f"/desk/merchants/{other}/refuse", data={"csrf": csrf_of(page.text)}).status_code == 422
    r = client.post(f"/desk/merchants/{other}/refuse", data={"csrf": csrf_of(page.text), "reason": "Hors centre"})
    assert r.status_code == 200 and MerchantStore(storage).claim(other).status == "refused"
    assert client.get("/desk/merchants?status=refused&lang=en").text.count("/desk/merchants/" + other) == 1


def test_unverified_merchant_and_bad_hours_are_refused(inbox):
    client, storage, _ = inbox
    claim = client.post("/v1/merchants/claims", json={"email": "u@example.fr", "poi_id": SHOP}).json()
    # before verification: no token works
    for auth in ({}, {"Authorization": "Bearer mt_" + "x" * 40}):
        r = client.post("/v1/merchants/edits", headers=auth, json={"opening_hours": "Mo-Sa 08:00-19:00"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "merchant_refused"
    cookies, csrf = session(storage, "camille")
    client.cookies.update(cookies)
    token = client.post(f"/v1/merchants/claims/{claim['id']}/verify", headers=csrf).json()["merchant_token"]
    client.cookies.clear()
    auth = {"Authorization": f"Bearer {token}"}
    cases = [
        ({"hours": {**HOURS, "days": {"Mo": [["12:00", "09:00"]]}}}, "hours.days.Mo.ranges[0].end", "Monday"),
        ({"hours": {**HOURS, "days": {"Tu": [["9h", "lunch"]]}}}, "hours.days.Tu[0]", "lunch"),
        ({"hours": {"days": {}}}, "hours.days", "open"),
        ({"opening_hours": "Mo-Sa 25:00-26:00"}, "opening_hours", "25:00"),
        ({"website": "javascript:alert(1)"}, "website", "http"),
        ({"description": {"fr": "Boulangerie \u202eélbatpecca"}}, "description.fr", "direction"),  # bidi override
        ({"description": {"en": "x" * 301}}, "description.en", "300"),
        ({"colour": "red"}, "colour", "unknown"),
        ({}, "edit", "nothing"),
    ]
    for body, field, word in cases:
        r = client.post("/v1/merchants/edits", headers=auth, json=body)
        assert r.status_code == 422, (body, r.text)
        fields = r.json()["error"]["fields"]
        assert field in fields and word.lower() in fields[field]["en"].lower(), (field, fields)
        assert fields[field]["fr"] and fields[field]["fr"] != fields[field]["en"]
    assert MerchantStore(storage).edits("monaco") == []
    bad_photo = client.post("/v1/merchants/edits", headers=auth, json={"photo_base64": base64.b64encode(b"GIF89a").decode()})
    assert bad_photo.status_code == 422 and "photo" in bad_photo.json()["error"]["fields"]


def test_claim_form_errors_name_their_field_in_both_languages(inbox):
    client, _, _ = inbox
    form = client.get("/merchants/claim?lang=fr")
    assert "Commerçants : gérer votre commerce" in form.text and '<html lang="fr">' in form.text
    r = client.post("/merchants/claim", data={"csrf": csrf_of(form.text), "poi_id": "", "name": "Chez Lou",
                                              "email": "lou@example.fr", "town": "monaco"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text and "latitude" in r.text
    assert 'value="Chez Lou"' in r.text  # the typed values are kept
    for body, field in [({"email": "x", "poi_id": SHOP}, "email"),
                        ({"email": "a@b.fr", "poi_id": "osm:node/1661259269"}, "poi_id"),  # not a shop
                        ({"email": "a@b.fr", "poi_id": "osm:node/1", "town": "monaco"}, "poi_id"),
                        ({"email": "a@b.fr", "shop": {"name": "X"}, "town": "monaco"}, "shop.location"),
                        ({"email": "a@b.fr", "shop": {"name": "Chez\u200bLou", "lat": 43.73, "lon": 7.42},
                          "town": "monaco"}, "shop.name"),  # an invisible character in a name
                        ({"email": "a@b.fr", "shop": {"name": "X", "lat": 48.85, "lon": 2.35}}, "town")]:
        bad = client.post("/v1/merchants/claims", json=body)
        assert bad.status_code == 422 and field in bad.json()["error"]["fields"], (body, bad.text)
    assert client.get("/v1/merchants/claims").status_code == 403  # no manager session


def test_the_merchants_web_form_edits_hours_with_the_hours_editor(inbox):
    client, storage, _ = inbox
    claim = client.post("/v1/merchants/claims", json={"email": "u@example.fr", "poi_id": SHOP}).json()
    cookies, csrf = session(storage, "camille")
    client.cookies.update(cookies)
    token = client.post(f"/v1/merchants/claims/{claim['id']}/verify", headers=csrf).json()["merchant_token"]
    client.cookies.clear()
    page = client.get("/merchants/edit?lang=en")
    assert 'name="token"' in page.text and "Marché U" not in page.text
    assert client.post("/merchants/sign-in", data={"csrf": csrf_of(page.text), "token": "nope"}).status_code == 403
    r = client.post("/merchants/sign-in", data={"csrf": csrf_of(page.text), "token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/merchants/edit"
    page = client.get("/merchants/edit?lang=en")
    # the grid is filled from the shop's current hours, read by the hours editor ("Mo-Sa 08:30-19:30; Su off")
    assert 'name="Mo_1_open" id="Mo_1_open" type="text" inputmode="numeric" size="5" value="08:30"' in page.text
    assert 'name="Su_1_open" id="Su_1_open" type="text" inputmode="numeric" size="5" value=""' in page.text
    grid = {f"{d}_{k}_{x}": "" for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su") for k in (1, 2)
            for x in ("open", "close")}
    week = {**grid, **{f"{d}_1_open": "9h" for d in ("Tu", "We", "Th", "Fr", "Sa")},
            **{f"{d}_1_close": "12:00" for d in ("Tu", "We", "Th", "Fr", "Sa")},
            **{f"{d}_2_open": "14:00" for d in ("Tu", "We", "Th", "Fr", "Sa")},
            **{f"{d}_2_close": "19:00" for d in ("Tu", "We", "Th", "Fr", "Sa")},
            "closure_1_start": "2026-12-24", "closure_1_end": "2026-12-26", "holidays": "closed"}
    bad = client.post("/merchants/edit?lang=en", data={**week, "Tu_2_close": "13:00", "csrf": csrf_of(page.text)})
    assert bad.status_code == 422 and "Tuesday" in bad.text
    assert re.search(r'name="Tu_2_close"[^>]*value="13:00"[^>]*aria-invalid="true"', bad.text)  # the typed value kept
    assert client.post("/merchants/edit", data={**week, "csrf": "forged" * 4}).status_code == 403
    jpeg = jpeg_with_exif()
    ok = client.post("/merchants/edit?lang=fr", data={**week, "phone": "+377 93 11 11 11", "csrf": csrf_of(page.text)},
                     files={"photo": ("shop.jpg", jpeg, "image/jpeg")})
    assert ok.status_code == 201, ok.text
    assert "Du mardi au samedi : 09:00–12:00, 14:00–19:00" in ok.text and "Fermé lundi et dimanche" in ok.text
    assert "Fermeture exceptionnelle du 24 au 26 décembre 2026" in ok.text
    (edit,) = MerchantStore(storage).edits("monaco")
    assert edit.edit["opening_hours"] == "Tu-Sa 09:00-12:00,14:00-19:00; PH off; 2026 Dec 24-26 off"
    assert edit.has_photo and edit.edit["phone"] == "+377 93 11 11 11"
    # the form sent back with the hours unchanged changes only what changed
    again = client.get("/merchants/edit")
    assert 'value="14:00"' in again.text
    resent = {k: v for k, v in week.items()} | {"website": "https://marche-u.example.mc", "Tu_1_open": "09:00"}
    assert client.post("/merchants/edit", data={**resent, "csrf": csrf_of(again.text)}).status_code == 201
    assert MerchantStore(storage).edits("monaco")[-1].edit == {"website": "https://marche-u.example.mc"}
    # the JSON API takes a multipart body for a real-size photo
    client.cookies.clear()
    big = io.BytesIO()
    Image.effect_noise((900, 700), 90).convert("RGB").save(big, "PNG")  # noise: large once encoded
    assert len(big.getvalue()) > 300 * 1024
    r = client.post("/v1/merchants/edits", headers={"Authorization": f"Bearer {token}"},
                    data={"edit": '{"step_free": false}'}, files={"photo": ("p.png", big.getvalue(), "image/png")})
    assert r.status_code == 201 and r.json()["photo"] is True and r.json()["edit"] == {"step_free": False}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_merchants_step_upgrades_a_database_with_accounts_and_sessions(engine, tmp_path, request, monkeypatch):
    from heritage_kit.inbox import migrations
    from heritage_kit.inbox.storage import open_storage

    where = str(tmp_path / "old.sqlite") if engine == "sqlite" else request.getfixturevalue("pg_database")
    full = dict(migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", {d: steps[:4] for d, steps in full.items()})  # before the step (v5)
    old = open_storage(where)
    assert old.schema_version() == 4
    old.add_account("ana", password_hash=accounts.hash_password(PASSWORD), role="moderator", towns=["monaco"])
    s = accounts.new_session(old, "ana")
    with pytest.raises(Exception, match="(?i)check"):  # the old schema's CHECK has no such role
        old.add_account("lou", password_hash="x", role="town-centre manager", towns=["monaco"])
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", full)
    new = open_storage(where)
    try:
        assert new.schema_version() == migrations.LATEST
        assert new.get_account("ana").role == "moderator" and new.get_session(s.session.token_hash) is not None
        assert new.get_account("lou") is None
        new.add_account("camille", password_hash="x", role="town-centre manager", towns=["monaco"])
        assert new.get_account("camille").role == "town-centre manager"
        new.delete_sessions_of("ana")  # the foreign key still cascades
        assert new.get_session(s.session.token_hash) is None
    finally:
        new.close()


def test_merchant_hours_changes_feed_osm_changes(inbox, packs):
    from heritage_kit.export import osmchange
    from heritage_kit.inbox.merchants import merchant_osm_changes

    client, storage, _ = inbox
    monaco = packs[1]
    claim = client.post("/v1/merchants/claims", json={"email": "u@example.fr", "poi_id": SHOP}).json()
    new = client.post("/v1/merchants/claims", json={"email": "n@example.fr", "town": "monaco",
                                                    "shop": {"name": "Chez Lou", "lat": 43.731, "lon": 7.422}}).json()
    cookies, csrf = session(storage, "camille")
    client.cookies.update(cookies)
    tokens = [client.post(f"/v1/merchants/claims/{c['id']}/verify", headers=csrf).json()["merchant_token"]
              for c in (claim, new)]
    client.cookies.clear()
    for token, value in ((tokens[0], "Mo-Sa 08:00-19:00"), (tokens[0], "Mo-Sa 08:00-20:00; PH off"),
                         (tokens[1], "Tu-Su 10:00-18:00")):
        assert client.post("/v1/merchants/edits", headers={"Authorization": f"Bearer {token}"},
                           json={"opening_hours": value}).status_code == 201
    (change,) = merchant_osm_changes(storage, monaco)  # the new shop is not in the pack before a publish
    assert isinstance(change, osmchange.HoursChange) and change.source == "merchant"
    assert (change.poi_id, change.osm_ref, change.old_value, change.new_value, change.old_known) == (
        SHOP, "node/267885935", "Mo-Sa 08:30-19:30; Su off", "Mo-Sa 08:00-20:00; PH off", True)
    assert change.when.tzinfo is not None and change.name == "Marché U"
