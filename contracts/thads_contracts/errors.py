"""Why a message could not be read as a contract. Each kind maps to a dead-letter reason code."""
from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from uuid import UUID

from pydantic import ValidationError


class ContractError(Exception):
    reason_code: ClassVar[str] = "invalid_schema"

    def __init__(self, message: str, *, topic: str | None = None, event_type: str | None = None,
                 event_id: UUID | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.topic = topic
        self.event_type = event_type
        self.event_id = event_id      # when it could be read, for the dead letter


class BadJsonError(ContractError):
    reason_code = "bad_json"


class UnknownEventTypeError(ContractError):
    reason_code = "unknown_type"


class SchemaViolationError(ContractError):
    reason_code = "invalid_schema"

    def __init__(self, message: str, *, errors: Sequence[tuple[str, str]] = (),
                 topic: str | None = None, event_type: str | None = None,
                 event_id: UUID | None = None) -> None:
        super().__init__(message, topic=topic, event_type=event_type, event_id=event_id)
        self.errors = tuple(errors)   # (location such as "payload.amount_vnd", message)

    @property
    def locations(self) -> tuple[str, ...]:
        return tuple(loc for loc, _ in self.errors)

    @classmethod
    def from_validation_error(cls, exc: ValidationError, *, event_type: str,
                              topic: str | None = None,
                              event_id: UUID | None = None) -> SchemaViolationError:
        errors = [(_location(e["loc"]), e["msg"]) for e in exc.errors()]
        details = "; ".join(f"{loc}: {msg}" for loc, msg in errors)
        return cls(f"{event_type} does not match its schema: {details}", errors=errors,
                   topic=topic, event_type=event_type, event_id=event_id)


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(message)"
