"""The desk's "Publish" across real worker processes (``inbox serve --workers 2``) on SQLite and PostgreSQL.

Two admins press Publish for one town at the same moment, each on a connection held by a different worker
(found with ``ss``), while the test hook ``HERITAGE_KIT_TEST_PUBLISH_HOLD_S`` keeps the publish inside its locked
section long enough for the race to be real: exactly one new version, the other answered 409 with who and when.
A terminal publish meanwhile is refused; publishing again changes nothing; the next publish on the other worker
builds on the version just written. With the lock switched off (the second hook) the same race lets both
publishers write a version 2: the test that shows what the lock is for.
"""

from __future__ import annotations

import http.client
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import requests

from heritage_kit.inbox import publish_lock
from heritage_kit.inbox.storage import open_storage
from heritage_kit.packs import load_pack

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "contrib"))
from contrib_support import ServeCli, new_poi_doc  # noqa: E402
from test_serve_workers import _cookies, workers_of  # noqa: E402

PERIGUEUX = ROOT / "content" / "perigueux"
PASSWORD = "a long password"
HOLD_S = 2.0
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2) to see which worker holds "
                                                                    "a connection")]


def _where(engine: str, tmp_path, request) -> tuple[list[str], str]:
    if engine == "sqlite":
        path = str(tmp_path / "inbox.sqlite")
        return ["--db", path], path
    url = request.getfixturevalue("pg_database")
    return ["--database", url], url


def _setup(target: str, n: int = 1) -> tuple[object, list[str]]:
    """The database with two admins of Périgueux and ``n`` approved new places."""
    from heritage_kit.inbox import accounts

    storage = open_storage(target)
    for name in ("max", "lou"):
        storage.add_account(name, password_hash=accounts.hash_password(PASSWORD), role="admin", towns=("perigueux",))
    return storage, [_approve(storage, f"Lavoir {i}") for i in range(n)]


_PACK: list = []


def _approve(storage, name: str) -> str:
    """A new place submitted for Périgueux and approved."""
    from heritage_kit.inbox import InboxService

    if not _PACK:
        _PACK.append(load_pack(PERIGUEUX))
    doc = new_poi_doc(name)
    st, _ = InboxService(storage, _PACK[0]).submit(f"device-token-publish-{doc['uuid'][:8]}", doc)
    storage.moderate(st.uuid, "approve", actor="desk:max")
    return st.uuid


def _sign_in(url: str, name: str) -> tuple[str, str]:
    """(Cookie header of a desk session, its CSRF token)."""
    page = requests.get(url + "/desk/sign-in", timeout=30)
    pre = _cookies(page)["hk_desk_pre"][0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = requests.post(url + "/desk/sign-in", data={"username": name, "password": PASSWORD, "csrf": csrf},
                      headers={"Cookie": f"hk_desk_pre={pre}"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    cookie = f"hk_desk={_cookies(r)['hk_desk'][0]}; hk_lang=en"
    pub = requests.get(url + "/desk/publish?town=perigueux", headers={"Cookie": cookie}, timeout=30)
    return cookie, re.search(r'name="csrf" value="([^"]+)"', pub.text).group(1)


def _worker_of(port: int, local_port: int) -> int | None:
    out = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} and dport = :{local_port} )"],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"pid=(\d+),", out)
    return int(m.group(1)) if m else None


def one_connection_per_worker(port: int, server_pid: int) -> list[http.client.HTTPConnection]:
    """A kept-alive connection accepted by each worker (new connections until every worker holds one)."""
    workers = set(workers_of(server_pid))
    held: dict[int, http.client.HTTPConnection] = {}
    for _ in range(64):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/v1/health")  # answered: so the connection was accepted by a worker
        conn.getresponse().read()
        pid = _worker_of(port, conn.sock.getsockname()[1])
        if pid in workers and pid not in held:
            held[pid] = conn
        else:
            conn.close()
        if len(held) == len(workers):
            _OPEN.extend(held.values())
            return list(held.values())
    for conn in held.values():
        conn.close()
    raise AssertionError(f"no connection landed on every worker: {held}")


_OPEN: list[http.client.HTTPConnection] = []


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _OPEN:
        _OPEN.pop().close()


def _publish(conn: http.client.HTTPConnection, cookie: str, csrf: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"csrf": csrf, "town": "perigueux"})
    conn.request("POST", "/desk/publish", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    return resp.status, resp.read().decode("utf-8")


def _race(conns, sessions) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(conns))
    results: list = [None] * len(conns)

    def press(i):
        barrier.wait()
        results[i] = _publish(conns[i], *sessions[i])

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(conns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _serve(db_args, tmp_path, env_extra) -> ServeCli:
    (tmp_path / "packs").mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_extra}
    return ServeCli([*db_args, "--pack", str(PERIGUEUX), "--workers", "2", "--publish-dir",
                     str(tmp_path / "packs")], env=env, cwd=str(tmp_path))  # published/ beside the SQLite file or cwd


def _versions(tmp_path) -> list[str]:
    return sorted(os.listdir(tmp_path / "published")) if (tmp_path / "published").is_dir() else []


DONE = re.compile(r"Version (\d+) published: (perigueux-v\d+\.zip)")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_workers_publishing_one_town_at_once_make_one_version(engine, tmp_path, request):
    db_args, target = _where(engine, tmp_path, request)
    storage, (first,) = _setup(target)
    try:
        with _serve(db_args, tmp_path, {publish_lock.ENV_HOLD: str(HOLD_S)}) as inbox:
            url = f"http://127.0.0.1:{inbox.port}"
            sessions = [_sign_in(url, "max"), _sign_in(url, "lou")]
            conns = one_connection_per_worker(inbox.port, inbox.proc.pid)
            results = _race(conns, sessions)
            codes = sorted(code for code, _ in results)
            assert codes == [200, 409], [(c, t[-600:]) for c, t in results]
            done = next(text for code, text in results if code == 200)
            refused = next(text for code, text in results if code == 409)
            assert DONE.search(done).groups() == ("2", "perigueux-v2.zip")
            assert re.search(r"A publish of Périgueux is under way, started by desk:(max|lou) at "
                             r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; try again in a moment\.", refused), refused
            assert 'role="alert"' in refused and 'name="csrf"' in refused  # and the Publish button is still there
            assert _versions(tmp_path) == ["perigueux-v2.zip"]
            assert len([n for n in os.listdir(tmp_path / "packs") if re.match(r"perigueux-2-.*\.zip$", n)]) == 1
            assert storage.get(first).published_version == 2
            assert [e.action for e in storage.audit(first)].count("publish") == 1
            assert publish_lock.holder(storage, "perigueux") is None  # released

            # pressing Publish again (on both workers, one of which may still serve v1): nothing new, no v3
            conns = one_connection_per_worker(inbox.port, inbox.proc.pid)  # fresh: uvicorn drops idle ones after 5 s
            for conn, session in zip(conns, sessions):
                code, text = _publish(conn, *session)
                assert code == 200 and "Nothing new to publish." in text and not DONE.search(text)
            assert _versions(tmp_path) == ["perigueux-v2.zip"]

            # a desk publish holds the lock: the terminal's publish is refused (message, exit 1, no traceback)
            second = _approve(storage, "Fontaine du Greffe")
            conns = one_connection_per_worker(inbox.port, inbox.proc.pid)
            press = threading.Thread(target=lambda: results.append(_publish(conns[0], *sessions[0])))
            press.start()
            deadline = time.monotonic() + 30
            while publish_lock.holder(storage, "perigueux") is None and time.monotonic() < deadline:
                time.sleep(0.05)
            cli = subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", "publish", *db_args, "--pack",
                                  str(PERIGUEUX), "--out", str(tmp_path / "cli.zip")],
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                                 timeout=60)
            press.join(timeout=60)
            assert cli.returncode == 1 and "Traceback" not in cli.stderr, cli.stderr
            assert "Une publication de Périgueux est en cours, lancée par desk:max" in cli.stderr
            assert "A publish of Périgueux is under way, started by desk:max" in cli.stderr
            assert not (tmp_path / "cli.zip").exists()
            code, text = results[-1]
            assert code == 200 and DONE.search(text).groups() == ("3", "perigueux-v3.zip"), text[-600:]
            # v3 was built on v2 on whichever worker served it: both contributions are in it
            v3 = load_pack(tmp_path / "published" / "perigueux-v3.zip")
            assert {f"hk:{first}", f"hk:{second}"} <= {p.id for p in v3.pois}
            assert _versions(tmp_path) == ["perigueux-v2.zip", "perigueux-v3.zip"]
    finally:
        storage.close()


def test_without_the_lock_both_workers_write_a_version_2(tmp_path, request):
    """The same race with the lock switched off: both publishers are told they published version 2 (two pack
    versions 2 written, one over the other) — what the lock prevents."""
    db_args, target = _where("sqlite", tmp_path, request)
    storage, (first,) = _setup(target)
    try:
        env = {publish_lock.ENV_HOLD: str(HOLD_S), publish_lock.ENV_LOCK: "off"}
        with _serve(db_args, tmp_path, env) as inbox:
            url = f"http://127.0.0.1:{inbox.port}"
            sessions = [_sign_in(url, "max"), _sign_in(url, "lou")]
            conns = one_connection_per_worker(inbox.port, inbox.proc.pid)
            results = _race(conns, sessions)
            assert [code for code, _ in results] == [200, 200]
            assert [DONE.search(text).groups() for _, text in results] == [("2", "perigueux-v2.zip")] * 2
    finally:
        storage.close()
