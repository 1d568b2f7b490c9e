"""What complaints consumes, exactly once: intake's case events (thads.intake.case) and auctions'
asset events (thads.auctions.asset) become the service's own read model of the decisions and acts one
may complain about (the `Decision` aggregate, id = the event id; translation.decision_kwargs says which
events are decisions). The kit's EventSourcedSink records the consumer's position in the same
transaction as the new Decision, so a redelivered message records nothing twice. The service never asks
intake or auctions whether a decision exists: it knows it from here. Intake's erasure of a party
(`intake.PersonalDataErased.v1`) becomes an `ErasedParty` (erasure.py), so complaints' views show a
complainant of that party id as "[erased]"."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET, INTAKE_CASE
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from . import translation
from .application import Complaints
from .domain import ComplaintsError, Decision
from .erasure import ErasedParty, erasure_kwargs


def policy(app: Complaints):
    def apply(env: Any) -> list[Aggregate]:
        erased = erasure_kwargs(env)          # intake erased a party: complaints shows it "[erased]"
        if erased is not None:
            known = app.known(ErasedParty.create_id(str(erased["party_id"])))
            return [] if known else [ErasedParty(**erased)]  # type: ignore[arg-type]
        kwargs = translation.decision_kwargs(env)
        if kwargs is None or app.known(kwargs["event_id"]):
            return []                 # not a decision, or already known; the position is still recorded
        return [Decision(**kwargs)]
    return apply


def register(broker: KafkaBroker, app: Complaints, executor: EsExecutor, group: str, schema: str = "complaints",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app), rule_errors=(ComplaintsError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(INTAKE_CASE, AUCTIONS_ASSET), sink=sink,
                           decode=decode, fault=fault)
