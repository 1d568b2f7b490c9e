"""Events of the recovery service that intake consumes (topic thads.recovery.debt, key = case id).

A debtor who repays a credit institution directly partly performs the judgment; intake records it
as money collected on the claim item (channel "paid_to_bank").
"""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import TypeAdapter

from thads_contracts.common import BankCode, ContractModel, DocumentNumber, LegalDate, PositiveMoneyVnd
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


RECOVERY_EVENTS: tuple[type[Envelope], ...] = (BankRepaymentReceived,)

# One member for now; becomes Annotated[Union[...], Field(discriminator="event_type")] with the next.
RecoveryEvent = BankRepaymentReceived
RecoveryEventAdapter: TypeAdapter[RecoveryEvent] = TypeAdapter(RecoveryEvent)
