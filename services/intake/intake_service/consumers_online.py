"""What intake consumes from the online requests service (thads.online.filing): a filing the office
ACCEPTED becomes a request received on the ONLINE channel (Case.receive_request, LCJE Art. 31; the
filing date is the citizen's submission date), under the intake reference = the filing's tracking
code — so the case id is the one online announced (FilingAccepted.payload.case_id; a mismatch is
refused and parked, never a second case). Exactly once: the consumer's position is recorded in the
same transaction as the new case's events (the kit's EventSourcedSink), and a redelivered acceptance
finds the case already there and records nothing. Every other online event (received, sent back,
corrected, refused) concerns the online service and the statistics, not a case: only the position."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts import online
from thads_contracts.registry import decode
from thads_contracts.topics import ONLINE_FILING
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from .application import Intake
from .domain import Actor, Case, Channel, IntakeError, InvalidValueError, Origin, Role

ACTOR_ROLES = {"clerk": Role.CLERK, "head": Role.HEAD}


def opening(env: online.FilingAccepted) -> tuple[Any, dict[str, Any]]:
    """(case id, Case.receive_request kwargs) of an accepted online filing."""
    p = env.payload
    case_id = Case.create_id(env.unit, Origin.REQUEST.value, p.tracking_code)
    if case_id != p.case_id:
        raise InvalidValueError(f"filing {p.tracking_code} names case {p.case_id}; intake's id for it is {case_id}")
    actor = Actor(id=env.actor.id, role=ACTOR_ROLES.get(env.actor.role, Role.SYSTEM))
    return case_id, {"unit_id": env.unit, "intake_ref": p.tracking_code, "channel": Channel.ONLINE,
                     "at": env.occurred_at, "actor": actor, "filed_on": p.filed_on,
                     "judgment_number": p.judgment_number, "issuing_court": p.issuing_court,
                     "judgment_effective_on": p.judgment_effective_on}


def policy(app: Intake):
    def apply(env: Any) -> list[Aggregate]:
        if not isinstance(env, online.FilingAccepted):
            return []                 # not a case's business; the position is still recorded
        case_id, kwargs = opening(env)
        if app.case_exists(case_id):
            return []                 # a redelivery: the case was opened once already
        return [Case.receive_request(**kwargs)]
    return apply


def register(broker: KafkaBroker, app: Intake, executor: EsExecutor, group: str, schema: str = "intake",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app), rule_errors=(IntakeError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(ONLINE_FILING,), sink=sink, decode=decode, fault=fault)
