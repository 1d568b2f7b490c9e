"""What intake consumes: auction proceeds (each share of ProceedsTransferred.v2's split on its claim
item) and bank repayments become collections on the case's claim items, and an auction outcome whatever translation.outcome_effect makes of it (an asset taken
by the creditor, booked in kind on the claim item AuctionOutcomeRecorded.v2 names) — exactly once (tracking position
in the same transaction as the new events)."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts import auctions, recovery
from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET, RECOVERY_DEBT
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from . import translation
from .application import Intake
from .domain import IntakeError


def policy(app: Intake):
    def apply(env: Any) -> list[Aggregate]:
        command = "collect_money"
        if isinstance(env, (auctions.ProceedsTransferred, auctions.ProceedsTransferredV2)):
            case = app.get_case(env.case_id)
            for kwargs in translation.collections_from_proceeds(env):   # one per share of the split
                kwargs["at"] = max(kwargs["at"], case.last_at)
                case.collect_money(**kwargs)
            return [case]
        if isinstance(env, recovery.BankRepaymentReceived):
            kwargs = translation.collection_from_bank_repayment(env)
        elif isinstance(env, (auctions.AuctionOutcomeRecorded, auctions.AuctionOutcomeRecordedV2)):
            kwargs = translation.outcome_effect(env)
            if kwargs is None:
                return []        # nothing for the case to record (see outcome_effect)
            command = "record_asset_taken_in_kind"
        else:
            return []            # not ours to act on; the position is still recorded
        case = app.get_case(env.case_id)
        # Money that arrives after a later step was recorded is booked at that step's time: the
        # case's business time never runs backwards; the upstream date stays in its own event.
        kwargs["at"] = max(kwargs["at"], case.last_at)
        getattr(case, command)(**kwargs)
        return [case]
    return apply


def register(broker: KafkaBroker, app: Intake, executor: EsExecutor, group: str, schema: str = "intake",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app), rule_errors=(IntakeError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(AUCTIONS_ASSET, RECOVERY_DEBT), sink=sink,
                           decode=decode, fault=fault)
