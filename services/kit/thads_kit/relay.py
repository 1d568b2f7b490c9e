"""Outbox relay: the event store's notification log is the outbox.

One active relay per service (a PostgreSQL advisory lock; a second one waits as a standby) tails
`<schema>.<app>_events` in notification-id order, turns each domain event into its public contract,
publishes it to Kafka with an idempotent producer (acks=all, key = case id) and stores its position
only after the broker acknowledged. A crash between the two re-publishes, never loses: at-least-once,
and consumers dedupe on (source, partition, source notification id).

Tailing `> last` is gap-safe because the library inserts under an EXCLUSIVE table lock, so commit
order equals id order; gaps from rolled-back inserts are permanent and simply skipped. The library's
POSTGRES_ENABLE_DB_FUNCTIONS option inserts through a database function WITHOUT that lock: a
transaction holding a lower id could then commit after a higher one and be skipped for good, so a
service refuses to start with it on (`require_table_lock`, called by the runtime).

Everything the active relay does goes through the session that holds its advisory lock (reading,
storing the position): if that session is lost (`pg_terminate_backend`, a network cut) the next
statement fails and the relay stops publishing before a standby, now holding the lock, starts; it
then reconnects and waits as the standby itself (tests/integration in the kit).
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.postgres import PostgresRecorder
from prometheus_client import Counter, Gauge

from .settings import bootstrap_servers
from .tasks import BackgroundTask

log = logging.getLogger(__name__)

STORE_HEADER = "thads-store"
RELAYED = Counter("thads_relay_events_total", "events published by the relay", ["service"])
RELAY_FAILURES = Counter("thads_relay_failures_total", "relay restarts after an error", ["service"])
RELAY_POSITION = Gauge("thads_relay_position", "last notification id acknowledged by Kafka", ["service"])


class UnsafeEventStoreError(RuntimeError):
    """The event store would write without the table lock the relay relies on."""


def require_table_lock(recorder: Any, service: str) -> None:
    """Refuse an event store whose inserts do not take the EXCLUSIVE table lock (see the module)."""
    if not isinstance(recorder, PostgresRecorder):   # in-memory stores of unit tests: no relay tails them
        return
    datastore = recorder.datastore
    if datastore.enable_db_functions or not getattr(recorder, "lock_table_statements", None):
        why = ("has POSTGRES_ENABLE_DB_FUNCTIONS on: its insert function writes" if datastore.enable_db_functions
               else "takes no table lock: it writes")
        raise UnsafeEventStoreError(
            f"the {service} event store {why} without the EXCLUSIVE lock on the events table, so a "
            "transaction holding a lower notification "
            "id could commit after a higher one and the outbox relay would skip its events for good. "
            "Unset POSTGRES_ENABLE_DB_FUNCTIONS (and <APP>_POSTGRES_ENABLE_DB_FUNCTIONS) to start.")


@dataclass(frozen=True)
class Outgoing:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


# domain event + its notification id -> message to publish, or None for internal-only events
Translate = Callable[[Any, int], Outgoing | None]


class OutboxRelay(BackgroundTask):
    def __init__(self, *, service: str, schema: str, events_table: str, mapper: Mapper,
                 translate: Translate, pg: dict[str, Any], kafka_url: str, batch: int = 500,
                 poll_seconds: float = 1.0, fault: str = "") -> None:
        self.service = service
        self.schema = schema
        self.events_table = events_table
        self.mapper = mapper
        self.translate = translate
        self.pg = pg
        self.kafka_url = kafka_url
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.fault = fault
        self.position = 0
        self.store_id = ""
        self.active = False
        self.backend_pid: int | None = None     # PostgreSQL pid of the session holding the lock
        # Test seam: awaited after the broker acknowledged a batch, before its position is stored.
        self.after_publish: Callable[[int], Awaitable[None]] | None = None
        self._wake = asyncio.Event()

    @property
    def lock_name(self) -> str:
        return f"thads-relay:{self.schema}.{self.events_table}"

    def task_name(self) -> str:
        return f"relay-{self.service}"

    async def _run(self) -> None:
        delay = 1.0
        while True:
            started_at = self.position
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                # An event that cannot be translated or published stops the relay at that event:
                # skipping it would break the order of the case's events. Back off and say so.
                delay = 1.0 if self.position > started_at else min(delay * 2, 60.0)
                log.exception("relay failed at position %s; restarting in %.0f s", self.position, delay)
                RELAY_FAILURES.labels(self.service).inc()
                self.active = False
                await asyncio.sleep(delay)

    async def _run_once(self) -> None:
        lock_conn = await asyncpg.connect(**self.pg)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(self.kafka_url), enable_idempotence=True,
                                    acks="all", linger_ms=5, max_batch_size=1 << 20)
        try:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.lock_name):
                await asyncio.sleep(self.poll_seconds)   # standby: another relay is active
            self.active = True
            self.backend_pid = lock_conn.get_server_pid()
            log.info("relay active", extra={"lock": self.lock_name, "pid": os.getpid()})
            await self._ensure_table(lock_conn)
            await lock_conn.add_listener(self.events_table, lambda *_: self._wake.set())
            await producer.start()
            self.position = await lock_conn.fetchval(
                f"SELECT notification_id FROM {self.schema}.relay_position WHERE relay = $1",
                self.events_table) or 0
            RELAY_POSITION.labels(self.service).set(self.position)
            while True:
                moved = await self._relay_batch(lock_conn, producer)
                if not moved:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                    except asyncio.TimeoutError:
                        pass
        finally:
            self.active = False
            await producer.stop()
            await lock_conn.close()   # closing the session releases the advisory lock

    async def _ensure_table(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {self.schema}.relay_position ("
            " relay text PRIMARY KEY, notification_id bigint NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now())")
        # The store's identity travels with every message: notification ids count per store, so a
        # consumer keeps positions per store (a second store of the same service, or a store rebuilt
        # from nothing, never makes its events look like duplicates of another's).
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {self.schema}.store_identity ("
            " one boolean PRIMARY KEY DEFAULT true CHECK (one), store_id uuid NOT NULL,"
            " created_at timestamptz NOT NULL DEFAULT now())")
        await conn.execute(f"INSERT INTO {self.schema}.store_identity (store_id) VALUES (gen_random_uuid())"
                           " ON CONFLICT DO NOTHING")
        self.store_id = str(await conn.fetchval(f"SELECT store_id FROM {self.schema}.store_identity"))

    async def _relay_batch(self, conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
        rows = await conn.fetch(
            f"SELECT notification_id, originator_id, originator_version, topic, state"
            f" FROM {self.schema}.{self.events_table}"
            f" WHERE notification_id > $1 ORDER BY notification_id LIMIT $2",
            self.position, self.batch)
        if not rows:
            return 0
        outgoing = []      # translate the whole batch first: a bad event sends nothing of this batch
        for row in rows:
            event = self.mapper.to_domain_event(StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])))
            out = self.translate(event, row["notification_id"])
            if out is not None:
                outgoing.append(out)
        store = [(STORE_HEADER, self.store_id.encode())]
        futures = [await producer.send(o.topic, o.value, key=o.key, headers=o.headers + store) for o in outgoing]
        if futures:
            await asyncio.gather(*futures)      # every message acknowledged by the brokers (acks=all)
        last = rows[-1]["notification_id"]
        if self.after_publish is not None:
            await self.after_publish(last)
        if self.fault == "relay_crash_after_publish":
            log.warning("fault injection: SIGKILL after publish, before storing position %s", last)
            os.kill(os.getpid(), signal.SIGKILL)
        await conn.execute(
            f"INSERT INTO {self.schema}.relay_position (relay, notification_id) VALUES ($1, $2)"
            " ON CONFLICT (relay) DO UPDATE SET notification_id = EXCLUDED.notification_id, updated_at = now()"
            f" WHERE {self.schema}.relay_position.notification_id < EXCLUDED.notification_id",
            self.events_table, last)
        self.position = last
        RELAYED.labels(self.service).inc(len(futures))
        RELAY_POSITION.labels(self.service).set(last)
        return len(rows)

    async def wait_for(self, notification_id: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.position < notification_id:
            if time.monotonic() > deadline:
                raise TimeoutError(f"relay at {self.position}, wanted {notification_id}")
            await asyncio.sleep(0.02)
