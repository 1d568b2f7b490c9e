"""A denunciation through the API on the real database: the denouncers' identity is in its own table,
never in an event, the outbox or the topic; only the handling head and the inspectors see it, and
every read and every refused attempt is recorded in the kit's access log (and shipped to
thads.audit.access)."""
from __future__ import annotations

import json

import httpx
import pytest

from thads_contracts.topics import AUDIT_ACCESS
from thads_infra.testing import pg_connect, read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
NAME = "Lê Thị Tố Cáo"


def auth(role: str, unit: str = "TH-KV03", sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub or f'{role}-{unit}')}"}


@pytest.fixture
def complaints(tmp_path):
    svc = service_process("complaints", tmp_path).start()
    yield svc
    svc.stop()


async def test_denouncers_are_seen_only_by_the_handler_and_inspectors_and_every_read_is_logged(complaints):
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        body = {"accused_role": "officer", "accused_unit": "TH-KV03", "accused_id": "cv-33",
                "received_on": "2026-11-02", "content": "Chấp hành viên gây khó khăn, đòi tiền",
                "denouncers": [{"full_name": NAME, "id_number": "038099000111", "address": "Thôn 3, xã X"}]}
        r = await c.post("/denunciations", json=body, headers=auth("clerk", "TH-KV04"))
        assert r.status_code == 403 and r.json()["rule"] == "complaint.other_office", r.text
        r = await c.post("/denunciations", json=body, headers=auth("clerk"))
        assert r.status_code == 201, r.text
        did = r.json()["denunciation_id"]
        assert r.json()["handler_unit"] == "TH-KV03"

        state = (await c.get(f"/denunciations/{did}", headers=auth("head"))).json()
        assert state["denouncers"] == 1 and NAME not in json.dumps(state)
        r = await c.get(f"/denunciations/{did}", headers=auth("officer"))
        assert r.status_code == 403, "officers do not read denunciations"

        seen = await c.get(f"/denunciations/{did}/denouncers", headers=auth("head", sub="head-kv03"))
        assert seen.status_code == 200 and seen.json()["denouncers"][0]["full_name"] == NAME
        inspector = await c.get(f"/denunciations/{did}/denouncers", headers=auth("auditor", "TH", "tt-01"))
        assert inspector.status_code == 200
        for role, unit in (("clerk", "TH-KV03"), ("procuracy", "TH"), ("head", "TH-KV01"), ("auditor", "HN")):
            r = await c.get(f"/denunciations/{did}/denouncers", headers=auth(role, unit, f"{role}-x"))
            assert r.status_code == 403, (role, unit, r.text)

    conn = await pg_connect()
    try:
        rows = await conn.fetch("SELECT actor_id, actor_role, action, status, legal_basis FROM complaints.access_log"
                                " WHERE resource = 'denouncer' AND resource_id = $1 ORDER BY sequence", did)
        events = await conn.fetch("SELECT e.state FROM complaints.complaints_events e JOIN"
                                  " complaints.denunciations d ON e.originator_id = d.denunciation_id"
                                  " WHERE d.denunciation_id = $1::uuid", did)
    finally:
        await conn.close()
    assert [(r["actor_id"], r["action"], r["status"]) for r in rows] == [
        ("head-kv03", "read", 200), ("tt-01", "read", 200), ("clerk-x", "refused", 403), ("procuracy-x", "refused", 403),
        ("head-x", "refused", 403), ("auditor-x", "refused", 403)]
    assert all("Điều 157" in r["legal_basis"] for r in rows)
    assert events and all(NAME.encode() not in bytes(e["state"]) for e in events), "no identity in the events"

    async def shipped() -> list:
        return [m for m in (json.loads(r.value) for r in await read_topic(AUDIT_ACCESS)) if m["resource_id"] == did]
    on_topic = await wait_until(lambda: _len_at_least(shipped, 6), timeout=60, what="access entries on the topic")
    assert NAME not in json.dumps(on_topic)


async def _len_at_least(fetch, n: int):
    found = await fetch()
    return found if len(found) >= n else None
