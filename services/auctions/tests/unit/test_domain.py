"""Each rule of the legal sequence (domain.md §3) on the Asset aggregate, with its refusal."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from auctions_service import domain as d
from auctions_service.calendar_vn import add_working_days, working_days_between

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=7)))
SEIZED = date(2026, 3, 2)          # Monday
ITEM, OTHER_ITEM, BANK = str(uuid4()), str(uuid4()), str(uuid4())


def asset(kind: d.AssetKind = d.AssetKind.MOVABLE, **kw) -> d.Asset:
    return d.Asset.seize(asset_id=uuid4(), case_id=uuid4(), unit="TH-01", kind=kind, description="Xe ô tô 36A-12345",
                         claim_item_ids=[ITEM], decision_number="12/QĐ-CCTHADS", seized_on=SEIZED,
                         secured_creditor_party_id=kw.pop("secured", None), at=AT, **kw)


def valued(price: int = 100_000_000, contract: bool = True, **kw) -> d.Asset:
    """Valued on the seizure day; an organisation-path asset is contracted the same day to the
    organisation the parties chose (unless `contract` is False)."""
    a = asset(**kw)
    a.value(method=d.ValuationMethod.AGREED, price_vnd=price, valued_on=SEIZED, actor="o", at=AT)
    if contract and a.sale_path is d.SalePath.AUCTION_ORGANISATION:
        a.contract_organisation(organisation="Công ty đấu giá hợp danh Số 1", contracted_on=SEIZED,
                                organisation_id="DGTS-01", parties_agreed_on=SEIZED, actor="o", at=AT)
    return a


def announced(price: int = 100_000_000, **kw) -> d.Asset:
    a = valued(price, **kw)
    a.announce(announced_on=date(2026, 3, 3), second_announced_on=date(2026, 3, 5), auction_on=date(2026, 3, 20),
               deposit_vnd=price // 10,
               place="Trụ sở Chi cục", organiser="Công ty đấu giá hợp danh Số 1", actor="o", at=AT)
    return a


def failed_round(a: d.Asset) -> None:
    a.announce(announced_on=date(2026, 3, 3), second_announced_on=date(2026, 3, 5), auction_on=date(2026, 3, 31),
               deposit_vnd=a.starting_price_vnd // 10,
               place="Trụ sở", organiser="Công ty", actor="o", at=AT)
    a.close(closed_on=date(2026, 4, 20), actor="o", at=AT)
    assert a.status is d.Status.FAILED


def test_seizure_records_kind_description_and_secured_creditor():
    a = asset(d.AssetKind.REAL_ESTATE, secured=BANK)
    assert (a.kind, a.secured_creditor_party_id, a.claim_item_ids, a.status) == (
        d.AssetKind.REAL_ESTATE, BANK, [ITEM], d.Status.SEIZED)
    with pytest.raises(d.InvalidValueError):
        d.Asset.seize(asset_id=uuid4(), case_id=uuid4(), unit="TH-01", kind="movable", description="x",
                      claim_item_ids=[], decision_number="1", seized_on=SEIZED, at=AT)


def test_valuer_within_five_working_days_of_the_seizure():
    due = add_working_days(SEIZED, 5)
    assert due == date(2026, 3, 9)
    a = asset()
    with pytest.raises(d.ValuerLateError) as e:
        a.value(method="valuer", price_vnd=50_000_000, valued_on=date(2026, 3, 20),
                valuer_contracted_on=due + timedelta(days=1), actor="o", at=AT)
    assert e.value.rule == "valuation.valuer_within_5_working_days" and e.value.legal_basis
    assert a.status is d.Status.SEIZED and a.pending_events[-1].__class__.__name__ == "Seized"
    a.value(method="valuer", price_vnd=50_000_000, valued_on=date(2026, 3, 20), valuer_contracted_on=due,
            actor="o", at=AT)
    assert (a.status, a.starting_price_vnd, a.valuation_method) == (d.Status.VALUED, 50_000_000, "valuer")


def test_officers_own_price_and_agreed_price_are_starting_prices():
    for method in ("officer", "agreed"):
        a = asset()
        a.value(method=method, price_vnd=3_000_000, valued_on=SEIZED, actor="o", at=AT)
        assert a.starting_price_vnd == 3_000_000


def test_revaluation_once_within_five_working_days():
    a = valued()
    with pytest.raises(d.RevaluationLateError):
        a.revalue(price_vnd=90_000_000, requested_on=add_working_days(SEIZED, 6), valued_on=SEIZED, actor="o", at=AT)
    a.revalue(price_vnd=90_000_000, requested_on=add_working_days(SEIZED, 5), valued_on=SEIZED, actor="o", at=AT)
    assert a.starting_price_vnd == 90_000_000
    with pytest.raises(d.SecondRevaluationError) as e:
        a.revalue(price_vnd=80_000_000, requested_on=SEIZED, valued_on=SEIZED, actor="o", at=AT)
    assert e.value.rule == "revaluation.once" and a.starting_price_vnd == 90_000_000


def test_sale_path_by_value_and_kind():
    assert valued(1_500_000).sale_path is d.SalePath.WITHOUT_AUCTION
    assert valued(50_000_000, perishable=True).sale_path is d.SalePath.WITHOUT_AUCTION
    assert valued(5_000_000).sale_path is d.SalePath.OFFICER_AUCTION
    assert valued(10_000_001).sale_path is d.SalePath.AUCTION_ORGANISATION
    assert valued(1_000_000, kind=d.AssetKind.REAL_ESTATE).sale_path is d.SalePath.AUCTION_ORGANISATION


def test_notice_periods_movables_seven_working_days_real_estate_fifteen_days():
    a = valued(40_000_000)                                 # below 50 M: one announcement
    start = date(2026, 3, 3)
    seven_wd_later = start
    while working_days_between(start, seven_wd_later) < 7:
        seven_wd_later += timedelta(days=1)
    with pytest.raises(d.NoticeTooShortError) as e:
        a.announce(announced_on=start, auction_on=seven_wd_later - timedelta(days=1), deposit_vnd=4_000_000,
                   place="p", organiser="o", actor="o", at=AT)
    assert e.value.rule == "notice.period"
    a.announce(announced_on=start, auction_on=seven_wd_later, deposit_vnd=4_000_000, place="p", organiser="o",
               actor="o", at=AT)
    house = valued(kind=d.AssetKind.REAL_ESTATE)
    with pytest.raises(d.NoticeTooShortError):
        house.announce(announced_on=start, second_announced_on=start, auction_on=start + timedelta(days=14),
                       deposit_vnd=10_000_000,
                       place="p", organiser="o", actor="o", at=AT)
    second = add_working_days(start, 2)
    with pytest.raises(d.SecondAnnouncementError) as e:      # the second is 15 days before, too
        house.announce(announced_on=start, second_announced_on=second, auction_on=start + timedelta(days=15),
                       deposit_vnd=10_000_000, place="p", organiser="o", actor="o", at=AT)
    assert e.value.rule == "notice.two_announcements"
    house.announce(announced_on=start, second_announced_on=second, auction_on=second + timedelta(days=15),
                   deposit_vnd=10_000_000,
                   place="p", organiser="o", actor="o", at=AT)


@pytest.mark.parametrize("deposit,ok", [(4_999_999, False), (5_000_000, True), (20_000_000, True),
                                        (20_000_001, False)])
def test_deposit_between_five_and_twenty_percent(deposit, ok):
    a = valued()
    call = lambda: a.announce(announced_on=date(2026, 3, 3), second_announced_on=date(2026, 3, 5),  # noqa: E731
                              auction_on=date(2026, 3, 20), deposit_vnd=deposit,
                              place="p", organiser="o", actor="o", at=AT)
    if ok:
        call()
        assert a.deposit_vnd == deposit
    else:
        with pytest.raises(d.DepositOutOfRangeError) as e:
            call()
        assert e.value.rule == "deposit.5_to_20_percent" and a.status is d.Status.VALUED


def test_bids_ascend_from_registered_bidders_only_and_the_highest_wins():
    a = announced()
    with pytest.raises(d.DepositNotPaidError):
        a.register_bidder(bidder_id="B0", deposit_paid_vnd=9_999_999, actor="o", at=AT)
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="o", at=AT)
    a.register_bidder(bidder_id="B2", deposit_paid_vnd=10_000_000, actor="o", at=AT)
    with pytest.raises(d.UnregisteredBidderError) as e:
        a.place_bid(bidder_id="B9", amount_vnd=120_000_000, actor="o", at=AT)
    assert e.value.rule == "bid.registered_bidder"
    with pytest.raises(d.BidTooLowError):
        a.place_bid(bidder_id="B1", amount_vnd=99_999_999, actor="o", at=AT)     # below the starting price
    a.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="o", at=AT)
    with pytest.raises(d.BidTooLowError) as e:
        a.place_bid(bidder_id="B2", amount_vnd=100_000_000, actor="o", at=AT)   # not above the highest
    assert e.value.rule == "bid.ascending"
    a.place_bid(bidder_id="B2", amount_vnd=105_000_000, actor="o", at=AT)
    a.close(closed_on=date(2026, 3, 20), actor="o", at=AT)
    assert (a.status, a.winner_id, a.hammer_price_vnd) == (d.Status.AWAITING_PAYMENT, "B2", 105_000_000)
    assert a.last_digest == d.bid_log_digest(a.id, 1, a.bid_log())


def test_failed_auctions_cuts_at_most_ten_percent_and_creditor_from_the_second_cut():
    a = valued(100_000_000, secured=BANK)
    failed_round(a)
    with pytest.raises(d.CreditorTooEarlyError):          # no cut yet
        a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 4, 21), actor="o", at=AT)
    with pytest.raises(d.CutTooLargeError) as e:
        a.cut_price(new_starting_price_vnd=89_999_999, decided_on=date(2026, 4, 25), actor="o", at=AT)
    assert e.value.rule == "price_cut.at_most_10_percent" and a.starting_price_vnd == 100_000_000
    a.cut_price(new_starting_price_vnd=90_000_000, decided_on=date(2026, 4, 25), actor="o", at=AT)
    failed_round(a)
    with pytest.raises(d.CreditorTooEarlyError) as e:      # one cut: still refused
        a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 4, 21), actor="o", at=AT)
    assert e.value.rule == "creditor_takes.from_second_cut"
    with pytest.raises(d.CutTooLargeError):                # 10 % of the PREVIOUS starting price (90 M), not of 100 M
        a.cut_price(new_starting_price_vnd=80_000_000, decided_on=date(2026, 5, 1), actor="o", at=AT)
    a.cut_price(new_starting_price_vnd=81_000_000, decided_on=date(2026, 5, 1), actor="o", at=AT)
    with pytest.raises(d.InvalidValueError):
        a.creditor_accepts(creditor_party_id=BANK, claim_item_id=OTHER_ITEM, accepted_on=date(2026, 5, 2), actor="o",
                           at=AT)
    with pytest.raises(d.DebtorWindowOpenError):          # from the 2nd cut, but nobody accepted yet
        a.hand_to_creditor(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 5, 2), actor="o", at=AT)
    a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 5, 2), actor="o", at=AT)
    a.hand_to_creditor(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 6, 2), actor="o", at=AT)
    assert (a.status, a.taken_by, a.taken_claim_item_id, a.starting_price_vnd) == (
        d.Status.TAKEN_BY_CREDITOR, BANK, ITEM, 81_000_000)


def test_winner_pays_within_thirty_days_else_cancelled_and_deposit_forfeited():
    a = announced()
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="o", at=AT)
    a.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="o", at=AT)
    a.close(closed_on=date(2026, 3, 20), actor="o", at=AT)
    due = date(2026, 4, 19)
    assert a.payment_due_on == due
    with pytest.raises(d.PaymentOverdueError):
        a.cancel_unpaid_sale(on=due, actor="o", at=AT)
    with pytest.raises(d.PaymentOverdueError) as e:
        a.record_payment(amount_vnd=100_000_000, paid_on=due + timedelta(days=1), actor="o", at=AT)
    assert e.value.rule == "payment.within_30_days"
    a.cancel_unpaid_sale(on=due + timedelta(days=1), actor="o", at=AT)
    assert a.status is d.Status.FAILED and a.forfeited_deposits[0]["amount_vnd"] == 10_000_000
    b = announced()
    b.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="o", at=AT)
    b.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="o", at=AT)
    b.close(closed_on=date(2026, 3, 20), actor="o", at=AT)
    b.record_payment(amount_vnd=100_000_000, paid_on=due, actor="o", at=AT)
    assert b.status is d.Status.SOLD


def test_paused_case_refuses_a_sale_and_cancellation_is_once():
    a = announced()
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="o", at=AT)
    assert a.pause_for_case(reason="suspended", decision_number="5/QĐ", actor="s", at=AT) is True
    assert a.pause_for_case(reason="suspended", decision_number="5/QĐ", actor="s", at=AT) is False
    assert a.status is d.Status.VALUED                    # the announced round is postponed
    with pytest.raises(d.CasePausedError) as e:
        a.announce(announced_on=date(2026, 4, 1), auction_on=date(2026, 4, 20), deposit_vnd=10_000_000,
                   place="p", organiser="o", actor="o", at=AT)
    assert e.value.rule == "case.paused"
    assert a.resume_for_case(decision_number="6/QĐ", actor="s", at=AT) is True
    failed_round(a)
    assert a.cancel_for_case(reason="terminated", decision_number="7/QĐ", actor="s", at=AT) is True
    assert a.cancel_for_case(reason="terminated", decision_number="7/QĐ", actor="s", at=AT) is False
    assert a.status is d.Status.CANCELLED


def test_bid_log_digest_changes_when_a_bid_is_altered_dropped_or_reordered():
    a = announced()
    for b in ("B1", "B2", "B3"):
        a.register_bidder(bidder_id=b, deposit_paid_vnd=10_000_000, actor="o", at=AT)
    for i, b in enumerate(("B1", "B2", "B3", "B1")):
        a.place_bid(bidder_id=b, amount_vnd=100_000_000 + i * 1_000_000, actor="o", at=AT + timedelta(seconds=i))
    log = a.bid_log()
    a.close(closed_on=date(2026, 3, 20), actor="o", at=AT)
    digest = a.last_digest
    assert digest == d.bid_log_digest(a.id, 1, log)
    altered = [dict(b) for b in log]
    altered[1]["amount_vnd"] += 1
    dropped = log[:2] + log[3:]
    reordered = [log[1], log[0]] + log[2:]
    other_bidder = [dict(b) for b in log]
    other_bidder[2]["bidder_id"] = "B9"
    for changed in (altered, dropped, reordered, other_bidder):
        assert d.bid_log_digest(a.id, 1, changed) != digest


def test_the_debtor_redeems_until_one_working_day_before_the_auction():
    a = announced()                                         # auction on Friday 20/3/2026
    with pytest.raises(d.RedemptionTooLateError) as e:
        a.redeem(amount_vnd=150_000_000, redeemed_on=date(2026, 3, 20), actor="o", at=AT)
    assert e.value.rule == "redemption.until_1_working_day_before_auction" and a.status is d.Status.ANNOUNCED
    a.redeem(amount_vnd=150_000_000, redeemed_on=date(2026, 3, 19), actor="o", at=AT)
    assert a.status is d.Status.REDEEMED
    with pytest.raises(d.WrongStatusError):
        a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="o", at=AT)


def test_the_asset_returns_to_the_debtor_only_when_the_price_fell_to_the_costs():
    a = valued(10_000_000)
    failed_round(a)
    with pytest.raises(d.ReturnAboveCostsError):            # no cut yet
        a.return_to_debtor(enforcement_costs_vnd=20_000_000, returned_on=date(2026, 5, 1), actor="o", at=AT)
    a.cut_price(new_starting_price_vnd=9_000_000, decided_on=date(2026, 4, 25), actor="o", at=AT)
    with pytest.raises(d.ReturnAboveCostsError) as e:
        a.return_to_debtor(enforcement_costs_vnd=8_999_999, returned_on=date(2026, 5, 1), actor="o", at=AT)
    assert e.value.rule == "return_to_debtor.only_when_price_at_most_costs"
    a.return_to_debtor(enforcement_costs_vnd=9_000_000, returned_on=date(2026, 5, 1), actor="o", at=AT)
    assert a.status is d.Status.RETURNED


def test_two_announcements_two_working_days_apart_from_fifty_million():
    a = valued(50_000_000)
    kw = dict(announced_on=date(2026, 3, 3), auction_on=date(2026, 3, 20), deposit_vnd=5_000_000, place="p",
              organiser="o", actor="o", at=AT)
    for second in (None, date(2026, 3, 4), date(2026, 3, 13)):   # missing, 1 WD apart, 5 WD before the auction
        with pytest.raises(d.SecondAnnouncementError) as e:
            a.announce(**kw, second_announced_on=second)
        assert e.value.rule == "notice.two_announcements" and a.status is d.Status.VALUED
    a.announce(**kw, second_announced_on=date(2026, 3, 5))
    assert a.second_announced_on == date(2026, 3, 5)
    small = valued(49_999_999)
    small.announce(**kw)                                        # below 50 M: one announcement is enough


def test_losers_deposits_are_owed_back_within_three_working_days_and_deadlines_show_misses():
    a = announced()
    for b in ("B1", "B2", "B3"):
        a.register_bidder(bidder_id=b, deposit_paid_vnd=10_000_000, actor="o", at=AT)
    a.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="o", at=AT)
    a.place_bid(bidder_id="B2", amount_vnd=101_000_000, actor="o", at=AT)
    a.close(closed_on=date(2026, 3, 20), actor="o", at=AT)            # Friday
    assert a.losing_bidders == {"B1": 10_000_000, "B3": 10_000_000}
    assert a.refunds_due_on == date(2026, 3, 25)                       # 3 WD: Mon, Tue, Wed
    steps = {x["step"]: x for x in a.deadlines(date(2026, 3, 26))}
    assert steps["deposit_refunds"]["missed"] and not steps["winner_payment"]["missed"]
    assert a.next_due_on == date(2026, 3, 25)
    a.refund_deposits(refunded_on=date(2026, 3, 24), actor="o", at=AT)
    assert a.losing_bidders == {} and a.refunds_due_on is None
    with pytest.raises(d.WrongStatusError):
        a.refund_deposits(refunded_on=date(2026, 3, 24), actor="o", at=AT)
    a.cancel_unpaid_sale(on=date(2026, 4, 20), actor="o", at=AT)      # the winner's deposit is forfeited
    assert a.losing_bidders == {} and a.forfeited_deposits[0]["bidder_id"] == "B2"


def test_a_seized_asset_shows_the_valuer_deadline():
    a = asset()
    [deadline] = a.deadlines(date(2026, 3, 10))
    assert (deadline["step"], deadline["due_on"], deadline["missed"]) == ("valuer_contract", date(2026, 3, 9), True)


# ---------------------------------------------------------------- who sells and by when (LCJE Arts. 101, 103)
def test_auction_organisation_contracted_within_ten_days_of_the_valuation():
    """Art. 101(1): movables above 10 M đồng and real estate go to an auction organisation, contracted
    within 10 days of the valuation; until then the deadline is open, after it the overdue list shows it."""
    a = valued(contract=False)                                  # 100 M đồng movable, valued 02/03/2026
    assert a.sale_path is d.SalePath.AUCTION_ORGANISATION
    [dl] = a.deadlines(date(2026, 3, 13))
    assert (dl["step"], dl["due_on"], dl["missed"]) == ("organisation_contract", date(2026, 3, 12), True)
    with pytest.raises(d.OrganisationContractLateError) as e:
        a.contract_organisation(organisation="Công ty đấu giá Số 1", contracted_on=date(2026, 3, 13), actor="o", at=AT)
    assert (e.value.rule, e.value.legal_basis) == ("organisation.contract_within_10_days", "Luật THADS Điều 101(1)")
    assert "12/03/2026" in e.value.message_vi and a.organisation_contracted_on is None
    small = valued(5_000_000)                       # officer-run auction: no organisation
    with pytest.raises(d.InvalidValueError):
        small.contract_organisation(organisation="X", contracted_on=SEIZED, actor="o", at=AT)
    a.contract_organisation(organisation="Công ty đấu giá Số 1", contracted_on=date(2026, 3, 12), actor="o", at=AT)
    assert [x["step"] for x in a.deadlines(date(2026, 3, 13))] == ["auction"]


@pytest.mark.parametrize("kind,days", [(d.AssetKind.MOVABLE, 30), (d.AssetKind.REAL_ESTATE, 45)])
def test_auction_within_30_or_45_days_of_the_contract(kind, days):
    a = valued(kind=kind, contract=False)
    contracted = date(2026, 3, 10)     # the officer's choice, once the parties' 5 WD (to 09/03) passed
    a.contract_organisation(organisation="Công ty đấu giá Số 1", contracted_on=contracted, actor="o", at=AT)
    due = contracted + timedelta(days=days)
    [dl] = a.deadlines(due)
    assert (dl["step"], dl["due_on"], dl["missed"]) == ("auction", due, False)
    assert a.deadlines(due + timedelta(days=1))[0]["missed"]
    late = due + timedelta(days=1)
    with pytest.raises(d.AuctionTooLateError) as e:
        a.announce(announced_on=date(2026, 3, 6), second_announced_on=date(2026, 3, 10), auction_on=late,
                   deposit_vnd=10_000_000, place="P", organiser="Công ty đấu giá Số 1", actor="o", at=AT)
    assert e.value.rule == "auction.within_30_or_45_days_of_contract" and e.value.legal_basis
    assert a.status is d.Status.VALUED and a.round_number == 0
    a.announce(announced_on=date(2026, 3, 6), second_announced_on=date(2026, 3, 10), auction_on=due,
               deposit_vnd=10_000_000, place="P", organiser="Công ty đấu giá Số 1", actor="o", at=AT)
    assert [x["step"] for x in a.deadlines(due)] == ["auction"]     # still open until the round closes
    a.close(closed_on=due, actor="o", at=AT)
    assert a.deadlines(due) == []                                     # failed round: the cut decides what next


def test_handover_within_sixty_days_of_payment_late_one_recorded_and_shown():
    a = announced()
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="o", at=AT)
    a.place_bid(bidder_id="B1", amount_vnd=120_000_000, actor="o", at=AT)
    a.close(closed_on=date(2026, 3, 20), actor="o", at=AT)
    a.record_payment(amount_vnd=120_000_000, paid_on=date(2026, 4, 1), actor="o", at=AT)
    [dl] = a.deadlines(date(2026, 6, 1))
    assert (dl["step"], dl["due_on"], dl["missed"], dl["legal_basis"]) == (
        "handover", date(2026, 5, 31), True, "Luật THADS Điều 103")
    with pytest.raises(d.InvalidValueError):
        a.record_handover(handed_over_on=date(2026, 3, 31), actor="o", at=AT)
    a.record_handover(handed_over_on=date(2026, 6, 1), actor="o", at=AT)
    assert a.pending_events[-1].late is True and a.deadlines(date(2026, 6, 2)) == []
    with pytest.raises(d.WrongStatusError):
        a.record_handover(handed_over_on=date(2026, 6, 2), actor="o", at=AT)


def test_sale_without_auction_only_small_or_perishable_within_5_wd_at_the_price():
    """Art. 101(4): under 2 M đồng or perishable → the officer sells without auction within 5 WD of seizure."""
    big = valued(5_000_000)
    with pytest.raises(d.NotForSaleWithoutAuctionError) as e:
        big.sell_without_auction(buyer_id="NM-1", price_vnd=5_000_000, sold_on=SEIZED, actor="o", at=AT)
    assert (e.value.rule, e.value.legal_basis) == ("sale_without_auction.small_or_perishable_only",
                                                   "Luật THADS Điều 101(4)")
    fresh = valued(5_000_000, perishable=True)
    due = add_working_days(SEIZED, 5)
    [dl] = fresh.deadlines(due)
    assert (dl["step"], dl["due_on"]) == ("sale_without_auction", due)
    with pytest.raises(d.SaleWithoutAuctionLateError):
        fresh.sell_without_auction(buyer_id="NM-1", price_vnd=5_000_000, sold_on=due + timedelta(days=1),
                                   actor="o", at=AT)
    with pytest.raises(d.SaleBelowPriceError) as e2:
        fresh.sell_without_auction(buyer_id="NM-1", price_vnd=4_999_999, sold_on=due, actor="o", at=AT)
    assert e2.value.message_vi.endswith("5.000.000 đồng.")
    assert fresh.status is d.Status.VALUED
    fresh.sell_without_auction(buyer_id="NM-1", price_vnd=5_100_000, sold_on=due, actor="o", at=AT)
    assert (fresh.status, fresh.hammer_price_vnd, fresh.paid_on) == (d.Status.SOLD, 5_100_000, due)
    assert [x["step"] for x in fresh.deadlines(due)] == ["handover"]
    cheap = valued(1_500_000)
    cheap.pause_for_case(reason="suspended", decision_number="5/QĐ", actor="o", at=AT)
    with pytest.raises(d.CasePausedError):
        cheap.sell_without_auction(buyer_id="NM-2", price_vnd=1_500_000, sold_on=SEIZED, actor="o", at=AT)


def test_deposits_of_a_round_postponed_by_a_case_pause_are_owed_back_within_3_wd():
    """LPA Art. 39: a round that does not take place (the case was suspended or postponed) owes its
    bidders their deposits back; the refund deadline runs from the pause."""
    a = announced()
    for b in ("B1", "B2"):
        a.register_bidder(bidder_id=b, deposit_paid_vnd=10_000_000, actor="o", at=AT)
    paused_at = datetime(2026, 3, 12, 15, tzinfo=timezone(timedelta(hours=7)))     # Thursday
    a.pause_for_case(reason="suspended", decision_number="9/QĐ-CCTHADS", actor="o", at=paused_at)
    assert a.status is d.Status.VALUED and a.deposits_owed_back == {"B1": 10_000_000, "B2": 10_000_000}
    [dl] = [x for x in a.deadlines(date(2026, 3, 18)) if x["step"] == "deposit_refunds"]
    assert (dl["step"], dl["due_on"], dl["missed"]) == ("deposit_refunds", date(2026, 3, 17), True)
    with pytest.raises(d.InvalidValueError):
        a.refund_deposits(refunded_on=date(2026, 3, 11), actor="o", at=AT)
    a.refund_deposits(refunded_on=date(2026, 3, 13), actor="o", at=AT)
    assert a.deposits_owed_back == {} and [x["step"] for x in a.deadlines(date(2026, 3, 18))] == ["auction"]
    with pytest.raises(d.WrongStatusError):
        a.refund_deposits(refunded_on=date(2026, 3, 13), actor="o", at=AT)
    replayed = None
    for e in a.collect_events():
        replayed = e.mutate(replayed)
    assert replayed.deposits_owed_back == {} and replayed.postponed_on == date(2026, 3, 12)


# ---------------------------------------------------------------- who chooses the organisation, who runs the auction
def test_announcing_an_organisation_path_asset_needs_the_contract():
    """Art. 101(1): movables above 10 M đồng and real estate are auctioned by a contracted organisation;
    without the contract the announcement is refused with the rule's name and nothing is recorded.
    The officer runs it only when no organisation would take it (recorded on the round)."""
    a = valued(contract=False)
    kw = dict(announced_on=date(2026, 3, 3), second_announced_on=date(2026, 3, 5), auction_on=date(2026, 3, 20),
              deposit_vnd=10_000_000, place="P", organiser="Chấp hành viên", actor="o", at=AT)
    a.collect_events()
    with pytest.raises(d.OrganisationContractRequiredError) as e:
        a.announce(**kw)
    assert (e.value.rule, e.value.legal_basis) == ("announce.organisation_contract_required", "Luật THADS Điều 101(1)")
    assert e.value.message_vi and a.status is d.Status.VALUED and a.round_number == 0 and a.collect_events() == []
    a.announce(**kw, no_organisation_available=True)
    assert a.status is d.Status.ANNOUNCED and a.officer_runs_auction
    contracted = valued()
    contracted.announce(**kw)
    assert not contracted.officer_runs_auction


@pytest.mark.parametrize("kind,price,days", [(d.AssetKind.MOVABLE, 5_000_000, 30),
                                             (d.AssetKind.REAL_ESTATE, 100_000_000, 45)])
def test_an_officer_run_first_auction_within_30_or_45_days_of_the_valuation(kind, price, days):
    a = valued(price, contract=False, kind=kind)
    due = SEIZED + timedelta(days=days)
    assert a.officer_auction_due_on == (due if kind is d.AssetKind.MOVABLE else None)  # real estate: none yet
    kw = dict(announced_on=date(2026, 3, 3), second_announced_on=date(2026, 3, 5), deposit_vnd=price // 10,
              place="P", organiser="Chấp hành viên", actor="o", at=AT,
              no_organisation_available=kind is d.AssetKind.REAL_ESTATE)
    with pytest.raises(d.OfficerAuctionLateError) as e:
        a.announce(auction_on=due + timedelta(days=1), **kw)
    assert e.value.rule == "auction.officer_within_30_or_45_days_of_valuation" and vn(due) in e.value.message_vi
    a.announce(auction_on=due, **kw)
    assert [x["step"] for x in a.deadlines(due)] == ["auction"] and a.officer_auction_due_on == due
    a.close(closed_on=due, actor="o", at=AT)
    a.cut_price(new_starting_price_vnd=price - price // 10, decided_on=due, actor="o", at=AT)
    a.announce(auction_on=due + timedelta(days=40), **(kw | {"deposit_vnd": a.starting_price_vnd // 10,
                                                             "announced_on": due + timedelta(days=1),
                                                             "second_announced_on": due + timedelta(days=5)}))
    assert a.round_number == 2                  # later rounds follow the cut, not the first deadline


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def test_the_parties_choose_the_organisation_within_5_working_days_then_the_officer():
    """Art. 101(1): the parties may agree on the auction organisation within 5 WD of the valuation
    (Vietnamese holidays not counted); the officer chooses only after that window."""
    a = asset()
    valued_on = date(2026, 4, 28)               # Tuesday; 30/4 and 1/5 are public holidays
    a.value(method="agreed", price_vnd=100_000_000, valued_on=valued_on, actor="o", at=AT)
    window = add_working_days(valued_on, 5)
    assert window == date(2026, 5, 7) and a.parties_choice_due_on == window
    with pytest.raises(d.PartiesChoiceLateError) as late:
        a.contract_organisation(organisation="Công ty X", contracted_on=date(2026, 5, 8), organisation_id="X",
                                parties_agreed_on=date(2026, 5, 8), actor="o", at=AT)
    with pytest.raises(d.PartiesChooseFirstError) as early:
        a.contract_organisation(organisation="Công ty Y", contracted_on=window, organisation_id="Y", actor="o", at=AT)
    assert (late.value.rule, early.value.rule) == ("organisation.parties_choice_within_5_working_days",
                                                   "organisation.parties_choose_first")
    assert "07/05/2026" in late.value.message_vi and "07/05/2026" in early.value.message_vi
    assert a.organisation_contracted_on is None and a.contracted_organisation_id is None
    chosen = asset()
    chosen.value(method="agreed", price_vnd=100_000_000, valued_on=valued_on, actor="o", at=AT)
    chosen.contract_organisation(organisation="Công ty X", contracted_on=date(2026, 5, 7), organisation_id="X",
                                 parties_agreed_on=window, actor="o", at=AT)
    assert (chosen.contracted_organisation_id, chosen.organisation_chosen_by_parties) == ("X", True)
    a.contract_organisation(organisation="Công ty Y", contracted_on=date(2026, 5, 8), organisation_id="Y",
                            actor="o", at=AT)
    assert (a.contracted_organisation_id, a.organisation_chosen_by_parties) == ("Y", False)


# ---------------------------------------------------------------- after the creditor accepts (Art. 104(3)); pre-emption
def twice_cut(**kw) -> d.Asset:
    a = valued(100_000_000, secured=BANK, **kw)
    for price, day in ((90_000_000, date(2026, 4, 1)), (81_000_000, date(2026, 5, 1))):
        failed_round(a)
        a.cut_price(new_starting_price_vnd=price, decided_on=day, actor="o", at=AT)
    return a


def test_the_debtor_has_30_days_to_pay_and_keep_the_asset_the_creditor_accepted():
    a = twice_cut()
    a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 5, 4), actor="o", at=AT)
    assert a.status is d.Status.CREDITOR_ACCEPTED and a.debtor_window_ends_on == date(2026, 6, 3)
    [dl] = a.deadlines(date(2026, 6, 3))
    assert (dl["step"], dl["due_on"], dl["missed"]) == ("debtor_window", date(2026, 6, 3), False)
    a.collect_events()
    with pytest.raises(d.DebtorWindowOpenError) as e:
        a.hand_to_creditor(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 6, 3), actor="o", at=AT)
    assert (e.value.rule, e.value.legal_basis) == ("creditor_takes.after_the_debtors_30_days", "Luật THADS Điều 104(3)")
    assert "03/06/2026" in e.value.message_vi and a.collect_events() == []
    with pytest.raises(d.InvalidValueError):               # another creditor or item than the one that accepted
        a.hand_to_creditor(creditor_party_id=str(uuid4()), claim_item_id=ITEM, taken_on=date(2026, 6, 4), actor="o",
                           at=AT)
    with pytest.raises(d.RedemptionTooLateError):
        a.redeem(amount_vnd=81_000_000, redeemed_on=date(2026, 6, 4), actor="o", at=AT)
    a.redeem(amount_vnd=81_000_000, redeemed_on=date(2026, 6, 3), actor="o", at=AT)   # the last day: kept
    assert a.status is d.Status.REDEEMED and a.taken_by is None


def test_the_creditor_pays_the_excess_of_the_value_over_what_the_item_owes():
    a = twice_cut()
    a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 5, 4), actor="o", at=AT)
    take = dict(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 6, 4), actor="o", at=AT,
                owed_vnd=60_000_000)
    with pytest.raises(d.ExcessNotPaidError) as e:
        a.hand_to_creditor(**take)
    assert e.value.rule == "creditor_takes.pays_the_excess" and "21.000.000 đồng" in e.value.message_vi
    with pytest.raises(d.ExcessNotPaidError):
        a.hand_to_creditor(**take, excess_paid_vnd=20_000_000)
    a.collect_events()
    a.hand_to_creditor(**take, excess_paid_vnd=21_000_000)
    taken, excess = a.collect_events()
    assert (type(taken), taken.value_vnd) == (d.Asset.TakenByCreditor, 60_000_000)   # the debt settled in kind
    assert (type(excess), excess.amount_vnd, excess.shares) == (
        d.Asset.CreditorExcessPaid, 21_000_000, [{"claim_item_id": ITEM, "amount_vnd": 21_000_000, "basis": "general"}])
    b = twice_cut()                                          # owing more than the value: nothing to pay
    b.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 5, 4), actor="o", at=AT)
    b.hand_to_creditor(**(take | {"owed_vnd": 90_000_000}))
    assert b.status is d.Status.TAKEN_BY_CREDITOR and b.excess_paid_vnd == 0


def test_a_co_owner_buys_at_no_less_than_the_starting_price_before_the_auction():
    a = valued(100_000_000, secured=BANK)
    with pytest.raises(d.PreEmptionBelowPriceError) as e:
        a.sell_to_co_owner(buyer_id="DSH-01", price_vnd=99_999_999, sold_on=date(2026, 3, 3), actor="o", at=AT,
                           secured_claim_item_id=ITEM)
    assert (e.value.rule, a.status) == ("pre_emption.at_least_the_starting_price", d.Status.VALUED)
    a.sell_to_co_owner(buyer_id="DSH-01", price_vnd=100_000_000, sold_on=date(2026, 3, 3), actor="o", at=AT,
                       enforcement_costs_vnd=2_000_000, secured_claim_item_id=ITEM)
    assert (a.status, a.buyer_id, a.proceeds_shares) == (
        d.Status.SOLD, "DSH-01", [{"claim_item_id": ITEM, "amount_vnd": 98_000_000, "basis": "collateral"}])
    announced_asset = announced()
    with pytest.raises(d.WrongStatusError):                 # once announced, the auction decides
        announced_asset.sell_to_co_owner(buyer_id="DSH-01", price_vnd=200_000_000, sold_on=date(2026, 3, 4),
                                         actor="o", at=AT)


def test_from_1_7_2026_the_debtor_has_5_working_days():
    """ND 152/2026 Arts. 65–66: an acceptance from 1/7/2026 leaves the debtor 5 WD (holidays not counted)."""
    a = twice_cut()
    a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 10, 5), actor="o", at=AT)
    assert a.debtor_window_ends_on == add_working_days(date(2026, 10, 5), 5) == date(2026, 10, 12)   # Mon → Mon
    with pytest.raises(d.DebtorWindowOpenError) as e:
        a.hand_to_creditor(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 10, 12), actor="o", at=AT)
    assert e.value.legal_basis == "Nghị định 152/2026 Điều 65, 66"
    a.hand_to_creditor(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 10, 13), actor="o", at=AT)
    assert a.status is d.Status.TAKEN_BY_CREDITOR
