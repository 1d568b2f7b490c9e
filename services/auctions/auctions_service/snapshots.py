"""Snapshots of an Asset: its whole state as plain, versioned JSON (`snapshot_state`), restored with its
enums, dates, bids and sets (`asset_from_snapshot_state`). A long round (thousands of bids) then loads
from the latest snapshot plus the events after it instead of replaying every bid.

The layout version is `Asset.class_version` (used by snapshots only, never by events). Changing the
layout (a new attribute, a renamed key, a new encoding) needs class_version + 1 AND an upcaster
`Asset.upcast_v{n}_v{n+1}(state)` turning a stored layout-n state into layout n+1 in place: stored
snapshots are never rewritten. An attribute `snapshot_state` does not cover makes it raise.
"""
from __future__ import annotations

import copy
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Snapshot as LibrarySnapshot
from eventsourcing.utils import get_topic, resolve_topic

if TYPE_CHECKING:
    from .domain import Asset


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d is not None else None


def _day(s: str | None) -> date | None:
    return date.fromisoformat(s) if s is not None else None


class AssetSnapshot(LibrarySnapshot):
    """An Asset snapshot whose `state` is `snapshot_state(asset)` (plain JSON, versioned)."""

    @classmethod
    def take(cls, aggregate: Any) -> "AssetSnapshot":
        return cls(originator_id=aggregate.id, originator_version=aggregate.version,  # type: ignore[call-arg]
                   timestamp=cls.create_timestamp(), topic=get_topic(type(aggregate)),
                   state=snapshot_state(aggregate))

    def mutate(self, _: Any) -> "Asset":  # type: ignore[override]
        aggregate_cls = resolve_topic(self.topic)
        state = dict(self.state)
        from_version = state.pop("class_version", 1)
        if from_version > aggregate_cls.class_version:
            raise ValueError(f"snapshot of {self.originator_id} v{self.originator_version} has state layout "
                             f"{from_version}, newer than this code's {aggregate_cls.class_version}")
        if from_version < aggregate_cls.class_version:
            state = copy.deepcopy(state)
            while from_version < aggregate_cls.class_version:
                getattr(aggregate_cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
                from_version += 1
        return asset_from_snapshot_state(aggregate_cls, state, self.originator_id, self.originator_version)


_DATES = ("seized_on", "valued_on", "auction_on", "announced_on", "second_announced_on", "closed_on", "paid_on",
          "taken_on", "organisation_contracted_on", "handed_over_on", "postponed_on", "creditor_accepted_on")
_PLAIN = ("unit", "description", "claim_item_ids", "decision_number", "secured_creditor_party_id", "perishable",
          "valuation_method", "starting_price_vnd", "revalued", "cuts", "round_number", "deposit_vnd", "place",
          "organiser", "bidders", "winner_id", "hammer_price_vnd", "case_paused", "taken_by", "taken_claim_item_id",
          "contracted_organisation", "buyer_id", "enforcement_costs_vnd", "proceeds_shares", "postponed_deposits",
          # layout 2
          "contracted_organisation_id", "organisation_chosen_by_parties", "officer_runs_auction",
          # layout 3
          "accepted_by", "accepted_claim_item_id", "excess_paid_vnd")


def snapshot_state(asset: "Asset") -> dict[str, Any]:
    """The whole state as plain JSON values, keyed by attribute name (layout `Asset.class_version`)."""
    state: dict[str, Any] = {
        "class_version": type(asset).class_version,
        "_created_on": asset._created_on.isoformat(),
        "_modified_on": asset._modified_on.isoformat(),
        "case_id": str(asset.case_id),
        "kind": asset.kind.value,
        "status": asset.status.value,
        "refunded": sorted(asset.refunded),
        "bids": [[b.round_number, b.seq, b.bidder_id, b.amount_vnd, b.at.isoformat()] for b in asset.bids],
        "rounds": [{**r, "closed_on": _iso(r["closed_on"])} for r in asset.rounds],
        "forfeited_deposits": [{**f, "on": _iso(f["on"])} for f in asset.forfeited_deposits],
        "last_at": asset.last_at.isoformat(),
    }
    state |= {k: _iso(getattr(asset, k)) for k in _DATES}
    state |= {k: copy.deepcopy(getattr(asset, k)) for k in _PLAIN}
    uncovered = asset.__dict__.keys() - state.keys() - {"_id", "_version", "_pending_events"}
    if uncovered:
        raise TypeError(f"Asset snapshot_state does not cover {sorted(uncovered)}: add them, bump "
                        f"Asset.class_version and add an upcaster")
    return state


def asset_from_snapshot_state(cls: type["Asset"], state: dict[str, Any], originator_id: UUID,
                              version: int) -> "Asset":
    from .domain import AssetKind, Bid, Status
    s = state
    asset = object.__new__(cls)
    asset.__dict__.update({
        "_id": originator_id, "_version": version, "_pending_events": [],
        "_created_on": datetime.fromisoformat(s["_created_on"]),
        "_modified_on": datetime.fromisoformat(s["_modified_on"]),
        "case_id": UUID(s["case_id"]),
        "kind": AssetKind(s["kind"]),
        "status": Status(s["status"]),
        "refunded": set(s["refunded"]),
        "bids": [Bid(r, seq, who, amount, datetime.fromisoformat(at)) for r, seq, who, amount, at in s["bids"]],
        "rounds": [{**r, "closed_on": _day(r["closed_on"])} for r in s["rounds"]],
        "forfeited_deposits": [{**f, "on": _day(f["on"])} for f in s["forfeited_deposits"]],
        "last_at": datetime.fromisoformat(s["last_at"]),
    })
    asset.__dict__.update({k: _day(s[k]) for k in _DATES})
    asset.__dict__.update({k: copy.deepcopy(s[k]) for k in _PLAIN})
    return asset
