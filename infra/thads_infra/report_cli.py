"""`thads report`: a period report of a unit from the statistics service's API (port 8105), as a
table, JSON, CSV or XLSX (the service renders each, with the form's Vietnamese labels). Uses a dev
token of role admin unless --token is given; a refusal prints the service's Vietnamese message and
exits 1."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import typer

from thads_infra import layout, tokens


def _statistics_url() -> str:
    spec = next(s for s in layout.SERVICES if s.name == "statistics")
    return f"http://127.0.0.1:{spec.port}"


def report(unit: str = typer.Option(..., "--unit", help="official unit code: 38 (Thanh Hóa), 381, 38-CUC, 38,40"),
           period: str = typer.Option(..., "--period", help="2018 (1/10/2017–30/9/2018), 2018-9m, 2018-03"),
           fmt: str = typer.Option("table", "--format", help="table | json | csv | xlsx"),
           output: Path = typer.Option(None, "--output", "-o", help="file for xlsx (default bao-cao-<unit>-<period>.xlsx)"),
           url: str = typer.Option(None, "--url", help="statistics service base URL"),
           token: str = typer.Option(None, "--token", help="bearer token (default: a dev admin token)")) -> None:
    """Print (or, for xlsx, write) the report of UNIT for PERIOD, computed from the events."""
    if fmt not in ("table", "json", "csv", "xlsx"):
        raise typer.BadParameter("--format must be one of table, json, csv, xlsx")
    bearer = token or tokens.issue_token("admin", "TH", sub="thads-report")
    try:
        r = httpx.get(f"{url or _statistics_url()}/reports", params={"unit": unit, "period": period, "format": fmt},
                      headers={"Authorization": f"Bearer {bearer}"}, timeout=600)
    except httpx.HTTPError as exc:
        print(f"statistics service not reachable: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if r.status_code != 200:
        try:
            body = r.json()
            print(f"{r.status_code} {body.get('rule')}: {body.get('message')} ({body.get('detail')})", file=sys.stderr)
        except ValueError:
            print(f"{r.status_code}: {r.text}", file=sys.stderr)
        raise typer.Exit(1)
    if fmt == "xlsx":
        path = output or Path(f"bao-cao-{unit.replace(',', '_')}-{period}.xlsx")
        path.write_bytes(r.content)
        print(str(path))
    elif fmt == "json":
        print(json.dumps(r.json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(r.text)
