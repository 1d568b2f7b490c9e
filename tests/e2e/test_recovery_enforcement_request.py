"""Issue 10 §3, a bank's request for enforcement as a creditor: the bank files it in recovery (its token, its
own code) → recovery.EnforcementRequested.v1 → intake registers the request (a case on the online channel,
the bank as creditor, its claim items) exactly once → recovery opens the bank's file and the bank's feed
tells it (`request_registered`), then the case's decision. A resend (same Idempotency-Key, or the same
request id) changes nothing; the event delivered again changes nothing in intake; bad input (another bank's
token, an unknown bank, missing or contradictory judgment fields, a reused request id) is refused with its
rule and writes nothing. The debtor's personal data is in recovery's table, never on a topic.
Intake and recovery run as processes on the real broker and database."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from uuid import NAMESPACE_URL, uuid5

import httpx
import pytest
from aiokafka.partitioner import DefaultPartitioner

from thads_contracts.registry import decode
from thads_contracts.topics import PARTITIONS, RECOVERY_DEBT, bank_feed
from thads_infra.testing import pg_connect, publish, read_topic, wait_until

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
BANK = "VCB"
DEBTOR_NAME, DEBTOR_ID = "Nguyễn Văn Khải", "038091234567"


def case_of(request_id: uuid.UUID, unit: str = "TH-01") -> str:
    return str(uuid5(NAMESPACE_URL, f"/thads/units/{unit}/requests/TCTD-{BANK}-{request_id.hex}"))


def partition_of(case_id: str) -> int:
    return DefaultPartitioner()(case_id.encode(), list(range(PARTITIONS)), list(range(PARTITIONS)))


def body(request_id: uuid.UUID, debt: str, **over) -> dict:
    return {"request_id": str(request_id), "unit": "TH-01", "judgment_number": "88/2025/KDTM-ST",
            "issuing_court": "Tòa án nhân dân tỉnh Thanh Hóa", "judgment_effective_on": "2025-09-15",
            "claims": [{"claim_item_id": debt, "amount_vnd": 750_000_000, "secured": True}],
            "debtor": {"kind": "individual", "full_name": DEBTOR_NAME, "id_number": DEBTOR_ID,
                       "address": "5 Trần Phú, TP Thanh Hóa"},
            "contact": {"full_name": "Phạm Thu Hà", "phone": "0912345678"}} | over


async def counts(request_ids: list[str]) -> tuple[int, int]:
    conn = await pg_connect()
    try:
        reqs = await conn.fetchval("SELECT count(*) FROM recovery.enforcement_requests WHERE request_id = ANY($1::uuid[])",
                                   request_ids)
        pd = await conn.fetchval("SELECT count(*) FROM recovery.request_personal_data p JOIN recovery.enforcement_requests r"
                                 " USING (request_key) WHERE r.request_id = ANY($1::uuid[])", request_ids)
        return reqs, pd
    finally:
        await conn.close()


async def test_a_banks_request_becomes_one_intake_case_that_the_bank_then_follows_in_its_feed(processes, token):
    intake, recovery = processes("intake"), processes("recovery")
    sub = f"vcb-{uuid.uuid4().hex[:8]}"
    bank, other = token("bank", bank=BANK, sub=sub), token("bank", bank="BIDV", sub=f"bidv-{uuid.uuid4().hex[:8]}")
    clerk, head, far_clerk = token("clerk", sub="tk-01"), token("head", sub="tt-01"), token("clerk", "TH-02")
    rid, debt = uuid.uuid4(), str(uuid.uuid4())
    cid = case_of(rid)
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as ic, \
            httpx.AsyncClient(base_url=recovery.url, timeout=30) as rc:
        # --- bad input: refused with the rule's name, nothing written
        bad_ids = [uuid.uuid4() for _ in range(4)]
        r = await rc.post(f"/banks/{BANK}/enforcement-requests", json=body(bad_ids[0], debt), headers=other)
        assert r.status_code == 403 and r.json()["rule"] == "bank.other_bank", r.text
        r = await rc.post("/banks/NOBANK/enforcement-requests", json=body(bad_ids[1], debt),
                          headers=token("bank", bank="NOBANK"))
        assert r.status_code == 404 and r.json()["rule"] == "bank.unknown", r.text
        missing = body(bad_ids[2], debt)
        del missing["judgment_number"], missing["judgment_effective_on"]
        r = await rc.post(f"/banks/{BANK}/enforcement-requests", json=missing, headers=bank)
        assert r.status_code == 422 and r.json()["rule"] == "request.schema", r.text
        assert "judgment_number" in r.json()["message"] and "judgment_effective_on" in r.json()["message"]
        r = await rc.post(f"/banks/{BANK}/enforcement-requests", headers=bank,
                          json=body(bad_ids[3], debt, judgment_effective_on="2025-10-01", filed_on="2025-09-30"))
        assert r.status_code == 409 and r.json()["rule"] == "enforcement_request.invalid", r.text
        assert await counts([str(i) for i in bad_ids]) == (0, 0)

        # --- the bank files; a resend with its key gets the very same answer, without it: recorded false
        key = {"Idempotency-Key": f"vcb-req-{uuid.uuid4().hex}"}
        r = await rc.post(f"/banks/{BANK}/enforcement-requests", json=body(rid, debt), headers=bank | key)
        assert r.status_code == 200, r.text
        filed = r.json()
        assert filed["case_id"] == cid and filed["recorded"] is True and filed["intake_ref"] == f"TCTD-{BANK}-{rid.hex}"
        again = await rc.post(f"/banks/{BANK}/enforcement-requests", json=body(rid, debt), headers=bank | key)
        assert again.json() == filed and again.headers.get("Idempotent-Replayed") == "true"
        plain = await rc.post(f"/banks/{BANK}/enforcement-requests", json=body(rid, debt), headers=bank)
        assert plain.status_code == 200 and plain.json()["recorded"] is False and plain.json()["case_id"] == cid
        reused = await rc.post(f"/banks/{BANK}/enforcement-requests", headers=bank,
                               json=body(rid, debt, judgment_number="99/2025/KDTM-ST"))
        assert reused.status_code == 409 and reused.json()["rule"] == "enforcement_request.id_reused"
        assert await counts([str(rid)]) == (1, 1)

        # --- intake registered it: the case, the bank as creditor with its bank code, the secured claim item
        async def registered():
            r = await ic.get(f"/cases/{cid}", headers=clerk)
            return r.json() if r.status_code == 200 and r.json().get("claim_items") else None
        case = await wait_until(registered, timeout=240, what="intake registered the bank's request")
        assert case["intake_ref"] == f"TCTD-{BANK}-{rid.hex}" and case["origin"] == "request", case
        history = (await ic.get(f"/cases/{cid}/events", headers=clerk)).json()["events"]
        assert [e["event"] for e in history] == ["RequestReceived", "PartyAdded", "ClaimItemAdded"], history
        assert history[0]["data"]["channel"] == "online"
        assert history[1]["data"]["bank_code"] == BANK and history[2]["data"]["secured"] is True

        # --- the bank's feed says so, then the decision follows
        async def fed(kind: str):
            r = await rc.get(f"/banks/{BANK}/feed", params={"case_id": cid}, headers=bank)
            entries = [e["entry"]["payload"] for e in r.json()["entries"]]
            return entries if kind in [e["kind"] for e in entries] else None
        # recovery first catches up with what earlier tests published on intake's and auctions' topics
        [entry] = await wait_until(lambda: fed("request_registered"), timeout=240,
                                   what="the bank's feed shows its registered request")
        assert entry["data"]["request_id"] == str(rid) and entry["data"]["intake_ref"] == filed["intake_ref"]
        assert entry["legal_basis"].startswith("Điều 31, 35 Luật THADS") and entry["sequence"] == 1
        await ic.post(f"/cases/{cid}/decision", json={"decision_no": f"{uuid.uuid4().hex[:4]}/QĐ-CTHADS",
                                                      "basis": "on_request"}, headers=head)
        entries = await wait_until(lambda: fed("decision"), what="the decision in the bank's feed")
        assert [e["kind"] for e in entries] == ["request_registered", "decision"]

        # --- the event delivered again (a relay re-publishing after a crash): still one case, unchanged
        [original] = [rec for rec in await read_topic(RECOVERY_DEBT, key=cid.encode())
                      if decode(RECOVERY_DEBT, rec.value).event_type == "recovery.EnforcementRequested.v1"]
        version = len(history) + 1      # + the decision
        await publish(RECOVERY_DEBT, [(original.key, original.value)])
        # a later request whose case lands on the same partition: once intake registered it, the copy before
        # it on that partition was handled too
        while True:
            sentinel = uuid.uuid4()
            if partition_of(case_of(sentinel)) == original.partition:
                break
        r = await rc.post(f"/banks/{BANK}/enforcement-requests", json=body(sentinel, str(uuid.uuid4())), headers=bank)
        assert r.status_code == 200, r.text

        async def sentinel_in():
            return (await ic.get(f"/cases/{case_of(sentinel)}", headers=clerk)).status_code == 200
        await wait_until(sentinel_in, what="intake registered the later request")
        history = (await ic.get(f"/cases/{cid}/events", headers=clerk)).json()["events"]
        assert len(history) == version and [e["event"] for e in history].count("RequestReceived") == 1

        # --- the debtor's personal data: for the office the request went to, and the bank itself; not elsewhere
        seen = (await rc.get(f"/enforcement-requests/{BANK}/{rid}", headers=clerk)).json()
        assert seen["debtor"]["full_name"] == DEBTOR_NAME and seen["case_id"] == cid
        r = await rc.get(f"/enforcement-requests/{BANK}/{rid}", headers=far_clerk)
        assert r.status_code == 403
        assert (await rc.get(f"/banks/{BANK}/enforcement-requests/{rid}", headers=bank)).json()["debtor"]["id_number"] == DEBTOR_ID
        r = await rc.get(f"/banks/{BANK}/enforcement-requests/{rid}", headers=other)
        assert r.status_code == 403 and r.json()["rule"] == "bank.other_bank"

    # never on a topic: not on recovery's, not on the bank's feed, not on intake's
    wire = b""
    for t in (RECOVERY_DEBT, bank_feed(BANK), "thads.intake.case"):
        wire += b"".join(rec.value for rec in await read_topic(t, key=cid.encode()))
    assert b"recovery.EnforcementRequested.v1" in wire and b"request_registered" in wire
    for secret in (DEBTOR_NAME.encode(), DEBTOR_ID.encode(), "Phạm Thu Hà".encode(), b"0912345678"):
        assert secret not in wire, secret
