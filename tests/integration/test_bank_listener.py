"""The banks' Kafka listener on the project's own broker (SASL_PLAINTEXT, SCRAM-SHA-512, StandardAuthorizer):
bank A's user reads its own feed topic; bank B's user gets an authorization error on A's topic — with a
librdkafka client (confluent-kafka, as most banks' tooling) and with aiokafka. Internal clients on the
PLAINTEXT listener keep reading and writing every topic. A rotated password replaces the old one."""
from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from confluent_kafka import Consumer, KafkaException
from confluent_kafka import KafkaError as CKafkaError
from confluent_kafka import TopicPartition as CTopicPartition

from thads_contracts.topics import PARTITIONS, bank_feed
from thads_infra import layout
from thads_infra.kafka import BankCredentials, bank_instructions, grant_bank
from thads_infra.testing import publish, read_topic

pytestmark = pytest.mark.integration
A, B = "ACB", "SHB"      # two registered banks whose feeds nothing else writes to in the tests


@pytest.fixture(scope="module")
def banks() -> dict[str, BankCredentials]:
    return {code: grant_bank(code) for code in (A, B)}


@pytest.fixture(scope="module")
def marker() -> bytes:
    """A message on A's topic, written over the internal listener (what the recovery relay does)."""
    value = json.dumps({"probe": uuid.uuid4().hex}).encode()
    asyncio.run(publish(bank_feed(A), [(b"probe", value)]))
    return value


def confluent_read(creds: BankCredentials, topic: str, want: bytes | None, timeout: float = 30.0) -> list[bytes]:
    consumer = Consumer(creds.confluent_config(f"{creds.group_prefix}-{uuid.uuid4().hex[:8]}"))
    try:
        meta = consumer.list_topics(topic, timeout=timeout)
        err = meta.topics[topic].error
        if err is not None:
            raise KafkaException(err)
        consumer.assign([CTopicPartition(topic, p, 0) for p in meta.topics[topic].partitions])
        out: list[bytes] = []
        for _ in range(int(timeout * 2)):
            msg = consumer.poll(0.5)
            if msg is None:
                if want is None or want in out:
                    break
                continue
            if msg.error():
                raise KafkaException(msg.error())
            out.append(msg.value())
            if want is not None and want in out:
                break
        return out
    finally:
        consumer.close()


async def aiokafka_read(creds: BankCredentials, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(**creds.aiokafka_kwargs(), group_id=f"{creds.group_prefix}-{uuid.uuid4().hex[:8]}",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[bytes] = []
        for _ in range(20):
            batch = await consumer.getmany(timeout_ms=1000)
            out.extend(r.value for records in batch.values() for r in records)
            if out:
                break
        return out
    finally:
        await consumer.stop()


async def aiokafka_refused(creds: BankCredentials, topic: str) -> bool:
    """aiokafka logs, not raises, a topic the broker refuses in metadata: the broker's answer (error 29,
    TOPIC_AUTHORIZATION_FAILED) is kept in the client's cluster metadata (pinned aiokafka 0.14.0)."""
    consumer = AIOKafkaConsumer(**creds.aiokafka_kwargs(), enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client._metadata_update(consumer._client.cluster, [topic])  # noqa: SLF001
        refused = topic in consumer._client.cluster.unauthorized_topics  # noqa: SLF001
        if refused:
            assert not consumer._client.cluster.partitions_for_topic(topic)  # noqa: SLF001
        return refused
    finally:
        await consumer.stop()


def test_bank_a_reads_its_own_feed_with_confluent_kafka(banks, marker):
    assert banks[A].bootstrap == layout.bank_bootstrap()
    assert marker in confluent_read(banks[A], bank_feed(A), marker)


def test_bank_b_is_refused_bank_as_topic_with_confluent_kafka(banks, marker):
    with pytest.raises(KafkaException) as refused:
        confluent_read(banks[B], bank_feed(A), marker, timeout=15)
    assert refused.value.args[0].code() == CKafkaError.TOPIC_AUTHORIZATION_FAILED


async def test_bank_a_reads_and_bank_b_is_refused_with_aiokafka(banks, marker):
    assert marker in await aiokafka_read(banks[A], bank_feed(A))
    assert await aiokafka_refused(banks[B], bank_feed(A))
    assert not await aiokafka_refused(banks[A], bank_feed(A)), "the check itself tells the two apart"


async def test_a_bank_user_may_not_use_another_banks_consumer_group(banks, marker):
    consumer = AIOKafkaConsumer(**banks[A].aiokafka_kwargs(), group_id=f"{banks[B].group_prefix}-stolen",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.subscribe([bank_feed(A)])
        with pytest.raises(KafkaError):
            for _ in range(20):
                await consumer.getmany(timeout_ms=1000)
    finally:
        await consumer.stop()


async def test_internal_clients_are_unaffected_and_a_rotated_password_replaces_the_old(banks, marker):
    assert marker in [r.value for r in await read_topic(bank_feed(A))]     # PLAINTEXT listener, no login
    old = banks[A]
    new = grant_bank(A)
    assert new.password != old.password
    assert marker in await aiokafka_read(new, bank_feed(A))
    with pytest.raises(KafkaError):
        await aiokafka_read(old, bank_feed(A))
    banks[A] = new
    text = bank_instructions(new)
    assert new.password in text and "SCRAM-SHA-512" in text and bank_feed(A) in text
