"""The auctions service as a process on the real broker and database: an officer records a seized
asset, values it, announces rounds, bidders register and bid, a round fails, the price is cut, the
asset sells and is paid; what is published on thads.auctions.asset names the claim items, and the
bid-log digest of the close can be recomputed by anyone. Refusals name their rule and write nothing.
The auction organisation the parties chose runs the rounds with its own token, on its own asset only."""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import httpx
import pytest

from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET
from thads_infra.testing import read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration


def auth(role: str, sub: str = "cv-07", unit: str = "TH-01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub)}"}


ORG, ORG_2 = "DGTS-TH-01", "DGTS-HN-09"        # auction organisations: token sub = unit = their own code
AS_ORG = {"role": "organisation", "unit": ORG, "sub": ORG}


@pytest.fixture
def auctions(tmp_path):
    svc = service_process("auctions", tmp_path).start()
    yield svc
    svc.stop()


async def post(c: httpx.AsyncClient, path: str, body: dict, expect: int = 200, role: str = "officer",
               unit: str = "TH-01", sub: str = "cv-07") -> dict:
    r = await c.post(path, json=body, headers=auth(role, unit=unit, sub=sub))
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


async def test_seized_asset_fails_once_is_cut_sells_and_publishes_proceeds_on_its_claim_item(auctions):
    case_id, item, bank = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as c:
        seized = await post(c, "/assets", {"case_id": case_id, "kind": "movable", "description": "Xe ô tô 36A-123.45",
                                           "claim_item_ids": [item], "decision_number": "15/QĐ-CC",
                                           "seized_on": "2026-03-02", "secured_creditor_party_id": bank})
        aid = seized["asset_id"]
        assert seized["status"] == "seized"
        await post(c, f"/assets/{aid}/valuation", {"method": "valuer", "price_vnd": 200_000_000,
                                                   "valued_on": "2026-03-10", "valuer_contracted_on": "2026-03-05"})
        round_1 = {"announced_on": "2026-03-11", "second_announced_on": "2026-03-13", "auction_on": "2026-03-25",
                   "deposit_vnd": 20_000_000, "place": "Trụ sở Chi cục THADS",
                   "organiser": "Công ty đấu giá hợp danh Thanh Hóa"}
        # a movable of 200 M đồng goes to an auction organisation: no announcement before the contract
        no_contract = await c.post(f"/assets/{aid}/auctions", json=round_1, headers=auth("officer"))
        assert no_contract.status_code == 409 and no_contract.json()["rule"] == "announce.organisation_contract_required"
        assert no_contract.json()["legal_basis"] and no_contract.json()["message"]
        await post(c, f"/assets/{aid}/organisation-contract", {
            "organisation": "Công ty đấu giá hợp danh Thanh Hóa", "organisation_id": ORG,
            "contracted_on": "2026-03-11", "parties_agreed_on": "2026-03-11"})
        # another organisation may neither act on nor read this asset
        other = await c.post(f"/assets/{aid}/auctions", json=round_1, headers=auth("organisation", ORG_2, ORG_2))
        assert other.status_code == 403 and other.json()["rule"] == "asset.other_organisation"
        other_read = await c.get(f"/assets/{aid}", headers=auth("organisation", ORG_2, ORG_2))
        assert other_read.status_code == 403 and other_read.json()["rule"] == "read_scope.organisation_own_auctions"
        # round 1, run by the contracted organisation: nobody bids → failed
        await post(c, f"/assets/{aid}/auctions", round_1, **AS_ORG)
        notices = (await c.get("/public/auction-notices", params={"unit": "TH-01"})).json()["items"]
        assert any(n["asset_id"] == aid and n["deposit_vnd"] == 20_000_000 for n in notices), "public, no token"
        closed = await post(c, f"/assets/{aid}/close", {"closed_on": "2026-03-25"}, **AS_ORG)
        assert closed["status"] == "failed"

        # refusals: rule named, nothing written
        before = (await c.get(f"/assets/{aid}", headers=auth("head"))).json()
        too_deep = await c.post(f"/assets/{aid}/price-cuts", json={"new_starting_price_vnd": 179_999_999,
                                "decided_on": "2026-04-01"}, headers=auth("officer"))
        early = await c.post(f"/assets/{aid}/creditor-takes", json={"creditor_party_id": bank, "claim_item_id": item,
                             "taken_on": "2026-04-01"}, headers=auth("officer"))
        other_office = await c.post(f"/assets/{aid}/price-cuts", json={"new_starting_price_vnd": 180_000_000,
                                    "decided_on": "2026-04-01"}, headers=auth("officer", unit="TH-02"))
        read_other_office = await c.get(f"/assets/{aid}", headers=auth("head", unit="TH-02"))
        assert too_deep.status_code == 409 and too_deep.json()["rule"] == "price_cut.at_most_10_percent"
        assert early.status_code == 409 and early.json()["rule"] == "creditor_takes.from_second_cut"
        assert other_office.status_code == 403 and other_office.json()["rule"] == "asset.other_office"
        assert read_other_office.status_code == 403 and read_other_office.json()["rule"] == "read_scope.own_office"
        assert (await c.get(f"/assets/{aid}", headers=auth("head"))).json() == before

        # cut 10 %, round 2 sells
        await post(c, f"/assets/{aid}/price-cuts", {"new_starting_price_vnd": 180_000_000, "decided_on": "2026-04-01"})
        org_cuts = await c.post(f"/assets/{aid}/price-cuts", json={"new_starting_price_vnd": 170_000_000,
                                "decided_on": "2026-04-01"}, headers=auth("organisation", ORG, ORG))
        assert org_cuts.status_code == 403 and org_cuts.json()["rule"] == "auth.role", "the officer decides cuts"
        await post(c, f"/assets/{aid}/auctions", {"announced_on": "2026-04-02", "second_announced_on": "2026-04-06",
                                                  "auction_on": "2026-04-20",
                                                  "deposit_vnd": 18_000_000, "place": "Trụ sở Chi cục THADS",
                                                  "organiser": "Công ty đấu giá hợp danh Thanh Hóa"}, **AS_ORG)
        for bidder in ("DG-01", "DG-02"):
            await post(c, f"/assets/{aid}/bidders", {"bidder_id": bidder, "deposit_paid_vnd": 18_000_000}, **AS_ORG)
        unregistered = await c.post(f"/assets/{aid}/bids", json={"bidder_id": "DG-99", "amount_vnd": 190_000_000},
                                    headers=auth("organisation", ORG, ORG))
        assert unregistered.status_code == 409 and unregistered.json()["rule"] == "bid.registered_bidder"
        for bidder, amount in (("DG-01", 180_000_000), ("DG-02", 185_000_000), ("DG-01", 191_000_000)):
            await post(c, f"/assets/{aid}/bids", {"bidder_id": bidder, "amount_vnd": amount}, **AS_ORG)
        low = await c.post(f"/assets/{aid}/bids", json={"bidder_id": "DG-02", "amount_vnd": 191_000_000},
                           headers=auth("organisation", ORG, ORG))
        assert low.status_code == 409 and low.json()["rule"] == "bid.ascending"
        log = (await c.get(f"/assets/{aid}/bids", headers=auth("procuracy"))).json()
        assert [b["amount_vnd"] for b in log["bids"]] == [180_000_000, 185_000_000, 191_000_000]
        assert (await c.get(f"/assets/{aid}/bids", headers=auth("organisation", ORG, ORG))).json() == log
        mine = (await c.get("/assets", headers=auth("organisation", ORG, ORG), params={"limit": 500})).json()["items"]
        assert aid in {x["asset_id"] for x in mine} and {x["contracted_organisation_id"] for x in mine} == {ORG}
        theirs = (await c.get("/assets", headers=auth("organisation", ORG_2, ORG_2))).json()["items"]
        assert aid not in {x["asset_id"] for x in theirs} and {x["contracted_organisation_id"] for x in theirs} <= {ORG_2}
        sold = await post(c, f"/assets/{aid}/close", {"closed_on": "2026-04-20"}, **AS_ORG)
        assert sold["status"] == "awaiting_payment"
        # the bank's collateral: the secured claim item must be named for the split (Art. 47(3))
        unnamed = await c.post(f"/assets/{aid}/payment", json={"amount_vnd": 191_000_000, "paid_on": "2026-05-05"},
                               headers=auth("officer"))
        assert unnamed.status_code == 409 and unnamed.json()["rule"] == "proceeds.split"
        assert unnamed.json()["legal_basis"] and unnamed.json()["message"]
        paid = await post(c, f"/assets/{aid}/payment", {"amount_vnd": 191_000_000, "paid_on": "2026-05-05",
                                                        "enforcement_costs_vnd": 6_000_000,
                                                        "secured_claim_item_id": item})
        assert paid["status"] == "sold"
        # the loser's deposit is owed back within 3 WD: on the overdue list until it is refunded
        late = (await c.get("/overdue", params={"as_of": "2026-06-01"}, headers=auth("head"))).json()["items"]
        assert [x["deposits_owed_back"] for x in late if x["asset_id"] == aid] == [{"DG-02": 18_000_000}]
        await post(c, f"/assets/{aid}/deposit-refunds", {"refunded_on": "2026-04-22"})
        late = (await c.get("/overdue", params={"as_of": "2026-06-01"}, headers=auth("head"))).json()["items"]
        assert aid not in {x["asset_id"] for x in late}

        async def published():
            envs = [decode(AUCTIONS_ASSET, r.value) for r in await read_topic(AUCTIONS_ASSET, key=case_id.encode())]
            return envs if len(envs) >= 5 else None
        envs = await wait_until(published, what="notices, outcomes and proceeds on thads.auctions.asset")
        kinds = [(e.event_type, getattr(e.payload, "outcome", None)) for e in envs]
        assert [k for k, _ in kinds] == ["auctions.AuctionAnnounced.v1", "auctions.AuctionOutcomeRecorded.v2",
                                         "auctions.AuctionAnnounced.v1", "auctions.AuctionOutcomeRecorded.v2",
                                         "auctions.ProceedsTransferred.v2"]
        notices = envs[0::2][:2]
        assert [n.payload.round_number for n in notices] == [1, 2]
        assert all(n.payload.claim_item_ids == (uuid.UUID(item),) for n in notices)
        failed, won, proceeds = envs[1], envs[3], envs[4]
        assert failed.payload.outcome == "failed" and won.payload.outcome == "sold"
        assert (won.actor.role, won.actor.id, won.unit) == ("organisation", ORG, "TH-01"), "who closed the round"
        assert won.payload.price_vnd == 191_000_000 and won.payload.claim_item_ids == (uuid.UUID(item),)
        assert proceeds.payload.claim_item_ids == (uuid.UUID(item),) and proceeds.payload.amount_vnd == 191_000_000
        assert (proceeds.payload.enforcement_costs_vnd, proceeds.payload.secured_creditor_party_id) == (
            6_000_000, uuid.UUID(bank))
        assert [(s.claim_item_id, s.amount_vnd, s.basis) for s in proceeds.payload.shares] == [
            (uuid.UUID(item), 185_000_000, "collateral")]
        # anyone holding the bid list recomputes the published digest; a changed list does not match
        body = {"asset_id": aid, "round_number": 2, "bids": log["bids"], "expected_sha256": won.payload.bid_log_sha256}
        ok = (await c.post("/auctions/bid-log/digest", json=body)).json()
        assert ok["matches"] is True and ok["bid_log_sha256"] == won.payload.bid_log_sha256
        tampered = [dict(b) for b in log["bids"]]
        tampered[0]["amount_vnd"] += 1_000
        bad = (await c.post("/auctions/bid-log/digest", json=body | {"bids": tampered})).json()
        assert bad["matches"] is False


async def test_an_idempotency_key_makes_a_bid_count_once(auctions):
    case_id, item = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as c:
        aid = (await post(c, "/assets", {"case_id": case_id, "kind": "movable", "description": "Máy xúc",
                                         "claim_item_ids": [item], "decision_number": "16/QĐ-CC",
                                         "seized_on": "2026-03-02"}))["asset_id"]
        await post(c, f"/assets/{aid}/valuation", {"method": "agreed", "price_vnd": 50_000_000, "valued_on": "2026-03-03"})
        await post(c, f"/assets/{aid}/auctions", {"announced_on": "2026-03-04", "second_announced_on": "2026-03-06",
                                                  "auction_on": "2026-03-20",
                                                  "deposit_vnd": 5_000_000, "place": "p", "organiser": "o",
                                                  "no_organisation_available": True})
        await post(c, f"/assets/{aid}/bidders", {"bidder_id": "DG-01", "deposit_paid_vnd": 5_000_000})
        headers = auth("officer") | {"Idempotency-Key": str(uuid.uuid4())}
        first = await c.post(f"/assets/{aid}/bids", json={"bidder_id": "DG-01", "amount_vnd": 50_000_000}, headers=headers)
        again = await c.post(f"/assets/{aid}/bids", json={"bidder_id": "DG-01", "amount_vnd": 50_000_000}, headers=headers)
        assert first.status_code == again.status_code == 200 and first.json() == again.json()
        log = (await c.get(f"/assets/{aid}/bids", headers=auth("officer"))).json()
        assert len(log["bids"]) == 1


async def test_a_long_round_is_snapshotted_in_the_database_and_loads_whole(auctions):
    """Asset snapshots (snapshots.py) on PostgreSQL: every 100th version lands in auctions_snapshots,
    and the asset read back after it still has every bid of its round."""
    from thads_infra.testing import pg_connect
    case_id, item = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as c:
        aid = (await post(c, "/assets", {"case_id": case_id, "kind": "movable", "description": "Máy ủi",
                                         "claim_item_ids": [item], "decision_number": "17/QĐ-CC",
                                         "seized_on": "2026-03-02"}))["asset_id"]
        await post(c, f"/assets/{aid}/valuation", {"method": "agreed", "price_vnd": 50_000_000, "valued_on": "2026-03-03"})
        await post(c, f"/assets/{aid}/auctions", {"announced_on": "2026-03-04", "second_announced_on": "2026-03-06",
                                                  "auction_on": "2026-03-20",
                                                  "deposit_vnd": 5_000_000, "place": "p", "organiser": "o",
                                                  "no_organisation_available": True})
        for bidder in ("DG-01", "DG-02"):
            await post(c, f"/assets/{aid}/bidders", {"bidder_id": bidder, "deposit_paid_vnd": 5_000_000})
        for n in range(110):
            await post(c, f"/assets/{aid}/bids", {"bidder_id": ("DG-01", "DG-02")[n % 2],
                                                  "amount_vnd": 50_000_000 + n * 100_000})
        state = (await c.get(f"/assets/{aid}", headers=auth("head"))).json()
        log = (await c.get(f"/assets/{aid}/bids", headers=auth("head"))).json()
    conn = await pg_connect()
    try:
        versions = [r["originator_version"] for r in await conn.fetch(
            "SELECT originator_version FROM auctions.auctions_snapshots WHERE originator_id = $1", uuid.UUID(aid))]
    finally:
        await conn.close()
    assert versions == [100]
    assert state["version"] == 115 and state["highest_bid_vnd"] == 50_000_000 + 109 * 100_000
    assert [b["seq"] for b in log["bids"]] == list(range(1, 111))
