"""The platform's access log as the procuracy reads it (issue 11 §5; architecture §7): every
service's `AccessRecorded` entries from `thads.audit.access` — who read what, when, on which legal
basis, and how the service answered — audit's own reads and refusals included.

* Written by the kit's tracked consumer: positions (service, partition, the entry's sequence in its
  service's log) in the same transaction as the rows; a re-sent entry is also skipped on its
  `entry_id` (the publisher re-sends after a crash with the same ids).
* Read with the kit's office scoping: an entry belongs to the office of the resource it names
  (`unit`); procuracy and inspectors read their province's entries. Entries of no office (a bank
  feed read, an attempt on an unknown case) are read by national bodies only (and the operator).
* Paged by keyset on (at, entry_id), newest first.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Sequence
from uuid import UUID

import asyncpg
from pydantic import ValidationError

from thads_contracts.access import AccessRecorded
from thads_contracts.errors import BadJsonError, SchemaViolationError
from thads_kit.consumer import Item
from thads_kit.projection import Projection
from thads_kit.scoping import UnitFilter

GROUP = "audit.access"
COLUMNS = ("entry_id", "service", "sequence", "actor_id", "actor_role", "actor_unit", "action", "resource",
           "resource_id", "case_id", "unit", "province", "legal_basis", "status", "at", "correlation_id")


def decode(topic: str, value: bytes) -> AccessRecorded:
    try:
        return AccessRecorded.model_validate_json(value)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadJsonError(str(exc), topic=topic) from None
        raise SchemaViolationError.from_validation_error(exc, event_type="audit.AccessRecorded.v1",
                                                         topic=topic) from None


def encode_cursor(at: datetime, entry_id: UUID) -> str:
    raw = json.dumps([at.isoformat(), str(entry_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    from .projections import BadCursor
    try:
        at, entry_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = (datetime.fromisoformat(at), UUID(entry_id))
    except Exception:
        raise BadCursor(f"cursor {cursor[:60]!r} is not one this service handed out") from None
    if key[0].tzinfo is None:
        raise BadCursor("cursor time carries no time zone")
    return key


class AccessEntries(Projection):
    name = "access_entries"

    def ddl(self, table: str) -> list[str]:
        short = table.split(".")[-1]
        return [
            f"CREATE TABLE {table} ("
            " entry_id uuid PRIMARY KEY, service text NOT NULL, sequence bigint NOT NULL,"
            " actor_id text NOT NULL, actor_role text NOT NULL, actor_unit text, action text NOT NULL,"
            " resource text NOT NULL, resource_id text NOT NULL, case_id uuid, unit text, province text,"
            " legal_basis text, status int NOT NULL, at timestamptz NOT NULL, correlation_id uuid,"
            " received_at timestamptz NOT NULL DEFAULT now())",
            f"CREATE INDEX {short}_at_idx ON {table} (at DESC, entry_id DESC)",
            f"CREATE INDEX {short}_case_idx ON {table} (case_id, at DESC)",
            f"CREATE INDEX {short}_province_idx ON {table} (province, at DESC)",
        ]

    async def write(self, conn: asyncpg.Connection, table: str, items: Sequence[Item]) -> None:
        await conn.executemany(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${n}' for n in range(1, 17))})"
            " ON CONFLICT (entry_id) DO NOTHING", [self._row(i.envelope) for i in items])

    @staticmethod
    def _row(e: AccessRecorded) -> tuple[Any, ...]:
        return (e.entry_id, e.service, e.sequence, e.actor.id, e.actor.role, e.actor.unit, e.action, e.resource,
                e.resource_id, e.case_id, e.unit, e.unit.split("-", 1)[0] if e.unit else None, e.legal_basis,
                e.status, e.at, e.correlation_id)

    async def query(self, scope: UnitFilter, *, case_id: UUID | None = None, actor_id: str | None = None,
                    resource: str | None = None, resource_id: str | None = None, action: str | None = None,
                    since: datetime | None = None, until: datetime | None = None,
                    before: tuple[datetime, UUID] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        conds: list[str] = []
        args: list[Any] = []

        def add(sql: str, *values: Any) -> None:
            args.extend(values)
            conds.append(sql.format(*[f"${len(args) - len(values) + k + 1}" for k in range(len(values))]))

        if scope.unit is not None:
            add("unit = {0}", scope.unit)
        elif scope.province is not None:
            add("province = {0}", scope.province)
        for column, value in (("case_id", case_id), ("actor_id", actor_id), ("resource", resource),
                              ("resource_id", resource_id), ("action", action)):
            if value is not None:
                add(f"{column} = {{0}}", value)
        if since is not None:
            add("at >= {0}", since)
        if until is not None:
            add("at < {0}", until)
        if before is not None:
            add("(at, entry_id) < ({0}, {1})", *before)
        args.append(limit)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {', '.join(COLUMNS)} FROM {self.schema}.{self.name}{where}"
                f" ORDER BY at DESC, entry_id DESC LIMIT ${len(args)}", *args)
        return [{k: (str(v) if isinstance(v, UUID) else v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in dict(r).items() if k != "province"} for r in rows]
