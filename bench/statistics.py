"""Statistics bench (issue 12): the province-year simulation through the services' real APIs, and the
statistics projection's rebuild from Kafka beside a plain aiokafka consumer reading the same topic.

1. `thads simulate thanh-hoa-2018 --scale S`: intake's bulk import (every line through the same
   route, rules and batcher) and the statistics service counting intake's events. Printed: the wall
   time of the import and of the report settling, the commands, intake's events (the topic's growth),
   commands/s, the report's rates beside the seed's, and the full-scale time extrapolated from the
   measured rate (labelled as such: the full year is `--scale 1`, which takes long on this machine).
2. Rebuild: `POST /admin/projections/stat_facts/rebuild` (a new table version from the start of the
   topic, switched when caught up) timed against a plain aiokafka consumer that only reads and
   decodes the same topics from their start in the same run: events/s of each and the ratio, over
   3 pairs in alternating order (medians; every pair printed with the load: bench/rebuild.py).

    python -m bench.statistics [--scale 0.02]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from thads_contracts.topics import INTAKE_CASE
from thads_infra.testing import service_process
from thads_sim import run as sim
from thads_sim import thanh_hoa_2018 as th

from bench import rebuild as rebuild_bench

console = Console(width=150)
SEED = {"cases_rate": 82.66, "money_rate": 42.60}


async def run(scale: float = 0.02) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-statistics-"))
    intake = service_process("intake", tmp).start()
    stats = service_process("statistics", tmp).start()
    try:
        before = await rebuild_bench.topic_size((INTAKE_CASE,))
        load_before = os.getloadavg()
        t0 = time.monotonic()
        out = await sim.simulate(intake.url, stats.url, scale=scale, tag=f"b{uuid.uuid4().hex[:6]}",
                                 settle_timeout=1800)
        wall = time.monotonic() - t0
        load_after = os.getloadavg()
        events = await rebuild_bench.topic_size((INTAKE_CASE,)) - before
        if not out.ok:
            raise RuntimeError(f"{len(out.failures)} import lines refused, first: {out.failures[0]}")
        # the rebuild beside the plain consumer, 3 pairs in alternating order, medians (bench/rebuild.py)
        pairs = await rebuild_bench.pairs(stats.url, repeats=3, pid=stats.proc.pid if stats.proc else None)
        rep = out.report or {}
        full_lines = len([x for c in th.plan(1.0, auctions=False, complaints=False) for x in c.lines]) if scale < 1 else out.lines
        rate = out.lines / out.import_seconds if out.import_seconds else 0.0
        return {
            "scale": scale, "commands": out.lines, "events": events, "import_s": round(out.import_seconds, 1),
            "settle_s": round(out.settle_seconds, 1), "wall_s": round(wall, 1), "commands_per_s": round(rate, 1),
            "full_scale_commands": full_lines,
            "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
            "full_scale_extrapolated_s": round(full_lines / rate, 0) if rate else None,
            "cases_accepted": rep.get("cases", {}).get("accepted"),
            "cases_rate_percent": rep.get("cases", {}).get("rate_percent"),
            "money_rate_percent": rep.get("money", {}).get("rate_percent"),
            **{k: pairs[k] for k in ("rebuild_events", "rebuild_s", "rebuild_events_per_s", "plain_events", "plain_s",
                                     "plain_events_per_s", "rebuild_ratio_to_plain")},
            "rebuild_pairs": pairs,
        }
    finally:
        stats.stop()
        intake.stop()


def report(r: dict[str, Any]) -> None:
    t = Table(title=f"statistics: the Thanh Hóa 2018 year at scale {r['scale']} through intake's bulk import")
    for col in ("figure", "value", "note"):
        t.add_column(col)
    t.add_row("commands imported", f"{r['commands']:,}", f"intake events published: {r['events']:,}")
    t.add_row("import wall time", f"{r['import_s']} s", f"{r['commands_per_s']:,} commands/s")
    t.add_row("machine load (1/5/15 min)", f"{r['load_before']} → {r['load_after']}",
              f"{os.cpu_count()} cores shared with everything else running; compare runs at like load")
    t.add_row("report settled after", f"{r['settle_s']} s", f"whole run {r['wall_s']} s")
    t.add_row("full year (extrapolated)", f"{r['full_scale_extrapolated_s']} s",
              f"{r['full_scale_commands']:,} commands at the measured rate; goal ≤ 90 s")
    t.add_row("cases accepted / rate", f"{r['cases_accepted']} / {r['cases_rate_percent']} %",
              f"seed {SEED['cases_rate']} % (a scaled year rounds)")
    t.add_row("money rate", f"{r['money_rate_percent']} %", f"seed {SEED['money_rate']} %")
    t.add_row("rebuild from Kafka", f"{r['rebuild_events_per_s']:,} events/s",
              f"{r['rebuild_events']:,} events in {r['rebuild_s']} s")
    t.add_row("plain aiokafka read+decode", f"{r['plain_events_per_s']:,} events/s",
              f"{r['plain_events']:,} events in {r['plain_s']} s")
    t.add_row("rebuild / plain", f"{r['rebuild_ratio_to_plain']}", "goal ≥ 0.5 (median of the pairs below)")
    console.print(t)
    if "rebuild_pairs" in r:
        rebuild_bench.report(r["rebuild_pairs"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.02)
    args = parser.parse_args()
    result = asyncio.run(run(args.scale))
    report(result)
