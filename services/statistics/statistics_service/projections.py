"""The statistics service's SQL: the facts projection (intake's events as the tree reads them, and the
auctions, complaints and intake events the other indicators read (indicators.py), one row
per event, versioned and rebuildable through the kit's Projection), the targets and the frozen
reports.

* `StatisticsFacts` is fed by the kit's tracked consumer: each batch is written in one transaction
  together with the consumer positions, so nothing is counted twice or lost. An event whose office
  maps to no reporting unit (units.OFFICES) or whose decision names an unknown basis cannot be
  placed: the write raises `tree.NotPlaceable` (a rule error), the consumer applies the batch one by
  one and dead-letters that message with the reason.
* The business date is the event's `occurred_at` in Vietnam (UTC+7): imported history and late
  recordings land in the period they happened in.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Sequence
from uuid import UUID

import asyncpg

from thads_kit.consumer import Item
from thads_kit.projection import Projection

from . import indicators
from .tree import BASES, Fact, NotPlaceable
from .units import official_code

VN = timezone(timedelta(hours=7))
COLUMNS = ("event_id", "case_id", "office", "official_unit", "event_type", "occurred_at", "occurred_on",
           "aggregate_version", "recorded_at", "payload")
# the events the tree reads (tree.py); the others are not stored
USED = frozenset({"EnforcementDecided", "ClaimItemAdded", "MoneyCollected", "ClaimReduced", "CaseDelegated",
                  "CaseRevoked", "CaseTerminated", "CaseCompleted", "RequestReturned",
                  "CaseMovedToSeparateRegister", "VerificationRecorded", "CasePostponed", "CaseSuspended",
                  "CaseContinued", "UnclaimedMoneyDeposited", "CaseOpened"})


def business_day(at: datetime) -> date:
    return at.astimezone(VN).date()


def fact_row(envelope: Any) -> tuple[Any, ...] | None:
    """The row of one decoded envelope (intake's for the tree; intake's, auctions' and complaints'
    for the other indicators), None for an event nothing here reads; raises NotPlaceable for one
    it cannot place."""
    src, kind = envelope.event_type.split(".")[:2]
    if not (src == "intake" and kind in USED or kind in indicators.KINDS.get(src, ())):
        return None
    if src == "intake" and kind == "PartyAdded" and not getattr(envelope.payload, "bank_code", None):
        return None                    # only credit-institution creditors are counted (bad debt)
    unit = official_code(envelope.unit)
    if unit is None:
        raise NotPlaceable(f"event {envelope.event_id} ({envelope.event_type}) of case {envelope.case_id}: "
                           f"office {envelope.unit!r} maps to no reporting unit (statistics_service/units.py)")
    if kind == "EnforcementDecided":
        basis = envelope.payload.model_dump(mode="json").get("basis")
        if basis not in BASES:
            raise NotPlaceable(f"event {envelope.event_id}: enforcement basis {basis!r} is neither "
                               "ex officio nor on request")
    return (envelope.event_id, envelope.case_id, envelope.unit, unit, envelope.event_type, envelope.occurred_at,
            business_day(envelope.occurred_at), envelope.aggregate_version, envelope.recorded_at,
            envelope.payload.model_dump_json())


class StatisticsFacts(Projection):
    name = "stat_facts"
    rule_errors = (NotPlaceable,)

    def ddl(self, table: str) -> list[str]:
        short = table.split(".")[-1]
        return [
            f"CREATE TABLE {table} ("
            " event_id uuid PRIMARY KEY, case_id uuid NOT NULL, office text NOT NULL, official_unit text NOT NULL,"
            " event_type text NOT NULL, occurred_at timestamptz NOT NULL, occurred_on date NOT NULL,"
            " aggregate_version bigint NOT NULL, recorded_at timestamptz NOT NULL, payload jsonb NOT NULL)",
            f"CREATE INDEX {short}_office_idx ON {table} (office, occurred_on)",
            f"CREATE INDEX {short}_case_idx ON {table} (case_id)",
        ]

    async def write(self, conn: asyncpg.Connection, table: str, items: Sequence[Item]) -> None:
        rows = [r for r in (fact_row(i.envelope) for i in items) if r is not None]
        if not rows:
            return
        # one statement for the whole batch (arrays, unnest): the server parses and plans it once.
        # ON CONFLICT: an event re-published under a new position (a relay replay) is the same fact,
        # also when both copies are in this batch (the first one stays)
        await conn.execute(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) SELECT e, c, o, u, t, oa, od, v, ra, p::jsonb FROM unnest("
            "$1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::date[],"
            " $8::bigint[], $9::timestamptz[], $10::text[]) AS x(e, c, o, u, t, oa, od, v, ra, p)"
            " ON CONFLICT (event_id) DO NOTHING", *map(list, zip(*rows)))

    async def facts(self, offices: Sequence[str], until: date) -> dict[UUID, list[Fact]]:
        """Every stored fact the tree reads (intake's USED kinds) of the offices' cases that happened
        on or before `until`, by case."""
        cases: dict[UUID, list[Fact]] = {}
        for f in await self._fetch(" AND occurred_on <= $2 AND split_part(event_type, '.', 1) = 'intake'"
                                   " AND split_part(event_type, '.', 2) = ANY($3::text[])",
                                   offices, until, sorted(USED)):
            cases.setdefault(f.case_id, []).append(f)
        return cases

    async def other_facts(self, offices: Sequence[str], start: date, end: date) -> tuple[list[Fact], list[Fact]]:
        """For the other indicators (indicators.py): the facts of their kinds and intake's
        collections that happened in [start, end], and the credit-institution creditors added on or
        before `end`."""
        kinds = sorted({k for ks in indicators.KINDS.values() for k in ks} | {"MoneyCollected"})
        period = await self._fetch(" AND occurred_on BETWEEN $2 AND $3 AND split_part(event_type, '.', 2) = ANY($4::text[])"
                                   " AND event_type NOT LIKE 'intake.PartyAdded.%'", offices, start, end, kinds)
        banks = await self._fetch(" AND occurred_on <= $2 AND event_type LIKE 'intake.PartyAdded.%'", offices, end)
        return [f for f in period if indicators.reads(f) or f.kind == "MoneyCollected"], banks

    async def _fetch(self, where: str, offices: Sequence[str], *args: Any) -> list[Fact]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT event_id, case_id, office, event_type, occurred_at, occurred_on, aggregate_version,"
                f" payload::text AS payload FROM {self.schema}.{self.name} WHERE office = ANY($1::text[])" + where,
                list(offices), *args)
        return [Fact(r["event_id"], r["case_id"], r["office"], r["event_type"], r["occurred_at"], r["occurred_on"],
                     r["aggregate_version"], json.loads(r["payload"])) for r in rows]

    async def count(self) -> int:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(f"SELECT count(*) FROM {self.schema}.{self.name}")


class ReportStore:
    """Targets (chỉ tiêu) per unit, period and tree; frozen reports with their hash and lineage."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]

    async def setup(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('stat-setup:{self.schema}'))")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.schema}.stat_target ("
                " unit text NOT NULL, period text NOT NULL, tree text NOT NULL,"
                " percent numeric(5,2) NOT NULL CHECK (percent >= 0 AND percent <= 100),"
                " set_by text NOT NULL, set_at timestamptz NOT NULL DEFAULT now(),"
                " PRIMARY KEY (unit, period, tree))")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.schema}.stat_frozen ("
                " report_id uuid PRIMARY KEY, unit text NOT NULL, period text NOT NULL,"
                " sha256 text NOT NULL, frozen_by text NOT NULL, frozen_at timestamptz NOT NULL DEFAULT now(),"
                " report jsonb NOT NULL, lineage jsonb NOT NULL)")

    async def set_target(self, unit: str, period: str, tree: str, percent: Decimal, by: str) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"INSERT INTO {self.schema}.stat_target (unit, period, tree, percent, set_by) VALUES ($1,$2,$3,$4,$5)"
                " ON CONFLICT (unit, period, tree) DO UPDATE SET percent = EXCLUDED.percent,"
                " set_by = EXCLUDED.set_by, set_at = now()", unit, period, tree, percent, by)

    async def targets(self, unit: str, periods: Sequence[str]) -> dict[str, Decimal]:
        """The target of each tree: the first of `periods` (the period itself, then its year) that has one."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(f"SELECT period, tree, percent FROM {self.schema}.stat_target"
                                    " WHERE unit = $1 AND period = ANY($2::text[])", unit, list(periods))
        found: dict[str, Decimal] = {}
        for period in periods:
            for r in rows:
                if r["period"] == period and r["tree"] not in found:
                    found[r["tree"]] = r["percent"]
        return found

    async def freeze(self, report_id: UUID, unit: str, period: str, sha256: str, by: str,
                     report: dict[str, Any], lineage: list[Any]) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"INSERT INTO {self.schema}.stat_frozen (report_id, unit, period, sha256, frozen_by, report, lineage)"
                " VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7::jsonb)", report_id, unit, period, sha256, by,
                json.dumps(report), json.dumps(lineage))

    async def frozen(self, report_id: UUID) -> dict[str, Any] | None:
        async with self.pool.acquire() as conn:
            r = await conn.fetchrow(f"SELECT report_id, unit, period, sha256, frozen_by, frozen_at,"
                                    f" report::text AS report, lineage::text AS lineage"
                                    f" FROM {self.schema}.stat_frozen WHERE report_id = $1", report_id)
        if r is None:
            return None
        return dict(r) | {"report": json.loads(r["report"]), "lineage": json.loads(r["lineage"])}
