"""Helpers shared by the contributions tests (and the subprocess they start)."""

from __future__ import annotations

import io
import socket
import uuid as _uuid

from PIL import Image

CENTRE = {"lat": 45.1836, "lon": 0.7216}  # Périgueux, near Saint-Front


def make_jpeg(width: int = 640, height: int = 480, *, gps: bool = True, orientation: int | None = None,
              colour=(180, 120, 60)) -> bytes:
    """A JPEG with EXIF (camera make, GPS position of Saint-Front, optional orientation)."""
    im = Image.new("RGB", (width, height), colour)
    # a marker in the top-left corner, to check orientation after transposition
    for x in range(width // 4):
        for y in range(height // 4):
            im.putpixel((x, y), (255, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Model 1"  # Model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (45.0, 11.0, 1.0), 3: "E", 4: (0.0, 43.0, 22.0), 5: 0, 6: 86.0}
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def new_poi_doc(name: str = "Lavoir de la rue Neuve", *, lat: float = 45.1850, lon: float = 0.7200,
                contributor: str = "Marie P.", uid: str | None = None) -> dict:
    return {
        "uuid": uid or str(_uuid.uuid4()),
        "kind": "new_poi",
        "proposal": {
            "name": {"fr": name},
            "description": {"fr": "Ancien lavoir couvert, restauré en 1998."},
            "category": "fountain",
            "location": {"lat": lat, "lon": lon},
            "dates": "XIXe siècle",
            "sources": [{"name": "Archives municipales", "url": "https://archives.perigueux.fr/lavoirs"}],
        },
        "contributor": contributor,
        "consent": True,
        "created": "2026-11-20T10:00:00+00:00",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a real HTTP server on 127.0.0.1, in a thread ------------------------------------
import random as _random
import threading
import time as _time
from collections import Counter


class ThreadServer:
    """uvicorn serving ``app`` on a free loopback port, in a daemon thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted sockets inherit it: uvicorn serving a socket it did not bind leaves Nagle on, and every
        # response then waits ~40 ms for the client's delayed ACK (uvicorn's own host/port sockets do not)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        deadline = _time.monotonic() + 15
        while not self.server.started:
            if _time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            _time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


class ServeCli:
    """The real ``heritage-kit inbox serve ARGS --port P`` in a subprocess on 127.0.0.1, waited for until
    ``/v1/health`` answers (its JSON in ``health``); stopped on exit. The process's stderr is the failure message."""

    def __init__(self, args, *, env=None, timeout_s: float = 60, cwd=None) -> None:
        self.args, self.env, self.timeout_s, self.cwd = list(args), env, timeout_s, cwd
        self.port = free_port()
        self.health: dict | None = None

    def __enter__(self):
        import json
        import subprocess
        import sys
        import urllib.request

        self.proc = subprocess.Popen([sys.executable, "-m", "heritage_kit", "inbox", "serve", *self.args,
                                      "--port", str(self.port)], stderr=subprocess.PIPE, text=True, env=self.env,
                                     cwd=self.cwd)
        deadline = _time.monotonic() + self.timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/health", timeout=2) as resp:
                    self.status, self.health = resp.status, json.load(resp)
                return self
            except OSError:
                if self.proc.poll() is not None or _time.monotonic() > deadline:
                    failure = self.proc.stderr.read() if self.proc.poll() is not None else "no answer"
                    self.__exit__()
                    raise AssertionError(failure)
                _time.sleep(0.3)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.proc.stderr.close()


class FaultProxy:
    """A TCP proxy on 127.0.0.1 that breaks ``rate`` of the connections it relays.

    Faults (chosen with a seeded RNG): ``reset`` (closed before anything is
    forwarded), ``drop`` (request forwarded and processed, response never
    relayed, connection closed), ``delay`` (response relayed after ``delay``
    seconds, beyond the client's read timeout), ``500`` (request processed,
    the response replaced by a 500). Clients must send ``Connection: close`` so
    that one connection carries one request.
    """

    KINDS = ("reset", "drop", "delay", "500")

    def __init__(self, upstream_port: int, *, rate: float = 0.3, seed: int = 6, delay: float = 1.0) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rate = rate
        self.delay = delay
        self.rng = _random.Random(seed)
        self.faults: Counter = Counter()
        self.connections = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.thread.join(5)
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self._stop:
                client.close()
                return
            with self._lock:
                self.connections += 1
                fault = self.rng.choice(self.KINDS) if self.rng.random() < self.rate else None
                if fault:
                    self.faults[fault] += 1
            threading.Thread(target=self._handle, args=(client, fault), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _handle(self, client: socket.socket, fault: str | None) -> None:
        import struct

        up = None
        try:
            if fault == "reset":
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            up = socket.create_connection(self.upstream, timeout=30)
            threading.Thread(target=self._pump, args=(client, up), daemon=True).start()
            if fault is None:
                self._pump(up, client)
                return
            response = b""
            while True:
                data = up.recv(65536)
                if not data:
                    break
                response += data
            up.close()
            if fault == "delay":
                _time.sleep(self.delay)
                client.sendall(response)
            elif fault == "500":
                client.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            elif fault == "drop":
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        finally:
            for s in (client, up):  # both ends, or the upstream socket leaks (a ResourceWarning)
                try:
                    if s is not None:
                        s.close()
                except OSError:
                    pass
