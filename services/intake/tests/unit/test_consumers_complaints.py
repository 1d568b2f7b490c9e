"""Intake's consumer of complaints' CorrectionRequested (issue 9): recorded on the case's record of
corrections, once per event id (a message delivered again, whatever its position, records nothing);
other complaints events and unknown cases are not recorded."""
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from intake_service.application import CaseNotFoundError, Intake
from intake_service.consumers_complaints import policy
from intake_service.corrections import CaseCorrections, load
from intake_service.domain import Actor, Case, Role
from intake_service.translation import to_contract
from thads_contracts import complaints as c
from thads_contracts.envelope import Actor as ContractActor

TZ = timezone(timedelta(hours=7))
UNIT = "TH-KV01"
CLERK = Actor("clerk-1", Role.CLERK)


def request(case_id, position: int = 40, resolution=c.Resolution.UPHELD, complaint_id=None) -> c.CorrectionRequested:
    at = datetime(2026, 5, 20, 9, tzinfo=TZ)
    return c.CorrectionRequested.create(
        payload=c.CorrectionRequestedPayload(
            complaint_id=complaint_id or uuid4(), instance=c.Instance.FIRST, resolution=resolution,
            decision_event_id=uuid4(), decision_event_type="intake.SeizureOrdered.v1",
            complaint_decision_number="12/QĐ-GQKN", decided_on=date(2026, 5, 20), deciding_unit="TH",
            corrections="Giải tỏa kê biên"),
        source="complaints", aggregate_id=complaint_id or uuid4(), aggregate_version=4, case_id=case_id, unit=UNIT,
        actor=ContractActor(id="head-TH", role="head", unit="TH"), occurred_at=at, recorded_at=at,
        source_position=position)


def setup() -> tuple[Intake, Case]:
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    case = Case.receive_request(UNIT, "DON-KN-1", "online", datetime(2026, 3, 3, 9, tzinfo=TZ), CLERK,
                                judgment_number="1/2026/DS-ST", issuing_court="TAND khu vực 1")
    app.save(case)
    return app, case


def consume(app: Intake, env) -> int:
    changed = policy(app)(env)
    app.save(*changed)
    return len(changed)


def test_a_correction_request_is_recorded_once_per_event_id():
    app, case = setup()
    kid = uuid4()
    first = request(case.id, complaint_id=kid)
    assert consume(app, first) == 1
    again = first.model_copy(update={"source_position": 10**9})     # the same event, another position
    assert consume(app, again) == 0
    record = load(app, case.id)
    assert isinstance(record, CaseCorrections) and len(record.requests) == 1
    assert record.requests[0]["complaint_id"] == str(kid) and record.unit == UNIT
    assert consume(app, request(case.id, resolution=c.Resolution.PARTLY_UPHELD)) == 1
    assert len(load(app, case.id).requests) == 2


def test_other_events_and_unknown_cases():
    app, case = setup()
    received = c.ComplaintReceived.create(
        payload=c.ComplaintReceivedPayload(complaint_id=uuid4(), instance=c.Instance.FIRST, decision_event_id=uuid4(),
                                           object=c.ComplaintObject.COERCION, received_on=date(2026, 5, 1),
                                           late=False, deciding_unit="TH"),
        source="complaints", aggregate_id=uuid4(), aggregate_version=1, case_id=case.id, unit=UNIT,
        actor=ContractActor(id="clerk-1", role="clerk", unit=UNIT), occurred_at=datetime(2026, 5, 1, tzinfo=TZ),
        recorded_at=datetime(2026, 5, 1, tzinfo=TZ), source_position=1)
    assert consume(app, received) == 0 and load(app, case.id) is None
    with pytest.raises(CaseNotFoundError):
        consume(app, request(uuid4()))


def test_the_record_of_corrections_is_internal_to_intake():
    app, case = setup()
    consume(app, request(case.id))
    record = load(app, case.id)
    assert all(to_contract(e, 1) is None for e in app.events.get(record.id))
