"""A seized collateral from intake to the proceeds split, both services as processes on the real broker
and database: intake's seizure order names the secured creditor (the bank holding the mortgage,
SeizureOrdered.secured_creditor_party_id), auctions opens the asset with it, so the sale must name the
secured claim item and its money goes to it first as a collateral share (LCJE Art. 47(3)), which
intake books once on that item. The bank party of the case reads the asset; another bank may not."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

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


async def test_the_secured_creditor_named_by_intake_is_paid_first_from_its_collateral(processes, token):
    intake, auctions = processes("intake"), processes("auctions")
    bank, debtor, other = (str(uuid.uuid4()) for _ in range(3))
    loan, other_item = str(uuid.uuid4()), str(uuid.uuid4())
    clerk, head, officer = token("clerk"), token("head"), token("officer", sub="cv-07")
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as ic, \
            httpx.AsyncClient(base_url=auctions.url, timeout=30) as ac:
        cid = (await post(ic, "/cases/requests", {
            "unit": "TH-01", "intake_ref": f"ĐƠN-{uuid.uuid4().hex[:8]}", "channel": "in_person",
            "judgment_number": "46/2024/KDTM-PT", "issuing_court": "TAND tỉnh Thanh Hóa",
            "occurred_at": at(date(2025, 3, 3))}, clerk, expect=201))["case_id"]
        for party in ({"party_id": bank, "role": "creditor", "kind": "credit_institution", "bank_code": "VCB",
                       "full_name": "Ngân hàng TMCP Ngoại thương Việt Nam - CN Thanh Hóa"},
                      {"party_id": other, "role": "creditor", "kind": "individual", "full_name": "Trần Thị Hoa"},
                      {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình"}):
            await post(ic, f"/cases/{cid}/parties", party | {"occurred_at": at(date(2025, 3, 3), 10)}, clerk)
        await post(ic, f"/cases/{cid}/claim-items", {"claim_item_id": loan, "kind": "credit_debt",
                   "amount_vnd": 500_000_000, "creditor_party_id": bank, "secured": True,
                   "occurred_at": at(date(2025, 3, 3), 11)}, clerk)
        await post(ic, f"/cases/{cid}/claim-items", {"claim_item_id": other_item, "kind": "other",
                   "amount_vnd": 20_000_000, "creditor_party_id": other, "occurred_at": at(date(2025, 3, 3), 11)},
                   clerk)
        await post(ic, f"/cases/{cid}/decision", {"decision_no": "102/QĐ-CTHADS", "basis": "on_request",
                                                  "occurred_at": at(date(2025, 3, 5))}, head)
        await post(ic, f"/cases/{cid}/officer", {"officer_id": "cv-07", "occurred_at": at(date(2025, 3, 5), 10)}, head)
        await post(ic, f"/cases/{cid}/notification", {"occurred_at": at(date(2025, 3, 6))}, officer)
        await post(ic, f"/cases/{cid}/verification/start", {"occurred_at": at(date(2025, 3, 20))}, officer)
        await post(ic, f"/cases/{cid}/verification", {"outcome": "with_conditions",
                                                      "occurred_at": at(date(2025, 3, 25))}, officer)
        seizure = {"decision_no": "16/QĐ-CC", "asset_description": "Máy phát điện đã qua sử dụng",
                   "asset_kind": "movable", "claim_item_ids": [loan, other_item],
                   "occurred_at": at(date(2025, 4, 1))}
        wrong = await ic.post(f"/cases/{cid}/seizures", json=seizure | {"secured_creditor_party_id": other},
                              headers=officer)
        assert wrong.status_code in (409, 422) and wrong.json()["rule"] == "seizure.secured_creditor", wrong.text
        await post(ic, f"/cases/{cid}/seizures", seizure | {"secured_creditor_party_id": bank}, officer)
        asset_id = str(uuid.uuid5(uuid.UUID(cid), "seizure/16/QĐ-CC"))

        async def opened():
            r = await ac.get(f"/assets/{asset_id}", headers=token("head"))
            return r.json() if r.status_code == 200 else None
        asset = await wait_until(opened, what="the asset opened from intake's SeizureOrdered")
        assert asset["secured_creditor_party_id"] == bank
        # the case's bank reads it (case_banks from intake's PartyAdded), another bank may not
        assert (await ac.get(f"/assets/{asset_id}", headers=token("bank", bank="VCB"))).status_code == 200
        refused = await ac.get(f"/assets/{asset_id}", headers=token("bank", bank="BIDV"))
        assert refused.status_code == 403 and refused.json()["rule"] == "read_scope.bank_own_case"

        a = f"/assets/{asset_id}"
        await post(ac, f"{a}/valuation", {"method": "officer", "price_vnd": 1_500_000, "valued_on": "2025-04-02"},
                   officer)
        sale = {"buyer_id": "NM-01", "price_vnd": 1_600_000, "sold_on": "2025-04-03", "enforcement_costs_vnd": 100_000}
        unnamed = await ac.post(f"{a}/sale-without-auction", json=sale, headers=officer)
        assert unnamed.status_code == 409 and unnamed.json()["rule"] == "proceeds.split"
        await post(ac, f"{a}/sale-without-auction", sale | {"secured_claim_item_id": loan}, officer)

        async def proceeds():
            envs = [decode(AUCTIONS_ASSET, r.value) for r in await read_topic(AUCTIONS_ASSET, key=cid.encode())]
            return [e for e in envs if e.event_type == "auctions.ProceedsTransferred.v2"] or None
        [paid] = await wait_until(proceeds, what="the proceeds on thads.auctions.asset")
        assert paid.payload.secured_creditor_party_id == uuid.UUID(bank)
        assert [(s.claim_item_id, s.amount_vnd, s.basis) for s in paid.payload.shares] == [
            (uuid.UUID(loan), 1_500_000, "collateral")]

        async def booked():
            body = (await ic.get(f"/cases/{cid}", headers=head)).json()
            return body if body["held_vnd"] > 0 else None
        case = await wait_until(booked, what="intake booked the collateral share")
        history = (await ic.get(f"/cases/{cid}/events", headers=head)).json()["events"]
    collections = [e for e in history if e["event"] == "MoneyCollected"]
    assert [(c["data"]["claim_item_id"], c["data"]["amount_vnd"]) for c in collections] == [(loan, 1_500_000)]
    items = {i["id"]: i for i in case["claim_items"]}
    assert (items[loan]["collected_vnd"], items[other_item]["collected_vnd"]) == (1_500_000, 0)
