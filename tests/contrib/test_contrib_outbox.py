"""The device outbox: durable enqueue, idempotent sync with backoff, refusals, statuses, SIGKILL."""

from __future__ import annotations

import io
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from contrib_support import make_jpeg, new_poi_doc
from heritage_kit.errors import PhotoError, SubmissionConflict, SubmissionError, SubmissionRefused, SyncError, SyncRateLimited
from heritage_kit.submissions import Outbox, Submission, SubmitResult, StatusResult
from heritage_kit.submissions.messages import message
from heritage_kit.submissions.outbox import backoff_delay

ROOT = pathlib.Path(__file__).resolve().parents[2]


class FakeClient:
    """An in-memory inbox with a scripted list of failures."""

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.received: dict[str, tuple[Submission, list[bytes]]] = {}
        self.calls = 0
        self.statuses: dict[str, StatusResult] = {}

    def submit(self, submission, photos):
        self.calls += 1
        if self.failures:
            exc = self.failures.pop(0)
            if exc is not None:
                raise exc
        self.received.setdefault(submission.id, (submission, list(photos)))
        return SubmitResult(uuid=submission.id, status="pending", created=True,
                            duplicate_hints=[{"poi_id": "merimee:PA00082725"}])

    def status(self, uuid):
        return self.statuses.get(uuid) or StatusResult(uuid=uuid, status="pending")


def sub(**kw) -> Submission:
    return Submission.model_validate(new_poi_doc(**kw))


def test_enqueue_is_durable_and_photos_are_cleaned_on_the_device(tmp_path, pack):
    box = Outbox(tmp_path / "outbox.sqlite", pack=pack)
    item = box.enqueue(sub(), photos=[make_jpeg(3000, 2000, gps=True)])
    assert item.status == "queued" and item.photo_count == 1
    again = Outbox(tmp_path / "outbox.sqlite")  # another process would see the same
    [stored] = again.items()
    assert stored.uuid == item.uuid and stored.submission.proposal.name == {"fr": "Lavoir de la rue Neuve"}
    [photo] = again.photos(item.uuid)
    im = Image.open(io.BytesIO(photo))
    assert max(im.size) == 2048 and len(im.getexif()) == 0 and b"Exif" not in photo
    ref = stored.submission.photos[0]
    assert ref.size == len(photo) and (ref.width, ref.height) == im.size
    db = sqlite3.connect(tmp_path / "outbox.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.integrity_ok()


def test_invalid_submissions_and_photos_are_refused_and_nothing_is_stored(tmp_path, pack):
    box = Outbox(tmp_path / "o.sqlite", pack=pack)
    with pytest.raises(SubmissionError) as info:
        box.enqueue(sub(lat=48.85, lon=2.35))
    assert info.value.messages["proposal.location"].code == "outside_town"
    with pytest.raises(PhotoError) as info:
        box.enqueue(sub(), photos=[make_jpeg(), b"GIF89a not really"])
    assert "photos.1" in info.value.messages
    assert box.items() == []


def test_enqueue_is_idempotent_on_uuid(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    s = sub()
    box.enqueue(s)
    box.enqueue(s)
    assert len(box.items()) == 1
    other = s.model_copy(update={"contributor": "Someone else"})
    with pytest.raises(SubmissionConflict):
        box.enqueue(other)


def test_sync_sends_each_item_once_and_keeps_hints(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    subs = [sub(name=f"Lavoir {i}") for i in range(3)]
    for s in subs:
        box.enqueue(s, photos=[make_jpeg(64, 48)])
    client = FakeClient()
    report = box.sync(client, sleep=lambda s: None)
    assert report.sent == [s.id for s in subs] and report.complete
    assert client.calls == 3 and len(client.received[subs[0].id][1]) == 1
    assert {i.status for i in box.items()} == {"pending"}
    assert box.get(subs[0].id).duplicate_hints == [{"poi_id": "merimee:PA00082725"}]
    assert box.sync(client).sent == []  # nothing queued any more
    assert client.calls == 3


def test_transient_failures_back_off_exponentially_with_jitter(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    s = sub()
    box.enqueue(s)
    client = FakeClient([SyncError("timeout"), SyncError("HTTP 503", status_code=503),
                         SyncError("HTTP 503", status_code=503, retry_after=7.0), None])
    sleeps: list[float] = []
    report = box.sync(client, sleep=sleeps.append, rng=lambda: 1.0, base_delay=0.5, max_delay=60)
    assert report.sent == [s.id]
    assert sleeps == [0.5, 1.0, 7.0]  # 0.5·2^0, 0.5·2^1, then the server's Retry-After
    jittered = [backoff_delay(3, base=0.5, cap=60, rng=lambda: 0.25)]
    assert jittered == [1.0]
    assert backoff_delay(40, base=0.5, cap=60, rng=lambda: 1.0) == 60


def test_an_unreachable_server_stops_the_sync_and_the_backoff_is_persisted(tmp_path):
    now = [1000.0]
    box = Outbox(tmp_path / "o.sqlite", clock=lambda: now[0])
    a, b = sub(name="A lavoir"), sub(name="B lavoir")
    box.enqueue(a)
    box.enqueue(b)
    client = FakeClient([SyncError("connection refused")] * 3)
    report = box.sync(client, max_attempts=3, sleep=lambda s: None)
    assert report.sent == [] and report.remaining == 2 and "connection refused" in report.error
    assert client.calls == 3  # b was not tried: the server is down
    item = box.get(a.id)
    assert item.status == "queued" and item.attempts == 3 and item.next_attempt > now[0]
    assert box.sync(client, sleep=lambda s: None).sent == []  # not due yet
    assert box.sync(client, sleep=lambda s: None, force=True).sent == [a.id, b.id]


@pytest.mark.parametrize("limited", [
    lambda: SyncError("HTTP 429", status_code=429, retry_after=120.0),  # a bare SyncError (third-party client)
    lambda: SyncRateLimited("HTTP 429", retry_after=120.0),  # the leaf InboxClient raises
])
def test_rate_limited_sync_stops_at_once_and_waits_for_retry_after(tmp_path, limited):
    now = [5000.0]
    box = Outbox(tmp_path / "o.sqlite", clock=lambda: now[0])
    a, b = sub(name="A lavoir"), sub(name="B lavoir")
    box.enqueue(a)
    box.enqueue(b)
    sleeps: list[float] = []
    client = FakeClient([None, limited()])
    report = box.sync(client, sleep=sleeps.append)
    assert report.sent == [a.id] and report.remaining == 1 and sleeps == []
    assert box.get(b.id).next_attempt == 5120.0
    now[0] = 5119.0
    assert box.sync(client).sent == []
    now[0] = 5120.0
    assert box.sync(client).sent == [b.id]


def test_a_4xx_refusal_marks_the_item_rejected_with_the_servers_message(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    a, b = sub(name="A lavoir"), sub(name="B lavoir")
    box.enqueue(a)
    box.enqueue(b)
    outside = message("outside_town", town="Périgueux")
    refusal = SubmissionRefused("Invalid submission.", {"proposal.location": outside.en}, status_code=422,
                                messages={"proposal.location": outside})
    report = box.sync(FakeClient([refusal]), sleep=lambda s: None)
    assert report.refused == [a.id] and report.sent == [b.id]
    item = box.get(a.id)
    assert item.status == "rejected" and item.message == "Invalid submission."
    assert item.field_messages == {"proposal.location": outside}  # the app can show it in French


def test_auth_failure_stops_without_touching_items(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    box.enqueue(sub())
    report = box.sync(FakeClient([SyncError("HTTP 401", transient=False, status_code=401)]), sleep=lambda s: None)
    assert report.error and report.remaining == 1 and box.items()[0].status == "queued"


def test_statuses_are_refreshed_and_changes_can_be_resubmitted(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    a, b = sub(name="A lavoir"), sub(name="B lavoir")
    box.enqueue(a)
    box.enqueue(b)
    client = FakeClient()
    box.sync(client)
    client.statuses[a.id] = StatusResult(uuid=a.id, status="approved")
    client.statuses[b.id] = StatusResult(uuid=b.id, status="changes_requested", message="Ajoutez une source")
    report = box.sync(client)
    assert report.refreshed == {a.id: "approved", b.id: "changes_requested"}
    assert box.get(b.id).message == "Ajoutez une source"
    with pytest.raises(SubmissionConflict):
        box.revise(a)  # approved: final
    fixed = b.model_copy(update={"proposal": b.proposal.model_copy(update={"dates": "1850"})})
    item = box.revise(fixed)
    assert item.status == "queued" and item.submission.proposal.dates == "1850"
    assert box.counts() == {"approved": 1, "queued": 1}


_BURST = textwrap.dedent("""
    import sys, uuid
    sys.path[:0] = [{root!r}, {tests!r}]
    from contrib_support import make_jpeg, new_poi_doc
    from heritage_kit.submissions import Outbox, Submission
    box = Outbox(sys.argv[1])
    photo = make_jpeg(320, 240)
    for i in range(100000):
        s = Submission.model_validate(new_poi_doc(name=f"Lavoir {{i}}"))
        box.enqueue(s, photos=[photo] if i % 4 == 0 else [])
        print(s.id, flush=True)
""")


def test_sigkill_during_a_burst_of_enqueues_loses_nothing_confirmed(tmp_path):
    db = tmp_path / "burst.sqlite"
    script = _BURST.format(root=str(ROOT), tests=str(pathlib.Path(__file__).parent))
    for round_ in range(3):  # kill at three different moments
        proc = subprocess.Popen([sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, text=True)
        confirmed: list[str] = []
        try:
            target = 15 + 10 * round_
            while len(confirmed) < target:
                line = proc.stdout.readline()
                assert line, "the burst process died early"
                confirmed.append(line.strip())
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            proc.stdout.close()
        box = Outbox(db)
        stored = {i.uuid for i in box.items()}
        assert set(confirmed) <= stored
        assert box.integrity_ok()
        for i in box.items():
            assert i.photo_count == len(i.submission.photos)  # never a half-written item
    assert len({i.uuid for i in box.items()}) == len(box.items())


def test_default_outbox_path_is_in_the_user_data_folder(monkeypatch, tmp_path):
    from heritage_kit.submissions import default_outbox_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_outbox_path()
    assert path == str(tmp_path / "data" / "heritage-kit" / "outbox.sqlite")
    with Outbox(path) as box:  # the folder is created on first use
        box.enqueue(sub())
        assert len(box.items()) == 1


def test_an_item_revised_while_it_is_being_sent_stays_queued_for_the_new_content(tmp_path):
    box = Outbox(tmp_path / "o.sqlite")
    s = sub()
    box.enqueue(s)
    fixed = s.model_copy(update={"proposal": s.proposal.model_copy(update={"dates": "1850"})})

    class RevisingClient(FakeClient):
        def submit(self, submission, photos):
            if self.calls == 0:
                box.revise(fixed)  # the user edits it during the upload
            return super().submit(submission, photos)

    client = RevisingClient()
    assert box.sync(client, refresh=False).sent == []
    item = box.get(s.id)
    assert item.status == "queued" and item.submission.proposal.dates == "1850"
    assert box.sync(client, refresh=False).sent == [s.id]


def test_sync_error_codes_for_apps_to_translate():
    from heritage_kit.errors import SyncError
    from heritage_kit.submissions.outbox import sync_error_code

    assert sync_error_code(SyncError("timeout")) == "unreachable"
    assert sync_error_code(SyncError("boom", status_code=503)) == "server_error"
    assert sync_error_code(SyncError("slow down", status_code=429, retry_after=30)) == "rate_limited"
    assert sync_error_code(SyncError("who?", transient=False, status_code=401)) == "unauthorised"
    assert sync_error_code(SyncError("no", transient=False, status_code=400)) == "refused"
