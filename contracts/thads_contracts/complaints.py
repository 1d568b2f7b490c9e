"""Events of the complaints service (topic thads.complaints.complaint, key = case id).

A complaint (khiếu nại) is about one decision or act of a case, named by the event id intake or
auctions published it under; every event here carries that case's id and the office whose decision
is complained about (`unit`), so the statistics service counts per office:
- ComplaintReceived: a complaint received (first or second instance), with its object, whether it
  came after the time to complain, and the office routed to decide it;
- ComplaintResolved: how it ended at one instance (not accepted, withdrawn, upheld, partly upheld,
  rejected), when it was due and whether that was on time;
- CorrectionRequested: an upheld (or partly upheld) complaint: what the office must correct on the
  case. Intake records it on the case once (event id = idempotency key);
- DeadlineMissed: a step of the complaint passed its legal limit undone (acceptance, decision);
- ComplaintAccepted: accepted (thụ lý) at one instance, on time or not, and the decision's limit;
- PetitionForwarded: a petition received at a citizen reception that belongs to another office, with
  `vuot_cap` when it was brought ABOVE the competent level (a quality indicator). Its `case_id` is the
  case the petition concerns, or, when it concerns none, the reception visit's own id.
Denunciations and the denouncer's identity are NOT published (confidential, Art. 157).
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import Field, TypeAdapter

from thads_contracts.common import ContractModel, Description, DocumentNumber, LegalBasis, LegalDate, OfficeCode
from thads_contracts.envelope import Envelope


class ComplaintObject(StrEnum):
    """What the complaint is about: it sets the time limits (domain.md §4 table)."""
    BEFORE_MEASURES = "before_measures"      # decisions and acts before security or coercive measures
    ACCOUNT_FREEZE = "account_freeze"        # phong tỏa tài khoản
    OTHER_SECURITY = "other_security"        # other security measures
    COERCION = "coercion"                    # coercive measures (kê biên, khấu trừ, ...)
    AFTER_COERCION = "after_coercion"        # after the coercive measure (sale, handover, payment out)


class Instance(StrEnum):
    FIRST = "first"
    SECOND = "second"


class Resolution(StrEnum):
    NOT_ACCEPTED = "not_accepted"            # không thụ lý (Art. 141)
    WITHDRAWN = "withdrawn"
    UPHELD = "upheld"                        # khiếu nại đúng
    PARTLY_UPHELD = "partly_upheld"          # đúng một phần
    REJECTED = "rejected"                    # khiếu nại sai


RESOLUTION_LABELS: Mapping[Resolution, str] = {
    Resolution.NOT_ACCEPTED: "Không thụ lý giải quyết khiếu nại",
    Resolution.WITHDRAWN: "Người khiếu nại rút khiếu nại",
    Resolution.UPHELD: "Khiếu nại đúng",
    Resolution.PARTLY_UPHELD: "Khiếu nại đúng một phần",
    Resolution.REJECTED: "Khiếu nại sai",
}


class ComplaintReceivedPayload(ContractModel):
    complaint_id: UUID
    instance: Instance
    decision_event_id: UUID                  # the intake/auctions event the complaint is about
    object: ComplaintObject
    received_on: LegalDate
    late: bool                               # received after the time to complain
    deciding_unit: OfficeCode                # whose head decides at this instance (Art. 142)


class ComplaintResolvedPayload(ContractModel):
    complaint_id: UUID
    instance: Instance
    resolution: Resolution
    resolved_on: LegalDate
    due_on: LegalDate | None = None          # the legal limit of this step (None: withdrawn)
    on_time: bool
    deciding_unit: OfficeCode
    final: bool                              # no further complaint possible (last instance)


class CorrectionRequestedPayload(ContractModel):
    complaint_id: UUID
    instance: Instance
    resolution: Literal[Resolution.UPHELD, Resolution.PARTLY_UPHELD]
    decision_event_id: UUID
    decision_event_type: Annotated[str, Field(min_length=1, max_length=128)]
    complaint_decision_number: DocumentNumber
    decided_on: LegalDate
    deciding_unit: OfficeCode
    corrections: Description                 # what the office must correct (no personal data)
    legal_basis: LegalBasis | None = None


class DeadlineMissedPayload(ContractModel):
    complaint_id: UUID
    step: Annotated[str, Field(min_length=1, max_length=64)]   # acceptance | first_decision | second_decision
    due_on: LegalDate
    legal_basis: LegalBasis | None = None


class ComplaintAcceptedPayload(ContractModel):
    complaint_id: UUID
    instance: Instance
    accepted_on: LegalDate
    due_on: LegalDate                        # acceptance limit: 5 working days after receipt (Art. 148)
    on_time: bool
    decision_due_on: LegalDate               # the decision's limit at this instance (+30 days when complex)
    complex: bool
    deciding_unit: OfficeCode


class PetitionKind(StrEnum):
    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"
    PROPOSAL = "proposal"                    # kiến nghị, phản ánh


class PetitionForwardedPayload(ContractModel):
    session_id: UUID
    visit_id: UUID
    petition_kind: PetitionKind
    received_on: LegalDate
    reception_unit: OfficeCode               # where the citizen brought it
    competent_unit: OfficeCode               # where it belongs; it is forwarded there
    vuot_cap: bool                           # brought above the competent level


class ComplaintReceived(Envelope[ComplaintReceivedPayload]):
    event_type: Literal["complaints.ComplaintReceived.v1"] = "complaints.ComplaintReceived.v1"
    schema_version: Literal[1] = 1


class ComplaintResolved(Envelope[ComplaintResolvedPayload]):
    event_type: Literal["complaints.ComplaintResolved.v1"] = "complaints.ComplaintResolved.v1"
    schema_version: Literal[1] = 1


class CorrectionRequested(Envelope[CorrectionRequestedPayload]):
    event_type: Literal["complaints.CorrectionRequested.v1"] = "complaints.CorrectionRequested.v1"
    schema_version: Literal[1] = 1


class DeadlineMissed(Envelope[DeadlineMissedPayload]):
    event_type: Literal["complaints.DeadlineMissed.v1"] = "complaints.DeadlineMissed.v1"
    schema_version: Literal[1] = 1


class ComplaintAccepted(Envelope[ComplaintAcceptedPayload]):
    event_type: Literal["complaints.ComplaintAccepted.v1"] = "complaints.ComplaintAccepted.v1"
    schema_version: Literal[1] = 1


class PetitionForwarded(Envelope[PetitionForwardedPayload]):
    event_type: Literal["complaints.PetitionForwarded.v1"] = "complaints.PetitionForwarded.v1"
    schema_version: Literal[1] = 1


COMPLAINTS_EVENTS: tuple[type[Envelope], ...] = (ComplaintReceived, ComplaintResolved, CorrectionRequested,
                                                 DeadlineMissed, ComplaintAccepted, PetitionForwarded)

ComplaintsEvent = Annotated[Union[ComplaintReceived, ComplaintResolved, CorrectionRequested, DeadlineMissed,
                                  ComplaintAccepted, PetitionForwarded],
                            Field(discriminator="event_type")]
ComplaintsEventAdapter: TypeAdapter[ComplaintsEvent] = TypeAdapter(ComplaintsEvent)
