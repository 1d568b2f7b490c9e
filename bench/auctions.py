"""Auctions bench (issue 8): bids/s through the API and the close latency of a round of 1,000 bids.

The auctions service runs as its own process (one uvicorn worker) on the bench's PostgreSQL and
Kafka. Bids on one asset are sequential by nature (each must top the last), so throughput is measured
over `assets` rounds bid on concurrently, each by one client; then one round with `bids` bids is
closed, timing the close (load the asset, sha256 of the ordered bid log, save, answer) over `closes`
such rounds.

    python -m bench.auctions [--assets 16] [--bids 1000] [--closes 3]
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench import measure
from thads_infra.testing import service_process
from thads_infra.tokens import issue_token

console = Console()
HEADERS = {"Authorization": f"Bearer {issue_token('officer', 'TH-01', sub='bench')}"}


def pct(values: list[float], p: float) -> float:
    return measure.pct(values, p, empty=0.0)


async def _post(c: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await c.post(path, json=body, headers=HEADERS)
    if r.status_code != 200:
        raise RuntimeError(f"{path}: {r.status_code} {r.text}")
    return r.json()


async def announced_asset(c: httpx.AsyncClient, bidders: int = 10) -> str:
    aid = (await _post(c, "/assets", {"case_id": str(uuid.uuid4()), "kind": "movable", "description": "Xe ô tô (bench)",
                                      "claim_item_ids": [str(uuid.uuid4())], "decision_number": "1/QĐ-BENCH",
                                      "seized_on": "2026-03-02"}))["asset_id"]
    await _post(c, f"/assets/{aid}/valuation", {"method": "agreed", "price_vnd": 100_000_000, "valued_on": "2026-03-02"})
    await _post(c, f"/assets/{aid}/organisation-contract", {"organisation": "Công ty", "contracted_on": "2026-03-02",
                                                            "parties_agreed_on": "2026-03-02"})
    await _post(c, f"/assets/{aid}/auctions", {"announced_on": "2026-03-03", "second_announced_on": "2026-03-05",
                                               "auction_on": "2026-03-25",
                                               "deposit_vnd": 10_000_000, "place": "Chi cục", "organiser": "Công ty"})
    for b in range(bidders):
        await _post(c, f"/assets/{aid}/bidders", {"bidder_id": f"DG-{b:02d}", "deposit_paid_vnd": 10_000_000})
    return aid


async def bid_round(c: httpx.AsyncClient, aid: str, n: int, latencies: list[float]) -> None:
    for k in range(n):
        t0 = time.perf_counter()
        await _post(c, f"/assets/{aid}/bids", {"bidder_id": f"DG-{k % 10:02d}", "amount_vnd": 100_000_000 + k * 100_000})
        latencies.append((time.perf_counter() - t0) * 1000)


async def run(assets: int, bids: int, closes: int) -> dict[str, Any]:
    svc = service_process("auctions", Path(tempfile.mkdtemp(prefix="bench-auctions-"))).start()
    try:
        async with httpx.AsyncClient(base_url=svc.url, timeout=120) as c:
            ids = [await announced_asset(c) for _ in range(assets)]
            per_round = max(1, bids // 10)
            lat: list[float] = []
            t0 = time.perf_counter()
            await asyncio.gather(*(bid_round(c, aid, per_round, lat) for aid in ids))
            elapsed = time.perf_counter() - t0
            closes_ms: list[float] = []
            for _ in range(closes):
                aid = await announced_asset(c)
                await bid_round(c, aid, bids, [])
                t1 = time.perf_counter()
                await _post(c, f"/assets/{aid}/close", {"closed_on": "2026-03-25"})
                closes_ms.append((time.perf_counter() - t1) * 1000)
    finally:
        svc.stop()
    return {"bids_per_s": len(lat) / elapsed, "bid_p50_ms": pct(lat, 50), "bid_p99_ms": pct(lat, 99),
            "concurrent_rounds": assets, "bids_measured": len(lat), "close_bids": bids,
            "close_p50_ms": pct(closes_ms, 50), "close_max_ms": max(closes_ms)}


def report(r: dict[str, Any]) -> None:
    t = Table(title="auctions (one process, one worker)")
    t.add_column("measure")
    t.add_column("result", justify="right")
    t.add_row(f"bids through the API, {r['concurrent_rounds']} rounds bid on at once",
              f"{r['bids_per_s']:,.0f} bids/s, p50 {r['bid_p50_ms']:.1f} ms, p99 {r['bid_p99_ms']:.1f} ms")
    t.add_row(f"close of a round of {r['close_bids']:,} bids (sha256 of the bid log, save, answer)",
              f"p50 {r['close_p50_ms']:.1f} ms, max {r['close_max_ms']:.1f} ms")
    console.print(t)


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.auctions")
    parser.add_argument("--assets", type=int, default=16)
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--closes", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(run(args.assets, args.bids, args.closes))
    report(result)


if __name__ == "__main__":
    cli()
