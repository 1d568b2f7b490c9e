"""decode / encode, the ContractError kinds, topics, and upcasting of old versions."""
import json
from datetime import datetime
from typing import Literal
from uuid import UUID

import pytest

from thads_contracts.common import ContractModel, PositiveMoneyVnd
from thads_contracts.deadletter import DeadLetterReason
from thads_contracts.envelope import Actor, Envelope
from thads_contracts.errors import (
    BadJsonError,
    ContractError,
    SchemaViolationError,
    UnknownEventTypeError,
)
from thads_contracts.examples import CASE_ID, VN_TZ, all_examples, example
from thads_contracts.intake import CaseOpened
from thads_contracts.registry import REGISTRY, EventRegistry, decode, encode, topic_for
from thads_contracts.topics import AUCTIONS_ASSET, COMPLAINTS_COMPLAINT, INTAKE_CASE, RECOVERY_DEBT, bank_feed


def _claim_message() -> dict:
    return json.loads(encode(example("intake.ClaimItemAdded.v1")))


def _raw(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode()


# ---------------------------------------------------------------- the registry


def test_every_event_type_is_registered_with_the_topic_of_its_producer():
    topics = {t: topic_for(t) for t in REGISTRY.event_types()}

    assert {t for t, topic in topics.items() if topic == INTAKE_CASE} == {
        t for t in topics if t.startswith("intake.")}
    assert {t for t, topic in topics.items() if topic == AUCTIONS_ASSET} == {
        "auctions.ProceedsTransferred.v1", "auctions.ProceedsTransferred.v2", "auctions.AuctionOutcomeRecorded.v1",
        "auctions.AuctionOutcomeRecorded.v2", "auctions.AuctionAnnounced.v1"}
    assert {t for t, topic in topics.items() if topic == RECOVERY_DEBT} == {
        "recovery.BankRepaymentReceived.v1", "recovery.EnforcementRequested.v1"}
    assert {t for t, topic in topics.items() if topic == "thads.online.filing"} == {
        "online.FilingReceived.v1", "online.FilingSentBack.v1", "online.FilingCorrected.v1",
        "online.FilingAccepted.v1", "online.FilingRefused.v1"}
    assert {t for t, topic in topics.items() if topic == COMPLAINTS_COMPLAINT} == {
        "complaints.ComplaintReceived.v1", "complaints.ComplaintResolved.v1", "complaints.CorrectionRequested.v1",
        "complaints.DeadlineMissed.v1", "complaints.ComplaintAccepted.v1", "complaints.PetitionForwarded.v1"}


def test_every_event_type_names_its_version_and_matches_its_schema_version():
    for spec in REGISTRY.specs():
        assert spec.event_type == f"{spec.family}.v{spec.version}"
        assert spec.model.model_fields["schema_version"].default == spec.version
        assert spec.model.model_fields["event_type"].default == spec.event_type


def test_a_model_is_found_by_its_event_type_and_its_topic_by_model_or_instance():
    assert REGISTRY.model_for("intake.CaseOpened.v1") is CaseOpened
    assert topic_for(CaseOpened) == topic_for(example("intake.CaseOpened.v1")) == INTAKE_CASE


# ---------------------------------------------------------------- encode / decode


def test_every_example_survives_encode_then_decode():
    for event_type, event in all_examples().items():
        decoded = decode(topic_for(event_type), encode(event))
        if REGISTRY.is_current(event_type):
            assert decoded == event
        else:  # an old version (….v1) still decodes, upcast to the current one with the same identity
            assert (decoded.event_id, decoded.schema_version) == (event.event_id, event.schema_version + 1)


def test_encoding_is_compact_utf8_json_with_vietnamese_kept_readable():
    raw = encode(example("intake.CaseOpened.v1"))

    assert b", " not in raw and b": " not in raw
    assert "Tòa án nhân dân" in raw.decode("utf-8")


def test_encode_refuses_a_model_that_is_not_the_registered_one():
    class Impostor(CaseOpened):
        pass

    impostor = Impostor.model_validate(example("intake.CaseOpened.v1").model_dump())

    with pytest.raises(UnknownEventTypeError, match="Impostor is not the registered model"):
        encode(impostor)


# ---------------------------------------------------------------- ContractError kinds


@pytest.mark.parametrize("raw, expected", [
    (b'{"event_type": "intake.CaseOpened.v1",', "not valid JSON: Expecting"),
    (b"\xff\xfe garbage", "not UTF-8"),
    (b'{"amount": NaN}', "NaN is not valid JSON"),
])
def test_a_message_that_is_not_json_is_rejected_as_bad_json(raw, expected):
    with pytest.raises(BadJsonError, match=expected) as caught:
        decode(INTAKE_CASE, raw)

    assert caught.value.reason_code == "bad_json"
    assert caught.value.topic == INTAKE_CASE


def test_json_that_is_not_an_object_is_a_schema_violation():
    with pytest.raises(SchemaViolationError, match="is a JSON list, not an object"):
        decode(INTAKE_CASE, b"[1, 2]")


def test_a_message_without_an_event_type_is_a_schema_violation_naming_event_type():
    message = _claim_message()
    del message["event_type"]

    with pytest.raises(SchemaViolationError) as caught:
        decode(INTAKE_CASE, _raw(message))

    assert caught.value.locations == ("event_type",)
    assert caught.value.event_id == UUID(message["event_id"])


def test_unknown_event_type_is_rejected_with_its_name():
    # Given a well-formed envelope of a type nobody registered
    message = _claim_message() | {"event_type": "intake.CaseTeleported.v1"}

    # When it is decoded
    with pytest.raises(UnknownEventTypeError) as caught:
        decode(INTAKE_CASE, _raw(message))

    # Then the error names the type and the topic, and keeps the event id for the dead letter
    assert str(caught.value) == (
        "unknown event_type 'intake.CaseTeleported.v1' on topic 'thads.intake.case'")
    assert caught.value.event_type == "intake.CaseTeleported.v1"
    assert caught.value.event_id == UUID(message["event_id"])
    assert caught.value.reason_code == "unknown_type"


def test_a_newer_version_than_this_consumer_knows_asks_for_an_upgrade():
    message = _claim_message() | {"event_type": "intake.ClaimItemAdded.v2", "schema_version": 2}

    with pytest.raises(UnknownEventTypeError, match=r"newer than this consumer knows \(latest v1\)"):
        decode(INTAKE_CASE, _raw(message))


def test_an_event_on_the_wrong_topic_is_rejected_naming_both_topics():
    raw = encode(example("intake.ClaimItemAdded.v1"))

    with pytest.raises(UnknownEventTypeError) as caught:
        decode(AUCTIONS_ASSET, raw)

    assert str(caught.value) == ("event_type 'intake.ClaimItemAdded.v1' is published on "
                                 "'thads.intake.case', not on 'thads.auctions.asset'")


def test_a_bank_feed_may_carry_the_events_of_other_topics_unchanged():
    event = example("intake.SeizureOrdered.v1")

    assert decode(bank_feed("VCB"), encode(event)) == event


def test_a_schema_violation_names_every_failing_field():
    # Given a claim with negative money, a naive business time and an unknown claim kind
    message = _claim_message()
    message["occurred_at"] = "2025-03-07T09:30:00"
    message["payload"] |= {"amount_vnd": -5, "kind": "bribe"}

    # When it is decoded
    with pytest.raises(SchemaViolationError) as caught:
        decode(INTAKE_CASE, _raw(message))

    # Then each pydantic error location is named, in the message too
    error = caught.value
    assert set(error.locations) == {"occurred_at", "payload.kind", "payload.amount_vnd"}
    assert str(error).startswith("intake.ClaimItemAdded.v1 does not match its schema: ")
    assert "payload.amount_vnd: Input should be greater than or equal to 0" in str(error)
    assert "occurred_at: Input should have timezone info" in str(error)
    assert (error.event_type, error.event_id, error.reason_code) == (
        "intake.ClaimItemAdded.v1", UUID(message["event_id"]), "invalid_schema")


def test_a_forged_event_id_is_a_schema_violation():
    message = _claim_message() | {"event_id": str(UUID(int=5))}

    with pytest.raises(SchemaViolationError, match="is not make_event_id"):
        decode(INTAKE_CASE, _raw(message))


def test_every_contract_error_kind_is_a_dead_letter_reason():
    kinds = (BadJsonError, UnknownEventTypeError, SchemaViolationError)

    assert all(issubclass(kind, ContractError) for kind in kinds)
    assert {kind.reason_code for kind in kinds} == {"bad_json", "unknown_type", "invalid_schema"}
    assert {kind.reason_code for kind in kinds} <= set(DeadLetterReason)


def test_the_topic_adapter_reads_every_event_of_its_topic():
    adapter = REGISTRY.adapter(INTAKE_CASE)

    for event_type, event in all_examples().items():
        if topic_for(event_type) == INTAKE_CASE:
            read = adapter.validate_json(encode(event))
            assert read == event if REGISTRY.is_current(event_type) else read.event_id == event.event_id


# ---------------------------------------------------------------- upcasting (test-only types)
# No published event has a second version yet, so the mechanism is shown on a test registry.


class ParcelWeighedV1Payload(ContractModel):
    parcel_id: UUID
    grams: int


class ParcelWeighedV1(Envelope[ParcelWeighedV1Payload]):
    event_type: Literal["demo.ParcelWeighed.v1"] = "demo.ParcelWeighed.v1"
    schema_version: Literal[1] = 1


class ParcelWeighedV2Payload(ContractModel):
    parcel_id: UUID
    kilograms: float
    fee_vnd: PositiveMoneyVnd        # new and required: v1 messages get the old flat fee


class ParcelWeighedV2(Envelope[ParcelWeighedV2Payload]):
    event_type: Literal["demo.ParcelWeighed.v2"] = "demo.ParcelWeighed.v2"
    schema_version: Literal[2] = 2


def _demo_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(ParcelWeighedV1, "demo.parcel")
    registry.register(ParcelWeighedV2, "demo.parcel")

    @registry.upcaster("demo.ParcelWeighed.v1")
    def grams_to_kilograms(message: dict) -> dict:
        payload = message["payload"]
        message["payload"] = {"parcel_id": payload["parcel_id"],
                              "kilograms": payload["grams"] / 1000, "fee_vnd": 15_000}
        return message

    return registry


def _v1_message() -> bytes:
    event = ParcelWeighedV1.create(
        payload=ParcelWeighedV1Payload(parcel_id=UUID(int=3), grams=2500), source="demo",
        aggregate_id=UUID(int=3), aggregate_version=1, case_id=CASE_ID, unit="HN-KV01",
        actor=Actor(id="svc", role="system"), occurred_at=datetime(2025, 1, 2, tzinfo=VN_TZ),
        recorded_at=datetime(2025, 1, 2, tzinfo=VN_TZ), source_position=1)
    return _demo_registry().encode(event)


def test_an_old_version_is_upcast_to_the_current_model_before_validation():
    # Given a registry where demo.ParcelWeighed.v1 has an upcaster to v2
    registry = _demo_registry()

    # When a v1 message is decoded
    event = registry.decode("demo.parcel", _v1_message())

    # Then it arrives as the current model, converted
    assert isinstance(event, ParcelWeighedV2)
    assert (event.event_type, event.schema_version) == ("demo.ParcelWeighed.v2", 2)
    assert event.payload == ParcelWeighedV2Payload(parcel_id=UUID(int=3), kilograms=2.5,
                                                   fee_vnd=15_000)


def test_upcasting_keeps_the_identity_of_the_event():
    original = json.loads(_v1_message())

    event = _demo_registry().decode("demo.parcel", _v1_message())

    assert str(event.event_id) == original["event_id"]
    assert event.aggregate_version == original["aggregate_version"]


def test_the_topic_adapter_upcasts_old_versions_too():
    adapter = _demo_registry().adapter("demo.parcel")

    assert isinstance(adapter.validate_json(_v1_message()), ParcelWeighedV2)


def test_an_old_version_is_no_longer_current_once_it_has_an_upcaster():
    registry = _demo_registry()

    assert not registry.is_current("demo.ParcelWeighed.v1")
    assert registry.is_current("demo.ParcelWeighed.v2")


def test_an_old_message_the_upcaster_cannot_read_is_a_schema_violation():
    message = json.loads(_v1_message())
    del message["payload"]["grams"]

    with pytest.raises(SchemaViolationError, match="demo.ParcelWeighed.v1 could not be upcast: "
                                                   "KeyError"):
        _demo_registry().decode("demo.parcel", json.dumps(message).encode())


def test_a_model_whose_schema_version_disagrees_with_its_event_type_cannot_be_registered():
    class Confused(Envelope[ParcelWeighedV1Payload]):
        event_type: Literal["demo.Confused.v2"] = "demo.Confused.v2"
        schema_version: Literal[1] = 1

    with pytest.raises(ValueError, match="does not match the version suffix"):
        EventRegistry().register(Confused, "demo.parcel")


def test_an_event_type_cannot_be_registered_to_two_models():
    class Twin(Envelope[ParcelWeighedV1Payload]):
        event_type: Literal["demo.ParcelWeighed.v1"] = "demo.ParcelWeighed.v1"
        schema_version: Literal[1] = 1

    registry = _demo_registry()

    with pytest.raises(ValueError, match="already registered to ParcelWeighedV1"):
        registry.register(Twin, "demo.parcel")

