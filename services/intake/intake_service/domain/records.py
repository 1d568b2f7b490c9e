"""The aggregate's parts: parties (ids only), claim items with their partial results, decisions,
collections and assets taken in kind. Plain data; the rules that change them are in case.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from intake_service.domain.money import payment_rank
from intake_service.domain.vocabulary import (
    CLAIM_KIND_LABELS,
    ClaimKind,
    CollectionChannel,
    PartyKind,
    PartyRole,
)


@dataclass
class Party:
    id: str
    role: PartyRole
    kind: PartyKind
    bank_code: str | None


@dataclass
class ClaimItem:
    id: str
    kind: ClaimKind
    amount_vnd: int
    creditor_party_id: str
    secured: bool
    ex_officio: bool
    collected_vnd: int = 0  # all money received for the item, including direct payments and assets in kind
    direct_vnd: int = 0  # performed straight to the creditor (repaid to the bank, asset taken in kind), never held
    collateral_vnd: int = 0  # auction proceeds of the item's own collateral (secured items)
    paid_out_vnd: int = 0  # disbursed by the agency
    fee_base_vnd: int = 0
    fee_vnd: int = 0
    due_on: date | None = None  # its own due date (instalment, maintenance): its 5 years run from it (Art. 30)
    reduced_vnd: int = 0  # no longer to enforce: terminated in part, reduced, exempted or delegated
    deposited_vnd: int = 0  # of paid_out_vnd: unclaimed, deposited in a bank for the creditor (ND 62/2015 Art. 49)

    @property
    def to_enforce_vnd(self) -> int:
        """The amount still to be enforced on the item: the judgment's amount less what was reduced."""
        return self.amount_vnd - self.reduced_vnd

    @property
    def rank(self) -> int:
        return payment_rank(self.kind)

    @property
    def disbursed_vnd(self) -> int:
        return self.paid_out_vnd + self.direct_vnd

    @property
    def outstanding_vnd(self) -> int:
        return self.to_enforce_vnd - self.disbursed_vnd

    @property
    def uncollected_vnd(self) -> int:
        return self.to_enforce_vnd - self.collected_vnd

    @property
    def settled(self) -> bool:
        return self.disbursed_vnd == self.to_enforce_vnd

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "label": CLAIM_KIND_LABELS[self.kind],
                "rank": self.rank, "amount_vnd": self.amount_vnd, "creditor_party_id": self.creditor_party_id,
                "secured": self.secured, "ex_officio": self.ex_officio, "collected_vnd": self.collected_vnd,
                "disbursed_vnd": self.disbursed_vnd, "outstanding_vnd": self.outstanding_vnd,
                "settled": self.settled, "fee_vnd": self.fee_vnd,
                "due_on": self.due_on.isoformat() if self.due_on else None,
                "reduced_vnd": self.reduced_vnd}


@dataclass
class Decision:
    number: str
    kind: str
    issued_on: date
    copy_sent_on: date | None = None
    parties_notified_on: date | None = None  # notice to the parties (Art. 39(2), 3 WD)


@dataclass
class Collection:
    source_ref: str
    claim_item_id: str
    amount_vnd: int
    channel: CollectionChannel
    on: date
    pooled: bool  # False when paid straight to the creditor


@dataclass
class InKindTaking:
    """A seized asset the creditor took against a claim item at an agreed value (Art. 104)."""
    source_ref: str
    claim_item_id: str
    value_vnd: int
    on: date

