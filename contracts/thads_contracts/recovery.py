"""Events of the recovery service (key = case id).

- thads.recovery.debt, consumed by intake: a debtor who repays a credit institution directly partly
  performs the judgment; intake records it as money collected on the claim item (channel "paid_to_bank").
- thads.recovery.debt, consumed by intake: a credit institution's request for enforcement as a creditor
  (LCJE Art. 31), filed by the bank through recovery (`EnforcementRequested`), becomes a request received
  in intake under `intake_ref`, with the bank as creditor party and its claim items, exactly once. The
  envelope's `case_id` is the case intake opens: uuid5(NAMESPACE_URL, "/thads/units/<unit>/requests/<intake_ref>"),
  intake's id of a request registered under that reference. The debtor's name, id number and address
  and the bank's contact person are NOT here: they stay in recovery's erasable table.
- thads.bankfeed.<bank code>, the PUBLIC per-bank feed (BankFeedEntry, versioned like every contract and
  documented in the recovery service's AsyncAPI): one entry per event of a case in which the bank is a
  creditor, in the order of that case, each tagged with the kind of step, its Vietnamese label and its
  legal basis. `data` holds the step's figures only: the ids of other parties are removed (a bank sees
  its own party id, never another creditor's or the debtor's), and events never carry names, id numbers
  or addresses in the first place. `kind` is an open list within v1: a new kind of step may be added
  (request_registered and auction_notice were); a reader that does not know a kind shows its `kind_label`. Any Kafka client reads it as JSON (UTF-8, one object per message).
"""
from __future__ import annotations

from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import Field, StringConstraints, TypeAdapter

from thads_contracts.common import (BankCode, ContractModel, Description, DocumentNumber, LegalBasis, LegalDate,
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


class RequestedClaim(ContractModel):
    """One claim item the bank asks to enforce (kind: credit debt), secured or not (LCJE Art. 47(3))."""
    claim_item_id: UUID
    amount_vnd: PositiveMoneyVnd
    secured: bool = False


class EnforcementRequestedPayload(ContractModel):
    bank_code: BankCode
    request_id: UUID                          # the bank's own id of its request (a resend is the same request)
    intake_ref: DocumentNumber                # the number intake registers the request under
    bank_party_id: UUID                       # the bank as creditor party of the case
    judgment_number: DocumentNumber
    issuing_court: Description
    judgment_effective_on: LegalDate
    filed_on: LegalDate
    claims: tuple[RequestedClaim, ...] = Field(min_length=1, max_length=100)


class EnforcementRequested(Envelope[EnforcementRequestedPayload]):
    event_type: Literal["recovery.EnforcementRequested.v1"] = "recovery.EnforcementRequested.v1"
    schema_version: Literal[1] = 1


# The kinds of step a bank is told about (issue 10 §2); labels are what people read.
FeedKind = Literal["decision", "verification", "seizure", "auction_result", "auction_proceeds", "collection",
                   "payment_to_bank", "postponement", "continuation", "suspension", "termination", "revocation",
                   "delegation", "completion", "repayment_reported", "request_registered", "auction_notice"]
FEED_KIND_LABELS: dict[str, str] = {
    "decision": "Quyết định thi hành án", "verification": "Kết quả xác minh điều kiện thi hành án",
    "seizure": "Kê biên tài sản", "auction_result": "Kết quả bán đấu giá tài sản",
    "auction_proceeds": "Tiền bán tài sản chuyển về", "collection": "Thu tiền thi hành án",
    "payment_to_bank": "Chi trả tiền cho tổ chức tín dụng", "postponement": "Hoãn thi hành án",
    "continuation": "Tiếp tục thi hành án", "suspension": "Tạm đình chỉ thi hành án",
    "termination": "Đình chỉ thi hành án", "revocation": "Thu hồi quyết định thi hành án",
    "delegation": "Ủy thác thi hành án", "completion": "Kết thúc thi hành án",
    "repayment_reported": "Tổ chức tín dụng báo đã nhận tiền trả nợ trực tiếp",
    "request_registered": "Cơ quan thi hành án đã nhận yêu cầu thi hành án của tổ chức tín dụng",
    "auction_notice": "Thông báo bán đấu giá tài sản",
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


RECOVERY_EVENTS: tuple[type[Envelope], ...] = (BankRepaymentReceived, EnforcementRequested)
BANK_FEED_EVENTS: tuple[type[Envelope], ...] = (BankFeedEntry,)

RecoveryEvent = Annotated[Union[BankRepaymentReceived, EnforcementRequested], Field(discriminator="event_type")]
RecoveryEventAdapter: TypeAdapter[RecoveryEvent] = TypeAdapter(RecoveryEvent)
