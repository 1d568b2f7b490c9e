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


async def test_the_creditor_takes_the_house_after_the_debtors_30_days_and_pays_the_excess(processes, token):
    """Art. 104(3) across both services: after two failed rounds and two cuts the bank accepts the house;
    handing it over inside the debtor's 30 days is refused by rule; after them it is taken at the debt
    it settles (booked in kind once by intake) and the excess the bank paid arrives as proceeds."""
    intake, auctions = processes("intake"), processes("auctions")
    bank, debtor, loan = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    other, other_item = str(uuid.uuid4()), str(uuid.uuid4())
    clerk, head, officer = token("clerk"), token("head"), token("officer", sub="cv-07")
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as ic, \
            httpx.AsyncClient(base_url=auctions.url, timeout=30) as ac:
        cid = (await post(ic, "/cases/requests", {
            "unit": "TH-01", "intake_ref": f"ĐƠN-{uuid.uuid4().hex[:8]}", "channel": "in_person",
            "judgment_number": "47/2024/KDTM-PT", "issuing_court": "TAND tỉnh Thanh Hóa",
            "occurred_at": at(date(2025, 3, 3))}, clerk, expect=201))["case_id"]
        for party in ({"party_id": bank, "role": "creditor", "kind": "credit_institution", "bank_code": "VCB",
                       "full_name": "Ngân hàng TMCP Ngoại thương Việt Nam - CN Thanh Hóa"},
                      {"party_id": other, "role": "creditor", "kind": "individual", "full_name": "Trần Thị Hoa"},
                      {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình"}):
            await post(ic, f"/cases/{cid}/parties", party | {"occurred_at": at(date(2025, 3, 3), 10)}, clerk)
        await post(ic, f"/cases/{cid}/claim-items", {"claim_item_id": loan, "kind": "credit_debt",
                   "amount_vnd": 100_000_000, "creditor_party_id": bank, "secured": True,
                   "occurred_at": at(date(2025, 3, 3), 11)}, clerk)
        await post(ic, f"/cases/{cid}/claim-items", {"claim_item_id": other_item, "kind": "other",
                   "amount_vnd": 50_000_000, "creditor_party_id": other, "occurred_at": at(date(2025, 3, 3), 11)},
                   clerk)
        await post(ic, f"/cases/{cid}/decision", {"decision_no": "103/QĐ-CTHADS", "basis": "on_request",
                                                  "occurred_at": at(date(2025, 3, 5))}, head)
        await post(ic, f"/cases/{cid}/officer", {"officer_id": "cv-07", "occurred_at": at(date(2025, 3, 5), 10)}, head)
        await post(ic, f"/cases/{cid}/notification", {"occurred_at": at(date(2025, 3, 6))}, officer)
        await post(ic, f"/cases/{cid}/verification/start", {"occurred_at": at(date(2025, 3, 20))}, officer)
        await post(ic, f"/cases/{cid}/verification", {"outcome": "with_conditions",
                                                      "occurred_at": at(date(2025, 3, 25))}, officer)
        await post(ic, f"/cases/{cid}/seizures", {
            "decision_no": "17/QĐ-CC", "asset_description": "Nhà và đất thửa 31, tờ bản đồ 4", "asset_kind": "real_estate",
            "claim_item_ids": [loan, other_item], "secured_creditor_party_id": bank,
            "occurred_at": at(date(2025, 4, 1))}, officer)
        asset_id = str(uuid.uuid5(uuid.UUID(cid), "seizure/17/QĐ-CC"))

        async def opened():
            r = await ac.get(f"/assets/{asset_id}", headers=token("head"))
            return r.json() if r.status_code == 200 else None
        assert (await wait_until(opened, what="the asset opened from intake"))["secured_creditor_party_id"] == bank
        a = f"/assets/{asset_id}"
        await post(ac, f"{a}/valuation", {"method": "agreed", "price_vnd": 150_000_000, "valued_on": "2025-04-02"},
                   officer)
        await post(ac, f"{a}/organisation-contract", {"organisation": "Công ty đấu giá hợp danh Thanh Hóa",
                                                      "contracted_on": "2025-04-03", "parties_agreed_on": "2025-04-02"},
                   officer)
        for (first, second, auction_on, cut_on), price, new in (
                (("2025-04-04", "2025-04-09", "2025-04-25", "2025-04-28"), 150_000_000, 135_000_000),
                (("2025-04-29", "2025-05-07", "2025-05-23", "2025-05-26"), 135_000_000, 121_500_000)):
            await post(ac, f"{a}/auctions", {"announced_on": first, "second_announced_on": second,
                                             "auction_on": auction_on, "deposit_vnd": price // 10,
                                             "place": "Chi cục THADS", "organiser": "Công ty đấu giá"}, officer)
            assert (await post(ac, f"{a}/close", {"closed_on": auction_on}, officer))["status"] == "failed"
            await post(ac, f"{a}/price-cuts", {"new_starting_price_vnd": new, "decided_on": cut_on}, officer)
        await post(ac, f"{a}/creditor-acceptance", {"creditor_party_id": bank, "claim_item_id": loan,
                                                    "accepted_on": "2025-05-27"}, officer)
        take = {"creditor_party_id": bank, "claim_item_id": loan, "owed_vnd": 100_000_000,
                "excess_paid_vnd": 21_500_000}
        early = await ac.post(f"{a}/creditor-takes", json=take | {"taken_on": "2025-06-26"}, headers=officer)
        assert early.status_code == 409 and early.json()["rule"] == "creditor_takes.after_the_debtors_30_days"
        short = await ac.post(f"{a}/creditor-takes", json=take | {"taken_on": "2025-06-27", "excess_paid_vnd": 1},
                              headers=officer)
        assert short.status_code == 409 and short.json()["rule"] == "creditor_takes.pays_the_excess"
        assert (await post(ac, f"{a}/creditor-takes", take | {"taken_on": "2025-06-27"}, officer))["status"] == \
            "taken_by_creditor"

        async def booked():
            history = (await ic.get(f"/cases/{cid}/events", headers=head)).json()["events"]
            kinds = [e["event"] for e in history]
            return history if "MoneyCollected" in kinds and "AssetTakenInKind" in kinds else None
        history = await wait_until(booked, what="intake booked the asset in kind and the excess")
    in_kind = [e["data"] for e in history if e["event"] == "AssetTakenInKind"]
    money = [e["data"] for e in history if e["event"] == "MoneyCollected"]
    assert [(x["claim_item_id"], x["value_vnd"]) for x in in_kind] == [(loan, 100_000_000)]
    assert [(x["claim_item_id"], x["amount_vnd"]) for x in money] == [(other_item, 21_500_000)]
