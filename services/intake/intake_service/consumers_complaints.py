"""What intake consumes from the complaints service (thads.complaints.complaint), exactly once:
complaints.CorrectionRequested → a correction request on the case's record of corrections
(corrections.CaseCorrections). The kit's EventSourcedSink stores the consumer's position in the same
transaction as the new event; a re-published request (same event id) records nothing. A request about
a case intake does not hold is refused (CaseNotFoundError) and dead-lettered for an operator.
Every other complaints event is not intake's business (position recorded, nothing else)."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts import complaints
from thads_contracts.registry import decode
from thads_contracts.topics import COMPLAINTS_COMPLAINT
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from .application import Intake
from .corrections import CaseCorrections, load
from .domain import IntakeError


def policy(app: Intake):
    def apply(env: Any) -> list[Aggregate]:
        if not isinstance(env, complaints.CorrectionRequested):
            return []
        case = app.get_case(env.case_id)          # CaseNotFoundError: refused, dead-lettered
        record = load(app, env.case_id) or CaseCorrections(case_id=env.case_id, unit=case.unit_id)
        if record.has(env.event_id):
            return []
        p = env.payload
        record.request(source_event_id=str(env.event_id), complaint_id=str(p.complaint_id), instance=p.instance.value,
                       resolution=p.resolution.value, decision_event_id=str(p.decision_event_id),
                       decision_event_type=p.decision_event_type, complaint_decision_number=p.complaint_decision_number,
                       decided_on=p.decided_on, deciding_unit=p.deciding_unit, corrections=p.corrections,
                       legal_basis=p.legal_basis, at=env.occurred_at)
        return [record]
    return apply


def register(broker: KafkaBroker, app: Intake, executor: EsExecutor, group: str, schema: str = "intake",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app), rule_errors=(IntakeError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(COMPLAINTS_COMPLAINT,), sink=sink, decode=decode,
                           fault=fault)
