"""The enforcement fee of TT 216/2016/TT-BTC (domain/fees.py), with hand-written expected values.

Tiers (Art. 4(1)): ≤ 5 bn 3 %; 5–7 bn 150 M + 2 % above 5 bn; 7–10 bn 190 M + 1 % above 7 bn;
10–15 bn 220 M + 0.5 % above 10 bn; > 15 bn 245 M + 0.01 % above 15 bn. Running total for
instalments (Art. 5(2)); ≤ 2 × base salary exempt (Art. 6(4)); voluntary period exempt (Art. 6(8));
direct settlement before coercion one third (Art. 4(4)); maintenance, life/health exempt."""

from __future__ import annotations

from datetime import date

import pytest

from intake_service.domain import (
    Case,
    FeeNotApplicableError,
    NothingToChargeError,
    base_salary,
    fee_due,
    fee_schedule,
    tiered_fee,
)
from intake_service.testing import ACCOUNTANT, CLERK, HEAD, JUDGMENT, OFFICER, at

TT216 = fee_schedule(date(2026, 1, 1))


@pytest.mark.parametrize(("value_vnd", "fee_vnd", "clause"), [
    (1_000_000, 30_000, "3 % (Art. 4(1)(a))"),
    (5_000_000_000, 150_000_000, "3 % of 5 bn, top of the first tier"),
    (6_000_000_000, 170_000_000, "150 M + 2 % of 1 bn"),
    (7_000_000_000, 190_000_000, "150 M + 2 % of 2 bn = 190 M"),
    (8_000_000_000, 200_000_000, "190 M + 1 % of 1 bn"),
    (10_000_000_000, 220_000_000, "190 M + 1 % of 3 bn = 220 M"),
    (12_000_000_000, 230_000_000, "220 M + 0.5 % of 2 bn"),
    (15_000_000_000, 245_000_000, "220 M + 0.5 % of 5 bn = 245 M"),
    (40_000_000_000, 247_500_000, "245 M + 0.01 % of 25 bn (the issue's example)"),
    (33_333, 999, "3 % rounded down to the đồng"),
])
def test_the_tiers_of_art_4_1(value_vnd: int, fee_vnd: int, clause: str) -> None:
    assert TT216 is not None and tiered_fee(value_vnd, TT216) == fee_vnd, clause


def test_the_schedule_is_data_with_its_legal_basis_and_in_force_dates() -> None:
    assert TT216 is not None
    assert (TT216.in_force_from, TT216.in_force_until) == (date(2017, 1, 1), None)
    assert TT216.legal_basis == "Art. 4(1) TT 216/2016/TT-BTC"
    assert fee_schedule(date(2016, 12, 31)) is None  # before TT 216 no schedule here: nothing is due


@pytest.mark.parametrize(("on", "base_vnd"), [
    (date(2024, 6, 30), 1_800_000),  # ND 24/2023
    (date(2024, 7, 1), 2_340_000),   # ND 73/2024
    (date(2019, 7, 1), 1_490_000),   # ND 38/2019
])
def test_the_base_salary_by_date(on: date, base_vnd: int) -> None:
    assert base_salary(on).amount_vnd == base_vnd


@pytest.mark.parametrize(("in_full", "third", "on", "due", "clause"), [
    (4_680_000, 0, date(2026, 1, 5), 0, "≤ 2 × 2,340,000: nothing (Art. 6(4))"),
    (4_680_001, 0, date(2026, 1, 5), 140_400, "above the threshold: 3 % of the whole total"),
    (4_000_000, 0, date(2024, 6, 3), 120_000, "2 × 1,800,000 = 3.6 M before 1/7/2024: 3 % of 4 M"),
    (0, 9_000_000, date(2026, 1, 5), 90_000, "direct settlement before coercion: 1/3 of 270,000 (Art. 4(4))"),
    (6_000_000, 3_000_000, date(2026, 1, 5), 210_000, "1/3 of 90,000 + (270,000 − 90,000)"),
    (40_000_000_000, 0, date(2026, 1, 5), 247_500_000, "the 40 bn example"),
])
def test_fee_due_on_a_running_total(in_full: int, third: int, on: date, due: int, clause: str) -> None:
    assert fee_due(charged_in_full_vnd=in_full, one_third_vnd=third, on=on) == due, clause


# ---------------------------------------------------------------- on the case

T_IN = at(2026, 1, 5)


def _request(kind: str = "credit_debt", amount: int = 40_000_000_000) -> Case:
    case = Case.receive_request("HN-01", "DON-FEE", "in_person", T_IN, CLERK, **JUDGMENT)
    case.add_party("P-BANK", "creditor", "credit_institution", T_IN, CLERK, bank_code="BIDV")
    case.add_party("P-DEBT", "debtor", "individual", T_IN, CLERK)
    case.add_claim_item("I-1", kind, amount, "P-BANK", T_IN, CLERK)
    case.decide_enforcement("QD-1", "on_request", at(2026, 1, 6), HEAD)
    case.notify(at(2026, 1, 7), OFFICER)  # voluntary period: 17/1/2026 is a Saturday, so until 19/1
    return case


def _enforcing(case: Case) -> Case:
    case.start_verification(at(2026, 1, 20), OFFICER)
    case.record_verification("with_conditions", at(2026, 1, 21), OFFICER)
    return case


def test_40_bn_received_pays_247_5_m_not_850_m() -> None:
    case = _enforcing(_request())
    case.collect_money("I-1", 40_000_000_000, "auction_proceeds", "AUCTION-1", at(2026, 3, 2), OFFICER)
    case.disburse("I-1", 40_000_000_000, at(2026, 3, 3), ACCOUNTANT)
    case.charge_enforcement_fee("I-1", at(2026, 3, 3, 10), ACCOUNTANT)
    assert case.claim_items()[0]["fee_vnd"] == 247_500_000


def test_instalments_pay_the_difference_on_the_running_total() -> None:
    # 4 bn (3 % = 120 M), then 2 bn more: total 6 bn → 170 M, the second charge pays 50 M (Art. 5(2))
    case = _enforcing(_request())
    case.collect_money("I-1", 4_000_000_000, "deduction", "D-1", at(2026, 3, 2), OFFICER)
    case.disburse("I-1", 4_000_000_000, at(2026, 3, 3), ACCOUNTANT)
    case.charge_enforcement_fee("I-1", at(2026, 3, 3, 10), ACCOUNTANT)
    assert case.claim_items()[0]["fee_vnd"] == 120_000_000
    case.collect_money("I-1", 2_000_000_000, "deduction", "D-2", at(2026, 4, 1), OFFICER)
    case.disburse("I-1", 2_000_000_000, at(2026, 4, 2), ACCOUNTANT)
    case.charge_enforcement_fee("I-1", at(2026, 4, 2, 10), ACCOUNTANT)
    events = [e for e in case.collect_events() if type(e).__name__ == "EnforcementFeeCharged"]
    assert [(e.base_vnd, e.fee_vnd) for e in events] == [(4_000_000_000, 120_000_000), (2_000_000_000, 50_000_000)]
    with pytest.raises(NothingToChargeError):
        case.charge_enforcement_fee("I-1", at(2026, 4, 2, 11), ACCOUNTANT)


def test_money_paid_within_the_voluntary_period_is_exempt() -> None:
    # 100 M paid on 9/1 (within the period to 19/1): exempt (Art. 6(8)); 50 M collected later pays 3 %
    case = _request(amount=150_000_000)
    case.record_voluntary_payment("I-1", 100_000_000, "RCPT-1", at(2026, 1, 9), ACCOUNTANT)
    case.disburse("I-1", 100_000_000, at(2026, 1, 10), ACCOUNTANT)
    with pytest.raises(NothingToChargeError):
        case.charge_enforcement_fee("I-1", at(2026, 1, 10, 10), ACCOUNTANT)
    _enforcing(case)
    case.collect_money("I-1", 50_000_000, "deduction", "D-1", at(2026, 2, 2), OFFICER)
    case.disburse("I-1", 50_000_000, at(2026, 2, 3), ACCOUNTANT)
    case.charge_enforcement_fee("I-1", at(2026, 2, 3, 10), ACCOUNTANT)
    assert case.fee_parts("I-1") == {"received_vnd": 150_000_000, "exempt_vnd": 100_000_000,
                                     "one_third_vnd": 0, "in_full_vnd": 50_000_000}
    assert case.claim_items()[0]["fee_vnd"] == 1_500_000


def test_a_direct_settlement_before_coercion_pays_one_third() -> None:
    # 90 M repaid straight to the bank before any coercion: 3 % = 2.7 M, one third = 900,000 (Art. 4(4))
    case = _enforcing(_request(amount=200_000_000))
    case.collect_money("I-1", 90_000_000, "paid_to_bank", "VCB-1", at(2026, 2, 2), OFFICER)
    case.charge_enforcement_fee("I-1", at(2026, 2, 2, 10), ACCOUNTANT)
    assert case.claim_items()[0]["fee_vnd"] == 900_000
    # after a coercive measure, a direct repayment pays in full: 30 M more → total 120 M:
    # 1/3 × 2.7 M + (3.6 M − 2.7 M) = 1.8 M, so 900,000 more
    case.apply_coercive_measure("deduction_from_account", "QD-CC-1", at(2026, 2, 3), OFFICER)
    case.collect_money("I-1", 30_000_000, "paid_to_bank", "VCB-2", at(2026, 2, 4), OFFICER)
    case.charge_enforcement_fee("I-1", at(2026, 2, 4, 10), ACCOUNTANT)
    assert case.claim_items()[0]["fee_vnd"] == 1_800_000


def test_small_amounts_pay_nothing() -> None:
    # 4 M received in 2026: below 2 × 2,340,000 = 4.68 M (Art. 6(4))
    case = _enforcing(_request(amount=10_000_000))
    case.collect_money("I-1", 4_000_000, "deduction", "D-1", at(2026, 2, 2), OFFICER)
    case.disburse("I-1", 4_000_000, at(2026, 2, 3), ACCOUNTANT)
    with pytest.raises(NothingToChargeError) as refused:
        case.charge_enforcement_fee("I-1", at(2026, 2, 3, 10), ACCOUNTANT)
    assert refused.value.rule == "fee.nothing_to_charge"


@pytest.mark.parametrize("kind", ["maintenance", "wages_life_compensation"])
def test_maintenance_and_life_or_health_claims_pay_no_fee(kind: str) -> None:
    case = _request(kind=kind, amount=50_000_000)
    with pytest.raises(FeeNotApplicableError):
        case.charge_enforcement_fee("I-1", at(2026, 1, 8), ACCOUNTANT)
