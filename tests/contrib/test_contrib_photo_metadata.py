"""Regression (red team, issue 15 item 2): malformed photo metadata never escapes as a raw exception.

A JPEG whose GPS directory holds a mistyped tag (GPSDifferential typed RATIONAL) together with an Orientation tag
made Pillow's ``exif_transpose`` raise ``struct.error``: on the phone ``Outbox.enqueue`` leaked it, the server
answered 500, and the client retried forever. Now the photo is re-encoded upright without metadata, any decoder
failure is a ``PhotoError``, the server answers 4xx for a refused photo, and the client never retries a permanent
refusal (checked against real servers on 127.0.0.1).
"""

from __future__ import annotations

import http.server
import io
import json
import struct
import threading
import uuid as uuidlib

import pytest
from PIL import Image, ImageOps

from contrib_support import ThreadServer, make_jpeg, new_poi_doc
from heritage_kit.errors import HeritageKitError, PhotoError, SubmissionError, SubmissionRefused
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app
from heritage_kit.submissions.client import InboxClient, new_device_token
from heritage_kit.submissions.model import Submission
from heritage_kit.submissions.outbox import Outbox
from heritage_kit.submissions.photos import sanitise_photo


def _exif_mistyped_gps(orientation: int = 6) -> bytes:
    """An EXIF APP1 payload: IFD0 = Orientation + GPS pointer; the GPS IFD's GPSDifferential (tag 30, SHORT in the
    standard) is typed RATIONAL."""
    ifd0_off, n0 = 8, 2
    gps_off = ifd0_off + 2 + n0 * 12 + 4
    data_off = gps_off + 2 + 12 + 4
    tiff = b"II*\x00" + struct.pack("<I", ifd0_off)
    tiff += struct.pack("<H", n0) + struct.pack("<HHII", 0x0112, 3, 1, orientation)
    tiff += struct.pack("<HHII", 0x8825, 4, 1, gps_off) + struct.pack("<I", 0)
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", 30, 5, 1, data_off) + struct.pack("<I", 0)
    tiff += struct.pack("<II", 3, 2)
    return b"Exif\x00\x00" + tiff


def mistyped_gps_jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(out, "JPEG")
    raw = out.getvalue()
    app1 = _exif_mistyped_gps()
    return raw[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + raw[2:]


def test_the_fixture_really_breaks_pillows_exif_transpose():
    with Image.open(io.BytesIO(mistyped_gps_jpeg())) as im:
        with pytest.raises(struct.error):
            ImageOps.exif_transpose(im)


def test_mistyped_gps_tag_with_orientation_is_turned_upright_without_metadata():
    clean = sanitise_photo(mistyped_gps_jpeg(40, 30))
    with Image.open(io.BytesIO(clean.data)) as im:
        assert im.size == (30, 40)  # orientation 6 still applied from the orientation tag alone
        assert not im.getexif() and "exif" not in im.info


@pytest.mark.parametrize("data", [
    b"\xff\xd8\xff\xe0" + b"\x00" * 50,  # JPEG magic, nothing behind
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\xff" * 13,  # absurd IHDR
    b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8,
])
def test_unreadable_content_is_a_photo_error(data):
    with pytest.raises(PhotoError) as info:
        sanitise_photo(data, field="photos.0")
    assert "photos.0" in info.value.errors


def test_outbox_enqueue_never_leaks_a_raw_exception(tmp_path):
    sub = Submission.model_validate(new_poi_doc())
    with Outbox(tmp_path / "o.sqlite") as outbox:
        item = outbox.enqueue(sub, photos=[mistyped_gps_jpeg()])  # the red team's photo: accepted, cleaned
        assert item.photo_count == 1
        with pytest.raises(PhotoError):
            outbox.enqueue(Submission.model_validate(new_poi_doc()), photos=[b"\xff\xd8\xff" + b"\x00" * 20])
        # six photos: the model's structural cap, once a raw pydantic ValidationError
        with pytest.raises(SubmissionError) as info:
            outbox.enqueue(Submission.model_validate(new_poi_doc()), photos=[make_jpeg(32, 32)] * 6)
        assert isinstance(info.value, HeritageKitError) and "photos" in info.value.errors


class _Counting:
    """ASGI wrapper counting the POSTs that reach the real app."""

    def __init__(self, app) -> None:
        self.app, self.posts = app, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            self.posts += 1
        await self.app(scope, receive, send)


def test_server_refuses_a_photo_with_422_and_the_outbox_does_not_retry(pack, tmp_path):
    storage = SqliteStorage(":memory:")
    # the server's pixel limit is below the device's: a photo the phone accepted is refused by the server
    app = _Counting(create_app(storage, pack, InboxSettings(max_photo_pixels=100)))
    with ThreadServer(app) as server:
        client = InboxClient(server.url, new_device_token(), timeout=(2.0, 10.0))
        with pytest.raises(SubmissionRefused) as info:
            client.submit(Submission.model_validate(new_poi_doc()), [make_jpeg(64, 64)])
        assert info.value.status_code == 422 and any(k.startswith("photos") for k in info.value.errors)
        app.posts = 0
        with Outbox(tmp_path / "o.sqlite", pack=pack) as outbox:
            item = outbox.enqueue(Submission.model_validate(new_poi_doc()), photos=[make_jpeg(64, 64)])
            report = outbox.sync(client, max_attempts=5, sleep=lambda s: None)
            assert report.refused == [item.uuid] and outbox.get(item.uuid).status == "rejected"
            assert app.posts == 1  # a permanent refusal is sent once
            outbox.sync(client, max_attempts=5, sleep=lambda s: None)
            assert app.posts == 1  # and never again
    storage.close()


class _Fixed(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.posts += 1
        body = json.dumps({"error": {"code": "x", "fr": "non", "en": "no"}}).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def fixed_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fixed)
    srv.daemon_threads, srv.posts, srv.status = True, 0, 400
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize(("status", "posts", "final"), [
    (400, 1, "rejected"), (404, 1, "rejected"), (409, 1, "rejected"), (410, 1, "rejected"), (413, 1, "rejected"),
    (415, 1, "rejected"), (422, 1, "rejected"), (401, 1, "queued"), (403, 1, "queued"),
    (408, 3, "queued"), (500, 3, "queued"), (503, 3, "queued"), (429, 1, "queued"),
])
def test_retry_policy_never_retries_a_permanent_refusal(fixed_server, tmp_path, status, posts, final):
    fixed_server.status, fixed_server.posts = status, 0
    client = InboxClient(f"http://127.0.0.1:{fixed_server.server_address[1]}", new_device_token(),
                         timeout=(2.0, 5.0))
    with Outbox(tmp_path / "o.sqlite") as outbox:
        item = outbox.enqueue(Submission(uuid=uuidlib.uuid4(), **{k: v for k, v in new_poi_doc().items()
                                                                   if k != "uuid"}))
        outbox.sync(client, max_attempts=3, sleep=lambda s: None, refresh=False)
        assert fixed_server.posts == posts
        assert outbox.get(item.uuid).status == final
        outbox.sync(client, max_attempts=3, sleep=lambda s: None, refresh=False)
        if final == "rejected":
            assert fixed_server.posts == posts  # final: never sent again
