"""The 3-node KRaft cluster that the fault tests use: it forms, replicates 3 ways and serves acks=all."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from thads_infra import kafka, layout, topics

pytestmark = [pytest.mark.integration, pytest.mark.cluster]


async def test_three_node_cluster_replicates_a_topic_and_round_trips_an_acks_all_message(tmp_path, capsys):
    # Given a fresh 3-node cluster in its own folder, on the layout's cluster ports
    cluster = kafka.KafkaCluster(tmp_path / "kafka-cluster")
    assert [n.client_port for n in cluster.nodes] == list(layout.CLUSTER_CLIENT_PORTS)
    topic = f"thads.test.cluster.{uuid.uuid4().hex[:8]}"
    try:
        with capsys.disabled():   # the brokers' "Kafka Server started" lines belong in the run's output
            await asyncio.to_thread(cluster.start)

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
    finally:
        await asyncio.to_thread(cluster.stop)

    assert not any(node["running"] for node in cluster.status())
