"""The platform topics on the single development broker: forever retention, ≥3 partitions.

Assumes the broker is already up (python -m thads_infra.kafka up); a missing broker fails.
"""
from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from thads_contracts.topics import ALL_TOPICS

from thads_infra import layout, topics

pytestmark = pytest.mark.integration


async def test_ensure_topics_is_idempotent_and_keeps_every_topic_forever():
    # Given the topics may or may not exist yet; When ensured twice
    first = await topics.ensure_topics(layout.KAFKA_BOOTSTRAP)
    second = await topics.ensure_topics(layout.KAFKA_BOOTSTRAP)

    # Then the second run changes nothing, and each topic has ≥3 partitions and retention.ms=-1
    assert first == second
    assert set(second) == set(ALL_TOPICS)
    admin = AIOKafkaAdminClient(bootstrap_servers=layout.KAFKA_BOOTSTRAP)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics(list(ALL_TOPICS))}
        configs = await topics.topic_configs(admin, ALL_TOPICS, ["retention.ms"])
    finally:
        await admin.close()
    for topic in ALL_TOPICS:
        assert described[topic]["error_code"] == 0, topic
        assert len(described[topic]["partitions"]) >= 3, topic
        assert configs[topic]["retention.ms"] == "-1", topic


async def test_ensure_topics_reports_a_broker_error_with_the_topic_name():
    # A replication factor the single broker cannot meet is refused in the response, not raised
    # by aiokafka; ensure_topics must turn it into an error naming the topic.
    with pytest.raises(topics.TopicError, match="thads.test.unreplicable") as caught:
        await topics.ensure_topics(layout.KAFKA_BOOTSTRAP, topics=["thads.test.unreplicable"], replication=3)
    assert caught.value.code == 38   # INVALID_REPLICATION_FACTOR
