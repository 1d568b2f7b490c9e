"""Paying out collected money in the legal order of Art. 47 Luật THADS (2008), Art. 54 (2025)."""

import pytest

from intake_service.domain import (
    Actor,
    Case,
    ClaimItem,
    ClaimKind,
    InsufficientMoneyHeldError,
    PaymentOrderViolationError,
    Role,
    Status,
    legal_allocation,
    payment_rank,
)
from intake_service.testing import JUDGMENT, TZ, at

HEAD, OFFICER = Actor("head-1", Role.HEAD), Actor("officer-1", Role.OFFICER)
CLERK, ACCOUNTANT = Actor("clerk-1", Role.CLERK), Actor("accountant-1", Role.ACCOUNTANT)


T0, T1, T2 = at(2024, 3, 4), at(2024, 4, 1), at(2024, 4, 2)

# creditor party id → party kind
PARTIES = {"P-CHILD": "individual", "P-STATE": "state", "P-BANK": "credit_institution",
           "P-ANH": "individual", "P-BINH": "individual", "P-CUONG": "individual"}


def enforcing(*items: tuple[str, str, int, str, bool]) -> Case:
    """A case being enforced with the given (id, kind, amount, creditor, secured) claim items."""
    case = Case.receive_request("U-HN", "DON-PAY", "in_person", T0, CLERK, **JUDGMENT)
    case.add_party("P-DEBT", "debtor", "individual", T0, CLERK)
    for party_id in {creditor for *_, creditor, _ in items}:
        kind = PARTIES[party_id]
        case.add_party(party_id, "creditor", kind, T0, CLERK, bank_code="VCB" if kind == "credit_institution" else None)
    for item_id, kind, amount, creditor, secured in items:
        case.add_claim_item(item_id, kind, amount, creditor, T0, CLERK, secured=secured)
    case.decide_enforcement("QD-THA-1", "on_request", at(2024, 3, 5), HEAD)
    case.notify(at(2024, 3, 6), OFFICER)
    case.start_verification(at(2024, 3, 20), OFFICER)
    case.record_verification("with_conditions", at(2024, 3, 22), OFFICER)
    return case


MAINTENANCE = ("I-MAINT", "maintenance", 5_000_000, "P-CHILD", False)
COURT_FEE = ("I-FEE", "court_fee", 2_000_000, "P-STATE", False)
BANK_DEBT = ("I-BANK", "credit_debt", 20_000_000, "P-BANK", False)


def test_ranks_follow_art_47_1():
    assert [payment_rank(k) for k in ClaimKind] == [1, 1, 2, 3, 3, 3, 3, 3]


def test_maintenance_is_paid_before_court_fees_and_court_fees_before_other_debts():
    # Given maintenance, a court fee and a bank debt, and 6 M collected by deduction
    case = enforcing(MAINTENANCE, COURT_FEE, BANK_DEBT)
    case.collect_money("I-BANK", 6_000_000, "deduction", "BANK-1", T1, OFFICER)
    # Then the law gives 5 M to maintenance, 1 M to the court fee and nothing to the bank
    assert case.payment_plan() == {"I-MAINT": 5_000_000, "I-FEE": 1_000_000, "I-BANK": 0}
    # When the officer pays the bank first, Then it is refused naming the rule
    with pytest.raises(PaymentOrderViolationError) as refused:
        case.disburse("I-BANK", 1_000_000, T2, ACCOUNTANT)
    assert (refused.value.rule, refused.value.legal_basis) == ("payment_order.payment_order", "Art. 47(1) Luật THADS 2008")
    assert "thứ tự 1 được thanh toán trước" in refused.value.message_vi
    assert "rank-1 claims are paid before rank 3" in str(refused.value)
    # And paying in order is accepted
    case.disburse("I-MAINT", 5_000_000, T2, ACCOUNTANT)
    case.disburse("I-FEE", 1_000_000, T2, ACCOUNTANT)
    assert case.held_vnd == 0 and case.status == Status.ENFORCING


def test_a_court_fee_waits_for_rank_one():
    case = enforcing(MAINTENANCE, COURT_FEE)
    case.collect_money("I-FEE", 2_000_000, "deduction", "BANK-1", T1, OFFICER)
    with pytest.raises(PaymentOrderViolationError, match="rank-1"):
        case.disburse("I-FEE", 2_000_000, T2, ACCOUNTANT)


def test_creditors_of_the_same_rank_share_pro_rata():
    # Given two private creditors owed 30 M and 10 M, and 20 M collected
    case = enforcing(("I-ANH", "other", 30_000_000, "P-ANH", False), ("I-BINH", "other", 10_000_000, "P-BINH", False))
    case.collect_money("I-ANH", 20_000_000, "deduction", "BANK-1", T1, OFFICER)
    # Then each gets the same proportion, whichever item the money was collected for
    assert case.payment_plan() == {"I-ANH": 15_000_000, "I-BINH": 5_000_000}
    with pytest.raises(PaymentOrderViolationError) as refused:
        case.disburse("I-ANH", 16_000_000, T2, ACCOUNTANT)
    assert (refused.value.rule, refused.value.legal_basis) == ("payment_order.pro_rata", "Art. 47(2)(a) Luật THADS 2008")
    assert "theo tỷ lệ" in refused.value.message_vi
    case.disburse("I-ANH", 15_000_000, T2, ACCOUNTANT)
    case.disburse("I-BINH", 5_000_000, T2, ACCOUNTANT)


def test_pro_rata_shares_are_whole_dong_and_add_up_to_the_money_held():
    items = [ClaimItem(f"I-{n}", ClaimKind.OTHER, 1, "P", False, False) for n in range(3)]
    assert legal_allocation(items, 2) == {"I-0": 1, "I-1": 1, "I-2": 0}
    items = [ClaimItem("A", ClaimKind.OTHER, 3, "P", False, False),
             ClaimItem("B", ClaimKind.OTHER, 5, "P", False, False)]
    assert legal_allocation(items, 1) == {"A": 0, "B": 1}
    assert sum(legal_allocation(items, 7).values()) == 7


def test_shares_accumulate_over_several_collections():
    case = enforcing(("I-ANH", "other", 30_000_000, "P-ANH", False), ("I-BINH", "other", 10_000_000, "P-BINH", False))
    case.collect_money("I-ANH", 4_000_000, "deduction", "BANK-1", T1, OFFICER)
    case.disburse("I-ANH", 3_000_000, T2, ACCOUNTANT)
    case.collect_money("I-BINH", 8_000_000, "voluntary", "RCPT-2", T2, OFFICER)
    # 12 M in all: 9 M for Anh (3 M already paid), 3 M for Bình
    assert case.payment_plan() == {"I-ANH": 6_000_000, "I-BINH": 3_000_000}


def test_collateral_proceeds_go_to_the_secured_creditor_after_the_court_fee():
    # Given a bank secured by a mortgage, maintenance, a court fee and an unsecured creditor
    secured = ("I-BANK", "credit_debt", 50_000_000, "P-BANK", True)
    case = enforcing(secured, MAINTENANCE, COURT_FEE, ("I-CUONG", "other", 100_000_000, "P-CUONG", False))
    # When the mortgaged house sells for 60 M
    case.collect_money("I-BANK", 60_000_000, "auction_proceeds", "AUCTION-1", T1, OFFICER)
    # Then the court fee is taken first, the bank gets its 50 M, and the 8 M left follow the ranks
    assert case.payment_plan() == {"I-BANK": 50_000_000, "I-MAINT": 5_000_000, "I-FEE": 2_000_000,
                                   "I-CUONG": 3_000_000}
    case.disburse("I-BANK", 50_000_000, T2, ACCOUNTANT)
    case.disburse("I-MAINT", 5_000_000, T2, ACCOUNTANT)


def test_paying_an_unsecured_creditor_from_collateral_proceeds_is_refused():
    secured = ("I-BANK", "credit_debt", 50_000_000, "P-BANK", True)
    case = enforcing(secured, ("I-CUONG", "other", 100_000_000, "P-CUONG", False))
    case.collect_money("I-BANK", 30_000_000, "auction_proceeds", "AUCTION-1", at(2026, 8, 3), OFFICER)
    with pytest.raises(PaymentOrderViolationError) as refused:
        case.disburse("I-CUONG", 1_000_000, at(2026, 8, 4), ACCOUNTANT)
    # The law in force on the disbursement date is named: Art. 54(3) of the 2025 law
    assert refused.value.rule == "payment_order.secured_first"
    assert "Art. 54(3) Luật THADS 2025" in refused.value.legal_basis and "Art. 47(3)" in refused.value.legal_basis


def test_money_not_from_the_collateral_follows_the_ranks_even_for_a_secured_creditor():
    secured = ("I-BANK", "credit_debt", 50_000_000, "P-BANK", True)
    case = enforcing(secured, MAINTENANCE)
    case.collect_money("I-BANK", 5_000_000, "deduction", "BANK-1", T1, OFFICER)
    assert case.payment_plan() == {"I-BANK": 0, "I-MAINT": 5_000_000}
    with pytest.raises(PaymentOrderViolationError, match="Art. 47\\(1\\)"):
        case.disburse("I-BANK", 5_000_000, T2, ACCOUNTANT)


def test_surplus_collateral_proceeds_pay_the_other_creditors():
    secured = ("I-BANK", "credit_debt", 10_000_000, "P-BANK", True)
    case = enforcing(secured, ("I-ANH", "other", 30_000_000, "P-ANH", False))
    case.collect_money("I-BANK", 25_000_000, "auction_proceeds", "AUCTION-1", T1, OFFICER)
    assert case.payment_plan() == {"I-BANK": 10_000_000, "I-ANH": 15_000_000}


def test_direct_repayments_to_the_bank_stay_outside_the_distribution():
    case = enforcing(MAINTENANCE, BANK_DEBT)
    case.collect_money("I-BANK", 8_000_000, "paid_to_bank", "VCB-1", T1, OFFICER)
    assert case.held_vnd == 0 and case.status == Status.ENFORCING
    items = {i["id"]: i for i in case.claim_items()}
    assert (items["I-BANK"]["disbursed_vnd"], items["I-BANK"]["outstanding_vnd"]) == (8_000_000, 12_000_000)
    case.collect_money("I-BANK", 6_000_000, "deduction", "BANK-2", T2, OFFICER)
    assert case.payment_plan() == {"I-MAINT": 5_000_000, "I-BANK": 1_000_000}


def test_nothing_is_paid_beyond_the_money_held():
    case = enforcing(MAINTENANCE)
    case.collect_money("I-MAINT", 1_000_000, "deduction", "BANK-1", T1, OFFICER)
    with pytest.raises(InsufficientMoneyHeldError):
        case.disburse("I-MAINT", 1_000_001, T2, ACCOUNTANT)


def test_paying_everything_in_order_completes_the_case():
    case = enforcing(MAINTENANCE, COURT_FEE, BANK_DEBT)
    case.collect_money("I-BANK", 27_000_000, "auction_proceeds", "AUCTION-1", T1, OFFICER)
    for item_id, amount in case.payment_plan().items():
        case.disburse(item_id, amount, T2, ACCOUNTANT)
    assert all(i["settled"] for i in case.claim_items()) and case.status == Status.MONEY_HELD
    case.complete(T2, HEAD)
    assert case.status == Status.COMPLETED
    rows = [r for r in case.deadlines(T2.date()) if r["step"] == "disbursement"]
    assert [r["status"] for r in rows] == ["met"]
