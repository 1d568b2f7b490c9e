"""Translation: every Case event becomes its public contract (or is internal on purpose), and
upstream messages become the kwargs of the command that records them."""

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import CanMutateAggregate

from intake_service import translation as t
from intake_service.domain import Actor, Case, IntakeError, InvalidValueError, Role, Status
from thads_contracts import intake as c
from thads_contracts.auctions import (
    AuctionOutcome,
    AuctionOutcomeRecordedPayload,
    ProceedsTransferred,
    ProceedsTransferredPayload,
)
from thads_contracts.envelope import Actor as ContractActor
from thads_contracts.envelope import make_event_id
from thads_contracts.examples import example
from thads_contracts.recovery import BankRepaymentReceived, BankRepaymentReceivedPayload
from thads_contracts.registry import decode, encode
from thads_contracts.topics import AUCTIONS_ASSET, INTAKE_CASE

TZ = timezone(timedelta(hours=7))
UNIT = "HN-KV01"
JUDGMENT = {"judgment_number": "125/2024/KDTM-ST", "issuing_court": "Tòa án nhân dân khu vực 1 - Hà Nội",
            "judgment_effective_on": date(2025, 1, 15)}
HEAD = Actor("head-0007", Role.HEAD)
DEPUTY = Actor("deputy-0008", Role.DEPUTY_HEAD)
OFFICER = Actor("officer-0042", Role.OFFICER)
CLERK = Actor("clerk-0101", Role.CLERK)
ACCOUNTANT = Actor("accountant-0003", Role.ACCOUNTANT)
INSPECTOR = Actor("inspector-0001", Role.INSPECTOR)
SYSTEM = Actor("deadline-watch", Role.SYSTEM)


def uid(name: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"urn:thads:test:{name}"))


BANK, DEBTOR, STATE = uid("party/bank"), uid("party/debtor"), uid("party/state")
DEBT, FEE, OTHER = uid("claim/debt"), uid("claim/fee"), uid("claim/other")


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def upstream_meta(case: Case, source: str, version: int, day: date) -> dict[str, Any]:
    return {"source": source, "aggregate_id": uuid5(NAMESPACE_URL, f"urn:thads:test:{source}"),
            "aggregate_version": version, "case_id": case.id, "unit": UNIT,
            "actor": ContractActor(id="VCB" if source == "recovery" else "auctioneer-7",
                                   role="bank" if source == "recovery" else "officer"),
            "occurred_at": at(day.year, day.month, day.day, 14), "recorded_at": at(day.year, day.month, day.day, 15),
            "source_position": version}


def proceeds(case: Case, amount_vnd: int, claim_item_ids: tuple[UUID, ...] | None = (UUID(DEBT), UUID(FEE)),
             version: int = 16) -> ProceedsTransferred:
    return ProceedsTransferred.create(
        payload=ProceedsTransferredPayload(asset_id=t.asset_id_for(case.id, "41/QĐ-CCTHADS"),
                                           claim_item_ids=claim_item_ids, amount_vnd=amount_vnd,
                                           sold_on=date(2025, 4, 20), transferred_on=date(2025, 4, 22)),
        **upstream_meta(case, "auctions", version, date(2025, 4, 22)))


def repayment(case: Case, amount_vnd: int) -> BankRepaymentReceived:
    return BankRepaymentReceived.create(
        payload=BankRepaymentReceivedPayload(bank_code="VCB", claim_item_id=UUID(DEBT), amount_vnd=amount_vnd,
                                             received_on=date(2025, 4, 23), bank_reference="VCB-0193"),
        **upstream_meta(case, "recovery", 3, date(2025, 4, 23)))


# ---------------------------------------------------------------- scenarios: every command, every event


def full_lifecycle() -> Case:
    """Request → decision → parties and items → officer → notice → verification → seizure →
    money in (voluntary, direct, proceeds, bank, deduction) → money out → fee → certificate → completion."""
    case = Case.receive_request(UNIT, "DON-2025-001", "online", at(2025, 3, 3), CLERK, filed_on=date(2025, 3, 1),
                                **JUDGMENT)
    case.decide_enforcement("315/QĐ-THADS", "on_request", at(2025, 3, 5), DEPUTY)
    case.add_party(BANK, "creditor", "credit_institution", at(2025, 3, 5, 10), CLERK, bank_code="VCB")
    case.add_party(DEBTOR, "debtor", "individual", at(2025, 3, 5, 10), CLERK)
    case.add_party(STATE, "creditor", "state", at(2025, 3, 5, 10), CLERK)
    case.add_claim_item(DEBT, "credit_debt", 100_000_000, BANK, at(2025, 3, 5, 11), CLERK, secured=True)
    case.add_claim_item(FEE, "court_fee", 5_000_000, STATE, at(2025, 3, 5, 11), CLERK, ex_officio=True)
    case.assign_officer("officer-0042", at(2025, 3, 5, 14), HEAD)
    case.reassign_officer("officer-0043", at(2025, 3, 6), HEAD, reason="workload")
    case.record_procuracy_copy("315/QĐ-THADS", date(2025, 3, 6), at(2025, 3, 6, 10), CLERK)
    case.notify(at(2025, 3, 10), OFFICER)
    case.record_voluntary_payment(FEE, 1_000_000, "BL-2025-0001", at(2025, 3, 12), ACCOUNTANT)
    case.record_voluntary_payment(DEBT, 2_000_000, "UNC-2025-0002", at(2025, 3, 13), ACCOUNTANT,
                                  direct_to_creditor=True)
    case.start_verification(at(2025, 3, 24), OFFICER)
    case.record_verification("with_conditions", at(2025, 3, 26), OFFICER)
    case.apply_security_measure("account_freeze", "30/QĐ-CCTHADS", at(2025, 3, 27), OFFICER)
    case.order_seizure("41/QĐ-CCTHADS", "Quyền sử dụng đất thửa số 125, tờ bản đồ số 7", [DEBT, FEE],
                       at(2025, 4, 8), OFFICER, asset_kind="real_estate")
    case.apply_coercive_measure("deduction_from_account", "45/QĐ-CCTHADS", at(2025, 4, 9), OFFICER)
    case.collect_money(**t.collection_from_proceeds(proceeds(case, 80_000_000)))
    case.collect_money(**t.collection_from_bank_repayment(repayment(case, 10_000_000)))
    case.collect_money(FEE, 12_000_000, "deduction", "KT-2025-0005", at(2025, 4, 25), ACCOUNTANT)
    for item, amount in case.payment_plan().items():
        case.disburse(item, amount, at(2025, 4, 28), ACCOUNTANT)
    case.charge_enforcement_fee(DEBT, at(2025, 4, 29), ACCOUNTANT)
    case.receive_certificate_request(at(2025, 4, 29, 10), CLERK)
    case.issue_certificate("14/XN-CCTHADS", at(2025, 4, 30, 8), HEAD)
    case.record_deadline_missed("procuracy_copy", date(2025, 3, 3), at(2025, 5, 5), INSPECTOR)
    case.complete(at(2025, 5, 6), OFFICER, certificate_no="15/XN-CCTHADS")
    return case


def no_condition_then_pauses() -> Case:
    """Judgment (non-UUID ids) → without conditions → re-verified twice → postponed, suspended → terminated."""
    case = Case.receive_judgment(UNIT, "BA-77", at(2024, 3, 4), CLERK, matter="provisional_measure",
                                 channel="in_person", **JUDGMENT)
    case.decide_enforcement("77/QĐ-THADS", "ex_officio", at(2024, 3, 4, 11), HEAD)
    case.add_party("P-CRED", "creditor", "individual", at(2024, 3, 4, 12), CLERK)
    case.add_party("P-DEBT", "debtor", "organisation", at(2024, 3, 4, 12), CLERK)
    case.add_claim_item("I-1", "wages_life_compensation", 30_000_000, "P-CRED", at(2024, 3, 4, 12), CLERK)
    case.notify(at(2024, 3, 5), OFFICER)
    case.start_verification(at(2024, 3, 6), OFFICER)
    case.record_verification("without_conditions", at(2024, 3, 8), HEAD, ground="address_unknown",
                             decision_no="80/QĐ-CCTHADS")
    case.reverify(False, at(2024, 9, 5), OFFICER)
    case.reverify(True, at(2025, 3, 5), OFFICER)
    case.continue_from_no_condition("88/QĐ-CCTHADS", at(2025, 3, 6), HEAD)
    case.postpone("transfer_of_obligation_blocked", "90/QĐ-CCTHADS", at(2025, 3, 10), HEAD,
                  until=date(2025, 4, 10))
    case.continue_after_postponement("95/QĐ-CCTHADS", at(2025, 4, 11), HEAD)
    case.suspend("cassation_or_retrial_protest", "99/QĐ-CCTHADS", at(2025, 4, 15), HEAD)
    case.continue_after_suspension("105/QĐ-CCTHADS", at(2025, 6, 2), HEAD)
    case.terminate("child_died_or_of_age", "120/QĐ-CCTHADS", at(2025, 7, 1), DEPUTY)
    return case


def decided_judgment(ref: str) -> Case:
    case = Case.receive_judgment(UNIT, ref, at(2025, 3, 3), CLERK, **JUDGMENT)
    case.decide_enforcement(f"QĐ-{ref}", "ex_officio", at(2025, 3, 4), HEAD)
    return case


def delegated() -> Case:
    case = decided_judgment("BA-DEL")
    case.notify(at(2025, 3, 5), OFFICER)
    case.delegate_out("HP-KV03", "seat_elsewhere", "35/QĐ-CCTHADS", at(2025, 3, 7), HEAD,
                      revocation_decision_no="36/QĐ-CCTHADS")
    return case


def revoked() -> Case:
    case = decided_judgment("BA-REV")
    case.revoke("transfer_of_obligation", "20/QĐ-CCTHADS", at(2025, 3, 6), HEAD)
    return case


def refused() -> Case:
    # a judgment in force for more than 5 years: the request is out of time (Art. 30)
    case = Case.receive_request(UNIT, "DON-REF", "post", at(2025, 3, 3), CLERK,
                                **{**JUDGMENT, "judgment_effective_on": date(2019, 1, 15)})
    case.refuse_request("limitation_expired", at(2025, 3, 5), HEAD)
    return case


def without_conditions_for(case: Case, basis: str, start: datetime) -> None:
    day = start.date()
    case.decide_enforcement(f"QĐ-{case.intake_ref}", basis, start, HEAD)
    case.notify(start + timedelta(days=1), OFFICER)
    case.start_verification(start + timedelta(days=15), OFFICER)
    case.record_verification("without_conditions", start + timedelta(days=16), HEAD, ground="no_income_or_assets",
                             decision_no=f"CĐK-{case.intake_ref}", ground_known_on=day + timedelta(days=16))
    case.reverify(False, start + timedelta(days=200), OFFICER)
    case.reverify(False, start + timedelta(days=380), OFFICER)


def separate_register() -> Case:
    case = Case.receive_judgment(UNIT, "BA-REG", at(2024, 3, 4), CLERK, **JUDGMENT)
    without_conditions_for(case, "ex_officio", at(2024, 3, 4, 10))
    case.move_to_separate_register(at(2025, 4, 1), HEAD)
    return case


def returned() -> Case:
    case = Case.receive_request(UNIT, "DON-RET", "online", at(2026, 7, 6), CLERK, **JUDGMENT)
    without_conditions_for(case, "on_request", at(2026, 7, 6, 10))
    case.return_request(at(2028, 8, 1), HEAD)
    return case


def taken_in_kind() -> Case:
    """Enforcing → seizure → the creditor takes the asset against the whole debt (Art. 104) → completed."""
    case = decided_judgment("BA-KIND")
    case.add_party(BANK, "creditor", "credit_institution", at(2025, 3, 4, 10), CLERK, bank_code="VCB")
    case.add_claim_item(DEBT, "credit_debt", 900_000_000, BANK, at(2025, 3, 4, 10), CLERK)
    case.notify(at(2025, 3, 5), OFFICER)
    case.start_verification(at(2025, 3, 18), OFFICER)
    case.record_verification("with_conditions", at(2025, 3, 19), OFFICER)
    case.order_seizure("41/QĐ-CCTHADS", "Nhà đất thửa 9", [DEBT], at(2025, 3, 20), OFFICER, asset_kind="real_estate")
    case.record_asset_taken_in_kind(DEBT, 900_000_000, "BB-GIAO-41", at(2025, 9, 2, 10), OFFICER)
    case.complete(at(2025, 9, 3), OFFICER)
    return case


def law_of_issue_7() -> Case:
    """A late request accepted by the head; notices to the parties; a claim partly terminated and a
    part delegated; new information, the creditor told after two checks, the head's continuation."""
    case = Case.receive_request(UNIT, "DON-LATE", "in_person", at(2025, 3, 3), CLERK,
                                **{**JUDGMENT, "judgment_effective_on": date(2019, 1, 15)})
    case.accept_late_request("objective_obstacle", "Người yêu cầu điều trị dài ngày tại bệnh viện", at(2025, 3, 4), HEAD)
    case.decide_enforcement("50/QĐ-CCTHADS", "on_request", at(2025, 3, 5), HEAD)
    case.add_party(BANK, "creditor", "credit_institution", at(2025, 3, 5, 10), CLERK, bank_code="VCB")
    case.add_claim_item(DEBT, "credit_debt", 100_000_000, BANK, at(2025, 3, 5, 11), CLERK)
    case.add_claim_item(FEE, "other", 20_000_000, BANK, at(2025, 3, 5, 11), CLERK)
    case.add_claim_item(OTHER, "other", 3_000_000, BANK, at(2025, 3, 5, 11), CLERK)
    case.notify(at(2025, 3, 6), OFFICER)
    case.start_verification(at(2025, 3, 20), OFFICER)
    case.record_verification("without_conditions", at(2025, 3, 21), HEAD, ground="no_income_or_assets",
                             decision_no="51/QĐ-CCTHADS")
    case.record_notice_to_parties("51/QĐ-CCTHADS", date(2025, 3, 24), at(2025, 3, 24), CLERK)
    case.reverify(False, at(2025, 9, 1), OFFICER)
    case.reverify(False, at(2026, 2, 2), OFFICER)
    case.record_creditor_notice(date(2026, 2, 3), at(2026, 2, 3), CLERK)
    case.record_new_information(date(2026, 2, 9), at(2026, 2, 10), OFFICER)
    case.continue_from_no_condition("52/QĐ-CCTHADS", at(2026, 2, 12), HEAD)
    case.terminate_in_part(DEBT, 30_000_000, "creditor_waiver_or_parties_agreement", "53/QĐ-CCTHADS",
                           at(2026, 2, 13), HEAD)
    case.delegate_in_part("HP-KV03", "assets_elsewhere", "54/QĐ-CCTHADS", "55/QĐ-CCTHADS", [FEE],
                          at(2026, 2, 16), HEAD)
    case.revoke_in_part([OTHER], "material_error", "56/QĐ-CCTHADS", at(2026, 2, 17), HEAD)
    case.collect_money(DEBT, 70_000_000, "deduction", "KT-2026-1", at(2026, 3, 2), ACCOUNTANT)
    case.deposit_unclaimed_money(DEBT, 70_000_000, "STK-VCB-0042", at(2026, 4, 1), ACCOUNTANT)
    case.complete(at(2026, 4, 2), HEAD)
    return case


def received_by_delegation() -> Case:
    case = Case.receive_delegation(UNIT, "UT-2025-7", at(2025, 3, 10), CLERK, from_unit_id="HP-KV03",
                                   delegation_decision_no="35/QĐ-CCTHADS", basis="ex_officio", **JUDGMENT)
    case.decide_enforcement("60/QĐ-THADS", "ex_officio", at(2025, 3, 12), HEAD)
    return case


SCENARIOS: dict[str, Callable[[], Case]] = {
    "law_of_issue_7": law_of_issue_7, "received_by_delegation": received_by_delegation,
    "full_lifecycle": full_lifecycle, "no_condition_then_pauses": no_condition_then_pauses,
    "delegated": delegated, "revoked": revoked, "refused": refused,
    "separate_register": separate_register, "returned": returned, "taken_in_kind": taken_in_kind,
}
ALL_EVENT_CLASSES = {name for name, value in vars(Case).items()
                     if isinstance(value, type) and issubclass(value, CanMutateAggregate)} - {"Event", "Created"}


def events_of(scenario: str) -> list[Any]:
    return list(SCENARIOS[scenario]().collect_events())


def translated(scenario: str) -> list[tuple[Any, c.Envelope | None]]:
    return [(e, t.to_contract(e, 1000 + n)) for n, e in enumerate(events_of(scenario))]


def published(scenario: str) -> list[Any]:
    return [env for _, env in translated(scenario) if env is not None]


def only(scenario: str, model: type) -> list[Any]:
    return [env for env in published(scenario) if isinstance(env, model)]


# ---------------------------------------------------------------- coverage tables


def test_every_domain_event_class_is_either_published_or_internal_on_purpose():
    published_names, internal = set(t.PUBLISHED), set(t.INTERNAL)

    assert published_names & internal == set()
    assert published_names | internal == ALL_EVENT_CLASSES


def test_the_scenarios_raise_every_domain_event_class_at_least_once():
    raised = {type(e).__name__ for name in SCENARIOS for e in events_of(name)}

    assert raised == ALL_EVENT_CLASSES


MAP_NAMES = {id(value): name for name, value in vars(t).items() if name.isupper()}


@pytest.mark.parametrize("enum, mapping", t.ENUM_MAPS, ids=[MAP_NAMES[id(m)] for _, m in t.ENUM_MAPS])
def test_every_domain_enum_member_has_a_contract_value(enum, mapping):
    assert set(mapping) == set(enum)


def test_an_event_class_nobody_classified_stops_the_relay_instead_of_vanishing():
    class Unheard:
        pass

    with pytest.raises(LookupError, match="Unheard"):
        t.to_contract(Unheard(), 1)


# ---------------------------------------------------------------- every event, every scenario


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_event_translates_to_nothing_or_to_a_valid_envelope_that_survives_the_wire(scenario):
    for event, env in translated(scenario):
        internal = type(event).__name__ in t.INTERNAL
        unchanged_reverification = type(event).__name__ == "Reverified" and not event.found_conditions
        if internal or unchanged_reverification:
            assert env is None, type(event).__name__
            continue
        assert env is not None, type(event).__name__
        assert type(env).model_validate(env.model_dump(mode="json")) == env
        assert decode(INTAKE_CASE, encode(env)) == env


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_envelope_names_the_case_its_office_the_actor_and_the_business_time(scenario):
    for event, env in translated(scenario):
        if env is None:
            continue
        assert env.event_id == make_event_id("intake", event.originator_id, event.originator_version)
        assert env.case_id == env.aggregate_id == env.correlation_id == event.originator_id
        assert env.aggregate_version == event.originator_version
        assert env.unit == UNIT and env.actor.unit == UNIT
        assert env.actor.id == event.actor_id
        assert env.actor.role == t.ROLES[Role(event.actor_role)]
        assert env.occurred_at == event.at
        assert env.recorded_at == event.timestamp
        assert env.source == "intake"


def test_translating_the_same_event_again_gives_the_same_message():
    # Given the events of a case
    events = events_of("full_lifecycle")

    # When the relay translates them twice (a re-relay after a crash)
    first = [t.to_contract(e, n) for n, e in enumerate(events)]
    again = [t.to_contract(e, n) for n, e in enumerate(events)]

    # Then the messages, and so their event ids, are equal
    assert first == again
    assert len({env.event_id for env in first if env}) == len([env for env in first if env])


def test_the_relay_needs_nothing_but_the_stored_event():
    # Given a case saved to an event store
    app = Application()
    case = full_lifecycle()
    expected = [t.to_contract(e, n) for n, e in enumerate(case.pending_events, start=1)]
    app.save(case)

    # When the relay reads the notification log back, as it does in production
    notifications = app.recorder.select_notifications(start=1, limit=100)
    got = [t.to_contract(app.mapper.to_domain_event(n), n.id) for n in notifications]

    # Then each message is the one the live events gave
    assert got == expected


# ---------------------------------------------------------------- what each contract says


def test_a_request_opens_the_case_with_its_filing_date_and_the_judgment_enforced():
    opened = only("full_lifecycle", c.CaseOpenedV2)[0]

    assert opened.payload == c.CaseOpenedV2Payload(
        origin="request_received", channel="online", received_on=date(2025, 3, 1),
        judgment_number="125/2024/KDTM-ST", issuing_court="Tòa án nhân dân khu vực 1 - Hà Nội",
        judgment_effective_on=date(2025, 1, 15), provisional_measure=False)
    assert opened.actor == ContractActor(id="clerk-0101", role="clerk", unit=UNIT)


def test_a_judgment_opens_the_case_on_the_day_it_arrived_with_its_matter():
    opened = only("no_condition_then_pauses", c.CaseOpenedV2)[0]

    assert (opened.payload.origin, opened.payload.channel) == ("judgment_received", "in_person")
    assert opened.payload.received_on == date(2024, 3, 4)
    assert opened.payload.provisional_measure is True


def test_a_deputy_head_signs_as_head_an_accountant_as_accountant_an_inspector_as_auditor():
    roles = {env.actor.id: env.actor.role for env in published("full_lifecycle")}

    assert roles["deputy-0008"] == "head"
    assert roles["accountant-0003"] == "accountant"
    assert roles["inspector-0001"] == "auditor"


def test_uuid_ids_travel_unchanged_and_other_ids_get_a_stable_derived_uuid():
    items = {env.payload.claim_item_id for env in only("full_lifecycle", c.ClaimItemAdded)}
    case_id = only("no_condition_then_pauses", c.CaseOpenedV2)[0].case_id
    legacy = only("no_condition_then_pauses", c.ClaimItemAdded)[0].payload

    assert items == {UUID(DEBT), UUID(FEE)}
    assert legacy.claim_item_id == uuid5(case_id, "claim_item/I-1")
    assert legacy.creditor_party_id == t.public_id(case_id, "party", "P-CRED")


def test_a_credit_institution_is_an_organisation_with_its_bank_code():
    parties = {env.payload.party_id: env.payload for env in only("full_lifecycle", c.PartyAdded)}

    assert (parties[UUID(BANK)].kind, parties[UUID(BANK)].bank_code) == ("organisation", "VCB")
    assert parties[UUID(DEBTOR)].kind == "person"
    assert parties[UUID(STATE)].kind == "organisation"


def test_notice_starts_the_voluntary_period_of_ten_days():
    started = only("full_lifecycle", c.VoluntaryPeriodStarted)[0]

    assert (started.payload.notified_on, started.payload.ends_on) == (date(2025, 3, 10), date(2025, 3, 20))


def test_reassigning_an_officer_names_the_one_replaced():
    assigned = [env.payload for env in only("full_lifecycle", c.OfficerAssigned)]

    assert assigned == [c.OfficerAssignedPayload(officer_id="officer-0042"),
                        c.OfficerAssignedPayload(officer_id="officer-0043", replaces_officer_id="officer-0042")]


def test_a_re_verification_that_finds_conditions_is_published_as_a_verification_with_conditions():
    results = [(env.payload.result, env.payload.ground) for env in only("no_condition_then_pauses",
                                                                       c.VerificationRecorded)]

    assert results == [("without_conditions", "whereabouts_unknown"), ("with_conditions", None)]


def test_the_seizure_names_a_derived_asset_its_kind_and_the_claim_items():
    seizure = only("full_lifecycle", c.SeizureOrdered)[0]

    assert seizure.payload.asset_id == t.asset_id_for(seizure.case_id, "41/QĐ-CCTHADS")
    assert seizure.payload.asset_kind == "real_estate"
    assert seizure.payload.claim_item_ids == (UUID(DEBT), UUID(FEE))
    assert seizure.payload.ordered_on == date(2025, 4, 8)


def test_money_in_says_its_channel_and_whether_it_went_straight_to_the_creditor():
    collected = [(env.payload.channel, env.payload.amount_vnd, env.payload.direct_to_creditor)
                 for env in only("full_lifecycle", c.MoneyCollectedV2)]

    assert collected == [("voluntary", 1_000_000, False), ("voluntary", 2_000_000, True),
                         ("auction_proceeds", 80_000_000, False), ("paid_to_bank", 10_000_000, True),
                         ("deduction", 12_000_000, False)]


def test_money_booked_from_an_upstream_message_is_caused_by_it():
    case = full_lifecycle()
    by_channel = {env.payload.channel: env for env in map(lambda e: t.to_contract(e, 1), case.collect_events())
                  if isinstance(env, c.MoneyCollectedV2)}

    assert by_channel["auction_proceeds"].causation_id == proceeds(case, 80_000_000).event_id
    assert by_channel["paid_to_bank"].causation_id == repayment(case, 10_000_000).event_id
    assert by_channel["deduction"].causation_id is None


def test_money_out_goes_to_the_creditor_or_to_the_state_budget():
    paid = {env.payload.claim_item_id: env.payload for env in only("full_lifecycle", c.MoneyDisbursed)}

    assert (paid[UUID(DEBT)].recipient, paid[UUID(DEBT)].payee_party_id) == ("creditor", UUID(BANK))
    assert (paid[UUID(FEE)].recipient, paid[UUID(FEE)].payee_party_id) == ("state_budget", UUID(STATE))
    assert sum(p.amount_vnd for p in paid.values()) == 93_000_000


def test_a_ground_the_contract_does_not_name_is_other_with_the_domain_ground_in_the_legal_basis():
    postponed = only("no_condition_then_pauses", c.CasePostponed)[0].payload
    revoked_ = only("revoked", c.CaseRevokedV2)[0].payload

    assert postponed.ground == "other" and postponed.legal_basis.endswith("transfer_of_obligation_blocked")
    assert postponed.postponed_until == date(2025, 4, 10)
    assert revoked_.ground == "other" and revoked_.legal_basis.endswith("transfer_of_obligation")


def test_pauses_and_exits_are_published_with_their_decisions():
    kinds = [(type(env).__name__, getattr(env.payload, "ground", None) or getattr(env.payload, "resumed_from", None))
             for env in published("no_condition_then_pauses")
             if isinstance(env, (c.CasePostponed, c.CaseContinued, c.CaseSuspended, c.CaseTerminatedV2))]

    assert kinds == [("CasePostponed", "other"), ("CaseContinued", "postponed"),
                     ("CaseSuspended", "cassation_or_retrial_protest"), ("CaseContinued", "suspended"),
                     ("CaseTerminatedV2", "ward_died_or_came_of_age")]   # Art. 50(1)(h), v2


def test_delegation_names_the_receiving_office_while_every_event_keeps_the_case_office():
    messages = published("delegated")
    delegation = messages[-1]

    assert isinstance(delegation, c.CaseDelegatedV2)
    assert (delegation.payload.to_unit, delegation.payload.ground) == ("HP-KV03", "residence_elsewhere")
    assert {env.unit for env in messages} == {UNIT}


def test_a_refusal_cites_its_legal_basis():
    refusal = only("refused", c.RequestRefused)[0].payload

    assert (refusal.ground, refusal.refused_on) == ("limitation_expired", date(2025, 3, 5))
    assert refusal.legal_basis == "Art. 31(5) Luật THADS 2008"


def test_completion_means_fully_performed_with_its_certificate():
    completed = only("full_lifecycle", c.CaseCompleted)[0].payload

    assert completed == c.CaseCompletedPayload(basis="fully_performed", completed_on=date(2025, 5, 6),
                                               certificate_number="15/XN-CCTHADS")


def test_a_missed_deadline_uses_the_contract_step_name_and_keeps_the_precise_rule():
    missed = only("full_lifecycle", c.DeadlineMissed)[0]

    assert (missed.payload.step, missed.payload.due_on) == ("procuracy_copy", date(2025, 3, 3))
    assert missed.payload.legal_basis == "Art. 38 Luật THADS 2008"
    assert missed.payload.step in c.DEADLINE_STEP_LABELS


def test_every_deadline_step_published_has_a_contract_label():
    assert set(t.DEADLINE_STEPS.values()) <= set(c.DEADLINE_STEP_LABELS)


# ---------------------------------------------------------------- the domain refuses what cannot be published


REFUSED_AT_THE_COMMAND: dict[str, Callable[[], object]] = {
    "actor id with a space": lambda: Actor("officer 42", Role.OFFICER),
    "office code with a dot": lambda: Case.receive_judgment("HN.KV01", "BA-X", at(2025, 3, 3), CLERK, **JUDGMENT),
    "no judgment number": lambda: Case.receive_request(UNIT, "DON-X", "post", at(2025, 3, 3), CLERK,
                                                       judgment_number=" ", issuing_court="TAND Hà Nội"),
    "no issuing court": lambda: Case.receive_judgment(UNIT, "BA-X", at(2025, 3, 3), CLERK,
                                                      judgment_number="1/2025/DS-ST", issuing_court=""),
    "malformed bank code": lambda: decided_judgment("BA-X").add_party(
        BANK, "creditor", "credit_institution", at(2025, 3, 4, 10), CLERK, bank_code="V C B"),
    "decision number over 64 characters": lambda: decided_judgment("BA-X").revoke(
        "material_error", "Q" * 65, at(2025, 3, 5), HEAD),
    "delegation to an office code with spaces": lambda: delegated_to("HP KV03"),
    "officer id with a space": lambda: decided_judgment("BA-X").assign_officer("officer 42", at(2025, 3, 5), HEAD),
}


def delegated_to(unit: str) -> None:
    case = decided_judgment("BA-X")
    case.notify(at(2025, 3, 5), OFFICER)
    case.delegate_out(unit, "assets_elsewhere", "35/QĐ-CCTHADS", at(2025, 3, 7), HEAD)


@pytest.mark.parametrize("command", REFUSED_AT_THE_COMMAND)
def test_a_value_no_public_event_could_carry_is_refused_by_the_command_not_by_the_relay(command):
    with pytest.raises(IntakeError):
        REFUSED_AT_THE_COMMAND[command]()


def test_a_case_keeps_the_judgment_it_enforces():
    case = Case.receive_judgment(UNIT, "BA-J", at(2025, 3, 3), CLERK, **JUDGMENT)

    assert (case.judgment_number, case.issuing_court, case.judgment_effective_on) == (
        "125/2024/KDTM-ST", "Tòa án nhân dân khu vực 1 - Hà Nội", date(2025, 1, 15))
    assert case.channel == "post"


# ---------------------------------------------------------------- the relay's Translate


def test_the_relay_publishes_on_the_case_topic_keyed_by_case_id_with_type_headers():
    # Given the event that opened a case
    case = full_lifecycle()
    opened = case.collect_events()[0]

    # When the relay translates it
    out = t.relay_translate(opened, 7)

    # Then it goes to thads.intake.case, keyed by the case, and decodes to the contract
    assert out is not None
    assert (out.topic, out.key) == (INTAKE_CASE, str(case.id).encode())
    assert out.headers == [("event_type", b"intake.CaseOpened.v2"), ("source", b"intake")]
    assert decode(out.topic, out.value) == t.to_contract(opened, 7)


def test_the_relay_skips_internal_events():
    internal = [e for e in events_of("full_lifecycle") if type(e).__name__ in t.INTERNAL]

    assert internal and all(t.relay_translate(e, 1) is None for e in internal)


# ---------------------------------------------------------------- inbound


def enforcing_case() -> Case:
    case = Case.receive_request(UNIT, "DON-IN", "in_person", at(2025, 3, 3), CLERK, **JUDGMENT)
    case.decide_enforcement("QĐ-IN", "on_request", at(2025, 3, 5), HEAD)
    case.add_party(BANK, "creditor", "credit_institution", at(2025, 3, 5, 10), CLERK, bank_code="VCB")
    case.add_party(STATE, "creditor", "state", at(2025, 3, 5, 10), CLERK)
    case.add_claim_item(DEBT, "credit_debt", 100_000_000, BANK, at(2025, 3, 5, 11), CLERK, secured=True)
    case.add_claim_item(FEE, "court_fee", 5_000_000, STATE, at(2025, 3, 5, 11), CLERK, ex_officio=True)
    case.notify(at(2025, 3, 10), OFFICER)
    case.start_verification(at(2025, 3, 24), OFFICER)
    case.record_verification("with_conditions", at(2025, 3, 26), OFFICER)
    case.collect_events()
    return case


def test_proceeds_become_a_collection_on_the_first_claim_item_named_by_the_system():
    case = enforcing_case()
    message = proceeds(case, 80_000_000)

    kwargs = t.collection_from_proceeds(message)

    assert kwargs == {"claim_item_id": DEBT, "amount_vnd": 80_000_000, "channel": "auction_proceeds",
                      "source_ref": str(message.event_id), "at": message.occurred_at,
                      "actor": Actor("auctions:auctioneer-7", Role.SYSTEM)}


def test_proceeds_of_a_secured_items_collateral_go_first_to_court_fees_then_to_the_secured_creditor():
    # Given an enforcing case with a secured debt and a court fee
    case = enforcing_case()

    # When auction proceeds of the seizure arrive
    case.collect_money(**t.collection_from_proceeds(proceeds(case, 80_000_000)))

    # Then the legal allocation pays the fee first and the rest to the secured debt (Art. 47(3))
    assert case.payment_plan() == {DEBT: 75_000_000, FEE: 5_000_000}
    assert case.status is Status.MONEY_HELD


def test_redelivered_proceeds_are_booked_once():
    case = enforcing_case()
    message = proceeds(case, 80_000_000)

    case.collect_money(**t.collection_from_proceeds(message))
    case.collect_money(**t.collection_from_proceeds(message))

    assert len(case.collect_events()) == 1
    assert case.held_vnd == 80_000_000


def test_proceeds_that_name_no_claim_item_are_refused_as_a_domain_error():
    case = enforcing_case()

    with pytest.raises(InvalidValueError, match="name no claim item"):
        t.collection_from_proceeds(proceeds(case, 80_000_000, claim_item_ids=None))


def test_a_bank_repayment_is_money_paid_to_the_bank_and_redelivery_is_harmless():
    # Given an enforcing case whose debt is owed to a bank
    case = enforcing_case()
    message = repayment(case, 10_000_000)

    # When recovery reports the repayment, twice
    kwargs = t.collection_from_bank_repayment(message)
    case.collect_money(**kwargs)
    case.collect_money(**kwargs)

    # Then one direct payment is booked on the debt, by the system on recovery's word
    assert kwargs["channel"] == "paid_to_bank" and kwargs["actor"] == Actor("recovery:VCB", Role.SYSTEM)
    assert len(case.collect_events()) == 1
    assert case.items[DEBT].direct_vnd == 10_000_000


OUTCOMES = {
    AuctionOutcome.SOLD: {"price_vnd": 1_980_000_000},
    AuctionOutcome.FAILED: {},
    AuctionOutcome.TAKEN_BY_CREDITOR: {"price_vnd": 1_500_000_000, "creditor_party_id": UUID(BANK)},
    AuctionOutcome.RETURNED: {},
}


@pytest.mark.parametrize("outcome", list(AuctionOutcome))
def test_an_auction_outcome_records_nothing_on_the_case(outcome):
    sold = example("auctions.AuctionOutcomeRecorded.v1")
    payload = AuctionOutcomeRecordedPayload(asset_id=sold.payload.asset_id, outcome=outcome, round_number=2,
                                            decided_on=sold.payload.decided_on, **OUTCOMES[outcome])

    assert t.outcome_effect(sold.model_copy(update={"payload": payload})) is None


def test_an_asset_taken_in_kind_is_published_as_value_collected_in_kind_and_the_case_completed():
    """Contract v2: channel in_kind carries the value, so money completed counts it (domain.md §2)."""
    pairs = translated("taken_in_kind")
    [in_kind] = [env for _, env in pairs if isinstance(env, c.MoneyCollectedV2)]
    assert (in_kind.payload.channel, in_kind.payload.amount_vnd, in_kind.payload.direct_to_creditor,
            in_kind.payload.receipt_number) == ("in_kind", 900_000_000, True, "BB-GIAO-41")
    assert isinstance(pairs[-1][1], c.CaseCompleted) and pairs[-1][1].payload.basis == "fully_performed"


def test_the_law_of_issue_7_is_published_in_contract_v2():
    envs = published("law_of_issue_7")
    decided = next(e for e in envs if isinstance(e, c.EnforcementDecidedV2))
    assert decided.payload.amount_to_enforce_vnd is None          # the items came after the decision
    reduced = next(e for e in envs if isinstance(e, c.ClaimReduced))
    assert (reduced.payload.reason, reduced.payload.amount_vnd, reduced.payload.ground) == (
        "partly_terminated", 30_000_000, "creditor_waived_or_parties_agreed")
    assert "50(1)(c),(d)" in reduced.payload.legal_basis
    part = next(e for e in envs if isinstance(e, c.CaseDelegatedV2))
    assert (part.payload.scope, part.payload.amount_vnd, part.payload.revocation_decision_number) == (
        "part", 20_000_000, "55/QĐ-CCTHADS")
    continued = [e for e in envs if isinstance(e, c.VerificationRecorded) and e.payload.decision_number][-1]
    assert (continued.payload.result, continued.payload.decision_number) == ("with_conditions", "52/QĐ-CCTHADS")
    revoked = next(e for e in envs if isinstance(e, c.CaseRevokedV2))
    assert (revoked.payload.scope, revoked.payload.amount_vnd, revoked.payload.claim_item_ids) == (
        "part", 3_000_000, (UUID(OTHER),))
    deposited = next(e for e in envs if isinstance(e, c.UnclaimedMoneyDeposited))
    assert (deposited.payload.amount_vnd, deposited.payload.deposit_reference) == (70_000_000, "STK-VCB-0042")
    assert envs[-1].payload.basis == "unclaimed_money_deposited"      # the completion basis that goes with it
    opened = only("received_by_delegation", c.CaseOpenedV2)[0]
    assert (opened.payload.origin, opened.payload.delegated_from_unit) == ("received_by_delegation", "HP-KV03")
    assert only("separate_register", c.CaseMovedToSeparateRegister)[0].payload.legal_basis
    assert only("returned", c.RequestReturned)[0].payload.returned_on == date(2028, 8, 1)


# ---------------------------------------------------------------- ProceedsTransferred.v2: the split (issue 8)
def split_proceeds(case: Case, amount_vnd: int, costs: int, shares: list[tuple[str, int, str]]) -> Any:
    from thads_contracts.auctions import ProceedsShare, ProceedsTransferredV2, ProceedsTransferredV2Payload
    return ProceedsTransferredV2.create(
        payload=ProceedsTransferredV2Payload(
            asset_id=t.asset_id_for(case.id, "41/QĐ-CCTHADS"), claim_item_ids=(UUID(DEBT), UUID(FEE)),
            amount_vnd=amount_vnd, sold_on=date(2025, 4, 20), transferred_on=date(2025, 4, 22),
            enforcement_costs_vnd=costs, secured_creditor_party_id=UUID(BANK),
            shares=tuple(ProceedsShare(claim_item_id=UUID(i), amount_vnd=v, basis=b) for i, v, b in shares)),
        **upstream_meta(case, "auctions", 17, date(2025, 4, 22)))


def test_each_share_of_the_split_is_booked_once_on_its_item_costs_on_none():
    # Given an enforcing case with a secured debt and a court fee
    case = enforcing_case()
    message = split_proceeds(case, 90_000_000, 10_000_000, [(DEBT, 70_000_000, "collateral"), (FEE, 10_000_000, "general")])

    # When the split arrives twice
    for _ in range(2):
        for kwargs in t.collections_from_proceeds(message):
            case.collect_money(**kwargs)

    # Then each share is one collection on its item; the costs are booked on no item
    events = case.collect_events()
    assert [(e.claim_item_id, e.amount_vnd, e.source_ref) for e in events] == [
        (DEBT, 70_000_000, str(message.event_id)), (FEE, 10_000_000, f"{message.event_id}#1")]
    assert case.held_vnd == 80_000_000
    # and the collateral share is the secured item's collateral: fee first, then the debt (Art. 47(3))
    assert case.payment_plan() == {DEBT: 75_000_000, FEE: 5_000_000}


def test_a_v1_proceeds_booked_before_v2_is_recognised_when_redelivered_as_v2():
    case = enforcing_case()
    v1 = proceeds(case, 80_000_000)
    case.collect_money(**t.collection_from_proceeds(v1))
    as_v2 = decode(AUCTIONS_ASSET, encode(v1))            # upcast on the wire: one share on the first item
    for kwargs in t.collections_from_proceeds(as_v2):
        case.collect_money(**kwargs)
    assert len(case.collect_events()) == 1 and case.held_vnd == 80_000_000
