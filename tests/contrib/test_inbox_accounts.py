"""Desk accounts: argon2 hashes, town scoping, sessions, sign-in throttling, and the real ``inbox user`` CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

pytest.importorskip("argon2")

from heritage_kit.errors import AccountError  # noqa: E402
from heritage_kit.inbox import accounts  # noqa: E402
from heritage_kit.inbox.storage import open_storage  # noqa: E402


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_hash_verify_and_rehash():
    h = accounts.hash_password("correct horse battery")
    assert h.startswith("$argon2id$")
    assert accounts.verify_password(h, "correct horse battery")
    assert not accounts.verify_password(h, "correct horse batterz")
    assert not accounts.verify_password("not a hash", "x")
    assert not accounts.needs_rehash(h)
    with pytest.raises(AccountError):
        accounts.hash_password("short")


def test_town_scoping():
    from heritage_kit.inbox.storage import Account

    mod = Account("ana", "moderator", ("perigueux",), "h", "now")
    everyone = Account("root", "admin", ("*",), "h", "now")
    assert accounts.can_see(mod, "perigueux") and accounts.can_decide(mod, "perigueux")
    assert not accounts.can_see(mod, "monaco") and not accounts.can_decide(mod, "monaco")
    assert accounts.can_see(everyone, "monaco")


def test_sign_in_session_and_throttle(tmp_path):
    storage = open_storage(str(tmp_path / "inbox.db"))
    storage.add_account("ana", password_hash=accounts.hash_password("a long password"), role="moderator",
                        towns=("perigueux",))
    clock = [0.0]
    throttle = accounts.SignInThrottle(per_account=3, per_address=5, clock=lambda: clock[0])
    ok = accounts.sign_in(storage, throttle, "ana", "a long password", "10.0.0.1")
    assert isinstance(ok, accounts.NewSession)
    got = storage.get_session(accounts.token_hash(ok.token))
    assert got is not None and got.account == "ana" and got.csrf == ok.session.csrf
    assert storage.get_session(ok.token) is None  # only the hash is stored
    later = datetime.now(timezone.utc) + timedelta(hours=accounts.SESSION_HOURS + 1)
    assert storage.get_session(accounts.token_hash(ok.token), now=later) is None  # expired
    for _ in range(3):
        assert accounts.sign_in(storage, throttle, "ana", "wrong password", "10.0.0.1") is None
    wait = accounts.sign_in(storage, throttle, "ana", "a long password", "10.0.0.1")
    assert isinstance(wait, float) and wait > 0  # throttled even with the right password
    # another account from another address is not affected; the address bucket is separate
    assert accounts.sign_in(storage, throttle, "bob", "whatever12", "10.0.0.2") is None
    clock[0] += 3600
    assert isinstance(accounts.sign_in(storage, throttle, "ana", "a long password", "10.0.0.1"), accounts.NewSession)
    actions = [e.action for e in storage.audit()]
    assert actions.count("sign_in_failed") == 4 and actions.count("sign_in") == 2


def test_address_throttle_spans_account_names(tmp_path):
    storage = open_storage(str(tmp_path / "inbox.db"))
    throttle = accounts.SignInThrottle(per_account=100, per_address=3, clock=lambda: 0.0)
    for i in range(3):
        assert accounts.sign_in(storage, throttle, f"user{i}", "nope nope nope", "10.9.9.9") is None
    assert isinstance(accounts.sign_in(storage, throttle, "other", "nope nope nope", "10.9.9.9"), float)


def test_cli_user_add_passwd_remove(tmp_path):
    db = str(tmp_path / "inbox.db")
    r = cli("user", "add", "ana", "--town", "perigueux", "--town", "monaco", "--role", "moderator",
            "--password-stdin", "--db", db, stdin="a long password\n")
    assert r.returncode == 0, r.stderr
    acc = open_storage(db).get_account("ana")
    assert acc.role == "moderator" and set(acc.towns) == {"perigueux", "monaco"}
    assert accounts.verify_password(acc.password_hash, "a long password")
    r = cli("user", "add", "ana", "--town", "perigueux", "--role", "admin", "--password-stdin", "--db", db,
            stdin="a long password\n")
    assert r.returncode != 0 and "already exists" in r.stderr and "Traceback" not in r.stderr
    r = cli("user", "passwd", "ana", "--password-stdin", "--database", f"sqlite:///{db}", stdin="another password\n")
    assert r.returncode == 0, r.stderr
    assert accounts.verify_password(open_storage(db).get_account("ana").password_hash, "another password")
    assert cli("user", "remove", "ana", "--db", db).returncode == 0
    assert open_storage(db).get_account("ana") is None
    r = cli("user", "remove", "ana", "--db", db)
    assert r.returncode != 0 and "no account named 'ana'" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args,stdin,message", [
    (["--town", "perigueux", "--role", "moderator"], "short\n", "at least"),
    (["--town", "perigueux", "--role", "moderator"], "", "no password"),
    (["--town", "perigueux", "--role", "chief"], "a long password\n", "invalid choice"),
])
def test_cli_user_add_bad_input(tmp_path, args, stdin, message):
    r = cli("user", "add", "ana", *args, "--password-stdin", "--db", str(tmp_path / "i.db"), stdin=stdin)
    assert r.returncode != 0 and message in r.stderr and "Traceback" not in r.stderr


def test_cli_bad_account_name(tmp_path):
    r = cli("user", "add", "bad name!", "--town", "x", "--role", "admin", "--password-stdin",
            "--db", str(tmp_path / "i.db"), stdin="a long password\n")
    assert r.returncode != 0 and "account name" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_cli_serve_with_database_url_and_trusted_proxy(tmp_path):
    """The real ``inbox serve --database sqlite:///…  --trusted-proxy`` answers on loopback."""
    from pathlib import Path

    from contrib_support import ServeCli

    pack = Path(__file__).resolve().parents[2] / "content" / "monaco"
    with ServeCli(["--pack", str(pack), "--database", f"sqlite:///{tmp_path / 'inbox.db'}",
                   "--trusted-proxy", "127.0.0.1"]) as server:
        assert server.status == 200 and server.health
        assert (tmp_path / "inbox.db").exists()
