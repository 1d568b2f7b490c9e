"""Complaints' anti-corruption layer, as pure functions.

Outbound (`relay_translate`, the kit relay's Translate), on thads.complaints.complaint keyed by case id:
- Complaint.Filed / SecondFiled → ComplaintReceived (first / second instance); Accepted → ComplaintAccepted;
- NotAccepted, Decided, Withdrawn → ComplaintResolved (with its due date and whether it was on time);
- CorrectionOrdered (an upheld or partly upheld decision) → CorrectionRequested, which intake records;
- DeadlineMissed → DeadlineMissed;
- a reception visit forwarded to another office → PetitionForwarded (vượt cấp flagged).
The Decision read model's Learned, every Denunciation event (confidential, its erasures too) and
the ErasedParty record of intake's own erasure event are internal (INTERNAL); an event class in neither list
stops the relay.

Inbound (`decision_kwargs`): which of intake's and auctions' events are decisions or acts one may
complain about, the complaint OBJECT each one is (it sets the limits), and the date it was made.
Everything else is not a decision (a complaint naming it is refused: complaint.decision_unknown)."""
from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any
from uuid import UUID

from thads_contracts import complaints as c
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.envelope import Envelope
from thads_contracts.registry import encode
from thads_contracts.topics import COMPLAINTS_COMPLAINT
from thads_kit.relay import Outgoing

from .denunciations import Denunciation
from .erasure import ErasedParty
from .reception import ReceptionSession
from .domain import Complaint, ComplaintObject, Decision

SOURCE = "complaints"
VN_TZ = timezone(timedelta(hours=7))
CONTRACT_ROLES = {"officer", "head", "clerk", "procuracy", "auditor", "bank", "admin", "system"}
# Denunciations are confidential (Art. 157): none of their events leaves the service.
INTERNAL = (Decision.Learned, Denunciation.Filed, Denunciation.Accepted, Denunciation.Extended,
            Denunciation.Resolved, Denunciation.DenouncersErased, ReceptionSession.Opened,
            ErasedParty.Recorded)


def actor_string(role: str, who: str) -> str:
    return f"{role}/{who}"


def _actor(event: Any, unit: str | None) -> ContractActor:
    role, _, who = str(getattr(event, "actor", "system/complaints")).partition("/")
    if role not in CONTRACT_ROLES or not who:
        role, who = "system", SOURCE
    return ContractActor(id=who, role=role, unit=unit if role != "system" else None)  # type: ignore[arg-type]


def to_contract(event: Any, notification_id: int) -> Envelope | None:
    actor_unit = getattr(event, "deciding_unit", None)
    if isinstance(event, Complaint.Filed):
        model: Any = c.ComplaintReceived
        payload: Any = c.ComplaintReceivedPayload(
            complaint_id=event.originator_id, instance=c.Instance.FIRST, decision_event_id=event.decision_event_id,
            object=c.ComplaintObject(event.object), received_on=event.received_on, late=event.late,
            deciding_unit=event.first_unit)
        actor_unit = None
    elif isinstance(event, Complaint.SecondFiled):
        model = c.ComplaintReceived
        payload = c.ComplaintReceivedPayload(
            complaint_id=event.originator_id, instance=c.Instance.SECOND, decision_event_id=event.decision_event_id,
            object=c.ComplaintObject(event.object), received_on=event.received_on, late=False,
            deciding_unit=event.deciding_unit)
        actor_unit = None
    elif isinstance(event, Complaint.Accepted):
        model = c.ComplaintAccepted
        payload = c.ComplaintAcceptedPayload(
            complaint_id=event.originator_id, instance=c.Instance(event.instance), accepted_on=event.accepted_on,
            due_on=event.acceptance_due_on, on_time=event.accepted_on <= event.acceptance_due_on,
            decision_due_on=event.decision_due_on, complex=event.complex, deciding_unit=event.deciding_unit)
    elif isinstance(event, Complaint.NotAccepted):
        model = c.ComplaintResolved
        payload = c.ComplaintResolvedPayload(
            complaint_id=event.originator_id, instance=c.Instance(event.instance), resolution=c.Resolution.NOT_ACCEPTED,
            resolved_on=event.refused_on, due_on=event.due_on, on_time=event.on_time,
            deciding_unit=event.deciding_unit, final=True)
    elif isinstance(event, Complaint.Decided):
        model = c.ComplaintResolved
        payload = c.ComplaintResolvedPayload(
            complaint_id=event.originator_id, instance=c.Instance(event.instance), resolution=c.Resolution(event.outcome),
            resolved_on=event.decided_on, due_on=event.due_on, on_time=event.on_time,
            deciding_unit=event.deciding_unit, final=event.final)
    elif isinstance(event, Complaint.Withdrawn):
        model = c.ComplaintResolved
        payload = c.ComplaintResolvedPayload(
            complaint_id=event.originator_id, instance=c.Instance(event.instance), resolution=c.Resolution.WITHDRAWN,
            resolved_on=event.withdrawn_on, due_on=None, on_time=True, deciding_unit=event.deciding_unit, final=True)
        actor_unit = None
    elif isinstance(event, Complaint.CorrectionOrdered):
        model = c.CorrectionRequested
        payload = c.CorrectionRequestedPayload(
            complaint_id=event.originator_id, instance=c.Instance(event.instance), resolution=c.Resolution(event.outcome),
            decision_event_id=event.decision_event_id, decision_event_type=event.decision_event_type,
            complaint_decision_number=event.decision_number, decided_on=event.decided_on,
            deciding_unit=event.deciding_unit, corrections=event.corrections, legal_basis=event.legal_basis)
    elif isinstance(event, Complaint.DeadlineMissed):
        model = c.DeadlineMissed
        payload = c.DeadlineMissedPayload(complaint_id=event.originator_id, step=event.step, due_on=event.due_on,
                                          legal_basis=event.legal_basis)
    elif isinstance(event, ReceptionSession.VisitRecorded):
        if not event.forwarded:
            return None           # handled where it was brought: nothing to count elsewhere
        model = c.PetitionForwarded
        payload = c.PetitionForwardedPayload(
            session_id=event.originator_id, visit_id=event.visit_id, petition_kind=c.PetitionKind(event.petition_kind),
            received_on=event.held_on, reception_unit=event.unit, competent_unit=event.competent_unit,
            vuot_cap=event.vuot_cap)
        key = UUID(str(event.case_id)) if event.case_id else UUID(str(event.visit_id))
        return model.create(payload=payload, source=SOURCE, aggregate_id=event.originator_id,
                            aggregate_version=event.originator_version, case_id=key, unit=event.unit,
                            actor=_actor(event, event.unit), occurred_at=event.at, recorded_at=event.timestamp,
                            source_position=notification_id, correlation_id=key)
    elif isinstance(event, INTERNAL):
        return None
    else:
        raise LookupError(f"{type(event).__qualname__} is neither published nor listed as internal")
    case_id = UUID(str(event.case_id))
    return model.create(payload=payload, source=SOURCE, aggregate_id=event.originator_id,
                        aggregate_version=event.originator_version, case_id=case_id, unit=event.unit,
                        actor=_actor(event, actor_unit or event.unit), occurred_at=event.at,
                        recorded_at=event.timestamp, source_position=notification_id, correlation_id=case_id)


def relay_translate(event: Any, notification_id: int) -> Outgoing | None:
    env = to_contract(event, notification_id)
    if env is None:
        return None
    return Outgoing(topic=COMPLAINTS_COMPLAINT, key=env.kafka_key, value=encode(env),
                    headers=[("event_type", env.event_type.encode()), ("source", SOURCE.encode())])


# ---------------------------------------------------------------- inbound: decisions one may complain about
# event family → (complaint object, the payload's date of the decision or act)
DECISIONS: dict[str, tuple[ComplaintObject, str]] = {
    "intake.RequestRefused": (ComplaintObject.BEFORE_MEASURES, "refused_on"),
    "intake.EnforcementDecided": (ComplaintObject.BEFORE_MEASURES, "decided_on"),
    "intake.VoluntaryPeriodStarted": (ComplaintObject.BEFORE_MEASURES, "notified_on"),
    "intake.VerificationRecorded": (ComplaintObject.BEFORE_MEASURES, "verified_on"),
    "intake.CasePostponed": (ComplaintObject.BEFORE_MEASURES, "postponed_on"),
    "intake.CaseContinued": (ComplaintObject.BEFORE_MEASURES, "continued_on"),
    "intake.CaseSuspended": (ComplaintObject.BEFORE_MEASURES, "suspended_on"),
    "intake.CaseTerminated": (ComplaintObject.BEFORE_MEASURES, "terminated_on"),
    "intake.CaseDelegated": (ComplaintObject.BEFORE_MEASURES, "delegated_on"),
    "intake.CaseRevoked": (ComplaintObject.BEFORE_MEASURES, "revoked_on"),
    "intake.ClaimReduced": (ComplaintObject.BEFORE_MEASURES, "reduced_on"),
    "intake.SeizureOrdered": (ComplaintObject.COERCION, "ordered_on"),            # kê biên: a coercive measure
    "intake.MoneyDisbursed": (ComplaintObject.AFTER_COERCION, "disbursed_on"),
    "intake.CaseCompleted": (ComplaintObject.AFTER_COERCION, "completed_on"),
    "auctions.AuctionOutcomeRecorded": (ComplaintObject.AFTER_COERCION, "decided_on"),
    "auctions.ProceedsTransferred": (ComplaintObject.AFTER_COERCION, "transferred_on"),
}


def family(event_type: str) -> str:
    return event_type.rsplit(".", 1)[0]


def decision_kwargs(env: Envelope) -> dict[str, Any] | None:
    """The Decision read-model record of a consumed event, or None when it is not a decision or act."""
    found = DECISIONS.get(family(env.event_type))
    if found is None:
        return None
    obj, date_field = found
    p: Any = env.payload
    decided_on = getattr(p, date_field, None)
    if not isinstance(decided_on, date):
        decided_on = env.occurred_at.astimezone(VN_TZ).date()
    unit = env.actor.unit or env.unit
    number = getattr(p, "decision_number", None) or getattr(p, "notice_number", None)
    return {"event_id": env.event_id, "event_type": env.event_type, "case_id": env.case_id, "unit": unit,
            "actor_role": env.actor.role, "actor_id": env.actor.id, "decided_on": decided_on, "object": obj.value,
            "decision_number": number}
