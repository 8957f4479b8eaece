"""A small load generator for the inbox (loopback only) and the real server it measures.

:class:`InboxProcess` runs the real app the way ``heritage-kit inbox serve --workers N`` does (uvicorn, the
``heritage_kit.inbox.serving:app_from_env`` factory, a 0600 config file) in a subprocess on 127.0.0.1, with the
rate limits raised so that the submit path itself is measured (with N > 1 they are still checked, in the
database: that cost is part of the figures). :func:`run_level` drives it from one asyncio thread with raw
keep-alive HTTP/1.1 connections (one per client; no ``requests`` overhead: on 2 cores the client's CPU is
taken from the server's), for a bounded time: JSON submissions without photos spread over the town
(``submit``), the same number of ``GET /v1/health`` round trips (``health``: the baseline of the HTTP stack), or
submissions with one 640x480 JPEG (``photo``: multipart, sanitised on the server).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid as _uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "content" / "perigueux"
TOWN_BOX = (45.1750, 45.1873, 0.7130, 0.7250)  # south, north, west, east: inside Périgueux's pack
DENSE_BOX = (45.1848, 45.1852, 0.7197, 0.7203)  # DENSE=1: every entry within ~60 m of every other (adversarial)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class InboxProcess:
    """uvicorn with ``workers`` processes serving ``database`` (a path or postgresql:// URL)."""

    def listening(self) -> int:
        """Sockets listening on the port (one per worker with ``run_workers``), from /proc/net/tcp."""
        with open("/proc/net/tcp") as fh:
            rows = [line.split() for line in fh.readlines()[1:]]
        return sum(1 for r in rows if r[1].endswith(f":{self.port:04X}") and r[3] == "0A")

    def __init__(self, database: str, *, workers: int = 1, in_flight: int = 256, **settings_extra) -> None:
        from heritage_kit.inbox.serving import ServeConfig, write_config

        big = 10.0 ** 9
        settings = dict(submissions_per_hour=big, submission_burst=10 ** 9, address_submissions_per_hour=big,
                        address_burst=10 ** 9, reads_per_hour=big, read_burst=10 ** 9, max_bodies_in_flight=in_flight,
                        **settings_extra)
        self.tmp = tempfile.mkdtemp(prefix="hk-bench-inbox-")
        self.config = write_config(ServeConfig(database=database, packs=[str(PACK)], settings=settings,
                                               workers=workers), Path(self.tmp) / "serve.json")
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        options = f"dict(host='127.0.0.1', port={self.port}, log_level='warning', access_log=False)"
        code = (f"from heritage_kit.inbox.serving import run_workers; run_workers({options}, {workers})" if workers > 1
                else "import uvicorn; uvicorn.run('heritage_kit.inbox.serving:app_from_env', factory=True, "
                     f"**{options})")  # as inbox serve does
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "PYTHONPATH": path, "HERITAGE_KIT_INBOX_CONFIG": str(self.config)}
        if workers > 1:  # migrate once before the workers start (as inbox serve does)
            subprocess.run([sys.executable, "-c", "from heritage_kit.inbox.serving import app_from_env as f; "
                            "f().state.inbox.storage.close()"], env=env, check=True)
        self.proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read())
            try:
                if requests.get(self.url + "/v1/health", timeout=1).ok and self.listening() >= self.workers:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the inbox did not start")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (the supervisor and its workers)."""
        tick = os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid]
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as fh:
                pids += [int(x) for x in fh.read().split()]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except OSError:
                continue
        return total / tick

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


def _head(method: str, port: int, token: str, ctype: str | None, length: int) -> bytes:
    lines = [f"{method} {'/v1/health' if method == 'GET' else '/v1/submissions'} HTTP/1.1",
             f"Host: 127.0.0.1:{port}", f"Authorization: Bearer {token}"]
    if ctype:
        lines += [f"Content-Type: {ctype}", f"Content-Length: {length}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _doc(rng: random.Random) -> dict:
    sys.path.insert(0, str(ROOT / "tests" / "contrib"))
    from contrib_support import new_poi_doc

    s, n, w, e = DENSE_BOX if os.environ.get("DENSE") == "1" else TOWN_BOX
    return new_poi_doc(f"Lavoir {rng.randrange(10 ** 6)}", lat=rng.uniform(s, n), lon=rng.uniform(w, e))


def requests_for(kind: str, port: int, client: int, n: int, rng: random.Random, jpeg: bytes = b"") -> list[bytes]:
    """``n`` ready-to-send requests of one client (its own device token)."""
    token = f"bench-device-{client:04d}-{_uuid.uuid4().hex[:12]}"
    out = []
    for _ in range(n):
        if kind == "health":
            out.append(_head("GET", port, token, None, 0))
        elif kind == "submit":
            body = json.dumps(_doc(rng), ensure_ascii=False).encode()
            out.append(_head("POST", port, token, "application/json", len(body)) + body)
        else:  # photo: multipart, the submission part and one JPEG
            b = f"hkbench{_uuid.uuid4().hex}"
            body = (f"--{b}\r\nContent-Disposition: form-data; name=\"submission\"\r\n\r\n"
                    f"{json.dumps(_doc(rng), ensure_ascii=False)}\r\n--{b}\r\nContent-Disposition: form-data; "
                    f"name=\"photos\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() \
                + jpeg + f"\r\n--{b}--\r\n".encode()
            out.append(_head("POST", port, token, f"multipart/form-data; boundary={b}", len(body)) + body)
    return out


async def _client(port: int, reqs: list[bytes], until: float, lat: list[float], codes: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for req in reqs:
            if time.perf_counter() >= until:
                break
            t = time.perf_counter()
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t)
            codes.append(int(head[9:12]))
            if b"connection: close" in head.lower():
                break
    finally:
        writer.close()


def run_level(port: int, clients: int, *, kind: str = "submit", seconds: float = 3.0, per_client: int = 2000,
              seed: int = 18, jpeg: bytes = b"", server: InboxProcess | None = None) -> dict:
    """``clients`` concurrent keep-alive clients for ``seconds`` (at most ``per_client`` requests each):
    requests/s, p50/p99 latency (ms), the HTTP status counts and, given the ``server``, its CPU ms per request
    (robust to other load on the machine, unlike the rate)."""
    rng = random.Random(seed + clients)
    work = [requests_for(kind, port, i, per_client, rng, jpeg) for i in range(clients)]
    lat: list[float] = []
    codes: list[int] = []

    async def main():
        t0 = time.perf_counter()
        await asyncio.gather(*(_client(port, w, t0 + seconds, lat, codes) for w in work))
        return time.perf_counter() - t0

    cpu0 = server.cpu_seconds() if server else 0.0
    wall = asyncio.run(main())
    cpu = (server.cpu_seconds() - cpu0) if server else float("nan")
    lat.sort()

    def pick(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    return {"kind": kind, "clients": clients, "requests": len(lat), "seconds": round(wall, 2),
            "per_s": round(len(lat) / wall, 1), "p50_ms": round(pick(0.50), 1), "p99_ms": round(pick(0.99), 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else float("nan"),
            "server_cpu_ms": round(cpu * 1000 / max(1, len(lat)), 2),
            "statuses": {str(c): codes.count(c) for c in sorted(set(codes))}}
