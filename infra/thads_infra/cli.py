"""`thads`: bring the local platform up and down, show its state, issue dev tokens.

`thads up` runs Kafka as one node; `thads up --cluster` runs the whole stack on the 3-node KRaft
cluster instead (replication 3, min.insync.replicas 2, services given all three addresses), and
records that in layout.STACK_FILE so that `status`, `down` and the test helpers follow it."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from thads_kit.auth import ROLES
from thads_infra import deadletters, kafka, layout, postgres, procs, tokens, topics

app = typer.Typer(help="THADS local platform: PostgreSQL, Kafka, topics and services.",
                  no_args_is_help=True, add_completion=False)
console = Console()
app.add_typer(deadletters.app, name="deadletters")
from thads_infra import report_cli  # noqa: E402  (statistics: thads report)
app.command(name="report")(report_cli.report)
from thads_infra import simulate_cli  # noqa: E402  (thads simulate thanh-hoa-2018)
app.command(name="simulate")(simulate_cli.simulate)


CLUSTER_TOPIC_CONFIGS = {"min.insync.replicas": "2"}


def service_env(spec: layout.ServiceSpec, kafka_url: str | None = None) -> dict[str, str]:
    """Environment a service process gets; names follow its Settings env_prefix NAME_."""
    p = spec.name.upper()
    return {
        f"{p}_HTTP_PORT": str(spec.port),
        f"{p}_KAFKA_URL": kafka_url or layout.kafka_bootstrap(),
        f"{p}_PG_HOST": layout.PG_HOST,
        f"{p}_PG_PORT": str(layout.PG_PORT),
        f"{p}_PG_USER": layout.PG_USER,
        f"{p}_PG_DB": layout.PG_DB,
        f"{p}_PG_SCHEMA": spec.name,
        layout.JWT_SECRET_ENV: tokens.jwt_secret(),
        "PYTHONUNBUFFERED": "1",
    }


def _health_url(spec: layout.ServiceSpec) -> str:
    return f"http://127.0.0.1:{spec.port}/health"


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(1)


def _start_services(kafka_url: str) -> bool:
    ok = True
    for spec in layout.SERVICES:
        if not _importable(spec.module):
            console.print(f"[yellow]skipped[/] {spec.name}: module {spec.module} cannot be imported yet")
            continue
        pid = procs.start(spec.name, [sys.executable, "-m", spec.module], env=service_env(spec, kafka_url),
                         cwd=layout.ROOT)
        try:
            with console.status(f"Waiting for {spec.name} on {_health_url(spec)} ..."):
                procs.wait_http(_health_url(spec), timeout=60, name=spec.name)
        except (RuntimeError, TimeoutError) as exc:
            console.print(f"[red]failed[/] {spec.name}: {exc}")
            ok = False
            continue
        console.print(f"[green]started[/] {spec.name} on {_health_url(spec)} (pid {pid}, "
                      f"log {procs.log_path(spec.name)})")
    return ok


def _cluster() -> kafka.KafkaCluster:
    return kafka.KafkaCluster(layout.KAFKA_CLUSTER_HOME)


def _cluster_running() -> bool:
    return any(node["running"] for node in _cluster().status())


def _record_stack(mode: str, bootstrap: str) -> None:
    layout.STACK_FILE.parent.mkdir(parents=True, exist_ok=True)
    layout.STACK_FILE.write_text(json.dumps({"kafka": mode, "bootstrap": bootstrap}) + "\n")


def _start_kafka(cluster: bool) -> str:
    """Start the Kafka the stack is to run on, with its topics; returns its bootstrap list."""
    if cluster:
        if kafka.single_node().pid() is not None:
            raise RuntimeError("the single-node Kafka of this run folder is running; "
                               "`thads down` first, then `thads up --cluster`")
        with console.status(f"Starting the 3-node Kafka cluster on {layout.CLUSTER_BOOTSTRAP} ..."):
            _cluster().start()
        bootstrap, replication, configs = layout.CLUSTER_BOOTSTRAP, 3, CLUSTER_TOPIC_CONFIGS
    else:
        if _cluster_running():
            raise RuntimeError("this stack runs on the 3-node Kafka cluster; use `thads up --cluster`, "
                               "or `thads down` first")
        with console.status(f"Starting Kafka on {layout.SINGLE_BOOTSTRAP} ..."):
            kafka.start()
        bootstrap, replication, configs = layout.SINGLE_BOOTSTRAP, 1, None
    with console.status("Creating topics ..."):
        counts = asyncio.run(topics.ensure_topics(bootstrap, replication=replication, configs=configs))
    _record_stack("cluster" if cluster else "single", bootstrap)
    console.print(f"{len(counts)} topics ready (replication {replication}): {', '.join(counts)}")
    return bootstrap


@app.command()
def up(services: bool = typer.Option(True, "--services/--no-services",
                                     help="also start every service in layout.SERVICES"),
       demo: bool = typer.Option(False, "--demo", help="load demo data: a simulated Thanh Hóa 2018 year through the "
                                                        "services' bulk imports, then each service's own demo"),
       demo_cases: int = typer.Option(0, help="also play this many cases of intake's own demo generator (the law's "
                                              "rarer paths: partial termination, value in kind, separate register)"),
       cluster: bool = typer.Option(False, "--cluster",
                                    help="run on the 3-node Kafka cluster (replication 3, min.insync.replicas 2; "
                                         "ports from THADS_CLUSTER_PORT_BASE) instead of one broker")) -> None:
    """Start PostgreSQL, Kafka (fetching its jars once), create topics, then the services."""
    try:
        with console.status("Starting PostgreSQL ..."):
            postgres.start()
        if not kafka.jars_ready():
            with console.status("Fetching Kafka jars with Maven (first run only) ..."):
                kafka.ensure_jars()
        bootstrap = _start_kafka(cluster)
    except (RuntimeError, TimeoutError, OSError) as exc:
        raise _fail(str(exc)) from None
    if services and not _start_services(bootstrap):
        raise typer.Exit(1)
    if services and demo:
        _load_demo(demo_cases)
    if services:
        _print_urls(bootstrap)


DEMO_SIM_SCALE = 0.011       # ≈ 200 cases, ≈ 2,000 commands: a real report in well under a minute


def _run_demo(what: str, args: list[str]) -> None:
    result = subprocess.run(args, env=os.environ | {layout.JWT_SECRET_ENV: tokens.jwt_secret()})
    if result.returncode != 0:
        raise _fail(f"{what} could not be loaded (see above)")


def _load_demo(cases: int) -> None:
    """Demo data, all through the services' real APIs and idempotent (fixed command ids and seeds: a
    re-run adds nothing). First the province year the statistics report counts (thads_sim, which
    replaced intake's demo generator here), then each service's own demo of its rarer paths."""
    url = {s.name: f"http://127.0.0.1:{s.port}" for s in layout.SERVICES}
    console.print(f"Loading the Thanh Hóa 2018 year at scale {DEMO_SIM_SCALE} (thads simulate; re-running adds nothing)")
    _run_demo("the simulated year", [str(Path(sys.executable).with_name("thads")), "simulate", "thanh-hoa-2018",
                                     "--scale", str(DEMO_SIM_SCALE)])
    if cases > 0:
        console.print(f"Loading {cases} intake demo cases (deterministic, seed 2018; re-running adds nothing)")
        _run_demo("intake's demo cases", [sys.executable, "-m", "intake_service.demo", "--url", url["intake"],
                                          "--cases", str(cases), "--seed", "2018"])
    _run_demo("auctions demo data", [sys.executable, "-m", "auctions_service.demo", "--intake-url", url["intake"],
                                     "--auctions-url", url["auctions"]])
    _run_demo("online demo data", [sys.executable, "-m", "online_service.demo", "--url", url["online"]])
    _run_demo("recovery demo data", [sys.executable, "-m", "recovery_service.demo", "--intake-url", url["intake"],
                                     "--recovery-url", url["recovery"]])
    _run_demo("complaints demo data", [sys.executable, "-m", "complaints_service.demo", "--intake-url", url["intake"],
                                       "--complaints-url", url["complaints"]])


def _print_urls(bootstrap: str) -> None:
    table = Table(title="THADS is up")
    table.add_column("service")
    table.add_column("API docs")
    table.add_column("health / metrics")
    for spec in layout.SERVICES:
        base = f"http://127.0.0.1:{spec.port}"
        table.add_row(spec.name, f"{base}/docs", f"{base}/health  {base}/metrics")
    console.print(table)
    console.print(f"Kafka {bootstrap}, PostgreSQL {layout.PG_HOST}:{layout.PG_PORT}/{layout.PG_DB}; "
                  "a token: .venv/bin/thads token --role head --unit TH-KV01")


@app.command()
def down() -> None:
    """Stop the services, Kafka and PostgreSQL (data is kept)."""
    for spec in reversed(layout.SERVICES):
        if procs.stop(spec.name):
            console.print(f"stopped {spec.name}")
    with console.status("Stopping Kafka ..."):
        console.print("Kafka stopped" if kafka.stop() else "Kafka was not running")
    if _cluster_running():
        with console.status("Stopping the 3-node Kafka cluster ..."):
            _cluster().stop()
        console.print("Kafka cluster stopped")
    with console.status("Stopping PostgreSQL ..."):
        console.print("PostgreSQL stopped" if postgres.stop() else "PostgreSQL was not running")


@app.command()
def clean() -> None:
    """Stop everything and delete all local data and logs (the jar cache stays)."""
    down()
    kafka.clean()
    postgres.clean()
    shutil.rmtree(layout.RUN_DIR, ignore_errors=True)
    console.print(f"removed {layout.RUN_DIR}")


def _health(spec: layout.ServiceSpec) -> str:
    try:
        with urllib.request.urlopen(_health_url(spec), timeout=2) as resp:
            body = resp.read(200).decode(errors="replace")
            try:
                body = json.dumps(json.loads(body), separators=(",", ":"))
            except ValueError:
                pass
            return f"[green]{resp.status}[/] {body}"
    except urllib.error.HTTPError as exc:
        return f"[red]{exc.code}[/]"
    except (urllib.error.URLError, OSError) as exc:
        return f"[red]no answer[/] ({getattr(exc, 'reason', exc)})"


@app.command()
def status() -> None:
    """Show PostgreSQL, Kafka and every service with its /health result."""
    table = Table(title="THADS local platform")
    table.add_column("component")
    table.add_column("address", no_wrap=True)
    table.add_column("state")
    table.add_column("detail")
    pg = postgres.status()
    table.add_row("PostgreSQL", pg["address"], "[green]running[/]" if pg["running"] else "[red]stopped[/]",
                  pg["version"] or pg["data"])
    on_cluster = layout.stack_kafka() == "cluster" or _cluster_running()
    rows = [(f"Kafka node {k['node_id']}", k) for k in _cluster().status()] if on_cluster \
        else [("Kafka", kafka.status())]
    for label, k in rows:
        state = "[green]serving[/]" if k["serving"] else ("[yellow]starting[/]" if k["running"] else "[red]stopped[/]")
        detail = f"pid {k['pid']}, RSS {k['rss_mb']:.0f} MiB" if k["pid"] and k["rss_mb"] else k["log"]
        table.add_row(label, k["bootstrap"], state, detail)
    banks_up = any(kafka._port_open(int(a.rsplit(":", 1)[1])) for a in layout.bank_bootstrap().split(","))  # noqa: SLF001
    table.add_row("Kafka, banks' listener", layout.bank_bootstrap(),
                  "[green]serving[/]" if banks_up else "[red]closed[/]", "SASL_PLAINTEXT, SCRAM-SHA-512, ACLs")
    for spec in layout.SERVICES:
        pid = procs.pid(spec.name)
        state = f"[green]pid {pid}[/]" if pid else "[red]not running[/]"
        table.add_row(spec.name, _health_url(spec), state, _health(spec) if pid else "")
    console.print(table)


@app.command()
def token(role: str = typer.Option(..., help=f"one of: {', '.join(ROLES)}"),
          unit: str = typer.Option(None, help="office code of the caller (a citizen has none)"),
          bank: str = typer.Option(None, help="bank code (required for role bank)"),
          sub: str = typer.Option(None, help="subject (user name; a citizen's id number); default role@unit"),
          hours: float = typer.Option(8.0, help="validity in hours")) -> None:
    """Print a dev/test bearer token (HS256 with THADS_JWT_SECRET or the dev default)."""
    try:
        print(tokens.issue_token(role, unit, bank=bank, sub=sub, hours=hours))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("bank-credentials")
def bank_credentials(bank: str = typer.Option(..., "--bank", help="bank code, e.g. VCB"),
                     password: str = typer.Option(None, help="the new password (default: a random one)")) -> None:
    """Create or rotate a bank's Kafka user (SCRAM-SHA-512) with ACLs to read only its own feed
    thads.bankfeed.<BANK> and its own consumer groups; prints how to read the feed with a stock client."""
    from thads_contracts.topics import BANK_CODES, bank_feed

    if bank not in BANK_CODES:
        console.print(f"[yellow]warning:[/] {bank} is not among the registered credit institutions "
                      f"({', '.join(BANK_CODES)}); its topic is created, the recovery service feeds only registered banks")
    try:
        replication = 3 if layout.stack_kafka() == "cluster" else 1
        kafka._run(topics.ensure_topics(layout.kafka_bootstrap(), [bank_feed(bank)], replication=replication))  # noqa: SLF001
        creds = kafka.grant_bank(bank, password=password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the broker's answer, said plainly
        raise _fail(f"could not set up bank {bank} on Kafka {layout.kafka_bootstrap()}: {exc}") from None
    print(kafka.bank_instructions(creds))


@app.command()
def verify(service: list[str] = typer.Option(None, "--service", help="service (schema) to check; all when omitted"),
           case: str = typer.Option(None, "--case", help="only this stream / case id"),
           audit_schema: str = typer.Option("audit", help="schema holding the signed anchors"),
           as_json: bool = typer.Option(False, "--json", help="print the full report as JSON")) -> None:
    """Recompute every store's hash chain and the signed anchors; name the first bad event of each
    stream. Exit code 0 only when everything is intact (thads_kit/chain.py has the rules)."""
    import uuid as _uuid

    import psycopg

    from rich.markup import escape

    from thads_kit import chain

    try:
        case_id = _uuid.UUID(case) if case else None
    except ValueError:
        raise typer.BadParameter(f"--case must be a UUID, got {case!r}") from None
    public_key = os.environ.get("THADS_ANCHOR_PUBLIC_KEY")
    if not public_key and os.environ.get("THADS_ENV", "development") == "development":
        public_key = chain.dev_public_key_b64()
    with psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                         autocommit=True) as conn:
        result = chain.verify_database(conn, services=service or None, case_id=case_id,
                                       audit_schema=audit_schema, public_key=public_key)
    if as_json:
        print(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        for r in result.stores:
            state = "[green]intact[/]" if not r.findings else f"[red]{len(r.findings)} bad stream(s)[/]"
            console.print(f"{r.store}: {r.streams} streams, {r.events} events, {state}")
        console.print(f"anchors: {result.anchors.anchors}, latest valid: {result.anchors.latest}"
                      + ("" if public_key else " (no THADS_ANCHOR_PUBLIC_KEY: anchors not checked)"))
        for f in result.findings:
            console.print(f"[bold red]BAD[/] {escape(f.line())}", highlight=False, soft_wrap=True)
    if not result.intact or (service and not result.stores):
        if service and not result.stores:
            console.print(f"[bold red]no chained store found for {', '.join(service)}[/]")
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
