"""The other indicators (indicators.py) on hand-built events, every figure computed by hand here:
auctions (rounds held, sold, failed, taken, proceeds), complaints (received, late, accepted, resolved
on time or late, upheld, missed steps, vượt cấp), bad debt (the tree's bank cases and the money paid
to banks), overdue steps by office and step; events outside the period and a person creditor's
payment count nowhere; lineage names the events; the projection stores only what it reads."""
from __future__ import annotations

from datetime import date

import pytest

from stat_history import (M, CaseHistory, auction_announced, auction_outcome, bank_creditor, complaint, complaint_deadline_missed,
                          deadline_missed, disbursed, facts_of, person_creditor, petition_forwarded, proceeds)
from statistics_service import indicators as ind
from statistics_service.projections import USED, fact_row
from statistics_service.tree import build

START, END = date(2017, 10, 1), date(2018, 9, 30)


def compute(histories: list[CaseHistory]) -> tuple[dict, list[ind.Item]]:
    """What api.compute does, on the facts the projection would store."""
    facts = facts_of(histories)
    tree_facts = {c: [f for f in fs if f.event_type.startswith("intake.") and f.kind in USED] for c, fs in facts.items()}
    contribs = build({c: fs for c, fs in tree_facts.items() if fs}, START, END)
    flat = [f for fs in facts.values() for f in fs]
    in_period = [f for f in flat if START <= f.occurred_on <= END and (ind.reads(f) or f.kind == "MoneyCollected")
                 and f.kind != "PartyAdded"]
    banks = ind.bank_parties(f for f in flat if f.kind == "PartyAdded" and f.occurred_on <= END)
    items = ind.items(in_period, banks, contribs)
    return ind.section(items), items


def test_every_other_indicator_by_hand() -> None:
    d = date
    # a bank's case carried over: paid out to the bank 40 M in the year (and 5 M before it), 10 M paid
    # straight to the bank, completed in the year
    bank = CaseHistory("TH-BIMSON").opened(d(2016, 5, 1)).decided(d(2016, 5, 5), 100 * M)
    vcb = bank_creditor(bank, d(2016, 5, 2))
    bank.collected(d(2016, 9, 1), 5 * M)
    disbursed(bank, d(2016, 9, 2), 5 * M, vcb)                # before the year: not recovered in it
    bank.collected(d(2018, 1, 10), 40 * M)
    disbursed(bank, d(2018, 1, 12), 40 * M, vcb)
    bank.collected(d(2018, 2, 1), 10 * M, channel="paid_to_bank")
    auction_announced(bank, d(2017, 12, 20))
    auction_announced(bank, d(2017, 9, 20))                   # before the year: not counted
    auction_outcome(bank, d(2018, 1, 5), "failed")
    auction_outcome(bank, d(2018, 1, 8), "sold", price=40 * M)
    proceeds(bank, d(2018, 1, 9), 40 * M)
    deadline_missed(bank, d(2017, 12, 1), "verification")
    bank.completed(d(2018, 3, 1))
    # a person's case: payments to a person are not bad debt; an auction taken by the creditor;
    # complaints; a missed step in the year and one after it
    person = CaseHistory("TH-BIMSON").opened(d(2017, 11, 1)).decided(d(2017, 11, 5), 20 * M)
    someone = person_creditor(person, d(2017, 11, 2))
    person.collected(d(2018, 4, 1), 20 * M)
    disbursed(person, d(2018, 4, 2), 20 * M, someone)
    auction_outcome(person, d(2018, 3, 3), "taken_by_creditor", price=20 * M, taker=someone)
    complaint(person, d(2018, 2, 1), late=True, accepted_on_time=False, resolved="upheld", resolved_on_time=False)
    complaint(person, d(2018, 5, 1), accepted_on_time=True, resolved="rejected", instance="second")
    complaint(person, d(2018, 6, 1))                              # received only
    complaint(person, d(2018, 10, 2), accepted_on_time=True)      # after the year: nowhere
    complaint_deadline_missed(person, d(2018, 7, 1))
    petition_forwarded(person, d(2018, 7, 2), vuot_cap=True)
    petition_forwarded(person, d(2018, 7, 3), vuot_cap=False)
    deadline_missed(person, d(2018, 1, 1), "decision")
    deadline_missed(person, d(2018, 10, 1), "decision")          # after the year
    # a second bank case in another office, new in the year, open at its end
    other = CaseHistory("TH-SAMSON").opened(d(2018, 6, 1)).decided(d(2018, 6, 2), 30 * M)
    bank_creditor(other, d(2018, 6, 1), bank="BIDV")

    section, items = compute([bank, person, other])
    assert section["auctions"] == {"announced": 1, "rounds_held": 2, "sold": 1, "failed": 1, "taken_by_creditor": 1, "returned": 0,
                                   "proceeds_vnd": 40 * M, "proceeds_transferred_vnd": 40 * M}
    assert section["complaints"] == {"received": 3, "received_late": 1, "received_second_instance": 1,
                                     "accepted": 2, "accepted_late": 1, "resolved": 2, "resolved_on_time": 1,
                                     "resolved_late": 1, "upheld": 1, "deadlines_missed": 1, "vuot_cap": 1}
    # bad debt: both bank cases accepted (one carried over with 95 M left, one new with 30 M), one resolved;
    # recovered in the year: 40 M paid out to the bank + 10 M paid straight to it
    assert section["bad_debt"] == {"cases_accepted": 2, "cases_resolved": 1, "money_accepted_vnd": 125 * M,
                                   "money_recovered_vnd": 50 * M}
    assert section["overdue"] == {"deadlines_missed": 2, "by_office": {"TH-BIMSON": 2},
                                  "by_step": {"decision": 1, "verification": 1}}

    rows = ind.lineage(items, "bad_debt", "money_recovered_vnd")
    assert sorted(r["amount"] for r in rows) == [10 * M, 40 * M] and {r["case_id"] for r in rows} == {str(bank.id)}
    assert len(ind.lineage(items, "complaints", "vuot_cap")[0]["event_ids"]) == 1
    with pytest.raises(ind.UnknownIndicatorError):
        ind.lineage(items, "auctions", "nonsense")


def test_projection_stores_what_the_indicators_read_only() -> None:
    h = CaseHistory("TH-BIMSON").opened(date(2018, 1, 1))
    bank_creditor(h, date(2018, 1, 2))
    person_creditor(h, date(2018, 1, 2))
    petition_forwarded(h, date(2018, 1, 3), vuot_cap=False)
    stored = [fact_row(env) is not None for env in h.events]
    assert stored == [True, True, False, True]     # a person creditor is not stored


def test_report_section_is_zero_without_events() -> None:
    section = ind.section([])
    assert all(v == 0 for g in ("auctions", "complaints", "bad_debt") for v in section[g].values())
    assert section["overdue"] == {"deadlines_missed": 0, "by_office": {}, "by_step": {}}
