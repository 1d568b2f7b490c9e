"""Recovery's API on the real broker and database, the recovery process alone (intake's events are
published to thads.intake.case as intake would): a file opens once from a redelivered bank party;
bad input is refused with the rule's name and changes nothing; a bank reaches only its own routes
(refusals logged); staff only their office; the overdue information requests are listed."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.registry import encode
from thads_contracts.topics import INTAKE_CASE
from thads_infra.testing import pg_connect, publish, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
AT = datetime(2025, 3, 3, 9, tzinfo=VN)


def auth(role: str, unit: str = "TH-01", **kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, **kw)}"}


def env(model, payload, case_id, version, base):
    return model.create(payload=payload, source="intake", aggregate_id=case_id, aggregate_version=version,
                        case_id=case_id, unit="TH-01", actor=Actor(id="clerk-1", role="clerk"), occurred_at=AT,
                        recorded_at=AT, source_position=base + version)


@pytest.fixture
def recovery(tmp_path):
    svc = service_process("recovery", tmp_path).start()
    yield svc
    svc.stop()


async def test_bank_file_rules_scoping_and_refusals(recovery):
    case, party, debt, other_item = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # positions above every message published before (messages without a store header share one tracking
    # position per partition, and other tests publish with the clock in µs): taken now, not at import
    first = time.time_ns() // 1000
    added = env(i.PartyAdded, {"party_id": party, "role": "creditor", "kind": "organisation", "bank_code": "VCB"}, case, 2, first)
    events = [added, added,                       # redelivered: one file
              env(i.PartyAdded, {"party_id": uuid.uuid4(), "role": "creditor", "kind": "organisation",
                                 "bank_code": "NOBANK"}, case, 3, first),     # not a registered institution: no file
              env(i.ClaimItemAdded, {"claim_item_id": debt, "kind": "credit_debt", "amount_vnd": 100_000_000,
                                     "creditor_party_id": party, "secured": True, "ex_officio": False}, case, 4, first),
              env(i.ClaimItemAdded, {"claim_item_id": other_item, "kind": "court_fee", "amount_vnd": 1_000_000,
                                     "creditor_party_id": None, "ex_officio": True}, case, 5, first)]
    await publish(INTAKE_CASE, [(str(case).encode(), encode(e)) for e in events])
    run = uuid.uuid4().hex[:8]          # the access log keeps earlier runs' rows: this run's callers only
    vcb, bidv = auth("bank", bank="VCB", sub=f"vcb-{run}"), auth("bank", bank="BIDV", sub=f"bidv-{run}")
    async with httpx.AsyncClient(base_url=recovery.url, timeout=30) as c:
        async def opened():
            r = await c.get(f"/banks/VCB/cases/{case}", headers=vcb)
            return r.json() if r.status_code == 200 and r.json()["claims"] else None
        file = await wait_until(opened, what="the file opened with the bank's claim")
        assert list(file["claims"]) == [str(debt)] and file["claims"][str(debt)]["secured"] is True
        files = (await c.get("/files", headers=auth("head"))).json()["items"]
        assert [f["bank_code"] for f in files if f["case_id"] == str(case)] == ["VCB"]
        fid, version = file["file_id"], file["version"]

        # bad input: the rule's name, nothing written
        base = {"case_id": str(case), "repayment_id": str(uuid.uuid4()), "claim_item_id": str(debt),
                "amount_vnd": 5_000_000, "received_on": "2025-03-10"}
        r = await c.post("/banks/VCB/repayments", headers=vcb, json=base | {"claim_item_id": str(other_item)})
        assert (r.status_code, r.json()["rule"]) == (409, "repayment.other_claim")
        r = await c.post("/banks/VCB/repayments", headers=vcb, json=base | {"amount_vnd": -1})
        assert r.status_code == 422
        r = await c.post("/banks/VCB/repayments", headers=vcb, json=base | {"amount_vnd": 500_000_000})
        assert (r.status_code, r.json()["rule"]) == (409, "repayment.exceeds_claim")
        r = await c.post("/banks/BIDV/repayments", headers=bidv, json=base)       # BIDV has no file on this case
        assert (r.status_code, r.json()["rule"]) == (404, "bad_debt_file.not_found")
        r = await c.post("/banks/VCB/repayments", headers=bidv, json=base)        # another bank's path
        assert (r.status_code, r.json()["rule"]) == (403, "bank.other_bank")
        r = await c.post(f"/files/{fid}/collaterals/{uuid.uuid4()}/seized-asset", headers=auth("officer"),
                         json={"asset_id": str(uuid.uuid4())})
        assert (r.status_code, r.json()["rule"]) == (409, "collateral.unknown")
        r = await c.post(f"/files/{fid}/information-requests", headers=auth("officer", unit="TH-02"),
                         json={"request_id": str(uuid.uuid4()), "subject": "Số dư", "requested_on": "2025-03-10"})
        assert (r.status_code, r.json()["rule"]) == (403, "bad_debt_file.other_office")
        assert (await c.get(f"/files/{fid}", headers=auth("head", unit="TH-02"))).status_code == 403
        assert (await c.get(f"/banks/VCB/cases/{case}", headers=vcb)).json()["version"] == version, "nothing written"

        # an information request due in 3 working days, overdue once unanswered
        rid = str(uuid.uuid4())
        r = await c.post(f"/files/{fid}/information-requests", headers=auth("officer"),
                         json={"request_id": rid, "subject": "Số dư tài khoản", "requested_on": "2025-03-07"})
        assert r.status_code == 200, r.text
        due = (await c.get(f"/files/{fid}", headers=auth("head"))).json()["information_requests"][rid]["due_on"]
        assert due == "2025-03-12"
        listed = (await c.get("/information-requests/overdue", params={"as_of": "2025-03-13"},
                              headers=auth("head"))).json()["items"]
        assert rid in [x["request_id"] for x in listed]
        assert rid not in [x["request_id"] for x in (await c.get(
            "/information-requests/overdue", params={"as_of": "2025-03-12"}, headers=auth("head"))).json()["items"]]
        r = await c.post(f"/banks/VCB/information-requests/{rid}/answer", headers=vcb,
                         json={"case_id": str(case), "answer": "Số dư 1.200.000 đồng", "answered_on": "2025-03-13"})
        assert r.status_code == 200 and r.json()["recorded"] is True
        listed = (await c.get("/information-requests/overdue", params={"as_of": "2025-03-20"},
                              headers=auth("head"))).json()["items"]
        assert rid not in [x["request_id"] for x in listed]

    conn = await pg_connect()
    try:
        refused = await conn.fetch("SELECT resource, resource_id, status FROM recovery.access_log"
                                   " WHERE actor_id = $1 AND action = 'refused'", f"bidv-{run}")
        read = await conn.fetchval("SELECT count(*) FROM recovery.access_log WHERE actor_id = $2"
                                   " AND action = 'read' AND resource = 'case' AND case_id = $1", case, f"vcb-{run}")
    finally:
        await conn.close()
    assert [(r["resource_id"], r["status"]) for r in refused] == [("VCB:repayments", 403)]
    assert read >= 2
