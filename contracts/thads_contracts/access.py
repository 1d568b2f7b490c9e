"""The access log (architecture §7, issue 11 §5): a read of personal data, of a bank feed or of a case
by a bank, an auditor or the procuracy — and every refused attempt — is itself a record.

`AccessRecorded` (topic `thads.audit.access`, key = the case id, else the resource id) is written by
the kit's `thads_kit.access.AccessLog` of the service that answered, durably in that service's
database before the answer leaves, then published at least once; `entry_id` is fixed when the entry
is written, so a consumer dedupes on it. It names who (actor), what (resource and id, the case and
its office), when, on which legal basis, and how the service answered (HTTP status).
"""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from thads_contracts.common import ContractModel, OfficeCode
from thads_contracts.envelope import Actor, ServiceName

AccessAction = Literal["read", "refused"]


class AccessRecorded(ContractModel):
    type: Literal["audit.AccessRecorded.v1"] = "audit.AccessRecorded.v1"
    entry_id: UUID
    service: ServiceName
    sequence: int = Field(ge=1, description="the entry's position in its service's access log")
    actor: Actor
    action: AccessAction
    resource: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$",
                          description="what was read: case, personal_data, denouncer, bank_feed, filing, ...")
    resource_id: str = Field(min_length=1, max_length=200)
    case_id: UUID | None = None
    unit: OfficeCode | None = Field(default=None, description="the office the resource belongs to")
    legal_basis: str | None = Field(default=None, max_length=500)
    status: int = Field(ge=100, le=599, description="the HTTP status the reader was answered with")
    at: AwareDatetime
    correlation_id: UUID | None = None

    # what the kit's tracked consumer needs to keep a position and dedupe
    @property
    def source(self) -> str:
        return self.service

    @property
    def source_position(self) -> int:
        return self.sequence

    @property
    def event_id(self) -> UUID:
        return self.entry_id
