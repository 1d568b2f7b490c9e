"""Events of the online requests service (topic thads.online.filing, key = the filing id).

A citizen's online filing (đơn yêu cầu thi hành án trực tuyến, Law on Civil Judgment Enforcement
Art. 31; ND 152/2026 Art. 9) is not a case yet: the envelope's `case_id` is the FILING id (every
event of one filing on one key, in order) and `FilingAccepted.payload.case_id` names the case the
acceptance opens in intake: uuid5(NAMESPACE_URL, "/thads/units/<unit>/requests/<tracking code>"),
the id intake gives a request registered under that intake reference, so intake's consumer opens
exactly that case once. The statistics service counts filings received, accepted, sent back and
refused per office (`unit`) and period (`occurred_at`) from these events.

Never personal data here: no names, id numbers, addresses, contacts, nor the debtor's assets as told
by the requester (they live in the online service's erasable table). The actor of a citizen's step
is recorded by the filing's tracking code, not by the person's id number.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import Field, StringConstraints, TypeAdapter

from thads_contracts.common import ContractModel, Description, DocumentNumber, LegalDate, OfficeCode, PositiveMoneyVnd
from thads_contracts.envelope import Envelope

TrackingCode = Annotated[str, StringConstraints(pattern=r"^TD-[0-9A-Z]{10}$")]


class RequesterRole(StrEnum):
    CREDITOR = "creditor"
    DEBTOR = "debtor"
    REPRESENTATIVE = "representative"


class MissingItem(StrEnum):
    JUDGMENT_COPY = "judgment_copy"
    AUTHORITY_DOCUMENT = "authority_document"
    JUDGMENT_DETAILS = "judgment_details"
    CLAIM_DETAILS = "claim_details"
    DEBTOR_INFORMATION = "debtor_information"
    REQUESTER_IDENTITY = "requester_identity"
    OTHER = "other"


class FilingRefusalGround(StrEnum):
    NO_RIGHT_TO_REQUEST = "no_right_to_request"
    NOT_COMPETENT = "not_competent"
    LIMITATION_EXPIRED = "limitation_expired"


class FilingReceivedPayload(ContractModel):
    tracking_code: TrackingCode
    requester_role: RequesterRole
    judgment_number: DocumentNumber
    issuing_court: Description
    judgment_effective_on: LegalDate
    filed_on: LegalDate
    suggested_unit: OfficeCode | None = None
    claim_total_vnd: int = Field(0, ge=0)
    attachments: int = Field(0, ge=0)
    review_due_on: LegalDate


class FilingSentBackPayload(ContractModel):
    tracking_code: TrackingCode
    missing: tuple[MissingItem, ...] = Field(min_length=1)
    sent_back_on: LegalDate
    review_due_on: LegalDate
    late: bool = False


class FilingCorrectedPayload(ContractModel):
    tracking_code: TrackingCode
    corrected_on: LegalDate
    review_due_on: LegalDate


class FilingAcceptedPayload(ContractModel):
    tracking_code: TrackingCode
    case_id: UUID
    requester_role: RequesterRole
    judgment_number: DocumentNumber
    issuing_court: Description
    judgment_effective_on: LegalDate
    filed_on: LegalDate
    accepted_on: LegalDate
    claim_total_vnd: int = Field(0, ge=0)


class FilingRefusedPayload(ContractModel):
    tracking_code: TrackingCode
    ground: FilingRefusalGround
    refused_on: LegalDate


class FilingReceived(Envelope[FilingReceivedPayload]):
    event_type: Literal["online.FilingReceived.v1"] = "online.FilingReceived.v1"
    schema_version: Literal[1] = 1


class FilingSentBack(Envelope[FilingSentBackPayload]):
    event_type: Literal["online.FilingSentBack.v1"] = "online.FilingSentBack.v1"
    schema_version: Literal[1] = 1


class FilingCorrected(Envelope[FilingCorrectedPayload]):
    event_type: Literal["online.FilingCorrected.v1"] = "online.FilingCorrected.v1"
    schema_version: Literal[1] = 1


class FilingAccepted(Envelope[FilingAcceptedPayload]):
    event_type: Literal["online.FilingAccepted.v1"] = "online.FilingAccepted.v1"
    schema_version: Literal[1] = 1


class FilingRefused(Envelope[FilingRefusedPayload]):
    event_type: Literal["online.FilingRefused.v1"] = "online.FilingRefused.v1"
    schema_version: Literal[1] = 1


ONLINE_EVENTS: tuple[type[Envelope], ...] = (FilingReceived, FilingSentBack, FilingCorrected, FilingAccepted,
                                            FilingRefused)

OnlineEvent = Annotated[Union[FilingReceived, FilingSentBack, FilingCorrected, FilingAccepted, FilingRefused],
                        Field(discriminator="event_type")]
OnlineEventAdapter: TypeAdapter[OnlineEvent] = TypeAdapter(OnlineEvent)
