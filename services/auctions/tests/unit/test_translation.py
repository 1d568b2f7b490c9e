"""Asset events ⇄ contracts: what is published (claim items, value, digest) and what the case's
decisions do to the assets; every Asset event class is either published or listed as internal."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from thads_contracts import auctions as c
from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.registry import decode
from thads_contracts.topics import AUCTIONS_ASSET
from auctions_service import domain as d
from auctions_service import translation as t
from auctions_service.calendar_vn import add_working_days
from auctions_service.domain import Asset, bid_log_digest
from eventsourcing.domain import DomainEvent

VN = timezone(timedelta(hours=7))
AT = datetime(2026, 3, 2, 9, tzinfo=VN)
ITEM, OTHER, BANK = str(uuid4()), str(uuid4()), str(uuid4())


def asset() -> Asset:
    a = Asset.seize(asset_id=uuid4(), case_id=uuid4(), unit="TH-01", kind="movable", description="Xe",
                    claim_item_ids=[ITEM], decision_number="1/QĐ", seized_on=date(2026, 3, 2),
                    actor="officer/cv-07", at=AT)
    a.value(method="agreed", price_vnd=100_000_000, valued_on=date(2026, 3, 2), actor="officer/cv-07", at=AT)
    a.contract_organisation(organisation="Công ty đấu giá Số 1", contracted_on=date(2026, 3, 2), organisation_id="DGTS-01",
                            parties_agreed_on=date(2026, 3, 2), actor="officer/cv-07", at=AT)
    return a


def announce(a: Asset, day: date) -> None:
    a.announce(announced_on=day, second_announced_on=add_working_days(day, 2), auction_on=day + timedelta(days=20),
               deposit_vnd=a.starting_price_vnd // 10,
               place="p", organiser="o", actor="officer/cv-07", at=AT)


def published(a: Asset) -> list:
    """What the relay publishes for the asset's pending events, as read back from the wire."""
    out = [t.relay_translate(e, n) for n, e in enumerate(a.collect_events(), start=1)]
    return [decode(AUCTIONS_ASSET, o.value) for o in out if o is not None]


def test_every_asset_event_class_is_published_or_internal():
    classes = {v for k, v in vars(Asset).items() if isinstance(v, type) and issubclass(v, DomainEvent)
               and k not in ("Event", "Created", "Snapshot")}      # the library's base classes, the snapshot
    published_classes = {Asset.AuctionClosed, Asset.TakenByCreditor, Asset.SalePaid, Asset.ReturnedToDebtor,
                         Asset.SoldWithoutAuction, Asset.SoldToCoOwner, Asset.CreditorExcessPaid,
                         Asset.AuctionAnnounced}
    assert classes == published_classes | set(t.INTERNAL)


def test_close_sale_and_creditor_outcomes_name_their_claim_items():
    a = asset()
    announce(a, date(2026, 3, 3))
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="officer/cv-07", at=AT)
    a.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="officer/cv-07", at=AT)
    log = a.bid_log()
    a.close(closed_on=date(2026, 3, 23), actor="officer/cv-07", at=AT)
    a.record_payment(amount_vnd=100_000_000, paid_on=date(2026, 4, 1), actor="officer/cv-07", at=AT)
    notice, closed, paid = published(a)
    assert isinstance(notice, c.AuctionAnnounced) and notice.payload.claim_item_ids == (UUID(ITEM),)
    assert (notice.payload.round_number, notice.payload.starting_price_vnd, notice.payload.deposit_vnd) == (
        1, 100_000_000, 10_000_000)
    assert notice.payload.auction_on == date(2026, 3, 23) and notice.case_id == a.case_id
    assert "B1" not in notice.model_dump_json(), "bidders are never in the public notice"
    assert isinstance(closed, c.AuctionOutcomeRecordedV2) and closed.payload.outcome == c.AuctionOutcome.SOLD
    assert closed.payload.claim_item_ids == (UUID(ITEM),) and closed.payload.price_vnd == 100_000_000
    assert closed.payload.bid_log_sha256 == bid_log_digest(a.id, 1, log)
    assert closed.case_id == a.case_id and closed.actor.id == "cv-07" and closed.actor.role == "officer"
    assert isinstance(paid, c.ProceedsTransferredV2) and paid.payload.claim_item_ids == (UUID(ITEM),)
    [share] = paid.payload.shares
    assert (share.claim_item_id, share.amount_vnd, share.basis) == (UUID(ITEM), 100_000_000, "general")
    assert (paid.payload.amount_vnd, paid.payload.sold_on) == (100_000_000, date(2026, 3, 23))


def test_an_asset_taken_by_the_creditor_carries_its_value_and_claim_item():
    a = asset()
    for n, price in enumerate((90_000_000, 81_000_000)):
        announce(a, date(2026, 3, 3) + timedelta(days=30 * n))
        a.close(closed_on=date(2026, 3, 25) + timedelta(days=30 * n), actor="officer/cv-07", at=AT)
        a.cut_price(new_starting_price_vnd=price, decided_on=date(2026, 3, 28) + timedelta(days=30 * n),
                    actor="officer/cv-07", at=AT)
    a.creditor_accepts(creditor_party_id=BANK, claim_item_id=ITEM, accepted_on=date(2026, 5, 1), actor="head/h-1",
                       at=AT)
    a.hand_to_creditor(creditor_party_id=BANK, claim_item_id=ITEM, taken_on=date(2026, 6, 1), actor="head/h-1", at=AT,
                       owed_vnd=70_000_000, excess_paid_vnd=11_000_000)
    *rounds, taken, excess = published(a)
    assert [e.event_type for e in rounds] == ["auctions.AuctionAnnounced.v1", "auctions.AuctionOutcomeRecorded.v2"] * 2
    assert [f.payload.outcome for f in rounds[1::2]] == [c.AuctionOutcome.FAILED] * 2
    assert [n.payload.round_number for n in rounds[::2]] == [1, 2]
    assert taken.payload.outcome == c.AuctionOutcome.TAKEN_BY_CREDITOR
    assert (taken.payload.price_vnd, taken.payload.claim_item_ids, taken.payload.creditor_party_id) == (
        70_000_000, (UUID(ITEM),), UUID(BANK)), "the debt settled in kind; the excess is paid in money"
    assert excess.event_type == "auctions.ProceedsTransferred.v2" and excess.payload.amount_vnd == 11_000_000
    assert [(s.claim_item_id, s.amount_vnd, s.basis) for s in excess.payload.shares] == [
        (UUID(ITEM), 11_000_000, "general")]


def test_a_co_owners_purchase_is_published_as_proceeds():
    a = asset()
    a.sell_to_co_owner(buyer_id="DSH-01", price_vnd=100_000_000, sold_on=date(2026, 3, 3), actor="officer/cv-07",
                       at=AT, enforcement_costs_vnd=1_000_000)
    *_, paid = published(a)
    assert (paid.event_type, paid.payload.amount_vnd, paid.payload.enforcement_costs_vnd) == (
        "auctions.ProceedsTransferred.v2", 100_000_000, 1_000_000)
    assert [(s.claim_item_id, s.amount_vnd, s.basis) for s in paid.payload.shares] == [(UUID(ITEM), 99_000_000, "general")]


def _intake(model, payload, case_id: UUID):
    return model.create(payload=payload, source="intake", aggregate_id=case_id, aggregate_version=5,
                        case_id=case_id, unit="TH-01", actor=Actor(id="head-1", role="head"), occurred_at=AT,
                        recorded_at=AT, source_position=5)


@pytest.mark.parametrize("model,payload,command", [
    (i.CaseSuspended, {"ground": "cassation_or_retrial_protest", "decision_number": "1", "suspended_on": "2026-03-02"},
     "pause_for_case"),
    (i.CasePostponed, {"ground": "parties_agree", "decision_number": "1", "postponed_on": "2026-03-02"},
     "pause_for_case"),
    (i.CaseContinued, {"resumed_from": "postponed", "decision_number": "1", "continued_on": "2026-03-02"},
     "resume_for_case"),
    (i.CaseTerminatedV2, {"ground": "debtor_died", "decision_number": "1", "terminated_on": "2026-03-02"},
     "cancel_for_case"),
    (i.CaseRevokedV2, {"ground": "decision_error", "decision_number": "1", "revoked_on": "2026-03-02"},
     "cancel_for_case"),
])
def test_the_case_decisions_pause_resume_or_cancel(model, payload, command):
    fields = model.model_fields["payload"].annotation
    env = _intake(model, fields(**payload), uuid4())
    effect = t.case_effect(env)
    assert effect is not None and effect.command == command and effect.only_items is None


def test_a_partial_revocation_cancels_only_assets_whose_items_it_revokes():
    case_id = uuid4()
    env = _intake(i.CaseRevokedV2, i.CaseRevokedV2Payload(
        ground=list(i.RevocationGround)[0], decision_number="2", revoked_on=date(2026, 3, 2), scope="part",
        claim_item_ids=(UUID(ITEM),), amount_vnd=1), case_id)
    effect = t.case_effect(env)
    assert effect.command == "cancel_for_case" and effect.only_items == frozenset({ITEM})


def test_an_asset_returned_to_the_debtor_is_published_as_returned_with_its_claim_items():
    a = asset()
    announce(a, date(2026, 3, 3))
    a.close(closed_on=date(2026, 3, 23), actor="officer/cv-07", at=AT)
    a.cut_price(new_starting_price_vnd=90_000_000, decided_on=date(2026, 3, 28), actor="officer/cv-07", at=AT)
    a.return_to_debtor(enforcement_costs_vnd=95_000_000, returned_on=date(2026, 4, 2), actor="head/h-1", at=AT)
    _notice, _failed, returned = published(a)
    assert returned.payload.outcome == c.AuctionOutcome.RETURNED and returned.payload.price_vnd is None
    assert returned.payload.claim_item_ids == (UUID(ITEM),) and returned.payload.decided_on == date(2026, 4, 2)


def test_a_sale_without_auction_publishes_the_proceeds_on_the_seizures_claim_items():
    a = Asset.seize(asset_id=uuid4(), case_id=uuid4(), unit="TH-01", kind="movable", description="Rau quả tươi",
                    claim_item_ids=[ITEM], decision_number="9/QĐ", seized_on=date(2026, 3, 2), perishable=True,
                    actor="officer/cv-07", at=AT)
    a.value(method="officer", price_vnd=5_000_000, valued_on=date(2026, 3, 2), actor="officer/cv-07", at=AT)
    a.sell_without_auction(buyer_id="NM-1", price_vnd=5_200_000, sold_on=date(2026, 3, 4), actor="officer/cv-07",
                           at=AT)
    [proceeds] = published(a)
    assert proceeds.event_type == "auctions.ProceedsTransferred.v2"
    p = proceeds.payload
    assert (p.amount_vnd, [str(x) for x in p.claim_item_ids], p.sold_on, p.transferred_on) == (
        5_200_000, [str(ITEM)], date(2026, 3, 4), date(2026, 3, 4))


def test_the_proceeds_split_costs_first_then_the_secured_creditors_collateral_share():
    """LCJE Art. 47(3): the collateral's money, after the enforcement costs, goes to the secured item."""
    a = Asset.seize(asset_id=uuid4(), case_id=uuid4(), unit="TH-01", kind="real_estate", description="Nhà",
                    claim_item_ids=[ITEM, OTHER], decision_number="2/QĐ", seized_on=date(2026, 3, 2),
                    secured_creditor_party_id=BANK, actor="officer/cv-07", at=AT)
    a.value(method="agreed", price_vnd=100_000_000, valued_on=date(2026, 3, 2), actor="officer/cv-07", at=AT)
    a.contract_organisation(organisation="Công ty đấu giá Số 1", contracted_on=date(2026, 3, 2), organisation_id="DGTS-01",
                            parties_agreed_on=date(2026, 3, 2), actor="officer/cv-07", at=AT)
    announce(a, date(2026, 3, 3))
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="officer/cv-07", at=AT)
    a.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="officer/cv-07", at=AT)
    a.close(closed_on=date(2026, 3, 23), actor="officer/cv-07", at=AT)
    with pytest.raises(d.ProceedsSplitError) as e:       # collateral: the secured item must be named
        a.record_payment(amount_vnd=100_000_000, paid_on=date(2026, 4, 1), actor="o", at=AT)
    assert (e.value.rule, e.value.legal_basis) == ("proceeds.split", "Luật THADS Điều 47")
    with pytest.raises(d.ProceedsSplitError):
        a.record_payment(amount_vnd=100_000_000, paid_on=date(2026, 4, 1), actor="o", at=AT,
                         enforcement_costs_vnd=100_000_001, secured_claim_item_id=OTHER)
    a.record_payment(amount_vnd=100_000_000, paid_on=date(2026, 4, 1), actor="officer/cv-07", at=AT,
                     enforcement_costs_vnd=7_000_000, secured_claim_item_id=OTHER)
    *_, paid = published(a)
    p = paid.payload
    assert (p.enforcement_costs_vnd, p.secured_creditor_party_id) == (7_000_000, UUID(BANK))
    assert [(s.claim_item_id, s.amount_vnd, s.basis) for s in p.shares] == [(UUID(OTHER), 93_000_000, "collateral")]


def test_a_sale_paid_stored_before_the_split_publishes_the_whole_amount_on_its_first_item():
    a = asset()
    announce(a, date(2026, 3, 3))
    a.register_bidder(bidder_id="B1", deposit_paid_vnd=10_000_000, actor="officer/cv-07", at=AT)
    a.place_bid(bidder_id="B1", amount_vnd=100_000_000, actor="officer/cv-07", at=AT)
    a.close(closed_on=date(2026, 3, 23), actor="officer/cv-07", at=AT)
    a.collect_events()
    old = object.__new__(Asset.SalePaid)       # as the store's mapper rebuilds a stored event
    old.__dict__.update(originator_id=a.id, originator_version=a.version + 1, timestamp=AT, amount_vnd=100_000_000,
                        paid_on=date(2026, 4, 1), sold_on=date(2026, 3, 23), case_id=a.case_id, unit="TH-01",
                        claim_item_ids=[ITEM], round_number=1, actor="officer/cv-07", at=AT)
    old.mutate(a)                              # an old event still applies (the split defaults to None)
    assert a.status.value == "sold" and a.proceeds_shares is None
    env = decode(AUCTIONS_ASSET, t.relay_translate(old, 9).value)
    assert [(s.claim_item_id, s.amount_vnd) for s in env.payload.shares] == [(UUID(ITEM), 100_000_000)]
    assert env.payload.enforcement_costs_vnd == 0
