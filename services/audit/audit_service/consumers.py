"""The audit service consumes every domain topic into the case timeline."""
from __future__ import annotations

from faststream.kafka import KafkaBroker

from thads_contracts.registry import decode
from thads_contracts.topics import DOMAIN_TOPICS
from thads_kit.consumer import TrackedConsumer
from thads_kit.projection import Projection

GROUP = "audit.timeline"
TOPICS = tuple(t for t in DOMAIN_TOPICS if t != "thads.audit.anchor")


def register(broker: KafkaBroker, timeline: Projection, fault: str = "") -> TrackedConsumer:
    return TrackedConsumer(name=GROUP, broker=broker, topics=TOPICS, sink=timeline, decode=decode, fault=fault)
