"""Regression (red team, issue 15 items 3 and 8) against a real uvicorn server on 127.0.0.1.

Item 3: a JSON body is refused (413) once it crosses 256 KB, while it is still streaming (the rest is never read),
whatever its declared length; the number of bodies in flight is bounded (503 + Retry-After beyond it).
Item 8: a client cut off mid-upload is one short log line, rate-limited, without a traceback.
"""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest

from contrib_support import ThreadServer, make_jpeg, new_poi_doc
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app
from heritage_kit.inbox.limits import DisconnectLog

TOKEN = "device-token-limits-0123456789"


@pytest.fixture
def serve(pack):
    storages = []

    def start(**kw):
        storage = SqliteStorage(":memory:")
        storages.append(storage)
        return ThreadServer(create_app(storage, pack, InboxSettings(**kw)))

    yield start
    for s in storages:
        s.close()


def _open(port: int, ctype: str, *, chunked: bool = True, length: int | None = None) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = [f"POST /v1/submissions HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {TOKEN}",
            f"Content-Type: {ctype}"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    return s


_PART = b'--xyz\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _answer(s: socket.socket, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        part = s.recv(65536)
        if not part:
            break
        buf += part
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_a_chunked_json_body_is_refused_while_streaming(serve):
    with serve() as server:
        s = _open(server.port, "application/json")
        sent, status = 0, None
        for _ in range(64):  # up to 4 MB offered, in 64 KB chunks; the terminating chunk is never sent
            try:
                s.sendall(_chunk(b" " * 65536))
            except OSError:
                break  # the server closed the connection after answering
            sent += 65536
            s.settimeout(0.05)
            try:
                if s.recv(1, socket.MSG_PEEK):
                    break
            except (TimeoutError, BlockingIOError):
                continue
        status, headers, body = _answer(s)
        s.close()
        assert status == 413 and json.loads(body or b"{}").get("error", {}).get("code", "too_large") == "too_large"
        assert headers.get("connection") == "close"
        assert sent <= 256 * 1024 + 4 * 65536  # refused shortly after the limit, not after the whole body


def test_a_declared_length_above_the_json_limit_is_refused_before_reading(serve):
    with serve() as server:
        s = _open(server.port, "application/json", chunked=False, length=70 * 1024 * 1024)
        status, _, _ = _answer(s)  # nothing of the body was sent
        s.close()
        assert status == 413


def test_a_multipart_upload_may_carry_photos(serve):
    import requests

    with serve() as server:
        doc = new_poi_doc()
        files = [("submission", (None, json.dumps(doc), "application/json")),
                 ("photos", ("p.jpg", make_jpeg(1200, 900), "image/jpeg"))]
        r = requests.post(server.url + "/v1/submissions", files=files, timeout=20,
                          headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 201, r.text


def test_bodies_in_flight_are_bounded_with_retry_after(serve):
    with serve(max_bodies_in_flight=2, busy_retry_after_s=7) as server:
        slow = [_open(server.port, "multipart/form-data; boundary=xyz") for _ in range(2)]
        for s in slow:
            s.sendall(_chunk(b"--xyz\r\n"))
        time.sleep(0.3)  # both uploads are now inside the app, waiting for their bodies
        third = _open(server.port, "application/json")
        third.sendall(_chunk(b"{}") + b"0\r\n\r\n")
        status, headers, _ = _answer(third)
        third.close()
        assert status == 503 and headers.get("retry-after") == "7"
        for s in slow:
            s.close()
        time.sleep(0.3)
        again = _open(server.port, "application/json")
        again.sendall(_chunk(json.dumps(new_poi_doc()).encode()) + b"0\r\n\r\n")
        status, _, _ = _answer(again)
        again.close()
        assert status == 201  # the slots are free again


def test_a_client_cut_off_mid_upload_is_one_short_line(serve, caplog):
    caplog.set_level(logging.INFO)
    with serve(disconnect_log_interval_s=60.0) as server:
        for _ in range(5):
            s = _open(server.port, "multipart/form-data; boundary=xyz", chunked=False, length=5_000_000)
            s.sendall(_PART + b"x" * 20_000)
            time.sleep(0.1)
            s.close()  # the phone lost its signal
        time.sleep(0.5)
    ours = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(ours) == 1  # rate-limited: five disconnects, one line
    assert ours[0].exc_info is None and len(ours[0].getMessage()) < 160
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()
                or "Exception in ASGI" in r.getMessage()]


def test_disconnect_log_counts_what_it_skipped():
    lines, now = [], [0.0]

    class _L:
        def info(self, fmt, *args):
            lines.append(fmt % args)

    dl = DisconnectLog(_L(), interval=10.0, clock=lambda: now[0])
    for t in (0.0, 1.0, 2.0, 11.0):
        now[0] = t
        dl("POST", "/v1/submissions", 100)
    assert len(lines) == 2 and "+2 more" in lines[1]
