"""The per-town publish lock on both engines (``storage`` fixture: SQLite and a real PostgreSQL), in one process
and across processes (a real ``heritage-kit inbox publish`` killed while it holds the lock)."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from heritage_kit.errors import HeritageKitError, PublishLocked
from heritage_kit.inbox import publish_lock
from heritage_kit.inbox.publish_lock import LOCK_TTL_S, hold, holder

ROOT = pathlib.Path(__file__).resolve().parents[2]
PERIGUEUX = ROOT / "content" / "perigueux"


def test_a_second_publish_of_the_town_is_refused_with_who_and_when(storage):
    with hold(storage, "perigueux", actor="desk:ana", town_name="Périgueux") as me:
        with pytest.raises(PublishLocked) as refused:
            with hold(storage, "perigueux", actor="cli:max"):
                pytest.fail("entered a held lock")
        exc = refused.value
        assert (exc.town, exc.actor, exc.started) == ("perigueux", "desk:ana", me.started)
        assert isinstance(exc, HeritageKitError) and isinstance(exc, RuntimeError)
        at = publish_lock.shown_time(me.started)
        assert str(exc) == (f"Une publication de perigueux est en cours, lancée par desk:ana à {at} ; réessayez "
                            f"dans un moment. / A publish of perigueux is under way, started by desk:ana at {at}; "
                            "try again in a moment.")
        assert holder(storage, "perigueux").owner == me.owner
        with hold(storage, "monaco", actor="cli:max"):  # another town is not held up
            pass
    assert holder(storage, "perigueux") is None  # released at the end of the block
    with hold(storage, "perigueux", actor="cli:max"):  # and free again
        pass


def test_the_lock_is_released_when_the_publish_fails(storage):
    with pytest.raises(ZeroDivisionError):
        with hold(storage, "perigueux", actor="desk:ana"):
            1 / 0
    with hold(storage, "perigueux", actor="desk:max") as me:
        assert holder(storage, "perigueux").actor == me.actor == "desk:max"


def test_sqlite_takes_over_an_expired_lock_only(tmp_path):
    from heritage_kit.inbox.storage import open_storage

    storage = open_storage(str(tmp_path / "inbox.sqlite"))
    try:
        t0 = time.time()
        dead = hold(storage, "perigueux", actor="desk:ana", clock=lambda: t0)
        dead.__enter__()  # a publish whose process never comes back: its row stays
        with pytest.raises(PublishLocked):
            with hold(storage, "perigueux", actor="desk:max", clock=lambda: t0 + LOCK_TTL_S - 1):
                pass
        with hold(storage, "perigueux", actor="desk:max", clock=lambda: t0 + LOCK_TTL_S + 1) as me:
            assert holder(storage, "perigueux").owner == me.owner
            dead.__exit__(None, None, None)  # the first one ending late does not free the new holder's lock
            assert holder(storage, "perigueux").owner == me.owner
    finally:
        storage.close()


def _cli_publish(db_args: list[str], out: pathlib.Path, env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_extra}
    return subprocess.Popen([sys.executable, "-m", "heritage_kit", "inbox", "publish", *db_args, "--pack",
                             str(PERIGUEUX), "--out", str(out), "--force"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_holder(storage, town: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = holder(storage, town)
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError("the publish never took the lock")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_publisher_killed_while_holding_the_lock(engine, tmp_path, request):
    """A real ``inbox publish`` process holds the lock and is killed with SIGKILL: on PostgreSQL the server drops
    the advisory lock with its connection (the town is free at once); on SQLite its row stays until it expires,
    then it is taken over."""
    from heritage_kit.inbox.storage import open_storage

    where = str(tmp_path / "inbox.sqlite") if engine == "sqlite" else request.getfixturevalue("pg_database")
    storage = open_storage(where)
    db_args = ["--db", where] if engine == "sqlite" else ["--database", where]
    proc = _cli_publish(db_args, tmp_path / "v2.zip", {publish_lock.ENV_HOLD: "120"})
    try:
        dead = _wait_for_holder(storage, "perigueux")
        assert dead.actor.startswith("cli:")
        # while it lives, another terminal's publish is refused: a message and exit 1, no traceback
        other = _cli_publish(db_args, tmp_path / "other.zip", {})
        out, err = other.communicate(timeout=60)
        assert other.returncode == 1, (out, err)
        assert "Une publication de Périgueux est en cours, lancée par cli:" in err
        assert "A publish of Périgueux is under way" in err and "Traceback" not in err
        assert not (tmp_path / "other.zip").exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert not (tmp_path / "v2.zip").exists()
    try:
        if engine == "postgresql":
            # free as soon as the server notices the dead client's socket (its backend ends): within seconds,
            # not the TTL; on a loaded machine that is not always before the next statement
            deadline = time.monotonic() + 10.0
            while True:
                try:
                    with hold(storage, "perigueux", actor="desk:ana") as me:
                        assert holder(storage, "perigueux").owner == me.owner
                    break
                except PublishLocked:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        else:
            assert holder(storage, "perigueux") == dead  # the dead process's row is still there
            with pytest.raises(PublishLocked, match="cli:"):
                with hold(storage, "perigueux", actor="desk:ana"):
                    pass
            # the shared wall clock once the expiry has passed
            with hold(storage, "perigueux", actor="desk:ana", clock=lambda: dead.expires + 1) as me:
                assert holder(storage, "perigueux").owner == me.owner
        again = _cli_publish(db_args, tmp_path / "v2.zip", {})  # and a real publish goes through afterwards
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0 and "pack v" in out and (tmp_path / "v2.zip").exists(), (out, err)
    finally:
        storage.close()


def test_postgresql_frees_a_lock_held_by_a_hung_process_after_the_ttl(pg_database):
    """The lock's transaction sits idle while the pack is built: ``idle_in_transaction_session_timeout`` (the
    TTL) ends its session, so a hung publisher does not hold the town for ever; its late end raises nothing."""
    from heritage_kit.inbox.storage import open_storage

    storage = open_storage(pg_database)
    try:
        with hold(storage, "perigueux", actor="desk:ana", ttl=0.5):
            with pytest.raises(PublishLocked):
                with hold(storage, "perigueux", actor="desk:max"):
                    pass
            time.sleep(1.5)  # "hung" past the TTL: the server ended the lock's session
            with hold(storage, "perigueux", actor="desk:max") as me:
                assert holder(storage, "perigueux").owner == me.owner
    finally:
        storage.close()
