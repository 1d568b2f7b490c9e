"""The front door, measured end to end on the service processes (issue 13).

Debian's `wrk` (C, so the client is not the bottleneck) drives the intake process at 32
connections with the Lua scripts in bench/wrk/:
- writes: `POST /cases/judgments`, a new case per request (unique intake reference), valid token;
- reads: a case's state and its history (`GET /cases/{id}`, `GET /cases/{id}/events`), alternating;
- bare: `GET /health/live` in the same process (no auth, no database): the framework's ceiling,
  against which the ratios are taken (the figure that holds across machines).
Intake runs with its relay in a process of its own (INTAKE_RELAY_PROCESS=true).
Freshness: a small open-loop client sends commands at a steady rate (500/s by default) and a reader
polls the audit service's timeline table; freshness is the time from each HTTP answer until the
case is visible there (intake → outbox relay, woken by LISTEN/NOTIFY → Kafka → audit consumer).
Peak RSS (VmHWM) of every service process, worker processes included.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.measure import peak_rss_mib, pct

ROOT = Path(__file__).resolve().parent
WRK_DIR = ROOT / "wrk"
CONNECTIONS = 32


def wrk(url: str, script: str, seconds: float, env: dict[str, str], connections: int = CONNECTIONS) -> dict[str, Any]:
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    out = subprocess.run([binary, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                          "-s", str(WRK_DIR / script), url],
                         env=os.environ | env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = r["duration_us"] / 1e6
    errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["status_errors"] + r["timeouts"]
    return {"per_s": r["requests"] / seconds_run, "p50_ms": r["p50_us"] / 1e3, "p90_ms": r["p90_us"] / 1e3,
            "p99_ms": r["p99_us"] / 1e3, "max_ms": r["max_us"] / 1e3, "requests": r["requests"],
            "errors": errors, "status_errors": r["status_errors"], "seconds": seconds_run,
            "connections": connections}


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams for the freshness load: httpx costs
    a few ms of CPU per request, which on two cores would slow the very services being measured."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                      ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(l.split(":", 1)[1]) for l in lines[1:] if l.lower().startswith("content-length:"))
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def judgment(ref: str) -> bytes:
    return json.dumps({"unit": "BENCH", "intake_ref": ref, "judgment_number": "1/2025/DS-ST",
                       "issuing_court": "TAND khu vực 1"}).encode()


async def open_cases(host: str, port: int, token: str, n: int) -> list[str]:
    client = RawClient(host, port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ids = []
    try:
        for k in range(n):
            status, body = await client.request("POST", "/cases/judgments", judgment(f"read-{k}-{uuid.uuid4().hex[:8]}"),
                                                headers)
            assert status == 201, body
            ids.append(json.loads(body)["case_id"])
    finally:
        client.close()
    return ids


async def on_kafka(bootstrap: str, topic: str) -> tuple[Any, dict[UUID, float], Any]:
    """A tail of `topic` from its end: the first arrival time of each key (a case id) on Kafka, so
    that freshness splits into the relay's part (answer → on Kafka) and the consumer's (→ timeline)."""
    from aiokafka import AIOKafkaConsumer

    arrived: dict[UUID, float] = {}
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest")
    await consumer.start()
    await consumer.seek_to_end()

    async def tail() -> None:
        async for m in consumer:
            try:
                arrived.setdefault(UUID(m.key.decode()), time.perf_counter())
            except (AttributeError, ValueError):
                pass

    return consumer, arrived, asyncio.create_task(tail())


async def freshness(host: str, port: int, token: str, rate: float, seconds: float, poll_s: float = 0.005,
                    kafka: str | None = None) -> dict[str, Any]:
    """Commands at a steady `rate` (open loop: each is sent at its scheduled time on a free
    connection), and a reader that polls the audit timeline for the cases answered but not yet seen.
    With `kafka` (bootstrap), also when each case's first event reached intake's topic."""
    from thads_infra.testing import pg_connect
    from thads_contracts.topics import INTAKE_CASE

    tail = await on_kafka(kafka, INTAKE_CASE) if kafka else None

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pool: asyncio.Queue[RawClient] = asyncio.Queue()
    for _ in range(64):
        pool.put_nowait(RawClient(host, port))
    answered: dict[UUID, float] = {}
    seen: dict[UUID, float] = {}
    late: list[float] = []
    failures: list[str] = []
    tag = uuid.uuid4().hex[:8]
    n = int(rate * seconds)

    async def one(k: int) -> None:
        client = await pool.get()
        try:
            status, body = await client.request("POST", "/cases/judgments", judgment(f"fresh-{tag}-{k}"), headers)
            at = time.perf_counter()
            if status == 201:
                answered[UUID(json.loads(body)["case_id"])] = at
            else:
                failures.append(f"{status}: {body[:200]!r}")
        finally:
            pool.put_nowait(client)

    async def observe(conn: Any) -> None:
        while True:
            pending = [c for c in answered if c not in seen]
            if pending:
                rows = await conn.fetch("SELECT DISTINCT case_id FROM audit.case_timeline WHERE case_id = ANY($1::uuid[])",
                                        pending)
                now = time.perf_counter()
                for r in rows:
                    seen[r["case_id"]] = now
            elif done_sending.is_set():
                return
            await asyncio.sleep(poll_s)

    conn = await pg_connect()
    done_sending = asyncio.Event()
    observer = asyncio.create_task(observe(conn))
    tasks = []
    t0 = time.perf_counter()
    for k in range(n):
        due = t0 + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            late.append(-delay)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    sent_s = time.perf_counter() - t0
    done_sending.set()
    try:
        await asyncio.wait_for(observer, timeout=120)
    finally:
        await conn.close()
        while not pool.empty():
            pool.get_nowait().close()
    kafka_lag: list[float] = []
    if tail is not None:
        consumer, arrived, task = tail
        task.cancel()
        await consumer.stop()
        kafka_lag = [(arrived[c] - answered[c]) * 1e3 for c in answered if c in arrived]
    lag = [(seen[c] - answered[c]) * 1e3 for c in answered if c in seen]
    return {"kafka_p50_ms": pct(kafka_lag, 50), "kafka_p99_ms": pct(kafka_lag, 99), "kafka_seen": len(kafka_lag),
            "rate_asked": rate, "rate_sent": n / sent_s, "commands": n, "answered": len(answered),
            "failures": len(failures), "first_failures": failures[:3], "visible": len(lag),
            "p50_ms": pct(lag, 50), "p90_ms": pct(lag, 90), "p99_ms": pct(lag, 99), "max_ms": max(lag, default=0.0),
            "poll_ms": poll_s * 1e3, "sent_late_p99_ms": pct(late, 99) * 1e3 if late else 0.0}


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def service_rss(name: str, pid: int) -> dict[str, float]:
    """The service process and, with several uvicorn workers, each worker (uvicorn's supervisor
    forks them; multiprocessing's resource tracker is left out)."""
    out = {f"{name}": peak_rss_mib(pid) or 0.0}
    workers = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"thads_kit.relay_process" in cmdline:
            out[f"{name} relay process"] = peak_rss_mib(child) or 0.0
        elif b"resource_tracker" not in cmdline:
            workers.append(child)
    for k, child in enumerate(workers, 1):
        out[f"{name} worker {k}"] = peak_rss_mib(child) or 0.0
    return out


async def quiesce(pids: list[int], *, below_percent: float = 5.0, timeout: float = 120.0) -> float:
    """Wait until the service processes are idle (each under `below_percent` of a core for one
    second): the relay, the audit consumer and the intake case index digest a write phase for a
    while after the last answer, and a read phase measured meanwhile measures them too. Returns the
    seconds waited."""
    import psutil
    procs = [psutil.Process(pid) for pid in pids]
    for p in procs:
        p.cpu_percent(None)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        await asyncio.sleep(1.0)
        if all(p.cpu_percent(None) < below_percent for p in procs):
            break
    return time.monotonic() - t0


async def run(log_dir: Path, *, seconds: float, workers: int, fresh_rate: float, fresh_seconds: float
              ) -> dict[str, Any]:
    from thads_infra.testing import service_process
    from thads_infra.tokens import issue_token

    # the relay in a process of its own (INTAKE_RELAY_PROCESS, thads_kit.runtime.RelaySupervisor)
    intake = service_process("intake", log_dir, http_workers=workers, relay_process=True).start(timeout=120)
    audit = service_process("audit", log_dir).start(timeout=120)
    token = issue_token("clerk", "BENCH")
    env = {"THADS_BENCH_TOKEN": token}
    host, port = "127.0.0.1", intake.port
    try:
        # warm-up: imports, first queries, prepared statements, the JIT of nothing (CPython)
        wrk(intake.url + "/health/live", "bare.lua", 2, env)
        wrk(intake.url, "judgments.lua", 3, env | {"THADS_BENCH_RUN": f"warm-{uuid.uuid4().hex[:8]}"})
        bare = wrk(intake.url + "/health/live", "bare.lua", seconds, env)
        writes = wrk(intake.url, "judgments.lua", seconds, env | {"THADS_BENCH_RUN": f"w-{uuid.uuid4().hex[:8]}"})
        cases = await open_cases(host, port, token, 100)
        pids = [svc.proc.pid for svc in (intake, audit) if svc.proc is not None]
        drained_s = await quiesce(pids)      # the write phase's relay, timeline and case index work
        reads = wrk(intake.url, "reads.lua", seconds, env | {"THADS_BENCH_CASES": ",".join(cases)})
        await quiesce(pids)
        from thads_infra import layout
        fresh = await freshness(host, port, token, fresh_rate, fresh_seconds, kafka=layout.kafka_bootstrap())
        rss: dict[str, float] = {}
        for svc in (intake, audit):
            if svc.proc is not None:
                rss |= service_rss(f"{svc.name} service", svc.proc.pid)
    finally:
        intake.stop()
        audit.stop()
    return {"bare": bare, "writes": writes, "reads": reads, "freshness": fresh, "rss": rss,
            "drain_after_writes_s": drained_s,
            "workers": workers, "connections": CONNECTIONS}
