"""The Thanh Hóa 2018 plan: deterministic, its own arithmetic gives the seed's figures at full scale
(the statistics service must then count the same from the events), every case's business times
increase, and every line is a well-formed import command."""
from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from thads_calendar import is_working_day

from thads_sim import thanh_hoa_2018 as th


def rate(resolved: int, with_conditions: int) -> Decimal:
    return (Decimal(resolved) * 100 / with_conditions).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_full_scale_arithmetic_is_the_seed_report() -> None:
    e = th.expected(1.0)
    assert e["cases"]["accepted"] == 18_024 and e["cases"]["resolved"] == 11_888
    assert rate(e["cases"]["resolved"], e["cases"]["with_conditions"]) == Decimal("82.66")
    assert rate(e["cases"]["resolved"], e["cases"]["with_conditions"]) - Decimal(th.TARGETS["cases"]) == Decimal("9.16")
    assert e["money"]["accepted"] >= 1_214 * th.BN and e["money"]["resolved"] >= 419 * th.BN
    assert rate(e["money"]["resolved"], e["money"]["with_conditions"]) == Decimal("42.60")
    assert rate(e["money"]["resolved"], e["money"]["with_conditions"]) - Decimal(th.TARGETS["money"]) == Decimal("10.10")


def test_plan_is_deterministic_and_its_money_adds_up() -> None:
    a, b = th.plan(0.01, seed=7), th.plan(0.01, seed=7)
    assert [c.lines for c in a] == [c.lines for c in b]
    assert th.plan(0.01, seed=8)[0].lines != a[0].lines
    for name in th.CLASSES:
        assert sum(c.amount for c in a if c.cls == name) == th.money_total(name, 0.01)
    assert sum(c.collect for c in a) == th.collected_total(0.01)
    assert all(0 < c.collect < c.amount for c in a if c.collect)


def test_every_line_is_an_import_command_with_increasing_business_time() -> None:
    courses = th.plan(0.01, seed=3)
    for c in courses:
        times = [line["body"]["occurred_at"] for line in c.lines]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert {"command_id", "path", "role", "actor", "body"} <= set(c.lines[0]) and "bind" in c.lines[0]
        in_year = [t for t in times if "2017-10-01" <= t[:10] <= "2018-09-30"]
        if not c.carried:
            assert in_year == times            # a new case happens entirely in the year
        else:
            assert times[0][:10] < "2017-10-01"
    texts = th.files(courses)
    ids = [json.loads(x)["command_id"] for t in texts.values() for x in t.splitlines()]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------------- auctions and complaints
def _collected(c: th.Course) -> tuple[int, str | None]:
    """What the case's lines bring in during the year (a direct collection, the sale's payment, or the
    value the creditor takes in kind) and the last business day of it."""
    total, last = 0, None
    for line in c.lines + c.auction_lines:
        b, day = line["body"], line["body"]["occurred_at"][:10]
        if line["path"].endswith("/collections") or line["path"].endswith("/payment"):
            total, last = total + b["amount_vnd"], day
        elif line["path"].endswith("/price-cuts"):
            price = b["new_starting_price_vnd"]
        elif line["path"].endswith("/creditor-takes"):
            total, last = total + price, day
    return total, last


def test_auctions_replace_collections_of_the_same_amount_in_the_year_and_nothing_else_moves() -> None:
    """The seed figures stay: an auctioned case brings in exactly what its direct collection did, inside
    the statistical year, and still ends completed; every other case's lines are those of a plan without
    auctions and complaints (the same random draws)."""
    for scale in (0.004, 0.02, 1.0):         # 1.0: the seed year itself
        with_, without = th.plan(scale, seed=5), th.plan(scale, seed=5, auctions=False, complaints=False)
        assert [(c.cls, c.amount, c.carried) for c in with_] == [(c.cls, c.amount, c.carried) for c in without]
        sold = [c for c in with_ if c.auction]
        assert sold
        for a, b in zip(with_, without):
            if not a.auction:
                assert a.lines == b.lines and not a.later and not a.auction_lines
                continue
            amount, day = _collected(a)
            assert (amount, _collected(b)[0]) == (a.amount, a.amount)
            assert "2017-10-01" <= day <= "2018-09-30"
            steps = [x["path"] for x in a.later]
            assert steps[-1] == "/cases/{case}/completion" and a.later[-1]["body"]["occurred_at"][:10] <= "2018-09-30"
            assert ("/cases/{case}/disbursements" in steps) == (a.auction != "taken_by_creditor")
        assert th.expected(scale, with_) == th.expected(scale, without)


def test_shares_and_scenarios_of_the_auctions_and_complaints() -> None:
    courses = th.plan(1.0)
    auctioned = [c for c in courses if c.auction]
    eligible = [c for c in courses if c.cls == "completed" and c.carried and not th.is_bank_case(c)
                and c.amount >= th.AUCTION_MIN_VND]
    assert len(auctioned) == len(th.AUCTION_SCENARIOS) + sum(
        1 for k in range(len(th.AUCTION_SCENARIOS), len(eligible)) if k % th.AUCTION_EVERY == 0)
    assert all(not c.ex_officio for c in auctioned if c.auction == "taken_by_creditor")
    complained = [c for c in courses if c.complaint]
    assert all(not c.carried and c.office != "TH" for c in complained)
    assert {c.complaint for c in complained} == set(th.COMPLAINT_SCENARIOS)
    o = th.expected_other(courses)
    a = {s: sum(c.auction == s for c in auctioned) for s in th.AUCTION_SCENARIOS}
    # one round for a first-round sale, two for the others (the first failed), two failed before a take
    assert o["auctions"]["sold"] == a["sold_first_round"] + a["sold_after_cut"]
    assert o["auctions"]["failed"] == a["sold_after_cut"] + 2 * a["taken_by_creditor"]
    assert o["auctions"]["rounds_held"] == o["auctions"]["announced"] == o["auctions"]["sold"] + o["auctions"]["failed"]
    assert o["auctions"]["taken_by_creditor"] == a["taken_by_creditor"]
    assert o["auctions"]["proceeds_vnd"] == sum(c.amount for c in auctioned if c.auction != "taken_by_creditor")
    k = {s: sum(c.complaint == s for c in complained) for s in th.COMPLAINT_SCENARIOS}
    assert o["complaints"]["received"] == len(complained) - k["vuot_cap"] + k["second_instance"]
    assert o["complaints"]["resolved_late"] == k["late"] and o["complaints"]["upheld"] == k["upheld"]
    assert o["complaints"]["received_late"] == k["received_late"] and o["complaints"]["vuot_cap"] == k["vuot_cap"]
    assert o["complaints"]["resolved"] == o["complaints"]["resolved_on_time"] + o["complaints"]["resolved_late"]
    # a small year still shows every scenario once
    small = th.plan(0.004)
    assert {c.auction for c in small if c.auction} == set(th.AUCTION_SCENARIOS)
    assert {c.complaint for c in small if c.complaint} == set(th.COMPLAINT_SCENARIOS)


def test_auction_and_complaint_lines_are_deterministic_in_the_year_and_follow_the_case() -> None:
    a, b = th.plan(0.01, seed=7), th.plan(0.01, seed=7)
    assert [(c.auction_lines, c.later, c.complaint_lines) for c in a] == [(c.auction_lines, c.later, c.complaint_lines)
                                                                          for c in b]
    assert [c.auction_lines for c in th.plan(0.01, seed=8) if c.auction] != [c.auction_lines for c in a if c.auction]
    ids = []
    for c in a:
        case_times = [x["body"]["occurred_at"] for x in c.lines]
        for extra in (c.auction_lines, c.later, c.complaint_lines):
            times = [x["body"]["occurred_at"] for x in extra]
            assert times == sorted(times) and all("2017-10-01" <= t[:10] <= "2018-09-30" for t in times)
            assert not times or times[0] > case_times[-1 if extra is not c.complaint_lines else 0]
            ids += [x["command_id"] for x in extra]
        if c.auction:
            money = next(x for x in c.auction_lines if x["path"].endswith(("/payment", "/creditor-takes")))
            assert c.auction_lines[0]["body"]["occurred_at"] > case_times[-1]
            assert c.later[0]["body"]["occurred_at"][:10] > money["body"]["occurred_at"][:10]   # once the money is in
            assert all(x["path"].startswith("/assets/{asset}/") and x["asset"] == th.asset_id(c) for x in c.auction_lines)
            assert c.lines[-1]["path"] == "/cases/{case}/seizures"
            assert is_working_day(date.fromisoformat(c.lines[-1]["body"]["occurred_at"][:10]))  # no coercion on days off
    ids += [x["command_id"] for c in a for x in c.lines]
    assert len(ids) == len(set(ids))
