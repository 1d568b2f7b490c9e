"""The Thanh Hóa 2018 plan: deterministic, its own arithmetic gives the seed's figures at full scale
(the statistics service must then count the same from the events), every case's business times
increase, and every line is a well-formed import command."""
from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

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
