"""``heritage-kit inbox merchants list | revoke | reissue``: verified merchants from the server's terminal.

The operator of the server acts as an admin of every town (:class:`heritage_kit.inbox.merchants_admin.Operator`),
named in the audit log as ``cli:<name>`` (``--as NAME``, default the system user), like ``inbox review``:

* ``list [--status verified]`` — the shop claims of a status (``all``: every claim);
* ``revoke CLAIM_ID --reason TEXT`` — the merchant's token is refused from now on, their unpublished edits wait
  for a reviewer in the desk;
* ``reissue CLAIM_ID`` — prints a new token, once; the old one stops working at once.
"""

from __future__ import annotations

import argparse
import os

from heritage_kit.errors import ConfigurationError

__all__ = ["register"]

STATUSES = ("pending", "verified", "refused", "revoked")


def register(isub: argparse._SubParsersAction) -> None:
    """Add ``merchants`` to the ``inbox`` sub-commands."""
    m = isub.add_parser("merchants", help="verified merchants: list, revoke, reissue a token")
    msub = m.add_subparsers(dest="merchants_command", metavar="ACTION")
    msub.required = True

    def common(q):
        g = q.add_mutually_exclusive_group(required=True)
        g.add_argument("--db", help="SQLite inbox database")
        g.add_argument("--database", metavar="URL", help="postgresql://… or sqlite:///FILE")
        q.add_argument("--as", dest="moderator", default=None, help="your name for the audit log")

    ls = msub.add_parser("list", help="shop claims of a status (verified by default)")
    common(ls)
    ls.add_argument("--status", default="verified", choices=[*STATUSES, "all"])
    ls.set_defaults(func=cmd_list)
    rv = msub.add_parser("revoke", help="take a verified merchant's right back (their token is refused at once)")
    common(rv)
    rv.add_argument("claim_id", metavar="CLAIM_ID")
    rv.add_argument("--reason", required=True, help="why (kept in the audit log)")
    rv.set_defaults(func=cmd_revoke)
    ri = msub.add_parser("reissue", help="give a verified merchant a new token (printed once; the old one stops)")
    common(ri)
    ri.add_argument("claim_id", metavar="CLAIM_ID")
    ri.set_defaults(func=cmd_reissue)


def _admin(args):
    from heritage_kit.cli.inbox import _actor
    from heritage_kit.inbox.merchants import Merchants
    from heritage_kit.inbox.merchants_admin import MerchantAdmin, Operator
    from heritage_kit.inbox.storage import open_storage

    if args.db and not os.path.exists(args.db):
        raise ConfigurationError(f"{args.db}: no such inbox database")
    return MerchantAdmin(Merchants(open_storage(args.database or args.db))), Operator(_actor(args))


def cmd_list(args) -> int:
    admin, who = _admin(args)
    try:
        claims = admin.merchants.claims(who, None if args.status == "all" else args.status)
        if not claims:
            print(f"no shop claim ({args.status})")
        for c in claims:
            shop = c.poi_id or f"new shop {c.shop.get('name', '?')!r}"
            held = len(admin.held(c)) if c.status == "revoked" else 0
            print(f"{c.id}  {c.status:<8} {c.town:<12} {shop[:40]:<40} {c.email}  {c.created[:16]}"
                  + (f"  ⚠ {held} edit(s) waiting for a decision" if held else ""))
    finally:
        admin.store.s.close()
    return 0


def cmd_revoke(args) -> int:
    admin, who = _admin(args)
    try:
        claim = admin.revoke(who, args.claim_id, args.reason)
        held = len(admin.held(claim))
    finally:
        admin.store.s.close()
    print(f"{claim.id} revoked: its token is refused from now on"
          + (f"; {held} unpublished edit(s) wait for a decision in the desk" if held else ""))
    return 0


def cmd_reissue(args) -> int:
    admin, who = _admin(args)
    try:
        claim, token = admin.reissue(who, args.claim_id)
    finally:
        admin.store.s.close()
    print(f"{claim.id}: new merchant token (shown once; the old one no longer works):\n{token}")
    return 0
