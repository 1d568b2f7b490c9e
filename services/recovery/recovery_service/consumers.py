"""What recovery consumes, exactly once (the kit's EventSourcedSink records the consumer's position in the
same transaction as the files' new events and feed rows), from intake's case topic and auctions' asset topic:
- PartyAdded of a creditor with a registered bank code → a new BadDebtFile (once: its id is derived); when
  the case is the one intake registered from this bank's own request for enforcement (enforcement_requests.py),
  the file's first feed entry tells the bank so (`request_registered`, with intake's reference);
- ClaimItemAdded whose creditor is the file's bank → the claim on the file (secured or not);
- every other event of a case with files → one feed entry per file whose bank may see it (feed.py);
  a SeizureOrdered naming the bank as secured creditor links the bank's collateral (when exactly one
  unlinked collateral covers the seized claim items);
an event already fed (a re-published copy under a new offset) records nothing."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from eventsourcing.domain import Aggregate
from faststream.kafka import KafkaBroker

from thads_contracts import intake
from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET, INTAKE_CASE
from thads_kit.consumer import TrackedConsumer
from thads_kit.es_sink import EventSourcedSink
from thads_kit.store import EsExecutor

from . import feed
from .application import Recovery
from .domain import BadDebtFile, RecoveryError, file_id
from .institutions import name_of
from .projections import files_of_case_sync, request_of_case_sync

log = logging.getLogger(__name__)
VN_TZ = timezone(timedelta(hours=7))


def _open(app: Recovery, env: intake.PartyAdded, schema: str) -> list[Aggregate]:
    p = env.payload
    if p.role != intake.PartyRole.CREDITOR or not p.bank_code:
        return []
    name = name_of(p.bank_code)
    if name is None:
        log.warning("case %s: creditor bank code %s is not in the registry of credit institutions; no file",
                    env.case_id, p.bank_code)
        return []
    if app.file_exists(file_id(env.case_id, p.bank_code)):
        return []
    file = BadDebtFile(case_id=str(env.case_id), bank_code=p.bank_code, institution_name=name,
                       bank_party_id=str(p.party_id), unit=env.unit, at=env.occurred_at)
    requested = request_of_case_sync(app.recorder, schema, env.case_id, p.bank_code)
    if requested is not None and requested["bank_party_id"] == str(p.party_id):
        # the case intake registered from THIS bank's request: the bank learns it is in, under which number
        file.record_feed_entry(**feed.request_registered(env, requested), at=datetime.now(VN_TZ))
    return [file]


def _link_collateral(file: BadDebtFile, env: intake.SeizureOrdered, now: datetime) -> bool:
    p = env.payload
    if str(p.secured_creditor_party_id) != file.bank_party_id or file.collateral_of_asset(str(p.asset_id)):
        return False
    items = {str(x) for x in p.claim_item_ids}
    fits = [cid for cid, c in file.collaterals.items() if c["asset_id"] is None and items & set(c["claim_item_ids"])]
    if len(fits) != 1:
        return False
    return file.link_seized_asset(fits[0], str(p.asset_id), actor="system/intake", at=now)


def policy(app: Recovery, schema: str):
    def apply(env: Any) -> list[Aggregate]:
        if isinstance(env, intake.PartyAdded):
            return _open(app, env, schema)
        changed: list[Aggregate] = []
        now = datetime.now(VN_TZ)
        for fid in files_of_case_sync(app.recorder, schema, env.case_id):
            file = app.get_file(fid)
            touched = False
            if isinstance(env, intake.ClaimItemAdded):
                p = env.payload
                if p.creditor_party_id is not None and str(p.creditor_party_id) == file.bank_party_id:
                    touched |= file.add_claim(str(p.claim_item_id), p.amount_vnd, p.secured, at=env.occurred_at)
            if isinstance(env, intake.SeizureOrdered):
                touched |= _link_collateral(file, env, now)
            assets = {c["asset_id"] for c in file.collaterals.values() if c["asset_id"]}
            entry = feed.entry_for(env, file.bank_party_id, set(file.claims), assets)
            if entry is not None:
                touched |= file.record_feed_entry(**entry, at=now)
            if touched:
                changed.append(file)
        return changed
    return apply


def register(broker: KafkaBroker, app: Recovery, executor: EsExecutor, group: str, schema: str = "recovery",
             fault: str = "") -> TrackedConsumer:
    sink = EventSourcedSink(app, executor, policy(app, schema), rule_errors=(RecoveryError,), schema=schema)
    return TrackedConsumer(name=group, broker=broker, topics=(INTAKE_CASE, AUCTIONS_ASSET), sink=sink,
                           decode=decode, fault=fault)
