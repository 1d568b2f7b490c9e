"""The event-sourced sink on the real broker and database: a rule refusal holds the key, later
messages of the key are parked through the event store's own transaction (with the tracking
record), a discard applies them once each, in order, and refused connections are retried."""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import pytest
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from faststream.kafka import KafkaBroker

from thads_contracts import encode
from thads_contracts.registry import decode as registry_decode
from thads_contracts.topics import AUCTIONS_ASSET
from thads_infra import layout
from thads_infra.testing import create_topic, pg_connect, publish, wait_until
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.settings import ServiceSettings
from thads_kit.store import EsExecutor, ServiceApplication

from .test_parking import cli, proceeds

pytestmark = pytest.mark.integration


class Refused(Exception):
    pass


class Account(Aggregate):
    @event("Opened")
    def __init__(self, account_id: UUID) -> None:
        self.amounts: list[int] = []

    @staticmethod
    def create_id(account_id: UUID) -> UUID:
        return account_id

    @event("Credited")
    def credit(self, amount: int) -> None:
        self.amounts.append(amount)


class Ledger(ServiceApplication):
    name = "Ledger"


@pytest.fixture
async def es() -> AsyncIterator[Any]:
    schema = f"t_parkes_{uuid4().hex[:10]}"
    topic = f"test.parking-es.{uuid4().hex[:10]}"
    await create_topic(topic, partitions=2)
    conn = await pg_connect()
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.close()
    settings = ServiceSettings(service_name="ledger", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema,
                               aggregate_cache_size=0, es_pool_size=4)
    executor = EsExecutor(4)
    app = await executor.run(lambda: Ledger(env=settings.eventsourcing_env()))
    pool = await asyncpg.create_pool(min_size=1, max_size=4, **settings.asyncpg_kwargs())
    state: dict[str, Any] = {"schema": schema, "topic": topic, "app": app, "pool": pool, "executor": executor}
    yield state
    await pool.close()
    app.close()
    await executor.shutdown()
    conn = await pg_connect()         # a test may have terminated every connection
    await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    await conn.close()


def policy(state: dict[str, Any]):
    def apply(env: Any) -> list[Aggregate]:
        if env.payload.amount_vnd == 13:
            raise Refused("13 is refused")
        app = state["app"]
        try:
            account = app.repository.get(Account.create_id(env.case_id))
        except AggregateNotFoundError:
            account = Account(env.case_id)
        account.credit(env.payload.amount_vnd)
        return [account]
    return apply


@asynccontextmanager
async def consumer(state: dict[str, Any]) -> AsyncIterator[TrackedConsumer]:
    broker = KafkaBroker(layout.KAFKA_BOOTSTRAP, log_level=10)
    sink = EventSourcedSink(state["app"], state["executor"], policy(state), rule_errors=(Refused,),
                            schema=state["schema"])
    c = TrackedConsumer(name=f"{state['schema']}.ledger", broker=broker, topics=[state["topic"]], sink=sink,
                        decode=lambda _t, raw: registry_decode(AUCTIONS_ASSET, raw), retry_seconds=0.05,
                        request_poll_seconds=0.2)
    await c.start(state["pool"])
    await broker.start()
    try:
        yield c
    finally:
        await broker.stop()
        await c.stop()


def amounts(state: dict[str, Any], case_id: UUID) -> list[int]:
    try:
        return list(state["app"].repository.get(case_id).amounts)
    except AggregateNotFoundError:
        return []


async def test_event_sourced_sink_holds_parks_and_replays_once_in_order(es: dict[str, Any]) -> None:
    held, other = uuid4(), uuid4()
    base = time.time_ns() // 1000
    sums = [100, 13, 300, 400, 500]
    msgs = [proceeds(held, v + 1, base + v, amount=a) for v, a in enumerate(sums)]
    msgs.append(proceeds(other, 1, base + 10, amount=7))
    await publish(es["topic"], [(str(m.case_id).encode(), encode(m)) for m in msgs])
    async with consumer(es):
        await wait_until(lambda: amounts(es, other) == [7], what="the other key applied")
        await wait_until(lambda: _parked(es, 3), what="three parked")
        assert amounts(es, held) == [100]
        letter = await es["pool"].fetchrow(f'SELECT * FROM "{es["schema"]}".dead_letter')
        assert letter["reason_code"] == "rejected_by_rule" and "Refused: 13 is refused" in letter["traceback"]
        result = await asyncio.to_thread(cli, "discard", f"{es['schema']}:{letter['id']}", "--reason", "số sai")
        assert result.returncode == 0, result.stdout + result.stderr
        assert amounts(es, held) == [100, 300, 400, 500]
        # a later message of the key applies directly, after the parked ones
        await publish(es["topic"], [(str(held).encode(), encode(proceeds(held, 6, base + 20, amount=600)))])
        await wait_until(lambda: amounts(es, held) == [100, 300, 400, 500, 600], what="after the release")


async def test_event_sourced_sink_retries_while_postgresql_refuses_connections(es: dict[str, Any]) -> None:
    """PostgreSQL refuses every connection to the database for a while (and the open ones are
    terminated), longer than the event store library's own retries: the consumer keeps retrying
    the same messages (a transient failure, counted) and dead-letters nothing."""
    from prometheus_client import REGISTRY

    case_id = uuid4()
    base = time.time_ns() // 1000
    async with consumer(es) as c:
        name = {"consumer": c.name}
        other_db = await asyncpg.connect(host=layout.PG_HOST, port=layout.PG_PORT, database="postgres",
                                         user=layout.PG_USER)
        try:
            await other_db.execute(f'ALTER DATABASE "{layout.PG_DB}" ALLOW_CONNECTIONS false')
            await other_db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                   " WHERE datname = $1 AND pid <> pg_backend_pid()", layout.PG_DB)
            await publish(es["topic"], [(str(case_id).encode(), encode(proceeds(case_id, v, base + v, amount=v)))
                                        for v in range(1, 11)])
            await wait_until(lambda: (REGISTRY.get_sample_value("thads_consumer_transient_failures_total", name)
                                      or 0) >= 2, what="transient failures retried")
        finally:
            await other_db.execute(f'ALTER DATABASE "{layout.PG_DB}" ALLOW_CONNECTIONS true')
            await other_db.close()
        await wait_until(lambda: amounts(es, case_id) == list(range(1, 11)), what="all applied once, in order")
    assert await es["pool"].fetchval(f'SELECT count(*) FROM "{es["schema"]}".dead_letter') == 0


async def _parked(es: dict[str, Any], n: int) -> bool:
    return await es["pool"].fetchval(f'SELECT count(*) FROM "{es["schema"]}".parked_message') == n
