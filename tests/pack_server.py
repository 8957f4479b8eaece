"""A real threaded HTTP server on 127.0.0.1 serving a publish folder, with injectable faults."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Faults:
    """What the next requests go through; each counter is used up one request at a time."""

    def __init__(self) -> None:
        self.drop = 0          # zip bodies cut after half the bytes (connection closed)
        self.corrupt = 0       # zip bodies with one byte flipped
        self.status_503 = 0    # requests answered 503 (Retry-After: 0)
        self.no_range = False  # ignore Range (always 200 with the whole file)
        self.on_zip = None     # callable run when a zip is requested (e.g. replace the index)
        self.rate = 0          # bytes per second for zip bodies (0: as fast as possible)
        self.lock = threading.Lock()
        self.ranges: list[str] = []

    def take(self, name: str) -> bool:
        with self.lock:
            n = getattr(self, name)
            if n:
                setattr(self, name, n - 1)
                return True
            return False


def make_handler(root: Path, faults: Faults):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):  # noqa: N802
            if faults.take("status_503"):
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = root / self.path.lstrip("/").split("?")[0]
            if not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            is_zip = path.suffix == ".zip"
            if is_zip and faults.on_zip:
                faults.on_zip()
            data = path.read_bytes()
            start = 0
            rng = self.headers.get("Range")
            if rng and not faults.no_range:
                faults.ranges.append(rng)
                start = int(rng.split("=")[1].split("-")[0])
            body = data[start:]
            if is_zip and faults.take("corrupt"):
                mid = len(body) // 2
                body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1:]
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if is_zip and faults.take("drop"):
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if is_zip and faults.rate:
                step = max(1024, faults.rate // 20)
                for i in range(0, len(body), step):
                    self.wfile.write(body[i:i + step])
                    self.wfile.flush()
                    time.sleep(step / faults.rate)
                return
            self.wfile.write(body)

    return Handler


class PackServer:
    def __init__(self, root: Path) -> None:
        self.faults = Faults()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root, self.faults))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
