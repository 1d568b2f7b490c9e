"""Issue 8 §5: the demo (`thads up --demo`) includes seized assets of OPEN demo cases going through
valuation and sale — failing and cut, sold, taken by the creditor after the second cut, announced
again, sold without auction — played through the intake and auctions APIs as real processes on the
real broker and database; intake books each sale's net proceeds and the creditor's taking once, on
the seized claim item, and a re-run changes nothing."""
from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from auctions_service import demo
from thads_infra.testing import wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token('admin', 'TH', sub='demo-test')}"}


async def case_events(http: httpx.AsyncClient, case_id: str) -> list[dict[str, Any]]:
    r = await http.get(f"/cases/{case_id}/events", headers=admin())
    assert r.status_code == 200, r.text
    return [e for e in r.json()["events"] if e["event"] != "DeadlineMissed"]


def money(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["event"] in ("MoneyCollected", "AssetTakenInKind")]


async def test_demo_assets_go_through_valuation_and_sale_and_a_rerun_adds_nothing(processes) -> None:
    intake = processes("intake", deadline_watch_seconds=3600)
    auctions = processes("auctions")
    seed = random.randrange(10**6)          # its own cases on a broker other runs used before

    first = await demo.run(intake.url, auctions.url, assets=5, seed=seed)

    assert [o.scenario for o in first.outcomes] == list(demo.SCENARIOS)
    assert [o.status for o in first.outcomes] == ["sold", "taken_by_creditor", "sold", "announced", "sold"]
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as ah, \
            httpx.AsyncClient(base_url=intake.url, timeout=30) as ih:
        assets = {o.asset_id: (await ah.get(f"/assets/{o.asset_id}", headers=admin())).json() for o in first.outcomes}
        cut_then_sold, taken, first_round, announced, without = (assets[o.asset_id] for o in first.outcomes)
        assert [r["winner_id"] is None for r in cut_then_sold["rounds"]] == [True, False]
        assert cut_then_sold["price_cuts"] == 1 and cut_then_sold["handed_over_on"]
        assert taken["price_cuts"] == 2 and len(taken["rounds"]) == 2 and taken["taken_claim_item_id"]
        assert first_round["contracted_organisation"] and len(first_round["rounds"]) == 1
        assert announced["round_number"] == 2 and announced["price_cuts"] == 1
        assert without["sale_path"] == "without_auction" and without["rounds"] == []
        notices = (await ah.get("/public/auction-notices", params={"limit": 500})).json()["items"]
        assert [n["round_number"] for n in notices if n["asset_id"] == first.outcomes[3].asset_id] == [2]

        async def booked() -> dict[str, list[dict[str, Any]]] | None:
            found = {o.case_id: await case_events(ih, o.case_id) for o in first.outcomes}
            return found if sum(len(money(h)) for h in found.values()) >= 4 else None
        history = await wait_until(booked, what="intake booked the demo's proceeds and the creditor's taking")
        for o in first.outcomes:
            got = money(history[o.case_id])
            if o.proceeds_vnd:
                assert [(m["claim_item_id"], m["amount_vnd"], m["channel"]) for m in got] == [
                    (o.claim_item_id, o.proceeds_vnd, "auction_proceeds")], o
            elif o.taken_vnd:
                assert [(m["claim_item_id"], m["value_vnd"]) for m in got] == [(o.claim_item_id, o.taken_vnd)], o
            else:
                assert got == [], o

        second = await demo.run(intake.url, auctions.url, assets=5, seed=seed)

        assert [(o.case_id, o.asset_id, o.status, o.proceeds_vnd, o.taken_vnd) for o in second.outcomes] == \
            [(o.case_id, o.asset_id, o.status, o.proceeds_vnd, o.taken_vnd) for o in first.outcomes]
        for o in first.outcomes:
            again = (await ah.get(f"/assets/{o.asset_id}", headers=admin())).json()
            assert again["version"] == assets[o.asset_id]["version"], o.scenario
            assert await case_events(ih, o.case_id) == history[o.case_id]
