"""Revoking a verified merchant and re-issuing a token (issue 20) through the real inbox app, on SQLite and a real
PostgreSQL (the ``storage`` fixture): the old token is refused on every merchant route and page (FR/EN, 403, no
traceback), the merchant's unpublished edits stay, flagged, until a reviewer publishes or sets them aside, a
revoked merchant claims again, another town's manager gets 404, forms need the CSRF token, everything audited;
the v6 schema step on databases that already hold claims and edits; the ``inbox merchants`` CLI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

warnings.filterwarnings("ignore", message=".*httpx.*")
from test_merchants import PASSWORD, ROOT, SHOP, csrf_of, inbox, packs, session, sign_in  # noqa: E402,F401

from heritage_kit.inbox import accounts  # noqa: E402
from heritage_kit.inbox.merchants_store import MerchantStore  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402

FLAG_EN = "sent by a merchant whose right was since revoked"
FLAG_FR = "envoyée par un commerçant dont le droit a depuis été retiré"


def verified(client, storage, manager: str = "camille", poi_id: str = SHOP) -> tuple[str, str]:
    """A claim of ``poi_id`` verified over the API by ``manager``: ``(claim id, token)``; the client signed out."""
    claim = client.post("/v1/merchants/claims", json={"email": "u@example.fr", "poi_id": poi_id}).json()
    cookies, csrf = session(storage, manager)
    client.cookies.clear()
    client.cookies.update(cookies)
    token = client.post(f"/v1/merchants/claims/{claim['id']}/verify", headers=csrf).json()["merchant_token"]
    client.cookies.clear()
    return claim["id"], token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_revoked_token_is_refused_everywhere_and_its_edits_wait_for_a_reviewer(inbox):
    client, storage, _ = inbox
    claim_id, token = verified(client, storage)
    for hours in ("Mo-Sa 08:00-19:00", "Mo-Sa 09:00-18:00"):
        assert client.post("/v1/merchants/edits", headers=bearer(token), json={"opening_hours": hours}).status_code == 201
    page = client.get("/merchants/edit?lang=en")
    assert client.post("/merchants/sign-in", data={"csrf": csrf_of(page.text), "token": token},
                       follow_redirects=False).status_code == 303  # the web form's cookie holds the token
    web = dict(client.cookies)

    # the town-centre manager revokes in the desk: CSRF and a reason (plain text) required
    sign_in(client, "camille")
    page = client.get(f"/desk/merchants/{claim_id}?lang=en")
    assert 'action="/desk/merchants/%s/revoke"' % claim_id in page.text and "Issue a new token" in page.text
    assert client.post(f"/desk/merchants/{claim_id}/revoke", data={"reason": "Sold"}).status_code == 403
    assert client.post(f"/desk/merchants/{claim_id}/revoke", data={"csrf": "forged" * 5, "reason": "Sold"}).status_code == 403
    for reason, word in (("  ", "say why"), ("Vendu \u202eetuob", "direction"), ("x" * 501, "500")):
        bad = client.post(f"/desk/merchants/{claim_id}/revoke?lang=en", data={"csrf": csrf_of(page.text), "reason": reason})
        assert bad.status_code == 422 and word in bad.text.lower() and 'id="claim-error"' in bad.text, reason
    assert MerchantStore(storage).claim(claim_id).status == "verified"
    r = client.post(f"/desk/merchants/{claim_id}/revoke?lang=en",
                    data={"csrf": csrf_of(page.text), "reason": "The shop changed hands"})
    assert r.status_code == 200 and "Right revoked on" in r.text and "The shop changed hands" in r.text
    assert 'action="/desk/merchants/%s/re' % claim_id not in r.text  # revoked: no revoke or re-issue form any more
    claim = MerchantStore(storage).claim(claim_id)
    assert claim.status == "revoked" and claim.revoked_by == "desk:camille"

    # the old token: refused, as revoked, on the JSON API and on the web pages, in French and English
    client.cookies.clear()
    for method, path, body in (("get", "/v1/merchants/me", None), ("post", "/v1/merchants/edits", {"phone": "+377 93 00 00 00"})):
        r = client.request(method.upper(), path, headers=bearer(token), json=body)
        err = r.json()["error"]
        assert r.status_code == 403 and err["code"] == "merchant_revoked", (path, r.text)
        assert "revoked" in err["en"] and "retiré" in err["fr"]
    client.cookies.update(web)
    got = client.get("/merchants/edit?lang=fr")
    assert got.status_code == 403 and "La ville a retiré votre droit" in got.text and "Traceback" not in got.text
    assert 'name="Mo_1_open"' not in got.text  # no edit form
    posted = client.post("/merchants/edit?lang=en", data={"csrf": csrf_of(got.text), "phone": "+377 93 00 00 00"})
    assert posted.status_code == 403 and "The town revoked your right to edit this shop on" in posted.text
    client.cookies.clear()
    page = client.get("/merchants/edit?lang=en")
    again = client.post("/merchants/sign-in?lang=en", data={"csrf": csrf_of(page.text), "token": token})
    assert again.status_code == 403 and "send a new claim" in again.text
    assert len(MerchantStore(storage).edits("monaco")) == 2  # nothing after the revocation, nothing deleted

    # the two edits sent before: kept, flagged, left out of "Publish" until a reviewer decides
    sign_in(client, "root")  # an admin of Monaco
    pub = client.get("/desk/publish?town=monaco&lang=en")
    assert "Shops updated by their merchant" not in pub.text
    listed = client.get("/desk/merchants?status=revoked&lang=en")
    assert f"/desk/merchants/{claim_id}" in listed.text and "2 edit(s) waiting for a decision" in listed.text
    page = client.get(f"/desk/merchants/{claim_id}?lang=en")
    assert page.text.count(FLAG_EN) == 2 and FLAG_FR in client.get(f"/desk/merchants/{claim_id}?lang=fr").text
    first, second = MerchantStore(storage).edits("monaco")
    assert client.post(f"/desk/merchants/edits/{first.id}/review", data={"decision": "publish"}).status_code == 403
    bad = client.post(f"/desk/merchants/edits/{first.id}/review", data={"csrf": csrf_of(page.text), "decision": "delete"})
    assert bad.status_code == 422
    r = client.post(f"/desk/merchants/edits/{first.id}/review?lang=en", data={"csrf": csrf_of(page.text), "decision": "set_aside"})
    assert r.status_code == 200 and "set aside by desk:root" in r.text
    cookies, csrf = session(storage, "camille")
    client.cookies.clear()
    client.cookies.update(cookies)
    r = client.post(f"/v1/merchants/edits/{second.id}/review", headers=csrf, json={"decision": "publish"})
    assert r.status_code == 200 and r.json()["review"] == "publish"
    assert client.post(f"/v1/merchants/edits/{second.id}/review", headers=csrf, json={"decision": "publish"}).status_code == 422
    sign_in(client, "root")
    pub = client.get("/desk/publish?town=monaco&lang=en")
    assert "Shops updated by their merchant (1)" in pub.text
    from heritage_kit.inbox.merchants import publish_merchant_edits
    from heritage_kit.inbox.publish import PublishResult

    plan = PublishResult(pack=load_pack(ROOT / "content" / "monaco"))
    assert publish_merchant_edits(storage, plan) == [second.id]  # the set-aside one never
    assert plan.pack.poi(SHOP).opening_hours == "Mo-Sa 09:00-18:00"
    assert {e.id for e in MerchantStore(storage).edits("monaco")} == {first.id, second.id}  # nothing deleted

    # the revoked merchant claims again: a new claim, verified again, with a new token
    new_id, new_token = verified(client, storage)
    assert new_id != claim_id and MerchantStore(storage).claim(new_id).status == "verified"
    assert client.get("/v1/merchants/me", headers=bearer(new_token)).json()["id"] == new_id
    assert client.get("/v1/merchants/me", headers=bearer(token)).json()["error"]["code"] == "merchant_revoked"

    audit = [a for a in storage.audit(None, limit=1000) if a.action.startswith("merchant_")]
    (revoked,) = [a for a in audit if a.action == "merchant_revoked"]
    assert (revoked.actor, revoked.from_status, revoked.to_status) == ("desk:camille", "verified", "revoked")
    assert revoked.detail["reason"] == "The shop changed hands" and revoked.detail["held_edits"] == 2
    reviews = [(a.actor, a.to_status) for a in audit if a.action == "merchant_edit_reviewed"]
    assert reviews == [("desk:root", "set_aside"), ("desk:camille", "publish")]


def test_reissue_stops_the_old_token_and_shows_the_new_one_once(inbox):
    client, storage, _ = inbox
    claim_id, token = verified(client, storage)
    cookies, csrf = session(storage, "camille")
    client.cookies.update(cookies)
    assert client.post(f"/v1/merchants/claims/{claim_id}/reissue").status_code == 403  # no X-CSRF-Token
    r = client.post(f"/v1/merchants/claims/{claim_id}/reissue", headers=csrf)
    assert r.status_code == 200 and r.json()["status"] == "verified"
    api_token = r.json()["merchant_token"]
    assert api_token.startswith("mt_") and api_token != token
    client.cookies.clear()
    old = client.get("/v1/merchants/me", headers=bearer(token))
    assert old.status_code == 403 and old.json()["error"]["code"] == "merchant_refused"  # unknown now
    assert client.get("/v1/merchants/me", headers=bearer(api_token)).json()["id"] == claim_id
    # again in the desk: the token is shown once, the previous one stops
    sign_in(client, "camille")
    page = client.get(f"/desk/merchants/{claim_id}?lang=en")
    assert client.post(f"/desk/merchants/{claim_id}/reissue", data={"csrf": "forged" * 5}).status_code == 403
    r = client.post(f"/desk/merchants/{claim_id}/reissue?lang=en", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 200 and "New token issued: the old one no longer works." in r.text
    desk_token = re.search(r'<code id="merchant-token">([^<]+)</code>', r.text).group(1)
    assert "merchant-token" not in client.get(f"/desk/merchants/{claim_id}").text
    stored = MerchantStore(storage).claim(claim_id)
    assert stored.token_hash == accounts.token_hash(desk_token) and desk_token not in str(stored)
    client.cookies.clear()
    assert client.get("/v1/merchants/me", headers=bearer(api_token)).status_code == 403
    assert client.post("/v1/merchants/edits", headers=bearer(desk_token), json={"phone": "+377 93 22 22 22"}).status_code == 201
    actors = [a.actor for a in storage.audit(None, limit=1000) if a.action == "merchant_token_reissued"]
    assert actors == ["desk:camille", "desk:camille"]
    # a pending claim has no token to re-issue, nor right to revoke
    pending = client.post("/v1/merchants/claims", json={"email": "p@example.fr", "poi_id": SHOP}).json()["id"]
    cookies, csrf = session(storage, "camille")
    client.cookies.update(cookies)
    for action, body in (("reissue", None), ("revoke", {"reason": "x"})):
        r = client.post(f"/v1/merchants/claims/{pending}/{action}", headers=csrf, json=body)
        assert r.status_code == 422 and "status" in r.json()["error"]["fields"], r.text


def test_another_towns_manager_never_revokes_nor_reissues(inbox):
    client, storage, _ = inbox
    claim_id, token = verified(client, storage)  # Monaco's, by camille
    assert client.post("/v1/merchants/edits", headers=bearer(token), json={"phone": "+377 93 00 00 00"}).status_code == 201
    (edit,) = MerchantStore(storage).edits("monaco")
    cookies, csrf = session(storage, "paul")  # Périgueux's manager
    client.cookies.update(cookies)
    assert client.post(f"/v1/merchants/claims/{claim_id}/revoke", headers=csrf, json={"reason": "x"}).status_code == 404
    assert client.post(f"/v1/merchants/claims/{claim_id}/reissue", headers=csrf).status_code == 404
    assert client.post(f"/v1/merchants/edits/{edit.id}/review", headers=csrf, json={"decision": "publish"}).status_code == 404
    assert client.get("/v1/merchants/claims?status=verified").json()["items"] == []
    sign_in(client, "paul")
    own = client.get("/desk/merchants")
    for path, data in ((f"/desk/merchants/{claim_id}/revoke", {"reason": "x"}), (f"/desk/merchants/{claim_id}/reissue", {}),
                       (f"/desk/merchants/edits/{edit.id}/review", {"decision": "publish"})):
        assert client.post(path, data={**data, "csrf": csrf_of(own.text)}).status_code == 404, path
    # a moderator of the town is no manager
    cookies, csrf = session(storage, "mod")
    client.cookies.clear()
    client.cookies.update(cookies)
    assert client.post(f"/v1/merchants/claims/{claim_id}/revoke", headers=csrf, json={"reason": "x"}).status_code == 403
    client.cookies.clear()
    assert MerchantStore(storage).claim(claim_id).status == "verified"
    assert client.get("/v1/merchants/me", headers=bearer(token)).status_code == 200
    # Monaco's manager sees the verified merchant and revokes over the API
    cookies, csrf = session(storage, "camille")
    client.cookies.update(cookies)
    assert [c["id"] for c in client.get("/v1/merchants/claims?status=verified").json()["items"]] == [claim_id]
    assert client.post(f"/v1/merchants/claims/{claim_id}/revoke", headers=csrf, json={}).status_code == 422
    r = client.post(f"/v1/merchants/claims/{claim_id}/revoke", headers=csrf, json={"reason": "Token leaked"})
    assert r.status_code == 200 and r.json()["status"] == "revoked" and r.json()["revoked"]
    assert [c["id"] for c in client.get("/v1/merchants/claims?status=revoked").json()["items"]] == [claim_id]
    assert client.post(f"/v1/merchants/claims/{claim_id}/reissue", headers=csrf).status_code == 422  # claim again


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_revocation_step_upgrades_a_database_holding_claims_and_edits(engine, tmp_path, request, monkeypatch):
    from heritage_kit.inbox import migrations
    from heritage_kit.inbox.merchants_store import Claim
    from heritage_kit.inbox.storage import open_storage

    where = str(tmp_path / "old.sqlite") if engine == "sqlite" else request.getfixturevalue("pg_database")
    full = dict(migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", {d: steps[:5] for d, steps in full.items()})  # before the step
    old = open_storage(where)
    assert old.schema_version() == 5
    ts = "2026-11-02T10:00:00+00:00"
    with old._tx() as db:  # rows as the v5 code wrote them
        for i, status, th in (("c-verified", "verified", "h1"), ("c-pending", "pending", None), ("c-refused", "refused", None)):
            db.execute("INSERT INTO merchant_claims(id, town, poi_id, shop, email, status, token_hash, created) "
                       "VALUES (?,?,?,?,?,?,?,?)", (i, "monaco", SHOP, "{}", "u@example.fr", status, th, ts))
        db.execute("INSERT INTO merchant_edits(id, claim_id, town, poi_id, edit, photo, created, published_version) "
                   "VALUES (?,?,?,?,?,?,?,?)", ("e1", "c-verified", "monaco", SHOP, '{"phone": "+377"}',
                                                old._binary(b"\xff\xd8jpeg"), ts, None))
        db.execute("INSERT INTO merchant_edits(id, claim_id, town, poi_id, edit, created, published_version) "
                   "VALUES (?,?,?,?,?,?,?)", ("e2", "c-verified", "monaco", SHOP, '{"phone": "+33"}', ts, 3))
    with pytest.raises(Exception, match="(?i)check"):  # the v5 schema has no 'revoked' status
        with old._tx() as db:
            db.execute("UPDATE merchant_claims SET status='revoked' WHERE id='c-verified'")
    old.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", full)
    new = open_storage(where)
    try:
        assert new.schema_version() == migrations.LATEST == 7
        store = MerchantStore(new)
        claims = {c.id: c for c in store.claims(None)}
        assert {i: (c.status, c.token_hash, c.created, c.revoked) for i, c in claims.items()} == {
            "c-verified": ("verified", "h1", ts, None), "c-pending": ("pending", None, ts, None),
            "c-refused": ("refused", None, ts, None)}
        assert isinstance(claims["c-verified"], Claim)
        e1, e2 = store.edits("monaco")
        assert (e1.id, e1.edit, e1.has_photo, e1.published_version, e1.review) == ("e1", {"phone": "+377"}, True, None, None)
        assert (e2.id, e2.has_photo, e2.published_version) == ("e2", False, 3)
        assert store.photo("e1") == b"\xff\xd8jpeg"
        revoked = store.revoke("c-verified", actor="cli:test", reason="Sold")
        assert (revoked.status, revoked.revoke_reason, revoked.token_hash) == ("revoked", "Sold", "h1")
        assert e1.held(revoked) and not e2.held(revoked)  # the published one stays published
        with pytest.raises(Exception, match="(?i)check"):
            with new._tx() as db:
                db.execute("UPDATE merchant_claims SET status='gone' WHERE id='c-pending'")
        with pytest.raises(Exception, match="(?i)foreign|constraint"):  # the edits' foreign key survived the copy
            with new._tx() as db:
                db.execute("INSERT INTO merchant_edits(id, claim_id, town, poi_id, edit, created) VALUES (?,?,?,?,?,?)",
                           ("e3", "no-such-claim", "monaco", SHOP, "{}", ts))
        assert store.review("e1", decision="set_aside", actor="cli:test").review == "set_aside"
    finally:
        new.close()


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", "merchants", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=120, cwd=ROOT)


def test_the_inbox_merchants_cli_lists_revokes_and_reissues(tmp_path):
    from heritage_kit.inbox.merchants import Merchants
    from heritage_kit.inbox.merchants_admin import Operator
    from heritage_kit.inbox.storage import open_storage

    db = str(tmp_path / "inbox.sqlite")
    storage = open_storage(db)
    m = Merchants(storage)
    pack = load_pack(ROOT / "content" / "monaco")
    admin = Operator("test")
    claim = m.claim(pack, email="u@example.fr", poi_id=SHOP)
    _, token = m.verify(admin, claim.id)
    other = m.claim(pack, email="v@example.fr", poi_id=SHOP)
    _, other_token = m.verify(admin, other.id)
    storage.close()

    listed = _cli("list", "--db", db, "--status", "verified")
    assert listed.returncode == 0 and claim.id in listed.stdout and other.id in listed.stdout, listed.stderr
    assert "no shop claim (revoked)" in _cli("list", "--db", db, "--status", "revoked").stdout
    r = _cli("reissue", claim.id, "--db", db, "--as", "lea")
    assert r.returncode == 0, r.stderr
    new_token = re.search(r"mt_\S+", r.stdout).group(0)
    bad = _cli("revoke", other.id, "--db", db, "--reason", "  ")
    assert bad.returncode != 0 and "reason" in bad.stderr and "Traceback" not in bad.stderr
    unknown = _cli("revoke", "no-such-claim", "--db", db, "--reason", "x")
    assert unknown.returncode != 0 and "no-such-claim" in unknown.stderr and "Traceback" not in unknown.stderr
    r = _cli("revoke", other.id, "--db", db, "--reason", "Shop sold", "--as", "lea")
    assert r.returncode == 0 and "revoked" in r.stdout, r.stderr
    revoked = _cli("list", "--db", db, "--status", "revoked").stdout
    assert other.id in revoked and claim.id not in revoked
    assert _cli("list", "--db", str(tmp_path / "none.sqlite")).returncode != 0  # a typo makes no new database

    storage = open_storage(db)
    try:
        m = Merchants(storage)
        assert m.merchant(new_token).id == claim.id
        with pytest.raises(Exception, match="not a verified"):
            m.merchant(token)
        with pytest.raises(Exception, match="revoked"):
            m.merchant(other_token)
        audit = {(a.action, a.actor) for a in storage.audit(None, limit=100)}
        assert {("merchant_token_reissued", "cli:lea"), ("merchant_revoked", "cli:lea")} <= audit
    finally:
        storage.close()


def test_an_edit_checked_before_a_revocation_or_reissue_is_refused_when_stored(storage):
    # the token is checked, then the edit stored: a revocation (or a new token) in between wins, on both engines
    from heritage_kit.errors import MerchantRefused, MerchantRevoked
    from heritage_kit.inbox.merchants import Merchants
    from heritage_kit.inbox.merchants_admin import MerchantAdmin, Operator

    m = Merchants(storage)
    admin, who = MerchantAdmin(m), Operator("cli:test")
    pack = load_pack(ROOT / "content" / "monaco")
    a, b = (m.claim(pack, email=f"{n}@example.fr", poi_id=SHOP) for n in ("a", "b"))
    (_, token_a), (_, token_b) = m.verify(who, a.id), m.verify(who, b.id)
    checked_a, checked_b = m.merchant(token_a), m.merchant(token_b)
    admin.revoke(who, a.id, "Sold")
    admin.reissue(who, b.id)
    with pytest.raises(MerchantRevoked) as got:
        m.store.add_edit("e-a", checked_a, SHOP, {"phone": "+377 93 00 00 00"}, None, actor="merchant:a")
    assert got.value.claim_id == a.id and got.value.revoked
    with pytest.raises(MerchantRefused):
        m.store.add_edit("e-b", checked_b, SHOP, {"phone": "+377 93 00 00 00"}, None, actor="merchant:b")
    assert MerchantStore(storage).edits("monaco") == []
