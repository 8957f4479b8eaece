"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, pg_ctl on 127.0.0.1 and a free port.

Debian's ``postgresql`` package (scripts/setup.sh) puts the binaries in
/usr/lib/postgresql/<major>/bin. As root, the cluster runs as ``nobody`` (PostgreSQL refuses
root) with the temp dir owned by it. Missing binaries fail the PostgreSQL tests, unless
``HK_SKIP_PG=1`` asks to skip them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    which = shutil.which("initdb")
    return os.path.dirname(which) if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            message = ("PostgreSQL binaries not found (install Debian's 'postgresql' package: scripts/setup.sh); "
                       "set HK_SKIP_PG=1 to skip the PostgreSQL tests")
            if os.environ.get("HK_SKIP_PG") == "1":
                pytest.skip(message)
            pytest.fail(message, pytrace=False)
        self.bin = bindir
        self.dir = tempfile.mkdtemp(prefix="hk-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            import pwd

            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            self._as = ["runuser", "-u", "nobody", "--"]
        self._run("initdb", "-D", self.data, "-U", "hk", "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                "-c max_connections=200 -c shared_buffers=64MB")
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "start")
        self._n = 0

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run([*self._as, os.path.join(self.bin, tool), *args], capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"{tool} failed: {proc.stderr or proc.stdout}")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://hk@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        import psycopg

        self._n += 1
        name = f"hk_test_{self._n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
