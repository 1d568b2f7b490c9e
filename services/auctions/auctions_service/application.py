"""Auctions application: get → act → save for every command on an Asset, and small queries.

Commands are built as functions for the kit's CommandBatcher (it runs them in a worker thread, saves
concurrent commands on different assets in one transaction, and stores each command id with its
events). Office binding lives here: staff act on the assets of their own office only, an auction
organisation only on the assets whose auction is contracted to it (asset.other_organisation)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from thads_kit.store import ServiceApplication

from .domain import STATUS_LABELS, Asset, AssetNotFoundError, AuctionsError

VN_TZ = timezone(timedelta(hours=7))
CommandFn = Callable[[], tuple[list[Aggregate], Any]]


class WrongOfficeError(AuctionsError):
    rule = "asset.other_office"
    message_vi = "Cán bộ chỉ thao tác trên tài sản kê biên của cơ quan mình."


class WrongOrganisationError(AuctionsError):
    rule = "asset.other_organisation"
    legal_basis = "Luật THADS Điều 101(1)"
    message_vi = "Tổ chức đấu giá tài sản chỉ thao tác trên tài sản đã ký hợp đồng dịch vụ đấu giá với mình."


class AssetAlreadyRegisteredError(AuctionsError):
    rule = "asset.already_registered"
    message_vi = "Tài sản này đã được ghi nhận kê biên."


class Auctions(ServiceApplication):
    name = "Auctions"
    read_schema: str | None = None     # set by main: the assets read model is written with the events
    # A snapshot at every 100th version of an asset (table `auctions_snapshots`; Asset.Snapshot holds its
    # explicit versioned state): a round of thousands of bids loads from it plus the events after it.
    snapshotting_intervals = {Asset: 100}

    def record(self, aggregates: Any, tracking: Any = None, *, commands: Any = (), writes: Any = ()) -> int:
        """Every save also upserts the saved assets' rows of the read model, in the same transaction.
        A consumer's policy may hand in read-model rows of its own (projections.RowWrite, e.g. a case's
        bank) among the aggregates: they are written in that same transaction too."""
        from .projections import RowWrite
        items = list(aggregates)
        writes = [*writes, *(w for w in items if isinstance(w, RowWrite))]
        aggregates = [a for a in items if not isinstance(a, RowWrite)]
        if self.read_schema is not None and aggregates:
            from .projections import upsert_write
            writes = [*writes, upsert_write(self.read_schema, aggregates)]
        return super().record(aggregates, tracking, commands=commands, writes=writes)

    def get_asset(self, asset_id: UUID) -> Asset:
        try:
            return self.repository.get(asset_id)  # type: ignore[return-value]
        except AggregateNotFoundError:
            raise AssetNotFoundError(f"asset {asset_id} not found") from None

    def asset_exists(self, asset_id: UUID) -> bool:
        return asset_id in self.repository


def seize(app: Auctions, unit_must_be: str | None = None, **kwargs: Any) -> CommandFn:
    """Registers a seized asset (from intake's SeizureOrdered, or an officer's record)."""
    calls = 0

    def fn() -> tuple[list[Aggregate], Any]:
        nonlocal calls
        calls += 1
        if unit_must_be is not None and kwargs["unit"] != unit_must_be:
            raise WrongOfficeError(f"office {unit_must_be} may not seize for office {kwargs['unit']}")
        if calls > 1 and app.asset_exists(kwargs["asset_id"]):
            raise AssetAlreadyRegisteredError(f"asset {kwargs['asset_id']} is already registered")
        asset = Asset.seize(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [asset], summary(asset)

    return fn


def act(app: Auctions, asset_id: UUID, command: str, kwargs: dict[str, Any],
        unit_must_be: str | None = None, organisation_must_be: str | None = None) -> CommandFn:
    """Loads the asset, checks the caller's office (staff) or contract (an auction organisation),
    calls `command` and saves what it recorded."""
    def fn() -> tuple[list[Aggregate], Any]:
        asset = app.get_asset(asset_id)
        if unit_must_be is not None and asset.unit != unit_must_be:
            raise WrongOfficeError(f"asset {asset_id} belongs to office {asset.unit}, not to {unit_must_be}")
        if organisation_must_be is not None and asset.contracted_organisation_id != organisation_must_be:
            raise WrongOrganisationError(f"asset {asset_id} is not contracted to organisation {organisation_must_be}")
        getattr(asset, command)(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [asset], summary(asset)

    return fn


def summary(asset: Asset) -> dict[str, Any]:
    return {"asset_id": str(asset.id), "case_id": str(asset.case_id), "version": asset.version,
            "status": asset.status.value, "status_label": STATUS_LABELS[asset.status]}


def state(asset: Asset) -> dict[str, Any]:
    return summary(asset) | {
        "unit": asset.unit, "kind": asset.kind.value, "description": asset.description,
        "claim_item_ids": asset.claim_item_ids, "decision_number": asset.decision_number,
        "seized_on": asset.seized_on, "secured_creditor_party_id": asset.secured_creditor_party_id,
        "valuation_method": asset.valuation_method, "valued_on": asset.valued_on, "revalued": asset.revalued,
        "starting_price_vnd": asset.starting_price_vnd,
        "sale_path": asset.sale_path.value if asset.sale_path else None,
        "price_cuts": asset.cuts, "round_number": asset.round_number, "case_paused": asset.case_paused,
        "auction_on": asset.auction_on, "deposit_vnd": asset.deposit_vnd, "place": asset.place,
        "organiser": asset.organiser, "registered_bidders": len(asset.bidders),
        "highest_bid_vnd": asset.highest_vnd, "winner_id": asset.winner_id,
        "hammer_price_vnd": asset.hammer_price_vnd, "payment_due_on": asset.payment_due_on,
        "rounds": asset.rounds, "forfeited_deposits": asset.forfeited_deposits,
        "taken_by": asset.taken_by, "taken_claim_item_id": asset.taken_claim_item_id,
        "deposits_owed_back": asset.deposits_owed_back, "deposit_refunds_due_on": asset.refunds_due_on,
        "organisation_contracted_on": asset.organisation_contracted_on,
        "contracted_organisation": asset.contracted_organisation,
        "contracted_organisation_id": asset.contracted_organisation_id,
        "organisation_chosen_by_parties": asset.organisation_chosen_by_parties,
        "officer_runs_auction": asset.officer_runs_auction, "parties_choice_due_on": asset.parties_choice_due_on,
        "officer_auction_due_on": asset.officer_auction_due_on,
        "creditor_accepted_on": asset.creditor_accepted_on, "accepted_by": asset.accepted_by,
        "debtor_window_ends_on": asset.debtor_window_ends_on, "excess_paid_vnd": asset.excess_paid_vnd,
        "organisation_contract_due_on": asset.organisation_contract_due_on, "auction_due_on": asset.auction_due_on,
        "buyer_id": asset.buyer_id, "paid_on": asset.paid_on, "handover_due_on": asset.handover_due_on,
        "handed_over_on": asset.handed_over_on,
        "deadlines": asset.deadlines(datetime.now(VN_TZ).date()), "next_due_on": asset.next_due_on,
    }


def notice(asset: Asset) -> dict[str, Any] | None:
    """The public auction notice (no personal data): only while a round is announced."""
    from .domain import Status
    if asset.status is not Status.ANNOUNCED:
        return None
    return {"asset_id": str(asset.id), "unit": asset.unit, "kind": asset.kind.value, "description": asset.description,
            "round_number": asset.round_number, "starting_price_vnd": asset.starting_price_vnd,
            "deposit_vnd": asset.deposit_vnd, "announced_on": asset.announced_on,
            "second_announced_on": asset.second_announced_on, "auction_on": asset.auction_on,
            "place": asset.place, "organiser": asset.organiser}
