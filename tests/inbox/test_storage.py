"""The storage contract, run on every engine (``storage`` fixture in conftest)."""

from __future__ import annotations

import sqlite3
import sys
import pathlib
import threading
from datetime import datetime, timedelta, timezone

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "contrib"))
from contrib_support import new_poi_doc  # noqa: E402

from heritage_kit.errors import AccountError, AccountExists, ModerationError, SubmissionConflict
from heritage_kit.inbox.migrations import LATEST, MIGRATIONS
from heritage_kit.inbox.storage import open_storage
from heritage_kit.submissions.model import Submission
from heritage_kit.submissions.photos import CleanPhoto


def _add(storage, doc=None, token="t" * 64, content="c" * 64, town="perigueux", photos=(), hints=(), at=None):
    sub = Submission.model_validate(doc or new_poi_doc())
    return storage.add(sub, token_hash=token, content_hash=content, photos=list(photos), hints=list(hints),
                       actor="device:x", town=town, at=at)


def _photo(tag: bytes = b"x") -> CleanPhoto:
    import hashlib

    data = b"\xff\xd8" + tag * 100
    return CleanPhoto(data=data, sha256=hashlib.sha256(data).hexdigest(), width=4, height=3, source_format="JPEG")


def test_machine_audit_and_idempotency(storage):
    doc = new_poi_doc()
    st, outcome = _add(storage, doc)
    assert outcome == "created" and st.status == "pending" and st.town == "perigueux"
    assert _add(storage, doc)[1] == "replay"
    with pytest.raises(SubmissionConflict):
        _add(storage, doc, token="u" * 64)
    assert _add(storage, doc, content="b" * 64)[1] == "revised"
    with pytest.raises(ModerationError):
        storage.moderate(st.uuid, "reject", actor="moderator:a")  # no reason
    storage.moderate(st.uuid, "request_changes", actor="moderator:a", reason="Ajoutez une date")
    assert storage.get(st.uuid).message == "Ajoutez une date"
    revised, outcome = _add(storage, doc, content="d" * 64)
    assert outcome == "revised" and revised.status == "pending" and revised.message is None
    storage.moderate(st.uuid, "approve", actor="moderator:a", edits={"dates": "1850"})
    assert storage.get(st.uuid).edits == {"dates": "1850"}
    with pytest.raises(SubmissionConflict):
        _add(storage, doc, content="e" * 64)  # approved is final
    assert [a.action for a in storage.audit(st.uuid)] == ["submit", "resubmit", "request_changes", "resubmit",
                                                          "approve"]
    assert all(a.at.endswith("+00:00") for a in storage.audit())


def test_entries_near_a_point_are_new_unpublished_pending_or_approved_entries_in_the_box(storage):
    """Duplicate hints read only the entries near a point (indexed columns), not every stored submission."""
    here = _add(storage, new_poi_doc("Lavoir du Bas", lat=45.1850, lon=0.7200))[0]
    near = _add(storage, new_poi_doc("Lavoir d'en bas", lat=45.1853, lon=0.7203))[0]  # ≈ 40 m
    _add(storage, new_poi_doc("Lavoir lointain", lat=45.1900, lon=0.7200))  # ≈ 550 m
    rejected = _add(storage, new_poi_doc("Lavoir refusé", lat=45.1851, lon=0.7201))[0]
    storage.moderate(rejected.uuid, "reject", actor="m", reason="doublon")
    approved = _add(storage, new_poi_doc("Lavoir publié", lat=45.1849, lon=0.7199))[0]
    storage.moderate(approved.uuid, "approve", actor="m")
    found = storage.entries_near(45.1850, 0.7200, 75)
    assert [e.uuid for e in found] == [here.uuid, near.uuid, approved.uuid]
    assert found[1].name == {"fr": "Lavoir d'en bas"} and abs(found[1].lat - 45.1853) < 1e-9
    storage.mark_published([approved.uuid], 2, actor="publish")
    assert [e.uuid for e in storage.entries_near(45.1850, 0.7200, 75)] == [here.uuid, near.uuid]
    assert [e.uuid for e in storage.entries_near(45.1850, 0.7200, 75, limit=1)] == [here.uuid]
    # a revision that moves the entry moves its row
    moved = new_poi_doc("Lavoir du Bas", lat=45.1950, lon=0.7200, uid=here.uuid)
    _add(storage, moved, content="m" * 64)
    assert here.uuid not in [e.uuid for e in storage.entries_near(45.1850, 0.7200, 75)]
    assert [e.uuid for e in storage.entries_near(45.1950, 0.7200, 75)] == [here.uuid]


def test_photos_round_trip(storage):
    st, _ = _add(storage, photos=[_photo(b"a"), _photo(b"b")])
    got = storage.photos(st.uuid)
    assert [p.data for p in got] == [_photo(b"a").data, _photo(b"b").data] and storage.get(st.uuid).photo_count == 2


def test_filters_and_counts(storage):
    t0 = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
    a, _ = _add(storage, town="perigueux", at=t0, photos=[_photo()])
    b, _ = _add(storage, town="monaco", at=t0 + timedelta(days=1), hints=[{"id": "x"}])
    c, _ = _add(storage, town="monaco", at=t0 + timedelta(days=2))
    storage.moderate(c.uuid, "approve", actor="m")
    ids = lambda **kw: [s.uuid for s in storage.list(**kw)]  # noqa: E731
    assert ids() == [a.uuid, b.uuid, c.uuid]
    assert ids(towns=["monaco"]) == [b.uuid, c.uuid] and ids(towns=[]) == [] and storage.count(towns=[]) == 0
    assert ids(towns=["monaco"], status="pending") == [b.uuid]
    assert ids(has_photo=True) == [a.uuid] and ids(has_photo=False) == [b.uuid, c.uuid]
    assert ids(has_hints=True) == [b.uuid] and storage.count(has_hints=False) == 2
    assert ids(since="2026-11-21") == [b.uuid, c.uuid] and ids(until="2026-11-21") == [a.uuid]
    assert ids(since="2026-11-21", until="2026-11-22T00:00:00Z") == [b.uuid]
    assert ids(kind="new_poi", limit=1, offset=1) == [b.uuid] and ids(kind="edit_poi") == []
    assert storage.count(towns=["perigueux", "monaco"], status="approved") == 1
    assert [s.uuid for s in storage.approved(towns=["perigueux"])] == []
    assert [s.uuid for s in storage.approved(towns=["monaco"])] == [c.uuid]
    with pytest.raises(ValueError, match="not a date"):
        storage.list(since="yesterday")


def test_accounts_and_sessions(storage):
    acc = storage.add_account("marie", password_hash="h1", role="moderator", towns=["perigueux"])
    assert storage.get_account("marie") == acc and acc.towns == ("perigueux",)
    with pytest.raises(AccountExists) as err:
        storage.add_account("marie", password_hash="h2", role="admin", towns=[])
    assert err.value.name == "marie" and isinstance(err.value, ValueError)
    with pytest.raises(AccountError):
        storage.add_account("paul", password_hash="h", role="boss", towns=[])
    assert storage.set_password("marie", "h3") and storage.get_account("marie").password_hash == "h3"
    assert storage.set_account_towns("marie", role="admin", towns=["monaco", "perigueux"])
    assert storage.get_account("marie").towns == ("monaco", "perigueux") and storage.get_account("marie").role == "admin"
    assert not storage.set_password("nobody", "h") and storage.get_account("nobody") is None
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    storage.create_session("s1", "marie", expires=soon.isoformat(), csrf="c1")
    storage.create_session("s2", "marie", expires=soon.isoformat(), csrf="c2")
    assert storage.get_session("s1").csrf == "c1" and storage.get_session("s1").account == "marie"
    assert storage.get_session("s1", now=soon + timedelta(seconds=1)) is None  # expired
    storage.delete_session("s1")
    assert storage.get_session("s1") is None and storage.get_session("s2") is not None
    storage.delete_sessions_of("marie")
    assert storage.get_session("s2") is None
    storage.create_session("s3", "marie", expires=soon.isoformat(), csrf="c3")
    assert [a.name for a in storage.list_accounts()] == ["marie"]
    assert storage.remove_account("marie") and not storage.remove_account("marie")
    assert storage.get_session("s3") is None
    storage.record_audit("desk:marie", "sign_in_failed", detail={"address": "127.0.0.1"})
    last = storage.audit()[-1]
    assert (last.uuid, last.action, last.detail) == (None, "sign_in_failed", {"address": "127.0.0.1"})


def test_schema_is_latest(storage):
    assert storage.schema_version() == len(MIGRATIONS["sqlite"]) == len(MIGRATIONS["postgresql"])


def test_concurrent_decisions_one_wins(storage):
    st, _ = _add(storage)
    results, barrier = [], threading.Barrier(8)

    def decide(i):
        barrier.wait()
        try:
            if i % 2:
                storage.moderate(st.uuid, "approve", actor=f"m{i}")
            else:
                storage.moderate(st.uuid, "reject", actor=f"m{i}", reason="doublon")
            results.append("ok")
        except ModerationError:
            results.append("conflict")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == ["conflict"] * 7 + ["ok"]
    assert [a.action for a in storage.audit(st.uuid)][1:] in (["approve"], ["reject"])


def test_concurrent_submits_of_one_uuid_leave_one_row(storage):
    doc = new_poi_doc()
    outcomes, barrier = [], threading.Barrier(8)

    def post():
        barrier.wait()
        outcomes.append(_add(storage, doc)[1])

    threads = [threading.Thread(target=post) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["created"] + ["replay"] * 7 and storage.count() == 1
    assert len(storage.audit()) == 1


def test_concurrent_publishes_mark_each_once(storage):
    uuids = []
    for _ in range(5):
        st, _ = _add(storage)
        storage.moderate(st.uuid, "approve", actor="m")
        uuids.append(st.uuid)
    marked, barrier = [], threading.Barrier(4)

    def pub():
        barrier.wait()
        marked.extend(storage.mark_published(uuids, 2, actor="publish"))

    threads = [threading.Thread(target=pub) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(marked) == sorted(uuids)
    assert sum(a.action == "publish" for a in storage.audit()) == 5 and storage.approved() == []
    assert storage.mark_published(uuids, 3, actor="publish") == uuids  # a later version re-marks


# -- SQLite specifics -----------------------------------------------------------------
def test_sqlite_audit_is_append_only(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path}/inbox.sqlite")
    _add(storage)
    storage.record_audit("desk:a", "sign_in")
    db = sqlite3.connect(tmp_path / "inbox.sqlite")
    for sql in ("UPDATE audit SET actor='someone else'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)


def test_a_v1_file_from_the_first_inbox_upgrades_without_loss(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS["sqlite"][0])  # the schema main shipped (no version stamp)
    doc = Submission.model_validate(new_poi_doc()).wire()
    import json

    db.execute("INSERT INTO submissions(uuid, kind, status, submission, token_hash, content_hash, created, updated)"
               " VALUES (?,?,?,?,?,?,?,?)", (doc["uuid"], "new_poi", "pending", json.dumps(doc), "t" * 64, "c" * 64,
                                            "2026-11-20T10:00:00.000+00:00", "2026-11-20T10:00:00.000+00:00"))
    db.execute("INSERT INTO audit(uuid, at, actor, action, to_status) VALUES (?,?,?,?,?)",
               (doc["uuid"], "2026-11-20T10:00:00.000+00:00", "device:x", "submit", "pending"))
    db.commit()
    db.close()
    storage = open_storage(str(path), town="perigueux")
    assert storage.schema_version() == LATEST
    st = storage.get(doc["uuid"])
    # v3 backfilled the entry's place and name from its JSON: duplicate hints find it
    loc = doc["proposal"]["location"]
    assert [(e.uuid, e.name) for e in storage.entries_near(loc["lat"], loc["lon"], 10)] == \
        [(st.uuid, doc["proposal"]["name"])]
    assert st.town == "perigueux" and st.status == "pending" and storage.list(towns=["perigueux"]) == [st]
    assert [(a.actor, a.action) for a in storage.audit()] == [("device:x", "submit")]
    storage.moderate(st.uuid, "approve", actor="m")
    storage.close()
    again = open_storage(str(path), town="other")  # already upgraded: the town stays
    assert again.get(st.uuid).town == "perigueux" and len(again.audit()) == 2
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        sqlite3.connect(path).execute("DELETE FROM audit")


def test_postgresql_audit_is_append_only(pg_database):
    import psycopg

    storage = open_storage(pg_database)
    _add(storage)
    storage.close()
    with psycopg.connect(pg_database, autocommit=True) as conn:
        for sql in ("UPDATE audit SET actor='someone else'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
    again = open_storage(pg_database, town="x")  # reopening does not migrate twice
    assert again.schema_version() == LATEST and len(again.audit()) == 1
    again.close()
