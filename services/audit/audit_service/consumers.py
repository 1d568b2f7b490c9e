"""The audit service consumes every domain topic into the case timeline, and every store's hash-chain
heads into its head log (anchors.py).

The timeline's topics are the case topics of thads_contracts.topics: every domain topic but the
audit's own anchors and the statistics' frozen reports (not case events). A topic added to
DOMAIN_TOPICS (thads.online.filing) is followed without a change here; its events are read by the
common envelope (envelopes.py), so new event types need no code either."""
from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from thads_contracts.topics import AUDIT_ANCHOR, AUDIT_CHAIN_HEADS, DOMAIN_TOPICS, STATISTICS_REPORT
from thads_kit.consumer import TrackedConsumer
from thads_kit.projection import Projection

GROUP = "audit.timeline"
TOPICS = tuple(t for t in DOMAIN_TOPICS if t not in (AUDIT_ANCHOR, STATISTICS_REPORT))


def register(broker: KafkaBroker, timeline: Projection, fault: str = "") -> TrackedConsumer:
    from .envelopes import decode
    return TrackedConsumer(name=GROUP, broker=broker, topics=TOPICS, sink=timeline, decode=decode, fault=fault)


def register_heads(broker: KafkaBroker, head_log: Any, fault: str = "") -> TrackedConsumer:
    from .anchors import decode as decode_heads
    return TrackedConsumer(name="audit.chainheads", broker=broker, topics=(AUDIT_CHAIN_HEADS,), sink=head_log,
                           decode=decode_heads, fault=fault)


def register_access(broker: KafkaBroker, entries: Any, fault: str = "") -> TrackedConsumer:
    """Every service's access log (thads.audit.access) into audit's access_entries."""
    from thads_contracts.topics import AUDIT_ACCESS

    from .access_entries import GROUP as ACCESS_GROUP
    from .access_entries import decode as decode_access
    return TrackedConsumer(name=ACCESS_GROUP, broker=broker, topics=(AUDIT_ACCESS,), sink=entries,
                           decode=decode_access, fault=fault)
