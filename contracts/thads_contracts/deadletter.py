"""A message that a consumer can never apply, parked on thads.deadletter with the reason.

Publish it keyed by the original key, so the dead letters of one case stay in order too. The raw
value is kept as text when it is valid UTF-8 and as base64 otherwise, so any message, even one
that is not JSON, can be inspected and replayed byte for byte.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import StrEnum
from typing import Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from thads_contracts.common import ContractModel
from thads_contracts.errors import ContractError

RawEncoding = Literal["utf-8", "base64"]


class DeadLetterReason(StrEnum):
    BAD_JSON = "bad_json"                  # not JSON, or not UTF-8
    UNKNOWN_TYPE = "unknown_type"          # event_type unknown to this consumer or topic
    INVALID_SCHEMA = "invalid_schema"      # JSON, but not a valid contract
    REJECTED_BY_RULE = "rejected_by_rule"  # a valid contract that a domain rule refuses
    HANDLER_ERROR = "handler_error"        # the consumer's code failed on it, K attempts (a bug)
    OTHER = "other"


class DeadLetter(ContractModel):
    schema_version: Literal[1] = 1
    # where the message was read
    original_topic: str = Field(min_length=1)
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    key: str | None = None
    key_encoding: RawEncoding = "utf-8"
    value: str | None                      # None for a tombstone (a null Kafka value)
    value_encoding: RawEncoding = "utf-8"
    # why it was given up, and by whom
    reason_code: DeadLetterReason
    reason: str = Field(min_length=1)        # human-readable; names the field or the rule
    consumer: str = Field(min_length=1)      # the consumer group id, "<service>.<purpose>"
    attempts: int = Field(ge=1)
    first_failed_at: AwareDatetime
    dead_lettered_at: AwareDatetime
    # what it was, when that much could be read
    event_id: UUID | None = None
    event_type: str | None = None
    # the Python traceback of the last attempt, for a handler error or a rule refusal
    traceback: str | None = None

    @model_validator(mode="after")
    def _is_consistent(self) -> Self:
        if self.dead_lettered_at < self.first_failed_at:
            raise ValueError("dead_lettered_at must not be before first_failed_at")
        for name, text, encoding in (("key", self.key, self.key_encoding),
                                     ("value", self.value, self.value_encoding)):
            if text is not None and encoding == "base64":
                try:
                    base64.b64decode(text, validate=True)
                except binascii.Error:
                    raise ValueError(f"{name} is not valid base64") from None
        return self

    @classmethod
    def capture(cls, *, original_topic: str, partition: int, offset: int, key: bytes | None,
                value: bytes | None, reason_code: DeadLetterReason | str, reason: str,
                consumer: str, attempts: int, first_failed_at: datetime,
                dead_lettered_at: datetime, event_id: UUID | None = None,
                event_type: str | None = None, traceback: str | None = None) -> Self:
        key_text, key_encoding = _as_text(key)
        value_text, value_encoding = _as_text(value)
        return cls(original_topic=original_topic, partition=partition, offset=offset,
                   key=key_text, key_encoding=key_encoding, value=value_text,
                   value_encoding=value_encoding, reason_code=reason_code, reason=reason,
                   consumer=consumer, attempts=attempts,
                   first_failed_at=first_failed_at, dead_lettered_at=dead_lettered_at,
                   event_id=event_id, event_type=event_type, traceback=traceback)

    @classmethod
    def for_contract_error(cls, error: ContractError, *, original_topic: str, partition: int,
                           offset: int, key: bytes | None, value: bytes | None, consumer: str,
                           attempts: int, first_failed_at: datetime,
                           dead_lettered_at: datetime) -> Self:
        return cls.capture(original_topic=original_topic, partition=partition, offset=offset,
                           key=key, value=value, reason_code=error.reason_code,
                           reason=str(error), consumer=consumer, attempts=attempts,
                           first_failed_at=first_failed_at, dead_lettered_at=dead_lettered_at,
                           event_id=error.event_id, event_type=error.event_type)

    def raw_key(self) -> bytes | None:
        return _as_bytes(self.key, self.key_encoding)

    def raw_value(self) -> bytes | None:
        return _as_bytes(self.value, self.value_encoding)


def _as_text(raw: bytes | None) -> tuple[str | None, RawEncoding]:
    if raw is None:
        return None, "utf-8"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), "base64"


def _as_bytes(text: str | None, encoding: RawEncoding) -> bytes | None:
    if text is None:
        return None
    return base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")
