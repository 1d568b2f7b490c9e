"""THADS contracts: the only vocabulary services share. Pydantic models and the standard library only.

    from thads_contracts import decode, encode, topic_for
    from thads_contracts.intake import CaseOpened, CaseOpenedPayload
"""
from thads_contracts.deadletter import DeadLetter, DeadLetterReason
from thads_contracts.envelope import THADS_NAMESPACE, Actor, ActorRole, Envelope, make_event_id
from thads_contracts.errors import (
    BadJsonError,
    ContractError,
    SchemaViolationError,
    UnknownEventTypeError,
)
from thads_contracts.registry import REGISTRY, EventRegistry, EventSpec, decode, encode, topic_for

__all__ = [
    "REGISTRY", "THADS_NAMESPACE", "Actor", "ActorRole", "BadJsonError", "ContractError",
    "DeadLetter", "DeadLetterReason", "Envelope", "EventRegistry", "EventSpec",
    "SchemaViolationError", "UnknownEventTypeError", "decode", "encode", "make_event_id",
    "topic_for",
]
