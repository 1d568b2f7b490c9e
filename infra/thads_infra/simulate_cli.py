"""`thads simulate thanh-hoa-2018 [--scale S] [--seed N]`: the province-year simulation (package
thads_sim) played through intake's bulk import, auctions' and complaints' command routes, and
counted by the statistics service; prints the
wall time, the lines and their answers, and the year's report (unit 38, period 2018)."""
from __future__ import annotations

import asyncio
import json
import time

import typer

from thads_infra import layout

SIMULATIONS = ("thanh-hoa-2018",)


def _url(name: str) -> str:
    return f"http://127.0.0.1:{next(s for s in layout.SERVICES if s.name == name).port}"


def simulate(name: str = typer.Argument(..., help="thanh-hoa-2018"),
             scale: float = typer.Option(1.0, "--scale", help="share of the full year (0.1 = a tenth)"),
             seed: int = typer.Option(2018, "--seed"),
             intake_url: str = typer.Option(None, "--intake-url"),
             statistics_url: str = typer.Option(None, "--statistics-url"),
             auctions_url: str = typer.Option(None, "--auctions-url"),
             complaints_url: str = typer.Option(None, "--complaints-url"),
             no_auctions: bool = typer.Option(False, "--no-auctions", help="no asset sold at auction"),
             no_complaints: bool = typer.Option(False, "--no-complaints", help="no complaint")) -> None:
    """Generate the Thanh Hóa statistical year 1/10/2017–30/9/2018 through the real services."""
    if name not in SIMULATIONS:
        raise typer.BadParameter(f"unknown simulation {name!r}; known: {', '.join(SIMULATIONS)}")
    if not 0 < scale <= 1:
        raise typer.BadParameter("--scale must be in (0, 1]")
    from thads_sim import run

    t0 = time.monotonic()
    out = asyncio.run(run.simulate(intake_url or _url("intake"), statistics_url or _url("statistics"),
                                   scale=scale, seed=seed,
                                   auctions_url=None if no_auctions else auctions_url or _url("auctions"),
                                   complaints_url=None if no_complaints else complaints_url or _url("complaints")))
    wall = time.monotonic() - t0
    print(f"simulation {name} scale {scale} seed {seed}: {out.lines} commands in {out.import_seconds:.1f} s "
          f"({out.lines / max(out.import_seconds, 1e-9):.0f}/s), statistics settled in {out.settle_seconds:.1f} s; "
          f"wall {wall:.1f} s; answers {dict(sorted(out.statuses.items()))}")
    for failure in out.failures[:10]:
        print(json.dumps(failure, ensure_ascii=False)[:400])
    if out.report:
        for tree in ("cases", "money"):
            r = out.report[tree]
            print(f"{tree}: accepted {r['accepted']:,}, with conditions {r['with_conditions']:,}, resolved "
                  f"{r['resolved']:,}, rate {r['rate_percent']} %, target {r['target_percent']} %, "
                  f"{r['vs_target_points']:+} points")
        other = out.report.get("other", {})
        for group in ("auctions", "complaints"):
            if group in other:
                print(f"{group}: " + ", ".join(f"{k} {v:,}" for k, v in other[group].items() if v))
    if out.failures:
        raise typer.Exit(1)
