"""SyncError leaves: what InboxClient raises for each failure, against a real local HTTP server."""

from __future__ import annotations

import http.server
import socket
import threading
import time
import uuid as uuidlib

import pytest

from heritage_kit.errors import (
    HeritageKitError,
    SyncBadAnswer,
    SyncError,
    SyncRateLimited,
    SyncServerError,
    SyncTimedOut,
    SyncUnauthorised,
    SyncUnreachable,
)
from heritage_kit.submissions.client import InboxClient, new_device_token
from heritage_kit.submissions.outbox import sync_error_code

UUID = str(uuidlib.UUID(int=7))


class _Handler(http.server.BaseHTTPRequestHandler):
    """``/v1/submissions/<uuid>`` answers with the status the server's ``plan`` holds."""

    def do_GET(self):  # noqa: N802
        status, headers, body = self.server.plan
        if status == "sleep":
            time.sleep(1.0)
            status = 200
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.plan = (200, {}, b"{}")
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _fail(server, status, headers=None, body=b'{"error": {"code": "x", "fr": "non", "en": "no"}}') -> SyncError:
    server.plan = (status, headers or {}, body)
    client = InboxClient(f"http://127.0.0.1:{server.server_address[1]}", new_device_token(), timeout=(1.0, 0.3))
    with pytest.raises(SyncError) as info:
        client.status(UUID)
    return info.value


@pytest.mark.parametrize(
    ("status", "leaf", "code", "transient"),
    [
        (429, SyncRateLimited, "rate_limited", True),
        (503, SyncServerError, "server_error", True),
        (500, SyncServerError, "server_error", True),
        (408, SyncUnreachable, "unreachable", True),
        (302, SyncUnreachable, "unreachable", True),
        (401, SyncUnauthorised, "unauthorised", False),
        (403, SyncUnauthorised, "unauthorised", False),
    ],
)
def test_each_http_failure_is_its_leaf_with_the_old_code(server, status, leaf, code, transient):
    exc = _fail(server, status, {"Retry-After": "7"})
    assert type(exc) is leaf
    assert exc.code == leaf.code == code == sync_error_code(exc)
    assert exc.transient is transient and exc.status_code == status
    assert isinstance(exc, HeritageKitError) and isinstance(exc, OSError)


def test_rate_limited_carries_retry_after(server):
    exc = _fail(server, 429, {"Retry-After": "120"})
    assert isinstance(exc, SyncRateLimited) and exc.retry_after == 120.0
    try:
        raise exc
    except SyncRateLimited as caught:  # what a caller writes instead of reading string codes
        assert caught.retry_after == 120.0


def test_unauthorised_is_a_permission_error(server):
    exc = _fail(server, 401)
    assert isinstance(exc, PermissionError) and not exc.transient


def test_timeout_and_refused_connection_are_unreachable(server):
    exc = _fail(server, "sleep")
    assert type(exc) is SyncTimedOut and isinstance(exc, TimeoutError) and exc.code == "unreachable"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = InboxClient(f"http://127.0.0.1:{port}", new_device_token(), timeout=(0.5, 0.5))
    with pytest.raises(SyncUnreachable) as info:
        client.status(UUID)
    assert isinstance(info.value, ConnectionError) and info.value.code == "unreachable"


def test_an_answer_that_is_not_the_api_is_a_bad_answer(server):
    exc = _fail(server, 200, body=b"<html>captive portal</html>")
    assert type(exc) is SyncBadAnswer and exc.code == "unreachable" and exc.transient


def test_a_bare_sync_error_keeps_its_derived_code():
    """Third-party clients may still raise a bare SyncError: its code is derived as before."""
    assert SyncError("timeout").code == "unreachable"
    assert SyncError("boom", status_code=503).code == "server_error"
    assert SyncError("slow", status_code=429).code == "rate_limited"
    assert SyncError("who?", transient=False, status_code=403).code == "unauthorised"
    assert SyncError("no", transient=False, status_code=400).code == "refused"
    assert sync_error_code(None) == "unreachable"
