"""The envelope every Kafka message carries, around an event-specific payload.

Each event type is a subclass that pins `event_type` ("intake.CaseOpened.v1") and
`schema_version` (1, the same number as the ".vN" suffix) as Literals and names its payload
model, so one discriminated union parses any message of a topic. Build one with
`CaseOpened.create(...)`: it derives the deterministic `event_id`, so a redelivered or
re-relayed event keeps its identity.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar
from uuid import UUID, uuid5

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints, model_validator

from thads_contracts.common import ActorId, ContractModel, OfficeCode

# uuid5(NAMESPACE_URL, "urn:thads:contracts:event"); never change it, event ids depend on it.
THADS_NAMESPACE = UUID("9ed61fe7-43b5-5979-9a2c-f2015a33301e")

ActorRole = Literal["officer", "head", "clerk", "accountant", "procuracy", "auditor", "bank", "admin", "system"]
ServiceName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


def make_event_id(source: str, aggregate_id: UUID | str, aggregate_version: int) -> UUID:
    """The same (source, aggregate, version) always gives the same id, whoever computes it."""
    return uuid5(THADS_NAMESPACE, f"{source}/{UUID(str(aggregate_id))}/{aggregate_version}")


class Actor(ContractModel):
    id: ActorId
    role: ActorRole
    unit: OfficeCode | None = None


PayloadT = TypeVar("PayloadT", bound=ContractModel)


def _type_and_version_are_required(schema: dict[str, Any], cls: type) -> None:
    # They have defaults for convenient construction, yet every message on the wire carries them.
    required = set(schema.get("required", ())) | {"event_type", "schema_version"}
    schema["required"] = [name for name in schema["properties"] if name in required]


class Envelope(ContractModel, Generic[PayloadT]):
    model_config = ConfigDict(json_schema_extra=_type_and_version_are_required)

    event_id: UUID
    event_type: str
    schema_version: int = Field(ge=1)
    source: ServiceName
    aggregate_id: UUID
    aggregate_version: int = Field(ge=1)
    case_id: UUID
    unit: OfficeCode
    actor: Actor
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    causation_id: UUID | None = None
    correlation_id: UUID | None = None
    source_position: int = Field(ge=0)
    payload: PayloadT

    @model_validator(mode="after")
    def _identity_is_consistent(self) -> Self:
        if not self.event_type.startswith(f"{self.source}."):
            raise ValueError(f"source '{self.source}' cannot publish event_type "
                             f"'{self.event_type}': the event_type must start with '{self.source}.'")
        expected = make_event_id(self.source, self.aggregate_id, self.aggregate_version)
        if self.event_id != expected:
            raise ValueError(f"event_id {self.event_id} is not make_event_id(source, aggregate_id, "
                             f"aggregate_version) = {expected}")
        return self

    @classmethod
    def create(cls, *, payload: PayloadT, source: str, aggregate_id: UUID,
               aggregate_version: int, case_id: UUID, unit: str, actor: Actor,
               occurred_at: datetime, recorded_at: datetime, source_position: int,
               causation_id: UUID | None = None, correlation_id: UUID | None = None) -> Self:
        return cls(event_id=make_event_id(source, aggregate_id, aggregate_version),
                   source=source, aggregate_id=aggregate_id, aggregate_version=aggregate_version,
                   case_id=case_id, unit=unit, actor=actor, occurred_at=occurred_at,
                   recorded_at=recorded_at, causation_id=causation_id,
                   correlation_id=correlation_id, source_position=source_position,
                   payload=payload)

    @property
    def kafka_key(self) -> bytes:
        """Every topic is keyed by the case id, so one case's events stay in order."""
        return str(self.case_id).encode()
