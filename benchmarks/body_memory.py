"""Peak memory of the inbox server under 10 parallel 70 MB bodies (issue 15 item 3).

Starts the inbox (``create_app`` under uvicorn) in a subprocess on 127.0.0.1 from the source tree given, sends
``--clients`` parallel chunked bodies of ``--mb`` MB each to ``POST /v1/submissions`` (JSON, then multipart), and
prints the server's resident memory at rest and its peak (``VmHWM`` from ``/proc``), in MB. Linux only.

    python benchmarks/body_memory.py --tree .            # this tree
    python benchmarks/body_memory.py --tree /work/main   # the baseline to compare with
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

SERVER = """
import sys, uvicorn
sys.path.insert(0, {tree!r})
from heritage_kit.packs import load_pack
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app
app = create_app(SqliteStorage(":memory:"), load_pack({pack!r}), InboxSettings(submission_burst=10**6,
                 address_burst=10**6))
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="critical", access_log=False)
"""


def _mem(pid: int) -> dict[str, float]:
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def _send(port: int, ctype: str, mb: int, results: list) -> None:
    chunk = b" " * (1024 * 1024)
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    head = (f"POST /v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer device-token-memory-0123456789\r\n"
            f"Content-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    sent = 0
    try:
        s.sendall(head)
        if ctype.startswith("multipart/"):  # one photo part of ``mb`` MB
            part = (b'--xyz\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
                    b"Content-Type: image/jpeg\r\n\r\n")
            s.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        for _ in range(mb):
            s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
        s.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server refused and closed: stop sending
    try:
        status = s.recv(64).split(b" ")[1].decode()
    except (OSError, IndexError):
        status = "closed"
    s.close()
    results.append((status, sent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", default=".")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--mb", type=int, default=70)
    args = ap.parse_args()
    tree = os.path.abspath(args.tree)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = SERVER.format(tree=tree, pack=os.path.join(tree, "content", "perigueux"), port=port)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tree)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        rest = _mem(proc.pid)["VmRSS"]
        report = {"tree": tree, "rest_mb": round(rest, 1)}
        for ctype in ("application/json", "multipart/form-data; boundary=xyz"):
            results: list = []
            threads = [threading.Thread(target=_send, args=(port, ctype, args.mb, results))
                       for _ in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            m = _mem(proc.pid)
            report[ctype.split(";")[0]] = {
                "peak_mb": round(m["VmHWM"], 1), "peak_over_rest_mb": round(m["VmHWM"] - rest, 1),
                "statuses": sorted({r[0] for r in results}), "seconds": round(time.perf_counter() - t0, 1),
                "mb_sent_per_client_max": round(max(r[1] for r in results) / 2**20, 1),
            }
        print(json.dumps(report, indent=1))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
