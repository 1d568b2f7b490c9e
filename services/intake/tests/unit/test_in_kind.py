"""An asset taken by the creditor against the debt (Art. 104, from the 2nd price cut): performance
in kind — never held, never disbursed — that reduces what is owed and can settle the claim item."""

from datetime import datetime

import pytest

from intake_service.domain import (
    Actor,
    ActorNotPermittedError,
    AmountExceedsOutstandingError,
    Case,
    ConflictingSourceRefError,
    InvalidTransitionError,
)
from intake_service.testing import ACCOUNTANT, CLERK, HEAD, JUDGMENT, OFFICER, S, TZ, at


def enforcing() -> Case:
    case = Case.receive_judgment("U-HN", "BA-KIND", at(2024, 3, 4), CLERK, **JUDGMENT)
    case.add_party("P-CR", "creditor", "organisation", at(2024, 3, 4), CLERK)
    case.add_party("P-STATE", "creditor", "state", at(2024, 3, 4), CLERK)
    case.add_claim_item("I-1", "other", 300_000_000, "P-CR", at(2024, 3, 4), CLERK)
    case.add_claim_item("I-FEE", "court_fee", 5_000_000, "P-STATE", at(2024, 3, 4), CLERK)
    case.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    case.notify(at(2024, 3, 6), OFFICER)
    case.start_verification(at(2024, 3, 20), OFFICER)
    case.record_verification("with_conditions", at(2024, 3, 22), OFFICER)
    case.order_seizure("QD-KB-1", "Nhà đất thửa 12", ["I-1"], at(2024, 3, 26), OFFICER, asset_kind="real_estate")
    case.collect_events()
    return case


def take(case: Case, value: int = 300_000_000, ref: str = "BB-GIAO-1", when: datetime = at(2024, 9, 3),
         actor: Actor = OFFICER, item: str = "I-1") -> None:
    case.record_asset_taken_in_kind(item, value, ref, when, actor)


def test_the_value_settles_the_item_without_being_held_and_the_case_completes():
    case = enforcing()
    case.collect_money("I-FEE", 5_000_000, "deduction", "BANK-1", at(2024, 4, 1), OFFICER)
    case.disburse("I-FEE", 5_000_000, at(2024, 4, 2), ACCOUNTANT)
    assert case.status is S.ENFORCING
    take(case)
    item = case.items["I-1"]
    assert (item.outstanding_vnd, item.settled, item.direct_vnd, item.paid_out_vnd) == (0, True, 300_000_000, 0)
    assert (case.held_vnd, case.uncollected_vnd, case.payment_plan()) == (0, 0, {"I-1": 0, "I-FEE": 0})
    assert case.status is S.MONEY_HELD  # settled in full: ready to complete (§1.6)
    assert not [d for d in case.deadlines(at(2024, 9, 4).date()) if d["step"] == "disbursement"
                and d["started_on"] == at(2024, 9, 3).date()]  # nothing to pay out within 10 days
    case.complete(at(2024, 9, 4), HEAD)
    assert case.status is S.COMPLETED


def test_a_partial_value_reduces_what_is_owed_and_the_status_stays():
    case = enforcing()
    take(case, 100_000_000)
    assert (case.items["I-1"].outstanding_vnd, case.uncollected_vnd, case.status) == (200_000_000, 205_000_000,
                                                                                     S.ENFORCING)
    assert case.collect_events()[-1].__class__.__name__ == "AssetTakenInKind"


@pytest.mark.parametrize("pause", ["postpone", "suspend"])
def test_it_is_booked_while_paused_and_a_settled_paused_case_completes(pause):
    case = enforcing()
    case.collect_money("I-FEE", 5_000_000, "deduction", "BANK-1", at(2024, 4, 1), OFFICER)
    case.disburse("I-FEE", 5_000_000, at(2024, 4, 2), ACCOUNTANT)
    if pause == "postpone":
        case.postpone("parties_agree", "QD-HOAN-1", at(2024, 5, 2), HEAD)
    else:
        case.suspend("cassation_or_retrial_protest", "QD-TDC-1", at(2024, 5, 2), HEAD)
    paused = case.status
    take(case)
    assert case.status is paused and case.items["I-1"].settled
    case.complete(at(2024, 9, 4), HEAD)
    assert case.status is S.COMPLETED


@pytest.mark.parametrize("status", [S.VOLUNTARY, S.VERIFYING, S.NO_CONDITION, S.DECIDED, S.COMPLETED])
def test_it_is_refused_where_no_seized_asset_can_be_taken(status):
    case = Case.receive_judgment("U-HN", "BA-NO", at(2024, 3, 4), CLERK, **JUDGMENT)
    case.add_party("P-CR", "creditor", "organisation", at(2024, 3, 4), CLERK)
    case.add_claim_item("I-1", "other", 300_000_000, "P-CR", at(2024, 3, 4), CLERK)
    case.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    if status is not S.DECIDED:
        case.notify(at(2024, 3, 6), OFFICER)
    if status is S.COMPLETED:
        case.record_voluntary_payment("I-1", 300_000_000, "RCPT-1", at(2024, 3, 8), ACCOUNTANT,
                                      direct_to_creditor=True)
        case.complete(at(2024, 3, 9), HEAD)
    if status in (S.VERIFYING, S.NO_CONDITION):
        case.start_verification(at(2024, 3, 20), OFFICER)
    if status is S.NO_CONDITION:
        case.record_verification("without_conditions", at(2024, 3, 22), HEAD, ground="no_income_or_assets",
                                 decision_no="QD-CDK-1")
    assert case.status is status
    case.collect_events()
    with pytest.raises(InvalidTransitionError, match="Art. 104") as refused:
        take(case, 1_000_000)
    assert refused.value.command == "record_asset_taken_in_kind"
    assert case.collect_events() == []


def test_a_redelivery_books_once_and_a_reused_reference_with_other_values_is_refused():
    case = enforcing()
    take(case, 100_000_000)
    take(case, 100_000_000, when=at(2024, 9, 5))  # redelivered: ignored
    assert len(case.collect_events()) == 1 and case.items["I-1"].direct_vnd == 100_000_000
    with pytest.raises(ConflictingSourceRefError):
        take(case, 120_000_000)
    case.collect_money("I-1", 1_000_000, "deduction", "BANK-9", at(2024, 9, 6), OFFICER)
    with pytest.raises(ConflictingSourceRefError, match="money collected"):
        take(case, 1_000_000, ref="BANK-9", when=at(2024, 9, 7))


def test_a_value_above_what_is_owed_is_refused_the_creditor_pays_the_excess():
    case = enforcing()
    with pytest.raises(AmountExceedsOutstandingError, match="excess") as refused:
        take(case, 300_000_001)
    assert "Art. 104" in str(refused.value)
    # money already collected for the case (held, not yet paid out) also counts: 10 M are held
    case.collect_money("I-1", 10_000_000, "deduction", "BANK-1", at(2024, 4, 1), OFFICER)
    with pytest.raises(AmountExceedsOutstandingError):
        take(case, 300_000_000)
    take(case, 295_000_000)
    assert case.uncollected_vnd == 0 and case.collect_events()[-1].value_vnd == 295_000_000


def test_only_the_officer_the_head_or_the_system_record_it():
    case = enforcing()
    for actor in (CLERK, ACCOUNTANT):
        with pytest.raises(ActorNotPermittedError):
            take(case, 1_000_000, actor=actor)
    take(case, 1_000_000, actor=HEAD)
