"""The complaints service as a process on the real broker and database: role checks, office scoping
and the refusal of a complaint about a decision the service does not know (nothing written)."""
from __future__ import annotations

import uuid

import httpx
import pytest

from thads_infra.testing import pg_connect, service_process
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration


def auth(role: str, unit: str = "TH-01", sub: str = "cb-01") -> dict[str, str]:
    bank = "VCB" if role == "bank" else None
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub, bank=bank)}"}


@pytest.fixture
def complaints(tmp_path):
    svc = service_process("complaints", tmp_path).start()
    yield svc
    svc.stop()


async def test_unknown_decision_is_refused_by_rule_and_roles_are_checked(complaints):
    body = {"decision_event_id": str(uuid.uuid4()), "received_on": "2026-03-10", "content": "Khiếu nại kê biên"}
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        assert (await c.get("/health")).status_code == 200
        conn = await pg_connect()
        try:
            before = await conn.fetchval("SELECT count(*) FROM complaints.complaints_events")
            r = await c.post("/complaints", json=body, headers=auth("clerk"))
            assert r.status_code == 409 and r.json()["rule"] == "complaint.decision_unknown", r.text
            assert await conn.fetchval("SELECT count(*) FROM complaints.complaints_events") == before
        finally:
            await conn.close()
        r = await c.post("/complaints", json=body, headers=auth("accountant"))
        assert r.status_code == 403 and r.json()["rule"] == "auth.role"
        r = await c.get("/complaints", params={"unit": "HN-01"}, headers=auth("officer"))
        assert r.status_code == 403 and r.json()["rule"] == "read_scope.own_office"
        r = await c.get("/complaints", headers=auth("procuracy", "TH"))
        assert r.status_code == 200 and isinstance(r.json()["items"], list)
        r = await c.get("/complaints", headers=auth("bank"))
        assert r.status_code == 403 and r.json()["rule"] == "auth.role"


async def test_a_reception_session_flags_and_forwards_a_petition_brought_above_its_level(complaints):
    import json

    from thads_contracts.topics import COMPLAINTS_COMPLAINT
    from thads_infra.testing import read_topic, wait_until

    case_id = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        r = await c.post("/reception/sessions", json={"kind": "ad_hoc", "held_on": "2026-11-16"},
                         headers=auth("head", "TH"))
        assert r.status_code == 409 and r.json()["rule"] == "reception.ad_hoc_reason", r.text
        r = await c.post("/reception/sessions", json={"kind": "scheduled", "held_on": "2026-11-16"},
                         headers=auth("head", "TH"))
        assert r.status_code == 201, r.text
        sid = r.json()["session_id"]
        r = await c.post(f"/reception/sessions/{sid}/visits", headers=auth("clerk", "TH"), json={
            "petition_kind": "complaint", "summary": "Khiếu nại việc kê biên nhà ở", "concerns_unit": "TH-KV07",
            "case_id": case_id, "visitors": 2})
        assert r.status_code == 200 and r.json()["vuot_cap"] is True and r.json()["routed_to"] == "TH-KV07", r.text
        r = await c.get("/reception/schedule-compliance", params={"year": 2026, "month": 11},
                        headers=auth("head", "TH"))
        assert r.status_code == 200 and r.json()["compliant"] is True
        r = await c.get("/reception/schedule-compliance", params={"year": 2026, "month": 11, "unit": "TH"},
                        headers=auth("officer", "HN-01"))
        assert r.status_code == 403

    async def forwarded() -> list:
        return [json.loads(m.value) for m in await read_topic(COMPLAINTS_COMPLAINT, key=case_id.encode())]
    found = await wait_until(forwarded, timeout=60, what="PetitionForwarded published")
    assert [m["event_type"] for m in found] == ["complaints.PetitionForwarded.v1"]
    assert found[0]["payload"]["vuot_cap"] is True and found[0]["unit"] == "TH"
