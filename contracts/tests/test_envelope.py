from datetime import datetime
from uuid import UUID, uuid5

import pytest
from pydantic import ValidationError

from thads_contracts.envelope import THADS_NAMESPACE, Actor, make_event_id
from thads_contracts.examples import CASE_ID, OFFICER, UNIT, VN_TZ, example
from thads_contracts.intake import OfficerAssigned, OfficerAssignedPayload

AGGREGATE = UUID("11111111-2222-3333-4444-555555555555")
NOW = datetime(2025, 3, 7, 9, 30, tzinfo=VN_TZ)


def _meta(**overrides):
    meta = dict(source="intake", aggregate_id=CASE_ID, aggregate_version=6, case_id=CASE_ID,
                unit=UNIT, actor=OFFICER, occurred_at=NOW, recorded_at=NOW, source_position=42,
                payload=OfficerAssignedPayload(officer_id="officer-0042"))
    return meta | overrides


def _fields(**overrides):
    event = OfficerAssigned.create(**_meta())
    return event.model_dump() | overrides


def _locations(exc: ValidationError) -> list[tuple]:
    return [e["loc"] for e in exc.errors()]


def test_event_id_is_the_same_for_the_same_source_aggregate_and_version():
    # Given the identity of one stored event
    # When two relays (or one relay after a crash) derive its event id
    first = make_event_id("intake", AGGREGATE, 3)
    second = make_event_id("intake", AGGREGATE, 3)

    # Then the ids are equal, so a redelivery is recognisable
    assert first == second


@pytest.mark.parametrize(("source", "aggregate", "version"), [
    ("auctions", AGGREGATE, 3),
    ("intake", UUID(int=7), 3),
    ("intake", AGGREGATE, 4),
])
def test_event_id_changes_when_any_part_of_the_identity_changes(source, aggregate, version):
    assert make_event_id(source, aggregate, version) != make_event_id("intake", AGGREGATE, 3)


def test_event_id_does_not_depend_on_how_the_aggregate_id_is_spelled():
    assert make_event_id("intake", str(AGGREGATE).upper(), 3) == make_event_id("intake", AGGREGATE, 3)


def test_event_id_is_uuid5_of_source_aggregate_and_version_in_the_thads_namespace():
    # Pinned: changing the namespace or the name format would give every event a new identity.
    assert THADS_NAMESPACE == UUID("9ed61fe7-43b5-5979-9a2c-f2015a33301e")
    expected = uuid5(THADS_NAMESPACE, "intake/11111111-2222-3333-4444-555555555555/3")

    assert make_event_id("intake", AGGREGATE, 3) == expected
    assert expected == UUID("6900c379-f874-513c-91c5-6619eed7490f")


def test_create_derives_the_event_id_from_the_identity():
    event = OfficerAssigned.create(**_meta())

    assert event.event_id == make_event_id("intake", CASE_ID, 6)
    assert (event.event_type, event.schema_version) == ("intake.OfficerAssigned.v1", 1)


def test_an_event_id_that_does_not_match_the_identity_is_rejected():
    with pytest.raises(ValidationError, match="event_id .* is not make_event_id"):
        OfficerAssigned(**_fields(event_id=UUID(int=1)))


def test_a_service_cannot_publish_another_services_event_type():
    with pytest.raises(ValidationError, match="source 'auctions' cannot publish"):
        OfficerAssigned.create(**_meta(source="auctions"))


@pytest.mark.parametrize("field", ["occurred_at", "recorded_at"])
def test_a_naive_time_is_rejected_naming_the_field(field):
    # Given a time without a timezone
    naive = datetime(2025, 3, 7, 9, 30)

    # When the envelope is built with it
    with pytest.raises(ValidationError) as caught:
        OfficerAssigned.create(**_meta(**{field: naive}))

    # Then the error names the field and says the timezone is missing
    [error] = caught.value.errors()
    assert (error["loc"], error["type"]) == ((field,), "timezone_aware")


def test_a_naive_time_in_json_is_rejected_too():
    raw = example("intake.OfficerAssigned.v1").model_dump_json().replace("+07:00", "")

    with pytest.raises(ValidationError) as caught:
        OfficerAssigned.model_validate_json(raw)

    assert ("occurred_at",) in _locations(caught.value)


def test_an_unknown_actor_role_is_rejected():
    with pytest.raises(ValidationError) as caught:
        Actor(id="x-1", role="judge")

    assert _locations(caught.value) == [("role",)]


def test_aggregate_versions_start_at_one():
    with pytest.raises(ValidationError) as caught:
        OfficerAssigned.create(**_meta(aggregate_version=0))

    assert _locations(caught.value) == [("aggregate_version",)]


def test_an_envelope_cannot_be_changed_after_it_is_built():
    event = example("intake.OfficerAssigned.v1")

    with pytest.raises(ValidationError):
        event.unit = "elsewhere"


def test_fields_added_by_a_newer_producer_are_ignored():
    # Given a message with fields this version does not know, in the envelope and the payload
    fields = _fields()
    fields["priority"] = "high"
    fields["payload"] = dict(fields["payload"], team="B")

    # When it is read
    event = OfficerAssigned.model_validate(fields)

    # Then it is accepted as the known shape
    assert event == OfficerAssigned.create(**_meta())


def test_the_kafka_key_is_the_case_id():
    event = example("auctions.ProceedsTransferred.v1")

    assert event.kafka_key == str(CASE_ID).encode()
    assert event.aggregate_id != event.case_id
