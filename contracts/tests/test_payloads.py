"""Payload rules of the intake, auctions and recovery events."""
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import pytest

from thads_contracts.registry import REGISTRY
from pydantic import ValidationError

from thads_contracts import auctions, intake
from thads_contracts.auctions import AuctionOutcome, AuctionOutcomeRecordedPayload, ProceedsTransferredPayload
from thads_contracts.common import MAX_SAFE_VND
from thads_contracts.examples import CLAIM_DEBT, CREDITOR_BANK, VN_TZ, all_examples
from thads_contracts.intake import (
    CLAIM_KIND_LABELS,
    ClaimItemAddedPayload,
    ClaimKind,
    IntakeEventAdapter,
    MoneyCollectedPayload,
    MoneyDisbursedPayload,
    PartyAddedPayload,
    SeizureOrderedPayload,
    VerificationRecordedPayload,
)
from thads_contracts.recovery import BankRepaymentReceivedPayload

ASSET = UUID(int=99)


def _claim(**overrides):
    fields = dict(claim_item_id=CLAIM_DEBT, kind="credit_debt", amount_vnd=1_000_000,
                  creditor_party_id=CREDITOR_BANK, secured=False, ex_officio=False)
    return ClaimItemAddedPayload(**fields | overrides)


def _error_locations(exc: ValidationError) -> list[tuple]:
    return [e["loc"] for e in exc.errors()]


# ---------------------------------------------------------------- labels


def test_every_claim_kind_has_a_vietnamese_label():
    missing = [kind for kind in ClaimKind if not CLAIM_KIND_LABELS.get(kind, "").strip()]

    assert missing == []
    assert CLAIM_KIND_LABELS[ClaimKind.MAINTENANCE] == "Cấp dưỡng"


@pytest.mark.parametrize("enum", [*intake.LABELS, AuctionOutcome], ids=lambda e: e.__name__)
def test_every_member_of_a_vocabulary_has_a_label(enum: type[StrEnum]):
    labels = intake.LABELS.get(enum) or auctions.AUCTION_OUTCOME_LABELS

    assert set(labels) == set(enum)
    assert all(label.strip() for label in labels.values())


def test_every_vocabulary_used_by_an_intake_payload_has_labels():
    # Given every enum that appears in an intake payload
    used = {f.annotation for model in intake.INTAKE_EVENTS
            for f in model.model_fields["payload"].annotation.model_fields.values()}
    enums = {t for t in used if isinstance(t, type) and issubclass(t, StrEnum)}
    enums |= {a for t in used for a in getattr(t, "__args__", ())
              if isinstance(a, type) and issubclass(a, StrEnum)}

    # Then each has a label mapping
    assert enums - set(intake.LABELS) == set()


# ---------------------------------------------------------------- money


def test_negative_money_is_rejected_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        _claim(amount_vnd=-1)

    [error] = caught.value.errors()
    assert (error["loc"], error["type"]) == (("amount_vnd",), "greater_than_equal")


def test_a_claim_of_zero_dong_is_allowed_for_claims_that_are_not_money():
    assert _claim(kind="return_of_assets", amount_vnd=0).amount_vnd == 0


@pytest.mark.parametrize("model, fields", [
    (MoneyCollectedPayload, dict(claim_item_id=CLAIM_DEBT, channel="voluntary",
                                 collected_on=date(2025, 5, 5))),
    (MoneyDisbursedPayload, dict(claim_item_id=CLAIM_DEBT, recipient="state_budget",
                                 disbursed_on=date(2025, 5, 5))),
    (BankRepaymentReceivedPayload, dict(bank_code="VCB", claim_item_id=CLAIM_DEBT,
                                        received_on=date(2025, 5, 5))),
])
def test_money_that_moves_must_be_more_than_zero(model, fields):
    with pytest.raises(ValidationError) as caught:
        model(amount_vnd=0, **fields)

    assert _error_locations(caught.value) == [("amount_vnd",)]


@pytest.mark.parametrize("amount", [1000.0, "1000", True])
def test_money_must_be_a_json_integer_not_a_float_text_or_boolean(amount):
    with pytest.raises(ValidationError) as caught:
        _claim(amount_vnd=amount)

    assert _error_locations(caught.value) == [("amount_vnd",)]


def test_money_above_what_json_readers_hold_exactly_is_rejected():
    assert _claim(amount_vnd=MAX_SAFE_VND).amount_vnd == MAX_SAFE_VND

    with pytest.raises(ValidationError):
        _claim(amount_vnd=MAX_SAFE_VND + 1)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("value", [datetime(2025, 3, 28, tzinfo=VN_TZ), 1743120000, "28/03/2025"])
def test_a_legal_date_must_be_a_date(value):
    with pytest.raises(ValidationError) as caught:
        VerificationRecordedPayload(result="with_conditions", verified_on=value)

    assert _error_locations(caught.value) == [("verified_on",)]


def test_a_legal_date_is_read_from_an_iso_date():
    payload = VerificationRecordedPayload.model_validate(
        {"result": "with_conditions", "verified_on": "2025-03-28"})

    assert payload.verified_on == date(2025, 3, 28)


# ---------------------------------------------------------------- rules between fields


def test_without_conditions_needs_an_art_44a_ground():
    with pytest.raises(ValidationError, match="ground .Art. 44a. is required"):
        VerificationRecordedPayload(result="without_conditions", verified_on=date(2025, 3, 28))


def test_with_conditions_takes_no_art_44a_ground():
    with pytest.raises(ValidationError, match="ground is only allowed"):
        VerificationRecordedPayload(result="with_conditions", ground="whereabouts_unknown",
                                    verified_on=date(2025, 3, 28))


@pytest.mark.parametrize("model, fields", [
    (intake.CasePostponedPayload, dict(decision_number="1/QĐ", postponed_on=date(2025, 4, 1))),
    (intake.CaseSuspendedPayload, dict(decision_number="1/QĐ", suspended_on=date(2025, 4, 1))),
    (intake.CaseTerminatedPayload, dict(decision_number="1/QĐ", terminated_on=date(2025, 4, 1))),
    (intake.CaseRevokedPayload, dict(decision_number="1/QĐ", revoked_on=date(2025, 4, 1))),
    (intake.CaseDelegatedPayload, dict(decision_number="1/QĐ", delegated_on=date(2025, 4, 1),
                                       to_unit="HP-KV03")),
    (intake.RequestRefusedPayload, dict(refused_on=date(2025, 4, 1))),
])
def test_a_decision_on_an_other_ground_must_cite_its_legal_basis(model, fields):
    with pytest.raises(ValidationError, match="legal_basis is required when ground is 'other'"):
        model(ground="other", **fields)

    assert model(ground="other", legal_basis="Điều 48 Luật THADS", **fields).legal_basis


def test_a_decision_needs_its_ground():
    with pytest.raises(ValidationError) as caught:
        intake.CaseTerminatedPayload(decision_number="1/QĐ", terminated_on=date(2025, 4, 1))

    assert _error_locations(caught.value) == [("ground",)]


def test_only_an_organisation_carries_a_bank_code():
    with pytest.raises(ValidationError, match="bank_code is only allowed"):
        PartyAddedPayload(party_id=UUID(int=1), role="creditor", kind="person", bank_code="VCB")


def test_a_party_is_only_an_id_and_never_personal_data():
    # Names, ID numbers, addresses and phones stay encrypted in the intake service.
    assert set(PartyAddedPayload.model_fields) == {"party_id", "role", "kind", "bank_code"}


def test_a_secured_claim_names_its_creditor():
    with pytest.raises(ValidationError, match="creditor_party_id is required"):
        _claim(secured=True, creditor_party_id=None)


def test_money_paid_to_a_creditor_names_the_payee():
    with pytest.raises(ValidationError, match="payee_party_id is required"):
        MoneyDisbursedPayload(claim_item_id=CLAIM_DEBT, amount_vnd=5, recipient="creditor",
                              disbursed_on=date(2025, 5, 5))


def test_a_seizure_covers_at_least_one_claim_item():
    with pytest.raises(ValidationError) as caught:
        SeizureOrderedPayload(asset_id=ASSET, asset_kind="movable", asset_description="Xe ô tô",
                              claim_item_ids=(), decision_number="1/QĐ",
                              ordered_on=date(2025, 4, 8))

    assert _error_locations(caught.value) == [("claim_item_ids",)]


def test_a_voluntary_period_cannot_end_before_it_starts():
    with pytest.raises(ValidationError, match="ends_on must not be before notified_on"):
        intake.VoluntaryPeriodStartedPayload(notified_on=date(2025, 3, 10),
                                             ends_on=date(2025, 3, 9))


def test_proceeds_without_claim_items_are_allocated_by_intake():
    payload = ProceedsTransferredPayload(asset_id=ASSET, amount_vnd=10, sold_on=date(2025, 6, 1),
                                         transferred_on=date(2025, 6, 2))

    assert payload.claim_item_ids is None

    with pytest.raises(ValidationError):    # "no claim items" is None, never an empty list
        ProceedsTransferredPayload(asset_id=ASSET, amount_vnd=10, claim_item_ids=(),
                                   sold_on=date(2025, 6, 1), transferred_on=date(2025, 6, 2))


@pytest.mark.parametrize("outcome, price, taker, valid", [
    ("sold", 100, None, True),
    ("sold", None, None, False),
    ("taken_by_creditor", 100, CREDITOR_BANK, True),
    ("taken_by_creditor", 100, None, False),
    ("failed", None, None, True),
    ("failed", 100, None, False),
    ("returned", None, None, True),
    ("returned", None, CREDITOR_BANK, False),
])
def test_an_auction_outcome_carries_a_price_and_taker_only_when_it_has_them(outcome, price, taker,
                                                                            valid):
    def build():
        return AuctionOutcomeRecordedPayload(asset_id=ASSET, outcome=outcome, round_number=1,
                                             price_vnd=price, creditor_party_id=taker,
                                             decided_on=date(2025, 6, 1))

    if valid:
        assert build().outcome == outcome
    else:
        with pytest.raises(ValidationError):
            build()


# ---------------------------------------------------------------- unions


def test_one_adapter_reads_any_intake_event_as_its_own_class():
    # Given one example message of every intake event type
    messages = [e for t, e in all_examples().items() if t.startswith("intake.") and REGISTRY.is_current(t)]

    # When each is parsed by the intake union
    parsed = [IntakeEventAdapter.validate_json(m.model_dump_json()) for m in messages]

    # Then each comes back as its own class, equal to what was sent
    assert [type(p) for p in parsed] == [type(m) for m in messages]
    assert parsed == messages
