"""Where the inbox keeps shop claims and merchant edits (the tables of the merchants migration step, v4).

:class:`MerchantStore` works over the inbox's own storage engine (its ``_tx`` write transaction and
``_read`` connection, ``?`` placeholders), so it runs on SQLite and PostgreSQL alike. Only the SHA-256 of
a merchant token is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from heritage_kit.errors import ClaimNotFound, MerchantError
from heritage_kit.inbox.storage import _now_iso
from heritage_kit.inbox.storage_sql import SqlStorage

__all__ = ["Claim", "MerchantEdit", "MerchantStore"]

_CLAIM = "id, town, poi_id, shop, email, status, token_hash, created, decided, decided_by, reason"
_EDIT = "id, claim_id, town, poi_id, edit, photo IS NOT NULL, created, published_version"


@dataclass(frozen=True)
class Claim:
    id: str
    town: str
    poi_id: str | None  # None: a new shop (``shop`` says what it is)
    shop: dict
    email: str
    status: str  # pending | verified | refused
    token_hash: str | None
    created: str
    decided: str | None
    decided_by: str | None
    reason: str | None

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "town": self.town, "poi_id": self.poi_id, "shop": self.shop, "status": self.status,
                "created": self.created, "decided": self.decided, "reason": self.reason}


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


class MerchantStore:
    def __init__(self, storage: Any) -> None:
        if not isinstance(storage, SqlStorage):
            raise MerchantError("merchants need the SQL inbox storage (SQLite or PostgreSQL)", field="storage",
                                fr="Les commerçants demandent le stockage SQL de la boîte (SQLite ou PostgreSQL).")
        self.s = storage

    @staticmethod
    def _claim(row) -> Claim:
        i, town, poi, shop, email, status, th, created, decided, by, reason = row
        return Claim(i, town, poi, json.loads(shop), email, status, th, created, decided, by, reason)

    @staticmethod
    def _edit(row) -> MerchantEdit:
        i, claim, town, poi, edit, photo, created, pv = row
        return MerchantEdit(i, claim, town, poi, json.loads(edit), bool(photo), created, pv)

    def add_claim(self, claim_id: str, *, town: str, poi_id: str | None, shop: dict, email: str, actor: str) -> Claim:
        ts = _now_iso(None)
        with self.s._tx() as db:
            db.execute(f"INSERT INTO merchant_claims({_CLAIM}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (claim_id, town, poi_id, json.dumps(shop, ensure_ascii=False), email, "pending", None, ts,
                        None, None, None))
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

    def by_token(self, token_hash: str) -> Claim | None:
        with self.s._read() as db:
            row = db.execute(f"SELECT {_CLAIM} FROM merchant_claims WHERE token_hash=? AND status='verified'",
                             (token_hash,)).fetchone()
        return self._claim(row) if row else None

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
