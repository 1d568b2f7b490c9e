"""Dead letters and parked messages of tracked consumers, in PostgreSQL (the service's own schema).

Rules that live here:

* **Transient or deterministic.** `is_transient(exc)` says whether a failure is the database or the
  broker being away (connection refused or terminated, a pool timeout, a deadlock or serialization
  failure, a retriable Kafka error): those are retried forever. Anything else is deterministic: the
  same message would fail the same way again.
* **Holding a key.** A message that fails deterministically (a rule refusal, or a handler error
  after K attempts) gets a row in `dead_letter` (status `open`, with the traceback), written in the
  same transaction as its consumer position. While a key has an open dead letter, every later
  message with that key is *parked*: stored in `parked_message`, again in the same transaction as
  its position, and not applied. At most one open dead letter per consumer and key.
* **Releasing a key.** An operator (`thads deadletters replay|discard`) writes a request on the
  dead-letter row. A consumer instance takes it with `FOR UPDATE SKIP LOCKED` (so with several
  instances exactly one handles it) and, holding that row lock — which makes every instance that
  would park a new message for the key wait —, applies the dead-lettered message (replay) or skips
  it (discard), then the parked messages in order. Each released message is applied exactly once
  under its own tracking name `<consumer>:release:<dead letter id>` (sequence 1 for the dead letter,
  1 + parked id for a parked message), so an interrupted release resumes without doubling. A parked
  message that fails during a release becomes the key's new dead letter; the rest stay parked
  behind it.

Messages that cannot be decoded (bad JSON, unknown type, invalid schema) have no position and no
case order the consumer can see; they go to the dead-letter topic only.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import asyncpg
from prometheus_client import Counter, Gauge

DEAD_LETTERS = Counter("thads_dead_letters_total", "messages given up by tracked consumers",
                       ["consumer", "reason"])
PARKED = Counter("thads_parked_total", "messages parked behind a dead letter of the same key", ["consumer"])
PARKED_KEYS = Gauge("thads_parked_keys", "keys held by an open dead letter", ["consumer"])
PARKED_MESSAGES = Gauge("thads_parked_messages", "messages parked, not yet released", ["consumer"])
PARKED_OLDEST = Gauge("thads_parked_oldest_age_seconds", "age of the oldest open dead letter (its key is held)",
                      ["consumer"])
TRANSIENT = Counter("thads_consumer_transient_failures_total",
                    "transient failures (database or broker away) retried by tracked consumers", ["consumer"])
RELEASED = Counter("thads_released_total", "dead letters released by an operator", ["consumer", "action"])


class NotHeld(Exception):
    """The key's dead letter was released meanwhile: apply the message instead of parking it."""


async def run_behind_positions(conn: Any, items: Any, statements: Any, seen: dict[str, int]) -> list[Any]:
    """The loop every asyncpg sink's `record_many` shares: run each item's dead-letter/parking
    statement unless its position is at or below `seen` (a duplicate: None), in the caller's
    transaction, moving `seen` on. A parking statement that returns no row means the key was
    released meanwhile (`NotHeld`): the whole transaction rolls back and the consumer looks again."""
    out: list[Any] = []
    for item, (sql, args) in zip(items, statements):
        name, nid = item.position.tracking_name, item.position.notification_id
        if nid <= seen[name]:
            out.append(None)
            continue
        row = await conn.fetchrow(sql, *args)
        if row is None:
            raise NotHeld(f"{item.position}: the key is no longer held")
        seen[name] = nid
        out.append(row[0])
    return out


def _transient_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [OSError, asyncio.TimeoutError, ConnectionError,
                                        asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                                        asyncpg.exceptions.OperatorInterventionError,
                                        asyncpg.exceptions.InsufficientResourcesError,
                                        asyncpg.exceptions.TransactionRollbackError]
    try:
        import psycopg
        types.append(psycopg.OperationalError)
    except ImportError:  # pragma: no cover
        pass
    try:
        from eventsourcing.persistence import InterfaceError, OperationalError
        types += [OperationalError, InterfaceError]
    except ImportError:  # pragma: no cover
        pass
    from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
    types += [KafkaConnectionError, KafkaTimeoutError]
    return tuple(types)


_TRANSIENT = _transient_types()


def is_transient(exc: BaseException) -> bool:
    """The database or the broker is away (or a lock cycle was broken): retry the same message."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, _TRANSIENT) or getattr(exc, "retriable", False) is True:
            return True
        if isinstance(exc, asyncpg.PostgresError) and "accepting connections" in str(exc):
            return True      # 55000 at connect: the database does not allow connections for now
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
        seen += 1
    return False


def key_text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "backslashreplace")


def to_psycopg(sql: str, args: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
    """The same statement for psycopg: `$n` becomes `%(pn)s`."""
    return re.sub(r"\$(\d+)", r"%(p\1)s", sql), {f"p{i + 1}": a for i, a in enumerate(args)}


@dataclass(frozen=True)
class StoredRecord:
    """What a tracked consumer needs of a Kafka record, rebuilt from a stored row."""
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


class DeadLetterStore:
    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.pool: asyncpg.Pool | None = None

    def t(self, name: str) -> str:
        return f'"{self.schema}".{name}'

    def ddl(self) -> list[str]:
        t = self.t
        return [
            f"CREATE TABLE IF NOT EXISTS {t('dead_letter')} ("
            " id bigserial PRIMARY KEY, consumer text NOT NULL, msg_key text,"
            " topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
            " tracking text NOT NULL, notification_id bigint NOT NULL, store text NOT NULL, value bytea,"
            " event_type text, event_id uuid, reason_code text NOT NULL, reason text NOT NULL, traceback text,"
            " attempts int NOT NULL,"
            " status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),"
            " request text CHECK (request IN ('replay', 'discard')), request_reason text, requested_by text,"
            " requested_at timestamptz, outcome text,"
            " created_at timestamptz NOT NULL DEFAULT now(), resolved_at timestamptz)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS dead_letter_open_key ON {t('dead_letter')} (consumer, msg_key)"
            " WHERE status = 'open'",
            f"CREATE TABLE IF NOT EXISTS {t('parked_message')} ("
            f" id bigserial PRIMARY KEY, dead_letter_id bigint NOT NULL REFERENCES {t('dead_letter')} (id),"
            " consumer text NOT NULL, msg_key text NOT NULL,"
            " topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
            " tracking text NOT NULL, notification_id bigint NOT NULL, store text NOT NULL, value bytea,"
            " parked_at timestamptz NOT NULL DEFAULT now(), released_at timestamptz,"
            " UNIQUE (tracking, notification_id))",
            f"CREATE INDEX IF NOT EXISTS parked_message_letter ON {t('parked_message')} (dead_letter_id, id)"
            " WHERE released_at IS NULL",
        ]

    async def setup(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"deadletters-setup:{self.schema}")
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            for stmt in self.ddl():
                await conn.execute(stmt)

    # --- statements a sink runs in the transaction that records the message's position ----------
    def hold_sql(self, item: Any, consumer: str, store: str, code: str, reason: str, traceback: str,
                 attempts: int) -> tuple[str, tuple[Any, ...]]:
        rec, env, pos = item.record, item.envelope, item.position
        return (f"INSERT INTO {self.t('dead_letter')} (consumer, msg_key, topic, kafka_partition, kafka_offset,"
                " tracking, notification_id, store, value, event_type, event_id, reason_code, reason, traceback,"
                " attempts) VALUES ($1::text, $2::text, $3::text, $4::int, $5::bigint, $6::text, $7::bigint,"
                " $8::text, $9::bytea, $10::text, $11::uuid, $12::text, $13::text, $14::text, $15::int)"
                " RETURNING id",
                (consumer, key_text(rec.key), rec.topic, rec.partition, rec.offset, pos.tracking_name,
                 pos.notification_id, store, rec.value, getattr(env, "event_type", None),
                 getattr(env, "event_id", None), code, reason, traceback, attempts))

    def park_sql(self, item: Any, consumer: str, store: str) -> tuple[str, tuple[Any, ...]]:
        rec, pos = item.record, item.position
        return (f"WITH l AS (SELECT id FROM {self.t('dead_letter')}"
                "  WHERE consumer = $1::text AND msg_key = $2::text AND status = 'open' FOR SHARE)"
                f" INSERT INTO {self.t('parked_message')} (dead_letter_id, consumer, msg_key, topic,"
                " kafka_partition, kafka_offset, tracking, notification_id, store, value)"
                " SELECT l.id, $1::text, $2::text, $3::text, $4::int, $5::bigint, $6::text, $7::bigint, $8::text,"
                " $9::bytea FROM l RETURNING dead_letter_id",
                (consumer, key_text(rec.key), rec.topic, rec.partition, rec.offset, pos.tracking_name,
                 pos.notification_id, store, rec.value))

    # --- reads -----------------------------------------------------------------------------------
    async def held_keys(self, consumer: str, keys: list[str]) -> dict[str, int]:
        assert self.pool is not None
        rows = await self.pool.fetch(
            f"SELECT msg_key, id FROM {self.t('dead_letter')}"
            " WHERE consumer = $1 AND status = 'open' AND msg_key = ANY($2::text[])", consumer, keys)
        return {r["msg_key"]: r["id"] for r in rows}

    async def refresh_gauges(self, consumer: str) -> None:
        assert self.pool is not None
        row = await self.pool.fetchrow(
            f"SELECT count(*) FILTER (WHERE msg_key IS NOT NULL) AS keys,"
            f" extract(epoch FROM now() - min(created_at)) AS oldest,"
            f" (SELECT count(*) FROM {self.t('parked_message')} WHERE consumer = $1 AND released_at IS NULL) AS parked"
            f" FROM {self.t('dead_letter')} WHERE consumer = $1 AND status = 'open'", consumer)
        PARKED_KEYS.labels(consumer).set(row["keys"])
        PARKED_MESSAGES.labels(consumer).set(row["parked"])
        PARKED_OLDEST.labels(consumer).set(float(row["oldest"] or 0))

    @staticmethod
    def record_of(row: Any) -> StoredRecord:
        from .relay import STORE_HEADER
        key = row["msg_key"]
        return StoredRecord(row["topic"], row["kafka_partition"], row["kafka_offset"],
                            None if key is None else key.encode("utf-8"), row["value"],
                            ((STORE_HEADER, row["store"].encode("ascii", "replace")),))
