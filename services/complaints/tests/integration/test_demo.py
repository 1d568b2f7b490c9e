"""The complaints demo (`thads up --demo` runs it after intake's and auctions') against the real
services: both levels, a late complaint, an overdue one, a vượt cấp petition, denunciations; a second
run adds nothing (every step has its Idempotency-Key)."""
from __future__ import annotations

import random

import httpx
import pytest

from complaints_service.demo import run
from thads_infra.testing import pg_connect, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration


@pytest.fixture
def services(tmp_path):
    intake = service_process("intake", tmp_path).start()
    complaints = service_process("complaints", tmp_path, deadline_sweep_seconds=0.5).start()
    yield intake, complaints
    complaints.stop()
    intake.stop()


async def _events() -> int:
    conn = await pg_connect()
    try:
        return await conn.fetchval("SELECT count(*) FROM complaints.complaints_events")
    finally:
        await conn.close()


async def test_the_demo_plays_every_scenario_once(services):
    intake, complaints = services
    seed = random.randrange(10**6)          # its own cases on a broker other runs used before
    out = await run(intake.url, complaints.url, seed, timeout=300)
    assert out["vuot_cap"] is True
    head = {"Authorization": f"Bearer {issue_token('head', 'TH', sub='head-th')}"}
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        both = (await c.get(f"/complaints/{out['both_levels']}", headers=head)).json()
        assert both["status"] == "second_decided" and both["second_decision"]["outcome"] == "partly_upheld"
        assert (both["first_instance_unit"], both["second_instance_unit"]) == ("TH-TPTH", "TH")
        late = (await c.get(f"/complaints/{out['late']}", headers=head)).json()
        assert late["late"] and late["not_accepted"]["ground"] == "time_expired"

        async def overdue_marked() -> bool:
            s = (await c.get(f"/complaints/{out['overdue']}", headers=head)).json()
            return s["missed"] == [{"step": "first_decision", "due_on": "2026-04-11"}]
        await wait_until(overdue_marked, timeout=60, what="the overdue complaint's DeadlineMissed")
        assert out["overdue"] in {x["complaint_id"] for x in (await c.get("/overdue", headers=head)).json()["items"]}
        group = (await c.get(f"/denunciations/{out['group_denunciation']}", headers=head)).json()
        assert group["handler_unit"] == "TH" and group["denouncers"] == 6 and group["representatives"] == 2
    before = await _events()
    assert await run(intake.url, complaints.url, seed, timeout=300) == out
    assert await _events() == before, "a re-run records nothing"
