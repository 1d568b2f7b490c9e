"""The seizure order names the secured creditor (mortgagee, pledgee) when the seized asset is collateral
(LCJE Arts. 47(3), 90): it must be the creditor of a secured claim item of the seizure; SeizureOrdered
carries it (an optional field of v1: older messages without it still decode), so the auctions service
pays it first from the proceeds without an officer re-typing it."""

import pytest

from thads_contracts.registry import decode
from thads_contracts.topics import INTAKE_CASE

from intake_service import translation as t
from intake_service.domain import Case, InvalidValueError
from intake_service.testing import CLERK, HEAD, JUDGMENT, OFFICER, at


def enforcing() -> Case:
    case = Case.receive_judgment("U-HN", "BA-KB", at(2024, 3, 4), CLERK, **JUDGMENT)
    case.add_party("P-BANK", "creditor", "credit_institution", at(2024, 3, 4), CLERK, bank_code="VCB")
    case.add_party("P-CR", "creditor", "organisation", at(2024, 3, 4), CLERK)
    case.add_claim_item("I-LOAN", "credit_debt", 300_000_000, "P-BANK", at(2024, 3, 4), CLERK, secured=True)
    case.add_claim_item("I-2", "other", 50_000_000, "P-CR", at(2024, 3, 4), CLERK)
    case.decide_enforcement("QD-THA-1", "ex_officio", at(2024, 3, 5), HEAD)
    case.notify(at(2024, 3, 6), OFFICER)
    case.start_verification(at(2024, 3, 20), OFFICER)
    case.record_verification("with_conditions", at(2024, 3, 22), OFFICER)
    case.collect_events()
    return case


def seizure_published(case: Case):
    [env] = [decode(INTAKE_CASE, o.value) for n, e in enumerate(case.collect_events(), start=1)
             if (o := t.relay_translate(e, n)) is not None]
    return env


def test_the_secured_creditor_travels_with_the_seizure_order():
    case = enforcing()
    case.order_seizure("QD-KB-1", "Nhà đất thửa 12", ["I-LOAN", "I-2"], at(2024, 3, 26), OFFICER,
                       asset_kind="real_estate", secured_creditor_party_id="P-BANK")
    env = seizure_published(case)
    assert env.event_type == "intake.SeizureOrdered.v1"
    assert env.payload.secured_creditor_party_id == t.public_id(case.id, "party", "P-BANK")
    assert env.payload.claim_item_ids[0] == t.public_id(case.id, "claim_item", "I-LOAN")


def test_without_a_secured_creditor_the_field_stays_empty():
    case = enforcing()
    case.order_seizure("QD-KB-2", "Xe ô tô", ["I-2"], at(2024, 3, 26), OFFICER, asset_kind="movable")
    assert seizure_published(case).payload.secured_creditor_party_id is None


@pytest.mark.parametrize("party,items", [("P-CR", ["I-2"]),          # not secured
                                         ("P-BANK", ["I-2"]),        # secured, but not an item of this seizure
                                         ("P-NOBODY", ["I-LOAN"])])  # not a party
def test_only_the_creditor_of_a_secured_item_of_the_seizure_is_accepted(party, items):
    case = enforcing()
    with pytest.raises(InvalidValueError) as e:
        case.order_seizure("QD-KB-3", "Nhà đất", items, at(2024, 3, 26), OFFICER, asset_kind="real_estate",
                           secured_creditor_party_id=party)
    assert (e.value.rule, e.value.legal_basis) == ("seizure.secured_creditor", "Luật THADS Điều 47(3), 90")
    assert e.value.message_vi and case.collect_events() == []
