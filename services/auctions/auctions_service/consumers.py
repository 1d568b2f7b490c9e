"""What auctions consumes from intake's topic (thads.intake.case), exactly once (the kit's
EventSourcedSink records the consumer's position in the same transaction as the new Asset events):
- SeizureOrdered → a new Asset (a redelivery finds it already there and records nothing);
- PartyAdded with a bank code → a row of the case_banks read model (who may read the case's assets
  as a bank: thads_kit.scoping's bank rule), in the same transaction as the position;
- a suspension or postponement of the case pauses its pending assets, a continuation resumes them,
  a termination or revocation cancels them (translation.case_effect); an asset already paused or no
  longer pending records nothing, so a decision is applied once however often it arrives."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts import intake
from thads_contracts.registry import decode
from thads_contracts.topics import INTAKE_CASE
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from . import translation
from .application import Auctions
from .domain import Asset, AuctionsError
from .projections import assets_of_case_sync, case_bank_write


def policy(app: Auctions, schema: str):
    def apply(env: Any) -> list[Any]:
        if isinstance(env, intake.PartyAdded):
            if env.payload.bank_code is None:
                return []
            return [case_bank_write(schema, env.case_id, env.payload.bank_code)]
        if isinstance(env, intake.SeizureOrdered):
            kwargs = translation.seizure_kwargs(env)
            if app.asset_exists(kwargs["asset_id"]):
                return []
            return [Asset.seize(**kwargs)]
        effect = translation.case_effect(env)
        if effect is None:
            return []                 # not ours to act on; the position is still recorded
        changed: list[Aggregate] = []
        for asset_id in assets_of_case_sync(app.recorder, schema, env.case_id):
            asset = app.get_asset(asset_id)
            if effect.only_items is not None and not set(asset.claim_item_ids) <= effect.only_items:
                continue
            if getattr(asset, effect.command)(**effect.kwargs):
                changed.append(asset)
        return changed
    return apply


def register(broker: KafkaBroker, app: Auctions, executor: EsExecutor, group: str, schema: str = "auctions",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app, schema), rule_errors=(AuctionsError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(INTAKE_CASE,), sink=sink, decode=decode, fault=fault)
