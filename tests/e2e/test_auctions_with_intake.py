"""Issue 8, done when: a case orders a seizure → the asset is valued, auctioned, fails once, is cut
10 %, sells → intake shows the collection on the right claim item ONCE — even though the auctions
process is killed (-9) mid-auction, and killed again by its relay right after publishing the
proceeds and before storing its position (so the proceeds are published twice). The proceeds carry
their split (ProceedsTransferred.v2: the enforcement costs deducted first, the rest on the seizure's
claim item), and intake books the share, not the gross amount. Both services run as processes on the real broker and database."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET
from thads_infra.testing import read_topic, wait_until

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))


def at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN).isoformat()


async def post(c: httpx.AsyncClient, path: str, body: dict, headers: dict, expect: int = 200) -> dict:
    r = await c.post(path, json=body, headers=headers)
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


async def enforcing_case_with_a_seizure(c: httpx.AsyncClient, token: Any) -> tuple[str, str, str]:
    """Through intake's API: a case on request, a bank creditor's debt and a court fee, the decision,
    the officer, verification, then the seizure of a car securing the debt."""
    creditor, state, debtor = (str(uuid.uuid4()) for _ in range(3))
    debt_item, fee_item = str(uuid.uuid4()), str(uuid.uuid4())
    clerk, head, officer = token("clerk"), token("head"), token("officer", sub="cv-07")
    cid = (await post(c, "/cases/requests", {
        "unit": "TH-01", "intake_ref": f"ĐƠN-{uuid.uuid4().hex[:8]}", "channel": "in_person",
        "judgment_number": "45/2024/KDTM-PT", "issuing_court": "TAND tỉnh Thanh Hóa",
        "occurred_at": at(date(2025, 3, 3))}, clerk, expect=201))["case_id"]
    for party in ({"party_id": creditor, "role": "creditor", "kind": "credit_institution", "bank_code": "VCB",
                   "full_name": "Ngân hàng TMCP Ngoại thương Việt Nam - CN Thanh Hóa"},
                  {"party_id": state, "role": "creditor", "kind": "state", "full_name": "Ngân sách nhà nước"},
                  {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình",
                   "address": "12 Lê Lợi, TP Thanh Hóa", "id_number": "038090001234"}):
        await post(c, f"/cases/{cid}/parties", party | {"occurred_at": at(date(2025, 3, 3), 10)}, clerk)
    await post(c, f"/cases/{cid}/claim-items", {"claim_item_id": debt_item, "kind": "credit_debt",
               "amount_vnd": 500_000_000, "creditor_party_id": creditor, "secured": False,
               "occurred_at": at(date(2025, 3, 3), 11)}, clerk)
    await post(c, f"/cases/{cid}/claim-items", {"claim_item_id": fee_item, "kind": "court_fee",
               "amount_vnd": 5_000_000, "creditor_party_id": state, "occurred_at": at(date(2025, 3, 3), 11)}, clerk)
    await post(c, f"/cases/{cid}/decision", {"decision_no": "101/QĐ-CTHADS", "basis": "on_request",
                                             "occurred_at": at(date(2025, 3, 5))}, head)
    await post(c, f"/cases/{cid}/officer", {"officer_id": "cv-07", "occurred_at": at(date(2025, 3, 5), 10)}, head)
    await post(c, f"/cases/{cid}/notification", {"occurred_at": at(date(2025, 3, 6))}, officer)
    await post(c, f"/cases/{cid}/verification/start", {"occurred_at": at(date(2025, 3, 20))}, officer)
    await post(c, f"/cases/{cid}/verification", {"outcome": "with_conditions",
                                                 "occurred_at": at(date(2025, 3, 25))}, officer)
    await post(c, f"/cases/{cid}/seizures", {
        "decision_no": "15/QĐ-CC", "asset_description": "Xe ô tô con 36A-123.45", "asset_kind": "movable",
        "claim_item_ids": [debt_item], "occurred_at": at(date(2025, 4, 1))}, officer)
    return cid, debt_item, fee_item


async def test_seizure_to_sale_books_the_proceeds_on_the_claim_item_once_across_crashes(processes, token):
    intake = processes("intake")
    auctions = processes("auctions")
    officer = token("officer", sub="cv-07")
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as ic:
        cid, debt_item, fee_item = await enforcing_case_with_a_seizure(ic, token)
        asset_id = str(uuid.uuid5(uuid.UUID(cid), "seizure/15/QĐ-CC"))

        async def asset_of_the_seizure(url: str = auctions.url):
            async with httpx.AsyncClient(base_url=url, timeout=10) as ac:
                r = await ac.get(f"/assets/{asset_id}", headers=token("head"))
            return r.json() if r.status_code == 200 else None
        seized = await wait_until(asset_of_the_seizure, what="the asset opened from intake's SeizureOrdered")
        assert (seized["case_id"], seized["claim_item_ids"], seized["kind"]) == (cid, [debt_item], "movable")

        async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as ac:
            a = f"/assets/{asset_id}"
            await post(ac, f"{a}/valuation", {"method": "valuer", "price_vnd": 300_000_000, "valued_on": "2025-04-10",
                                              "valuer_contracted_on": "2025-04-04"}, officer)
            await post(ac, f"{a}/organisation-contract", {"organisation": "Công ty đấu giá hợp danh Thanh Hóa",
                                                          "contracted_on": "2025-04-11",
                                                          "parties_agreed_on": "2025-04-11"}, officer)
            await post(ac, f"{a}/auctions", {"announced_on": "2025-04-11", "second_announced_on": "2025-04-15",
                                             "auction_on": "2025-04-25",
                                             "deposit_vnd": 30_000_000, "place": "Chi cục THADS TP Thanh Hóa",
                                             "organiser": "Công ty đấu giá hợp danh Thanh Hóa"}, officer)
            assert (await post(ac, f"{a}/close", {"closed_on": "2025-04-25"}, officer))["status"] == "failed"
            await post(ac, f"{a}/price-cuts", {"new_starting_price_vnd": 270_000_000, "decided_on": "2025-05-05"},
                       officer)
            await post(ac, f"{a}/auctions", {"announced_on": "2025-05-06", "second_announced_on": "2025-05-08",
                                             "auction_on": "2025-05-20",
                                             "deposit_vnd": 27_000_000, "place": "Chi cục THADS TP Thanh Hóa",
                                             "organiser": "Công ty đấu giá hợp danh Thanh Hóa"}, officer)
            for bidder in ("DG-01", "DG-02"):
                await post(ac, f"{a}/bidders", {"bidder_id": bidder, "deposit_paid_vnd": 27_000_000}, officer)
            await post(ac, f"{a}/bids", {"bidder_id": "DG-01", "amount_vnd": 270_000_000}, officer)

        # killed mid-auction (-9), restarted: the round, its bidders and bids are still there
        svc = auctions
        svc.kill9()
        svc.start()
        async with httpx.AsyncClient(base_url=svc.url, timeout=30) as ac:
            await post(ac, f"{a}/bids", {"bidder_id": "DG-02", "amount_vnd": 280_000_000}, officer)
            sold = await post(ac, f"{a}/close", {"closed_on": "2025-05-20"}, officer)
            assert sold["status"] == "awaiting_payment"

        # the relay is killed right after publishing the proceeds, before storing its position
        svc.stop()
        svc.env["AUCTIONS_FAULT"] = "relay_crash_after_publish"
        svc.start()
        async with httpx.AsyncClient(base_url=svc.url, timeout=30) as ac:
            try:
                await ac.post(f"{a}/payment", json={"amount_vnd": 280_000_000, "paid_on": "2025-06-02",
                                                          "enforcement_costs_vnd": 8_000_000},
                              headers=officer)
            except httpx.HTTPError:
                pass                       # the process may die before it answers; the payment is stored
        svc.wait_exit(60)
        svc.env.pop("AUCTIONS_FAULT")
        svc.start()                       # the relay publishes from its stored position: the proceeds again

        async def proceeds_published_twice():
            envs = [decode(AUCTIONS_ASSET, r.value) for r in await read_topic(AUCTIONS_ASSET, key=cid.encode())]
            paid = [e for e in envs if e.event_type == "auctions.ProceedsTransferred.v2"]
            return paid if len(paid) >= 2 else None
        paid = await wait_until(proceeds_published_twice, what="the proceeds published twice (relay crash)")
        assert len({p.event_id for p in paid}) == 1, "the same event, published twice"
        assert paid[0].payload.claim_item_ids == (uuid.UUID(debt_item),)
        assert (paid[0].payload.amount_vnd, paid[0].payload.enforcement_costs_vnd) == (280_000_000, 8_000_000)
        assert [(s.claim_item_id, s.amount_vnd, s.basis) for s in paid[0].payload.shares] == [
            (uuid.UUID(debt_item), 272_000_000, "general")]

        async def collected():
            r = await ic.get(f"/cases/{cid}", headers=token("head"))
            body = r.json()
            return body if body["held_vnd"] > 0 else None
        case = await wait_until(collected, what="intake collected the proceeds")
        history = (await ic.get(f"/cases/{cid}/events", headers=token("head"))).json()["events"]
    collections = [e for e in history if e["event"] == "MoneyCollected"]
    assert len(collections) == 1, collections
    assert collections[0]["data"]["claim_item_id"] == debt_item
    assert collections[0]["data"]["amount_vnd"] == 272_000_000
    assert case["held_vnd"] == 272_000_000
    items = {i["id"]: i for i in case["claim_items"]}
    assert (items[debt_item]["collected_vnd"], items[fee_item]["collected_vnd"]) == (272_000_000, 0)
