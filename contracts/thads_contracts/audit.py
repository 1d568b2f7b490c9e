"""Tamper-evidence messages between every service's store and the audit service (architecture §5).

* `ChainHeadsReported` (topic `thads.audit.chainheads`, key = the store): a store's new stream heads
  (stream id, version, hash of the event at that version in the store's hash chain), published by
  the kit after the events are stored. `through_notification_id` is the store's position: reports
  of one store increase, so a consumer dedupes on it.
* `AnchorPublished` (topic `thads.audit.anchor`): a Merkle root over the latest head of every stream
  the audit service has been told of, signed with its Ed25519 key. The signature covers exactly
  `anchor_bytes(...)` of its fields; verify it with the audit service's public key from a trusted
  place (configuration), never with the one carried in the message.
"""
from __future__ import annotations

from typing import Literal
from uuid import UUID, uuid5

from pydantic import AwareDatetime, Field

from thads_contracts.common import ContractModel

HEX_SHA256 = r"^[0-9a-f]{64}$"
NAMESPACE = UUID("5b6f3b1c-8a0e-4c35-9d2a-3a3c1f1e0a11")


def anchor_bytes(number: int, created_at: str, cutoff: int, leaves: int, root_hex: str, prev_root_hex: str) -> bytes:
    """The exact bytes an anchor's Ed25519 signature covers (created_at: ISO 8601 as stored)."""
    return f"thads-anchor-v1\n{number}\n{created_at}\n{cutoff}\n{leaves}\n{root_hex}\n{prev_root_hex}".encode()


class ChainHead(ContractModel):
    stream: UUID
    version: int = Field(ge=1)
    hash: str = Field(pattern=HEX_SHA256)


class ChainHeadsReported(ContractModel):
    type: Literal["audit.ChainHeadsReported.v1"] = "audit.ChainHeadsReported.v1"
    service: str = Field(min_length=1, max_length=64)
    store: str = Field(min_length=1, max_length=200)
    through_notification_id: int = Field(ge=1)
    heads: list[ChainHead] = Field(min_length=1)

    # what the kit's tracked consumer needs to keep a position and dedupe
    @property
    def source(self) -> str:
        return self.service

    @property
    def source_position(self) -> int:
        return self.through_notification_id

    @property
    def event_id(self) -> UUID:
        return uuid5(NAMESPACE, f"{self.store}/{self.through_notification_id}")


class AnchorPublished(ContractModel):
    type: Literal["audit.AnchorPublished.v1"] = "audit.AnchorPublished.v1"
    number: int = Field(ge=1)
    created_at: AwareDatetime
    cutoff: int = Field(ge=0, description="the last head-log entry the anchor covers")
    leaves: int = Field(ge=0, description="stream heads under the Merkle root")
    root: str = Field(pattern=HEX_SHA256)
    prev_root: str = Field(pattern=HEX_SHA256)
    signature: str = Field(description="Ed25519 signature of anchor_bytes(), base64")
    public_key: str = Field(description="the signer's public key (base64), for information only")
    algorithm: Literal["Ed25519"] = "Ed25519"
