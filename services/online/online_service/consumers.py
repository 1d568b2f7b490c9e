"""What online consumes from intake's topic (thads.intake.case), exactly once: a milestone of a case
opened from an online filing becomes a CaseMilestone event of that filing (the kit's
EventSourcedSink records the consumer's position in the same transaction as the event, its read-model
row and its notice). An event of a case that no filing opened, or one the citizen does not follow
(translation.milestone), records only the position; a redelivered event is recognised by its event id."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts.registry import decode
from thads_contracts.topics import INTAKE_CASE
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from . import translation
from .application import Online
from .domain import OnlineError
from .projections import filing_of_case_sync


def policy(app: Online, schema: str):
    def apply(env: Any) -> list[Aggregate]:
        found = translation.milestone(env)
        if found is None:
            return []
        filing_id = filing_of_case_sync(app.recorder, schema, env.case_id)
        if filing_id is None:
            return []          # not a case opened online
        filing = app.get_filing(filing_id)
        kind, label = found
        if not filing.record_milestone(source_event_id=str(env.event_id), kind=kind, label=label,
                                       occurred_at=env.occurred_at):
            return []
        return [filing]
    return apply


def register(broker: KafkaBroker, app: Online, executor: EsExecutor, group: str, schema: str = "online",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app, schema), rule_errors=(OnlineError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(INTAKE_CASE,), sink=sink, decode=decode, fault=fault)
