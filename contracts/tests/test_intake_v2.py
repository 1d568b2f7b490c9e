"""Intake contract v2 (issue 7 §2): every v1 message still decodes, upcast to its v2, and the v2
events carry what the statistics need (domain.md §2)."""
import json
from pathlib import Path

import pytest

from thads_contracts import intake as i
from thads_contracts.examples import example
from thads_contracts.registry import REGISTRY, decode, encode
from thads_contracts.topics import INTAKE_CASE

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("v1", sorted(i.UPCASTERS_V1_V2))
def test_a_published_v1_message_still_decodes_as_its_v2(v1: str) -> None:
    raw = (GOLDEN / f"{v1}.json").read_bytes()
    event = decode(INTAKE_CASE, raw)
    assert event.event_type == v1.replace(".v1", ".v2") and event.schema_version == 2
    assert str(event.event_id) == json.loads(raw)["event_id"]
    assert not REGISTRY.is_current(v1) and REGISTRY.is_current(event.event_type)


def test_the_wrong_v1_termination_ground_becomes_the_minor_in_someones_care() -> None:
    message = json.loads((GOLDEN / "intake.CaseTerminated.v1.json").read_bytes())
    message["payload"]["ground"] = "maintenance_beneficiary_ended"   # v1's name for Art. 50(1)(h)
    event = decode(INTAKE_CASE, json.dumps(message).encode())
    assert event.payload.ground == i.TerminationGroundV2.WARD_DIED_OR_CAME_OF_AGE
    assert "chưa thành niên" in i.TERMINATION_GROUND_V2_LABELS[event.payload.ground]


def test_value_taken_in_kind_is_a_collection_straight_to_the_creditor() -> None:
    event = example("intake.MoneyCollected.v2")
    assert event.payload.channel == "in_kind" and event.payload.direct_to_creditor
    bad = json.loads(encode(event))
    bad["payload"]["direct_to_creditor"] = False
    with pytest.raises(Exception, match="in kind goes straight to the creditor"):
        decode(INTAKE_CASE, json.dumps(bad).encode())


def test_a_partial_delegation_names_its_items_and_a_delegated_case_its_office() -> None:
    bad = json.loads(encode(example("intake.CaseDelegated.v2")))
    bad["payload"]["claim_item_ids"] = []
    with pytest.raises(Exception, match="partial delegation"):
        decode(INTAKE_CASE, json.dumps(bad).encode())
    bad = json.loads(encode(example("intake.CaseOpened.v2")))
    bad["payload"]["delegated_from_unit"] = None
    with pytest.raises(Exception, match="received by delegation"):
        decode(INTAKE_CASE, json.dumps(bad).encode())


def test_every_v2_and_new_event_says_which_statistics_column_it_feeds() -> None:
    for model in (i.CaseOpenedV2, i.EnforcementDecidedV2, i.MoneyCollectedV2, i.CaseTerminatedV2, i.CaseDelegatedV2,
                  i.ClaimReduced, i.CaseMovedToSeparateRegister, i.RequestReturned, i.UnclaimedMoneyDeposited,
                  i.CaseRevokedV2):
        assert model.__doc__ and "[" in model.__doc__, model.__name__
