"""Create the platform's topics: ≥3 partitions, events kept forever (retention.ms=-1).

aiokafka's admin client returns per-topic error codes in the response instead of raising,
so every code is checked here. CLI: python -m thads_infra.topics [--bootstrap HOST:PORT]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code
from aiokafka.protocol.metadata import MetadataRequest
from thads_contracts.topics import ALL_TOPICS, PARTITIONS

from thads_infra import layout

NO_ERROR = 0
TOPIC_ALREADY_EXISTS = 36
# Right after a create, metadata may not have reached the broker we ask yet.
_TRANSIENT = {3, 5}   # UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE
FOREVER = {"retention.ms": "-1"}


class TopicError(RuntimeError):
    def __init__(self, topic: str, code: int, message: str | None = None):
        self.topic, self.code = topic, code
        super().__init__(f"topic {topic!r}: error {code} {for_code(code).__name__}"
                         + (f": {message}" if message else ""))


def _admin(bootstrap: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)


async def topic_configs(admin: AIOKafkaAdminClient, topics: Iterable[str],
                        names: Sequence[str] | None = None) -> dict[str, dict[str, str]]:
    """Current value of each config (all of them when `names` is None) per topic."""
    keys = dict.fromkeys(names) if names else None
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, t, keys) for t in topics])
    result: dict[str, dict[str, str]] = {}
    for response in responses:
        for res in response.to_object()["resources"]:
            if res["error_code"] != NO_ERROR:
                raise TopicError(res["resource_name"], res["error_code"], res["error_message"])
            result[res["resource_name"]] = {e["config_names"]: e["config_value"] for e in res["config_entries"]}
    return result


async def _create(admin: AIOKafkaAdminClient, topics: Sequence[str], partitions: int,
                  replication: int, configs: Mapping[str, str]) -> list[str]:
    response = await admin.create_topics(
        [NewTopic(t, num_partitions=partitions, replication_factor=replication, topic_configs=dict(configs))
         for t in topics])
    created = []
    for topic, code, *rest in response.topic_errors:
        if code == NO_ERROR:
            created.append(topic)
        elif code != TOPIC_ALREADY_EXISTS:
            raise TopicError(topic, code, rest[0] if rest else None)
    return created


async def _describe_on(admin: AIOKafkaAdminClient, node_id: int, topics: Sequence[str]) -> list[dict]:
    # The public describe_topics asks a random broker; a new topic reaches each broker's metadata
    # cache at its own pace, so readiness is checked on every broker. Private API of the pinned
    # aiokafka 0.14.0.
    response = await admin._send_request_to_node(node_id, MetadataRequest(list(topics)))
    return response.to_object()["topics"]


async def _wait_described(admin: AIOKafkaAdminClient, topics: Sequence[str], partitions: int,
                          timeout: float) -> dict[str, int]:
    """Partition count per topic, once every broker sees every partition of every topic with a leader."""
    deadline = time.monotonic() + timeout
    brokers = [b["node_id"] for b in (await admin.describe_cluster())["brokers"]]
    while True:
        pending: dict[str, str] = {}
        counts: dict[str, int] = {}
        for node_id in brokers:
            for t in await _describe_on(admin, node_id, topics):
                name, code = t["topic"], t["error_code"]
                if code in _TRANSIENT:
                    pending[name] = f"{for_code(code).__name__} on broker {node_id}"
                elif code != NO_ERROR:
                    raise TopicError(name, code)
                elif any(p["leader"] < 0 for p in t["partitions"]):
                    pending[name] = f"partition without leader on broker {node_id}"
                else:
                    counts[name] = min(counts.get(name, len(t["partitions"])), len(t["partitions"]))
        if not pending:
            break
        if time.monotonic() >= deadline:
            raise TimeoutError(f"topics not ready after {timeout:.0f} s: {pending}")
        await asyncio.sleep(0.2)
    short = {t: n for t, n in counts.items() if n < partitions}
    if short:
        raise RuntimeError(f"topics have fewer than {partitions} partitions: {short} "
                           "(partitions are never removed; recreate them or raise the count)")
    return {t: counts[t] for t in topics}


async def ensure_topics(bootstrap: str = layout.KAFKA_BOOTSTRAP, topics: Sequence[str] = ALL_TOPICS,
                        partitions: int = PARTITIONS, replication: int = 1,
                        configs: Mapping[str, str] | None = None, timeout: float = 30.0) -> dict[str, int]:
    """Create missing topics, bring the wanted configs onto existing ones, and verify partitions.

    Idempotent. Returns the partition count per topic.
    """
    if partitions < 3:
        raise ValueError(f"topics need at least 3 partitions, got {partitions}")
    wanted = {**FOREVER, **(configs or {})}
    admin = _admin(bootstrap)
    await admin.start()
    try:
        created = await _create(admin, topics, partitions, replication, wanted)
        counts = await _wait_described(admin, topics, partitions, timeout)
        existing = [t for t in topics if t not in created]
        if existing:
            current = await topic_configs(admin, existing, list(wanted))
            drifted = [t for t in existing if any(current[t].get(k) != v for k, v in wanted.items())]
            if drifted:
                await _alter(admin, drifted, wanted)
        return counts
    finally:
        await admin.close()


async def _alter(admin: AIOKafkaAdminClient, topics: Sequence[str], configs: Mapping[str, str]) -> None:
    # AlterConfigs (not incremental) replaces a topic's whole set of overrides; ours is the whole set.
    responses = await admin.alter_configs(
        [ConfigResource(ConfigResourceType.TOPIC, t, dict(configs)) for t in topics])
    for response in responses:
        for code, message, _type, name in response.resources:
            if code != NO_ERROR:
                raise TopicError(name, code, message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m thads_infra.topics")
    # THADS_KAFKA_URL: set by docker-compose's one-shot `topics` service (Kafka is not on loopback there)
    parser.add_argument("--bootstrap", default=os.environ.get("THADS_KAFKA_URL", layout.KAFKA_BOOTSTRAP))
    parser.add_argument("--replication", type=int, default=1)
    args = parser.parse_args(argv)
    counts = asyncio.run(ensure_topics(args.bootstrap, replication=args.replication))
    for topic, n in counts.items():
        print(f"{topic}: {n} partitions, retention forever")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
