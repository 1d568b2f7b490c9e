"""The 3-node KRaft cluster (`thads up --cluster`, fault tests): it forms, replicates 3 ways and serves
acks=all; a service given the cluster's bootstrap list starts and publishes while a broker is down.

Ports: layout.CLUSTER_CLIENT_PORTS (THADS_CLUSTER_PORT_BASE); one cluster serves the whole module."""
from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from thads_contracts.topics import ALL_TOPICS, INTAKE_CASE

from thads_infra import kafka, layout, topics
from thads_infra.testing import pg_connect, read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = [pytest.mark.integration, pytest.mark.cluster]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = kafka.KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
    assert not any(node["running"] for node in cluster.status())


async def test_three_node_cluster_replicates_a_topic_and_round_trips_an_acks_all_message(cluster):
    # Given a fresh 3-node cluster in its own folder, on the layout's cluster ports
    assert [n.client_port for n in cluster.nodes] == list(layout.CLUSTER_CLIENT_PORTS)
    assert cluster.bootstrap == layout.CLUSTER_BOOTSTRAP
    topic = f"thads.test.cluster.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        info = await admin.describe_cluster()
        assert sorted(b["node_id"] for b in info["brokers"]) == [1, 2, 3]

        # When a topic is created with replication 3 and min.insync.replicas=2
        await topics.ensure_topics(cluster.bootstrap, topics=[topic], partitions=3, replication=3,
                                   configs={"min.insync.replicas": "2"})

        # Then every partition has 3 replicas, all in sync, and the topic keeps its settings
        [described] = await admin.describe_topics([topic])
        assert len(described["partitions"]) == 3
        for partition in described["partitions"]:
            assert sorted(partition["replicas"]) == [1, 2, 3]
            assert sorted(partition["isr"]) == [1, 2, 3]
        configs = await topics.topic_configs(admin, [topic], ["min.insync.replicas", "retention.ms"])
        assert configs[topic] == {"min.insync.replicas": "2", "retention.ms": "-1"}
    finally:
        await admin.close()

    # And a message produced with acks=all comes back to a consumer
    producer = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, b'{"hello":"cluster"}', key=b"case-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=cluster.bootstrap, group_id=f"g-{topic}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        received = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (received.key, received.value) == (b"case-1", b'{"hello":"cluster"}')
    assert (received.partition, received.offset) == (sent.partition, sent.offset)


async def test_a_service_given_the_bootstrap_list_starts_and_publishes_while_the_first_broker_is_down(
        cluster, tmp_path):
    # Given the platform's topics on the cluster (RF 3, min.insync.replicas 2), and broker 1 - the
    # first address of the list - crashed
    await topics.ensure_topics(cluster.bootstrap, topics=ALL_TOPICS, replication=3,
                               configs={"min.insync.replicas": "2"})
    first, *_ = cluster.bootstrap.split(",")
    assert first == cluster.node(1).bootstrap
    await asyncio.to_thread(cluster.kill_node, 1)
    schema = f"intake_cluster_{uuid.uuid4().hex[:8]}"     # its own event store: nothing shared
    intake = service_process("intake", tmp_path, kafka_url=cluster.bootstrap, pg_schema=schema)
    try:
        # When the intake service starts with INTAKE_KAFKA_URL = the three addresses
        await asyncio.to_thread(intake.start)
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
            health = (await client.get("/health")).json()
            assert health["checks"]["kafka"] == "ok", health
            # Then a command's event reaches the cluster (relay acks=all: 2 replicas in sync)
            clerk = {"Authorization": f"Bearer {issue_token('clerk', 'TH-01')}"}
            body = {"unit": "TH-01", "intake_ref": f"REQ-{uuid.uuid4().hex[:12]}", "channel": "online",
                    "judgment_number": "12/2025/DS-ST", "issuing_court": "TAND khu vực 1 - Thanh Hóa"}
            reply = await client.post("/cases/requests", json=body, headers=clerk)
        assert reply.status_code == 201, reply.text
        case_id = reply.json()["case_id"]

        async def published():
            return await read_topic(INTAKE_CASE, key=case_id.encode(), bootstrap=cluster.bootstrap)
        [record] = await wait_until(published, timeout=90, what="the case's event on the cluster")
        assert json.loads(record.value)["case_id"] == case_id
    finally:
        intake.stop()
        await asyncio.to_thread(cluster.start_node, 1)
        conn = await pg_connect()
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        except asyncpg.PostgresError:
            pass
        finally:
            await conn.close()
