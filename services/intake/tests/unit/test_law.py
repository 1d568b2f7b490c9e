"""Issue 7 §1, by the letter of the law: tables with hand-written expected values, each row citing
its clause (domain.md §1). They are not derived from TRANSITIONS or the deadline table: the
expected statuses and dates below were worked out by hand from the articles.

Calendar used for the dates (2025): 3/3 is a Monday; no public holiday in March 2025; Mon 7/4/2025
is the Hùng Kings' Commemoration (a day off)."""

from __future__ import annotations

from datetime import date

import pytest

from intake_service.deadlines import Step
from intake_service.domain import (
    TERMINATION_GROUND_LABELS,
    AmountExceedsOutstandingError,
    BasisMismatchError,
    Case,
    InvalidGroundError,
    InvalidTransitionError,
    InvalidValueError,
    LimitationExpiredError,
    MissingGroundError,
    MoneyHeldError,
    ReasonsRequiredError,
    Status,
    TerminationGround,
)
from intake_service.testing import ACCOUNTANT, CLERK, HEAD, JUDGMENT, OFFICER, at

S = Status


# ---------------------------------------------------------------- builders (dates by hand)


def request(filed: date, effective: date | None) -> Case:
    case = Case.receive_request("HN-01", f"DON-{filed}", "in_person", at(filed.year, filed.month, filed.day), CLERK,
                                **{**JUDGMENT, "judgment_effective_on": effective})
    case.add_party("P-CR", "creditor", "individual", at(filed.year, filed.month, filed.day, 10), CLERK)
    return case


def judgment_case(ref: str = "BA-1") -> Case:
    """Received Mon 3/3/2025, QĐTHA Tue 4/3, notified Wed 5/3 (voluntary period to 17/3)."""
    case = Case.receive_judgment("HN-01", ref, at(2025, 3, 3), CLERK, **JUDGMENT)
    case.add_party("P-CR", "creditor", "state", at(2025, 3, 3, 10), CLERK)
    case.add_claim_item("I-1", "fine", 100_000_000, "P-CR", at(2025, 3, 3, 11), CLERK, ex_officio=True)
    case.add_claim_item("I-2", "court_fee", 10_000_000, "P-CR", at(2025, 3, 3, 11), CLERK, ex_officio=True)
    case.decide_enforcement("QD-1", "ex_officio", at(2025, 3, 4), HEAD)
    return case


def to_status(status: Status) -> Case:
    """A judgment case brought to `status` by the hand-written steps of the procedure."""
    case = judgment_case(f"BA-{status}")
    if status is S.DECIDED:
        return case
    case.notify(at(2025, 3, 5), OFFICER)
    if status is S.VOLUNTARY:
        return case
    case.start_verification(at(2025, 3, 18), OFFICER)
    if status is S.VERIFYING:
        return case
    if status in (S.NO_CONDITION, S.SEPARATE_REGISTER):
        case.record_verification("without_conditions", at(2025, 3, 19), HEAD, ground="no_income_or_assets",
                                 decision_no="QD-CDK")
        if status is S.SEPARATE_REGISTER:
            case.reverify(False, at(2025, 9, 15), OFFICER)
            case.reverify(False, at(2026, 3, 16), OFFICER)
            case.move_to_separate_register(at(2026, 3, 23), HEAD)
        return case
    case.record_verification("with_conditions", at(2025, 3, 19), OFFICER)
    if status is S.MONEY_HELD:
        case.collect_money("I-1", 4_000_000, "deduction", "KT-1", at(2025, 3, 20), OFFICER)
    return case


# ---------------------------------------------------------------- limitation (Art. 30)


@pytest.mark.parametrize(("effective", "filed", "late", "clause"), [
    (date(2019, 1, 10), date(2024, 1, 10), False, "5 years to 10/1/2024 inclusive (Art. 30(1))"),
    (date(2019, 1, 10), date(2024, 1, 11), True, "filed the day after the 5 years"),
    (date(2020, 6, 1), date(2024, 3, 4), False, "well within 5 years"),
])
def test_the_five_years_of_art_30_1(effective: date, filed: date, late: bool, clause: str) -> None:
    case = request(filed, effective)
    assert case.limitation_expired is late, clause


def test_a_late_request_is_not_a_hard_block_the_head_accepts_it_with_reasons() -> None:
    """Art. 30(3); ND 62/2015 Art. 4: force majeure or an objective obstacle, accepted with reasons."""
    case = request(date(2024, 1, 11), date(2019, 1, 10))
    with pytest.raises(LimitationExpiredError) as refused:
        case.decide_enforcement("QD-1", "on_request", at(2024, 1, 12), HEAD)
    assert refused.value.rule == "limitation.expired" and "Art. 30" in refused.value.legal_basis
    with pytest.raises(ReasonsRequiredError):
        case.accept_late_request("force_majeure", "  ", at(2024, 1, 12), HEAD)
    with pytest.raises(InvalidGroundError):
        case.accept_late_request("forgot", "Quên", at(2024, 1, 12), HEAD)
    case.accept_late_request("force_majeure", "Bão lũ cô lập xã từ 20/12/2023 đến 9/1/2024", at(2024, 1, 12), HEAD)
    case.decide_enforcement("QD-1", "on_request", at(2024, 1, 12, 10), HEAD)
    assert case.status is S.DECIDED
    assert case.late_request == {"ground": "force_majeure", "on": "2024-01-12",
                                 "reasons": "Bão lũ cô lập xã từ 20/12/2023 đến 9/1/2024"}


def test_a_request_in_time_needs_no_acceptance() -> None:
    case = request(date(2024, 1, 10), date(2019, 1, 10))
    with pytest.raises(InvalidValueError) as refused:
        case.accept_late_request("objective_obstacle", "Ốm", at(2024, 1, 11), HEAD)
    assert refused.value.rule == "limitation.not_expired"


@pytest.mark.parametrize(("due_on", "accepted", "clause"), [
    (date(2021, 6, 1), True, "instalment due 1/6/2021: its own 5 years run to 1/6/2026 (Art. 30(1))"),
    (date(2019, 2, 1), False, "instalment due 1/2/2019: its 5 years ended 1/2/2024, before the filing"),
])
def test_each_item_with_its_own_due_date_has_its_own_five_years(due_on: date, accepted: bool, clause: str) -> None:
    # the judgment took effect on 10/1/2019 (5 years to 10/1/2024); the request is filed on 4/3/2024
    case = request(date(2024, 3, 4), date(2019, 1, 10))
    add = lambda: case.add_claim_item("I-1", "maintenance", 2_000_000, "P-CR", at(2024, 3, 4, 11), CLERK,  # noqa: E731
                                      due_on=due_on)
    if accepted:
        add()
        assert case.limitation_expires_on == date(2026, 6, 1), clause
        case.decide_enforcement("QD-1", "on_request", at(2024, 3, 5), HEAD)  # in time through that item
    else:
        with pytest.raises(LimitationExpiredError, match="2024-02-01"):
            add()


# ---------------------------------------------------------------- postponement and suspension (Arts. 48, 49)

# Any open case after its decision can be paused (the law sets no stage); not before the decision,
# not one already paused, not one that ended.
PAUSE_FROM = [
    (S.DECIDED, True), (S.VOLUNTARY, True), (S.VERIFYING, True), (S.ENFORCING, True), (S.MONEY_HELD, True),
    (S.NO_CONDITION, True), (S.SEPARATE_REGISTER, True),
]


@pytest.mark.parametrize(("status", "allowed"), PAUSE_FROM)
@pytest.mark.parametrize("pause", ["postpone", "suspend"])
def test_postponement_and_suspension_from_any_open_status_after_the_decision(status, allowed, pause) -> None:
    case = to_status(status)
    day = case.last_at.date()
    when = at(day.year, day.month, day.day, 16)
    if pause == "postpone":
        case.postpone("parties_agree", "QD-H", when, HEAD)
    else:
        case.suspend("bankruptcy_petition_accepted", "QD-T", when, HEAD)
    assert case.status is (S.POSTPONED if pause == "postpone" else S.SUSPENDED)
    # and the continuation returns to where it was (Art. 48(4); Art. 49(3))
    nxt = at(day.year, day.month, day.day, 17)
    if pause == "postpone":
        case.continue_after_postponement("QD-TT", nxt, HEAD)
    else:
        case.continue_after_suspension("QD-TT", nxt, HEAD)
    assert case.status is status


@pytest.mark.parametrize("status", [S.JUDGMENT_RECEIVED, S.POSTPONED, S.SUSPENDED, S.COMPLETED])
def test_no_pause_before_the_decision_or_of_a_paused_or_ended_case(status) -> None:
    case = Case.receive_judgment("HN-01", "BA-X", at(2025, 3, 3), CLERK, **JUDGMENT)
    if status is not S.JUDGMENT_RECEIVED:
        case = to_status(S.ENFORCING)
        if status is S.POSTPONED:
            case.postpone("parties_agree", "QD-H", at(2025, 3, 20), HEAD)
        elif status is S.SUSPENDED:
            case.suspend("cassation_or_retrial_protest", "QD-T", at(2025, 3, 20), HEAD)
        else:
            case.collect_money("I-1", 100_000_000, "deduction", "KT-A", at(2025, 3, 20), OFFICER)
            case.collect_money("I-2", 10_000_000, "deduction", "KT-B", at(2025, 3, 20), OFFICER)
            case.disburse("I-1", 100_000_000, at(2025, 3, 21), ACCOUNTANT)
            case.disburse("I-2", 10_000_000, at(2025, 3, 21), ACCOUNTANT)
            case.complete(at(2025, 3, 24), HEAD)
    assert case.status is status
    with pytest.raises(InvalidTransitionError):
        case.postpone("parties_agree", "QD-H2", at(2025, 3, 25), HEAD)


def _deadline(case: Case, step: Step, as_of: date = date(2025, 12, 31)) -> dict:
    rows = [r for r in case.deadlines(as_of) if r["step"] == step.value]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize(("ground", "step", "known", "due", "clause"), [
    ("parties_agree", Step.POSTPONEMENT_DECISION, date(2025, 3, 3), date(2025, 3, 10),
     "5 WD from Mon 3/3 (Art. 48(2))"),
    ("protest_holder_request", Step.POSTPONEMENT_DECISION_PROTEST, date(2025, 3, 3), date(2025, 3, 3),
     "at once on a protest-holder's request (Art. 48(3))"),
])
def test_postponement_decision_deadlines(ground, step, known, due, clause) -> None:
    case = to_status(S.ENFORCING)
    case.postpone(ground, "QD-H", at(2025, 3, 20), HEAD, ground_known_on=known)
    row = _deadline(case, step)
    assert (row["due"], row["done_on"], row["status"]) == (due, date(2025, 3, 20), "overdue"), clause


def test_the_continuation_is_due_5_working_days_after_the_ground_ended() -> None:
    case = to_status(S.ENFORCING)
    case.postpone("debtor_ill_or_incapacitated", "QD-H", at(2025, 3, 20), HEAD)
    case.continue_after_postponement("QD-TT", at(2025, 4, 14), HEAD, ground_ended_on=date(2025, 4, 4))
    row = _deadline(case, Step.CONTINUATION_AFTER_POSTPONEMENT)
    # Fri 4/4 + 5 WD (Art. 48(4)); Mon 7/4/2025 is the Hùng Kings' Commemoration, a day off: Mon 14/4
    assert (row["due"], row["status"]) == (date(2025, 4, 14), "met")


# ---------------------------------------------------------------- missing deadlines and decisions


def test_every_decision_is_notified_to_the_parties_within_3_working_days() -> None:
    """Art. 39(2): a postponement of Thu 6/3/2025 is due to the parties by Tue 11/3/2025."""
    case = to_status(S.VOLUNTARY)
    case.postpone("parties_agree", "QD-H", at(2025, 3, 6), HEAD)
    row = next(r for r in case.deadlines(date(2025, 3, 12)) if r["step"] == "notice_to_parties"
               and r["started_on"] == date(2025, 3, 6))
    assert (row["due"], row["status"]) == (date(2025, 3, 11), "overdue")
    case.record_notice_to_parties("QD-H", date(2025, 3, 10), at(2025, 3, 12), CLERK)
    row = next(r for r in case.deadlines(date(2025, 3, 12)) if r["step"] == "notice_to_parties"
               and r["started_on"] == date(2025, 3, 6))
    assert (row["done_on"], row["status"]) == (date(2025, 3, 10), "met")
    # the QĐTHA's own notice is the notice that starts the voluntary period (Wed 5/3, met)
    qdtha = next(r for r in case.deadlines(date(2025, 3, 12)) if r["step"] == "notice_to_parties"
                 and r["started_on"] == date(2025, 3, 4))
    assert (qdtha["due"], qdtha["done_on"], qdtha["status"]) == (date(2025, 3, 7), date(2025, 3, 5), "met")


def test_the_separate_register_is_due_3_working_days_after_its_conditions_are_met() -> None:
    """ND 62/2015 Art. 9(5): 1 year after the no-condition decision of 20/3/2024 (→ 20/3/2025) and two
    checks (16/9/2024, 17/3/2025): due Tue 25/3/2025."""
    case = Case.receive_judgment("HN-01", "BA-SR", at(2024, 3, 4), CLERK, **JUDGMENT)
    case.decide_enforcement("QD-1", "ex_officio", at(2024, 3, 5), HEAD)
    case.notify(at(2024, 3, 6), OFFICER)
    case.start_verification(at(2024, 3, 19), OFFICER)
    case.record_verification("without_conditions", at(2024, 3, 20), HEAD, ground="no_income_or_assets",
                             decision_no="QD-CDK")
    case.reverify(False, at(2024, 9, 16), OFFICER)
    case.reverify(False, at(2025, 3, 17), OFFICER)
    row = _deadline(case, Step.SEPARATE_REGISTER_TRANSFER, date(2025, 3, 26))
    assert (row["started_on"], row["due"], row["status"]) == (date(2025, 3, 20), date(2025, 3, 25), "overdue")
    case.move_to_separate_register(at(2025, 3, 24), HEAD)
    row = _deadline(case, Step.SEPARATE_REGISTER_TRANSFER, date(2025, 3, 26))
    assert (row["done_on"], row["status"]) == (date(2025, 3, 24), "met")
    # the creditor is told in writing after the two checks: due Thu 20/3/2025 (3 WD after Mon 17/3)
    row = _deadline(case, Step.CREDITOR_NOTICE_AFTER_TWO_CHECKS, date(2025, 3, 26))
    assert (row["due"], row["status"]) == (date(2025, 3, 20), "overdue")


def test_new_information_is_verified_within_10_days_and_only_the_head_continues() -> None:
    """Art. 44(2); ND 62/2015 Art. 9(4): information of Mon 3/3/2025 → verified by Thu 13/3/2025; a
    finding of conditions is the officer's; leaving NO_CONDITION is the head's numbered decision."""
    case = to_status(S.NO_CONDITION)     # no-condition decision 19/3/2025
    case.record_new_information(date(2025, 4, 1), at(2025, 4, 2), CLERK)
    row = _deadline(case, Step.VERIFICATION_AFTER_NEW_INFORMATION, date(2025, 4, 5))
    assert (row["due"], row["status"]) == (date(2025, 4, 11), "open")
    case.reverify(True, at(2025, 4, 8), OFFICER)
    assert case.status is S.NO_CONDITION                       # the officer alone cannot leave it
    row = _deadline(case, Step.VERIFICATION_AFTER_NEW_INFORMATION, date(2025, 4, 9))
    assert (row["done_on"], row["status"]) == (date(2025, 4, 8), "met")
    with pytest.raises(Exception) as refused:
        case.continue_from_no_condition("QD-TT", at(2025, 4, 9), OFFICER)
    assert refused.value.rule == "role.continue_from_no_condition"
    case.continue_from_no_condition("QD-TT", at(2025, 4, 9), HEAD)
    assert case.status is S.ENFORCING
    assert case.decisions["QD-TT"].kind == "continuation"       # so its copy to the procuracy is due (Art. 38)
    assert any(r["step"] == "procuracy_copy" and r["started_on"] == date(2025, 4, 9) for r in case.deadlines(
        date(2025, 4, 9)))


def test_the_creditor_is_told_only_after_two_checks() -> None:
    case = to_status(S.NO_CONDITION)
    case.reverify(False, at(2025, 9, 15), OFFICER)
    with pytest.raises(InvalidValueError) as refused:
        case.record_creditor_notice(date(2025, 9, 16), at(2025, 9, 16), CLERK)
    assert refused.value.rule == "creditor_notice.before_two_checks"


def test_a_case_received_by_delegation_is_decided_within_5_working_days() -> None:
    """Art. 57 (as amended 2022): registered here, origin "delegation"; received Mon 10/3/2025 → its
    own QĐTHA by Mon 17/3/2025, with the basis it had at the delegating office."""
    case = Case.receive_delegation("HN-01", "UT-1", at(2025, 3, 10), CLERK, from_unit_id="HP-KV03",
                                   delegation_decision_no="35/QĐ-CCTHADS", basis="on_request", **JUDGMENT)
    assert (case.origin, case.status, case.delegated_from) == ("delegation", S.JUDGMENT_RECEIVED, "HP-KV03")
    row = _deadline(case, Step.DECISION_AFTER_DELEGATION, date(2025, 3, 18))
    assert (row["due"], row["status"]) == (date(2025, 3, 17), "overdue")
    with pytest.raises(BasisMismatchError):
        case.decide_enforcement("QD-1", "ex_officio", at(2025, 3, 14), HEAD)
    case.decide_enforcement("QD-1", "on_request", at(2025, 3, 14), HEAD)
    assert _deadline(case, Step.DECISION_AFTER_DELEGATION)["status"] == "met"
    with pytest.raises(InvalidValueError):
        Case.receive_delegation("HN-01", "UT-2", at(2025, 3, 10), CLERK, from_unit_id="HN-01",
                                delegation_decision_no="1", basis="on_request", **JUDGMENT)


# ---------------------------------------------------------------- termination (Art. 50)


@pytest.mark.parametrize(("ground", "ok", "clause"), [
    ("creditor_waiver_or_parties_agreement", True, "Art. 50(1)(c): waiver or agreement, in part"),
    ("judgment_annulled", True, "Art. 50(1)(d): judgment annulled in part"),
    ("debtor_died_without_estate", False, "Art. 50(1)(a) ends the whole case, never a part"),
    ("bankruptcy_opened", False, "Art. 50(1)(g) ends the whole case"),
])
def test_partial_termination_only_on_50_1_c_or_d(ground, ok, clause) -> None:
    case = to_status(S.ENFORCING)
    call = lambda: case.terminate_in_part("I-1", 30_000_000, ground, "QD-DC-1P", at(2025, 3, 24), HEAD)  # noqa: E731
    if not ok:
        with pytest.raises(InvalidGroundError, match=r"\(c\) or \(d\)"):
            call()
        return
    call()
    item = case.items["I-1"]
    assert (item.amount_vnd, item.reduced_vnd, item.to_enforce_vnd, case.status) == (
        100_000_000, 30_000_000, 70_000_000, S.ENFORCING), clause
    assert case.uncollected_vnd == 80_000_000           # 70 M + the court fee's 10 M
    with pytest.raises(AmountExceedsOutstandingError):   # no more than what is still to collect
        case.terminate_in_part("I-1", 70_000_001, ground, "QD-DC-2P", at(2025, 3, 25), HEAD)


def test_a_claim_partly_terminated_completes_when_the_rest_is_paid() -> None:
    case = to_status(S.ENFORCING)
    case.terminate_in_part("I-1", 100_000_000, "creditor_waiver_or_parties_agreement", "QD-DC-P",
                           at(2025, 3, 24), HEAD)
    case.collect_money("I-2", 10_000_000, "deduction", "KT-1", at(2025, 3, 25), OFFICER)
    case.disburse("I-2", 10_000_000, at(2025, 3, 26), ACCOUNTANT)
    case.complete(at(2025, 3, 27), HEAD)
    assert case.status is S.COMPLETED


@pytest.mark.parametrize(("command", "call"), [
    ("terminate", lambda c, when: c.terminate("judgment_annulled", "QD-DC", when, HEAD)),
    ("revoke", lambda c, when: c.revoke("material_error", "QD-TH", when, HEAD)),
])
def test_termination_and_revocation_are_refused_while_money_is_held(command, call) -> None:
    """Money held must be paid out or returned first (Arts. 47(5), 50)."""
    case = to_status(S.MONEY_HELD)     # 4,000,000 đồng held
    with pytest.raises(MoneyHeldError) as refused:
        call(case, at(2025, 3, 21))
    assert refused.value.rule == "money.held" and "4.000.000 đồng" in refused.value.message_vi
    assert case.status is S.MONEY_HELD
    case.disburse("I-2", 4_000_000, at(2025, 3, 21), ACCOUNTANT)   # the court fee first (Art. 47(1))
    call(case, at(2025, 3, 21, 10))
    assert case.status is (S.TERMINATED if command == "terminate" else S.REVOKED)


def test_termination_from_the_separate_register() -> None:
    case = to_status(S.SEPARATE_REGISTER)
    case.terminate("creditor_waiver_or_parties_agreement", "QD-DC", at(2026, 3, 24), HEAD)
    assert case.status is S.TERMINATED


def test_art_50_1_h_is_the_minor_in_someones_care_not_maintenance() -> None:
    label = TERMINATION_GROUND_LABELS[TerminationGround.CHILD_DIED_OR_OF_AGE]
    assert "chưa thành niên" in label and "50(1)(h)" in label and "cấp dưỡng" not in label


# ---------------------------------------------------------------- delegation (Arts. 55–57)


def test_a_delegation_after_the_decision_revokes_it() -> None:
    """Art. 57(1)(a) as amended 2022: the QĐTHA is revoked with the delegation; its number is given."""
    case = to_status(S.VERIFYING)
    with pytest.raises(MissingGroundError) as refused:
        case.delegate_out("HP-KV03", "assets_elsewhere", "QD-UT", at(2025, 3, 20), HEAD)
    assert refused.value.rule == "delegation.revocation_required"
    case.delegate_out("HP-KV03", "assets_elsewhere", "QD-UT", at(2025, 3, 20), HEAD, revocation_decision_no="QD-TH")
    assert case.status is S.DELEGATED_OUT
    assert (case.decisions["QD-UT"].kind, case.decisions["QD-TH"].kind) == ("delegation", "revocation")


def test_a_partial_delegation_revokes_the_decision_in_that_part_and_the_case_goes_on() -> None:
    case = to_status(S.ENFORCING)
    case.delegate_in_part("HP-KV03", "assets_elsewhere", "QD-UT", "QD-TH", ["I-2"], at(2025, 3, 20), HEAD)
    assert case.status is S.ENFORCING
    assert (case.items["I-2"].reduced_vnd, case.items["I-2"].settled) == (10_000_000, True)
    assert case.decisions["QD-TH"].kind == "revocation_in_part"
    with pytest.raises(InvalidValueError):   # naming every item is a whole delegation
        case.delegate_in_part("HP-KV03", "assets_elsewhere", "QD-UT2", "QD-TH2", ["I-1", "I-2"],
                              at(2025, 3, 21), HEAD)


# ---------------------------------------------------------------- unclaimed money (ND 62/2015 Art. 49)


def test_unclaimed_money_is_deposited_in_the_legal_order_and_completes_the_case() -> None:
    case = to_status(S.ENFORCING)
    case.collect_money("I-1", 50_000_000, "deduction", "KT-1", at(2025, 3, 20), OFFICER)
    # of the 50 M held the court fee (rank 2) takes 10 M first (Art. 47(1)): the fine's share is 40 M
    with pytest.raises(Exception) as refused:
        case.deposit_unclaimed_money("I-1", 45_000_000, "STK-1", at(2025, 4, 21), ACCOUNTANT)
    assert refused.value.rule == "payment_order.payment_order"
    case.deposit_unclaimed_money("I-1", 40_000_000, "STK-1", at(2025, 4, 21), ACCOUNTANT)
    case.disburse("I-2", 10_000_000, at(2025, 4, 21, 10), ACCOUNTANT)
    case.collect_money("I-1", 60_000_000, "deduction", "KT-2", at(2025, 5, 5), OFFICER)
    case.deposit_unclaimed_money("I-1", 60_000_000, "STK-2", at(2025, 6, 5), ACCOUNTANT)
    assert (case.held_vnd, case.items["I-1"].deposited_vnd, case.status) == (0, 100_000_000, S.MONEY_HELD)
    case.complete(at(2025, 6, 6), HEAD)
    assert case.collect_events()[-1].completion_basis == "unclaimed_money_deposited"
