"""``heritage-kit inbox serve`` as a real process: ``--workers 2`` with limits that hold in total,
``--proxy-headers`` believed only from ``--trusted-proxy``, ``--root-path`` (API and desk), bad options
refused without a traceback."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

ROOT = pathlib.Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "tests" / "contrib"))
from contrib_support import ServeCli, free_port, new_poi_doc  # noqa: E402

PERIGUEUX = ROOT / "content" / "perigueux"
pytestmark = pytest.mark.slow
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def serve(tmp_path, *args: str) -> ServeCli:
    return ServeCli(["--db", str(tmp_path / "inbox.sqlite"), "--pack", str(PERIGUEUX), *args], env=ENV)


def workers_of(pid: int) -> list[int]:
    """The server processes under uvicorn's supervisor (spawn adds a resource tracker: not a server)."""
    with open(f"/proc/{pid}/task/{pid}/children") as fh:
        kids = [int(x) for x in fh.read().split()]
    out = []
    for kid in kids:
        with open(f"/proc/{kid}/cmdline", "rb") as fh:
            if b"resource_tracker" not in fh.read():
                out.append(kid)
    return out


def post(url: str, token: str, forwarded: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}  # a new connection each: both workers
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    return requests.post(url + "/v1/submissions", json=new_poi_doc(), headers=headers, timeout=30).status_code


def test_two_workers_share_one_limit(tmp_path):
    burst = 6
    with serve(tmp_path, "--workers", "2", "--burst", str(burst), "--submissions-per-hour", "1") as inbox:
        assert len(workers_of(inbox.proc.pid)) == 2
        url = f"http://127.0.0.1:{inbox.port}"
        with ThreadPoolExecutor(4) as pool:  # 4: within one worker's 4 bodies in flight (else 503)
            codes = list(pool.map(lambda _: post(url, "device-token-workers-0001"), range(40)))
        # two processes each with its own bucket would let up to 2 x burst through
        assert codes.count(201) == burst and codes.count(429) == 40 - burst, codes
        # and both workers did answer (the kernel spreads new connections over them)
        assert requests.get(url + "/v1/health", timeout=10).ok


def listening(port: int) -> int:
    """How many sockets listen on the port (one per worker)."""
    out = subprocess.run(["ss", "-tlnH", f"( sport = :{port} )"], capture_output=True, text=True).stdout
    return len(out.strip().splitlines())


def test_connections_opened_at_once_are_spread_over_the_workers(tmp_path):
    """Each worker listens on its own SO_REUSEPORT socket: a burst of connections does not all land on the
    worker that wakes first (as with one shared socket)."""
    import shutil
    import socket

    if shutil.which("ss") is None:
        pytest.skip("needs ss (iproute2) to see which process holds a connection")
    with serve(tmp_path, "--workers", "2") as inbox:
        workers = workers_of(inbox.proc.pid)
        deadline = time.monotonic() + 30  # /v1/health answered as soon as the first worker listened
        while listening(inbox.port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        conns = [socket.create_connection(("127.0.0.1", inbox.port)) for _ in range(32)]
        try:
            for c in conns:  # one request each, so that every connection has been accepted
                c.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            for c in conns:
                assert c.recv(64).startswith(b"HTTP/1.1 200")
            out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{inbox.port} )"],
                                 capture_output=True, text=True, check=True).stdout
            held = {pid: out.count(f"pid={pid},") for pid in workers}
            assert sum(held.values()) == 32 and min(held.values()) >= 4, held  # 32 over 2 by hash: never 0 or 1
        finally:
            for c in conns:
                c.close()


def test_a_taken_port_is_refused_clearly(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", "serve", "--db",
                               str(tmp_path / "i.sqlite"), "--pack", str(PERIGUEUX), "--port", str(port),
                               "--workers", "2"], env=ENV, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and f"cannot listen on 127.0.0.1:{port}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_forwarded_addresses_only_from_the_trusted_proxy(tmp_path):
    args = ("--address-burst", "3", "--proxy-headers", "--trusted-proxy", "127.0.0.1", "--root-path", "/inbox/")
    with serve(tmp_path, *args) as inbox:
        url = f"http://127.0.0.1:{inbox.port}"
        # the address limit counts the client behind the proxy, not the proxy
        codes = [post(url, f"device-token-proxy-{i:06d}", "203.0.113.7") for i in range(4)]
        assert codes == [201, 201, 201, 429]
        assert post(url, "device-token-proxy-other1", "203.0.113.8") == 201
        assert requests.get(url + "/openapi.json", timeout=10).json()["servers"] == [{"url": "/inbox"}]


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(tmp_path):
    with serve(tmp_path, "--address-burst", "2") as inbox:
        url = f"http://127.0.0.1:{inbox.port}"
        codes = [post(url, f"device-token-noproxy-{i:04d}", f"203.0.113.{i}") for i in range(3)]
        assert codes == [201, 201, 429]  # all from 127.0.0.1, whatever the header says


def _cookies(resp) -> dict[str, str]:
    """name -> (value, path) of a response's Set-Cookie headers (the desk's are Secure: requests would not send
    them back over http, so the test does)."""
    out = {}
    for raw in resp.raw.headers.getlist("set-cookie"):
        name, _, rest = raw.partition("=")
        value = rest.split(";")[0]
        path = re.search(r"[Pp]ath=([^;]+)", raw)
        out[name] = (value, path.group(1) if path else None)
    return out


def test_the_desk_under_a_root_path(tmp_path):
    from heritage_kit.inbox import accounts
    from heritage_kit.inbox.storage import open_storage

    storage = open_storage(str(tmp_path / "inbox.sqlite"))
    storage.add_account("ana", password_hash=accounts.hash_password("a long password"), role="admin",
                        towns=("perigueux",))
    storage.close()
    with serve(tmp_path, "--root-path", "/inbox") as inbox:
        # the proxy strips /inbox; every redirect and link the desk writes must carry it again
        url = f"http://127.0.0.1:{inbox.port}"
        doc = new_poi_doc("Lavoir du Greffe")
        assert requests.post(url + "/v1/submissions", json=doc, timeout=10,
                             headers={"Authorization": "Bearer device-token-rootpath-01"}).status_code == 201
        r = requests.get(url + "/desk", allow_redirects=False, timeout=10)
        assert (r.status_code, r.headers["location"]) == (303, "/inbox/desk/")
        r = requests.get(url + "/desk/queue", allow_redirects=False, timeout=10)
        assert r.headers["location"] == "/inbox/desk/sign-in"
        page = requests.get(url + "/desk/sign-in", timeout=10)
        assert 'action="/inbox/desk/sign-in"' in page.text and 'href="/inbox/desk/static/desk.css"' in page.text
        pre, pre_path = _cookies(page)["hk_desk_pre"]
        assert pre_path == "/inbox/desk"
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = requests.post(url + "/desk/sign-in", data={"username": "ana", "password": "a long password",
                                                       "csrf": csrf},
                          headers={"Cookie": f"hk_desk_pre={pre}"}, allow_redirects=False, timeout=10)
        assert (r.status_code, r.headers["location"]) == (303, "/inbox/desk/queue")
        session = {"Cookie": f"hk_desk={_cookies(r)['hk_desk'][0]}"}
        queue = requests.get(url + "/desk/queue", headers=session, timeout=10)
        assert queue.status_code == 200 and f'href="/inbox/desk/submissions/{doc["uuid"]}"' in queue.text
        assert 'href="/inbox/desk/queue" aria-current="page"' in queue.text  # the current page still marked
        pages = queue.text + requests.get(url + f"/desk/submissions/{doc['uuid']}", headers=session, timeout=10).text
        merchants = requests.get(url + "/desk/merchants", headers=session, timeout=10)  # an admin sees the claims
        assert merchants.status_code == 200 and 'href="/inbox/desk/merchants" aria-current="page"' in merchants.text
        claim = requests.get(url + "/merchants/claim", timeout=10)  # the merchants' public form
        assert claim.status_code == 200 and 'action="/inbox/merchants/claim"' in claim.text
        assert {path for _, path in _cookies(claim).values()} == {"/inbox/merchants"}
        pages += merchants.text + claim.text
        # no link, form or image of the desk outside the root path
        assert not re.findall(r'(?:href|action|src)="/(?!inbox/)', pages)


@pytest.mark.parametrize("args, words", [
    (("--proxy-headers",), "--trusted-proxy"),
    (("--workers", "0"), "--workers"),
    (("--root-path", "inbox"), "--root-path"),
    (("--publish-dir", "/nonexistent/pub"), "no such folder"),
])
def test_bad_serve_options_are_refused_clearly(tmp_path, args, words):
    proc = subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", "serve", "--db",
                           str(tmp_path / "i.sqlite"), "--pack", str(PERIGUEUX), "--port", str(free_port()), *args],
                          env=ENV, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
