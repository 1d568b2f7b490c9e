"""Events of the recovery service (key = case id).

- thads.recovery.debt, consumed by intake: a debtor who repays a credit institution directly partly
  performs the judgment; intake records it as money collected on the claim item (channel "paid_to_bank").
- thads.bankfeed.<bank code>, the PUBLIC per-bank feed (BankFeedEntry, versioned like every contract and
  documented in the recovery service's AsyncAPI): one entry per event of a case in which the bank is a
  creditor, in the order of that case, each tagged with the kind of step, its Vietnamese label and its
  legal basis. `data` holds the step's figures only: the ids of other parties are removed (a bank sees
  its own party id, never another creditor's or the debtor's), and events never carry names, id numbers
  or addresses in the first place. Any Kafka client reads it as JSON (UTF-8, one object per message).
"""
from __future__ import annotations

from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import Field, StringConstraints, TypeAdapter

from thads_contracts.common import (BankCode, ContractModel, DocumentNumber, LegalBasis, LegalDate,
                                    PositiveMoneyVnd)
from thads_contracts.envelope import Envelope


class BankRepaymentReceivedPayload(ContractModel):
    bank_code: BankCode
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    received_on: LegalDate
    bank_reference: DocumentNumber | None = None


class BankRepaymentReceived(Envelope[BankRepaymentReceivedPayload]):
    event_type: Literal["recovery.BankRepaymentReceived.v1"] = "recovery.BankRepaymentReceived.v1"
    schema_version: Literal[1] = 1


# The kinds of step a bank is told about (issue 10 §2); labels are what people read.
FeedKind = Literal["decision", "verification", "seizure", "auction_result", "auction_proceeds", "collection",
                   "payment_to_bank", "postponement", "continuation", "suspension", "termination", "revocation",
                   "delegation", "completion", "repayment_reported"]
FEED_KIND_LABELS: dict[str, str] = {
    "decision": "Quyết định thi hành án", "verification": "Kết quả xác minh điều kiện thi hành án",
    "seizure": "Kê biên tài sản", "auction_result": "Kết quả bán đấu giá tài sản",
    "auction_proceeds": "Tiền bán tài sản chuyển về", "collection": "Thu tiền thi hành án",
    "payment_to_bank": "Chi trả tiền cho tổ chức tín dụng", "postponement": "Hoãn thi hành án",
    "continuation": "Tiếp tục thi hành án", "suspension": "Tạm đình chỉ thi hành án",
    "termination": "Đình chỉ thi hành án", "revocation": "Thu hồi quyết định thi hành án",
    "delegation": "Ủy thác thi hành án", "completion": "Kết thúc thi hành án",
    "repayment_reported": "Tổ chức tín dụng báo đã nhận tiền trả nợ trực tiếp",
}
FeedValue = Union[str, int, bool, None, list[str]]
FeedKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class BankFeedEntryPayload(ContractModel):
    """One step of a case, as the bank may see it. `sequence` counts the entries of this bank's file
    on the case from 1 with no gap (a gap means a lost message); the envelope's `source_position`
    carries the same number and its `aggregate_id` is the bad-debt file."""
    bank_code: BankCode
    sequence: int = Field(ge=1)
    kind: FeedKind
    kind_label: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    legal_basis: LegalBasis
    case_event_id: UUID                      # the event of the case this entry reports
    case_event_type: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    data: dict[FeedKey, FeedValue] = Field(default_factory=dict)


class BankFeedEntry(Envelope[BankFeedEntryPayload]):
    event_type: Literal["recovery.BankFeedEntry.v1"] = "recovery.BankFeedEntry.v1"
    schema_version: Literal[1] = 1


RECOVERY_EVENTS: tuple[type[Envelope], ...] = (BankRepaymentReceived,)
BANK_FEED_EVENTS: tuple[type[Envelope], ...] = (BankFeedEntry,)

# One member for now; becomes Annotated[Union[...], Field(discriminator="event_type")] with the next.
RecoveryEvent = BankRepaymentReceived
RecoveryEventAdapter: TypeAdapter[RecoveryEvent] = TypeAdapter(RecoveryEvent)
