"""Recovery's anti-corruption layer: BadDebtFile domain events → public contracts, as pure functions.

Outbound (`relay_translate` = the kit relay's Translate; the relay publishes in the store's order with
the idempotent producer, key = case id, so one case's entries stay in order on one partition):
- FeedEntryRecorded → recovery.BankFeedEntry.v1 on thads.bankfeed.<bank code> (`feed_envelope`; the
  HTTP feed stores the very same JSON, written in the same transaction as the event: projections.py);
- RepaymentReported → recovery.BankRepaymentReceived.v1 on thads.recovery.debt (intake books it once on
  the claim item as "paid_to_bank");
- EnforcementRequest.Filed → recovery.EnforcementRequested.v1 on thads.recovery.debt, keyed by the case id
  intake will give the request (intake registers it once); no personal data;
every other event is internal (INTERNAL); an event class in neither list stops the relay.

The envelope's event_id is uuid5(recovery, file id, file version): a relay that re-publishes after a
crash re-sends the same id, which a reader uses to drop the copy.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from thads_contracts import recovery as r
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.envelope import Envelope
from thads_contracts.registry import encode
from thads_contracts.topics import RECOVERY_DEBT, bank_feed
from thads_kit.relay import Outgoing

from .domain import BadDebtFile
from .enforcement_requests import EnforcementRequest

SOURCE = "recovery"
CONTRACT_ROLES = {"officer", "head", "clerk", "procuracy", "auditor", "bank", "admin", "system"}
INTERNAL = (BadDebtFile.Opened, BadDebtFile.ClaimAdded, BadDebtFile.CollateralRegistered,
            BadDebtFile.SeizedAssetLinked, BadDebtFile.Acknowledged, BadDebtFile.InformationRequested,
            BadDebtFile.InformationAnswered, BadDebtFile.TeamAssigned, EnforcementRequest.PersonalDataErased)


def actor_string(role: str, who: str) -> str:
    return f"{role}/{who}"


def _actor(event: Any, unit: str) -> ContractActor:
    role, _, who = str(getattr(event, "actor", "")).partition("/")
    if role not in CONTRACT_ROLES or not who:
        role, who = "system", SOURCE
    return ContractActor(id=who, role=role, unit=unit)  # type: ignore[arg-type]


def feed_envelope(event: BadDebtFile.FeedEntryRecorded) -> r.BankFeedEntry:
    """The public feed entry of a FeedEntryRecorded (the same for Kafka and for the HTTP feed)."""
    payload = r.BankFeedEntryPayload(
        bank_code=event.bank_code, sequence=event.seq, kind=event.kind, kind_label=r.FEED_KIND_LABELS[event.kind],
        legal_basis=event.legal_basis, case_event_id=UUID(event.source_event_id),
        case_event_type=event.source_event_type, data=event.data)
    return r.BankFeedEntry.create(
        payload=payload, source=SOURCE, aggregate_id=event.originator_id,
        aggregate_version=event.originator_version, case_id=UUID(event.case_id), unit=event.unit,
        actor=ContractActor(id=SOURCE, role="system", unit=event.unit), occurred_at=event.occurred_at,
        recorded_at=event.timestamp, source_position=event.seq, correlation_id=UUID(event.case_id))


def to_contract(event: Any, notification_id: int) -> Envelope | None:
    if isinstance(event, BadDebtFile.FeedEntryRecorded):
        return feed_envelope(event)
    if isinstance(event, BadDebtFile.RepaymentReported):
        d = event.data
        payload = r.BankRepaymentReceivedPayload(
            bank_code=event.bank_code, claim_item_id=UUID(d["claim_item_id"]), amount_vnd=d["amount_vnd"],
            received_on=date.fromisoformat(d["received_on"]), bank_reference=d.get("bank_reference"))
        return r.BankRepaymentReceived.create(
            payload=payload, source=SOURCE, aggregate_id=event.originator_id,
            aggregate_version=event.originator_version, case_id=UUID(event.case_id), unit=event.unit,
            actor=_actor(event, event.unit), occurred_at=event.at, recorded_at=event.timestamp,
            source_position=notification_id, correlation_id=UUID(event.case_id))
    if isinstance(event, EnforcementRequest.Filed):
        d = event.details
        payload_r = r.EnforcementRequestedPayload(
            bank_code=event.bank_code, request_id=UUID(event.request_id), intake_ref=event.intake_ref,
            bank_party_id=UUID(event.bank_party_id), judgment_number=d["judgment_number"],
            issuing_court=d["issuing_court"], judgment_effective_on=date.fromisoformat(d["judgment_effective_on"]),
            filed_on=date.fromisoformat(d["filed_on"]),
            claims=tuple(r.RequestedClaim(claim_item_id=UUID(c["claim_item_id"]), amount_vnd=c["amount_vnd"],
                                          secured=c["secured"]) for c in d["claims"]))
        return r.EnforcementRequested.create(
            payload=payload_r, source=SOURCE, aggregate_id=event.originator_id,
            aggregate_version=event.originator_version, case_id=UUID(event.case_id), unit=event.unit,
            actor=_actor(event, event.unit), occurred_at=event.at, recorded_at=event.timestamp,
            source_position=notification_id, correlation_id=UUID(event.case_id))
    if isinstance(event, INTERNAL):
        return None
    raise LookupError(f"{type(event).__qualname__} is neither published nor listed as internal")


def relay_translate(event: Any, notification_id: int) -> Outgoing | None:
    env = to_contract(event, notification_id)
    if env is None:
        return None
    topic = bank_feed(env.payload.bank_code) if isinstance(env, r.BankFeedEntry) else RECOVERY_DEBT
    return Outgoing(topic=topic, key=env.kafka_key, value=encode(env),
                    headers=[("event_type", env.event_type.encode()), ("source", SOURCE.encode())])
