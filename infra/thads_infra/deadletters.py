"""`thads deadletters`: list, show, replay or discard the dead letters of the services' consumers.

The CLI never applies a message itself. It writes a request on the dead-letter row in the owning
service's schema (`<schema>.dead_letter`, see thads_kit.deadletters); a running consumer instance
of that service takes the request (FOR UPDATE SKIP LOCKED, so exactly one instance of several),
applies or skips the dead letter, then the messages parked behind it, in order, and records the
outcome, which the CLI waits for and prints. Bad input (unknown id, a resolved letter, a request
already pending, no reason for a discard) is refused and changes nothing.
"""
from __future__ import annotations

import getpass
import time
from typing import Any

import psycopg
import typer
from psycopg.rows import dict_row
from rich.console import Console
from rich.table import Table

from thads_infra import layout

app = typer.Typer(help="Dead letters of the consumers: list, show, replay, discard.", no_args_is_help=True)
console = Console()


class Refused(Exception):
    pass


def _connect() -> psycopg.Connection[Any]:
    return psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                           row_factory=dict_row, autocommit=True)


def _schemas(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'dead_letter'"
                        " ORDER BY table_schema").fetchall()
    return [r["table_schema"] for r in rows]


def _parse_id(conn: psycopg.Connection[Any], ident: str) -> tuple[str, int]:
    """`<service>:<n>` (as listed), or a bare number when only one service has it."""
    schema, _, number = ident.rpartition(":")
    if not number.isdigit():
        raise Refused(f"'{ident}' is not a dead-letter id (expected <service>:<number>, e.g. audit:12)")
    schemas = _schemas(conn)
    if schema:
        if schema not in schemas:
            raise Refused(f"no service '{schema}' has dead letters (known: {', '.join(schemas) or 'none'})")
        candidates = [schema]
    else:
        candidates = [s for s in schemas
                      if conn.execute(f'SELECT 1 FROM "{s}".dead_letter WHERE id = %s', (int(number),)).fetchone()]
    found = [s for s in candidates
             if conn.execute(f'SELECT 1 FROM "{s}".dead_letter WHERE id = %s', (int(number),)).fetchone()]
    if not found:
        raise Refused(f"dead letter {ident} does not exist")
    if len(found) > 1:
        raise Refused(f"dead letter {number} exists in several services; say which: "
                      + ", ".join(f"{s}:{number}" for s in found))
    return found[0], int(number)


def _letters(conn: psycopg.Connection[Any], schema: str, everything: bool) -> list[dict[str, Any]]:
    return conn.execute(
        f'SELECT d.*, (SELECT count(*) FROM "{schema}".parked_message p WHERE p.dead_letter_id = d.id'
        f' AND p.released_at IS NULL) AS parked FROM "{schema}".dead_letter d'
        + ("" if everything else " WHERE d.status = 'open'") + " ORDER BY d.id").fetchall()


def _request(ident: str, action: str, reason: str | None, wait: float) -> None:
    try:
        with _connect() as conn:
            schema, number = _parse_id(conn, ident)
            row = conn.execute(
                f'UPDATE "{schema}".dead_letter SET request = %s, request_reason = %s, requested_by = %s,'
                " requested_at = now() WHERE id = %s AND status = 'open' AND request IS NULL RETURNING id",
                (action, reason, getpass.getuser(), number)).fetchone()
            if row is None:
                current = conn.execute(f'SELECT status, request FROM "{schema}".dead_letter WHERE id = %s',
                                       (number,)).fetchone()
                if current["status"] != "open":
                    raise Refused(f"dead letter {schema}:{number} is already {current['status']}")
                raise Refused(f"dead letter {schema}:{number} already has a pending {current['request']} request")
            console.print(f"{action} of {schema}:{number} requested; waiting for a consumer of '{schema}' ...")
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                now = conn.execute(f'SELECT status, request, outcome FROM "{schema}".dead_letter WHERE id = %s',
                                   (number,)).fetchone()
                if now["request"] is None:
                    colour = "green" if now["status"] != "open" else "red"
                    console.print(f"[{colour}]{schema}:{number} {now['status']}[/]: {now['outcome']}")
                    if now["status"] == "open":
                        raise typer.Exit(1)
                    return
                time.sleep(0.2)
            console.print(f"[yellow]no consumer of '{schema}' took the request within {wait:.0f} s[/] (is the "
                          "service running?); it stays pending and is served when one starts")
            raise typer.Exit(1)
    except Refused as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    except psycopg.OperationalError as exc:
        console.print(f"[bold red]error:[/] PostgreSQL at {layout.PG_HOST}:{layout.PG_PORT} not reachable: {exc}")
        raise typer.Exit(2) from None


@app.command("list")
def list_(everything: bool = typer.Option(False, "--all", help="also replayed and discarded ones"),
          service: str = typer.Option(None, help="only this service's dead letters")) -> None:
    """Dead letters (open ones by default), with how many messages are parked behind each."""
    with _connect() as conn:
        schemas = _schemas(conn)
        if service is not None and service not in schemas:
            console.print(f"[bold red]error:[/] no service '{service}' has dead letters "
                          f"(known: {', '.join(schemas) or 'none'})")
            raise typer.Exit(2)
        table = Table(title="Dead letters" + ("" if everything else " (open)"))
        for col in ("id", "consumer", "key", "status", "reason", "parked", "since", "outcome"):
            table.add_column(col, overflow="fold")
        count = 0
        for schema in ([service] if service else schemas):
            for r in _letters(conn, schema, everything):
                count += 1
                table.add_row(f"{schema}:{r['id']}", r["consumer"], r["msg_key"] or "-", r["status"]
                              + (f" ({r['request']} requested)" if r["request"] else ""),
                              f"{r['reason_code']}: {r['reason'].splitlines()[0]}"[:120], str(r["parked"]),
                              r["created_at"].strftime("%Y-%m-%d %H:%M:%S"), r["outcome"] or "")
        console.print(table if count else "no dead letters" + ("" if everything else " open"))


@app.command()
def show(ident: str = typer.Argument(..., metavar="ID", help="<service>:<number>, as listed")) -> None:
    """One dead letter with its traceback and the messages parked behind it."""
    try:
        with _connect() as conn:
            schema, number = _parse_id(conn, ident)
            r = _letters(conn, schema, True)
            r = next(x for x in r if x["id"] == number)
            for field in ("consumer", "msg_key", "status", "topic", "kafka_partition", "kafka_offset",
                          "event_type", "event_id", "reason_code", "reason", "attempts", "created_at",
                          "request", "request_reason", "requested_by", "outcome", "resolved_at", "parked"):
                console.print(f"{field:>16}: {r[field]}")
            console.print(r["traceback"] or "(no traceback)", markup=False, highlight=False)
    except Refused as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None


@app.command()
def replay(ident: str = typer.Argument(..., metavar="ID", help="<service>:<number>, as listed"),
           wait: float = typer.Option(30.0, help="seconds to wait for a consumer to do it")) -> None:
    """Apply the dead-lettered message again, then the messages parked behind it, in order."""
    _request(ident, "replay", None, wait)


@app.command()
def discard(ident: str = typer.Argument(..., metavar="ID", help="<service>:<number>, as listed"),
            reason: str = typer.Option(..., "--reason", help="why it is skipped (recorded)"),
            wait: float = typer.Option(30.0, help="seconds to wait for a consumer to do it")) -> None:
    """Skip the dead-lettered message (the reason is recorded) and apply the parked ones, in order."""
    if not reason.strip():
        console.print("[bold red]error:[/] --reason must say why the message is discarded")
        raise typer.Exit(2)
    _request(ident, "discard", reason.strip(), wait)
