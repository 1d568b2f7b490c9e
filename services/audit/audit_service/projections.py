"""Cross-service case timeline: every event of every service, in order, with who did what and when
(actor id, role and office; business time `occurred_at`, recording time `recorded_at`; causation and
correlation ids). The audit service's SQL lives here.

* Rows are written by the kit's tracked consumer in the same transaction as its positions (COPY).
* Erasure (issue 11 §4): an erasure event of any service (`<source>.PersonalDataErased.vN` with a
  `party_id`) is written in the same transaction into `<table>_erased`; every read replaces that
  subject's id, wherever it appears in an event (actor, payload), with "[erased]". The stored rows —
  and the services' stores and hash chains — are not touched.
* Paging is by keyset on the timeline's total order (occurred_at, recorded_at, event_id): a cursor is
  the last row's key, so a long case reads in constant time per page whatever its length.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Sequence
from uuid import UUID

import asyncpg

from thads_kit.consumer import Item
from thads_kit.projection import Projection

ERASED = "[erased]"
COLUMNS = ("event_id", "case_id", "source", "event_type", "schema_version", "aggregate_id",
           "aggregate_version", "unit", "actor_id", "actor_role", "occurred_at", "recorded_at",
           "topic", "kafka_partition", "kafka_offset", "source_position", "body")
ERASURE_FAMILY = ".PersonalDataErased"
SELECT = ("SELECT event_id, source, event_type, schema_version, aggregate_id, aggregate_version, unit,"
          " actor_id, actor_role, occurred_at, recorded_at, topic, body::text AS body")


class BadCursor(ValueError):
    """A page cursor that this service did not hand out."""


def encode_cursor(occurred_at: datetime, recorded_at: datetime, event_id: UUID) -> str:
    raw = json.dumps([occurred_at.isoformat(), recorded_at.isoformat(), str(event_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        occurred, recorded, event_id = json.loads(raw)
        key = (datetime.fromisoformat(occurred), datetime.fromisoformat(recorded), UUID(event_id))
    except Exception:
        raise BadCursor(f"cursor {cursor[:60]!r} is not one this service handed out") from None
    if key[0].tzinfo is None or key[1].tzinfo is None:
        raise BadCursor("cursor times carry no time zone")
    return key


class CaseTimeline(Projection):
    name = "case_timeline"

    def ddl(self, table: str) -> list[str]:
        short = table.split(".")[-1]
        return [
            f"DROP TABLE IF EXISTS {table}_erased",
            f"CREATE TABLE {table} ("
            " event_id uuid PRIMARY KEY, case_id uuid NOT NULL, source text NOT NULL,"
            " event_type text NOT NULL, schema_version int NOT NULL, aggregate_id uuid NOT NULL,"
            " aggregate_version bigint NOT NULL, unit text NOT NULL, actor_id text NOT NULL,"
            " actor_role text NOT NULL, occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL,"
            " topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
            " source_position bigint NOT NULL, body jsonb NOT NULL,"
            " received_at timestamptz NOT NULL DEFAULT now())",
            f"CREATE INDEX {short}_case_idx ON {table} (case_id, occurred_at, recorded_at, event_id)",
            f"CREATE TABLE {table}_erased (subject_id text PRIMARY KEY, case_id uuid NOT NULL,"
            " event_id uuid NOT NULL, erased_at timestamptz NOT NULL)",
        ]

    async def setup(self, pool: asyncpg.Pool) -> None:
        await super().setup(pool)
        # a live version created before erasure existed gets its erasure table (and the paging index)
        async with pool.acquire() as conn:
            table = self.table(await self.live_version(conn, lock=False))
            short = table.split(".")[-1]
            await conn.execute(f"CREATE TABLE IF NOT EXISTS {table}_erased (subject_id text PRIMARY KEY,"
                               " case_id uuid NOT NULL, event_id uuid NOT NULL, erased_at timestamptz NOT NULL)")
            await conn.execute(f"CREATE INDEX IF NOT EXISTS {short}_case_page_idx"
                               f" ON {table} (case_id, occurred_at, recorded_at, event_id)")

    async def write(self, conn: asyncpg.Connection, table: str, items: Sequence[Item]) -> None:
        schema, name = table.split(".")
        # An event id already held, or twice in one batch, is the same event published again (a relay
        # re-send after a crash, or two stores that replayed the same command): kept once, the first.
        unique: dict[UUID, Item] = {}
        for i in items:
            unique.setdefault(i.envelope.event_id, i)
        held = {r["event_id"] for r in await conn.fetch(
            f"SELECT event_id FROM {table} WHERE event_id = ANY($1::uuid[])", list(unique))}
        rows = [self._row(i) for event_id, i in unique.items() if event_id not in held]
        if rows:
            await conn.copy_records_to_table(name, schema_name=schema, columns=COLUMNS, records=rows)
        erased = [(str(subject), e.case_id, e.event_id, e.occurred_at) for i in items
                  if (e := i.envelope).event_type.rsplit(".v", 1)[0].endswith(ERASURE_FAMILY)
                  and (subject := _payload(e).get("party_id")) is not None]
        if erased:
            await conn.executemany(f"INSERT INTO {table}_erased VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                   erased)

    @staticmethod
    def _row(item: Item) -> tuple[Any, ...]:
        e = item.envelope
        return (e.event_id, e.case_id, e.source, e.event_type, e.schema_version, e.aggregate_id,
                e.aggregate_version, e.unit, e.actor.id, e.actor.role, e.occurred_at, e.recorded_at,
                item.record.topic, item.record.partition, item.record.offset, e.source_position,
                e.model_dump_json())

    # --- reads ------------------------------------------------------------------------------------
    async def case_summary(self, case_id: UUID) -> dict[str, Any] | None:
        """What the scoping and the bad-input checks need: the offices the case's events name, its
        banks, when it first happened and when the system first knew of it. None: no such case."""
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT count(*) AS events, array_agg(DISTINCT unit) AS units,"
                f" array_remove(array_agg(DISTINCT body->'payload'->>'bank_code'), NULL) AS banks,"
                f" min(occurred_at) AS first_occurred_at, min(recorded_at) AS first_recorded_at"
                f" FROM {self.schema}.{self.name} WHERE case_id = $1", case_id)
        if not row or not row["events"]:
            return None
        return dict(row)

    async def timeline(self, case_id: UUID, *, as_of_recorded: Any = None, as_of_occurred: Any = None,
                       after: tuple[datetime, datetime, UUID] | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
        """A case's history across services, in business-time order. `as_of_recorded` answers
        "what did the system know then"; `as_of_occurred` "what had legally happened by then"."""
        conds, args = ["case_id = $1"], [case_id]
        if as_of_recorded is not None:
            args.append(as_of_recorded)
            conds.append(f"recorded_at <= ${len(args)}")
        if as_of_occurred is not None:
            args.append(as_of_occurred)
            conds.append(f"occurred_at <= ${len(args)}")
        if after is not None:
            args.extend(after)
            conds.append(f"(occurred_at, recorded_at, event_id) > (${len(args) - 2}, ${len(args) - 1}, ${len(args)})")
        tail = ""
        if limit is not None:
            args.append(limit)
            tail = f" LIMIT ${len(args)}"
        async with self.pool.acquire() as conn:
            erased_table = f"{self.table(await self.live_version(conn, lock=False))}_erased"
            rows = await conn.fetch(
                f"{SELECT} FROM {self.schema}.{self.name} WHERE {' AND '.join(conds)}"
                f" ORDER BY occurred_at, recorded_at, event_id{tail}", *args)
            erased = {r["subject_id"] for r in await conn.fetch(
                f"SELECT subject_id FROM {erased_table} WHERE case_id = $1", case_id)}
        return [render(r, erased) for r in rows]

    async def erased_subjects(self, case_id: UUID) -> set[str]:
        async with self.pool.acquire() as conn:
            table = f"{self.table(await self.live_version(conn, lock=False))}_erased"
            return {r["subject_id"] for r in await conn.fetch(
                f"SELECT subject_id FROM {table} WHERE case_id = $1", case_id)}


def _payload(envelope: Any) -> dict[str, Any]:
    payload = envelope.payload
    return payload.model_dump(mode="json") if hasattr(payload, "model_dump") else dict(payload)


def redact(value: Any, erased: set[str]) -> Any:
    """Every occurrence of an erased subject's id, anywhere in a value, becomes "[erased]"."""
    if not erased:
        return value
    if isinstance(value, str):
        return ERASED if value in erased else value
    if isinstance(value, list):
        return [redact(v, erased) for v in value]
    if isinstance(value, dict):
        return {k: redact(v, erased) for k, v in value.items()}
    return value


def render(row: Any, erased: set[str]) -> dict[str, Any]:
    """One timeline entry as the API shows it: who (actor id, role, office), when (both times), what
    caused it, and the payload; erased subjects shown as "[erased]"."""
    body = json.loads(row["body"])
    actor = body.get("actor") or {}
    out = {
        "event_id": str(row["event_id"]), "source": row["source"], "event_type": row["event_type"],
        "schema_version": row["schema_version"], "aggregate_id": str(row["aggregate_id"]),
        "aggregate_version": row["aggregate_version"], "unit": row["unit"], "topic": row["topic"],
        "actor": {"id": row["actor_id"], "role": row["actor_role"], "unit": actor.get("unit")},
        "occurred_at": row["occurred_at"].isoformat(), "recorded_at": row["recorded_at"].isoformat(),
        "causation_id": body.get("causation_id"), "correlation_id": body.get("correlation_id"),
        "payload": body.get("payload") or {},
    }
    return redact(out, erased)
