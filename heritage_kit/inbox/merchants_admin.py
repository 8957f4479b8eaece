"""Taking a verified merchant's right back, or giving a fresh token (issue 20: a shop changes hands, a token
leaks, a merchant misbehaves).

* :meth:`MerchantAdmin.revoke` — by a ``town-centre manager`` (or admin) of the claim's town (another town's
  claim is not found), with a reason (plain text, checked like the contributions' free text): the claim becomes
  ``revoked`` and its token is refused at once, as revoked (:class:`heritage_kit.errors.MerchantRevoked`). The
  merchant's edits are kept; those not yet published wait for a reviewer (:meth:`MerchantAdmin.review`: publish
  anyway or set aside — nothing is deleted). The merchant may claim the shop again (a new claim, verified again).
* :meth:`MerchantAdmin.reissue` — a new token for a verified merchant (shown once; only its SHA-256 is kept); the
  old token is unknown from then on.
* :class:`Operator` — the server's operator for ``heritage-kit inbox merchants`` (an admin of every town).

Every action goes in the audit log with its actor (and the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heritage_kit.errors import MerchantError
from heritage_kit.inbox.accounts import token_hash
from heritage_kit.inbox.merchants import Merchants, new_merchant_token
from heritage_kit.inbox.merchants_store import REVIEWS, Claim, MerchantEdit
from heritage_kit.submissions.rules import check_plain_text

__all__ = ["MerchantAdmin", "Operator", "MAX_REASON"]

MAX_REASON = 500


@dataclass(frozen=True)
class Operator:
    """Whoever runs the inbox's server (the CLI): an admin of every town, named in the audit log."""

    actor: str
    role: str = "admin"

    def can_see(self, town: str) -> bool:
        return True

    def towns_filter(self) -> list[str] | None:
        return None


def _reason(reason: Any) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise MerchantError("reason: say why the merchant's right is revoked", field="reason",
                            fr="reason : dites pourquoi le droit du commerçant est retiré")
    refused = check_plain_text(reason, max_len=MAX_REASON)
    if refused is not None:
        raise MerchantError(f"reason: {refused.en}", field="reason", fr=f"reason : {refused.fr}")
    return reason


class MerchantAdmin:
    """The town-centre manager's hold on verified merchants: revoke, re-issue, review a revoked one's edits."""

    def __init__(self, merchants: Merchants) -> None:
        self.merchants = merchants
        self.store = merchants.store

    def revoke(self, who: Any, claim_id: str, reason: Any) -> Claim:
        self.merchants.visible_claim(who, claim_id)
        return self.store.revoke(claim_id, actor=who.actor, reason=_reason(reason))

    def reissue(self, who: Any, claim_id: str) -> tuple[Claim, str]:
        """The claim and its new token (shown once); the old token stops working at once."""
        self.merchants.visible_claim(who, claim_id)
        token = new_merchant_token()
        return self.store.reissue(claim_id, actor=who.actor, token_hash=token_hash(token)), token

    def edits(self, claim: Claim) -> list[MerchantEdit]:
        return [e for e in self.store.edits(claim.town) if e.claim_id == claim.id]

    def held(self, claim: Claim) -> list[MerchantEdit]:
        """The revoked merchant's unpublished edits no reviewer decided yet (``publish`` leaves them out)."""
        return [e for e in self.edits(claim) if e.held(claim)]

    def review(self, who: Any, edit_id: str, decision: str) -> MerchantEdit:
        """``publish`` (the next publish applies it) or ``set_aside`` (kept, never published) a held edit."""
        edit = self.store.edit(str(edit_id)[:100])
        claim = self.merchants.visible_claim(who, edit.claim_id)  # another town's edit: not found
        if decision not in REVIEWS:
            raise MerchantError(f"decision: {' or '.join(REVIEWS)}", field="decision",
                                fr=f"decision : {' ou '.join(REVIEWS)}")
        if not edit.held(claim):
            raise MerchantError("edit: only a revoked merchant's unpublished edit waits for a review", field="edit",
                                fr="edit : seule une modification non publiée d'un commerçant révoqué attend une décision")
        return self.store.review(edit.id, decision=decision, actor=who.actor)
