"""Where the inbox keeps shop claims and merchant edits (the tables of the merchants migration steps, v5 and v6).

:class:`MerchantStore` works over the inbox's own storage engine (its ``_tx`` write transaction and
``_read`` connection, ``?`` placeholders), so it runs on SQLite and PostgreSQL alike. Only the SHA-256 of
a merchant token is stored. A revoked claim keeps its token's hash (the token is then refused as revoked, not
as unknown); a re-issued token replaces the hash (the old token is unknown at once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from heritage_kit.errors import ClaimNotFound, MerchantError, MerchantRefused, MerchantRevoked
from heritage_kit.inbox.storage import _now_iso
from heritage_kit.inbox.storage_sql import SqlStorage

__all__ = ["Claim", "MerchantEdit", "MerchantStore", "publishable", "REVIEWS"]

_CLAIM = ("id, town, poi_id, shop, email, status, token_hash, created, decided, decided_by, reason, revoked, revoked_by,"
          " revoke_reason")
_EDIT = "id, claim_id, town, poi_id, edit, photo IS NOT NULL, created, published_version, review, reviewed, reviewed_by"
REVIEWS = ("publish", "set_aside")  # a reviewer's decision on a revoked merchant's unpublished edit


@dataclass(frozen=True)
class Claim:
    id: str
    town: str
    poi_id: str | None  # None: a new shop (``shop`` says what it is)
    shop: dict
    email: str
    status: str  # pending | verified | refused | revoked
    token_hash: str | None
    created: str
    decided: str | None
    decided_by: str | None
    reason: str | None
    revoked: str | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    def public(self) -> dict[str, Any]:
        out = {"id": self.id, "town": self.town, "poi_id": self.poi_id, "shop": self.shop, "status": self.status,
               "created": self.created, "decided": self.decided, "reason": self.reason}
        if self.revoked:
            out["revoked"] = self.revoked
        return out


@dataclass(frozen=True)
class MerchantEdit:
    id: str
    claim_id: str
    town: str
    poi_id: str
    edit: dict
    has_photo: bool
    created: str
    published_version: int | None
    review: str | None = None  # publish | set_aside: a reviewer's decision (a revoked merchant's edit)
    reviewed: str | None = None
    reviewed_by: str | None = None

    def held(self, claim: Claim) -> bool:
        """Sent by a merchant whose right was since revoked, unpublished, and no reviewer decided yet."""
        return claim.status == "revoked" and self.published_version is None and self.review is None


def publishable(edit: MerchantEdit, claim: Claim) -> bool:
    """Whether ``publish`` applies the edit: not set aside, and not a revoked merchant's edit waiting for a
    reviewer (an edit already published stays so: a pack rebuilt with ``--all`` keeps it)."""
    if edit.review == "set_aside":
        return False
    return claim.status != "revoked" or edit.review == "publish" or edit.published_version is not None


class MerchantStore:
    def __init__(self, storage: Any) -> None:
        if not isinstance(storage, SqlStorage):
            raise MerchantError("merchants need the SQL inbox storage (SQLite or PostgreSQL)", field="storage",
                                fr="Les commerçants demandent le stockage SQL de la boîte (SQLite ou PostgreSQL).")
        self.s = storage

    @staticmethod
    def _claim(row) -> Claim:
        i, town, poi, shop, email, status, th, created, decided, by, reason, rv, rv_by, rv_reason = row
        return Claim(i, town, poi, json.loads(shop), email, status, th, created, decided, by, reason, rv, rv_by, rv_reason)

    @staticmethod
    def _edit(row) -> MerchantEdit:
        i, claim, town, poi, edit, photo, created, pv, review, reviewed, by = row
        return MerchantEdit(i, claim, town, poi, json.loads(edit), bool(photo), created, pv, review, reviewed, by)

    def add_claim(self, claim_id: str, *, town: str, poi_id: str | None, shop: dict, email: str, actor: str) -> Claim:
        ts = _now_iso(None)
        with self.s._tx() as db:
            db.execute(f"INSERT INTO merchant_claims({_CLAIM}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (claim_id, town, poi_id, json.dumps(shop, ensure_ascii=False), email, "pending", None, ts,
                        None, None, None, None, None, None))
            self.s._audit(db, None, ts, actor, "merchant_claim", None, "pending", {"claim": claim_id, "town": town,
                                                                                   "poi": poi_id})
        return self.claim(claim_id)

    def claim(self, claim_id: str) -> Claim:
        with self.s._read() as db:
            row = db.execute(f"SELECT {_CLAIM} FROM merchant_claims WHERE id=?", (claim_id,)).fetchone()
        if row is None:
            raise ClaimNotFound(f"no shop claim {claim_id[:60]!r}")
        return self._claim(row)

    def claims(self, towns: list[str] | None, status: str | None = None) -> list[Claim]:
        """The claims of ``towns`` (None: every town), optionally of one ``status``, oldest first."""
        where, args = [], []
        if towns is not None:
            where.append(f"town IN ({','.join('?' * len(towns))})" if towns else "1=0")
            args += list(towns)
        if status:
            where.append("status=?")
            args.append(status)
        sql = f"SELECT {_CLAIM} FROM merchant_claims" + (" WHERE " + " AND ".join(where) if where else "")
        with self.s._read() as db:
            return [self._claim(r) for r in db.execute(sql + " ORDER BY created, id", args).fetchall()]

    def by_token(self, token_hash: str, *, revoked: bool = False) -> Claim | None:
        """The verified claim of a token's hash (``revoked``: also a revoked one, to say so)."""
        statuses = "('verified','revoked')" if revoked else "('verified')"
        with self.s._read() as db:
            row = db.execute(f"SELECT {_CLAIM} FROM merchant_claims WHERE token_hash=? AND status IN {statuses}",
                             (token_hash,)).fetchone()
        return self._claim(row) if row else None

    def _verified(self, db, claim_id: str) -> Claim:
        row = db.execute(f"SELECT {_CLAIM} FROM merchant_claims WHERE id=?" + self.s.for_update, (claim_id,)).fetchone()
        if row is None:
            raise ClaimNotFound(f"no shop claim {claim_id[:60]!r}")
        claim = self._claim(row)
        if claim.status != "verified":
            raise MerchantError(f"claim {claim_id} is {claim.status}, not verified", field="status",
                                fr=f"Ce commerçant n'est pas vérifié (demande {claim.status}).")
        return claim

    def revoke(self, claim_id: str, *, actor: str, reason: str) -> Claim:
        """verified → revoked: its token is refused from now on (its hash is kept to say why), audited."""
        ts = _now_iso(None)
        with self.s._tx() as db:
            old = self._verified(db, claim_id)
            held = db.execute("SELECT COUNT(*) FROM merchant_edits WHERE claim_id=? AND published_version IS NULL",
                              (claim_id,)).fetchone()[0]
            db.execute("UPDATE merchant_claims SET status='revoked', revoked=?, revoked_by=?, revoke_reason=? WHERE id=?",
                       (ts, actor, reason, claim_id))
            self.s._audit(db, None, ts, actor, "merchant_revoked", "verified", "revoked",
                          {"claim": claim_id, "town": old.town, "reason": reason, "held_edits": int(held)})
        return self.claim(claim_id)

    def reissue(self, claim_id: str, *, actor: str, token_hash: str) -> Claim:
        """A new token's hash for a verified claim: the old token is unknown at once, audited."""
        ts = _now_iso(None)
        with self.s._tx() as db:
            old = self._verified(db, claim_id)
            db.execute("UPDATE merchant_claims SET token_hash=? WHERE id=?", (token_hash, claim_id))
            self.s._audit(db, None, ts, actor, "merchant_token_reissued", "verified", "verified",
                          {"claim": claim_id, "town": old.town})
        return self.claim(claim_id)

    def review(self, edit_id: str, *, decision: str, actor: str) -> MerchantEdit:
        """A reviewer's ``publish`` / ``set_aside`` of a revoked merchant's unpublished edit (nothing is deleted)."""
        ts = _now_iso(None)
        with self.s._tx() as db:
            row = db.execute(f"SELECT {_EDIT} FROM merchant_edits WHERE id=?" + self.s.for_update, (edit_id,)).fetchone()
            if row is None:
                raise ClaimNotFound(f"no merchant edit {edit_id[:60]!r}")
            edit = self._edit(row)
            if edit.published_version is not None or edit.review is not None:
                raise MerchantError(f"edit {edit_id} is already decided", field="edit",
                                    fr="Cette modification est déjà décidée ou publiée.")
            db.execute("UPDATE merchant_edits SET review=?, reviewed=?, reviewed_by=? WHERE id=?",
                       (decision, ts, actor, edit_id))
            self.s._audit(db, None, ts, actor, "merchant_edit_reviewed", None, decision,
                          {"edit": edit_id, "claim": edit.claim_id, "town": edit.town})
        return self.edits(edit.town, edit_id=edit_id)[0]

    def edit(self, edit_id: str) -> MerchantEdit:
        with self.s._read() as db:
            row = db.execute(f"SELECT {_EDIT} FROM merchant_edits WHERE id=?", (edit_id,)).fetchone()
        if row is None:
            raise ClaimNotFound(f"no merchant edit {edit_id[:60]!r}")
        return self._edit(row)

    def decide(self, claim_id: str, *, status: str, actor: str, token_hash: str | None = None,
               reason: str | None = None, poi_id: str | None = None) -> Claim:
        """pending → verified (with the token's hash) or refused; a decided claim is not decided again."""
        ts = _now_iso(None)
        with self.s._tx() as db:
            row = db.execute(f"SELECT {_CLAIM} FROM merchant_claims WHERE id=?" + self.s.for_update,
                             (claim_id,)).fetchone()
            if row is None:
                raise ClaimNotFound(f"no shop claim {claim_id[:60]!r}")
            old = self._claim(row)
            if old.status != "pending":
                raise MerchantError(f"claim {claim_id} is already {old.status}", field="status",
                                    fr=f"Cette demande est déjà traitée ({old.status}).")
            db.execute("UPDATE merchant_claims SET status=?, token_hash=?, decided=?, decided_by=?, reason=?,"
                       " poi_id=COALESCE(?, poi_id) WHERE id=?",
                       (status, token_hash, ts, actor, reason, poi_id, claim_id))
            self.s._audit(db, None, ts, actor, f"merchant_{status}", "pending", status,
                          {"claim": claim_id, "town": old.town})
        return self.claim(claim_id)

    def add_edit(self, edit_id: str, claim: Claim, poi_id: str, edit: dict, photo: bytes | None,
                 actor: str) -> MerchantEdit:
        ts = _now_iso(None)
        with self.s._tx() as db:
            now = db.execute("SELECT status, token_hash, revoked FROM merchant_claims WHERE id=?" + self.s.for_update,
                             (claim.id,)).fetchone()  # revoked or re-issued since the token was checked: refused
            if now is None or now[0] != "verified" or now[1] != claim.token_hash:
                if now is not None and now[0] == "revoked":
                    raise MerchantRevoked(claim.id, now[2])
                raise MerchantRefused("not a verified merchant's token")
            db.execute(f"INSERT INTO merchant_edits(id, claim_id, town, poi_id, edit, photo, created) "
                       "VALUES (?,?,?,?,?,?,?)",
                       (edit_id, claim.id, claim.town, poi_id, json.dumps(edit, ensure_ascii=False, sort_keys=True),
                        self.s._binary(photo) if photo else None, ts))
            self.s._audit(db, None, ts, actor, "merchant_edit", None, None,
                          {"edit": edit_id, "claim": claim.id, "poi": poi_id, "fields": sorted(edit)})
        return self.edits(claim.town, edit_id=edit_id)[0]

    def edits(self, town: str, *, edit_id: str | None = None, unpublished: bool = False) -> list[MerchantEdit]:
        sql, args = f"SELECT {_EDIT} FROM merchant_edits WHERE town=?", [town]
        if edit_id:
            sql, args = sql + " AND id=?", [*args, edit_id]
        if unpublished:
            sql += " AND published_version IS NULL"
        with self.s._read() as db:
            return [self._edit(r) for r in db.execute(sql + " ORDER BY created, id", args).fetchall()]

    def photo(self, edit_id: str) -> bytes | None:
        with self.s._read() as db:
            row = db.execute("SELECT photo FROM merchant_edits WHERE id=?", (edit_id,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def mark_published(self, edit_ids: list[str], version: int) -> None:
        with self.s._tx() as db:
            for i in edit_ids:
                db.execute("UPDATE merchant_edits SET published_version=? WHERE id=? AND published_version IS NULL",
                           (int(version), i))
