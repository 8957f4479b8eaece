"""Regression (red team, issue 15 items 4, 5, 6): invisible characters, bidi controls, the idempotency key.

4. Duplicate detection normalises names (NFKC, default-ignorables removed, case-folded): U+200B between letters
   or full-width letters no longer evade it; names and pseudonyms refuse invisible characters.
5. Every text field of a submission refuses bidi controls (U+202A–202E, U+2066–2069, U+200E/200F/061C): one
   validator in the model, a bilingual message per field; moderators' edits too.
6. The API requires the uuid: a body without it is 422 naming ``uuid``; the same body three times is stored once.
"""

from __future__ import annotations

import uuid as uuidlib
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from contrib_support import new_poi_doc  # noqa: E402
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app  # noqa: E402
from heritage_kit.errors import SubmissionError  # noqa: E402
from heritage_kit.inbox.service import apply_edits  # noqa: E402
from heritage_kit.submissions import Submission, duplicate_hints, normalise_name, validate_submission  # noqa: E402
from heritage_kit.submissions.client import InboxClient, new_device_token  # noqa: E402
from heritage_kit.textnorm import BIDI_CONTROLS, is_default_ignorable, match_key  # noqa: E402

KEY = "moderator-key-textsafety-0123"
TOKEN = "device-token-textsafety-01234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(pack):
    storage = SqliteStorage(":memory:")
    app = create_app(storage, pack, InboxSettings(moderator_keys={KEY: "m"}))
    with TestClient(app, raise_server_exceptions=True) as c:
        c.storage = storage
        yield c
    storage.close()


# -- item 4 ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("trick", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u180e", "\u200d"])
def test_invisible_characters_do_not_evade_duplicate_detection(pack, trick):
    poi = next(p for p in pack.pois if len(p.name.get("fr") or "") > 6)
    name = poi.name.get("fr")
    sneaky = trick.join(name)  # one invisible character between every two letters
    hints = duplicate_hints(pack.pois, name={"fr": sneaky}, lat=poi.location.lat, lon=poi.location.lon)
    assert poi.id in [h.poi_id for h in hints]
    assert normalise_name(sneaky) == normalise_name(name)


def test_match_key_is_nfkc_and_casefold():
    assert match_key("ＬＡＶＯＩＲ") == match_key("lavoir")  # full-width letters
    assert match_key("Straße") == match_key("STRASSE")
    assert match_key("ﬁef") == "fief"  # the fi ligature
    assert normalise_name("Ｌａｖｏｉｒ\u200b de\u00ad la Cité") == normalise_name("lavoir de la cite")
    assert all(is_default_ignorable(c) for c in "\u200b\u00ad\u2060\ufeff\U000e0041")
    assert not any(is_default_ignorable(c) for c in "aé ’-")


@pytest.mark.parametrize("field", ["name", "contributor"])
@pytest.mark.parametrize("ch", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u3164"])
def test_names_and_pseudonyms_refuse_invisible_characters(field, ch):
    doc = new_poi_doc()
    if field == "name":
        doc["proposal"]["name"]["fr"] = f"La{ch}voir"
        where = "proposal.name.fr"
    else:
        doc["contributor"] = f"Ma{ch}rie"
        where = "contributor"
    errors = validate_submission(doc)
    assert errors[where].code == "invisible_chars" and errors[where].fr and errors[where].en


def test_joiners_needed_by_scripts_and_emoji_are_kept_in_names():
    doc = new_poi_doc()
    doc["contributor"] = "Marie \U0001F469\u200d\U0001F373"  # an emoji ZWJ sequence
    assert "contributor" not in validate_submission(doc)


# -- item 5 ------------------------------------------------------------------------------------------------
_TEXT_FIELDS = {
    "proposal.name.fr": lambda d, v: d["proposal"]["name"].__setitem__("fr", v),
    "proposal.description.fr": lambda d, v: d["proposal"]["description"].__setitem__("fr", v),
    "proposal.dates": lambda d, v: d["proposal"].__setitem__("dates", v),
    "proposal.category": lambda d, v: d["proposal"].__setitem__("category", v),
    "proposal.sources.0.name": lambda d, v: d["proposal"]["sources"][0].__setitem__("name", v),
    "proposal.sources.0.url": lambda d, v: d["proposal"]["sources"][0].__setitem__("url", v),
    "contributor": lambda d, v: d.__setitem__("contributor", v),
}


@pytest.mark.parametrize("ch", sorted(BIDI_CONTROLS))
@pytest.mark.parametrize("field", sorted(_TEXT_FIELDS))
def test_every_text_field_refuses_every_bidi_control(field, ch):
    doc = new_poi_doc()
    base = {"proposal.sources.0.url": "https://example.org/a", "proposal.category": "fountain"}.get(field, "Lavoir")
    _TEXT_FIELDS[field](doc, base[:5] + ch + base[5:])
    errors = validate_submission(doc)
    assert errors[field].code == "bidi_controls", errors


def test_an_edit_target_with_a_bidi_control_is_refused():
    doc = new_poi_doc()
    doc.update(kind="edit", target="osm:node/1\u2066")
    assert validate_submission(doc)["target"].code == "bidi_controls"


def test_the_server_refuses_bidi_controls_with_422_naming_the_field(client):
    doc = new_poi_doc(contributor="Marie \u2067ssarp\u2069")
    r = client.post("/v1/submissions", headers=AUTH, json=doc)
    assert r.status_code == 422
    assert r.json()["error"]["fields"]["contributor"]["code"] == "bidi_controls"


def test_moderator_edits_are_checked_the_same_way(pack):
    sub = Submission.model_validate(new_poi_doc())
    with pytest.raises(SubmissionError):
        apply_edits(sub, {"name": {"fr": "Lavoir \u202atrompeur"}}, pack=pack)


# -- item 6 ------------------------------------------------------------------------------------------------
def test_a_body_without_uuid_is_422_and_never_stored(client):
    doc = new_poi_doc()
    del doc["uuid"]
    for _ in range(3):
        r = client.post("/v1/submissions", headers=AUTH, json=doc)
        assert r.status_code == 422
        field = r.json()["error"]["fields"]["uuid"]
        assert field["code"] == "uuid_required" and "idempotency" in field["en"] and "uuid" in field["fr"]
    assert client.storage.count(status=None) == 0


def test_the_same_body_three_times_is_stored_once(client):
    doc = new_poi_doc()
    codes = [client.post("/v1/submissions", headers=AUTH, json=doc).status_code for _ in range(3)]
    assert codes == [201, 200, 200] and client.storage.count(status=None) == 1


def test_the_official_client_always_sends_the_uuid(pack):
    from contrib_support import ThreadServer

    storage = SqliteStorage(":memory:")
    with ThreadServer(create_app(storage, pack, InboxSettings())) as server:
        c = InboxClient(server.url, new_device_token())
        sub = Submission.model_validate({k: v for k, v in new_poi_doc().items() if k != "uuid"})  # uuid made here
        first, again = c.submit(sub), c.submit(sub)
        assert first.created and not again.created and first.uuid == again.uuid == str(sub.uuid)
        assert isinstance(uuidlib.UUID(first.uuid), uuidlib.UUID)
    storage.close()


def test_a_moderators_reason_with_a_bidi_control_is_refused(client):
    doc = new_poi_doc()
    assert client.post("/v1/submissions", headers=AUTH, json=doc).status_code == 201
    url = f"/v1/moderation/submissions/{doc['uuid']}/reject"
    r = client.post(url, headers={"X-API-Key": KEY}, json={"reason": "Hors \u202esujet"})
    assert r.status_code == 422 and r.json()["error"]["fields"]["reason"]["code"] == "bidi_controls"
    assert client.post(url, headers={"X-API-Key": KEY}, json={"reason": "Hors sujet"}).status_code == 200
