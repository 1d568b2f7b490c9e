"""Golden files pin every published version of every contract.

golden/<name>.json is a message as it was published: it must keep decoding, and survive
decode -> encode -> decode unchanged. golden/schemas/<name>.json is the JSON Schema of that
version: any change to it fails here, so a change to a published contract is always deliberate.

THADS_UPDATE_GOLDEN=1 .venv/bin/pytest contracts/tests
    writes the golden message of a new version (from thads_contracts.examples) and rewrites a
    changed schema, but only if the published golden message still decodes. Existing golden
    messages are never rewritten: they are what old producers sent. A change that breaks them is
    a new version (….v2, with an upcaster from ….v1), never an edit.
"""
import difflib
import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from thads_contracts.deadletter import DeadLetter
from thads_contracts.errors import ContractError
from thads_contracts.examples import VN_TZ, all_examples
from thads_contracts.registry import REGISTRY, decode, encode, topic_for
from thads_contracts.schema import DEAD_LETTER_SCHEMA, all_schemas, dumps

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = GOLDEN / "schemas"
UPDATE = os.environ.get("THADS_UPDATE_GOLDEN") == "1"
NAMES = sorted(all_schemas())


def _dead_letter_example() -> DeadLetter:
    return DeadLetter.capture(
        original_topic="thads.intake.case", partition=2, offset=18_204,
        key=b"5a7efef4-bb7d-52f7-aa75-0a2448155bdb",
        value=b'{"event_type": "intake.CaseOpened.v1",', reason_code="bad_json",
        reason="message on 'thads.intake.case' is not valid JSON: Expecting property name "
                    "enclosed in double quotes at line 1 column 40",
        consumer="auctions.on-intake", attempts=1,
        first_failed_at=datetime(2025, 4, 8, 10, 31, 2, tzinfo=VN_TZ),
        dead_lettered_at=datetime(2025, 4, 8, 10, 31, 2, tzinfo=VN_TZ))


def _sample(name: str) -> BaseModel:
    return _dead_letter_example() if name == DEAD_LETTER_SCHEMA else all_examples()[name]


def _read(name: str, raw: bytes) -> BaseModel:
    if name == DEAD_LETTER_SCHEMA:
        return DeadLetter.model_validate_json(raw)
    return decode(topic_for(name), raw)


def _encode(model: BaseModel) -> bytes:
    return model.model_dump_json().encode() if isinstance(model, DeadLetter) else encode(model)


def test_every_registered_version_has_an_example_to_pin():
    assert set(REGISTRY.event_types()) == set(all_examples())


@pytest.mark.parametrize("name", NAMES)
def test_a_published_message_still_round_trips(name):
    # Given the golden message of this version (written once, when the version was new)
    path = GOLDEN / f"{name}.json"
    if not path.exists():
        if not UPDATE:
            pytest.fail(f"{path.name} is missing: run with THADS_UPDATE_GOLDEN=1 to pin {name}")
        path.write_text(dumps(json.loads(_encode(_sample(name)))), encoding="utf-8")

    # When it is decoded, encoded and decoded again
    first = _read(name, path.read_bytes())
    second = _read(name, _encode(first))

    # Then nothing was lost or changed
    assert second == first


@pytest.mark.parametrize("name", NAMES)
def test_a_published_schema_is_unchanged(name):
    # Given the JSON Schema pinned for this version
    path = SCHEMAS / f"{name}.json"
    pinned = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    # When the schema is generated from the model now
    current = json.loads(dumps(all_schemas()[name]))

    # Then it is the same
    if current == pinned:
        return
    if UPDATE:
        _refuse_if_published_message_breaks(name)
        path.write_text(dumps(current), encoding="utf-8")
        return
    diff = "\n".join(difflib.unified_diff(
        dumps(pinned).splitlines() if pinned is not None else [], dumps(current).splitlines(),
        f"golden/schemas/{name}.json", "generated now", lineterm="", n=2))
    pytest.fail(f"the JSON Schema of published contract {name} changed.\n"
                f"If the change is additive (new optional field), re-pin it with "
                f"THADS_UPDATE_GOLDEN=1; if it breaks old messages or consumers, add a new "
                f"version instead.\n{diff}")


def _refuse_if_published_message_breaks(name: str) -> None:
    message = GOLDEN / f"{name}.json"
    if not message.exists():
        return
    try:
        _read(name, message.read_bytes())
    except (ContractError, ValueError) as exc:
        pytest.fail(f"not re-pinning {name}: its published golden message no longer decodes, "
                    f"so this is a breaking change; add a new version with an upcaster.\n{exc}")


def test_no_golden_file_outlives_its_version():
    # A published version may not silently disappear: its model must stay registered.
    messages = {p.stem for p in GOLDEN.glob("*.json")}
    schemas = {p.stem for p in SCHEMAS.glob("*.json")}

    assert messages - set(NAMES) == set()
    assert schemas - set(NAMES) == set()
