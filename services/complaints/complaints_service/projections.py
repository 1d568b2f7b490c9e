"""The complaints read model: one row per complaint, written IN THE SAME TRANSACTION as its events
(Complaints.record adds the write), so it is never behind the event store. The service's SQL lives here.

Readers: the office-scoped lists (a complaint is visible to the office whose decision it concerns and to
the offices routed to decide it), the overdue list (next_due_on), the deadline watcher, and the
already-final check (complaints on the same decision)."""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable
from uuid import UUID

import asyncpg

from thads_kit.scoping import UnitFilter

from . import personal_data
from .application import denunciation_state, session_state, state
from .reception import ReceptionSession
from .denunciations import Denunciation
from .domain import Complaint
from .erasure import ERASED, ErasedParty


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def ddl(schema: str) -> str:
    return f"""
    CREATE TABLE IF NOT EXISTS "{schema}".complaints (
        complaint_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        unit text NOT NULL,
        first_unit text NOT NULL,
        second_unit text,
        decision_event_id uuid NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        next_due_on date,
        received_on date NOT NULL,
        state jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS complaints_unit ON "{schema}".complaints (unit, status);
    CREATE INDEX IF NOT EXISTS complaints_first ON "{schema}".complaints (first_unit);
    CREATE INDEX IF NOT EXISTS complaints_decision ON "{schema}".complaints (decision_event_id);
    CREATE INDEX IF NOT EXISTS complaints_due ON "{schema}".complaints (next_due_on) WHERE next_due_on IS NOT NULL;
    CREATE TABLE IF NOT EXISTS "{schema}".denunciations (
        denunciation_id uuid PRIMARY KEY,
        handler_unit text NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        next_due_on date,
        received_on date NOT NULL,
        state jsonb NOT NULL
    );
    CREATE TABLE IF NOT EXISTS "{schema}".reception_sessions (
        session_id uuid PRIMARY KEY,
        unit text NOT NULL,
        kind text NOT NULL,
        held_on date NOT NULL,
        version integer NOT NULL,
        state jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS reception_unit ON "{schema}".reception_sessions (unit, held_on);
    CREATE INDEX IF NOT EXISTS denunciations_unit ON "{schema}".denunciations (handler_unit, status);
    CREATE TABLE IF NOT EXISTS "{schema}".erased_parties (
        party_id text PRIMARY KEY,
        case_id uuid NOT NULL,
        source_event_id uuid NOT NULL,
        erased_at timestamptz NOT NULL
    );
    """ + personal_data.ddl(schema)


def ensure_tables_sync(recorder: Any, schema: str) -> None:
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(ddl(schema))


def upsert_write(schema: str, aggregates: Iterable[Any]):
    """A write for the event store's transaction: the rows of the complaints being saved."""
    rows = [(c.id, c.case_id, c.unit, c.first_unit, c.second_unit, c.decision_event_id, c.status.value, c.version,
             c.next_due_on, c.received_on, _json(state(c))) for c in aggregates if isinstance(c, Complaint)]

    drows = [(x.id, x.handler_unit, x.status.value, x.version, x.next_due_on, x.received_on,
              _json(denunciation_state(x))) for x in aggregates if isinstance(x, Denunciation)]

    srows = [(x.id, x.unit, x.kind.value, x.held_on, x.version, _json(session_state(x)))
             for x in aggregates if isinstance(x, ReceptionSession)]

    erows = [(x.party_id, x.case_id, x.source_event_id, x.created_on) for x in aggregates
             if isinstance(x, ErasedParty)]

    def write(curs: Any) -> None:
        if curs is None:           # in-memory store (unit tests): no read model
            return
        for erow in erows:
            curs.execute(f'INSERT INTO "{schema}".erased_parties (party_id, case_id, source_event_id, erased_at)'
                         f' VALUES (%s, %s, %s, %s) ON CONFLICT (party_id) DO NOTHING', erow)
        for srow in srows:
            curs.execute(
                f'INSERT INTO "{schema}".reception_sessions (session_id, unit, kind, held_on, version, state)'
                f' VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (session_id) DO UPDATE SET'
                f' version = EXCLUDED.version, state = EXCLUDED.state'
                f' WHERE "{schema}".reception_sessions.version < EXCLUDED.version', srow)
        for drow in drows:
            curs.execute(
                f'INSERT INTO "{schema}".denunciations (denunciation_id, handler_unit, status, version, next_due_on,'
                f' received_on, state) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb)'
                f' ON CONFLICT (denunciation_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,'
                f' next_due_on = EXCLUDED.next_due_on, state = EXCLUDED.state'
                f' WHERE "{schema}".denunciations.version < EXCLUDED.version', drow)
        for row in rows:
            curs.execute(
                f'INSERT INTO "{schema}".complaints (complaint_id, case_id, unit, first_unit, second_unit,'
                f' decision_event_id, status, version, next_due_on, received_on, state)'
                f' VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)'
                f' ON CONFLICT (complaint_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,'
                f' next_due_on = EXCLUDED.next_due_on, second_unit = EXCLUDED.second_unit, state = EXCLUDED.state'
                f' WHERE "{schema}".complaints.version < EXCLUDED.version', row)
    return write


def complaints_on_decision_sync(recorder: Any, schema: str, decision_event_id: UUID) -> list[UUID]:
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(f'SELECT complaint_id FROM "{schema}".complaints WHERE decision_event_id = %s',
                     (decision_event_id,))
        return [r["complaint_id"] for r in curs.fetchall()]


def _where(f: UnitFilter, args: list[Any]) -> str:
    """A complaint belongs to the office whose decision it concerns and to the offices deciding it."""
    if f.unit is not None:
        args.append(f.unit)
        n = len(args)
        return f" AND (unit = ${n} OR first_unit = ${n} OR second_unit = ${n})"
    if f.province is not None:
        args.append(f.province)
        n = len(args)
        return (f" AND (split_part(unit, '-', 1) = ${n} OR split_part(first_unit, '-', 1) = ${n}"
                f" OR split_part(coalesce(second_unit, ''), '-', 1) = ${n})")
    return ""


def _shown(schema: str) -> str:
    """A complaint's stored state as a view shows it: an erased complainant party reads "[erased]"."""
    return (f"CASE WHEN EXISTS (SELECT 1 FROM \"{schema}\".erased_parties e"
            f" WHERE e.party_id = state->>'complainant_party_id')"
            f" THEN jsonb_set(state, '{{complainant_party_id}}', '\"{ERASED}\"') ELSE state END AS state")


async def erased_party(pool: asyncpg.Pool, schema: str, party_id: str | None) -> bool:
    if not party_id:
        return False
    return bool(await pool.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{schema}".erased_parties WHERE party_id = $1)',
                                    str(party_id)))


async def list_complaints(pool: asyncpg.Pool, schema: str, f: UnitFilter, status: str | None,
                          case_id: UUID | None, limit: int, offset: int) -> list[dict[str, Any]]:
    args: list[Any] = []
    sql = f'SELECT {_shown(schema)} FROM "{schema}".complaints WHERE true' + _where(f, args)
    if status is not None:
        args.append(status)
        sql += f" AND status = ${len(args)}"
    if case_id is not None:
        args.append(case_id)
        sql += f" AND case_id = ${len(args)}"
    args += [limit, offset]
    sql += f" ORDER BY received_on DESC, complaint_id LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    return [json.loads(r["state"]) for r in await pool.fetch(sql, *args)]


async def overdue(pool: asyncpg.Pool, schema: str, f: UnitFilter, as_of: date) -> list[dict[str, Any]]:
    args: list[Any] = [as_of]
    sql = (f'SELECT {_shown(schema)} FROM "{schema}".complaints WHERE next_due_on < $1'
           + _where(f, args) + " ORDER BY next_due_on, complaint_id")
    return [json.loads(r["state"]) for r in await pool.fetch(sql, *args)]


async def overdue_ids(pool: asyncpg.Pool, schema: str, as_of: date, limit: int = 200) -> list[UUID]:
    return [r["complaint_id"] for r in await pool.fetch(
        f'SELECT complaint_id FROM "{schema}".complaints WHERE next_due_on < $1 ORDER BY next_due_on LIMIT $2',
        as_of, limit)]


async def list_denunciations(pool: asyncpg.Pool, schema: str, f: UnitFilter, overdue_on: date | None,
                             limit: int, offset: int) -> list[dict[str, Any]]:
    """Denunciations handled by the offices the caller may read (no denouncer identity in the rows)."""
    args: list[Any] = []
    sql = f'SELECT state FROM "{schema}".denunciations WHERE true'
    if f.unit is not None:
        args.append(f.unit)
        sql += f" AND handler_unit = ${len(args)}"
    elif f.province is not None:
        args.append(f.province)
        sql += f" AND split_part(handler_unit, '-', 1) = ${len(args)}"
    if overdue_on is not None:
        args.append(overdue_on)
        sql += f" AND next_due_on < ${len(args)}"
    args += [limit, offset]
    sql += f" ORDER BY received_on DESC, denunciation_id LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    return [json.loads(r["state"]) for r in await pool.fetch(sql, *args)]


async def list_sessions(pool: asyncpg.Pool, schema: str, f: UnitFilter, since: date | None, until: date | None,
                        limit: int, offset: int) -> list[dict[str, Any]]:
    args: list[Any] = []
    sql = f'SELECT state FROM "{schema}".reception_sessions WHERE true'
    if f.unit is not None:
        args.append(f.unit)
        sql += f" AND unit = ${len(args)}"
    elif f.province is not None:
        args.append(f.province)
        sql += f" AND split_part(unit, '-', 1) = ${len(args)}"
    if since is not None:
        args.append(since)
        sql += f" AND held_on >= ${len(args)}"
    if until is not None:
        args.append(until)
        sql += f" AND held_on <= ${len(args)}"
    args += [limit, offset]
    sql += f" ORDER BY held_on DESC, session_id LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    return [json.loads(r["state"]) for r in await pool.fetch(sql, *args)]


async def sessions_of_unit(pool: asyncpg.Pool, schema: str, unit: str, since: date, until: date) -> list[tuple[str, date]]:
    rows = await pool.fetch(f'SELECT kind, held_on FROM "{schema}".reception_sessions WHERE unit = $1'
                            f' AND held_on BETWEEN $2 AND $3', unit, since, until)
    return [(r["kind"], r["held_on"]) for r in rows]
