"""How the audit service reads the domain topics: by the common Envelope, so that a new event type of
any service reaches the timeline without a line of audit code.

* A registered event type is decoded by the contract registry as every other consumer does: an
  invalid payload of a known type, bad JSON, or an event published on the wrong topic is a dead
  letter with its reason.
* An event type the registry does not know (a producer newer than this deployment, a service whose
  contracts land later) is read by the envelope alone — identity, case, office, actor, both times,
  causation/correlation — and its payload kept as the producer sent it. The envelope's own checks
  (event id = uuid5 of source/aggregate/version, event type prefixed by its source) still apply: an
  unreadable envelope is a dead letter (`invalid_schema`).
"""
from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, ValidationError

from thads_contracts.common import ContractModel
from thads_contracts.envelope import Envelope
from thads_contracts.errors import SchemaViolationError, UnknownEventTypeError
from thads_contracts.registry import REGISTRY
from thads_contracts.registry import decode as decode_registered


class AnyPayload(ContractModel):
    """A payload the audit service does not know the schema of: kept field for field."""
    model_config = ConfigDict(frozen=True, extra="allow")


class AnyEvent(Envelope[AnyPayload]):
    """An event of a type the registry does not know, read by the common envelope."""


def decode(topic: str, raw: bytes | bytearray | memoryview | str) -> Envelope[Any]:
    try:
        return decode_registered(topic, raw)
    except UnknownEventTypeError as exc:
        if exc.event_type is None or exc.event_type in REGISTRY.event_types():
            raise           # a known type on the wrong topic stays a dead letter
        try:
            return AnyEvent.model_validate_json(raw if isinstance(raw, (bytes, str)) else bytes(raw))
        except ValidationError as invalid:
            raise SchemaViolationError.from_validation_error(invalid, event_type=exc.event_type, topic=topic,
                                                             event_id=exc.event_id) from None


def is_known(event_type: str) -> bool:
    return event_type in REGISTRY.event_types()
