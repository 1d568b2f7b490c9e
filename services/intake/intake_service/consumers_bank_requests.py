"""What intake consumes from the recovery service (thads.recovery.debt): a credit institution's request for
enforcement as a creditor (recovery.EnforcementRequested.v1, LCJE Art. 31) becomes a request received on
the ONLINE channel (Case.receive_request; the filing date is the bank's) under the intake reference the
bank's request carries, with the bank as creditor party (kind credit_institution, its bank code) and its
claim items (credit debts, secured or not) — in ONE save, so the case never exists half-registered. The
case id is the one recovery announced (the envelope's case_id); a mismatch is refused and parked, never a
second case. Exactly once: the consumer's position is recorded in the same transaction as the case's
events (the kit's EventSourcedSink), and a redelivered request finds the case there and records nothing.
The debtor is not added here: its name, id number and address stay in recovery's erasable table, and the
office adds the debtor party with them (POST /cases/{id}/parties). Every other recovery event (a bank's
repayment) is the collections consumer's (consumers.py): only the position here."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts import recovery
from thads_contracts.registry import decode
from thads_contracts.topics import RECOVERY_DEBT
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from .application import Intake
from .domain import Actor, Case, Channel, IntakeError, InvalidValueError, Origin, Role
from .domain.vocabulary import ClaimKind, PartyKind, PartyRole


def registration(env: recovery.EnforcementRequested) -> Any:
    """The case of a bank's request, with the bank as creditor and its claim items (not saved)."""
    p = env.payload
    case_id = Case.create_id(env.unit, Origin.REQUEST.value, p.intake_ref)
    if case_id != env.case_id:
        raise InvalidValueError(f"bank request {p.request_id} names case {env.case_id}; intake's id for it is {case_id}")
    actor = Actor(id=f"bank-{p.bank_code}", role=Role.SYSTEM)
    at = env.occurred_at
    case = Case.receive_request(unit_id=env.unit, intake_ref=p.intake_ref, channel=Channel.ONLINE, at=at,
                                actor=actor, filed_on=p.filed_on, judgment_number=p.judgment_number,
                                issuing_court=p.issuing_court, judgment_effective_on=p.judgment_effective_on)
    bank = str(p.bank_party_id)
    case.add_party(party_id=bank, role=PartyRole.CREDITOR, kind=PartyKind.CREDIT_INSTITUTION, at=at, actor=actor,
                   bank_code=p.bank_code)
    for claim in p.claims:
        case.add_claim_item(claim_item_id=str(claim.claim_item_id), kind=ClaimKind.CREDIT_DEBT,
                            amount_vnd=claim.amount_vnd, creditor_party_id=bank, at=at, actor=actor,
                            secured=claim.secured)
    return case


def policy(app: Intake):
    def apply(env: Any) -> list[Aggregate]:
        if not isinstance(env, recovery.EnforcementRequested):
            return []                 # a repayment: the collections consumer's; the position is still recorded
        if app.case_exists(env.case_id):
            return []                 # a redelivery: the request was registered once already
        return [registration(env)]
    return apply


def register(broker: KafkaBroker, app: Intake, executor: EsExecutor, group: str, schema: str = "intake",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app), rule_errors=(IntakeError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(RECOVERY_DEBT,), sink=sink, decode=decode, fault=fault)
