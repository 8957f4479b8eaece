"""Running the inbox under uvicorn: one process or ``--workers N`` (adapter: files, environment, HTTP).

uvicorn starts each worker process from an import string, so the app is built by a factory,
:func:`app_from_env`, that reads a :class:`ServeConfig` from the JSON file named by
``$HERITAGE_KIT_INBOX_CONFIG`` (``inbox serve`` writes it, mode 0600: it holds the moderator keys).
With more than one worker the rate limits live in the database (``shared_rate_limits``), so they hold
in total. :func:`mount_packs_dir` serves a publish folder (``pack publish --to DIR``: ``index.json``,
pack zips, deltas) under ``/packs/`` so the phones' Towns screen can update from the inbox itself: the
index with a short cache lifetime, the content-addressed files as immutable; HTTP Range is answered.
Every process follows the desk's published versions (:class:`~heritage_kit.inbox.packwatch.PackWatch`).
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heritage_kit.errors import ConfigurationError

__all__ = ["ServeConfig", "ENV_CONFIG", "PACKS_PREFIX", "IMMUTABLE", "INDEX_CACHE", "build_app", "app_from_env",
           "mount_packs_dir", "write_config", "read_config", "settle", "run_workers", "reuseport_socket"]

ENV_CONFIG = "HERITAGE_KIT_INBOX_CONFIG"
PACKS_PREFIX = "/packs"
INDEX_CACHE = "public, max-age=60"  # a new version reaches the phones within a minute
IMMUTABLE = "public, max-age=31536000, immutable"  # <town>-<version>-<sha>.zip and deltas never change


@dataclass
class ServeConfig:
    """What one inbox process needs. ``settings`` are :class:`~heritage_kit.inbox.service.InboxSettings` fields;
    ``desk_dir`` is where the desk's "Publish" writes ``<town>-v<N>.zip``; ``packs_dir`` is served under ``/packs/``."""

    database: str
    packs: list[str]
    settings: dict[str, Any] = field(default_factory=dict)
    desk_dir: str | None = None
    packs_dir: str | None = None
    workers: int = 1


def write_config(cfg: ServeConfig, path: str | os.PathLike) -> Path:
    """Write ``cfg`` as JSON readable by its owner only (it carries the moderator keys)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dataclasses.asdict(cfg), fh, ensure_ascii=False)
    return path


def read_config(path: str | os.PathLike) -> ServeConfig:
    try:
        return ServeConfig(**json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"{path}: not an inbox serve configuration ({exc})") from None


def check_packs_dir(folder: str | os.PathLike) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigurationError(f"--publish-dir {folder}: no such folder (write it with 'pack publish --to')")
    return folder


def mount_packs_dir(app: Any, folder: str | os.PathLike, prefix: str = PACKS_PREFIX) -> None:
    """Serve the publish ``folder`` under ``prefix`` (read on every request: a new publish needs no restart)."""
    from starlette.staticfiles import StaticFiles

    folder = check_packs_dir(folder)

    class _PackFiles(StaticFiles):
        def file_response(self, full_path, stat_result, scope, status_code=200):
            resp = super().file_response(full_path, stat_result, scope, status_code)
            name = os.path.basename(str(full_path))
            resp.headers["Cache-Control"] = INDEX_CACHE if name.startswith("index.") else IMMUTABLE
            return resp

    app.mount(prefix, _PackFiles(directory=folder), name="packs")


def build_app(cfg: ServeConfig) -> Any:
    """The inbox app of ``cfg``: its storage opened (and migrated), its packs loaded — each town at the newest
    version the desk published into ``desk_dir``, if newer than the pack given — and ``packs_dir`` mounted."""
    from heritage_kit.inbox.app import create_app
    from heritage_kit.inbox.packwatch import PackWatch
    from heritage_kit.inbox.service import InboxSettings
    from heritage_kit.inbox.storage import open_storage
    from heritage_kit.packs import load_pack

    if cfg.packs_dir:
        check_packs_dir(cfg.packs_dir)
    packs = [load_pack(p) for p in cfg.packs]
    options = dict(cfg.settings)
    options.setdefault("shared_rate_limits", cfg.workers > 1)
    settings = InboxSettings(**options)
    storage = open_storage(cfg.database, town=packs[0].manifest.town_id)
    app = create_app(storage, packs, settings, publish_dir=cfg.desk_dir)
    ctx = app.state.inbox
    ctx.packs_dir = cfg.packs_dir
    if cfg.desk_dir:
        ctx.watch = PackWatch(cfg.desk_dir)
        ctx.watch.check(ctx, force=True)
    if cfg.packs_dir:
        mount_packs_dir(app, cfg.packs_dir)
    return app


def settle() -> None:
    """Before serving: collect once, then move everything alive (packs, FastAPI's routes and schemas: ~80,000
    objects) out of the cycle collector's reach, so that a full collection under load no longer walks them
    (a 20-25 ms pause every so often, straight into the p99 latency)."""
    gc.collect()
    gc.freeze()


def app_from_env() -> Any:
    """uvicorn's factory (``heritage_kit.inbox.serving:app_from_env``): the app of ``$HERITAGE_KIT_INBOX_CONFIG``,
    settled (:func:`settle`) since it is about to serve."""
    path = os.environ.get(ENV_CONFIG)
    if not path:
        raise ConfigurationError(f"${ENV_CONFIG} is not set (the inbox serve configuration file)")
    app = build_app(read_config(path))
    settle()
    return app


# -- several workers, each with its own listening socket ---------------------------------------------------------
def reuseport_socket(host: str, port: int) -> Any:
    """A listening-ready TCP socket on ``host:port`` with ``SO_REUSEPORT``: every worker binds its own, and the
    kernel spreads new connections over them (evenly, by hash). With one socket shared by the workers (uvicorn's
    default) the worker that wakes first accepts the whole backlog: 32 clients connecting at once all landed on
    one of two workers. ``TCP_NODELAY`` is set here since uvicorn does not set it on sockets it did not bind."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def _uvicorn_process_class() -> Any:
    from uvicorn.supervisors.multiprocess import Process

    class ReusePortProcess(Process):
        """uvicorn's worker process, serving a socket of its own (:func:`reuseport_socket`)."""

        def target(self, sockets: Any = None) -> None:  # runs in the worker
            super().target([reuseport_socket(self.config.host, self.config.port)])

    ReusePortProcess.__module__, ReusePortProcess.__qualname__ = __name__, "ReusePortProcess"
    return ReusePortProcess


def __getattr__(name: str) -> Any:  # the worker unpickles its process object by this name
    if name == "ReusePortProcess":
        cls = _uvicorn_process_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_workers(options: dict[str, Any], workers: int) -> None:
    """uvicorn's supervisor (restarts a dead worker, stops all on SIGTERM/SIGINT) over ``workers`` processes
    built by :func:`app_from_env`, each listening on its own ``SO_REUSEPORT`` socket."""
    import uvicorn
    from uvicorn.supervisors import multiprocess

    host, port = options["host"], options["port"]
    try:  # a port already taken (by another program) is refused here, not by every worker in a restart loop
        reuseport_socket(host, port).close()
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    config = uvicorn.Config("heritage_kit.inbox.serving:app_from_env", factory=True, workers=workers, **options)
    original = multiprocess.Process
    multiprocess.Process = __getattr__("ReusePortProcess")  # the supervisor builds its workers by this name
    try:
        multiprocess.Multiprocess(config, sockets=[]).run()
    finally:
        multiprocess.Process = original
