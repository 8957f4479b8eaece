"""``heritage-kit inbox serve | publish | review``: the contributions inbox from the terminal.

Moderator keys for ``serve`` come from ``--moderator-keys FILE`` (JSON object
``{"name": "key"}``, or ``{"name": {"key": "…", "towns": ["perigueux"]}}`` for a key scoped to towns) or the environment variable ``HERITAGE_KIT_MODERATOR_KEYS``
(``name:key,name2:key2``). Without any, moderation over HTTP is refused and
moderators use ``inbox review`` on the server.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from heritage_kit.errors import ConfigurationError, SubmissionError

ENV_KEYS = "HERITAGE_KIT_MODERATOR_KEYS"
MIN_KEY_LENGTH = 16


def register(sub: argparse._SubParsersAction) -> None:
    inbox = sub.add_parser("inbox", help="residents' contributions: serve, publish, review")
    isub = inbox.add_subparsers(dest="inbox_command", metavar="ACTION")
    isub.required = True

    s = isub.add_parser("serve", help="run the inbox HTTP service (needs the 'server' extra)")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--db", help="SQLite database file (created if missing)")
    g.add_argument("--database", metavar="URL", help="postgresql://… (or sqlite:///FILE)")
    s.add_argument("--pack", required=True, action="append",
                   help="a town's current pack (folder or .zip); repeat for an inbox of several towns")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                   help="reverse proxy whose X-Forwarded-For/-Proto headers are believed (repeatable); "
                        "without it forwarded headers are ignored")
    s.add_argument("--moderator-keys", metavar="FILE", help=f"JSON {{name: key}}; else ${ENV_KEYS}")
    s.add_argument("--submissions-per-hour", type=float, default=60.0, metavar="N",
                   help="sustained submissions per device token (default 60)")
    s.add_argument("--burst", type=int, default=20, metavar="N",
                   help="submissions a device may send at once before the hourly rate applies (default 20)")
    s.add_argument("--address-burst", type=int, default=200, metavar="N",
                   help="submissions one client address may send at once, whatever its tokens (default 200; "
                        "sustained: 10x the per-device rate)")
    add_serve_scaling_options(s)
    s.set_defaults(func=cmd_serve)

    p = isub.add_parser("publish", help="write the next pack version with the approved contributions")
    pg = p.add_mutually_exclusive_group(required=True)
    pg.add_argument("--db", help="SQLite database file")
    pg.add_argument("--database", metavar="URL", help="postgresql://… or sqlite:///FILE")
    p.add_argument("--pack", required=True, help="the current pack (folder or .zip)")
    p.add_argument("--out", required=True, help="where to write the new pack (folder or .zip)")
    p.add_argument("--all", action="store_true",
                   help="re-apply every approved contribution, also those already published "
                        "(after the pack was rebuilt from its sources)")
    p.add_argument("--force", action="store_true", help="write the next version even with no new contribution")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it already exists (refused otherwise)")
    p.set_defaults(func=cmd_publish)

    r = isub.add_parser("review", help="moderate from the terminal: list, show, approve, reject")
    rsub = r.add_subparsers(dest="review_command", metavar="ACTION")
    rsub.required = True

    def common(q):
        q.add_argument("--db", required=True)
        q.add_argument("--pack", help="the current pack (checks edits against the town, shows target POIs)")
        q.add_argument("--as", dest="moderator", default=None, help="moderator name for the audit log")

    ls = rsub.add_parser("list", help="the queue (pending by default)")
    common(ls)
    ls.add_argument("--status", default="pending", choices=["pending", "approved", "rejected", "changes_requested",
                                                            "all"])
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(func=cmd_list)

    sh = rsub.add_parser("show", help="one submission with duplicate hints and its audit log")
    common(sh)
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true", help="print the full record as JSON")
    sh.add_argument("--save-photos", metavar="DIR", help="write the submission's photos there as JPEG files")
    sh.set_defaults(func=cmd_show)

    ap = rsub.add_parser("approve", help="approve (optionally correcting fields with --set)")
    common(ap)
    ap.add_argument("id")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="correct a field: name.fr=…, description.en=…, category=…, dates=…, location=LAT,LON")
    ap.set_defaults(func=cmd_approve)

    rj = rsub.add_parser("reject", help="reject with a reason shown to the contributor")
    common(rj)
    rj.add_argument("id")
    rj.add_argument("--reason", required=True)
    rj.set_defaults(func=cmd_reject)

    rc = rsub.add_parser("request-changes", help="send back to the contributor with what to change")
    common(rc)
    rc.add_argument("id")
    rc.add_argument("--reason", required=True)
    rc.set_defaults(func=cmd_request_changes)

    u = isub.add_parser("user", help="desk accounts: add, remove, passwd")
    usub = u.add_subparsers(dest="user_command", metavar="ACTION")
    usub.required = True

    def where(q):
        g = q.add_mutually_exclusive_group(required=True)
        g.add_argument("--db", help="SQLite database file")
        g.add_argument("--database", metavar="URL", help="postgresql://… or sqlite:///FILE")

    ua = usub.add_parser("add", help="create an account for given towns (password read from stdin)")
    ua.add_argument("name")
    ua.add_argument("--town", action="append", required=True, help="a town id the account moderates ('*': all)")
    ua.add_argument("--role", required=True, choices=["moderator", "admin", "town-centre manager"])
    ua.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
    where(ua)
    ua.set_defaults(func=cmd_user_add)
    ur = usub.add_parser("remove", help="delete an account and end its sessions")
    ur.add_argument("name")
    where(ur)
    ur.set_defaults(func=cmd_user_remove)
    up = usub.add_parser("passwd", help="set a new password (read from stdin) and end the account's sessions")
    up.add_argument("name")
    up.add_argument("--password-stdin", action="store_true", required=True)
    where(up)
    up.set_defaults(func=cmd_user_passwd)
    __import__("heritage_kit.cli.inbox_osm", fromlist=["register"]).register(isub)  # inbox osm-changes
    __import__("heritage_kit.cli.inbox_merchants", fromlist=["register"]).register(isub)  # inbox merchants


# -- helpers -----------------------------------------------------------------------
def load_moderator_keys(path: str | None, environ: dict | None = None) -> dict[str, str]:
    """``{key: moderator name}`` from a JSON file ``{name: key}`` or ``name:key,…`` in the environment."""
    environ = os.environ if environ is None else environ
    pairs: dict[str, str] = {}
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except ValueError as exc:
            raise ConfigurationError(f"{path}: not a JSON object of name -> key ({exc})") from None
        if not isinstance(doc, dict) or not all(isinstance(v, str) or isinstance(_scoped_key(v), str)
                                                for v in doc.values()):
            raise ConfigurationError(f"{path}: must be a JSON object of name -> key (or -> {{key, towns}})")
        pairs = {str(k): v if isinstance(v, str) else _scoped_key(v) for k, v in doc.items()}
    elif environ.get(ENV_KEYS):
        for item in environ[ENV_KEYS].split(","):
            name, sep, key = item.strip().partition(":")
            if not sep or not name or not key:
                raise ConfigurationError(f"${ENV_KEYS}: entries are name:key separated by commas")
            pairs[name] = key
    short = [n for n, k in pairs.items() if len(k) < MIN_KEY_LENGTH]
    if short:
        raise ConfigurationError(f"moderator key of {short[0]!r} is shorter than {MIN_KEY_LENGTH} characters")
    return {k: n for n, k in pairs.items()}


def _scoped_key(value) -> str | None:
    """The key of a ``{"key": "...", "towns": ["perigueux"]}`` entry (a machine key scoped to towns)."""
    if isinstance(value, dict) and isinstance(value.get("key"), str) and isinstance(value.get("towns"), list) \
            and value["towns"] and all(isinstance(t, str) and t for t in value["towns"]):
        return value["key"]
    return None


def load_moderator_key_towns(path: str | None) -> dict[str, list[str]]:
    """``{moderator name: towns}`` for the keys of the JSON file given with towns (the others: every town)."""
    if not path:
        return {}
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    return {str(k): list(v["towns"]) for k, v in doc.items() if _scoped_key(v) is not None}


def _service(args):
    from heritage_kit.inbox import InboxService, SqliteStorage

    pack = None
    if getattr(args, "pack", None):
        from heritage_kit.packs import load_pack

        pack = load_pack(args.pack)
    if not os.path.exists(args.db):
        raise ConfigurationError(f"{args.db}: no such inbox database")
    return InboxService(SqliteStorage(args.db), pack)


def _actor(args) -> str:
    name = args.moderator
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name available
            name = "unknown"
    return f"cli:{name}"


def parse_set(items: list[str]) -> dict:
    """``["name.fr=Lavoir", "location=45.1,0.7"]`` → proposal edits."""
    edits: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigurationError(f"--set {item!r}: expected FIELD=VALUE")
        head, _, lang = key.partition(".")
        if head in ("name", "description"):
            if not lang:
                raise ConfigurationError(f"--set {key}: give the language, e.g. {head}.fr=…")
            edits.setdefault(head, {})[lang] = value
        elif head in ("category", "dates") and not lang:
            edits[head] = value
        elif head == "location" and not lang:
            try:
                lat, lon = (float(x) for x in value.split(","))
            except ValueError:
                raise ConfigurationError("--set location=LAT,LON (decimal degrees)") from None
            edits["location"] = {"lat": lat, "lon": lon}
        else:
            raise ConfigurationError(f"--set {key}: not an editable field "
                                     "(name.LANG, description.LANG, category, dates, location)")
    return edits


# -- commands ------------------------------------------------------------------------
def cmd_serve(args) -> int:
    try:
        import uvicorn  # noqa: F401

        from heritage_kit.inbox.app import create_app  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ConfigurationError(f"inbox serve needs the 'server' extra (pip install heritage-kit[server]): {exc}")
    from heritage_kit.inbox.serving import ServeConfig, check_packs_dir
    from heritage_kit.packs import load_pack

    options = uvicorn_options(args)  # bad serve options are refused before anything is opened
    if args.publish_dir:
        check_packs_dir(args.publish_dir)
    packs = [load_pack(p) for p in args.pack]
    keys = load_moderator_keys(args.moderator_keys)
    if not keys:
        print("heritage-kit: no moderator key: moderation over HTTP is disabled (use 'inbox review')",
              file=sys.stderr)
    if args.submissions_per_hour <= 0 or args.burst < 1 or args.address_burst < 1:
        raise ConfigurationError("--submissions-per-hour must be > 0, --burst and --address-burst >= 1")
    settings = dict(moderator_keys=keys, submissions_per_hour=args.submissions_per_hour,
                    submission_burst=args.burst, address_burst=args.address_burst,
                    address_submissions_per_hour=10 * args.submissions_per_hour,
                    moderator_key_towns=load_moderator_key_towns(args.moderator_keys))
    desk_dir = os.path.join(os.path.dirname(os.path.abspath(args.db)) if args.db else os.getcwd(), "published")
    cfg = ServeConfig(database=args.database or args.db, packs=[os.path.abspath(p) for p in args.pack],
                      settings=settings, desk_dir=desk_dir, workers=args.workers,
                      packs_dir=os.path.abspath(args.publish_dir) if args.publish_dir else None)
    towns = ", ".join(f"{p.manifest.town_name} (pack v{p.manifest.version})" for p in packs)
    where = f"http://{args.host}:{args.port}{options['root_path']}"
    print(f"inbox for {towns} on {where} (desk: {options['root_path']}/desk/"
          + (f", packs: {options['root_path']}/packs/" if cfg.packs_dir else "")
          + (f"; {args.workers} workers" if args.workers > 1 else "") + ")", file=sys.stderr, flush=True)
    return run_server(cfg, options)


# -- serve: workers, root path, forwarded headers, publish folder (issue 22 item 8, issue 17) --------------
def add_serve_scaling_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes (default 1); with N > 1 the rate limits are kept in the database "
                        "so that they hold across processes")
    s.add_argument("--root-path", default="", metavar="PATH",
                   help="the path prefix under which a reverse proxy publishes the inbox (e.g. /inbox)")
    s.add_argument("--proxy-headers", action="store_true",
                   help="believe X-Forwarded-For/-Proto, only from the --trusted-proxy addresses (required)")
    s.add_argument("--publish-dir", metavar="DIR",
                   help="a publish folder ('pack publish --to DIR') served under /packs/ for the phones' "
                        "updates; the desk's Publish adds each new version to it")


def uvicorn_options(args) -> dict:
    """uvicorn's keyword arguments for the serve options, checked (bad values: ConfigurationError)."""
    if not 1 <= args.workers <= 64:
        raise ConfigurationError("--workers must be between 1 and 64")
    root = args.root_path.rstrip("/")
    if root and (not root.startswith("/") or "//" in root or any(c in root for c in "?#\\ ")):
        raise ConfigurationError(f"--root-path {args.root_path!r}: a path starting with '/' (e.g. /inbox)")
    if args.proxy_headers and not args.trusted_proxy:
        raise ConfigurationError("--proxy-headers needs --trusted-proxy ADDRESS: forwarded headers are believed "
                                 "only from the reverse proxy")
    trusted = bool(args.trusted_proxy)
    return dict(host=args.host, port=args.port, log_level="warning", server_header=False, root_path=root,
                proxy_headers=trusted, forwarded_allow_ips=args.trusted_proxy if trusted else None)


def run_server(cfg, options: dict) -> int:
    """uvicorn in this process (one worker) or a supervisor of ``cfg.workers`` processes built by the factory."""
    import tempfile

    import uvicorn

    from heritage_kit.inbox.serving import ENV_CONFIG, build_app, run_workers, settle, write_config

    if cfg.workers == 1:
        app = build_app(cfg)
        settle()
        uvicorn.run(app, **options)
        return 0
    build_app(cfg).state.inbox.storage.close()  # migrate once, and fail here rather than in every worker
    with tempfile.TemporaryDirectory(prefix="hk-inbox-") as tmp:
        os.environ[ENV_CONFIG] = str(write_config(cfg, os.path.join(tmp, "serve.json")))
        run_workers(options, cfg.workers)
    return 0


def cmd_publish(args) -> int:
    from heritage_kit.inbox import publish
    from heritage_kit.i18n import desk_text as text
    from heritage_kit.inbox.storage import open_storage

    if args.db and not os.path.exists(args.db):
        raise ConfigurationError(f"{args.db}: no such inbox database")
    # lock: a desk publish of the same town (any worker) and this one exclude each other (PublishLocked: exit 1)
    storage = open_storage(args.db or args.database)
    try:
        result = publish(storage, args.pack, args.out, actor=f"cli:{_actor_name()}", include_published=args.all,
                         write_empty=args.force, lock=True, overwrite=args.overwrite)
    finally:
        storage.close()
    m = result.pack.manifest
    for uuid, why in result.skipped.items():
        print(f"  skipped {uuid}: {why}")
    if result.out is None:
        print(" / ".join(text("publish.cli_nothing", lang, town=m.town_name) for lang in ("fr", "en")))
        return 0
    print(f"{m.town_name}: pack v{m.version} written to {args.out} with {len(result.applied)} contribution(s)")
    return 0


def _actor_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


def _title(st) -> str:
    name = st.submission.proposal.name or {}
    text = name.get("fr") or name.get("en") or next(iter(name.values()), "")
    return text or (st.submission.target or "")


def cmd_list(args) -> int:
    svc = _service(args)
    status = None if args.status == "all" else args.status
    items = svc.queue(status=status, limit=args.limit)
    if not items:
        print(f"no submission ({args.status})")
        return 0
    for st in items:
        hints = f"  ⚠ {len(st.duplicate_hints)} possible duplicate(s)" if st.duplicate_hints else ""
        print(f"{st.uuid}  {st.status:<17} {st.submission.kind:<7} {_title(st)[:40]:<40} "
              f"by {st.submission.contributor}  {st.created[:16]}  photos {st.photo_count}{hints}")
    return 0


def cmd_show(args) -> int:
    svc = _service(args)
    d = svc.detail(args.id)
    if args.save_photos:
        os.makedirs(args.save_photos, exist_ok=True)
        for p in svc.storage.photos(d["uuid"]):
            path = os.path.join(args.save_photos, f"{d['uuid']}-{p.n}.jpg")
            with open(path, "wb") as fh:
                fh.write(p.data)
            print(f"photo #{p.n} written to {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=1))
        return 0
    from heritage_kit.cli.inbox_show import format_detail

    print(format_detail(d))
    return 0


def cmd_approve(args) -> int:
    svc = _service(args)
    edits = parse_set(args.set) or None
    try:
        st = svc.approve(args.id, actor=_actor(args), edits=edits)
    except SubmissionError as exc:
        raise SubmissionError(f"edits refused: {exc}") from None
    print(f"{st.uuid} approved" + (" with edits" if edits else ""))
    return 0


def cmd_reject(args) -> int:
    st = _service(args).reject(args.id, actor=_actor(args), reason=args.reason)
    print(f"{st.uuid} rejected")
    return 0


def cmd_request_changes(args) -> int:
    st = _service(args).request_changes(args.id, actor=_actor(args), reason=args.reason)
    print(f"{st.uuid} sent back to the contributor")
    return 0


# -- accounts --------------------------------------------------------------------------
def _account_storage(args):
    from heritage_kit.inbox.storage import open_storage

    return open_storage(args.database or args.db)


def _read_password() -> str:
    line = sys.stdin.readline()
    if not line:
        raise ConfigurationError("--password-stdin: no password on standard input")
    return line.rstrip("\r\n")


def cmd_user_add(args) -> int:
    from heritage_kit.inbox import accounts

    accounts.check_name(args.name)
    accounts.check_role(args.role, args.town)
    password_hash = accounts.hash_password(_read_password())
    storage = _account_storage(args)
    storage.add_account(args.name, password_hash=password_hash, role=args.role, towns=tuple(args.town))
    storage.record_audit(f"cli:{_actor_name()}", "account_added",
                         detail={"account": args.name, "role": args.role, "towns": list(args.town)})
    print(f"account {args.name} ({args.role}) for {', '.join(args.town)} created")
    return 0


def cmd_user_remove(args) -> int:
    storage = _account_storage(args)
    storage.delete_sessions_of(args.name)
    if not storage.remove_account(args.name):
        raise ConfigurationError(f"no account named {args.name!r}")
    storage.record_audit(f"cli:{_actor_name()}", "account_removed", detail={"account": args.name})
    print(f"account {args.name} removed")
    return 0


def cmd_user_passwd(args) -> int:
    from heritage_kit.inbox import accounts

    password_hash = accounts.hash_password(_read_password())
    storage = _account_storage(args)
    if not storage.set_password(args.name, password_hash):
        raise ConfigurationError(f"no account named {args.name!r}")
    storage.delete_sessions_of(args.name)
    storage.record_audit(f"cli:{_actor_name()}", "password_changed", detail={"account": args.name})
    print(f"password of {args.name} changed; its sessions are signed out")
    return 0
