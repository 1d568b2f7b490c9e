"""The access log (architecture §7; issue 11 §5): who read what, when, on which legal basis.

A service calls `await runtime.access.record(principal, action=..., resource=..., resource_id=...)`
where the law wants a read remembered — personal data, a denouncer's identity, a bank's feed or case,
any read by a bank, an auditor or the procuracy — and for every refused attempt. The entry is
INSERTed into the service's own `access_log` table before `record` returns (so the answer never
leaves before its trace exists); `AccessPublisher` then sends the entries, in order, to
`thads.audit.access` as `thads_contracts.access.AccessRecorded`, and stores how far it got only after
Kafka acknowledged. A crash between the two re-sends; the consumer dedupes on `entry_id`.
One publisher per schema runs at a time (advisory lock); it wakes on NOTIFY, else polls.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Literal
from uuid import UUID

from .auth import Principal
from .logs import correlation_id
from .tasks import BackgroundTask

log = logging.getLogger(__name__)

CHANNEL = "thads_access_log"


def _uuid_or_none(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


class AccessLog:
    """Records access entries in `<schema>.access_log`; `publisher()` ships them to Kafka."""

    def __init__(self, *, service: str, schema: str) -> None:
        self.service, self.schema = service, schema
        self.table = f'"{schema}".access_log'
        self.pool: Any = None

    def ddl(self) -> list[str]:
        return [
            f"""CREATE TABLE IF NOT EXISTS {self.table} (
                sequence bigserial PRIMARY KEY,
                entry_id uuid NOT NULL UNIQUE,
                at timestamptz NOT NULL,
                actor_id text NOT NULL, actor_role text NOT NULL, actor_unit text,
                action text NOT NULL CHECK (action IN ('read', 'refused')),
                resource text NOT NULL, resource_id text NOT NULL,
                case_id uuid, unit text, legal_basis text, status int NOT NULL,
                correlation_id uuid)""",
            f'CREATE TABLE IF NOT EXISTS "{self.schema}".access_log_position ('
            " id int PRIMARY KEY CHECK (id = 1), sequence bigint NOT NULL)",
        ]

    async def setup(self, pool: Any) -> None:
        self.pool = pool
        async with pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"ddl:{self.table}")
                for statement in self.ddl():
                    await conn.execute(statement)

    async def record(self, principal: Principal, *, action: Literal["read", "refused"], resource: str,
                     resource_id: str, case_id: UUID | str | None = None, unit: str | None = None,
                     legal_basis: str | None = None, status: int = 200, conn: Any = None) -> UUID:
        """Write one entry now (in `conn`'s transaction when given, so it commits with the caller's
        own writes) and return its id."""
        if action not in ("read", "refused"):
            raise ValueError(f"access action must be 'read' or 'refused', not {action!r}")
        entry_id = uuid.uuid4()
        args = (entry_id, datetime.now(timezone.utc), principal.sub, principal.role, principal.unit, action,
                resource, str(resource_id), UUID(str(case_id)) if case_id is not None else None, unit,
                legal_basis, status, _uuid_or_none(correlation_id.get()))
        sql = (f"INSERT INTO {self.table} (entry_id, at, actor_id, actor_role, actor_unit, action, resource,"
               " resource_id, case_id, unit, legal_basis, status, correlation_id)"
               " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)")
        if conn is not None:
            await self._insert(conn, sql, args)
        else:
            if self.pool is None:
                raise RuntimeError("AccessLog.record before setup(): the access log has no database")
            async with self.pool.acquire() as own:
                async with own.transaction():
                    await self._insert(own, sql, args)
        return entry_id

    async def _insert(self, conn: Any, sql: str, args: tuple[Any, ...]) -> None:
        # Writers take turns until commit, so entries commit in sequence order and the publisher,
        # reading "sequence > where I stopped", never passes over one that commits later.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"access-write:{self.table}")
        await conn.execute(sql, *args)
        await conn.execute(f"NOTIFY {CHANNEL}")

    async def entries(self, conn: Any, after: int = 0, limit: int = 500) -> list[Any]:
        return await conn.fetch(f"SELECT * FROM {self.table} WHERE sequence > $1 ORDER BY sequence LIMIT $2",
                                after, limit)


def to_contract(service: str, row: Any) -> Any:
    from thads_contracts.access import AccessRecorded
    from thads_contracts.envelope import Actor

    role = row["actor_role"]
    return AccessRecorded(
        entry_id=row["entry_id"], service=service, sequence=row["sequence"],
        actor=Actor(id=row["actor_id"], role=role, unit=row["actor_unit"]),
        action=row["action"], resource=row["resource"], resource_id=row["resource_id"], case_id=row["case_id"],
        unit=row["unit"], legal_basis=row["legal_basis"], status=row["status"], at=row["at"],
        correlation_id=row["correlation_id"])


class AccessPublisher(BackgroundTask):
    """Ships a service's access log to `thads.audit.access`, in sequence order, at least once."""

    def __init__(self, access: AccessLog, *, pg: dict[str, Any], kafka_url: str, poll_seconds: float = 1.0,
                 batch: int = 500) -> None:
        self.access, self.pg, self.kafka_url = access, pg, kafka_url
        self.poll_seconds, self.batch = poll_seconds, batch
        self.position = 0
        self._wake = asyncio.Event()

    def task_name(self) -> str:
        return f"access-log-{self.access.service}"

    async def _run(self) -> None:
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("access log publication failed; retrying")
                await asyncio.sleep(self.poll_seconds)

    async def _run_once(self) -> None:
        import asyncpg
        from aiokafka import AIOKafkaProducer

        from .settings import bootstrap_servers

        conn = await asyncpg.connect(**self.pg)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(self.kafka_url), enable_idempotence=True,
                                    acks="all")
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"access:{self.access.table}"):
                await asyncio.sleep(self.poll_seconds)
            await conn.add_listener(CHANNEL, lambda *_: self._wake.set())
            await producer.start()
            self.position = await conn.fetchval(
                f'SELECT sequence FROM "{self.access.schema}".access_log_position WHERE id = 1') or 0
            while True:
                while await self.publish_once(conn, producer):
                    pass
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except asyncio.TimeoutError:
                    pass
        finally:
            await producer.stop()
            await conn.close()

    async def publish_once(self, conn: Any, producer: Any) -> int:
        from thads_contracts.topics import AUDIT_ACCESS

        rows = await self.access.entries(conn, self.position, self.batch)
        if not rows:
            return 0
        futures = []
        for row in rows:
            entry = to_contract(self.access.service, row)
            key = str(entry.case_id or entry.resource_id).encode()
            futures.append(await producer.send(AUDIT_ACCESS, entry.model_dump_json().encode(), key=key))
        await asyncio.gather(*futures)
        through = rows[-1]["sequence"]
        await conn.execute(
            f'INSERT INTO "{self.access.schema}".access_log_position (id, sequence) VALUES (1, $1)'
            " ON CONFLICT (id) DO UPDATE SET sequence = EXCLUDED.sequence", through)
        self.position = through
        return len(rows)
