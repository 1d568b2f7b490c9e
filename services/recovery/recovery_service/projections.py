"""Recovery's read side, written IN THE SAME TRANSACTION as the files' events (Recovery.record adds the
write), so it is never behind the event store and needs no consumer of its own. The service's SQL lives here.

- `files`: one row per bad-debt file (its state, the earliest due date of an unanswered information
  request for the overdue list); the consumer's case → files lookup reads it.
- `bank_feed`: one row per feed entry, holding the exact JSON of the recovery.BankFeedEntry.v1 the relay
  publishes on thads.bankfeed.<bank>. `position` is the bank's cursor: the write first takes a
  transaction-level advisory lock, so positions are handed out in commit order and a reader paging
  with `position > cursor` never skips an entry that commits later with a smaller number.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable
from uuid import UUID

import asyncpg

from thads_contracts.registry import encode
from thads_kit.scoping import UnitFilter

from .application import state
from .domain import BadDebtFile
from .enforcement_requests import EnforcementRequest
from .translation import feed_envelope

FEED_LOCK = 0x7468_6164_7366_6564 & 0x7FFF_FFFF_FFFF_FFFF     # "thadsfed"


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def ddl(schema: str) -> str:
    return f"""
    CREATE TABLE IF NOT EXISTS "{schema}".files (
        file_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        bank_code text NOT NULL,
        unit text NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        next_due_on date,
        state jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS files_case ON "{schema}".files (case_id);
    CREATE INDEX IF NOT EXISTS files_bank ON "{schema}".files (bank_code);
    CREATE INDEX IF NOT EXISTS files_unit ON "{schema}".files (unit, status);
    CREATE TABLE IF NOT EXISTS "{schema}".bank_feed (
        position bigserial PRIMARY KEY,
        bank_code text NOT NULL,
        case_id uuid NOT NULL,
        file_id uuid NOT NULL,
        sequence integer NOT NULL,
        event_id uuid NOT NULL UNIQUE,
        body jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS bank_feed_bank ON "{schema}".bank_feed (bank_code, position);
    CREATE TABLE IF NOT EXISTS "{schema}".enforcement_requests (
        request_key uuid PRIMARY KEY,
        request_id uuid NOT NULL,
        bank_code text NOT NULL,
        unit text NOT NULL,
        case_id uuid NOT NULL,
        state jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS enforcement_requests_case ON "{schema}".enforcement_requests (case_id, bank_code);
    -- personal data of a bank's request (the debtor, the bank's contact person): never in events, erasable
    CREATE TABLE IF NOT EXISTS "{schema}".request_personal_data (
        request_key uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        bank_code text NOT NULL,
        debtor jsonb,
        contact jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        erasure jsonb
    );
    CREATE INDEX IF NOT EXISTS request_personal_data_case ON "{schema}".request_personal_data (case_id);
    """


def ensure_tables_sync(recorder: Any, schema: str) -> None:
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(ddl(schema))


def _next_due(file: BadDebtFile) -> str | None:
    due = [r["due_on"] for r in file.requests.values() if r["answered_on"] is None]
    return min(due) if due else None


def upsert_write(schema: str, files: Iterable[BadDebtFile]):
    """A write for the event store's transaction: the files' rows and their new feed entries, and the
    rows of new enforcement requests."""
    saved = list(files)
    files = [f for f in saved if isinstance(f, BadDebtFile)]
    requests = [(r.id, UUID(r.request_id), r.bank_code, r.unit, r.case_id, _json(r.answer() | {"details": r.details}))
                for r in saved if isinstance(r, EnforcementRequest)]
    erasures = [(_json(r.erased), r.id) for r in saved if isinstance(r, EnforcementRequest)
                for e in r.pending_events if isinstance(e, EnforcementRequest.PersonalDataErased)]
    rows = [(f.id, f.case_id, f.bank_code, f.unit, f.status, f.version, _next_due(f), _json(state(f))) for f in files]
    feed = []
    for f in files:
        for e in f.pending_events:
            if isinstance(e, BadDebtFile.FeedEntryRecorded):
                env = feed_envelope(e)
                feed.append((e.bank_code, f.case_id, f.id, e.seq, env.event_id, encode(env).decode()))

    def write(curs: Any) -> None:
        if curs is None:           # in-memory store (unit tests): no read model
            return
        for row in rows:
            curs.execute(
                f'INSERT INTO "{schema}".files (file_id, case_id, bank_code, unit, status, version, next_due_on, state)'
                f' VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (file_id) DO UPDATE SET'
                f' status = excluded.status, version = excluded.version, next_due_on = excluded.next_due_on,'
                f' state = excluded.state', row)
        for req in requests:
            curs.execute(
                f'INSERT INTO "{schema}".enforcement_requests (request_key, request_id, bank_code, unit, case_id, state)'
                f' VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (request_key) DO NOTHING', req)
        for erasure in erasures:       # the fields go; the row stays as a tombstone (a resend cannot bring them back)
            curs.execute(
                f'UPDATE "{schema}".request_personal_data SET debtor = NULL, contact = NULL,'
                f' erased_at = coalesce(erased_at, now()), erasure = %s::jsonb WHERE request_key = %s', erasure)
        if feed:
            curs.execute("SELECT pg_advisory_xact_lock(%s)", (FEED_LOCK,))
            for entry in feed:
                curs.execute(
                    f'INSERT INTO "{schema}".bank_feed (bank_code, case_id, file_id, sequence, event_id, body)'
                    f' VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (event_id) DO NOTHING', entry)
    return write


def request_personal_write(schema: str, *, request_key: UUID, case_id: UUID, bank_code: str,
                           debtor: dict[str, Any], contact: dict[str, Any] | None):
    """The request's personal data, written in the transaction of its Filed event (thads_kit.commands.
    write_with_next_command): a refused request writes none; a resend keeps the first (DO NOTHING), and an
    erased row stays erased."""
    def write(curs: Any) -> None:
        if curs is None:
            return
        curs.execute(
            f'INSERT INTO "{schema}".request_personal_data (request_key, case_id, bank_code, debtor, contact)'
            f' VALUES (%s, %s, %s, %s::jsonb, %s::jsonb) ON CONFLICT (request_key) DO NOTHING',
            (request_key, case_id, bank_code, _json(debtor), _json(contact) if contact else None))
    return write


def request_of_case_sync(recorder: Any, schema: str, case_id: UUID, bank_code: str) -> dict[str, Any] | None:
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(f'SELECT state FROM "{schema}".enforcement_requests WHERE case_id = %s AND bank_code = %s',
                     (case_id, bank_code))
        row = curs.fetchone()
    if row is None:
        return None
    return row["state"] if isinstance(row["state"], dict) else json.loads(row["state"])


async def request_with_personal_data(pool: asyncpg.Pool, schema: str, request_key: UUID) -> dict[str, Any] | None:
    """The request as filed, with its personal data ("[erased]" once erased)."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            f'SELECT r.state::text AS s, p.debtor::text AS debtor, p.contact::text AS contact, p.erased_at,'
            f' p.erasure::text AS erasure FROM "{schema}".enforcement_requests r'
            f' LEFT JOIN "{schema}".request_personal_data p USING (request_key) WHERE r.request_key = $1', request_key)
    if row is None:
        return None
    out = json.loads(row["s"])
    if row["erased_at"] is not None:
        out |= {"debtor": ERASED, "contact": ERASED, "erased_at": row["erased_at"].isoformat(),
                "erasure": json.loads(row["erasure"]) if row["erasure"] else None}
    else:
        out |= {"debtor": json.loads(row["debtor"]) if row["debtor"] else None,
                "contact": json.loads(row["contact"]) if row["contact"] else None}
    return out


ERASED = "[erased]"


def files_of_case_sync(recorder: Any, schema: str, case_id: UUID) -> list[UUID]:
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(f'SELECT file_id FROM "{schema}".files WHERE case_id = %s ORDER BY file_id', (case_id,))
        return [r["file_id"] for r in curs.fetchall()]


async def feed_page(pool: asyncpg.Pool, schema: str, bank: str, after: int, limit: int,
                    case_id: UUID | None = None) -> list[dict[str, Any]]:
    sql = (f'SELECT position, body::text AS body FROM "{schema}".bank_feed WHERE bank_code = $1 AND position > $2'
           + (" AND case_id = $4" if case_id else "") + " ORDER BY position LIMIT $3")
    args: list[Any] = [bank, after, limit] + ([case_id] if case_id else [])
    async with pool.acquire() as conn:
        rows = await conn.fetch(sql, *args)
    return [{"position": r["position"], "entry": json.loads(r["body"])} for r in rows]


async def list_files(pool: asyncpg.Pool, schema: str, f: UnitFilter | None, bank: str | None,
                     limit: int, offset: int) -> list[dict[str, Any]]:
    where, args = [], []
    if bank is not None:
        args.append(bank)
        where.append(f"bank_code = ${len(args)}")
    if f is not None:
        clause, fargs = _unit_clause(f, len(args))
        if clause:
            where.append(clause)
            args.extend(fargs)
    sql = (f'SELECT state::text AS s FROM "{schema}".files' + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY case_id, bank_code LIMIT {int(limit)} OFFSET {int(offset)}")
    async with pool.acquire() as conn:
        return [json.loads(r["s"]) for r in await conn.fetch(sql, *args)]


def _unit_clause(f: UnitFilter, n: int) -> tuple[str, list[Any]]:
    """The office rule of thads_kit.scoping as SQL: one office, one province, or everything."""
    if f.unit is not None:
        return f"unit = ${n + 1}", [f.unit]
    if f.province is not None:
        return f"split_part(unit, '-', 1) = ${n + 1}", [f.province]
    return "", []


async def overdue_requests(pool: asyncpg.Pool, schema: str, f: UnitFilter | None, bank: str | None,
                           day: date) -> list[dict[str, Any]]:
    where, args = ["next_due_on < $1"], [day]
    if bank is not None:
        args.append(bank)
        where.append(f"bank_code = ${len(args)}")
    if f is not None:
        clause, fargs = _unit_clause(f, len(args))
        if clause:
            where.append(clause)
            args.extend(fargs)
    async with pool.acquire() as conn:
        rows = await conn.fetch(f'SELECT state::text AS s FROM "{schema}".files WHERE {" AND ".join(where)}'
                                ' ORDER BY next_due_on, file_id', *args)
    out = []
    for r in rows:
        s = json.loads(r["s"])
        for rid, req in s["information_requests"].items():
            if req["answered_on"] is None and date.fromisoformat(req["due_on"]) < day:
                out.append({"file_id": s["file_id"], "case_id": s["case_id"], "bank_code": s["bank_code"],
                            "unit": s["unit"], "request_id": rid} | req)
    return out
