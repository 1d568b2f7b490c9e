"""`make bench`: figures for the write path, the relay and the consumers, measured on this machine
against the project's real PostgreSQL and Kafka, each with its baseline and ratio.

    python -m bench.run [--quick] [--only http|core|auctions|audit|recovery|statistics] [--sim-scale S] [--workers N] [--seconds S] [--fresh-rate R] ...

Sections: the core (baseline vs command batcher, the intake Case, a long case, relay, consumer),
then the front door on the service processes (bench/front.py: wrk writes/reads/bare endpoint,
freshness to the audit timeline, peak RSS). Results: bench/results/<time>.json and latest.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from eventsourcing.domain import Aggregate, event
from faststream.kafka import KafkaBroker
from rich.console import Console
from rich.table import Table

from bench import chain as chain_bench
from bench.measure import peak_rss_mib, pct
from thads_contracts import Actor, decode, encode
from thads_contracts import intake as i
from thads_contracts.topics import INTAKE_CASE
from thads_infra import layout, topics
from thads_kit.batcher import CommandBatcher
from thads_kit.consumer import TrackedConsumer
from thads_kit.relay import OutboxRelay, Outgoing
from thads_kit.settings import ServiceSettings
from thads_kit.store import EsExecutor, ServiceApplication

console = Console(width=150)   # whole table rows in a log or a pipe
SCHEMA = "bench"
ACTOR = Actor(id="bench", role="clerk", unit="BENCH")


class Ledger(Aggregate):
    """A stand-in aggregate of the size of a freshly opened case (one event)."""

    @event("Opened")
    def __init__(self, unit: str, judgment_number: str, received_on: date) -> None:
        self.unit = unit
        self.judgment_number = judgment_number
        self.received_on = received_on


class BenchApp(ServiceApplication):
    name = "Bench"


def settings() -> ServiceSettings:
    return ServiceSettings(service_name=SCHEMA, kafka_url=layout.KAFKA_BOOTSTRAP, pg_host=layout.PG_HOST,
                           pg_port=layout.PG_PORT, pg_db=layout.PG_DB, pg_user=layout.PG_USER,
                           aggregate_cache_size=0)


def open_ledger(n: int) -> Ledger:
    return Ledger(unit="BENCH", judgment_number=f"{n}/2025/DS-ST", received_on=date(2025, 3, 1))


async def reset_schema() -> None:
    conn = await asyncpg.connect(host=layout.PG_HOST, port=layout.PG_PORT, database=layout.PG_DB,
                                 user=layout.PG_USER)
    await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    await conn.close()


# --- 1. write path -------------------------------------------------------------------------------
def one_per_transaction(app: ServiceApplication, n: int, make: Any) -> dict[str, float]:
    """The library as documented: one command, one event, one transaction, in a loop.
    `make(k)` returns the new aggregate of command k."""
    lat: list[float] = []
    t0 = time.perf_counter()
    for k in range(n):
        s = time.perf_counter()
        app.save(make(k))
        lat.append(time.perf_counter() - s)
    elapsed = time.perf_counter() - t0
    return {"per_s": n / elapsed, "p50_ms": pct(lat, 50) * 1e3, "p99_ms": pct(lat, 99) * 1e3, "n": n}


async def through_batcher(app: ServiceApplication, executor: EsExecutor, n: int, clients: int,
                          command: Any) -> dict[str, float]:
    """`clients` concurrent callers submit n commands; `command(k)` returns (aggregate id, CommandFn)."""
    batcher = CommandBatcher(app, executor, max_batch=512)
    await batcher.start()
    lat: list[float] = []
    counter = iter(range(n))

    async def client() -> None:
        for k in counter:
            key, fn = command(k)
            s = time.perf_counter()
            await batcher.submit(key, fn)
            lat.append(time.perf_counter() - s)

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    await batcher.stop()
    return {"per_s": n / elapsed, "p50_ms": pct(lat, 50) * 1e3, "p99_ms": pct(lat, 99) * 1e3, "n": n,
            "clients": clients}


def ledger_command(k: int) -> tuple[UUID, Any]:
    def fn() -> tuple[list[Ledger], UUID]:
        ledger = open_ledger(k)
        return [ledger], ledger.id
    return uuid4(), fn


# --- 2. relay ------------------------------------------------------------------------------------
def translate_for(topic: str):
    def translate(e: Any, nid: int) -> Outgoing | None:
        at = datetime.now(timezone.utc)
        env = i.CaseOpened.create(
            payload=i.CaseOpenedPayload(origin=i.CaseOrigin.REQUEST_RECEIVED, channel=i.ReceiptChannel.ONLINE,
                                        received_on=e.received_on, judgment_number=e.judgment_number,
                                        issuing_court="TAND khu vực 1 - Thanh Hóa"),
            source="intake", aggregate_id=e.originator_id, aggregate_version=e.originator_version,
            case_id=e.originator_id, unit=e.unit, actor=ACTOR, occurred_at=at, recorded_at=at,
            source_position=nid)
        return Outgoing(topic, env.kafka_key, encode(env), [("source", b"intake")])
    return translate


async def relay_run(app: BenchApp, s: ServiceSettings, topic: str, last: int) -> dict[str, float]:
    relay = OutboxRelay(service="bench", schema=SCHEMA, events_table="bench_events", mapper=app.mapper,
                        translate=translate_for(topic), pg=s.asyncpg_kwargs(), kafka_url=s.kafka_url,
                        batch=1000, poll_seconds=0.2)
    t0 = time.perf_counter()
    await relay.start()
    await relay.wait_for(last, timeout=600)
    elapsed = time.perf_counter() - t0
    await relay.stop()
    return {"per_s": last / elapsed, "events": last, "seconds": elapsed}


# --- 3. consumers --------------------------------------------------------------------------------
async def consume_run(s: ServiceSettings, topic: str, expected: int) -> dict[str, float]:
    from audit_service.projections import CaseTimeline   # the real audit read model

    pool = await asyncpg.create_pool(**s.asyncpg_kwargs())
    timeline = CaseTimeline(SCHEMA)
    await timeline.setup(pool)
    broker = KafkaBroker(s.kafka_servers, log_level=10)
    # the bench topic carries intake contracts; decode them as if read from the intake topic
    consumer = TrackedConsumer(name=f"bench.{uuid4().hex[:8]}", broker=broker, topics=[topic],
                               sink=timeline, decode=lambda _topic, raw: decode(INTAKE_CASE, raw))
    t0 = time.perf_counter()
    await broker.start()
    while consumer.applied + consumer.duplicates < expected:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - t0
    await broker.stop()
    await consumer.stop()       # its release-request loop, before the pool it uses is closed
    await pool.close()
    return {"per_s": expected / elapsed, "events": expected, "seconds": elapsed,
            "dead_lettered": consumer.dead_lettered}


# --- 4. the intake Case: real commands, and loading a long case -----------------------------------
CLERK = None


def new_case(k: int) -> Any:
    from intake_service.domain import Case
    return Case.receive_request(unit_id="BENCH", intake_ref=f"base-{k}-{uuid4().hex[:6]}", **_request_fields())


def case_command(app: Any):
    from intake_service.application import open_case
    from intake_service.domain import Origin

    def command(k: int) -> tuple[UUID, Any]:
        return open_case(app, Origin.REQUEST, "BENCH", f"b-{k}-{uuid4().hex[:6]}", **_request_fields())
    return command


def _request_fields() -> dict[str, Any]:
    return {"channel": "online", "at": datetime.now(timezone.utc), "actor": _clerk(),
            "judgment_number": "1/2025/DS-ST", "issuing_court": "TAND khu vực 1"}


def _clerk() -> Any:
    from intake_service.domain import Actor as DomainActor, Role
    return DomainActor(id="bench-clerk", role=Role.CLERK)


def long_case_load(env: dict[str, str], events: int, loads: int) -> dict[str, Any]:
    """Build one case with `events` events, then load it `loads` times cold (no cache: read and
    replay every event) and warm (aggregate cache, fast-forwarded from the store on each get)."""
    from intake_service.application import Intake
    from intake_service.domain import Case

    cold_env = {k: v for k, v in env.items() if k != "AGGREGATE_CACHE_MAXSIZE"}
    writer = Intake(env=cold_env)
    case = Case.receive_request(unit_id="BENCH", intake_ref=f"long-{uuid4().hex[:8]}", channel="online",
                                at=datetime.now(timezone.utc), actor=_clerk(), judgment_number="9/2025/HS-ST",
                                issuing_court="TAND tỉnh Thanh Hóa")
    while case.version < events:
        case.add_party(str(uuid4()), "creditor", "individual", at=datetime.now(timezone.utc), actor=_clerk())
    writer.save(case)
    out: dict[str, Any] = {"events": case.version}
    for label, app in (("cold", writer), ("cached", Intake(env=cold_env | {"AGGREGATE_CACHE_MAXSIZE": "100"}))):
        app.get_case(case.id)   # warm-up (and fills the cache)
        lat = []
        for _ in range(loads):
            s = time.perf_counter()
            loaded = app.get_case(case.id)
            lat.append(time.perf_counter() - s)
        assert loaded.version == case.version
        out[label] = {"p50_ms": pct(lat, 50) * 1e3, "p99_ms": pct(lat, 99) * 1e3, "n": loads}
    return out


# --- 6. memory -----------------------------------------------------------------------------------
def processes_named(fragment: str) -> list[int]:
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if fragment in (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    pids.append(int(p.name))
            except OSError:
                pass
    return pids


def postgres_processes() -> list[int]:
    """The postmaster of this run (its pid is the first line of postmaster.pid) and its backends."""
    try:
        postmaster = int(next(layout.RUN_DIR.glob("pg/postmaster.pid")).read_text().split()[0])
    except (StopIteration, OSError, ValueError):
        return []
    from bench.front import children
    return [postmaster, *children(postmaster)]


async def core(args: argparse.Namespace) -> dict[str, Any]:
    s = settings()
    await reset_schema()
    topic = f"thads.bench.{int(time.time())}"
    await topics.ensure_topics(layout.KAFKA_BOOTSTRAP, topics=[topic])
    executor = EsExecutor(s.es_workers)
    app = await executor.run(BenchApp, s.eventsourcing_env())

    console.print(f"[bold]baseline[/]: {args.baseline} × app.save(one new aggregate), one transaction each")
    base = await executor.run(one_per_transaction, app, args.baseline, open_ledger)
    console.print(f"[bold]batcher[/]: {args.commands} commands from {args.clients} concurrent clients")
    batch = await through_batcher(app, executor, args.commands, args.clients, ledger_command)
    total = args.baseline + args.commands
    from intake_service.application import Intake
    intake_app = await executor.run(lambda: Intake(env=s.eventsourcing_env()))
    console.print(f"[bold]intake[/]: receive_request, {args.baseline} one per transaction vs {args.commands} batched")
    ibase = await executor.run(one_per_transaction, intake_app, args.baseline, new_case)
    ibatch = await through_batcher(intake_app, executor, args.commands, args.clients, case_command(intake_app))
    console.print("[bold]long case[/]: one case with 520 events, loaded cold and from the cache")
    # 520: the snapshot at 500 plus a tail of 20 events to replay, not the best case of a snapshot at the end
    long_case = await executor.run(long_case_load, s.eventsourcing_env(), 520, args.loads)
    console.print(f"[bold]relay[/]: {total} events store → Kafka (acks=all)")
    relay = await relay_run(app, s, topic, total)
    console.print(f"[bold]consumer[/]: {total} events Kafka → audit timeline (tracked, COPY)")
    consume = await consume_run(s, topic, total)
    console.print("[bold]hash chain[/]: batcher with and without hashing; thads verify beside a plain read")
    chain = {"batcher": await chain_bench.batcher_with_and_without(
                 executor, s, args.commands, args.clients, app_class=BenchApp, command=ledger_command,
                 through_batcher=through_batcher),
             "verify": await executor.run(chain_bench.verify_rate, SCHEMA)}
    await executor.shutdown()
    rss = {"bench process (batcher+relay+consumer)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return {"baseline": base, "batcher": batch, "ratio": batch["per_s"] / base["per_s"], "relay": relay,
            "consumer": consume, "intake_baseline": ibase, "intake_batcher": ibatch,
            "intake_ratio": ibatch["per_s"] / ibase["per_s"], "long_case": long_case, "peak_rss_mib": rss,
            "chain": chain, "batcher_with_hashing_cmd_per_s": chain["batcher"]["with_chain"]["per_s"],
            "batcher_without_hashing_cmd_per_s": chain["batcher"]["without_chain"]["per_s"],
            "verify_events_per_s": chain["verify"]["verify_per_s"],
            "plain_read_rows_per_s": chain["verify"]["read_per_s"], "verify_ratio_to_read": chain["verify"]["ratio"]}


async def audit_chain(args: argparse.Namespace) -> dict[str, Any]:
    """The hash-chain figures of the audit issue when `core` is not run (`--only audit`): the bench
    store filled through the batcher, then the batcher with and without hashing and `thads verify`
    beside a plain read of the same rows — the same measures as core's."""
    s = settings()
    await reset_schema()
    executor = EsExecutor(s.es_workers)
    try:
        app = await executor.run(BenchApp, s.eventsourcing_env())
        console.print(f"[bold]hash chain[/]: {args.commands} commands into the bench store; batcher with and without "
                      f"hashing; thads verify beside a plain read")
        await through_batcher(app, executor, args.commands, args.clients, ledger_command)
        await executor.run(app.close)
        return {"batcher": await chain_bench.batcher_with_and_without(
                    executor, s, args.commands, args.clients, app_class=BenchApp, command=ledger_command,
                    through_batcher=through_batcher),
                "verify": await executor.run(chain_bench.verify_rate, SCHEMA)}
    finally:
        await executor.shutdown()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from bench import front

    # other work on the machine skews every figure: the load average (1, 5, 15 min) at start and end
    out: dict[str, Any] = {"peak_rss_mib": {}, "load_average_start": list(os.getloadavg())}
    if args.only in (None, "core"):
        out |= await core(args)
    if args.only in (None, "http"):
        console.print(f"[bold]front door[/]: intake ({args.workers} worker(s)) and audit processes; wrk, "
                      f"{front.CONNECTIONS} connections, {args.seconds:.0f} s each: bare endpoint, writes, reads; "
                      f"then {args.fresh_rate:.0f} commands/s for {args.fresh_seconds:.0f} s until the audit timeline")
        http = await front.run(Path(layout.LOG_DIR), seconds=args.seconds, workers=args.workers,
                               fresh_rate=args.fresh_rate, fresh_seconds=args.fresh_seconds)
        out["peak_rss_mib"] = out["peak_rss_mib"] | http.pop("rss")
        out["http"] = http
        bare, w, r, f = http["bare"], http["writes"], http["reads"], http["freshness"]
        out |= {"http_write_cmd_per_s": w["per_s"], "http_write_p50_ms": w["p50_ms"], "http_write_p99_ms": w["p99_ms"],
                "http_read_req_per_s": r["per_s"], "http_read_p50_ms": r["p50_ms"], "http_read_p99_ms": r["p99_ms"],
                "bare_endpoint_req_per_s": bare["per_s"], "bare_endpoint_p99_ms": bare["p99_ms"],
                "write_ratio_to_bare": w["per_s"] / bare["per_s"], "read_ratio_to_bare": r["per_s"] / bare["per_s"],
                "freshness_p50_ms": f["p50_ms"], "freshness_p99_ms": f["p99_ms"], "http_workers": args.workers,
                "freshness_to_kafka_p50_ms": f.get("kafka_p50_ms"), "freshness_to_kafka_p99_ms": f.get("kafka_p99_ms")}
    if args.only in (None, "auctions"):
        from bench import auctions
        console.print("[bold]auctions[/]: bids/s through the API, close latency of a round of 1,000 bids")
        out["auctions"] = await auctions.run(assets=16, bids=1000, closes=2 if args.quick else 3)
    if args.only in (None, "audit"):
        from bench import audit
        console.print("[bold]audit[/]: timeline and as-of latency of a case with 500 events (HTTP)")
        out["audit"] = await audit.run(Path(layout.LOG_DIR), requests=50 if args.quick else 200)
        out |= {f"audit_{k}_{q}": out["audit"][k][q] for k in ("timeline_whole", "as_of") for q in ("p50_ms", "p99_ms")}
        if "chain" not in out:          # --only audit: the chain figures too
            chain = await audit_chain(args)
            out |= {"chain": chain, "batcher_with_hashing_cmd_per_s": chain["batcher"]["with_chain"]["per_s"],
                    "batcher_without_hashing_cmd_per_s": chain["batcher"]["without_chain"]["per_s"],
                    "verify_events_per_s": chain["verify"]["verify_per_s"],
                    "plain_read_rows_per_s": chain["verify"]["read_per_s"],
                    "verify_ratio_to_read": chain["verify"]["ratio"]}
    if args.only in (None, "recovery"):
        from bench import recovery
        console.print("[bold]recovery[/]: bank feed freshness, intake command → the bank's topic and SSE stream")
        out["recovery"] = await recovery.run(cases=8, rate=10.0, seconds=10.0 if args.quick else 30.0)
    if args.only in (None, "statistics"):
        from bench import statistics
        console.print(f"[bold]statistics[/]: the Thanh Hóa 2018 year at scale {args.sim_scale} through intake's bulk "
                      "import; the rebuild from Kafka beside a plain consumer")
        out["statistics"] = await statistics.run(scale=args.sim_scale)
        out |= {f"statistics_{k}": out["statistics"][k] for k in (
            "commands_per_s", "full_scale_extrapolated_s", "rebuild_events_per_s", "rebuild_ratio_to_plain")}
    # this run's broker and PostgreSQL only (other checkouts may run their own on the machine)
    for pid in processes_named(str(layout.KAFKA_HOME)):
        out["peak_rss_mib"][f"kafka broker pid {pid}"] = peak_rss_mib(pid) or 0.0
    pg = [peak_rss_mib(p) or 0.0 for p in postgres_processes()]
    if pg:
        out["peak_rss_mib"]["postgres (largest backend)"] = max(pg)
    out["peak_rss_mb"] = out["peak_rss_mib"]   # the key the issue names (values in MiB)
    out["load_average_1m"] = os.getloadavg()[0]
    out["load_average_end"] = list(os.getloadavg())
    return out


def report(r: dict[str, Any]) -> None:
    if "baseline" in r:
        report_core(r)
    if "http" in r:
        report_http(r)
    if "auctions" in r:
        from bench import auctions
        auctions.report(r["auctions"])
    if "audit" in r:
        from bench import audit
        audit.report(r["audit"])
        if "chain" in r and "baseline" not in r:
            chain_bench.report(r["chain"])
    if "recovery" in r:
        from bench import recovery
        recovery.report(r["recovery"])
    if "statistics" in r:
        from bench import statistics
        statistics.report(r["statistics"])
    m = Table(title="peak RSS (VmHWM)")
    m.add_column("process")
    m.add_column("MiB", justify="right")
    for name, mib in r["peak_rss_mib"].items():
        m.add_row(name, f"{mib:,.0f}")
    console.print(m)
    start, end = r.get("load_average_start", [0, 0, 0]), r.get("load_average_end", [0, 0, 0])
    console.print(f"load average (1, 5, 15 min) at the start {start[0]:.1f} {start[1]:.1f} {start[2]:.1f}, at the end "
                  f"{end[0]:.1f} {end[1]:.1f} {end[2]:.1f}, on {os.cpu_count()} cores"
                  + (" — UNDER CONTENTION: other work shared the machine" if max(start[0], end[0]) > 1.5 else ""))


def report_http(r: dict[str, Any]) -> None:
    h = r["http"]
    t = Table(title=f"front door: intake process ({h['workers']} worker(s)), wrk, {h['connections']} connections")
    for col in ("request", "per second", "p50 ms", "p99 ms", "ratio to bare", "goal"):
        t.add_column(col, justify="right" if col != "request" else "left")
    bare, w, rd, f = h["bare"], h["writes"], h["reads"], h["freshness"]
    t.add_row("bare GET /health/live (no auth, no database)", f"{bare['per_s']:,.0f}", f"{bare['p50_ms']:.1f}",
              f"{bare['p99_ms']:.1f}", "1.00", "the ceiling")
    t.add_row("writes: POST /cases/judgments (new case)", f"{w['per_s']:,.0f}", f"{w['p50_ms']:.1f}",
              f"{w['p99_ms']:.1f}", f"{r['write_ratio_to_bare']:.2f}", "≥ 2,000/s, p99 ≤ 50 ms, ratio ≥ 0.3")
    t.add_row("reads: GET /cases/{id} and /cases/{id}/events", f"{rd['per_s']:,.0f}", f"{rd['p50_ms']:.1f}",
              f"{rd['p99_ms']:.1f}", f"{r['read_ratio_to_bare']:.2f}", "≥ 3,000/s, ratio ≥ 0.6")
    t.add_row(f"freshness: HTTP answer → audit timeline at {f['rate_sent']:,.0f} commands/s "
              f"({f['visible']}/{f['commands']} seen)", "", f"{f['p50_ms']:.0f}", f"{f['p99_ms']:.0f}", "",
              "p99 ≤ 200 ms")
    console.print(t)
    from thads_kit.settings import ServiceSettings
    poll = ServiceSettings().relay_poll_seconds
    console.print(f"freshness: the relay wakes on LISTEN/NOTIFY and polls only as a fallback every {poll:.1f} s "
                  f"(p50 {f['p50_ms']:.0f} ms); the reader polled the audit table every {f['poll_ms']:.0f} ms; "
                  f"asked {f['rate_asked']:.0f} commands/s, sent {f['rate_sent']:.0f}/s")
    if f.get("kafka_seen"):
        console.print(f"freshness split: HTTP answer → on intake's Kafka topic (the relay's part) p50 "
                      f"{f['kafka_p50_ms']:.0f} ms, p99 {f['kafka_p99_ms']:.0f} ms; the rest is the audit consumer's")
    if "drain_after_writes_s" in h:
        console.print(f"reads start once the services are idle: the write phase's relay, audit timeline and "
                      f"case index work took {h['drain_after_writes_s']:.0f} s after the last write was answered")
    errors = {k: h[k]["errors"] for k in ("bare", "writes", "reads") if h[k]["errors"]}
    if errors or f["failures"]:
        console.print(f"[red]errors[/]: {errors} freshness failures {f['failures']} {f['first_failures']}")


def report_core(r: dict[str, Any]) -> None:
    t = Table(title="THADS write path (same machine, same run)")
    for col in ("measure", "per second", "p50 ms", "p99 ms", "n"):
        t.add_column(col, justify="right" if col != "measure" else "left")
    t.add_row("baseline: one event per transaction", f"{r['baseline']['per_s']:,.0f}",
              f"{r['baseline']['p50_ms']:.2f}", f"{r['baseline']['p99_ms']:.2f}", str(r['baseline']['n']))
    t.add_row(f"batcher ({r['batcher']['clients']} clients)", f"{r['batcher']['per_s']:,.0f}",
              f"{r['batcher']['p50_ms']:.2f}", f"{r['batcher']['p99_ms']:.2f}", str(r['batcher']['n']))
    t.add_row("intake receive_request: one per transaction", f"{r['intake_baseline']['per_s']:,.0f}",
              f"{r['intake_baseline']['p50_ms']:.2f}", f"{r['intake_baseline']['p99_ms']:.2f}",
              str(r['intake_baseline']['n']))
    t.add_row(f"intake receive_request: batcher ({r['intake_batcher']['clients']} clients)",
              f"{r['intake_batcher']['per_s']:,.0f}", f"{r['intake_batcher']['p50_ms']:.2f}",
              f"{r['intake_batcher']['p99_ms']:.2f}", str(r['intake_batcher']['n']))
    t.add_row("relay: store → Kafka ack", f"{r['relay']['per_s']:,.0f}", "", "", str(r['relay']['events']))
    t.add_row("consumer: Kafka → timeline", f"{r['consumer']['per_s']:,.0f}", "", "", str(r['consumer']['events']))
    console.print(t)
    console.print(f"[bold]ratio batcher / baseline: {r['ratio']:.2f}×[/] (stand-in aggregate), "
                  f"[bold]{r['intake_ratio']:.2f}×[/] (intake Case) (target ≥ 3×)")
    lc = r["long_case"]
    console.print(f"[bold]case with {lc['events']} events[/]: load cold p50 {lc['cold']['p50_ms']:.1f} ms, "
                  f"p99 {lc['cold']['p99_ms']:.1f} ms (snapshots every 50); with the aggregate cache (off by default) p50 {lc['cached']['p50_ms']:.2f} ms, "
                  f"p99 {lc['cached']['p99_ms']:.2f} ms (target p99 ≤ 20 ms)")
    chain_bench.report(r["chain"])


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--commands", type=int, default=20000)
    parser.add_argument("--baseline", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=128)
    parser.add_argument("--loads", type=int, default=200, help="loads of the 500-event case")
    parser.add_argument("--seconds", type=float, default=15, help="each wrk run of the front door")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the intake service")
    parser.add_argument("--fresh-rate", type=float, default=500, help="commands/s of the freshness run")
    parser.add_argument("--fresh-seconds", type=float, default=10)
    parser.add_argument("--only", choices=("core", "http", "auctions", "audit", "recovery", "statistics"), help="run one part only")
    parser.add_argument("--sim-scale", type=float, default=1.0,
                        help="scale of the simulated province year (1 = the whole Thanh Hóa 2018 year)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run: fewer commands and loads, 5 s per wrk run, 5 s of freshness")
    args = parser.parse_args()
    if args.quick:
        args.commands, args.baseline, args.loads = 4000, 1000, 50
        args.seconds, args.fresh_seconds = 5, 5
        args.sim_scale = min(args.sim_scale, 0.005)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main(args))
    report(result)
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2))
    (out / "latest.json").write_text(json.dumps(result, indent=2))
    console.print(f"written {path} and {out / 'latest.json'}")


if __name__ == "__main__":
    cli()
