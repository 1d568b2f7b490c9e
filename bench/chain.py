"""Tamper-evidence figures for `make bench` (wired into bench/run.py with a few lines):

* the command batcher's commands/s with and without the hash chain, in the same run, on the same
  fresh store, rounds alternating (with, without, with, without) so that load drift on a shared
  machine hits both alike;
* `thads verify`'s rate (events/s) over the whole bench store (every chained table of the schema)
  beside a plain sequential read of the same rows in the same order, and the ratio.
"""
from __future__ import annotations

import time
from typing import Any

import psycopg
from rich.console import Console

from thads_infra import layout
from thads_kit import chain
from thads_kit.settings import ServiceSettings
from thads_kit.store import EsExecutor

console = Console()
SCHEMA = "bench_chain"


def _connect() -> psycopg.Connection[Any]:
    return psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                           autocommit=True)


async def batcher_with_and_without(executor: EsExecutor, base: ServiceSettings, commands: int, clients: int, *,
                                   app_class: Any, command: Any, through_batcher: Any, rounds: int = 2
                                   ) -> dict[str, Any]:
    """`through_batcher(app, executor, n, clients, command)` is run.py's measure."""
    with _connect() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    s = base.model_copy(update={"pg_schema": SCHEMA})
    app = await executor.run(app_class, s.eventsourcing_env())
    per = max(1, commands // (2 * rounds))
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    try:
        for _ in range(rounds):
            for hashing in (True, False):
                app.recorder.chain_enabled = hashing   # type: ignore[attr-defined]
                runs[hashing].append(await through_batcher(app, executor, per, clients, command))
    finally:
        app.recorder.chain_enabled = True   # type: ignore[attr-defined]
        await executor.run(app.close)
        with _connect() as conn:
            conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")

    def merged(rs: list[dict[str, float]]) -> dict[str, float]:
        n = sum(r["n"] for r in rs)
        return {"per_s": n / sum(r["n"] / r["per_s"] for r in rs), "p50_ms": max(r["p50_ms"] for r in rs),
                "p99_ms": max(r["p99_ms"] for r in rs), "n": n, "clients": clients}

    with_, without = merged(runs[True]), merged(runs[False])
    return {"with_chain": with_, "without_chain": without, "cost": 1 - with_["per_s"] / without["per_s"]}


def verify_rate(schema: str) -> dict[str, Any]:
    with _connect() as conn:
        stores = chain.find_stores(conn, [schema])
        t0 = time.perf_counter()
        result = chain.verify_database(conn, services=[schema], audit_schema=None)
        verify_s = time.perf_counter() - t0
        events = sum(r.events for r in result.stores)
        t0 = time.perf_counter()
        read = 0
        for s, table in stores:           # the same rows in the same order, nothing computed
            with conn.transaction(), conn.cursor(name="plain_read") as curs:
                curs.itersize = 5000
                curs.execute(f'SELECT originator_id, originator_version, notification_id, topic, state'
                             f' FROM "{s}"."{table}" ORDER BY originator_id, originator_version')
                for _row in curs:
                    read += 1
        read_s = time.perf_counter() - t0
    return {"events": events, "intact": result.intact, "verify_per_s": events / verify_s,
            "read_per_s": read / read_s, "ratio": (events / verify_s) / (read / read_s),
            "stores": [f"{s}.{t}" for s, t in stores]}


def report(r: dict[str, Any]) -> None:
    b, v = r["batcher"], r["verify"]
    console.print(f"[bold]hash chain, batcher ({b['with_chain']['clients']} clients, alternating rounds)[/]: "
                  f"with hashing {b['with_chain']['per_s']:,.0f} commands/s (p99 {b['with_chain']['p99_ms']:.1f} ms), "
                  f"without {b['without_chain']['per_s']:,.0f} commands/s (p99 {b['without_chain']['p99_ms']:.1f} ms): "
                  f"cost {b['cost']:.1%}")
    console.print(f"[bold]thads verify[/] over {v['events']:,} events ({', '.join(v['stores'])}; "
                  f"{'intact' if v['intact'] else 'NOT intact'}): {v['verify_per_s']:,.0f} events/s; plain "
                  f"sequential read of the same rows {v['read_per_s']:,.0f} rows/s; ratio {v['ratio']:.2f}")
