"""The assets read model: one row per asset (its state and, while a round is announced, its public
notice), written IN THE SAME TRANSACTION as the asset's events (Auctions.record adds the write), so
it is never behind the event store and needs no consumer of its own. The service's SQL lives here.

Readers: the office-scoped asset lists, the public notices (no token), the overdue payments list,
and the case → assets lookup of the consumer reacting to the case's decisions.

`case_banks` holds the bank codes of each case's parties (intake's PartyAdded with a bank code,
consumed from thads.intake.case and written in the same transaction as the consumer's position,
see RowWrite): a bank reads the assets of a case only where it is a party (thads_kit.scoping)."""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable
from uuid import UUID

import asyncpg

from thads_kit.scoping import UnitFilter

from .application import notice, state
from .domain import Asset


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def ddl(schema: str) -> str:
    return f"""
    CREATE TABLE IF NOT EXISTS "{schema}".assets (
        asset_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        unit text NOT NULL,
        status text NOT NULL,
        version integer NOT NULL,
        payment_due_on date,
        state jsonb NOT NULL,
        notice jsonb
    );
    ALTER TABLE "{schema}".assets ADD COLUMN IF NOT EXISTS next_due_on date;
    CREATE INDEX IF NOT EXISTS assets_case ON "{schema}".assets (case_id);
    CREATE INDEX IF NOT EXISTS assets_unit ON "{schema}".assets (unit, status);
    CREATE INDEX IF NOT EXISTS assets_organisation ON "{schema}".assets ((state->>'contracted_organisation_id'))
        WHERE state->>'contracted_organisation_id' IS NOT NULL;
    CREATE TABLE IF NOT EXISTS "{schema}".case_banks (
        case_id uuid NOT NULL,
        bank_code text NOT NULL,
        PRIMARY KEY (case_id, bank_code)
    );
    """


class RowWrite:
    """A read-model row written in the event store's transaction (Auctions.record)."""

    def __init__(self, sql: str, args: tuple[Any, ...]) -> None:
        self.sql, self.args = sql, args

    def __call__(self, curs: Any) -> None:
        if curs is not None:       # in-memory store (unit tests): no read model
            curs.execute(self.sql, self.args)


def case_bank_write(schema: str, case_id: UUID, bank_code: str) -> RowWrite:
    return RowWrite(f'INSERT INTO "{schema}".case_banks (case_id, bank_code) VALUES (%s, %s) ON CONFLICT DO NOTHING',
                    (case_id, bank_code))


async def banks_of_case(pool: asyncpg.Pool, schema: str, case_id: UUID) -> list[str]:
    rows = await pool.fetch(f'SELECT bank_code FROM "{schema}".case_banks WHERE case_id = $1', case_id)
    return [r["bank_code"] for r in rows]


def ensure_tables_sync(recorder: Any, schema: str) -> None:
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(ddl(schema))


def upsert_write(schema: str, assets: Iterable[Asset]):
    """A write for the event store's transaction: the rows of the assets being saved."""
    rows = [(a.id, a.case_id, a.unit, a.status.value, a.version, a.payment_due_on, a.next_due_on, _json(state(a)),
             _json(notice(a)) if notice(a) else None) for a in assets]

    def write(curs: Any) -> None:
        if curs is None:           # in-memory store (unit tests): no read model
            return
        for row in rows:
            curs.execute(
                f'INSERT INTO "{schema}".assets (asset_id, case_id, unit, status, version, payment_due_on,'
                f' next_due_on, state, notice) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)'
                f' ON CONFLICT (asset_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,'
                f' payment_due_on = EXCLUDED.payment_due_on, next_due_on = EXCLUDED.next_due_on,'
                f' state = EXCLUDED.state, notice = EXCLUDED.notice'
                f' WHERE "{schema}".assets.version < EXCLUDED.version', row)
    return write


def assets_of_case_sync(recorder: Any, schema: str, case_id: UUID) -> list[UUID]:
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(f'SELECT asset_id FROM "{schema}".assets WHERE case_id = %s ORDER BY asset_id', (case_id,))
        return [r["asset_id"] for r in curs.fetchall()]


def _where(f: UnitFilter, args: list[Any]) -> str:
    if f.unit is not None:
        args.append(f.unit)
        return f" AND unit = ${len(args)}"
    if f.province is not None:
        args.append(f.province)
        return f" AND split_part(unit, '-', 1) = ${len(args)}"
    return ""


async def list_assets(pool: asyncpg.Pool, schema: str, f: UnitFilter, status: str | None,
                      case_id: UUID | None, limit: int, offset: int, organisation: str | None = None
                      ) -> list[dict[str, Any]]:
    """`organisation`: only the assets contracted to that auction organisation (its own list)."""
    args: list[Any] = []
    sql = f'SELECT state FROM "{schema}".assets WHERE true' + _where(f, args)
    if organisation is not None:
        args.append(organisation)
        sql += f" AND state->>'contracted_organisation_id' = ${len(args)}"
    if status is not None:
        args.append(status)
        sql += f" AND status = ${len(args)}"
    if case_id is not None:
        args.append(case_id)
        sql += f" AND case_id = ${len(args)}"
    args += [limit, offset]
    sql += f" ORDER BY unit, asset_id LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    return [json.loads(r["state"]) for r in await pool.fetch(sql, *args)]


async def overdue(pool: asyncpg.Pool, schema: str, f: UnitFilter, as_of: date,
                  organisation: str | None = None) -> list[dict[str, Any]]:
    """Assets with a legal deadline missed at `as_of` (Asset.deadlines: valuer and organisation contracts,
    auction, sale without auction, winner's payment, handover, refunds)."""
    args: list[Any] = [as_of]
    sql = f'SELECT state FROM "{schema}".assets WHERE next_due_on < $1' + _where(f, args)
    if organisation is not None:
        args.append(organisation)
        sql += f" AND state->>'contracted_organisation_id' = ${len(args)}"
    sql += " ORDER BY next_due_on, asset_id"
    return [json.loads(r["state"]) for r in await pool.fetch(sql, *args)]


async def public_notices(pool: asyncpg.Pool, schema: str, unit: str | None, limit: int, offset: int
                         ) -> list[dict[str, Any]]:
    args: list[Any] = []
    sql = f'SELECT notice FROM "{schema}".assets WHERE notice IS NOT NULL'
    if unit is not None:
        args.append(unit)
        sql += f" AND unit = ${len(args)}"
    args += [limit, offset]
    sql += f" ORDER BY notice->>'auction_on', asset_id LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    return [json.loads(r["notice"]) for r in await pool.fetch(sql, *args)]
