"""Recovery bench (issue 10): freshness of the per-bank feed — from a command on a bank's case (a
repayment straight to the bank, booked through intake's API) to its entry on the bank's Kafka topic (read
AS THE BANK over the SCRAM listener) and on the bank's SSE stream — p50/p99 at a steady load.

Intake and recovery run as their own processes on the bench's PostgreSQL and Kafka. `cases` cases of one
bank are opened and notified first; then commands are sent at `rate` per second for `seconds`, round robin
over the cases (one command per case in flight). Each command is the k-th collection of its case, so its
feed entry is the case's sequence base+k: the two readers time when (case, sequence) arrives.

    python -m bench.recovery [--cases 8] [--rate 10] [--seconds 20]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.table import Table

from bench import measure
from thads_contracts.topics import bank_feed
from thads_infra.kafka import grant_bank
from thads_infra.testing import service_process
from thads_infra.tokens import issue_token

console = Console()
BANK = "TCB"          # a bank no demo or test writes to


def _auth(role: str, **kw: Any) -> dict[str, str]:
    kw.setdefault("sub", f"bench-{role}")
    return {"Authorization": f"Bearer {issue_token(role, 'TH-01', **kw)}"}


async def _post(c: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    r = await c.post(path, json=body, headers=headers)
    if r.status_code not in (200, 201):
        raise RuntimeError(f"{path}: {r.status_code} {r.text}")
    return r.json()


async def bank_case(c: httpx.AsyncClient) -> tuple[str, str]:
    clerk, head = _auth("clerk"), _auth("head")
    cid = (await _post(c, "/cases/requests", {"unit": "TH-01", "intake_ref": f"BENCH-{uuid.uuid4().hex[:10]}",
                                              "channel": "in_person", "judgment_number": "1/2025/KDTM-ST",
                                              "issuing_court": "TAND tỉnh Thanh Hóa"}, clerk))["case_id"]
    bank_party, debt = str(uuid.uuid4()), str(uuid.uuid4())
    await _post(c, f"/cases/{cid}/parties", {"party_id": bank_party, "role": "creditor", "kind": "credit_institution",
                                             "bank_code": BANK, "full_name": "Ngân hàng (bench)"}, clerk)
    await _post(c, f"/cases/{cid}/claim-items", {"claim_item_id": debt, "kind": "credit_debt", "amount_vnd": 10**12,
                                                 "creditor_party_id": bank_party}, clerk)
    await _post(c, f"/cases/{cid}/decision", {"decision_no": "1/QĐ-BENCH", "basis": "on_request"}, head)
    await _post(c, f"/cases/{cid}/officer", {"officer_id": "bench-officer"}, head)
    await _post(c, f"/cases/{cid}/notification", {}, _auth("officer", sub="bench-officer"))
    return cid, debt


async def run(cases: int = 8, rate: float = 10.0, seconds: float = 20.0) -> dict[str, Any]:
    creds = grant_bank(BANK)
    logs = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    intake = service_process("intake", logs, deadline_watch_seconds=3600).start()
    recovery = service_process("recovery", logs, sse_poll_seconds=0.05).start()
    sent: dict[tuple[str, int], float] = {}
    on_kafka: dict[tuple[str, int], float] = {}
    on_sse: dict[tuple[str, int], float] = {}
    bank = _auth("bank", bank=BANK)
    try:
        async with httpx.AsyncClient(base_url=intake.url, timeout=60) as ic, \
                httpx.AsyncClient(base_url=recovery.url, timeout=60) as rc:
            opened = [await bank_case(ic) for _ in range(cases)]

            async def base(cid: str) -> int:      # the entries already fed for the case (its decision)
                for _ in range(300):
                    r = await rc.get(f"/banks/{BANK}/feed", params={"case_id": cid, "limit": 500}, headers=bank)
                    entries = r.json()["entries"]
                    if any(e["entry"]["payload"]["kind"] == "decision" for e in entries):
                        return len(entries)
                    await asyncio.sleep(0.2)
                raise RuntimeError(f"case {cid}: no decision in the feed")
            bases = {cid: await base(cid) for cid, _ in opened}
            last = (await rc.get(f"/banks/{BANK}/feed", params={"limit": 500}, headers=bank)).json()
            while last["has_more"]:
                last = (await rc.get(f"/banks/{BANK}/feed", params={"limit": 500, "after": last["next_cursor"]},
                                     headers=bank)).json()
            start_position = last["next_cursor"]

            consumer = AIOKafkaConsumer(bank_feed(BANK), **creds.aiokafka_kwargs(), auto_offset_reset="latest",
                                        group_id=f"{creds.group_prefix}-bench-{uuid.uuid4().hex[:6]}")
            await consumer.start()

            async def kafka_reader() -> None:
                async for rec in consumer:
                    p = json.loads(rec.value)
                    on_kafka.setdefault((p["case_id"], p["payload"]["sequence"]), time.perf_counter())

            async def sse_reader() -> None:
                async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as sc:
                    async with sc.stream("GET", f"{recovery.url}/banks/{BANK}/feed/stream",
                                         params={"after": start_position}, headers=bank) as r:
                        async for line in r.aiter_lines():
                            if line.startswith("data:"):
                                p = json.loads(line[5:])
                                on_sse.setdefault((p["case_id"], p["payload"]["sequence"]), time.perf_counter())
            await asyncio.sleep(1.0)             # the group joined: "latest" starts now
            readers = [asyncio.create_task(kafka_reader()), asyncio.create_task(sse_reader())]
            accountant = _auth("accountant", sub="bench-kt")
            count = int(rate * seconds)
            done = {cid: 0 for cid, _ in opened}
            t_start = time.perf_counter()
            for k in range(count):
                cid, debt = opened[k % cases]
                await asyncio.sleep(max(0.0, t_start + k / rate - time.perf_counter()))
                done[cid] += 1
                sent[(cid, bases[cid] + done[cid])] = time.perf_counter()
                await _post(ic, f"/cases/{cid}/collections", {"claim_item_id": debt, "amount_vnd": 1000,
                                                              "channel": "paid_to_bank",
                                                              "source_ref": f"bench-{uuid.uuid4().hex}"}, accountant)
            deadline = time.perf_counter() + 60
            while (set(sent) - set(on_kafka) or set(sent) - set(on_sse)) and time.perf_counter() < deadline:
                await asyncio.sleep(0.2)
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            await consumer.stop()
    finally:
        recovery.stop()
        intake.stop()
    kafka_ms = [(on_kafka[k] - t) * 1000 for k, t in sent.items() if k in on_kafka]
    sse_ms = [(on_sse[k] - t) * 1000 for k, t in sent.items() if k in on_sse]
    return {"commands": len(sent), "rate_per_s": rate, "cases": cases,
            "kafka_p50_ms": measure.pct(kafka_ms, 50), "kafka_p99_ms": measure.pct(kafka_ms, 99),
            "sse_p50_ms": measure.pct(sse_ms, 50), "sse_p99_ms": measure.pct(sse_ms, 99),
            "missing_kafka": len(sent) - len(kafka_ms), "missing_sse": len(sent) - len(sse_ms)}


def report(r: dict[str, Any]) -> None:
    t = Table(title="recovery: bank feed freshness (intake command → bank's entry)")
    t.add_column("measure")
    t.add_column("result", justify="right")
    load = f"{r['commands']} commands at {r['rate_per_s']:.0f}/s over {r['cases']} cases"
    t.add_row(f"on the bank's Kafka topic (SCRAM listener), {load}",
              f"p50 {r['kafka_p50_ms']:.0f} ms, p99 {r['kafka_p99_ms']:.0f} ms, missing {r['missing_kafka']}")
    t.add_row(f"on the bank's SSE stream, {load}",
              f"p50 {r['sse_p50_ms']:.0f} ms, p99 {r['sse_p99_ms']:.0f} ms, missing {r['missing_sse']}")
    console.print(t)


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.recovery")
    parser.add_argument("--cases", type=int, default=8)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    report(asyncio.run(run(args.cases, args.rate, args.seconds)))


if __name__ == "__main__":
    cli()
