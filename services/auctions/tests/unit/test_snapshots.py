"""Asset snapshots: an asset restored from a snapshot is the asset replayed from its events, attribute
by attribute and type by type, and behaves the same afterwards; a long round loads from the latest
snapshot plus the events after it instead of replaying every bid."""
from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any
from uuid import uuid4

import pytest

from auctions_service import domain as d
from auctions_service.application import Auctions
from auctions_service.snapshots import AssetSnapshot, snapshot_state

VN = timezone(timedelta(hours=7))
AT = datetime(2026, 3, 2, 9, tzinfo=VN)
ITEM, BANK = str(uuid4()), str(uuid4())


def assert_same(a: Any, b: Any, path: str = "asset") -> None:
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})"
    if isinstance(a, Enum):
        assert a is b, path
    elif dataclasses.is_dataclass(a):
        assert_same(vars(a), vars(b), path)
    elif isinstance(a, dict):
        assert sorted(a, key=str) == sorted(b, key=str), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for n, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{n}]")
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def long_history(bids: int) -> d.Asset:
    """Every kind of state: a failed round with a forfeited deposit, a cut, a contract, a long second
    round with refunds owed, the payment with its split, the handover."""
    a = d.Asset.seize(asset_id=uuid4(), case_id=uuid4(), unit="TH-01", kind="real_estate", description="Nhà đất",
                      claim_item_ids=[ITEM], decision_number="7/QĐ", seized_on=date(2026, 3, 2),
                      secured_creditor_party_id=BANK, actor="officer/cv-07", at=AT)
    a.value(method="agreed", price_vnd=1_000_000_000, valued_on=date(2026, 3, 2), actor="o", at=AT)
    a.contract_organisation(organisation="Công ty đấu giá Số 1", contracted_on=date(2026, 3, 5), actor="o", at=AT,
                            organisation_id="DGTS-01", parties_agreed_on=date(2026, 3, 4))
    a.announce(announced_on=date(2026, 3, 6), second_announced_on=date(2026, 3, 10), auction_on=date(2026, 4, 10),
               deposit_vnd=100_000_000, place="P", organiser="Công ty đấu giá Số 1", actor="o", at=AT)
    a.register_bidder(bidder_id="W", deposit_paid_vnd=100_000_000, actor="o", at=AT)
    a.place_bid(bidder_id="W", amount_vnd=1_000_000_000, actor="o", at=AT)
    a.close(closed_on=date(2026, 4, 10), actor="o", at=AT)
    a.cancel_unpaid_sale(on=date(2026, 5, 12), actor="o", at=AT)
    a.cut_price(new_starting_price_vnd=900_000_000, decided_on=date(2026, 5, 13), actor="o", at=AT)
    a.announce(announced_on=date(2026, 5, 14), second_announced_on=date(2026, 5, 18), auction_on=date(2026, 6, 15),
               deposit_vnd=90_000_000, place="P", organiser="Công ty đấu giá Số 1", actor="o", at=AT)
    for b in ("B1", "B2", "B3"):
        a.register_bidder(bidder_id=b, deposit_paid_vnd=90_000_000, actor="o", at=AT)
    for n in range(bids):
        a.place_bid(bidder_id=("B1", "B2", "B3")[n % 3], amount_vnd=900_000_000 + n * 1_000_000, actor="o",
                    at=AT + timedelta(seconds=n))
    return a


def finish(a: d.Asset) -> None:
    a.close(closed_on=date(2026, 6, 15), actor="o", at=AT)
    a.refund_deposits(refunded_on=date(2026, 6, 16), actor="o", at=AT)
    a.record_payment(amount_vnd=a.hammer_price_vnd, paid_on=date(2026, 6, 20), actor="o", at=AT,
                     enforcement_costs_vnd=20_000_000, secured_claim_item_id=ITEM)
    a.record_handover(handed_over_on=date(2026, 7, 1), actor="o", at=AT)


def test_a_snapshot_restores_the_replayed_asset_type_for_type_and_it_behaves_the_same():
    a = long_history(40)
    finish(a)
    events = a.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)
    state = json.loads(json.dumps(snapshot_state(replayed)))           # plain JSON all the way
    snap = AssetSnapshot(originator_id=replayed.id, originator_version=replayed.version, timestamp=AT,
                         topic=AssetSnapshot.take(replayed).topic, state=state)
    restored = snap.mutate(None)
    assert_same(vars(restored), vars(replayed))
    assert restored.deadlines(date(2026, 7, 2)) == replayed.deadlines(date(2026, 7, 2))


def test_a_snapshot_mid_round_continues_the_round_identically():
    a = long_history(10)
    replayed = None
    for e in a.collect_events():
        replayed = e.mutate(replayed)
    restored = AssetSnapshot.take(replayed).mutate(None)
    for x in (replayed, restored):
        with pytest.raises(d.BidTooLowError):
            x.place_bid(bidder_id="B2", amount_vnd=909_000_000, actor="o", at=AT)
        x.place_bid(bidder_id="B2", amount_vnd=950_000_000, actor="o", at=AT)
        finish(x)
    assert replayed.last_digest == restored.last_digest
    same_times = {"_pending_events": [], "_modified_on": None}      # commands run now: their clock differs
    assert_same(vars(restored) | same_times, vars(replayed) | same_times)


def test_a_long_round_loads_from_the_latest_snapshot():
    app = Auctions(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    a = long_history(0)
    app.save(a)
    for n in range(450):                                   # a long round, saved bid by bid
        a.place_bid(bidder_id=("B1", "B2", "B3")[n % 3], amount_vnd=900_000_000 + n * 1_000_000, actor="o",
                    at=AT + timedelta(seconds=n))
        app.save(a)
    snapshots = list(app.snapshots.get(a.id))
    assert [s.originator_version for s in snapshots] == [100, 200, 300, 400]
    loaded = app.repository.get(a.id)
    assert_same(vars(loaded), vars(a))
    assert len(loaded.bids) == 450 and loaded.version == a.version
    # the load read the latest snapshot and only the events after it
    after = list(app.events.get(a.id, gt=400))
    assert len(after) == a.version - 400


def test_state_not_covered_by_the_snapshot_is_refused():
    a = long_history(1)
    a.something_new = 1
    with pytest.raises(TypeError, match="something_new"):
        snapshot_state(a)


def test_an_older_layout_is_upcast_and_a_newer_one_refused(monkeypatch):
    a = long_history(1)
    snap = AssetSnapshot.take(a)
    newer = AssetSnapshot(originator_id=a.id, originator_version=a.version, timestamp=AT, topic=snap.topic,
                          state={**snap.state, "class_version": 4})
    with pytest.raises(ValueError, match="newer"):
        newer.mutate(None)
    # the real layout 1 (before the organisation's id): upcast by Asset.upcast_v1_v2
    v1 = {k: v for k, v in snap.state.items() if k not in (
        "contracted_organisation_id", "organisation_chosen_by_parties", "officer_runs_auction",
        "creditor_accepted_on", "accepted_by", "accepted_claim_item_id", "excess_paid_vnd")}
    restored = AssetSnapshot(originator_id=a.id, originator_version=a.version, timestamp=AT, topic=snap.topic,
                             state={**v1, "class_version": 1}).mutate(None)
    assert (restored.contracted_organisation_id, restored.organisation_chosen_by_parties,
            restored.officer_runs_auction, restored.creditor_accepted_on, restored.excess_paid_vnd,
            restored.place) == (None, False, False, None, 0, a.place)
    monkeypatch.setattr(d.Asset, "class_version", 4, raising=False)
    monkeypatch.setattr(d.Asset, "upcast_v3_v4", staticmethod(lambda s: s.update(place="upcast")), raising=False)
    older = AssetSnapshot(originator_id=a.id, originator_version=a.version, timestamp=AT, topic=snap.topic,
                          state={**snap.state, "class_version": 3})
    assert older.mutate(None).place == "upcast"
