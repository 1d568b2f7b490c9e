"""The statistics projection's rebuild from Kafka beside a plain aiokafka consumer (issue 12, item 6).

One pair = `POST /admin/projections/stat_facts/rebuild` (a new table version filled from the start of
the topics beside the live one, switched when caught up; timed from the request to the answer) and a
plain aiokafka consumer that reads and decodes (the same envelope validation) the same topics from
their start in the same run, timed two ways: its read loop only (the baseline the ratio uses) and
from the consumer's creation (connecting and seeking included, as the rebuild's time includes them).
The pair is repeated, the order alternating (so neither always reads a warmer cache), and the median
of each side is reported beside every run, with the load average: noise shows.

    python -m bench.rebuild [--repeats 3]      # on the topics as they are (fill them first, e.g.
                                               # `python -m bench.statistics --scale 0.03`)
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics as stats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.console import Console
from rich.table import Table

from thads_contracts.registry import decode
from thads_contracts.topics import PARTITIONS
from thads_infra import layout
from thads_infra.testing import pg_connect, service_process
from thads_infra.tokens import issue_token
from thads_kit.settings import bootstrap_servers
from statistics_service.consumers import TOPICS

console = Console(width=150)


def _partitions(topics: Sequence[str]) -> list[TopicPartition]:
    return [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]


async def topic_size(topics: Sequence[str]) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP))
    await consumer.start()
    try:
        tps = _partitions(topics)
        return sum((await consumer.end_offsets(tps)).values()) - sum((await consumer.beginning_offsets(tps)).values())
    finally:
        await consumer.stop()


async def plain_read(topics: Sequence[str] = TOPICS) -> tuple[int, float, float, float]:
    """Read and decode the topics once, nothing else: the baseline of the rebuild. Returns the
    messages, the seconds of the read loop, the seconds from the consumer's creation, and the CPU
    seconds of the read loop."""
    t_open = time.perf_counter()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP),
                                enable_auto_commit=False, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    try:
        tps = _partitions(topics)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        t0, c0 = time.perf_counter(), time.process_time()
        n = 0
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            for recs in (await consumer.getmany(timeout_ms=500, max_records=2000)).values():
                for rec in recs:
                    try:
                        decode(rec.topic, rec.value)
                    except Exception:      # counted like the projection counts a dead letter: read
                        pass
                    n += 1
        end = time.perf_counter()
        return n, end - t0, end - t_open, time.process_time() - c0
    finally:
        await consumer.stop()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process (all its threads) so far; 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rebuild_once(url: str, pid: int | None = None) -> tuple[float, float, dict[str, Any]]:
    """Seconds of the rebuild request, CPU seconds the service spent meanwhile, its answer."""
    admin = {"Authorization": f"Bearer {issue_token('admin', 'TH', sub='bench')}"}
    async with httpx.AsyncClient(base_url=url, timeout=None) as client:
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        r = await client.post("/admin/projections/stat_facts/rebuild", headers=admin)
        r.raise_for_status()
        return time.perf_counter() - t0, cpu_seconds(pid) - c0, r.json()


async def pairs(url: str, repeats: int = 3, topics: Sequence[str] = TOPICS, pid: int | None = None) -> dict[str, Any]:
    """`repeats` pairs (rebuild, plain), alternating which goes first; medians and every run."""
    events = await topic_size(topics)
    runs: list[dict[str, Any]] = []
    for k in range(repeats):
        load = os.getloadavg()[0]
        rebuild_first = k % 2 == 0
        if not rebuild_first:
            plain = await plain_read(topics)
        rebuild_s, rebuild_cpu, answer = await rebuild_once(url, pid)
        if rebuild_first:
            plain = await plain_read(topics)
        n, plain_s, plain_open_s, plain_cpu = plain
        runs.append({"order": "rebuild, plain" if rebuild_first else "plain, rebuild", "load_1m": round(load, 2),
                     "rebuild_s": round(rebuild_s, 3), "rebuild_per_s": round(events / rebuild_s),
                     "plain_events": n, "plain_s": round(plain_s, 3), "plain_per_s": round(n / plain_s),
                     "plain_open_s": round(plain_open_s, 3), "ratio": round(plain_s * events / (n * rebuild_s), 3),
                     "ratio_open": round(plain_open_s * events / (n * rebuild_s), 3), "facts": answer.get("facts"),
                     "rebuild_cpu_s": round(rebuild_cpu, 2), "plain_cpu_s": round(plain_cpu, 2)})
    med = {k: stats.median(r[k] for r in runs) for k in ("rebuild_s", "plain_s", "plain_open_s")}
    return {
        "rebuild_events": events, "repeats": repeats, "runs": runs,
        "rebuild_s": round(med["rebuild_s"], 3), "rebuild_events_per_s": round(events / med["rebuild_s"]),
        "plain_events": runs[0]["plain_events"], "plain_s": round(med["plain_s"], 3),
        "plain_events_per_s": round(runs[0]["plain_events"] / med["plain_s"]),
        "rebuild_ratio_to_plain": stats.median(r["ratio"] for r in runs),
        "rebuild_ratio_to_plain_with_open": stats.median(r["ratio_open"] for r in runs),
    }


def report(r: dict[str, Any]) -> None:
    t = Table(title=f"statistics rebuild from Kafka vs a plain aiokafka read+decode, {r['rebuild_events']:,} events, "
                    f"{r['repeats']} pairs (median ratio {r['rebuild_ratio_to_plain']}, goal ≥ 0.5)")
    for col in ("run", "order", "load 1m", "rebuild s", "rebuild ev/s", "plain s (loop)", "plain ev/s",
                "plain s (open+loop)", "ratio", "ratio vs open+loop", "CPU s rebuild/plain"):
        t.add_column(col, justify="right")
    for k, x in enumerate(r["runs"], 1):
        t.add_row(str(k), x["order"], f"{x['load_1m']}", f"{x['rebuild_s']}", f"{x['rebuild_per_s']:,}",
                  f"{x['plain_s']}", f"{x['plain_per_s']:,}", f"{x['plain_open_s']}", f"{x['ratio']}",
                  f"{x['ratio_open']}", f"{x['rebuild_cpu_s']} / {x['plain_cpu_s']}")
    t.add_row("median", "", "", f"{r['rebuild_s']}", f"{r['rebuild_events_per_s']:,}", f"{r['plain_s']}",
              f"{r['plain_events_per_s']:,}", "", f"{r['rebuild_ratio_to_plain']}",
              f"{r['rebuild_ratio_to_plain_with_open']}")
    console.print(t)


async def _settled(timeout: float = 300.0) -> int:
    """The live facts once the live consumer has read what is on the topics (the count still for 3 s)."""
    conn = await pg_connect()
    try:
        last, same, deadline = -1, 0, time.monotonic() + timeout
        while time.monotonic() < deadline:
            n = await conn.fetchval("SELECT count(*) FROM statistics.stat_facts")
            same = same + 1 if n == last else 0
            if same >= 3:
                return n
            last = n
            await asyncio.sleep(1.0)
        raise TimeoutError("the live statistics consumer did not settle")
    finally:
        await conn.close()


async def main(repeats: int, py_spy: str | None = None) -> dict[str, Any]:
    stats_svc = service_process("statistics", Path(tempfile.mkdtemp(prefix="bench-rebuild-"))).start()
    spy = None
    try:
        await _settled()
        assert stats_svc.proc is not None
        console.print(f"statistics pid {stats_svc.proc.pid} at {stats_svc.url}")
        if py_spy:         # collapsed stacks of the statistics process during the pairs (py-spy record)
            spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--format", "raw", "--rate", "200", "-o", py_spy,
                                    "-p", str(stats_svc.proc.pid)], stdout=subprocess.DEVNULL)
            await asyncio.sleep(1.0)
        return await pairs(stats_svc.url, repeats, pid=stats_svc.proc.pid)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        stats_svc.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--py-spy", help="record the statistics process into this file (collapsed stacks)")
    args = parser.parse_args()
    report(asyncio.run(main(args.repeats, args.py_spy)))
