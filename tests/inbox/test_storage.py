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


# -- v3 backfill on a database that already holds submissions (both engines) -------------------------
def _v2_database(engine: str, target: str) -> None:
    """A database at schema version 2 (before the lat/lon/name columns), as an inbox of the last release left it."""
    from heritage_kit.inbox.migrations import scripts

    steps = scripts(engine, 0, town="perigueux")[:2]
    if engine == "sqlite":
        db = sqlite3.connect(target, isolation_level=None)
        for _, statements in steps:
            for stmt in statements:
                db.execute(stmt)
        db.execute("PRAGMA user_version=2")
        db.close()
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                     " applied TIMESTAMPTZ NOT NULL DEFAULT now())")
        for version, statements in steps:
            for stmt in statements:
                conn.execute(stmt)
            conn.execute("INSERT INTO schema_migrations(version) VALUES (%s)", (version,))


def _insert_v2_rows(engine: str, target: str, rows: list[tuple]) -> None:
    sql = ("INSERT INTO submissions(uuid, kind, target, status, submission, token_hash, content_hash, created,"
           " updated, town, published_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
    if engine == "sqlite":
        db = sqlite3.connect(target)
        db.executemany(sql, rows)
        db.commit()
        db.close()
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as conn:
        conn.cursor().executemany(sql.replace("?", "%s"), rows)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_v3_backfill_fills_place_and_name_of_existing_rows(engine, tmp_path, request):
    import json

    target = str(tmp_path / "v2.sqlite") if engine == "sqlite" else request.getfixturevalue("pg_database")
    _v2_database(engine, target)
    ts = "2026-11-20T10:00:00.000+00:00"
    docs = {
        "pending": new_poi_doc("Fontaine Saint-Éloi", lat=45.18500, lon=0.72000),
        "approved": new_poi_doc("Lavoir « du Greffe »", lat=45.18520, lon=0.72010),
        "published": new_poi_doc("Lavoir publié", lat=45.18510, lon=0.72005),
        "far": new_poi_doc("Lavoir lointain", lat=45.19500, lon=0.72000),
    }
    edit = {**new_poi_doc(), "kind": "edit", "target": "osm:node/1"}
    edit["proposal"] = {"dates": "1850"}  # an edit has no new place: no columns
    rows = [(d["uuid"], "new_poi", None, "approved" if k in ("approved", "published") else "pending",
             json.dumps(Submission.model_validate(d).wire(), ensure_ascii=False), "t" * 64, "c" * 64, ts, ts,
             "perigueux", 2 if k == "published" else None) for k, d in docs.items()]
    rows.append((edit["uuid"], "edit", "osm:node/1", "pending", json.dumps(edit), "t" * 64, "c" * 64, ts, ts,
                 "perigueux", None))
    _insert_v2_rows(engine, target, rows)
    storage = open_storage(target)
    try:
        assert storage.schema_version() == LATEST
        near = storage.entries_near(45.18505, 0.72005, 75)
        # the unpublished pending and approved entries, with their names decoded (accents, quotes kept)
        assert [(e.uuid, e.name) for e in near] == [(docs["pending"]["uuid"], {"fr": "Fontaine Saint-Éloi"}),
                                                    (docs["approved"]["uuid"], {"fr": "Lavoir « du Greffe »"})]
        assert near[0].lat == pytest.approx(45.185) and near[0].lon == pytest.approx(0.72)
        assert [e.uuid for e in storage.entries_near(45.195, 0.72, 75)] == [docs["far"]["uuid"]]
        assert storage.get(edit["uuid"]).submission.kind == "edit" and storage.count() == 5
    finally:
        storage.close()


# -- what add returns, rate-limit buckets (schema step 4) -----------------------------------------------
def test_what_add_returns_is_what_is_stored(storage):
    st, _ = _add(storage, photos=[_photo(b"a")], hints=[{"poi_id": "x", "score": 80.0}])
    assert storage.get(st.uuid) == st  # add does not read the new row back: the value it returns must match


def test_rate_buckets_spend_refill_and_wait(storage):
    rate, burst = 1.0, 3  # one token a second
    assert [storage.take_token("k", rate=rate, burst=burst, now=100.0) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert storage.peek_tokens("k", rate=rate, burst=burst, now=100.5) == pytest.approx(0.5)
    assert storage.take_token("k", rate=rate, burst=burst, now=101.0) == 0.0  # one refilled
    assert storage.take_token("k", rate=rate, burst=burst, now=101.0) == pytest.approx(1.0)
    assert storage.take_token("other", rate=rate, burst=burst, now=101.0) == 0.0  # keys are apart
    assert storage.forget_buckets(older_than=101.5) == 2
    assert storage.peek_tokens("k", rate=rate, burst=burst, now=101.0) == 0.0  # forgotten: full again


def test_rate_buckets_are_atomic_under_concurrency(storage):
    results, barrier = [], threading.Barrier(8)

    def spend():
        barrier.wait()
        for _ in range(10):
            results.append(storage.take_token("shared", rate=1e-6, burst=25, now=1000.0))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(results) == 80 and results.count(0.0) == 25
