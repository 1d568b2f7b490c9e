import json
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from thads_contracts.deadletter import DeadLetter, DeadLetterReason
from thads_contracts.errors import SchemaViolationError
from thads_contracts.examples import VN_TZ, example
from thads_contracts.registry import decode, encode
from thads_contracts.topics import INTAKE_CASE

FAILED_AT = datetime(2025, 4, 8, 10, 31, tzinfo=VN_TZ)
KEY = b"5a7efef4-bb7d-52f7-aa75-0a2448155bdb"


def _capture(value: bytes | None, **overrides) -> DeadLetter:
    fields = dict(original_topic=INTAKE_CASE, partition=1, offset=77, key=KEY, value=value,
                  reason_code="rejected_by_rule", reason="CaseClosedError: case is completed",
                  consumer="auctions.on-intake", attempts=3,
                  first_failed_at=FAILED_AT, dead_lettered_at=FAILED_AT + timedelta(seconds=9))
    return DeadLetter.capture(**fields | overrides)


def test_a_utf8_message_is_kept_as_readable_text():
    letter = _capture("{\"note\": \"Tòa án\"}".encode())

    assert (letter.value, letter.value_encoding) == ('{"note": "Tòa án"}', "utf-8")
    assert letter.key == KEY.decode()


def test_a_binary_message_is_kept_as_base64_and_restored_byte_for_byte():
    raw = b"\x00\xff\xfe binary \x80"

    letter = _capture(raw, key=b"\xc3\x28")

    assert letter.value_encoding == "base64"
    assert letter.raw_value() == raw
    assert letter.raw_key() == b"\xc3\x28"


def test_a_tombstone_is_kept_as_null():
    letter = _capture(None)

    assert letter.value is None and letter.raw_value() is None


def test_a_contract_error_becomes_a_dead_letter_with_its_reason_and_event_id():
    # Given a message whose payload breaks its schema
    message = json.loads(encode(example("intake.MoneyCollected.v2")))
    message["payload"]["amount_vnd"] = -10
    raw = json.dumps(message).encode()
    with pytest.raises(SchemaViolationError) as caught:
        decode(INTAKE_CASE, raw)

    # When the consumer dead-letters it
    letter = DeadLetter.for_contract_error(
        caught.value, original_topic=INTAKE_CASE, partition=0, offset=12, key=KEY, value=raw,
        consumer="statistics.indicators", attempts=1,
        first_failed_at=FAILED_AT, dead_lettered_at=FAILED_AT)

    # Then the letter says why, names the field, and keeps the identity and the raw bytes
    assert letter.reason_code == DeadLetterReason.INVALID_SCHEMA
    assert "payload.amount_vnd" in letter.reason
    assert str(letter.event_id) == message["event_id"]
    assert letter.event_type == "intake.MoneyCollected.v2"
    assert letter.raw_value() == raw


def test_a_dead_letter_cannot_be_dead_lettered_before_it_first_failed():
    with pytest.raises(ValidationError, match="dead_lettered_at must not be before"):
        _capture(b"{}", dead_lettered_at=FAILED_AT - timedelta(seconds=1))


def test_base64_that_does_not_decode_is_rejected_naming_the_field():
    fields = _capture(b"{}").model_dump() | {"value": "not base64!", "value_encoding": "base64"}

    with pytest.raises(ValidationError, match="value is not valid base64"):
        DeadLetter.model_validate(fields)


def test_an_unknown_reason_is_rejected():
    with pytest.raises(ValidationError) as caught:
        _capture(b"{}", reason_code="felt_like_it")

    assert [e["loc"] for e in caught.value.errors()] == [("reason_code",)]


def test_a_dead_letter_round_trips_as_json():
    letter = _capture(b"\x00\x01")

    assert DeadLetter.model_validate_json(letter.model_dump_json()) == letter
