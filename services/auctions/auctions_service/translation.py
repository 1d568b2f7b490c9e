"""Auctions' anti-corruption layer: Asset domain events ⇄ public contracts, as pure functions.

Outbound (`to_contract`, `relay_translate` = the kit relay's Translate), on thads.auctions.asset keyed
by case id:
- AuctionClosed → AuctionOutcomeRecorded.v2 (sold with the hammer price, or failed), naming the
  seizure's claim items and the sha256 of the round's ordered bid log;
- TakenByCreditor → AuctionOutcomeRecorded.v2 taken_by_creditor with the value and the ONE claim item
  it is booked on (intake records it without an officer re-typing it);
- SalePaid → ProceedsTransferred.v2 with the seizure's claim items and the split of the money
  (enforcement costs, the secured creditor's collateral share, the rest: Asset.split_proceeds); intake
  books each share once;
- SoldWithoutAuction (small or perishable goods, LCJE Art. 101(4)) → ProceedsTransferred.v2 likewise,
  sold and transferred the same day;
- SoldToCoOwner (a co-owner's pre-emption at the starting price) → ProceedsTransferred.v2 likewise;
- CreditorExcessPaid (the creditor took an asset worth more than the item owed and paid the excess) →
  ProceedsTransferred.v2 with one general share (the debtor's money, allocated by intake, Art. 47);
- AuctionAnnounced → AuctionAnnounced.v1, the public notice of a round (dates, starting price, deposit, place,
  organiser) with the seizure's claim items and secured creditor, so that a creditor's feed (recovery) can
  tell its own asset; bidders are never in it;
- ReturnedToDebtor → AuctionOutcomeRecorded.v2 returned (intake records nothing: the postponement is
  the head's decision).
Every other Asset event is internal (INTERNAL); an event class in neither list stops the relay.

Inbound: intake's SeizureOrdered becomes Asset.seize's kwargs; a suspension or postponement of the
case pauses its pending assets, a continuation resumes them, a termination or a (whole) revocation
cancels them, a partial revocation cancels the assets whose claim items it all revokes (`case_effect`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from thads_contracts import auctions as c
from thads_contracts import intake as i
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.envelope import Envelope
from thads_contracts.registry import encode
from thads_contracts.topics import AUCTIONS_ASSET
from thads_kit.relay import Outgoing

from .domain import Asset

SOURCE = "auctions"
CONTRACT_ROLES = {"officer", "head", "clerk", "accountant", "procuracy", "auditor", "bank", "admin", "system",
                  "organisation"}
INTERNAL = (Asset.Seized, Asset.Valued, Asset.Revalued, Asset.BidderRegistered,
            Asset.BidPlaced, Asset.UnpaidSaleCancelled, Asset.PriceCut, Asset.PausedForCase,
            Asset.ResumedForCase, Asset.CancelledForCase, Asset.Redeemed, Asset.DepositsRefunded,
            Asset.OrganisationContracted, Asset.HandedOver, Asset.CreditorAccepted)


def actor_string(role: str, who: str) -> str:
    """How the domain records who acted: "<role>/<id>" (the domain does not interpret it)."""
    return f"{role}/{who}"


def _actor(event: Any, unit: str) -> ContractActor:
    role, _, who = str(event.actor).partition("/")
    if role not in CONTRACT_ROLES or not who:
        role, who = "system", SOURCE
    return ContractActor(id=who, role=role, unit=unit)  # type: ignore[arg-type]


def _ids(values: Any) -> tuple[UUID, ...]:
    return tuple(UUID(str(v)) for v in values)


def _proceeds(event: Any, amount_vnd: int, sold_on: Any, transferred_on: Any) -> c.ProceedsTransferredV2Payload:
    """The split the domain recorded (Asset.split_proceeds); a SalePaid stored before the split existed
    carries none: the whole amount on its first claim item, as v1 published it."""
    items = _ids(event.claim_item_ids)
    shares = getattr(event, "shares", None)
    if shares is None:
        shares = [{"claim_item_id": items[0], "amount_vnd": amount_vnd, "basis": "general"}]
    return c.ProceedsTransferredV2Payload(
        asset_id=event.originator_id, claim_item_ids=items, amount_vnd=amount_vnd, sold_on=sold_on,
        transferred_on=transferred_on, enforcement_costs_vnd=getattr(event, "enforcement_costs_vnd", 0),
        secured_creditor_party_id=UUID(str(event.secured_creditor_party_id))
        if any(s["basis"] == "collateral" for s in shares) else None,
        shares=tuple(c.ProceedsShare(claim_item_id=UUID(str(s["claim_item_id"])), amount_vnd=s["amount_vnd"],
                                     basis=c.ProceedsShareBasis(s["basis"])) for s in shares))


def to_contract(event: Any, notification_id: int) -> Envelope | None:
    if isinstance(event, Asset.AuctionClosed):
        sold = event.winner_id is not None
        model: Any = c.AuctionOutcomeRecordedV2
        payload: Any = c.AuctionOutcomeRecordedV2Payload(
            asset_id=event.originator_id, outcome=c.AuctionOutcome.SOLD if sold else c.AuctionOutcome.FAILED,
            round_number=event.round_number, price_vnd=event.hammer_price_vnd if sold else None,
            claim_item_ids=_ids(event.claim_item_ids), bid_log_sha256=event.bid_log_sha256,
            decided_on=event.closed_on)
    elif isinstance(event, Asset.TakenByCreditor):
        model = c.AuctionOutcomeRecordedV2
        payload = c.AuctionOutcomeRecordedV2Payload(
            asset_id=event.originator_id, outcome=c.AuctionOutcome.TAKEN_BY_CREDITOR,
            round_number=event.round_number, price_vnd=event.value_vnd,
            creditor_party_id=UUID(str(event.creditor_party_id)), claim_item_ids=_ids([event.claim_item_id]),
            decided_on=event.taken_on)
    elif isinstance(event, Asset.ReturnedToDebtor):
        model = c.AuctionOutcomeRecordedV2
        payload = c.AuctionOutcomeRecordedV2Payload(
            asset_id=event.originator_id, outcome=c.AuctionOutcome.RETURNED, round_number=event.round_number,
            claim_item_ids=_ids(event.claim_item_ids), decided_on=event.returned_on)
    elif isinstance(event, Asset.AuctionAnnounced):
        if getattr(event, "case_id", None) is None:
            return None          # recorded before the notice was published (it carries no case): stays internal
        model = c.AuctionAnnounced
        secured = getattr(event, "secured_creditor_party_id", None)
        payload = c.AuctionAnnouncedPayload(
            asset_id=event.originator_id, round_number=event.round_number, announced_on=event.announced_on,
            second_announced_on=event.second_announced_on, auction_on=event.auction_on,
            starting_price_vnd=getattr(event, "starting_price_vnd", None), deposit_vnd=event.deposit_vnd,
            place=event.place, organiser=event.organiser, claim_item_ids=_ids(getattr(event, "claim_item_ids", None) or ()),
            secured_creditor_party_id=UUID(str(secured)) if secured else None)
    elif isinstance(event, Asset.SalePaid):
        model = c.ProceedsTransferredV2
        payload = _proceeds(event, event.amount_vnd, event.sold_on, event.paid_on)
    elif isinstance(event, (Asset.SoldWithoutAuction, Asset.SoldToCoOwner)):
        model = c.ProceedsTransferredV2
        payload = _proceeds(event, event.price_vnd, event.sold_on, event.sold_on)
    elif isinstance(event, Asset.CreditorExcessPaid):
        model = c.ProceedsTransferredV2
        payload = _proceeds(event, event.amount_vnd, event.paid_on, event.paid_on)
    elif isinstance(event, INTERNAL):
        return None
    else:
        raise LookupError(f"{type(event).__qualname__} is neither published nor listed as internal")
    return model.create(payload=payload, source=SOURCE, aggregate_id=event.originator_id,
                        aggregate_version=event.originator_version, case_id=UUID(str(event.case_id)),
                        unit=event.unit, actor=_actor(event, event.unit), occurred_at=event.at,
                        recorded_at=event.timestamp, source_position=notification_id,
                        correlation_id=UUID(str(event.case_id)))


def relay_translate(event: Any, notification_id: int) -> Outgoing | None:
    env = to_contract(event, notification_id)
    if env is None:
        return None
    return Outgoing(topic=AUCTIONS_ASSET, key=env.kafka_key, value=encode(env),
                    headers=[("event_type", env.event_type.encode()), ("source", SOURCE.encode())])


# ---------------------------------------------------------------- inbound: intake's case → assets

def seizure_kwargs(env: i.SeizureOrdered) -> dict[str, Any]:
    p = env.payload
    return {"asset_id": p.asset_id, "case_id": env.case_id, "unit": env.unit, "kind": p.asset_kind.value,
            "description": p.asset_description, "claim_item_ids": [str(x) for x in p.claim_item_ids],
            "decision_number": p.decision_number, "seized_on": p.ordered_on,
            "secured_creditor_party_id": str(p.secured_creditor_party_id) if p.secured_creditor_party_id else None,
            "actor": actor_string("system", f"intake:{env.actor.id}"), "at": env.occurred_at}


@dataclass(frozen=True)
class CaseEffect:
    command: str                         # pause_for_case | resume_for_case | cancel_for_case
    kwargs: dict[str, Any]
    only_items: frozenset[str] | None = None   # cancel only assets whose claim items are all among these


def case_effect(env: Envelope) -> CaseEffect | None:
    """What a decision on the case does to its pending assets (None: nothing)."""
    actor = actor_string("system", f"intake:{env.actor.id}")
    p: Any = env.payload
    if isinstance(env, i.CaseSuspended):
        return CaseEffect("pause_for_case", {"reason": "suspended", "decision_number": p.decision_number,
                                             "actor": actor, "at": env.occurred_at})
    if isinstance(env, i.CasePostponed):
        return CaseEffect("pause_for_case", {"reason": "postponed", "decision_number": p.decision_number,
                                             "actor": actor, "at": env.occurred_at})
    if isinstance(env, i.CaseContinued):
        return CaseEffect("resume_for_case", {"decision_number": p.decision_number, "actor": actor,
                                              "at": env.occurred_at})
    if isinstance(env, (i.CaseTerminated, i.CaseTerminatedV2)):
        return CaseEffect("cancel_for_case", {"reason": "terminated", "decision_number": p.decision_number,
                                              "actor": actor, "at": env.occurred_at})
    if isinstance(env, (i.CaseRevoked, i.CaseRevokedV2)):
        part = getattr(p, "scope", i.RevocationScope.WHOLE) == i.RevocationScope.PART
        return CaseEffect("cancel_for_case", {"reason": "revoked", "decision_number": p.decision_number,
                                              "actor": actor, "at": env.occurred_at},
                          frozenset(str(x) for x in p.claim_item_ids) if part else None)
    return None
