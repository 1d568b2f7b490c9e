"""`INTAKE_RELAY_PROCESS=true` (thads_kit.runtime.RelaySupervisor): the outbox relay runs in a child
process of its own, never in the HTTP process; when the child dies, another is started and publishes
the next events. Real PostgreSQL, Kafka and service processes."""
from __future__ import annotations

import json
import os
import signal
import uuid
from pathlib import Path

import httpx
import psutil

from thads_infra.testing import pg_connect, service_process, wait_until
from thads_infra.tokens import issue_token


def relay_children(pid: int) -> list[int]:
    out = []
    for child in psutil.Process(pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "thads_kit.relay_process" in " ".join(child.cmdline()):
                out.append(child.pid)
        except psutil.Error:      # gone, or a zombie not reaped yet
            pass
    return out


def active_relay_pids(log: Path) -> list[int]:
    """The processes that logged taking the relay's lock, in order."""
    out = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "relay active" and entry.get("lock", "").endswith("intake.intake_events"):
            out.append(entry["pid"])
    return out


async def open_case(url: str) -> str:
    clerk = {"Authorization": f"Bearer {issue_token('clerk', 'TH')}"}
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        r = await c.post("/cases/judgments", headers=clerk, json={
            "unit": "TH", "intake_ref": f"relay-process-{uuid.uuid4().hex[:12]}", "judgment_number": "1/2025/DS-ST",
            "issuing_court": "TAND tỉnh Thanh Hóa"})
        assert r.status_code == 201, r.text
        return r.json()["case_id"]


async def published(case_id: str) -> bool:
    """The relay's stored position covers the case's event (stored only after Kafka acknowledged)."""
    conn = await pg_connect()
    try:
        return bool(await conn.fetchval(
            "SELECT (SELECT notification_id FROM intake.relay_position WHERE relay = 'intake_events')"
            " >= (SELECT max(notification_id) FROM intake.intake_events WHERE originator_id = $1)", uuid.UUID(case_id)))
    finally:
        await conn.close()


async def test_the_relay_runs_in_a_process_of_its_own_which_is_started_again_when_it_dies(tmp_path):
    intake = service_process("intake", tmp_path, relay_process=True).start(timeout=120)
    try:
        assert intake.proc is not None
        children = await wait_until(lambda: relay_children(intake.proc.pid), what="the relay process")
        assert len(children) == 1
        first = await open_case(intake.url)
        await wait_until(lambda: published(first), what="the first case published")
        assert active_relay_pids(intake.log_file) == children, "only the child took the relay's lock"

        os.kill(children[0], signal.SIGKILL)
        again = await wait_until(lambda: [p for p in relay_children(intake.proc.pid) if p != children[0]],
                                 what="a new relay process")
        second = await open_case(intake.url)
        await wait_until(lambda: published(second), timeout=120, what="the second case published")
        assert active_relay_pids(intake.log_file) == children + again, "the new child took over, the HTTP process never"
    finally:
        intake.stop()
