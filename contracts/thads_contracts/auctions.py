"""Events of the auctions service that intake consumes (topic thads.auctions.asset, key = case id).

Only the few the case needs: how an asset's sale ended, and the money it brought. The asset's own
lifecycle (valuation, rounds, deposits, bids) stays private to auctions until someone needs it.

v2 of AuctionOutcomeRecorded (issue 8) names the CLAIM ITEM(S) the outcome settles (an asset taken by
the creditor carries its value and the claim item it is booked on, so intake records it without an
officer re-typing it) and the sha256 digest of the closed round's ordered bid log (anyone holding
the bid list recomputes it: POST /auctions/bid-log/digest). A v1 message still decodes (upcaster:
no claim item, no digest). ProceedsTransferred.v1 already names its claim items.

v2 of ProceedsTransferred (issue 8) carries the SPLIT of the money: the enforcement costs deducted
first (kept by the agency, booked on no claim item), then the secured creditor's share from its
collateral (Art. 47(3)) on the secured claim item, then the rest on the seizure's claim items (intake
allocates it over the case by Art. 47(1)). costs + Σ shares = amount. Intake books each share once
(source_ref = event id + share index). A v1 message decodes as v2 with no costs and one general
share: the whole amount on its first claim item (what intake booked before v2).
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal, Self, Union
from uuid import UUID

from pydantic import Field, TypeAdapter, model_validator

from thads_contracts.common import ContractModel, LegalDate, MoneyVnd, PositiveMoneyVnd
from thads_contracts.envelope import Envelope


class AuctionOutcome(StrEnum):
    SOLD = "sold"
    FAILED = "failed"                        # đấu giá không thành (Law on Property Auction Art. 52)
    TAKEN_BY_CREDITOR = "taken_by_creditor"  # from the 2nd price cut (Art. 104)
    RETURNED = "returned"                    # returned to the debtor; the case is postponed


AUCTION_OUTCOME_LABELS: Mapping[AuctionOutcome, str] = {
    AuctionOutcome.SOLD: "Bán đấu giá thành",
    AuctionOutcome.FAILED: "Đấu giá không thành",
    AuctionOutcome.TAKEN_BY_CREDITOR: "Người được thi hành án nhận tài sản để trừ vào số tiền được thi hành án",
    AuctionOutcome.RETURNED: "Trả lại tài sản cho người phải thi hành án",
}


class ProceedsTransferredPayload(ContractModel):
    asset_id: UUID
    # None: intake allocates the money to the case's claim items in the order of Art. 47.
    claim_item_ids: Annotated[tuple[UUID, ...], Field(min_length=1)] | None = None
    amount_vnd: PositiveMoneyVnd
    sold_on: LegalDate
    transferred_on: LegalDate

    @model_validator(mode="after")
    def _money_follows_the_sale(self) -> Self:
        if self.transferred_on < self.sold_on:
            raise ValueError("transferred_on must not be before sold_on")
        return self


class AuctionOutcomeRecordedPayload(ContractModel):
    asset_id: UUID
    outcome: AuctionOutcome
    round_number: int = Field(ge=1)
    price_vnd: PositiveMoneyVnd | None = None     # hammer price, or the value the creditor took
    creditor_party_id: UUID | None = None         # who took the asset
    decided_on: LegalDate

    @model_validator(mode="after")
    def _price_and_taker_match_the_outcome(self) -> Self:
        priced = self.outcome in (AuctionOutcome.SOLD, AuctionOutcome.TAKEN_BY_CREDITOR)
        if priced != (self.price_vnd is not None):
            raise ValueError("price_vnd is required when outcome is 'sold' or 'taken_by_creditor' "
                             "and not allowed otherwise")
        taken = self.outcome == AuctionOutcome.TAKEN_BY_CREDITOR
        if taken != (self.creditor_party_id is not None):
            raise ValueError("creditor_party_id is required when outcome is 'taken_by_creditor' "
                             "and not allowed otherwise")
        return self


class ProceedsTransferred(Envelope[ProceedsTransferredPayload]):
    event_type: Literal["auctions.ProceedsTransferred.v1"] = "auctions.ProceedsTransferred.v1"
    schema_version: Literal[1] = 1


class AuctionOutcomeRecorded(Envelope[AuctionOutcomeRecordedPayload]):
    event_type: Literal["auctions.AuctionOutcomeRecorded.v1"] = "auctions.AuctionOutcomeRecorded.v1"
    schema_version: Literal[1] = 1


Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class AuctionOutcomeRecordedV2Payload(AuctionOutcomeRecordedPayload):
    # The claim item(s) the outcome settles: required when the creditor took the asset (its value is
    # booked on the first), the seizure's items otherwise (None only for a message upcast from v1).
    claim_item_ids: Annotated[tuple[UUID, ...], Field(min_length=1)] | None = None
    # sha256 (hex) of the ordered bid log of the closed round (sold or failed); None for outcomes
    # decided without a round (taken by the creditor, returned) or upcast from v1.
    bid_log_sha256: Sha256Hex | None = None

    @model_validator(mode="after")
    def _taken_names_its_claim_item(self) -> Self:
        if self.outcome == AuctionOutcome.TAKEN_BY_CREDITOR and not self.claim_item_ids:
            raise ValueError("claim_item_ids is required when outcome is 'taken_by_creditor'")
        return self


class AuctionOutcomeRecordedV2(Envelope[AuctionOutcomeRecordedV2Payload]):
    """How a round or the asset's sale ended: [statistics] collected in kind / by auction."""
    event_type: Literal["auctions.AuctionOutcomeRecorded.v2"] = "auctions.AuctionOutcomeRecorded.v2"
    schema_version: Literal[2] = 2


class ProceedsShareBasis(StrEnum):
    COLLATERAL = "collateral"   # the secured creditor's item, paid first from its collateral (Art. 47(3))
    GENERAL = "general"         # the rest: intake allocates it over the case's items (Art. 47(1))


PROCEEDS_SHARE_BASIS_LABELS: Mapping[ProceedsShareBasis, str] = {
    ProceedsShareBasis.COLLATERAL: "Thanh toán trước cho người nhận thế chấp, cầm cố từ tài sản bảo đảm",
    ProceedsShareBasis.GENERAL: "Thanh toán theo thứ tự quy định tại Điều 47 Luật Thi hành án dân sự",
}


class ProceedsShare(ContractModel):
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    basis: ProceedsShareBasis


class ProceedsTransferredV2Payload(ProceedsTransferredPayload):
    claim_item_ids: Annotated[tuple[UUID, ...], Field(min_length=1)]
    enforcement_costs_vnd: MoneyVnd = 0                 # deducted first, booked on no claim item
    secured_creditor_party_id: UUID | None = None       # the asset was its collateral
    shares: Annotated[tuple[ProceedsShare, ...], Field(max_length=100)]

    @model_validator(mode="after")
    def _split_adds_up(self) -> Self:
        if self.enforcement_costs_vnd + sum(s.amount_vnd for s in self.shares) != self.amount_vnd:
            raise ValueError("enforcement_costs_vnd plus the shares must equal amount_vnd")
        if any(s.claim_item_id not in self.claim_item_ids for s in self.shares):
            raise ValueError("every share must be on one of claim_item_ids")
        if len({s.claim_item_id for s in self.shares}) != len(self.shares):
            raise ValueError("at most one share per claim item")
        collateral = [s for s in self.shares if s.basis == ProceedsShareBasis.COLLATERAL]
        if collateral and self.secured_creditor_party_id is None:
            raise ValueError("a collateral share needs secured_creditor_party_id")
        if len(collateral) > 1 or (collateral and self.shares[0] is not collateral[0]):
            raise ValueError("at most one collateral share, and it comes first")
        return self


class ProceedsTransferredV2(Envelope[ProceedsTransferredV2Payload]):
    """The money a sale brought and how it is split (costs, secured creditor, the rest)."""
    event_type: Literal["auctions.ProceedsTransferred.v2"] = "auctions.ProceedsTransferred.v2"
    schema_version: Literal[2] = 2


class AuctionAnnouncedPayload(ContractModel):
    """A round of an auction announced (thông báo bán đấu giá, LCJE Art. 101; Law on Property Auction
    Art. 35, 57): what the public notice says, with the seizure's claim items so that a creditor's feed
    can tell its own asset. No personal data: the notice is public; bidders are not in it."""
    asset_id: UUID
    round_number: int = Field(ge=1)
    announced_on: LegalDate
    second_announced_on: LegalDate | None = None
    auction_on: LegalDate
    starting_price_vnd: PositiveMoneyVnd | None = None   # None only for a round announced before v1 existed
    deposit_vnd: int = Field(ge=0)
    place: Annotated[str, Field(min_length=1, max_length=2000)]
    organiser: Annotated[str, Field(min_length=1, max_length=2000)]
    claim_item_ids: tuple[UUID, ...] = ()
    secured_creditor_party_id: UUID | None = None


class AuctionAnnounced(Envelope[AuctionAnnouncedPayload]):
    event_type: Literal["auctions.AuctionAnnounced.v1"] = "auctions.AuctionAnnounced.v1"
    schema_version: Literal[1] = 1


def _whole_amount_on_the_first_item(message: dict) -> dict:
    """v1 → v2: no costs, one general share of the whole amount on the first claim item (what
    intake booked for a v1 message). A v1 without claim items stays without shares and fails v2's
    validation (dead-lettered, as intake refused it before)."""
    payload = dict(message["payload"])
    items = payload.get("claim_item_ids")
    if items:
        payload["shares"] = [{"claim_item_id": items[0], "amount_vnd": payload.get("amount_vnd"),
                              "basis": ProceedsShareBasis.GENERAL.value}]
    return {**message, "payload": payload}


def _same_payload(message: dict) -> dict:
    """v2 only adds optional fields: a v1 payload is a valid v2 payload, except a v1
    taken_by_creditor, which names no claim item: it fails v2's validation and is dead-lettered for
    an officer (who booked those through intake's manual route before v2)."""
    return message


UPCASTERS_V1_V2 = {"auctions.AuctionOutcomeRecorded.v1": _same_payload,
                   "auctions.ProceedsTransferred.v1": _whole_amount_on_the_first_item}

AUCTIONS_EVENTS: tuple[type[Envelope], ...] = (ProceedsTransferred, ProceedsTransferredV2, AuctionOutcomeRecorded,
                                               AuctionOutcomeRecordedV2, AuctionAnnounced)

# The current version of every auctions event (what the service publishes and the AsyncAPI shows).
AuctionsEvent = Annotated[Union[ProceedsTransferredV2, AuctionOutcomeRecordedV2, AuctionAnnounced],
                          Field(discriminator="event_type")]
AuctionsEventAdapter: TypeAdapter[AuctionsEvent] = TypeAdapter(AuctionsEvent)
