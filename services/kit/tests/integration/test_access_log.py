"""The kit's access log on the real PostgreSQL and Kafka: every recorded entry reaches
`thads.audit.access` in sequence order with its entry id; entries written by concurrent readers are
never passed over; a publisher that dies after Kafka's ack but before storing its position re-sends
(same entry ids, so the consumer dedupes) and loses nothing; an entry written inside a caller's
transaction that rolls back is never published."""
from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from thads_contracts.access import AccessRecorded
from thads_contracts.topics import AUDIT_ACCESS, PARTITIONS
from thads_infra import layout, topics
from thads_kit.access import AccessLog, AccessPublisher
from thads_kit.auth import Principal
from thads_kit.settings import ServiceSettings

pytestmark = pytest.mark.integration

AUDITOR = Principal(sub="kiem-tra-01", role="auditor", unit="TH")


async def read_topic_for(resource_id_prefix: str, expected: int, timeout: float = 30.0) -> list[AccessRecorded]:
    consumer = AIOKafkaConsumer(bootstrap_servers=layout.KAFKA_BOOTSTRAP, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(AUDIT_ACCESS, p) for p in range(PARTITIONS)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        found: list[AccessRecorded] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    entry = AccessRecorded.model_validate(json.loads(r.value))
                    if entry.resource_id.startswith(resource_id_prefix):
                        found.append(entry)
            if len(found) >= expected and not batch:
                break
        return found
    finally:
        await consumer.stop()


@pytest.fixture
async def access():
    await topics.ensure_topics(layout.KAFKA_BOOTSTRAP, topics=[AUDIT_ACCESS])
    schema = f"t_access_{uuid.uuid4().hex[:10]}"
    settings = ServiceSettings(service_name="accesstest", pg_schema=schema, kafka_url=layout.KAFKA_BOOTSTRAP,
                               pg_host=layout.PG_HOST, pg_port=layout.PG_PORT, pg_db=layout.PG_DB,
                               pg_user=layout.PG_USER)
    conn = await asyncpg.connect(**settings.asyncpg_kwargs())
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.close()
    pool = await asyncpg.create_pool(min_size=1, max_size=6, **settings.asyncpg_kwargs())
    log = AccessLog(service="accesstest", schema=schema)
    await log.setup(pool)
    try:
        yield log, settings
    finally:
        await pool.close()


async def test_concurrent_entries_are_all_published_in_order(access) -> None:
    log, settings = access
    tag = uuid.uuid4().hex[:8]
    publisher = AccessPublisher(log, pg=settings.asyncpg_kwargs(), kafka_url=settings.kafka_url, poll_seconds=0.2)
    await publisher.start()
    try:
        await asyncio.gather(*(log.record(AUDITOR, action="read", resource="personal_data",
                                          resource_id=f"{tag}-{i}", case_id=uuid.uuid4(), unit="TH-01",
                                          legal_basis="Luật THADS Điều 12", status=200) for i in range(40)))
        await log.record(AUDITOR, action="refused", resource="case", resource_id=f"{tag}-refused", unit="HN-02",
                         status=403)
        found = await read_topic_for(tag, 41)
    finally:
        await publisher.stop()
    assert len(found) == 41 and len({e.entry_id for e in found}) == 41
    by_partition_order = sorted(found, key=lambda e: e.sequence)
    assert [e.sequence for e in by_partition_order] == sorted({e.sequence for e in found})
    refused = next(e for e in found if e.action == "refused")
    assert (refused.status, refused.unit, refused.actor.role, refused.actor.id) == (403, "HN-02", "auditor", "kiem-tra-01")


async def test_crash_after_send_before_position_resends_the_same_entries(access) -> None:
    log, settings = access
    tag = uuid.uuid4().hex[:8]
    ids = [await log.record(AUDITOR, action="read", resource="bank_feed", resource_id=f"{tag}-{i}") for i in range(3)]
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=layout.KAFKA_BOOTSTRAP, acks="all", enable_idempotence=True)
    await producer.start()
    conn = await asyncpg.connect(**settings.asyncpg_kwargs())
    try:
        first = AccessPublisher(log, pg=settings.asyncpg_kwargs(), kafka_url=settings.kafka_url)
        assert await first.publish_once(conn, producer) == 3
        # the process dies here: its position row is rolled back to nothing
        await conn.execute(f'DELETE FROM "{log.schema}".access_log_position')
        again = AccessPublisher(log, pg=settings.asyncpg_kwargs(), kafka_url=settings.kafka_url)
        assert await again.publish_once(conn, producer) == 3
        assert await again.publish_once(conn, producer) == 0
    finally:
        await conn.close()
        await producer.stop()
    found = await read_topic_for(tag, 6)
    assert len(found) == 6 and {e.entry_id for e in found} == set(ids)


async def test_an_entry_in_a_rolled_back_transaction_is_not_published(access) -> None:
    log, settings = access
    tag = uuid.uuid4().hex[:8]
    async with log.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await log.record(AUDITOR, action="read", resource="denouncer", resource_id=f"{tag}-gone", conn=conn)
        await tx.rollback()
        await log.record(AUDITOR, action="read", resource="denouncer", resource_id=f"{tag}-kept", conn=conn)
    async with log.pool.acquire() as conn:
        rows = await log.entries(conn)
    assert [r["resource_id"] for r in rows] == [f"{tag}-kept"]


async def test_a_bad_action_is_refused_and_writes_nothing(access) -> None:
    log, _ = access
    with pytest.raises(ValueError, match="access action"):
        await log.record(AUDITOR, action="peek", resource="case", resource_id="x")  # type: ignore[arg-type]
    async with log.pool.acquire() as conn:
        assert await log.entries(conn) == []
