"""The pure moderation state machine and the storage that enforces it with an audit log."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from contrib_support import new_poi_doc
from heritage_kit.errors import ModerationError, SubmissionConflict
from heritage_kit.inbox.moderation import ACTIONS, STATUSES, TRANSITIONS, allowed_actions, next_status, replay_decision
from heritage_kit.inbox.storage import SqliteStorage
from heritage_kit.submissions import Submission

LEGAL = {
    ("pending", "approve"): "approved",
    ("pending", "reject"): "rejected",
    ("pending", "request_changes"): "changes_requested",
    ("changes_requested", "resubmit"): "pending",
    ("pending", "resubmit"): "pending",
}


@pytest.mark.parametrize("status,action", list(itertools.product(STATUSES, ACTIONS)))
def test_every_move_is_either_the_documented_one_or_refused(status, action):
    if (status, action) in LEGAL:
        assert next_status(status, action, reason="Une raison") == LEGAL[(status, action)]
    else:
        with pytest.raises(ModerationError):
            next_status(status, action, reason="Une raison")


def test_table_and_helpers():
    assert TRANSITIONS == LEGAL
    assert allowed_actions("pending") == ["approve", "reject", "request_changes", "resubmit"]
    assert allowed_actions("approved") == [] and allowed_actions("rejected") == []
    with pytest.raises(ModerationError):
        next_status("pending", "delete")
    with pytest.raises(ModerationError):
        next_status("archived", "approve")


@pytest.mark.parametrize("action", ["reject", "request_changes"])
def test_reasons_are_required_where_the_contributor_needs_one(action):
    for reason in (None, "", "   "):
        with pytest.raises(ModerationError):
            next_status("pending", action, reason=reason)
    with pytest.raises(ModerationError):
        next_status("pending", action, reason="x" * 2001)


def test_replay_decisions():
    assert replay_decision(status="pending", same_device=True, same_content=True) == "replay"
    assert replay_decision(status="approved", same_device=True, same_content=True) == "replay"
    assert replay_decision(status="changes_requested", same_device=True, same_content=False) == "revise"
    assert replay_decision(status="pending", same_device=True, same_content=False) == "revise"
    assert replay_decision(status="approved", same_device=True, same_content=False) == "conflict"
    assert replay_decision(status="rejected", same_device=True, same_content=False) == "conflict"
    assert replay_decision(status="changes_requested", same_device=False, same_content=True) == "conflict"


def _add(storage, doc=None, token="t" * 64, content="c" * 64):
    sub = Submission.model_validate(doc or new_poi_doc())
    return storage.add(sub, token_hash=token, content_hash=content, photos=[], hints=[], actor="device:x")


def test_storage_applies_the_machine_and_audits_every_change(tmp_path):
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    st, outcome = _add(storage)
    assert outcome == "created" and st.status == "pending"
    with pytest.raises(ModerationError):
        storage.moderate(st.uuid, "reject", actor="moderator:a")  # no reason
    storage.moderate(st.uuid, "approve", actor="moderator:a")
    with pytest.raises(ModerationError):
        storage.moderate(st.uuid, "request_changes", actor="moderator:b", reason="trop tard")
    assert storage.get(st.uuid).status == "approved"
    audit = storage.audit(st.uuid)
    assert [(a.action, a.from_status, a.to_status, a.actor) for a in audit] == [
        ("submit", None, "pending", "device:x"), ("approve", "pending", "approved", "moderator:a")]
    assert all(a.at.endswith("+00:00") for a in audit)
    storage.close()
    reopened = SqliteStorage(tmp_path / "inbox.sqlite")  # durable
    assert reopened.get(st.uuid).status == "approved" and len(reopened.audit()) == 2


def test_the_audit_log_is_append_only(tmp_path):
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    _add(storage)
    db = sqlite3.connect(tmp_path / "inbox.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET actor='someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_storage_idempotency_and_revision(tmp_path):
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    doc = new_poi_doc()
    st, _ = _add(storage, doc)
    assert _add(storage, doc)[1] == "replay"
    with pytest.raises(SubmissionConflict):
        _add(storage, doc, token="u" * 64)  # another device
    assert _add(storage, doc, content="b" * 64)[1] == "revised"  # corrected before review
    storage.moderate(st.uuid, "request_changes", actor="moderator:a", reason="Ajoutez une date")
    assert storage.get(st.uuid).message == "Ajoutez une date"
    revised, outcome = _add(storage, doc, content="d" * 64)
    assert outcome == "revised" and revised.status == "pending" and revised.message is None
    assert storage.count() == 1 and storage.count(status="pending") == 1
    assert [a.action for a in storage.audit(st.uuid)] == ["submit", "resubmit", "request_changes", "resubmit"]
    storage.moderate(st.uuid, "approve", actor="moderator:a")
    with pytest.raises(SubmissionConflict):
        _add(storage, doc, content="e" * 64)  # approved is final
