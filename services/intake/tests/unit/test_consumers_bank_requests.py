"""Intake's consumer of banks' requests for enforcement (consumers_bank_requests.py): a request opens ONE
case on the online channel under the bank's reference, with the bank as creditor (its bank code) and its
claim items, in one save; a second delivery records nothing; a case id that is not intake's id for the
reference is refused; a bank's repayment is not this consumer's business (only the position)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import NAMESPACE_URL, uuid4, uuid5

import pytest

from thads_contracts import recovery as r
from thads_contracts.envelope import Actor

from intake_service.application import Intake
from intake_service.consumers_bank_requests import policy
from intake_service.domain import Channel, InvalidValueError

VN = timezone(timedelta(hours=7))
REQUEST = uuid4()
REF = f"TCTD-VCB-{REQUEST.hex}"
BANK_PARTY, DEBT, OTHER = uuid4(), uuid4(), uuid4()


def requested(case_id=None) -> r.EnforcementRequested:
    return r.EnforcementRequested.create(
        payload=r.EnforcementRequestedPayload(
            bank_code="VCB", request_id=REQUEST, intake_ref=REF, bank_party_id=BANK_PARTY,
            judgment_number="45/2024/KDTM-PT", issuing_court="TAND tỉnh Thanh Hóa",
            judgment_effective_on=date(2024, 11, 20), filed_on=date(2026, 3, 4),
            claims=(r.RequestedClaim(claim_item_id=DEBT, amount_vnd=500_000_000, secured=True),
                    r.RequestedClaim(claim_item_id=OTHER, amount_vnd=20_000_000))),
        source="recovery", aggregate_id=uuid4(), aggregate_version=1,
        case_id=case_id or uuid5(NAMESPACE_URL, f"/thads/units/TH-01/requests/{REF}"), unit="TH-01",
        actor=Actor(id="VCB", role="bank", unit="TH-01"), occurred_at=datetime(2026, 3, 4, 9, tzinfo=VN),
        recorded_at=datetime(2026, 3, 4, 9, 1, tzinfo=VN), source_position=3)


def test_a_banks_request_opens_one_case_with_the_bank_and_its_claims_and_a_redelivery_records_nothing():
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    apply = policy(app)
    [case] = apply(requested())
    assert case.id == requested().case_id and case.channel is Channel.ONLINE
    assert case.intake_ref == REF and case.filed_on == date(2026, 3, 4)
    bank = case.parties[str(BANK_PARTY)]
    assert bank.role.value == "creditor" and bank.kind.value == "credit_institution" and bank.bank_code == "VCB"
    assert {i: (it.amount_vnd, it.secured, it.creditor_party_id) for i, it in case.items.items()} == {
        str(DEBT): (500_000_000, True, str(BANK_PARTY)), str(OTHER): (20_000_000, False, str(BANK_PARTY))}
    assert [type(e).__name__ for e in case.pending_events] == [
        "RequestReceived", "PartyAdded", "ClaimItemAdded", "ClaimItemAdded"]
    app.record([case])
    assert apply(requested()) == []


def test_a_case_id_that_is_not_intakes_is_refused():
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with pytest.raises(InvalidValueError):
        policy(app)(requested(case_id=uuid4()))


def test_a_repayment_is_not_this_consumers_business():
    app = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    env = requested()
    repaid = r.BankRepaymentReceived.create(
        payload=r.BankRepaymentReceivedPayload(bank_code="VCB", claim_item_id=DEBT, amount_vnd=1,
                                               received_on=date(2026, 3, 5)),
        source="recovery", aggregate_id=uuid4(), aggregate_version=2, case_id=env.case_id, unit="TH-01",
        actor=env.actor, occurred_at=env.occurred_at, recorded_at=env.recorded_at, source_position=4)
    assert policy(app)(repaid) == []
