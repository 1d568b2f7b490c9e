"""The consumer's policy: auction proceeds and bank repayments reach the case at any stage where
the law lets money arrive (also while it is postponed, suspended or without conditions), once."""

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from intake_service import translation as t
from intake_service.application import Intake
from intake_service.consumers import policy
from intake_service.domain import Actor, Case, InvalidChannelError, InvalidTransitionError, Role, Status
from thads_contracts.auctions import (
    AuctionOutcome,
    AuctionOutcomeRecorded,
    AuctionOutcomeRecordedPayload,
    ProceedsTransferred,
    ProceedsTransferredPayload,
)
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.recovery import BankRepaymentReceived, BankRepaymentReceivedPayload

TZ = timezone(timedelta(hours=7))
UNIT = "HN-KV01"
JUDGMENT = {"judgment_number": "125/2024/KDTM-ST", "issuing_court": "Tòa án nhân dân khu vực 1 - Hà Nội"}
HEAD = Actor("head-0007", Role.HEAD)
OFFICER = Actor("officer-0042", Role.OFFICER)
CLERK = Actor("clerk-0101", Role.CLERK)
ACCOUNTANT = Actor("accountant-0003", Role.ACCOUNTANT)
S = Status


def uid(name: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"urn:thads:test:consumers:{name}"))


CREDITOR, DEBT = uid("party/creditor"), uid("claim/debt")


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def meta(case: Case, source: str, day: date) -> dict[str, Any]:
    return {"source": source, "aggregate_id": uuid5(NAMESPACE_URL, f"urn:thads:test:{source}"),
            "aggregate_version": 3, "case_id": case.id, "unit": UNIT,
            "actor": ContractActor(id="VCB" if source == "recovery" else "auctioneer-7",
                                   role="bank" if source == "recovery" else "officer"),
            "occurred_at": at(day.year, day.month, day.day, 14), "recorded_at": at(day.year, day.month, day.day, 15),
            "source_position": 3}


def proceeds(case: Case, amount_vnd: int, day: date = date(2025, 4, 22)) -> ProceedsTransferred:
    return ProceedsTransferred.create(
        payload=ProceedsTransferredPayload(asset_id=t.asset_id_for(case.id, "41/QĐ-CCTHADS"),
                                           claim_item_ids=(UUID(DEBT),), amount_vnd=amount_vnd,
                                           sold_on=day - timedelta(days=2), transferred_on=day),
        **meta(case, "auctions", day))


def repayment(case: Case, amount_vnd: int, day: date = date(2025, 4, 23)) -> BankRepaymentReceived:
    return BankRepaymentReceived.create(
        payload=BankRepaymentReceivedPayload(bank_code="VCB", claim_item_id=UUID(DEBT), amount_vnd=amount_vnd,
                                             received_on=day, bank_reference="VCB-0193"),
        **meta(case, "recovery", day))


def new_case(app: Intake, status: Status, creditor_kind: str = "credit_institution") -> Case:
    case = Case.receive_request(UNIT, f"DON-{status}-{creditor_kind}", "online", at(2025, 3, 3), CLERK, **JUDGMENT)
    case.decide_enforcement("315/QĐ-THADS", "on_request", at(2025, 3, 5), HEAD)
    case.add_party(CREDITOR, "creditor", creditor_kind, at(2025, 3, 5), CLERK,
                   bank_code="VCB" if creditor_kind == "credit_institution" else None)
    case.add_claim_item(DEBT, "credit_debt", 100_000_000, CREDITOR, at(2025, 3, 5), CLERK)
    case.notify(at(2025, 3, 10), OFFICER)
    case.start_verification(at(2025, 3, 24), OFFICER)
    if status is S.NO_CONDITION:
        case.record_verification("without_conditions", at(2025, 3, 26), HEAD, ground="no_income_or_assets",
                                 decision_no="80/QĐ-CCTHADS")
    else:
        case.record_verification("with_conditions", at(2025, 3, 26), OFFICER)
    if status is S.POSTPONED:
        case.postpone("parties_agree", "90/QĐ-CCTHADS", at(2025, 4, 1), HEAD)
    elif status is S.SUSPENDED:
        case.suspend("cassation_or_retrial_protest", "91/QĐ-CCTHADS", at(2025, 4, 1), HEAD)
    app.save(case)
    assert case.status is status
    return case


def consume(app: Intake, env: Any) -> Case:
    """What the tracked consumer does with one message: apply the policy and save its cases."""
    cases = policy(app)(env)
    app.save(*cases)
    return app.get_case(env.case_id)


def new_app() -> Intake:
    return Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.mark.parametrize("status", [S.ENFORCING, S.NO_CONDITION, S.POSTPONED, S.SUSPENDED], ids=str)
def test_a_bank_repayment_is_booked_at_any_stage_and_once(status):
    app = new_app()
    case = new_case(app, status)
    message = repayment(case, 10_000_000)

    consume(app, message)
    case = consume(app, message)  # redelivered

    collection = case.collections[str(message.event_id)]
    assert (collection.channel, collection.pooled, len(case.collections)) == ("paid_to_bank", False, 1)
    assert (case.status, case.items[DEBT].direct_vnd, case.held_vnd) == (status, 10_000_000, 0)


def test_proceeds_arriving_after_a_postponement_are_held_and_paid_out_after_the_continuation():
    app = new_app()
    case = new_case(app, S.POSTPONED)

    case = consume(app, proceeds(case, 100_000_000))
    assert (case.status, case.held_vnd) == (S.POSTPONED, 100_000_000)

    case.continue_after_postponement("95/QĐ-CCTHADS", at(2025, 4, 25), HEAD)
    case.disburse(DEBT, 100_000_000, at(2025, 4, 28), ACCOUNTANT)
    case.complete(at(2025, 4, 29), HEAD)
    app.save(case)
    assert app.get_case(case.id).status is S.COMPLETED


def test_money_is_booked_no_earlier_than_the_last_step_of_the_case():
    app = new_app()
    case = new_case(app, S.SUSPENDED)
    case.receive_certificate_request(at(2025, 5, 2), OFFICER)  # a step after the transfer date
    app.save(case)

    case = consume(app, proceeds(case, 5_000_000, day=date(2025, 4, 22)))

    assert case.collections and case.last_at == at(2025, 5, 2)
    assert next(iter(case.collections.values())).on == date(2025, 5, 2)


def test_a_repayment_for_a_creditor_that_is_not_a_bank_is_still_refused():
    app = new_app()
    case = new_case(app, S.NO_CONDITION, creditor_kind="organisation")

    with pytest.raises(InvalidChannelError):
        policy(app)(repayment(case, 10_000_000))
    assert app.get_case(case.id).collections == {}


def test_proceeds_for_a_case_without_conditions_are_refused_by_name():
    app = new_app()
    case = new_case(app, S.NO_CONDITION)

    with pytest.raises(InvalidTransitionError, match="collect_money_pooled"):
        policy(app)(proceeds(case, 10_000_000))


# ---------------------------------------------------------------- an asset taken by the creditor (Art. 104)


def taken_by_creditor(case: Case, price_vnd: int, day: date = date(2025, 9, 2)) -> AuctionOutcomeRecorded:
    return AuctionOutcomeRecorded.create(
        payload=AuctionOutcomeRecordedPayload(asset_id=t.asset_id_for(case.id, "41/QĐ-CCTHADS"),
                                              outcome=AuctionOutcome.TAKEN_BY_CREDITOR, round_number=3,
                                              price_vnd=price_vnd, creditor_party_id=UUID(CREDITOR),
                                              decided_on=day),
        **meta(case, "auctions", day))


def test_a_taken_by_creditor_outcome_records_nothing_while_the_contract_names_no_claim_item():
    # Given an enforcing case and auctions reporting that the creditor took the asset
    app = new_app()
    case = new_case(app, S.ENFORCING)
    version = case.version
    # When the consumer applies it
    cases = policy(app)(taken_by_creditor(case, 100_000_000))
    # Then nothing is recorded (outcome_effect cannot name the claim item; the officer records it)
    assert cases == [] and app.get_case(case.id).version == version


def test_the_policy_books_what_outcome_effect_returns_in_kind_once(monkeypatch):
    # Given outcome_effect able to name the claim item (as it will be once the contract carries it)
    app = new_app()
    case = new_case(app, S.ENFORCING)
    message = taken_by_creditor(case, 100_000_000)
    monkeypatch.setattr(t, "outcome_effect", lambda env: {
        "claim_item_id": DEBT, "value_vnd": env.payload.price_vnd, "source_ref": str(env.event_id),
        "at": env.occurred_at, "actor": Actor("auctions:auctioneer-7", Role.SYSTEM)})
    # When the message is consumed twice
    consume(app, message)
    case = consume(app, message)
    # Then the debt is performed in kind once, never held, and the case can complete
    assert list(case.taken_in_kind) == [str(message.event_id)]
    assert (case.items[DEBT].direct_vnd, case.held_vnd, case.items[DEBT].settled) == (100_000_000, 0, True)
    assert case.status is S.MONEY_HELD
    case.complete(at(2025, 9, 3), HEAD)
    assert case.status is S.COMPLETED


# ---------------------------------------------------------------- contract v2: the outcome names its claim item


def taken_by_creditor_v2(case: Case, price_vnd: int, day: date = date(2025, 9, 2)) -> Any:
    from thads_contracts.auctions import AuctionOutcomeRecordedV2, AuctionOutcomeRecordedV2Payload
    return AuctionOutcomeRecordedV2.create(
        payload=AuctionOutcomeRecordedV2Payload(asset_id=t.asset_id_for(case.id, "41/QĐ-CCTHADS"),
                                                outcome=AuctionOutcome.TAKEN_BY_CREDITOR, round_number=3,
                                                price_vnd=price_vnd, creditor_party_id=UUID(CREDITOR),
                                                claim_item_ids=(UUID(DEBT),), decided_on=day),
        **meta(case, "auctions", day))


def test_a_v2_taken_by_creditor_outcome_is_booked_in_kind_on_its_claim_item_once():
    # Given an enforcing case and auctions reporting (v2) that the creditor took the asset against DEBT
    app = new_app()
    case = new_case(app, S.ENFORCING)
    message = taken_by_creditor_v2(case, 100_000_000)
    # When the message is consumed twice (redelivery)
    consume(app, message)
    case = consume(app, message)
    # Then the value is performed in kind on DEBT once, never held (no officer re-typing it)
    assert list(case.taken_in_kind) == [str(message.event_id)]
    assert (case.items[DEBT].direct_vnd, case.held_vnd, case.items[DEBT].settled) == (100_000_000, 0, True)
