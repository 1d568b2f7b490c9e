"""Every published event type, its model class and its topic; decoding, encoding and upcasting.

`decode(topic, raw)` is the one way a consumer should read a message: it raises a ContractError
subclass whose `reason_code` is the dead-letter reason, whose message names the problem, and which
carries the event_id whenever it could be read.

Versions: an event_type ends in ".vN" and its schema_version is N. A breaking change is a new
class "….v(N+1)"; the old class stays registered (its golden files keep pinning it) and an
upcaster turns an old message (a dict) into the next version before validation, so old messages
keep decoding as the current model.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Union
from uuid import UUID

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError

from thads_contracts import auctions, complaints, intake, online, recovery
from thads_contracts.envelope import Envelope
from thads_contracts.errors import (
    BadJsonError,
    ContractError,
    SchemaViolationError,
    UnknownEventTypeError,
)
from thads_contracts.topics import (
    AUCTIONS_ASSET, BANK_FEED_PREFIX, BANK_FEED_TOPICS, COMPLAINTS_COMPLAINT, INTAKE_CASE, ONLINE_FILING, RECOVERY_DEBT,
)

__all__ = [
    "REGISTRY", "BadJsonError", "ContractError", "EventRegistry", "EventSpec",
    "SchemaViolationError", "UnknownEventTypeError", "Upcaster", "decode", "encode", "topic_for",
]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_EVENT_TYPE = re.compile(r"^(?P<family>[a-z][a-z0-9_]*\.[A-Z][A-Za-z0-9]*)\.v(?P<version>[1-9][0-9]*)$")


def _split(event_type: str) -> tuple[str, int] | None:
    match = _EVENT_TYPE.match(event_type)
    return (match["family"], int(match["version"])) if match else None


@dataclass(frozen=True)
class EventSpec:
    event_type: str          # "intake.CaseOpened.v1"
    family: str              # "intake.CaseOpened"
    version: int             # 1 == schema_version
    model: type[Envelope]
    topic: str


class EventRegistry:
    def __init__(self, *, mirror_prefixes: Iterable[str] = ()) -> None:
        # Topics under a mirror prefix (per-bank feeds) re-publish other topics' events unchanged.
        self._mirror_prefixes = tuple(mirror_prefixes)
        self._specs: dict[str, EventSpec] = {}
        self._upcasters: dict[str, Upcaster] = {}
        self._adapters: dict[str, TypeAdapter[Any]] = {}

    # ------------------------------------------------------------ registration

    def register(self, model: type[Envelope], topic: str) -> EventSpec:
        event_type = model.model_fields["event_type"].default
        schema_version = model.model_fields["schema_version"].default
        parts = _split(event_type) if isinstance(event_type, str) else None
        if parts is None:
            raise ValueError(f"{model.__name__}.event_type must default to a Literal such as "
                             f"'intake.CaseOpened.v1', not {event_type!r}")
        family, version = parts
        if schema_version != version:
            raise ValueError(f"{model.__name__}: schema_version {schema_version!r} does not match "
                             f"the version suffix of '{event_type}'")
        spec = EventSpec(event_type, family, version, model, topic)
        existing = self._specs.get(event_type)
        if existing is not None and existing != spec:
            raise ValueError(f"event_type '{event_type}' is already registered to "
                             f"{existing.model.__name__} on {existing.topic}")
        self._specs[event_type] = spec
        self._adapters.clear()
        return spec

    def add_upcaster(self, event_type: str, upcaster: Upcaster) -> None:
        """Register `upcaster` to turn a message of `event_type` (….vN) into one of ….v(N+1).

        It receives a copy of the whole message as a dict and returns the new dict; the registry
        then sets event_type and schema_version. Keep the envelope (identity) as it is.
        """
        if _split(event_type) is None:
            raise ValueError(f"cannot upcast '{event_type}': not a versioned event_type")
        if event_type in self._upcasters:
            raise ValueError(f"'{event_type}' already has an upcaster")
        self._upcasters[event_type] = upcaster
        self._adapters.clear()

    def upcaster(self, event_type: str) -> Callable[[Upcaster], Upcaster]:
        def decorate(fn: Upcaster) -> Upcaster:
            self.add_upcaster(event_type, fn)
            return fn
        return decorate

    # ------------------------------------------------------------ lookup

    def specs(self, topic: str | None = None) -> tuple[EventSpec, ...]:
        return tuple(s for s in self._specs.values() if topic is None or s.topic == topic)

    def event_types(self, topic: str | None = None) -> tuple[str, ...]:
        return tuple(s.event_type for s in self.specs(topic))

    def spec(self, event_type: str) -> EventSpec:
        try:
            return self._specs[event_type]
        except KeyError:
            raise UnknownEventTypeError(f"unknown event_type '{event_type}'",
                                        event_type=event_type) from None

    def model_for(self, event_type: str) -> type[Envelope]:
        return self.spec(event_type).model

    def topic_for(self, event: Envelope | type[Envelope] | str) -> str:
        event_type = event if isinstance(event, str) else _default_type(event)
        return self.spec(event_type).topic

    def is_current(self, event_type: str) -> bool:
        """False for an old version that an upcaster turns into a newer one."""
        return event_type in self._specs and event_type not in self._upcasters

    def adapter(self, topic: str) -> TypeAdapter[Any]:
        """One TypeAdapter for every current event of `topic`, upcasting old versions first.

        Faststream handlers may use it; `decode` gives the same result with ContractErrors.
        """
        if topic not in self._adapters:
            models = tuple(s.model for s in self.specs(topic) if self.is_current(s.event_type))
            if not models:
                raise UnknownEventTypeError(f"no event types are registered for topic '{topic}'",
                                            topic=topic)
            union: Any = (models[0] if len(models) == 1 else
                          Annotated[Union[models], Field(discriminator="event_type")])
            self._adapters[topic] = TypeAdapter(Annotated[union, BeforeValidator(self.upcast)])
        return self._adapters[topic]

    # ------------------------------------------------------------ wire format

    def upcast(self, message: Any) -> Any:
        if not isinstance(message, dict):
            return message
        while (fn := self._upcasters.get(message.get("event_type"))) is not None:
            family, version = _split(message["event_type"])  # type: ignore[misc]
            message = dict(fn(dict(message)))
            message["event_type"] = f"{family}.v{version + 1}"
            message["schema_version"] = version + 1
        return message

    def decode(self, topic: str, raw: bytes | bytearray | memoryview | str) -> Envelope:
        message = _parse_json(topic, raw)
        event_id = _readable_uuid(message.get("event_id"))
        event_type = message.get("event_type")
        if not isinstance(event_type, str):
            problem = "Field required" if event_type is None else "Input should be a string"
            raise SchemaViolationError(f"message on '{topic}' has no readable event_type: {problem}",
                                       errors=[("event_type", problem)], topic=topic,
                                       event_id=event_id)
        try:
            message = self.upcast(message)
        except Exception as exc:      # an old message the upcaster cannot read
            raise SchemaViolationError(
                f"{event_type} could not be upcast: {type(exc).__name__}: {exc}",
                errors=[("(upcast)", str(exc))], topic=topic, event_type=event_type,
                event_id=event_id) from exc
        spec = self._spec_on(topic, message["event_type"], event_id)
        try:
            return spec.model.model_validate(message)
        except ValidationError as exc:
            raise SchemaViolationError.from_validation_error(
                exc, event_type=spec.event_type, topic=topic, event_id=event_id) from None

    def encode(self, envelope: Envelope) -> bytes:
        spec = self.spec(envelope.event_type)
        if type(envelope) is not spec.model:
            raise UnknownEventTypeError(
                f"{type(envelope).__name__} is not the registered model of '{spec.event_type}' "
                f"({spec.model.__name__})", event_type=spec.event_type, event_id=envelope.event_id)
        return envelope.model_dump_json().encode("utf-8")

    def _spec_on(self, topic: str, event_type: str, event_id: UUID | None) -> EventSpec:
        spec = self._specs.get(event_type)
        if spec is None:
            raise UnknownEventTypeError(self._unknown_message(topic, event_type), topic=topic,
                                        event_type=event_type, event_id=event_id)
        if spec.topic != topic and not topic.startswith(self._mirror_prefixes):
            raise UnknownEventTypeError(
                f"event_type '{event_type}' is published on '{spec.topic}', not on '{topic}'",
                topic=topic, event_type=event_type, event_id=event_id)
        return spec

    def _unknown_message(self, topic: str, event_type: str) -> str:
        parts = _split(event_type)
        known = sorted(s.version for s in self._specs.values() if parts and s.family == parts[0])
        if parts and known and parts[1] > known[-1]:
            return (f"event_type '{event_type}' is newer than this consumer knows (latest "
                    f"v{known[-1]}): upgrade thads_contracts")
        return f"unknown event_type '{event_type}' on topic '{topic}'"


def _default_type(event: Envelope | type[Envelope]) -> str:
    if isinstance(event, Envelope):
        return event.event_type
    default = event.model_fields["event_type"].default
    if not isinstance(default, str):
        raise UnknownEventTypeError(f"{event.__name__} has no event_type")
    return default


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(topic: str, raw: bytes | bytearray | memoryview | str) -> dict[str, Any]:
    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadJsonError(f"message on '{topic}' is not UTF-8: {exc.reason} at byte {exc.start}",
                           topic=topic) from None
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BadJsonError(f"message on '{topic}' is not valid JSON: {exc.msg} at line "
                           f"{exc.lineno} column {exc.colno}", topic=topic) from None
    except ValueError as exc:
        raise BadJsonError(f"message on '{topic}' is not valid JSON: {exc}", topic=topic) from None
    if not isinstance(message, dict):
        kind = type(message).__name__
        raise SchemaViolationError(f"message on '{topic}' is a JSON {kind}, not an object",
                                   errors=[("(message)", "Input should be an object")], topic=topic)
    return message


def _readable_uuid(value: Any) -> UUID | None:
    try:
        return UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


REGISTRY = EventRegistry(mirror_prefixes=(BANK_FEED_PREFIX,))
for _model in intake.INTAKE_EVENTS:
    REGISTRY.register(_model, INTAKE_CASE)
for _event_type, _upcast in intake.UPCASTERS_V1_V2.items():
    REGISTRY.add_upcaster(_event_type, _upcast)
for _model in auctions.AUCTIONS_EVENTS:
    REGISTRY.register(_model, AUCTIONS_ASSET)
for _event_type, _upcast in auctions.UPCASTERS_V1_V2.items():
    REGISTRY.add_upcaster(_event_type, _upcast)
for _model in recovery.RECOVERY_EVENTS:
    REGISTRY.register(_model, RECOVERY_DEBT)
for _model in online.ONLINE_EVENTS:
    REGISTRY.register(_model, ONLINE_FILING)
for _model in recovery.BANK_FEED_EVENTS:      # on every thads.bankfeed.<bank> (a mirror prefix)
    REGISTRY.register(_model, BANK_FEED_TOPICS)
for _model in complaints.COMPLAINTS_EVENTS:
    REGISTRY.register(_model, COMPLAINTS_COMPLAINT)
del _model, _event_type, _upcast


def decode(topic: str, raw: bytes | bytearray | memoryview | str) -> Envelope:
    return REGISTRY.decode(topic, raw)


def encode(envelope: Envelope) -> bytes:
    return REGISTRY.encode(envelope)


def topic_for(event: Envelope | type[Envelope] | str) -> str:
    return REGISTRY.topic_for(event)
