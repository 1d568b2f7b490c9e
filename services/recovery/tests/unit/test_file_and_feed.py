"""The BadDebtFile's rules and the per-bank feed as data: which case events a bank is told about, with
which legal basis, with other parties' ids removed; each event fed once; repayments once per id and only
on the bank's own claims; collateral known before it is linked; information requests due in 3 WD."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import DomainEvent

from thads_contracts import auctions as a
from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.registry import decode
from thads_contracts.topics import RECOVERY_DEBT, bank_feed
from recovery_service import domain as d
from recovery_service import feed
from recovery_service import translation as t
from recovery_service.domain import BadDebtFile

VN = timezone(timedelta(hours=7))
AT = datetime(2026, 3, 2, 9, tzinfo=VN)
CASE = uuid4()
BANK_PARTY, OTHER_PARTY = str(uuid4()), str(uuid4())
DEBT, FEE = str(uuid4()), str(uuid4())


def bad_debt_file() -> BadDebtFile:
    f = BadDebtFile(case_id=str(CASE), bank_code="VCB", institution_name="Vietcombank", bank_party_id=BANK_PARTY,
                    unit="TH-01", at=AT)
    f.add_claim(DEBT, 500_000_000, True, at=AT)
    return f


def env(model, payload, version: int = 5):
    return model.create(payload=payload, source=model.model_fields["event_type"].default.split(".")[0],
                        aggregate_id=CASE, aggregate_version=version, case_id=CASE, unit="TH-01",
                        actor=Actor(id="head-1", role="head"), occurred_at=AT, recorded_at=AT, source_position=version)


def published(f: BadDebtFile) -> list:
    out = [t.relay_translate(e, n) for n, e in enumerate(f.collect_events(), start=1)]
    return [(o.topic, decode(o.topic, o.value)) for o in out if o is not None]


def test_every_file_event_class_is_published_or_internal():
    classes = {v for k, v in vars(BadDebtFile).items() if isinstance(v, type) and issubclass(v, DomainEvent)
               and k not in ("Event", "Created", "Snapshot")}
    internal = {c for c in t.INTERNAL if c.__qualname__.startswith("BadDebtFile.")}
    assert classes == {BadDebtFile.FeedEntryRecorded, BadDebtFile.RepaymentReported} | internal


def test_a_decision_is_fed_with_its_legal_basis_numbered_and_once():
    f = bad_debt_file()
    decided = env(i.EnforcementDecidedV2, {"basis": "on_request", "decision_number": "101/QĐ-CTHADS",
                                           "decided_on": "2026-03-02"})
    entry = feed.entry_for(decided, BANK_PARTY, set(f.claims), set())
    assert entry is not None and (entry["kind"], entry["legal_basis"]) == ("decision", "Điều 36 Luật THADS")
    assert f.record_feed_entry(**entry, at=AT)
    assert not f.record_feed_entry(**entry, at=AT), "the same case event is fed once"
    [(topic, out)] = published(f)[-1:]
    assert topic == bank_feed("VCB") == "thads.bankfeed.VCB"
    assert (out.payload.sequence, out.payload.kind, out.payload.case_event_id) == (1, "decision", decided.event_id)
    assert out.payload.kind_label == "Quyết định thi hành án"
    assert out.payload.data["decision_number"] == "101/QĐ-CTHADS"


def test_other_parties_ids_and_claims_are_removed_and_others_money_is_not_fed():
    claims = {DEBT}
    paid_other = env(i.MoneyDisbursed, {"claim_item_id": FEE, "amount_vnd": 5, "recipient": "creditor",
                                        "payee_party_id": OTHER_PARTY, "disbursed_on": "2026-03-02"})
    assert feed.entry_for(paid_other, BANK_PARTY, claims, set()) is None
    collected_other = env(i.MoneyCollectedV2, {"claim_item_id": FEE, "amount_vnd": 5, "channel": "voluntary",
                                               "collected_on": "2026-03-02"})
    assert feed.entry_for(collected_other, BANK_PARTY, claims, set()) is None
    paid_bank = env(i.MoneyDisbursed, {"claim_item_id": DEBT, "amount_vnd": 7, "recipient": "creditor",
                                       "payee_party_id": BANK_PARTY, "disbursed_on": "2026-03-02"})
    assert feed.entry_for(paid_bank, BANK_PARTY, claims, set())["kind"] == "payment_to_bank"
    seized = env(i.SeizureOrdered, {"asset_id": str(uuid4()), "asset_kind": "movable", "asset_description": "Xe",
                                    "claim_item_ids": [DEBT, FEE], "decision_number": "15/QĐ-CC",
                                    "ordered_on": "2026-03-02", "secured_creditor_party_id": OTHER_PARTY})
    entry = feed.entry_for(seized, BANK_PARTY, claims, set())
    assert entry["data"]["claim_item_ids"] == [DEBT]
    assert "secured_creditor_party_id" not in entry["data"] and entry["data"]["collateral_of_this_bank"] is False
    assert OTHER_PARTY not in str(entry)


def test_proceeds_show_the_banks_share_and_its_collateral_priority():
    f = bad_debt_file()
    asset = str(uuid4())
    proceeds = env(a.ProceedsTransferredV2, {
        "asset_id": asset, "claim_item_ids": [DEBT, FEE], "amount_vnd": 300, "sold_on": "2026-03-02",
        "transferred_on": "2026-03-02", "enforcement_costs_vnd": 20, "secured_creditor_party_id": BANK_PARTY,
        "shares": [{"claim_item_id": DEBT, "amount_vnd": 250, "basis": "collateral"},
                   {"claim_item_id": FEE, "amount_vnd": 30, "basis": "general"}]})
    entry = feed.entry_for(proceeds, BANK_PARTY, set(f.claims), {asset})
    assert (entry["data"]["bank_share_vnd"], entry["data"]["collateral_share_vnd"]) == (250, 250)
    assert "Điều 47 khoản 3" in entry["legal_basis"] and "shares" not in entry["data"]
    f.record_feed_entry(**entry, at=AT)
    assert f.collateral_proceeds_vnd == 250


def test_a_repayment_is_applied_once_per_id_on_the_banks_claims_only():
    f = bad_debt_file()
    rid = str(uuid4())
    args = dict(claim_item_id=DEBT, amount_vnd=150_000_000, received_on=date(2026, 3, 5), bank_reference="VCB-1",
                actor="bank/VCB", at=AT)
    assert f.report_repayment(rid, **args)
    assert not f.report_repayment(rid, **args), "resent: nothing new"
    with pytest.raises(d.RepaymentConflictError):
        f.report_repayment(rid, **(args | {"amount_vnd": 1}))
    with pytest.raises(d.RepaymentOtherClaimError):
        f.report_repayment(str(uuid4()), **(args | {"claim_item_id": FEE}))
    with pytest.raises(d.InvalidValueError):
        f.report_repayment(str(uuid4()), **(args | {"amount_vnd": -5}))
    with pytest.raises(d.RepaymentTooLargeError):
        f.report_repayment(str(uuid4()), **(args | {"amount_vnd": 400_000_000}))
    out = [e for topic, e in published(f) if topic == RECOVERY_DEBT]
    assert len(out) == 1 and out[0].payload.amount_vnd == 150_000_000 and out[0].payload.bank_code == "VCB"
    assert out[0].actor.role == "bank"


def test_collateral_must_be_known_before_it_is_linked_to_a_seized_asset():
    f = bad_debt_file()
    with pytest.raises(d.CollateralUnknownError):
        f.link_seized_asset(str(uuid4()), str(uuid4()), actor="officer/cv", at=AT)
    cid = str(uuid4())
    assert f.register_collateral(cid, "Nhà đất thửa 112", "real_estate", 900_000_000, [DEBT], date(2026, 3, 2),
                                 actor="bank/VCB", at=AT)
    assert not f.register_collateral(cid, "Nhà đất thửa 112", "real_estate", 900_000_000, [DEBT], date(2026, 3, 2),
                                     actor="bank/VCB", at=AT)
    asset = str(uuid4())
    assert f.link_seized_asset(cid, asset, actor="officer/cv", at=AT)
    assert f.collateral_of_asset(asset) == cid


def test_an_information_request_is_due_in_three_working_days_and_listed_when_overdue():
    f = bad_debt_file()
    rid = str(uuid4())
    f.request_information(rid, "Số dư tài khoản", date(2026, 3, 6), actor="officer/cv", at=AT)   # a Friday
    assert f.requests[rid]["due_on"] == "2026-03-11"
    assert f.overdue_requests(date(2026, 3, 11)) == []
    assert [r["request_id"] for r in f.overdue_requests(date(2026, 3, 12))] == [rid]
    f.answer_information(rid, "Số dư 12.000.000 đồng", date(2026, 3, 12), actor="bank/VCB", at=AT)
    assert f.overdue_requests(date(2026, 3, 13)) == [] and f.requests[rid]["late"] is True


def test_the_registry_of_credit_institutions_names_every_bank_with_a_feed_topic():
    from thads_contracts.topics import BANK_CODES
    from recovery_service.institutions import INSTITUTIONS
    assert set(INSTITUTIONS) == set(BANK_CODES)


def test_an_auction_notice_of_the_banks_asset_is_fed_and_of_anothers_is_not():
    asset = str(uuid4())
    notice = {"asset_id": asset, "round_number": 1, "announced_on": "2026-03-03", "auction_on": "2026-03-23",
              "starting_price_vnd": 300_000_000, "deposit_vnd": 30_000_000, "place": "Chi cục THADS",
              "organiser": "Công ty đấu giá", "claim_item_ids": [DEBT, FEE], "secured_creditor_party_id": OTHER_PARTY}
    entry = feed.entry_for(env(a.AuctionAnnounced, notice), BANK_PARTY, {DEBT}, set())
    assert entry["kind"] == "auction_notice" and entry["legal_basis"].startswith("Điều 101 Luật THADS")
    assert entry["data"]["claim_item_ids"] == [DEBT] and entry["data"]["auction_on"] == "2026-03-23"
    assert entry["data"]["starting_price_vnd"] == 300_000_000 and OTHER_PARTY not in str(entry)
    others = env(a.AuctionAnnounced, notice | {"claim_item_ids": [FEE]})
    assert feed.entry_for(others, BANK_PARTY, {DEBT}, set()) is None
    # the bank's own collateral, linked to the asset: fed with the collateral basis even without its items
    own = feed.entry_for(others, BANK_PARTY, {DEBT}, {asset})
    assert own["data"]["collateral_of_this_bank"] is True and "Điều 198b" in own["legal_basis"]
