"""Intake's consumer of accepted online filings (consumers_online.py): an acceptance opens ONE request
on the online channel under the tracking code, with the filing date the citizen submitted; a second
delivery (a new message, e.g. re-published by online's relay after a crash) records nothing; a case id
that is not intake's id for that filing is refused; the other online events record only the position."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import NAMESPACE_URL, uuid4, uuid5

import pytest

from thads_contracts import online as o
from thads_contracts.envelope import Actor

from intake_service.application import Intake
from intake_service.consumers_online import policy
from intake_service.domain import Channel, InvalidValueError

VN = timezone(timedelta(hours=7))
CODE = "TD-7K2M9QX4PA"


def accepted(case_id=None, version: int = 4) -> o.FilingAccepted:
    filing = uuid5(NAMESPACE_URL, f"/thads/online/filings/{CODE}")
    return o.FilingAccepted.create(
        payload=o.FilingAcceptedPayload(
            tracking_code=CODE, case_id=case_id or uuid5(NAMESPACE_URL, f"/thads/units/TH-01/requests/{CODE}"),
            requester_role=o.RequesterRole.CREDITOR, judgment_number="7/2025/HNGĐ-ST",
            issuing_court="TAND khu vực 1 - Thanh Hóa", judgment_effective_on=date(2025, 6, 10),
            filed_on=date(2026, 3, 4), accepted_on=date(2026, 3, 5), claim_total_vnd=36_000_000),
        source="online", aggregate_id=filing, aggregate_version=version, case_id=filing, unit="TH-01",
        actor=Actor(id="tk-01", role="clerk", unit="TH-01"), occurred_at=datetime(2026, 3, 5, 9, tzinfo=VN),
        recorded_at=datetime(2026, 3, 5, 9, 1, tzinfo=VN), source_position=12)


def test_an_acceptance_opens_one_online_request_and_a_redelivery_records_nothing():
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    apply = policy(app)
    [case] = apply(accepted())
    assert case.id == accepted().payload.case_id and case.channel is Channel.ONLINE
    assert case.intake_ref == CODE and case.filed_on == date(2026, 3, 4)
    app.record([case])
    assert apply(accepted()) == []


def test_a_case_id_that_is_not_intakes_is_refused():
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with pytest.raises(InvalidValueError):
        policy(app)(accepted(case_id=uuid4()))


def test_other_online_events_are_not_a_cases_business():
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    env = accepted()
    refused = o.FilingRefused.create(
        payload=o.FilingRefusedPayload(tracking_code=CODE, ground=o.FilingRefusalGround.NOT_COMPETENT,
                                       refused_on=date(2026, 3, 5)),
        source="online", aggregate_id=env.aggregate_id, aggregate_version=5, case_id=env.case_id, unit="TH-01",
        actor=env.actor, occurred_at=env.occurred_at, recorded_at=env.recorded_at, source_position=13)
    assert policy(app)(refused) == []
