"""The indicator tree on hand-built histories: a case mix whose every column is computed by hand
below (late-recorded events, delegation out whole and in part, a revoked decision, a separate-register
case, partial termination, value taken in kind, a postponement, a suspension), the identities of
domain.md §2 on every period, the carried-over chain between periods, and lineage."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from stat_history import M, CaseHistory, facts_of
from statistics_service import periods
from statistics_service.report import DERIVED, lineage
from statistics_service.tree import LEAVES, build, tree

Y2018 = periods.parse("2018")


def mix() -> dict[str, CaseHistory]:
    d = date
    h: dict[str, CaseHistory] = {}
    # A: ex officio, carried over (decided 2017), 30 M collected before the year, 70 M in it, completed
    h["A"] = (CaseHistory(basis="ex_officio").opened(d(2017, 5, 2)).decided(d(2017, 5, 10), 100 * M)
              .collected(d(2017, 8, 1), 30 * M).verified(d(2017, 8, 10), True)
              .collected(d(2018, 2, 1), 70 * M).completed(d(2018, 2, 5)))
    # B: on request, new, delegated out whole
    h["B"] = CaseHistory().opened(d(2017, 10, 20)).decided(d(2017, 11, 1), 50 * M).delegated(d(2018, 1, 10))
    # C: on request, new, decision revoked
    h["C"] = CaseHistory().opened(d(2018, 2, 20)).decided(d(2018, 3, 1), 40 * M).revoked(d(2018, 4, 1))
    # D: ex officio, carried over without conditions, moved to the separate register in the year
    h["D"] = (CaseHistory(basis="ex_officio").opened(d(2016, 11, 20)).decided(d(2016, 12, 1), 20 * M)
              .verified(d(2017, 3, 1), False).to_register(d(2018, 6, 1)))
    # E: on request, new: 50 M collected, 30 M partly terminated, in progress at the end
    h["E"] = (CaseHistory().opened(d(2017, 11, 25)).decided(d(2017, 12, 1), 200 * M)
              .collected(d(2018, 1, 15), 50 * M).reduced(d(2018, 2, 1), 30 * M))
    # F: on request, new: the creditor took an asset worth 300 M in kind, then postponed by agreement
    h["F"] = (CaseHistory().opened(d(2017, 12, 20)).decided(d(2018, 1, 5), 500 * M)
              .collected(d(2018, 7, 1), 300 * M, channel="in_kind").postponed(d(2018, 8, 1)))
    # G: ex officio, decided and terminated in September 2018, both RECORDED in October (late)
    h["G"] = (CaseHistory(basis="ex_officio").opened(d(2018, 9, 18))
              .decided(d(2018, 9, 20), 10 * M, recorded=d(2018, 10, 15))
              .terminated(d(2018, 9, 28), recorded=d(2018, 10, 20)))
    # H: ex officio, without conditions at the end; a collection in the NEXT year does not count
    h["H"] = (CaseHistory(basis="ex_officio").opened(d(2018, 4, 25)).decided(d(2018, 5, 1), 60 * M)
              .verified(d(2018, 6, 1), False).collected(d(2018, 10, 5), 5 * M))
    # I: decided in the next year: not in 2018
    h["I"] = CaseHistory().opened(d(2018, 9, 25)).decided(d(2018, 10, 2), 15 * M)
    # J: a refused request: never accepted
    h["J"] = CaseHistory().opened(d(2018, 3, 3)).refused(d(2018, 3, 8))
    # K: on request, new, suspended
    h["K"] = CaseHistory().opened(d(2017, 10, 5)).decided(d(2017, 10, 15), 80 * M).suspended(d(2018, 3, 1))
    # L: completed in an earlier year: nothing
    h["L"] = (CaseHistory(basis="ex_officio").opened(d(2015, 12, 1)).decided(d(2016, 1, 1), 7 * M)
              .collected(d(2017, 5, 1), 7 * M).completed(d(2017, 6, 1)))
    # M: ex officio, new, 40 of its 90 M delegated out (part), the rest in progress
    h["M"] = (CaseHistory(basis="ex_officio").opened(d(2018, 1, 20)).item_added(d(2018, 1, 25), 90 * M)
              .decided(d(2018, 2, 1), None).delegated(d(2018, 3, 1), part_vnd=40 * M))
    return h


def report(histories, period="2018", targets=None):
    p = periods.parse(period)
    contribs = build(facts_of(list(histories)), p.start, p.end)
    return tree(contribs, targets), contribs


# every column of the 2018 year, by hand (cases; money in millions)
CASES = {
    "ex_officio": dict(carried_over=2, new=3, accepted=5, delegated=0, revoked=0, returned=0, separate_register=1,
                       deducted=1, to_enforce=4, with_conditions=3, without_conditions=1, completed=1, terminated=1,
                       reduced=0, in_progress=1, postponed=0, suspended=0, other=0, resolved=2,
                       rate_percent=Decimal("66.67"), carry_over=2, carry_over_with_conditions=1,
                       carry_over_without_conditions=1),
    "on_request": dict(carried_over=0, new=5, accepted=5, delegated=1, revoked=1, returned=0, separate_register=0,
                       deducted=2, to_enforce=3, with_conditions=3, without_conditions=0, completed=0, terminated=0,
                       reduced=0, in_progress=1, postponed=1, suspended=1, other=0, resolved=0,
                       rate_percent=Decimal("0.00"), carry_over=3, carry_over_with_conditions=3,
                       carry_over_without_conditions=0),
    "total": dict(carried_over=2, new=8, accepted=10, delegated=1, revoked=1, returned=0, separate_register=1,
                  deducted=3, to_enforce=7, with_conditions=6, without_conditions=1, completed=1, terminated=1,
                  reduced=0, in_progress=2, postponed=1, suspended=1, other=0, resolved=2,
                  rate_percent=Decimal("33.33"), carry_over=5, carry_over_with_conditions=4,
                  carry_over_without_conditions=1),
}
MONEY_M = {
    "ex_officio": dict(carried_over=90, new=160, accepted=250, delegated=40, revoked=0, returned=0,
                       separate_register=20, deducted=60, to_enforce=190, with_conditions=130,
                       without_conditions=60, completed=70, terminated=10, reduced=0, in_progress=50, postponed=0,
                       suspended=0, other=0, resolved=80, carry_over=110, carry_over_with_conditions=50,
                       carry_over_without_conditions=60),
    "on_request": dict(carried_over=0, new=870, accepted=870, delegated=50, revoked=40, returned=0,
                       separate_register=0, deducted=90, to_enforce=780, with_conditions=780,
                       without_conditions=0, completed=350, terminated=30, reduced=30, in_progress=120,
                       postponed=200, suspended=80, other=0, resolved=380, carry_over=400,
                       carry_over_with_conditions=400, carry_over_without_conditions=0),
    "total": dict(carried_over=90, new=1030, accepted=1120, delegated=90, revoked=40, returned=0,
                  separate_register=20, deducted=150, to_enforce=970, with_conditions=910, without_conditions=60,
                  completed=420, terminated=40, reduced=30, in_progress=170, postponed=200, suspended=80, other=0,
                  resolved=460, carry_over=510, carry_over_with_conditions=450, carry_over_without_conditions=60),
}
MONEY_RATES = {"ex_officio": Decimal("61.54"), "on_request": Decimal("48.72"), "total": Decimal("50.55")}


@pytest.mark.parametrize("basis", ["ex_officio", "on_request", "total"])
def test_case_mix_every_column_by_hand(basis: str) -> None:
    t, _ = report(mix().values())
    assert {k: t["cases"][basis][k] for k in CASES[basis]} == CASES[basis]
    money = {k: t["money"][basis][k] for k in MONEY_M[basis]}
    assert money == {k: v * M for k, v in MONEY_M[basis].items()}
    assert t["money"][basis]["rate_percent"] == MONEY_RATES[basis]


def test_late_recorded_events_land_in_the_period_they_happened_in() -> None:
    h = mix()
    t, contribs = report([h["G"]])
    assert t["cases"]["total"]["new"] == 1 and t["cases"]["total"]["terminated"] == 1
    # and not in the next year, although they were recorded in it
    t2019, _ = report([h["G"]], "2019")
    assert t2019["cases"]["total"]["accepted"] == 0
    # a case moved between with and without conditions by a verification recorded late
    late = (CaseHistory().opened(date(2018, 1, 2)).decided(date(2018, 1, 5), 10 * M)
            .verified(date(2018, 9, 1), False, recorded=date(2018, 11, 30)))
    assert report([late])[0]["cases"]["total"]["without_conditions"] == 1


def test_next_years_carried_over_is_this_years_carry_over() -> None:
    h = mix()
    t2018, _ = report(h.values())
    t2019, _ = report(h.values(), "2019")
    for tr in ("cases", "money"):
        for basis in ("ex_officio", "on_request", "total"):
            assert t2019[tr][basis]["carried_over"] == t2018[tr][basis]["carry_over"], (tr, basis)
    assert t2019["cases"]["total"]["new"] == 1                 # I
    assert t2019["money"]["total"]["completed"] == 5 * M       # H's collection of 5/10/2018


def test_cumulative_cuts_and_months() -> None:
    h = mix()
    t9, _ = report(h.values(), "2018-9m")                     # 1/10/2017 – 30/6/2018
    assert periods.parse("2018-9m").end == date(2018, 6, 30)
    # by 30/6: B delegated, C revoked, D in the register, A completed; G and F's in-kind not yet
    assert t9["cases"]["total"]["completed"] == 1 and t9["cases"]["total"]["terminated"] == 0
    assert t9["money"]["total"]["completed"] == (70 + 50) * M
    t3, _ = report(h.values(), "2018-3m")                     # to 31/12/2017
    assert t3["cases"]["total"]["accepted"] == 2 + 3          # A, D carried; B, E, K new
    march, _ = report(h.values(), "2018-03")
    assert march["cases"]["total"]["new"] == 1                # C
    assert march["cases"]["total"]["revoked"] == 0            # C was revoked in April
    assert march["money"]["total"]["delegated"] == 40 * M     # M's part


def _assert_identities(t) -> None:
    for tr in ("cases", "money"):
        for basis in ("ex_officio", "on_request", "total"):
            f = t[tr][basis]
            assert f["accepted"] == f["carried_over"] + f["new"]
            assert f["to_enforce"] == f["accepted"] - f["deducted"]
            assert f["to_enforce"] == f["with_conditions"] + f["without_conditions"]
            assert f["with_conditions"] == (f["completed"] + f["terminated"] + f["in_progress"] + f["postponed"]
                                            + f["suspended"] + f["other"])
            assert f["resolved"] == f["completed"] + f["terminated"]
            assert f["carry_over"] == f["to_enforce"] - f["resolved"]
            assert f["carry_over_with_conditions"] == f["with_conditions"] - f["resolved"]
            assert f["carry_over_without_conditions"] == f["without_conditions"]
        for name in LEAVES + tuple(DERIVED):
            assert t[tr]["total"][name] == t[tr]["ex_officio"][name] + t[tr]["on_request"][name]


def random_history(rng: random.Random) -> CaseHistory:
    h = CaseHistory(basis=rng.choice(["ex_officio", "on_request"]))
    day = date(2016, 1, 1) + timedelta(days=rng.randrange(1000))
    h.opened(day)
    if rng.random() < 0.1:
        return h.refused(day + timedelta(days=3))
    amount = rng.randrange(1, 500) * M
    h.decided(day + timedelta(days=2), amount)
    left = amount
    for _ in range(rng.randrange(6)):
        day += timedelta(days=rng.randrange(1, 120))
        recorded = day + timedelta(days=rng.randrange(0, 90)) if rng.random() < 0.3 else None
        step = rng.choice(["collect", "verify", "postpone", "continue", "suspend", "reduce", "part"])
        if step == "collect" and left > M:
            part = rng.randrange(1, left // M + 1) * M
            left -= part
            h.collected(day, part, recorded=recorded)
        elif step == "verify":
            h.verified(day, rng.random() < 0.7, recorded=recorded)
        elif step == "postpone":
            h.postponed(day, recorded=recorded)
        elif step == "continue":
            h.continued(day, recorded=recorded)
        elif step == "suspend":
            h.suspended(day, recorded=recorded)
        elif step == "reduce" and left > M:
            left -= M
            h.reduced(day, M, recorded=recorded)
        elif step == "part" and left > M:
            left -= M
            h.delegated(day, part_vnd=M, recorded=recorded)
    day += timedelta(days=rng.randrange(1, 200))
    end = rng.choice(["none", "complete", "terminate", "delegate", "revoke", "register"])
    {"complete": h.completed, "terminate": h.terminated, "delegate": h.delegated, "revoke": h.revoked,
     "register": h.to_register}.get(end, lambda _d: None)(day)
    return h


@pytest.mark.parametrize("seed", range(5))
def test_identities_hold_on_random_histories_in_every_period(seed: int) -> None:
    rng = random.Random(seed)
    histories = [random_history(rng) for _ in range(60)]
    previous = None
    for year in ("2016", "2017", "2018", "2019"):
        t, _ = report(histories, year)
        _assert_identities(t)
        if previous is not None:
            for tr in ("cases", "money"):
                assert t[tr]["total"]["carried_over"] == previous[tr]["total"]["carry_over"], (year, tr)
        previous = t
    for cut in ("2018-3m", "2018-6m", "2018-9m", "2018-12m", "2018-02"):
        _assert_identities(report(histories, cut)[0])


def test_rate_and_target_points() -> None:
    t, _ = report(mix().values(), targets={"cases": Decimal("30.00"), "money": Decimal("55.5")})
    assert t["cases"]["total"]["vs_target_points"] == Decimal("3.33")
    assert t["money"]["total"]["vs_target_points"] == Decimal("-4.95")
    assert t["cases"]["ex_officio"]["target_percent"] is None       # targets are for the unit's total


def test_lineage_lists_the_cases_and_events_behind_a_figure() -> None:
    h = mix()
    _, contribs = report(h.values())
    resolved = lineage(contribs, "cases", "resolved")
    assert {r["case_id"] for r in resolved} == {str(h["A"].id), str(h["G"].id)}
    g = next(r for r in resolved if r["case_id"] == str(h["G"].id))
    assert g["event_ids"] == [str(h["G"].events[-1].event_id)]      # the termination
    money_completed = lineage(contribs, "money", "completed")
    a = next(r for r in money_completed if r["case_id"] == str(h["A"].id))
    assert a["amount"] == 70 * M and a["event_ids"] == [str(h["A"].events[4].event_id)]
    # every figure's lineage sums to the figure
    t, _ = report(h.values())
    for name in LEAVES + tuple(DERIVED):
        for tr in ("cases", "money"):
            assert sum(r["amount"] for r in lineage(contribs, tr, name)) == t[tr]["total"][name], (tr, name)
