"""The audit service consumes every domain topic into the case timeline, and every store's hash-chain
heads into its head log (anchors.py)."""
from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from thads_contracts.registry import decode
from thads_contracts.topics import AUDIT_CHAIN_HEADS, DOMAIN_TOPICS
from thads_kit.consumer import TrackedConsumer
from thads_kit.projection import Projection

GROUP = "audit.timeline"
TOPICS = tuple(t for t in DOMAIN_TOPICS if t != "thads.audit.anchor")


def register(broker: KafkaBroker, timeline: Projection, fault: str = "") -> TrackedConsumer:
    return TrackedConsumer(name=GROUP, broker=broker, topics=TOPICS, sink=timeline, decode=decode, fault=fault)


def register_heads(broker: KafkaBroker, head_log: Any, fault: str = "") -> TrackedConsumer:
    from .anchors import decode as decode_heads
    return TrackedConsumer(name="audit.chainheads", broker=broker, topics=(AUDIT_CHAIN_HEADS,), sink=head_log,
                           decode=decode_heads, fault=fault)
