"""The personal data of a bank's request for enforcement (the debtor, the bank's contact person) follows the
platform's erasure rule, on the real database and broker (the recovery process alone; intake's events are
published to thads.intake.case as intake would): refused while the bank's file on the case is open, with the
rule's name and nothing changed; once the case closed more than 5 years ago, the head of the office erases
it on a ground and at someone's request; the request then shows "[erased]" and the table keeps a tombstone
without the data; a repeat records nothing; another office's head is refused."""
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
CLOSED = datetime(2019, 6, 3, 9, tzinfo=VN)     # the case closed more than 5 years ago (business time)


def auth(role: str, unit: str = "TH-01", **kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, **kw)}"}


@pytest.fixture
def recovery(tmp_path):
    svc = service_process("recovery", tmp_path).start()
    yield svc
    svc.stop()


async def personal_row(request_id: str):
    conn = await pg_connect()
    try:
        return await conn.fetchrow(
            "SELECT p.debtor, p.contact, p.erased_at, p.erasure FROM recovery.request_personal_data p"
            " JOIN recovery.enforcement_requests r USING (request_key) WHERE r.request_id = $1", uuid.UUID(request_id))
    finally:
        await conn.close()


async def test_a_requests_personal_data_is_kept_while_retained_then_erased_once(recovery):
    rid = str(uuid.uuid4())
    vcb, head, far_head = auth("bank", bank="VCB", sub="vcb-er"), auth("head", sub="tt-01"), auth("head", "TH-02")
    erasure = {"ground": "purpose_fulfilled", "requested_by": "data_subject", "request_ref": "15/ĐN-XOA"}
    async with httpx.AsyncClient(base_url=recovery.url, timeout=30) as c:
        r = await c.post("/banks/VCB/enforcement-requests", headers=vcb, json={
            "request_id": rid, "unit": "TH-01", "judgment_number": "12/2018/KDTM-ST", "issuing_court": "TAND tỉnh Thanh Hóa",
            "judgment_effective_on": "2018-05-02", "filed_on": "2018-06-01",
            "claims": [{"claim_item_id": str(uuid.uuid4()), "amount_vnd": 90_000_000}],
            "debtor": {"kind": "individual", "full_name": "Hoàng Thị Lan", "id_number": "038180001111"},
            "contact": {"full_name": "Đỗ Minh", "email": "minh@vcb.example"}})
        assert r.status_code == 200, r.text
        filed = r.json()
        path = f"/enforcement-requests/VCB/{rid}/personal-data-erasures"

        # no file yet (intake has not registered it): retained, nothing changed
        r = await c.post(path, headers=head, json=erasure)
        assert (r.status_code, r.json()["rule"]) == (409, "personal_data.retention"), r.text
        # intake registers it (the bank as creditor) and, later, the case is completed (in 2019)
        first = time.time_ns() // 1000
        case = uuid.UUID(filed["case_id"])
        meta = dict(source="intake", aggregate_id=case, case_id=case, unit="TH-01",
                    actor=Actor(id="clerk-1", role="clerk"), recorded_at=CLOSED)
        added = i.PartyAdded.create(payload={"party_id": filed["bank_party_id"], "role": "creditor",
                                             "kind": "organisation", "bank_code": "VCB"},
                                    aggregate_version=2, occurred_at=CLOSED - timedelta(days=300),
                                    source_position=first + 2, **meta)
        await publish(INTAKE_CASE, [(str(case).encode(), encode(added))])

        async def fed(kind: str):
            r = await c.get("/banks/VCB/feed", params={"case_id": str(case)}, headers=vcb)
            return kind in [e["entry"]["payload"]["kind"] for e in r.json()["entries"]]
        await wait_until(lambda: fed("request_registered"), what="the bank's file opened from its request")
        r = await c.post(path, headers=head, json=erasure)
        assert (r.status_code, r.json()["rule"]) == (409, "personal_data.retention"), "the case is still open"
        assert (await personal_row(rid))["erased_at"] is None

        done = i.CaseCompleted.create(payload={"basis": "fully_performed", "completed_on": "2019-06-03"},
                                      aggregate_version=3, occurred_at=CLOSED, source_position=first + 3, **meta)
        await publish(INTAKE_CASE, [(str(case).encode(), encode(done))])
        await wait_until(lambda: fed("completion"), what="the completion in the bank's feed")

        # bad input and the wrong office: refused, nothing changed
        r = await c.post(path, headers=head, json=erasure | {"ground": "because"})
        assert (r.status_code, r.json()["rule"]) == (422, "request.schema")
        r = await c.post(path, headers=far_head, json=erasure)
        assert (r.status_code, r.json()["rule"]) == (403, "bad_debt_file.other_office")
        assert (await personal_row(rid))["debtor"] is not None

        r = await c.post(path, headers=head, json=erasure)
        assert r.status_code == 200 and r.json()["recorded"] is True, r.text
        assert r.json()["erased"]["requested_by"] == "data_subject" and r.json()["erased"]["by"] == "head/tt-01"
        again = await c.post(path, headers=head, json=erasure)
        assert again.status_code == 200 and again.json()["recorded"] is False

        seen = (await c.get(f"/enforcement-requests/VCB/{rid}", headers=head)).json()
        assert seen["debtor"] == seen["contact"] == "[erased]" and seen["erasure"]["ground"] == "purpose_fulfilled"
        assert (await c.get(f"/banks/VCB/enforcement-requests/{rid}", headers=vcb)).json()["debtor"] == "[erased]"
    row = await personal_row(rid)
    assert row["debtor"] is None and row["contact"] is None and row["erased_at"] is not None
