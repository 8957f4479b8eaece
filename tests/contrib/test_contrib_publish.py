"""Publishing approved contributions into the next pack version, and the terminal tools."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pathlib
import uuid

import pytest
from PIL import Image

from contrib_support import make_jpeg, new_poi_doc
from heritage_kit.cli import main
from heritage_kit.export.audio import speech_text
from heritage_kit.inbox import InboxService, SqliteStorage, build_next_pack, publish
from heritage_kit.inbox.publish import CONTRIBUTIONS_ATTRIBUTION
from heritage_kit.packs import load_pack, validate_pack

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "device-token-publish-0001"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def inbox(tmp_path, pack):
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    yield InboxService(storage, pack), tmp_path / "inbox.sqlite"
    storage.close()


def _fill(svc: InboxService):
    new = new_poi_doc(name="Lavoir de la rue Neuve", contributor="Marie P.")
    svc.submit(TOKEN, new, [make_jpeg(1200, 900, gps=True)])
    edit = {"uuid": str(uuid.uuid4()), "kind": "edit",
            "target": "merimee:PA00082725", "contributor": "Jean D.", "consent": True,
            "proposal": {"description": {"en": "Byzantine-style cathedral with five domes."}, "dates": "XIIe siècle",
                         "sources": [{"name": "Inventaire", "url": "https://inventaire.example.org/stfront"}]}}
    svc.submit(TOKEN, edit)
    photo = {"uuid": str(uuid.uuid4()), "kind": "photo",
             "target": "merimee:PA00082762", "contributor": "Lou", "consent": True}
    svc.submit(TOKEN, photo, [make_jpeg(800, 600)])
    rejected = new_poi_doc(name="Spam", contributor="Robot")
    svc.submit(TOKEN, rejected)
    pending = new_poi_doc(name="Pas encore vu", contributor="Ana")
    svc.submit(TOKEN, pending)
    svc.approve(new["uuid"], actor="moderator:alice", edits={"name": {"en": "Rue Neuve wash-house"}})
    for st in svc.queue():
        if st.submission.kind != "new_poi":
            svc.approve(st.uuid, actor="moderator:alice")
    svc.reject(rejected["uuid"], actor="moderator:alice", reason="Hors sujet")
    return new, edit, photo, rejected, pending


def test_publish_writes_the_next_version_with_credit(inbox, pack, tmp_path):
    svc, _ = inbox
    new, edit, photo, rejected, pending = _fill(svc)
    result = publish(svc.storage, pack, tmp_path / "v2", actor="cli:test", now=NOW)
    assert len(result.applied) == 3 and not result.skipped
    assert validate_pack(tmp_path / "v2").ok
    v2 = load_pack(tmp_path / "v2")
    assert v2.manifest.version == pack.manifest.version + 1 and v2.manifest.created == NOW
    assert CONTRIBUTIONS_ATTRIBUTION in v2.manifest.attributions
    assert v2.manifest.attributions[0] == pack.manifest.attributions[0]  # Mérimée kept
    # the new POI, credited, with its photo cleaned of EXIF
    poi = v2.poi(f"hk:{new['uuid']}")
    assert poi.name.get("fr") == "Lavoir de la rue Neuve" and poi.name.get("en") == "Rue Neuve wash-house"
    assert poi.kind == "heritage" and poi.categories == ["fountain"] and poi.heritage.dates == "XIXe siècle"
    credit = [s for s in poi.sources if s.licence == "CC BY-SA 4.0"]
    assert credit and "Marie P." in credit[0].name
    [media] = poi.media
    assert media.author == "Marie P." and media.licence == "CC BY-SA 4.0"
    im = Image.open(io.BytesIO(v2.media[media.path]))
    assert im.format == "JPEG" and len(im.getexif()) == 0
    # the edit landed on the cathedral, keeping what was there
    cathedral = v2.poi("merimee:PA00082725")
    assert cathedral.name.get("fr") == "Cathédrale Saint-Front"
    assert cathedral.description.get("en").startswith("Byzantine") and cathedral.heritage.dates == "XIIe siècle"
    assert cathedral.text_origin == "human" and poi.text_origin == "human"
    assert any("Jean D." in s.name for s in cathedral.sources)
    assert any(s.url == "https://inventaire.example.org/stfront" for s in cathedral.sources)
    assert cathedral.refs.merimee == "PA00082725"
    # the photo landed on the Tour de Vésone
    [photo] = [m for m in v2.poi("merimee:PA00082762").media if m.type == "image"]
    assert photo.author == "Lou"
    # the cathedral's edited text made its synthesised audio stale: dropped, never read out of date
    assert any(pid == "merimee:PA00082725" for pid, _ in result.stale_audio)
    assert all(m.transcript == speech_text(cathedral, m.lang) for m in cathedral.media if m.type == "audio")
    # rejected and pending ones did not
    ids = {p.id for p in v2.pois}
    assert f"hk:{rejected['uuid']}" not in ids and f"hk:{pending['uuid']}" not in ids
    assert len(v2.pois) == len(pack.pois) + 1
    assert v2.trails == pack.trails and v2.trails  # the curated trail travels on
    # recorded: a second publish from v2 has nothing new to apply
    assert svc.storage.get(new["uuid"]).published_version == 2
    again = publish(svc.storage, tmp_path / "v2", tmp_path / "v3", now=NOW)
    assert again.applied == [] and again.out is None and not (tmp_path / "v3").exists()
    forced = publish(svc.storage, tmp_path / "v2", tmp_path / "v3", now=NOW, write_empty=True)
    assert forced.out and load_pack(tmp_path / "v3").manifest.version == 3


def test_build_is_pure_and_skips_vanished_targets(inbox, pack):
    svc, _ = inbox
    edit = {"uuid": str(uuid.uuid4()), "kind": "edit",
            "target": "merimee:PA00082725", "contributor": "Jean D.", "consent": True,
            "proposal": {"dates": "1173"}}
    svc.submit(TOKEN, edit)
    svc.approve(svc.queue()[0].uuid, actor="m")
    approved = svc.storage.approved_unpublished()
    smaller = type(pack)(pack.manifest, [p for p in pack.pois if p.id != "merimee:PA00082725"])
    result = build_next_pack(smaller, approved, lambda u: [], now=NOW)
    assert result.applied == [] and "merimee:PA00082725" in next(iter(result.skipped.values()))
    assert smaller.manifest.version == 1  # the input pack is untouched
    assert result.pack.manifest.version == 2


def test_publish_refuses_to_overwrite_its_source(inbox, pack_dir):
    svc, db = inbox
    assert main(["inbox", "publish", "--db", str(db), "--pack", str(pack_dir), "--out", str(pack_dir)]) == 1


def test_publish_refuses_an_existing_out_unless_overwrite(inbox, pack_dir, tmp_path, capsys):
    # an earlier version's zip given as --out by mistake is not replaced, and nothing is marked published
    svc, db = inbox
    doc = new_poi_doc(name="Lavoir de la rue Neuve")
    svc.submit(TOKEN, doc)
    svc.approve(doc["uuid"], actor="moderator:alice")
    earlier = tmp_path / "perigueux-v2.zip"
    earlier.write_bytes(b"an earlier version")
    args = ["inbox", "publish", "--db", str(db), "--pack", str(pack_dir), "--out", str(earlier)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err and "Traceback" not in err
    assert earlier.read_bytes() == b"an earlier version"
    assert [s.uuid for s in svc.storage.approved(include_published=False)] == [doc["uuid"]]
    assert main(args + ["--overwrite"]) == 0
    assert load_pack(earlier).poi(f"hk:{doc['uuid']}") is not None


def test_review_from_the_terminal(inbox, pack_dir, tmp_path, capsys):
    svc, db = inbox
    doc = new_poi_doc(name="Cathédrale St Front", lat=45.18366, lon=0.72280, contributor="Marie P.")
    svc.submit(TOKEN, doc, [make_jpeg(300, 200)])
    other = new_poi_doc(name="Lavoir", contributor="Paul")
    svc.submit(TOKEN, other)
    assert main(["inbox", "review", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert doc["uuid"] in out and "possible duplicate" in out and other["uuid"] in out
    assert main(["inbox", "review", "show", "--db", str(db), doc["uuid"], "--pack", str(pack_dir),
                 "--save-photos", str(tmp_path / "photos")]) == 0
    out = capsys.readouterr().out
    assert "merimee:PA00082725 Cathédrale Saint-Front" in out and "submit" in out and "300x200" in out
    with Image.open(tmp_path / "photos" / f"{doc['uuid']}-0.jpg") as saved:
        assert saved.size == (300, 200) and len(saved.getexif()) == 0
    assert main(["inbox", "review", "approve", "--db", str(db), "--pack", str(pack_dir), doc["uuid"],
                 "--set", "name.fr=Lavoir de la cathédrale", "--set", "category=fountain", "--as", "alice"]) == 0
    assert main(["inbox", "review", "reject", "--db", str(db), other["uuid"], "--reason", "Doublon", "--as",
                 "bob"]) == 0
    capsys.readouterr()
    # illegal move and unknown id: one line on stderr, exit 1, no traceback
    assert main(["inbox", "review", "reject", "--db", str(db), doc["uuid"], "--reason", "x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("heritage-kit: error:") and "approved" in err and "Traceback" not in err
    assert main(["inbox", "review", "show", "--db", str(db), "0000"]) == 1
    assert main(["inbox", "review", "approve", "--db", str(db), other["uuid"], "--set", "colour=red"]) == 1
    capsys.readouterr()
    assert main(["inbox", "review", "show", "--db", str(db), doc["uuid"], "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["status"] == "approved" and d["submission"]["proposal"]["name"]["fr"] == "Lavoir de la cathédrale"
    assert [a["actor"] for a in d["audit"]][-1] == "cli:alice"
    assert main(["inbox", "publish", "--db", str(db), "--pack", str(pack_dir), "--out", str(tmp_path / "v2")]) == 0
    assert "pack v2" in capsys.readouterr().out
    assert main(["inbox", "publish", "--db", str(db), "--pack", str(tmp_path / "v2"), "--out",
                 str(tmp_path / "v3")]) == 0
    assert "nothing written" in capsys.readouterr().out and not (tmp_path / "v3").exists()
    assert load_pack(tmp_path / "v2").poi(f"hk:{doc['uuid']}").categories == ["fountain"]


def test_moderator_keys_configuration(tmp_path):
    from heritage_kit.cli.inbox import load_moderator_keys
    from heritage_kit.errors import ConfigurationError

    assert load_moderator_keys(None, {"HERITAGE_KIT_MODERATOR_KEYS": "alice:k1k1k1k1k1k1k1k1k1,bob:k2k2k2k2k2k2k2k2"}
                               ) == {"k1k1k1k1k1k1k1k1k1": "alice", "k2k2k2k2k2k2k2k2": "bob"}
    assert load_moderator_keys(None, {}) == {}
    with pytest.raises(ConfigurationError):
        load_moderator_keys(None, {"HERITAGE_KIT_MODERATOR_KEYS": "alice:short"})
    f = tmp_path / "keys.json"
    f.write_text(json.dumps({"carla": "c" * 20}))
    assert load_moderator_keys(str(f), {}) == {"c" * 20: "carla"}
    f.write_text("[1]")
    with pytest.raises(ConfigurationError):
        load_moderator_keys(str(f), {})


def test_republishing_onto_a_rebuilt_pack_is_idempotent(inbox, pack, pack_dir, tmp_path):
    svc, db = inbox
    new, edit, photo, *_ = _fill(svc)
    publish(svc.storage, pack, tmp_path / "v2", now=NOW)
    v2 = load_pack(tmp_path / "v2")
    # the town rebuilds its pack from the sources: contributions are gone; --all puts them back
    assert main(["inbox", "publish", "--db", str(db), "--pack", str(pack_dir), "--out", str(tmp_path / "rebuilt"),
                 "--all"]) == 0
    rebuilt = load_pack(tmp_path / "rebuilt")
    assert {p.id for p in rebuilt.pois} == {p.id for p in v2.pois}
    # applying everything again onto v2 changes nothing but the version
    again = publish(svc.storage, v2, tmp_path / "v3", now=NOW, include_published=True)
    assert len(again.applied) == 3
    v3 = load_pack(tmp_path / "v3")
    for poi in v2.pois:
        assert v3.poi(poi.id).sources == poi.sources and v3.poi(poi.id).media == poi.media
    assert v3.manifest.version == 3 and v3.manifest.attributions == v2.manifest.attributions


def test_an_hours_edit_is_checked_by_the_strict_parser_and_lands_on_the_poi(inbox, pack):
    from heritage_kit.errors import SubmissionError

    svc, _ = inbox
    bad = {"uuid": str(uuid.uuid4()), "kind": "edit", "target": "merimee:PA00082725", "contributor": "Jean D.",
           "consent": True, "proposal": {"opening_hours": "Mo-Fr 9h à 18h"}}
    with pytest.raises(SubmissionError) as refused:
        svc.submit(TOKEN, bad)
    assert "proposal.opening_hours" in refused.value.errors
    good = dict(bad, uuid=str(uuid.uuid4()), proposal={"opening_hours": " Mo-Sa 09:00-12:00,14:00-18:00; PH off "})
    svc.submit(TOKEN, good)
    svc.approve(good["uuid"], actor="m")
    result = build_next_pack(pack, svc.storage.approved_unpublished(), lambda u: [], now=NOW)
    poi = next(p for p in result.pack.pois if p.id == "merimee:PA00082725")
    assert poi.opening_hours == "Mo-Sa 09:00-12:00,14:00-18:00; PH off"


def test_publish_applies_only_the_packs_own_town(tmp_path, pack):
    # one inbox database serving two towns: publishing Périgueux's pack must neither carry Monaco's approved
    # entry nor mark it published (it would never reach Monaco's pack)
    storage = SqliteStorage(tmp_path / "two-towns.sqlite")
    try:
        perigueux = InboxService(storage, pack)
        monaco = InboxService(storage, load_pack(ROOT / "content" / "monaco"))
        ours = new_poi_doc(name="Lavoir de la rue Neuve")
        theirs = new_poi_doc(name="Fontaine du Rocher", lat=43.7308, lon=7.4212)
        perigueux.submit(TOKEN, ours)
        monaco.submit(TOKEN, theirs)
        perigueux.approve(ours["uuid"], actor="moderator:alice")
        monaco.approve(theirs["uuid"], actor="moderator:bob")
        result = publish(storage, pack, tmp_path / "v2", actor="cli:test", now=NOW)
        assert result.applied == [ours["uuid"]]
        v2 = load_pack(tmp_path / "v2")
        assert v2.poi(f"hk:{ours['uuid']}") is not None
        assert not any(p.id == f"hk:{theirs['uuid']}" for p in v2.pois)
        assert [s.uuid for s in storage.approved(include_published=False)] == [theirs["uuid"]]  # still Monaco's to publish
    finally:
        storage.close()
