"""Audit read figures for `make bench` (`--only audit`): the timeline and the as-of state of one case
with 500 events, through the audit process's HTTP API (one process, sequential requests, a procuracy
token so every read also writes its access-log entry, as in production):

* the whole timeline (`limit=1000`: one page of 500 events);
* the first page of 200 and a later page (from a cursor) — what a paging client pays per page;
* the as-of state on both axes (`/state?at=`), which folds the whole case.

The 500 events go through Kafka (intake's topic; a tenth recorded retroactively, so that the two
axes differ) and the audit consumer, like any other; the clock starts once all are visible.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from rich.console import Console
from rich.table import Table

from bench.measure import pct

console = Console()
VN = timezone(timedelta(hours=7))


def _events(case_id: Any, n: int) -> list[bytes]:
    from thads_contracts import Actor, encode
    from thads_contracts import intake as i

    actor = Actor(id="clerk-bench", role="clerk", unit="TH-01")
    start, base = datetime(2025, 1, 6, 9, tzinfo=VN), time.time_ns() // 1000
    out = []
    for v in range(1, n + 1):
        occurred = start + timedelta(hours=v)
        recorded = occurred + (timedelta(days=30) if v % 10 == 0 else timedelta())   # a tenth entered late
        out.append(encode(i.MoneyCollectedV2.create(
            payload=i.MoneyCollectedV2Payload(claim_item_id=uuid4(), amount_vnd=100_000 + v, channel="voluntary",
                                              collected_on=date(2025, 1, 6)),
            source="intake", aggregate_id=case_id, aggregate_version=v, case_id=case_id, unit="TH-01", actor=actor,
            occurred_at=occurred, recorded_at=recorded, source_position=base + v)))
    return out


async def _timed(client: httpx.AsyncClient, path: str, params: dict[str, Any], headers: dict[str, str],
                 n: int) -> dict[str, float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = await client.get(path, params=params, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
    return {"p50_ms": pct(times, 50), "p99_ms": pct(times, 99), "n": n}


async def run(log_dir: Path, events: int = 500, requests: int = 200) -> dict[str, Any]:
    from thads_contracts.topics import INTAKE_CASE
    from thads_infra.testing import publish, service_process, wait_until
    from thads_infra.tokens import issue_token

    audit = service_process("audit", log_dir).start(timeout=120)
    try:
        case_id = uuid4()
        await publish(INTAKE_CASE, [(str(case_id).encode(), m) for m in _events(case_id, events)])
        headers = {"Authorization": f"Bearer {issue_token('procuracy', 'TH')}"}
        path = f"/cases/{case_id}"
        async with httpx.AsyncClient(base_url=audit.url, timeout=60) as client:
            async def all_in() -> bool:
                r = await client.get(f"{path}/timeline", params={"limit": 1}, headers=headers)
                return r.status_code == 200 and r.json()["total_events"] == events
            await wait_until(all_in, timeout=180, what=f"{events} events in the audit timeline")
            first = (await client.get(f"{path}/timeline", params={"limit": 200}, headers=headers)).json()
            at = (datetime(2025, 1, 6, 9, tzinfo=VN) + timedelta(hours=events // 2)).isoformat()
            for _ in range(10):      # warm-up
                await client.get(f"{path}/timeline", params={"limit": 1000}, headers=headers)
            out = {
                "events": events,
                "timeline_whole": await _timed(client, f"{path}/timeline", {"limit": 1000}, headers, requests),
                "timeline_first_page": await _timed(client, f"{path}/timeline", {"limit": 200}, headers, requests),
                "timeline_next_page": await _timed(client, f"{path}/timeline",
                                                   {"limit": 200, "cursor": first["next_cursor"]}, headers, requests),
                "as_of": await _timed(client, f"{path}/state", {"at": at}, headers, requests),
            }
            state = (await client.get(f"{path}/state", params={"at": at}, headers=headers)).json()
            out["as_of_axes"] = {"legal_events": state["legal"]["events"], "known_events": state["known"]["events"]}
        return out
    finally:
        audit.stop()


def report(r: dict[str, Any]) -> None:
    t = Table(title=f"audit reads: a case with {r['events']} events, HTTP, one process, sequential")
    for col in ("request", "p50 ms", "p99 ms", "n"):
        t.add_column(col, justify="right" if col != "request" else "left")
    for key, label in (("timeline_whole", "timeline, whole case (one page of 500)"),
                       ("timeline_first_page", "timeline, first page of 200"),
                       ("timeline_next_page", "timeline, a later page of 200 (cursor)"),
                       ("as_of", "as-of state, both axes (/state?at=)")):
        m = r[key]
        t.add_row(label, f"{m['p50_ms']:.1f}", f"{m['p99_ms']:.1f}", str(m["n"]))
    console.print(t)
    ax = r["as_of_axes"]
    console.print(f"as-of at the case's middle: {ax['legal_events']} events legally, {ax['known_events']} known "
                  f"to the system (a tenth recorded 30 days late)")
