"""The statistics service consumes intake's case events, auctions' asset events and complaints'
events into the facts projection (projections.py) with the kit's tracked consumer: positions
recorded in the same transaction as the facts, an event that cannot be placed dead-lettered with its
reason. Recovery's inbound repayments reach the figures through intake (a collection, channel
paid_to_bank); online filings through the requests intake opens from them."""
from __future__ import annotations

from faststream.kafka import KafkaBroker

from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET, COMPLAINTS_COMPLAINT, INTAKE_CASE
from thads_kit.consumer import TrackedConsumer

from .projections import StatisticsFacts

GROUP = "statistics.facts"
TOPICS = (INTAKE_CASE, AUCTIONS_ASSET, COMPLAINTS_COMPLAINT)


def register(broker: KafkaBroker, facts: StatisticsFacts, fault: str = "") -> TrackedConsumer:
    return TrackedConsumer(name=GROUP, broker=broker, topics=TOPICS, sink=facts, decode=decode, fault=fault)
