"""Cross-service case timeline: every event of every service, in order, with who did what and
when (business time and recording time). The audit service's SQL lives here."""
from __future__ import annotations

import json
from typing import Any, Sequence
from uuid import UUID

import asyncpg

from thads_kit.consumer import Item
from thads_kit.projection import Projection

COLUMNS = ("event_id", "case_id", "source", "event_type", "schema_version", "aggregate_id",
           "aggregate_version", "unit", "actor_id", "actor_role", "occurred_at", "recorded_at",
           "topic", "kafka_partition", "kafka_offset", "source_position", "body")


class CaseTimeline(Projection):
    name = "case_timeline"

    def ddl(self, table: str) -> list[str]:
        short = table.split(".")[-1]
        return [
            f"CREATE TABLE {table} ("
            " event_id uuid PRIMARY KEY, case_id uuid NOT NULL, source text NOT NULL,"
            " event_type text NOT NULL, schema_version int NOT NULL, aggregate_id uuid NOT NULL,"
            " aggregate_version bigint NOT NULL, unit text NOT NULL, actor_id text NOT NULL,"
            " actor_role text NOT NULL, occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL,"
            " topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
            " source_position bigint NOT NULL, body jsonb NOT NULL,"
            " received_at timestamptz NOT NULL DEFAULT now())",
            f"CREATE INDEX {short}_case_idx ON {table} (case_id, occurred_at, recorded_at)",
        ]

    async def write(self, conn: asyncpg.Connection, table: str, items: Sequence[Item]) -> None:
        schema, name = table.split(".")
        await conn.copy_records_to_table(name, schema_name=schema, columns=COLUMNS,
                                         records=[self._row(i) for i in items])

    @staticmethod
    def _row(item: Item) -> tuple[Any, ...]:
        e = item.envelope
        return (e.event_id, e.case_id, e.source, e.event_type, e.schema_version, e.aggregate_id,
                e.aggregate_version, e.unit, e.actor.id, e.actor.role, e.occurred_at, e.recorded_at,
                item.record.topic, item.record.partition, item.record.offset, e.source_position,
                e.model_dump_json())

    async def timeline(self, case_id: UUID, *, as_of_recorded: Any = None,
                       as_of_occurred: Any = None) -> list[dict[str, Any]]:
        """A case's history across services, in business-time order. `as_of_recorded` answers
        "what did the system know then"; `as_of_occurred` "what had legally happened by then"."""
        conds, args = ["case_id = $1"], [case_id]
        if as_of_recorded is not None:
            args.append(as_of_recorded)
            conds.append(f"recorded_at <= ${len(args)}")
        if as_of_occurred is not None:
            args.append(as_of_occurred)
            conds.append(f"occurred_at <= ${len(args)}")
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT event_id, source, event_type, schema_version, aggregate_id, aggregate_version,"
                f" unit, actor_id, actor_role, occurred_at, recorded_at, body::text AS body"
                f" FROM {self.schema}.{self.name} WHERE {' AND '.join(conds)}"
                f" ORDER BY occurred_at, recorded_at, source, aggregate_version", *args)
        return [dict(r) | {"body": json.loads(r["body"])} for r in rows]
