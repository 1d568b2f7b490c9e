"""The demo generator against the intake service as a real process (its own PostgreSQL schema, the
project's Kafka): cases land in their planned status, a re-run with the same seed adds nothing, and
a run interrupted mid-case is resumed where it stopped."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, AsyncIterator
from uuid import uuid4

import httpx
import pytest

from thads_infra.testing import ServiceProcess, pg_connect, service_process, wait_until
from thads_infra.tokens import issue_token

from intake_service import demo

pytestmark = pytest.mark.integration

SEED = 4242
UNITS = ["TH", "TH-TPTH", "TH-HOANGHOA"]


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[ServiceProcess]:
    schema = f"t_demo_{uuid4().hex[:10]}"
    # the deadline watch runs once at start (no cases yet), then not again during the test: a miss
    # recorded "now" in the middle of an imported history would block its later, older steps
    # no consumers: a fresh schema's consumer groups read the other services' topics from the start
    # (accepted online filings would open cases of their own here; the demo goes through the API only)
    service = service_process("intake", tmp_path, pg_schema=schema, deadline_watch_seconds=3600, roles="api,relay")
    await asyncio.to_thread(service.start, True, 90.0)
    try:
        yield service
    finally:
        await asyncio.to_thread(service.stop)
        conn = await pg_connect()
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


def auditor() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token('auditor', 'TH', sub='auditor-demo-test')}"}


async def events(http: httpx.AsyncClient, case: demo.CasePlan) -> list[dict[str, Any]]:
    r = await http.get(f"/cases/{case.case_id}/events", headers=auditor())
    assert r.status_code == 200, r.text
    return [e for e in r.json()["events"] if e["event"] != "DeadlineMissed"]


async def test_demo_plays_the_plan_and_a_rerun_duplicates_nothing(intake: ServiceProcess) -> None:
    plan = demo.plan(SEED, 20, UNITS, demo.DEFAULT_START)

    first = await demo.run(intake.url, plan, concurrency=4, progress=False)

    assert (first.played, first.skipped, first.resumed, first.interrupted) == (20, 0, 0, [])
    assert sum(first.by_status.values()) == 20 and not first.mismatches
    assert first.claimed_vnd == sum(c.claimed_vnd for c in plan)
    assert first.collected_vnd == sum(c.collected_vnd for c in plan)
    assert first.disbursed_vnd == sum(c.disbursed_vnd for c in plan)
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as http:
        # a few cases of different courses, read back one by one
        sample = list({c.expected_status: c for c in plan}.values())[:6]
        for case in sample:
            r = await http.get(f"/cases/{case.case_id}", headers=auditor())
            assert r.status_code == 200, r.text
            state = r.json()
            assert (state["status"], state["unit"], state["intake_ref"]) == \
                (case.expected_status, case.unit, case.intake_ref)
            assert len(state["parties"]) == sum(s.command == "add_party" for s in case.steps)
        before = {c.case_id: await events(http, c) for c in plan}
        assert all(len(before[c.case_id]) == len(c.steps) for c in plan)

        second = await demo.run(intake.url, plan, concurrency=4, progress=False)

        assert (second.played, second.skipped, second.resumed, second.interrupted) == (0, 20, 0, [])
        assert second.by_status == first.by_status
        for case in plan:
            assert await events(http, case) == before[case.case_id]

        async def indexed() -> int:   # the read model sees 20 cases, not 40
            r = await http.get("/cases", params={"limit": 500}, headers=auditor())
            return r.json()["total"] if r.status_code == 200 else 0

        assert await wait_until(indexed, timeout=30, what="20 cases in the read model") == 20
        # once the index has applied every recorded event, a second copy would be in it by now
        await wait_until(lambda: index_caught_up(intake), timeout=30, what="case index at the store's last event")
        assert await indexed() == 20


async def index_caught_up(intake: ServiceProcess) -> bool:
    schema = intake.env["INTAKE_PG_SCHEMA"]
    conn = await pg_connect()
    try:
        return await conn.fetchval(
            f'SELECT (SELECT position FROM "{schema}".case_index_position WHERE name = \'case_index\')'
            f' >= (SELECT max(notification_id) FROM "{schema}".intake_events)')
    finally:
        await conn.close()


async def test_an_interrupted_run_is_resumed_where_it_stopped(intake: ServiceProcess) -> None:
    case = max(demo.plan(SEED + 1, 12, UNITS, demo.DEFAULT_START), key=lambda c: len(c.steps))
    done = len(case.steps) // 2
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as http:
        for step in case.steps[:done]:   # a run that stopped half-way through this case
            token = issue_token(step.role, case.unit, sub=step.actor)
            r = await http.post(step.path(case.case_id), json=step.body(),
                                headers={"Authorization": f"Bearer {token}"})
            assert r.status_code in (200, 201), r.text

        summary = await demo.run(intake.url, [case], concurrency=1, progress=False)

        assert (summary.played, summary.skipped, summary.resumed) == (0, 0, 1)
        assert summary.by_status == {case.expected_status: 1}
        assert len(await events(http, case)) == len(case.steps)
