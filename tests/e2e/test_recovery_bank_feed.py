"""Issue 10, done when: a bank's case moves through the decision, the seizure of its collateral, the auction
notice, the auction sale and the payment to the bank; the bank's topic holds those steps in order, read AS THE BANK over the
banks' SASL/SCRAM listener with its own Kafka user; the HTTP feed (pull and SSE) returns the same sequence;
bank B's token sees none of it and its refusal is in the access log. A repayment the bank reports twice is
collected once by intake. Intake, auctions and recovery run as processes on the real broker and database."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from thads_contracts.registry import decode
from thads_contracts.topics import PARTITIONS, bank_feed
from thads_infra.kafka import BankCredentials, grant_bank
from thads_infra.testing import pg_connect, wait_until

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
BANK, OTHER = "VCB", "BIDV"
STEPS = ["decision", "verification", "seizure", "auction_notice", "auction_result", "auction_proceeds", "collection", "payment_to_bank"]


def at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN).isoformat()


async def post(c: httpx.AsyncClient, path: str, body: dict, headers: dict, expect: int = 200) -> dict:
    r = await c.post(path, json=body, headers=headers)
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


async def read_as_bank(creds: BankCredentials, key: bytes) -> list[Any]:
    """Every record of the bank's topic with `key`, read over the banks' listener with the bank's user."""
    consumer = AIOKafkaConsumer(**creds.aiokafka_kwargs(), enable_auto_commit=False, auto_offset_reset="earliest",
                                group_id=f"{creds.group_prefix}-e2e-{uuid.uuid4().hex[:6]}")
    await consumer.start()
    try:
        tps = [TopicPartition(creds.topic, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[Any] = []
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                out.extend(r for r in records if r.key == key)
        return out
    finally:
        await consumer.stop()


async def sse_entries(url: str, headers: dict, n: int, last_event_id: str | None = None) -> list[tuple[str, dict]]:
    """The first `n` events of the SSE stream (id, entry)."""
    out: list[tuple[str, dict]] = []
    hdrs = headers | ({"Last-Event-ID": last_event_id} if last_event_id else {})
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=30)) as c:
        async with c.stream("GET", url, headers=hdrs) as r:
            assert r.status_code == 200, await r.aread()
            event_id, data = None, None
            async for line in r.aiter_lines():
                if line.startswith("id:"):
                    event_id = line[3:].strip()
                elif line.startswith("data:"):
                    data = json.loads(line[5:].strip())
                elif line == "" and data is not None:
                    out.append((event_id, data))
                    event_id, data = None, None
                    if len(out) >= n:
                        return out
    return out


async def test_a_banks_case_reaches_the_bank_over_kafka_and_http_in_order_and_nobody_else(processes, token):
    creds = grant_bank(BANK)
    intake, auctions = processes("intake"), processes("auctions")
    recovery = processes("recovery", sse_poll_seconds=0.1)
    clerk, head, officer = token("clerk"), token("head"), token("officer", sub="cv-07")
    accountant = token("accountant", sub="kt-01")
    vcb_sub, bidv_sub = f"vcb-{uuid.uuid4().hex[:8]}", f"bidv-{uuid.uuid4().hex[:8]}"   # this run's callers
    bank, other = token("bank", bank=BANK, sub=vcb_sub), token("bank", bank=OTHER, sub=bidv_sub)
    bank_party, state, debtor = (str(uuid.uuid4()) for _ in range(3))
    debt, fee = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as ic, \
            httpx.AsyncClient(base_url=auctions.url, timeout=30) as ac, \
            httpx.AsyncClient(base_url=recovery.url, timeout=30) as rc:
        cid = (await post(ic, "/cases/requests", {
            "unit": "TH-01", "intake_ref": f"ĐƠN-{uuid.uuid4().hex[:8]}", "channel": "in_person",
            "judgment_number": "45/2024/KDTM-PT", "issuing_court": "TAND tỉnh Thanh Hóa",
            "occurred_at": at(date(2025, 3, 3))}, clerk, expect=201))["case_id"]
        for party in ({"party_id": bank_party, "role": "creditor", "kind": "credit_institution", "bank_code": BANK,
                       "full_name": "Ngân hàng TMCP Ngoại thương Việt Nam - CN Thanh Hóa"},
                      {"party_id": state, "role": "creditor", "kind": "state", "full_name": "Ngân sách nhà nước"},
                      {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình",
                       "address": "12 Lê Lợi, TP Thanh Hóa", "id_number": "038090001234"}):
            await post(ic, f"/cases/{cid}/parties", party | {"occurred_at": at(date(2025, 3, 3), 10)}, clerk)
        await post(ic, f"/cases/{cid}/claim-items", {"claim_item_id": debt, "kind": "credit_debt",
                   "amount_vnd": 500_000_000, "creditor_party_id": bank_party, "secured": True,
                   "occurred_at": at(date(2025, 3, 3), 11)}, clerk)
        await post(ic, f"/cases/{cid}/claim-items", {"claim_item_id": fee, "kind": "court_fee", "amount_vnd": 5_000_000,
                   "creditor_party_id": state, "occurred_at": at(date(2025, 3, 3), 11)}, clerk)
        fid = None

        async def file_opened():
            r = await rc.get(f"/banks/{BANK}/cases/{cid}", headers=bank)
            return r.json() if r.status_code == 200 and debt in r.json()["claims"] else None
        # recovery first catches up with what earlier tests published on intake's and auctions' topics
        opened = await wait_until(file_opened, timeout=240, what="the bad-debt file opened from the bank creditor")
        fid = opened["file_id"]
        assert opened["claims"][debt]["secured"] is True and fee not in opened["claims"]
        # the bank sends its collateral data (twice: the same data records nothing new)
        collateral = str(uuid.uuid4())
        col = {"case_id": cid, "collateral_id": collateral, "description": "Xe ô tô con 36A-123.45 (hợp đồng thế chấp 12/2023)",
               "kind": "vehicle", "value_vnd": 320_000_000, "claim_item_ids": [debt], "reported_on": "2025-03-04"}
        assert (await post(rc, f"/banks/{BANK}/collaterals", col, bank))["recorded"] is True
        assert (await post(rc, f"/banks/{BANK}/collaterals", col, bank))["recorded"] is False

        await post(ic, f"/cases/{cid}/decision", {"decision_no": "101/QĐ-CTHADS", "basis": "on_request",
                                                   "occurred_at": at(date(2025, 3, 5))}, head)
        await post(ic, f"/cases/{cid}/officer", {"officer_id": "cv-07", "occurred_at": at(date(2025, 3, 5), 10)}, head)
        await post(ic, f"/cases/{cid}/notification", {"occurred_at": at(date(2025, 3, 6))}, officer)
        await post(ic, f"/cases/{cid}/verification/start", {"occurred_at": at(date(2025, 3, 20))}, officer)
        await post(ic, f"/cases/{cid}/verification", {"outcome": "with_conditions",
                                                       "occurred_at": at(date(2025, 3, 25))}, officer)
        await post(ic, f"/cases/{cid}/seizures", {
            "decision_no": "15/QĐ-CC", "asset_description": "Xe ô tô con 36A-123.45", "asset_kind": "movable",
            "claim_item_ids": [debt], "occurred_at": at(date(2025, 4, 1))}, officer)
        asset_id = str(uuid.uuid5(uuid.UUID(cid), "seizure/15/QĐ-CC"))

        async def fed(kind: str):
            r = await rc.get(f"/banks/{BANK}/feed", params={"case_id": cid, "limit": 500}, headers=bank)
            kinds = [e["entry"]["payload"]["kind"] for e in r.json()["entries"]]
            return kinds if kind in kinds else None
        await wait_until(lambda: fed("seizure"), what="the seizure in the bank's feed")
        # the team links the bank's collateral to the seized asset (an unknown collateral is refused, nothing written)
        r = await rc.post(f"/files/{fid}/collaterals/{uuid.uuid4()}/seized-asset", json={"asset_id": asset_id},
                          headers=officer)
        assert r.status_code == 409 and r.json()["rule"] == "collateral.unknown"
        await post(rc, f"/files/{fid}/collaterals/{collateral}/seized-asset", {"asset_id": asset_id}, officer)

        async def asset_opened():
            r = await ac.get(f"/assets/{asset_id}", headers=head)
            return r.json() if r.status_code == 200 else None
        await wait_until(asset_opened, what="the asset opened from intake's SeizureOrdered")
        a = f"/assets/{asset_id}"
        await post(ac, f"{a}/valuation", {"method": "valuer", "price_vnd": 300_000_000, "valued_on": "2025-04-10",
                                          "valuer_contracted_on": "2025-04-04"}, officer)
        await post(ac, f"{a}/organisation-contract", {"organisation": "Công ty đấu giá hợp danh Thanh Hóa",
                                                      "contracted_on": "2025-04-11",
                                                      "parties_agreed_on": "2025-04-11"}, officer)
        await post(ac, f"{a}/auctions", {"announced_on": "2025-04-11", "second_announced_on": "2025-04-15",
                                         "auction_on": "2025-04-25", "deposit_vnd": 30_000_000,
                                         "place": "Chi cục THADS TP Thanh Hóa",
                                         "organiser": "Công ty đấu giá hợp danh Thanh Hóa"}, officer)
        await post(ac, f"{a}/bidders", {"bidder_id": "DG-01", "deposit_paid_vnd": 30_000_000}, officer)
        await post(ac, f"{a}/bids", {"bidder_id": "DG-01", "amount_vnd": 310_000_000}, officer)
        assert (await post(ac, f"{a}/close", {"closed_on": "2025-04-25"}, officer))["status"] == "awaiting_payment"
        await post(ac, f"{a}/payment", {"amount_vnd": 310_000_000, "paid_on": "2025-05-05",
                                        "enforcement_costs_vnd": 10_000_000}, officer)

        async def held():
            r = await ic.get(f"/cases/{cid}", headers=head)
            return r.json() if r.json()["held_vnd"] > 0 else None
        assert (await wait_until(held, what="intake collected the proceeds"))["held_vnd"] == 300_000_000
        await post(ic, f"/cases/{cid}/disbursements", {"claim_item_id": debt, "amount_vnd": 295_000_000},
                   accountant)    # now (booked after the collection); the court fee ranks first (Art. 47(1)): 5 M stays
        await wait_until(lambda: fed("payment_to_bank"), what="the payment to the bank in its feed")

        # --- read AS THE BANK over the SCRAM listener: the steps in order, numbered without a gap
        async def on_topic():
            envs = [decode(bank_feed(BANK), r.value) for r in await read_as_bank(creds, cid.encode())]
            return envs if "payment_to_bank" in [e.payload.kind for e in envs] else None
        envs = await wait_until(on_topic, what="the bank's topic holds the payment to the bank")
        unique = list({e.event_id: e for e in envs}.values())          # a relay re-send keeps its event id
        kinds = [e.payload.kind for e in unique]
        # one case's events on ONE topic keep their order; the proceeds (auctions' topic) and the collection
        # intake books from them (intake's topic) reach recovery on two topics, so those two may swap
        assert kinds in (STEPS, STEPS[:5] + ["collection", "auction_proceeds"] + STEPS[7:]), kinds
        assert [e.payload.sequence for e in unique] == list(range(1, len(STEPS) + 1))
        by_kind = {e.payload.kind: e.payload for e in unique}
        assert by_kind["seizure"].legal_basis.startswith("Điều 71, 90 Luật THADS")
        notice = by_kind["auction_notice"]
        assert notice.legal_basis.startswith("Điều 101 Luật THADS") and "Điều 198b" in notice.legal_basis
        assert (notice.data["auction_on"], notice.data["starting_price_vnd"], notice.data["collateral_of_this_bank"]) == (
            "2025-04-25", 300_000_000, True)
        assert by_kind["auction_proceeds"].data["collateral_of_this_bank"] is True
        assert by_kind["auction_proceeds"].data["collateral_share_vnd"] == 300_000_000
        assert by_kind["auction_proceeds"].data["bank_share_vnd"] == 300_000_000
        assert "Điều 47 khoản 3" in by_kind["auction_proceeds"].legal_basis
        assert by_kind["payment_to_bank"].data["payee_party_id"] == bank_party
        wire = b"".join(r.value for r in await read_as_bank(creds, cid.encode()))
        for secret in (b"L\xc3\xaa V\xc4\x83n B\xc3\xacnh", b"038090001234", debtor.encode(), state.encode(), fee.encode()):
            assert secret not in wire, f"{secret!r}: another party's data on the bank's feed"

        # --- the HTTP feed: the same sequence, by pull (two pages, resumed from the cursor) and by SSE
        first = (await rc.get(f"/banks/{BANK}/feed", params={"case_id": cid, "limit": 3}, headers=bank)).json()
        rest = (await rc.get(f"/banks/{BANK}/feed", params={"case_id": cid, "after": first["next_cursor"]},
                             headers=bank)).json()
        assert first["has_more"] is True and rest["has_more"] is False
        pulled = [e["entry"] for e in first["entries"] + rest["entries"]]
        assert [p["event_id"] for p in pulled] == [str(e.event_id) for e in unique]
        assert pulled == [json.loads(e.model_dump_json()) for e in unique], "the very same JSON as on Kafka"
        # the SSE stream of the whole bank feed: this case's entries among others, in the same order, resumable
        stream_url = f"{recovery.url}/banks/{BANK}/feed/stream"
        everything = (await rc.get(f"/banks/{BANK}/feed", params={"limit": 500}, headers=bank)).json()["entries"]
        streamed = await sse_entries(stream_url, bank, len(everything))
        assert [int(i) for i, _ in streamed] == [e["position"] for e in everything]
        mine = [entry["event_id"] for _, entry in streamed if entry["case_id"] == cid]
        assert mine == [str(e.event_id) for e in unique]
        resumed = await sse_entries(stream_url, bank, 1, last_event_id=streamed[-2][0])
        assert resumed[0][0] == streamed[-1][0], "Last-Event-ID resumes after the given position"

        # --- bank B: refused on A's feed, stream and case (logged), and its own feed holds none of this case
        for path in (f"/banks/{BANK}/feed", f"/banks/{BANK}/feed/stream", f"/banks/{BANK}/cases/{cid}"):
            r = await rc.get(path, headers=other)
            assert r.status_code == 403 and r.json()["rule"] == "bank.other_bank", (path, r.text)
        r = await rc.post(f"/banks/{BANK}/repayments", headers=other, json={
            "case_id": cid, "repayment_id": str(uuid.uuid4()), "claim_item_id": debt, "amount_vnd": 1,
            "received_on": "2025-05-20"})
        assert r.status_code == 403
        own = (await rc.get(f"/banks/{OTHER}/feed", params={"case_id": cid}, headers=other)).json()
        assert own["entries"] == []
        assert (await rc.get(f"/banks/{OTHER}/cases/{cid}", headers=other)).status_code == 404

        # --- a repayment received by the bank, reported twice (a resend with its key, and again without): once
        repayment = {"case_id": cid, "repayment_id": str(uuid.uuid4()), "claim_item_id": debt,
                     "amount_vnd": 50_000_000, "received_on": "2025-05-20", "bank_reference": "VCB-TH-0520-0007"}
        key = {"Idempotency-Key": f"vcb-{uuid.uuid4().hex}"}
        first_answer = await post(rc, f"/banks/{BANK}/repayments", repayment, bank | key)
        assert await post(rc, f"/banks/{BANK}/repayments", repayment, bank | key) == first_answer
        assert (await post(rc, f"/banks/{BANK}/repayments", repayment, bank))["recorded"] is False
        bad = await rc.post(f"/banks/{BANK}/repayments", headers=bank, json=repayment | {
            "repayment_id": str(uuid.uuid4()), "claim_item_id": fee})
        assert bad.status_code == 409 and bad.json()["rule"] == "repayment.other_claim"
        neg = await rc.post(f"/banks/{BANK}/repayments", headers=bank, json=repayment | {
            "repayment_id": str(uuid.uuid4()), "amount_vnd": -5})
        assert neg.status_code == 422

        async def paid_to_bank():
            history = (await ic.get(f"/cases/{cid}/events", headers=head)).json()["events"]
            got = [e for e in history if e["event"] == "MoneyCollected" and e["data"].get("channel") == "paid_to_bank"]
            return got or None
        await wait_until(paid_to_bank, what="intake booked the bank's repayment")

        async def repayment_fed():
            r = await rc.get(f"/banks/{BANK}/feed", params={"case_id": cid, "limit": 500}, headers=bank)
            return [e for e in r.json()["entries"] if e["entry"]["payload"]["data"].get("channel") == "paid_to_bank"]
        assert len(await wait_until(repayment_fed, what="the repayment's collection in the bank's feed")) == 1
        history = (await ic.get(f"/cases/{cid}/events", headers=head)).json()["events"]
        repaid = [e for e in history if e["event"] == "MoneyCollected" and e["data"].get("channel") == "paid_to_bank"]
        assert len(repaid) == 1 and repaid[0]["data"]["amount_vnd"] == 50_000_000, repaid

    # --- the access log: the bank's reads, and bank B's refusals
    conn = await pg_connect()
    try:
        rows = await conn.fetch("SELECT actor_role, actor_id, action, resource, resource_id, status"
                                " FROM recovery.access_log WHERE actor_id = ANY($1::text[]) ORDER BY sequence",
                                [vcb_sub, bidv_sub])
    finally:
        await conn.close()
    refused = [r for r in rows if r["actor_id"] == bidv_sub and r["action"] == "refused"]
    assert len(refused) == 4 and all(r["status"] == 403 for r in refused)
    assert {r["resource_id"] for r in refused} >= {f"{BANK}:stream", cid}
    reads = [r for r in rows if r["actor_id"] == vcb_sub and r["action"] == "read"]
    assert {r["resource"] for r in reads} == {"bank_feed", "case"}
