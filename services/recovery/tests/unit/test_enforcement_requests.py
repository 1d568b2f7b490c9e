"""A bank's request for enforcement as a creditor (enforcement_requests.py): the judgment's dates checked
(effective not after filing, filing not in the future), claim items present and each once; the case id
is intake's id of a request under the bank's reference; the same request again records nothing and
another one under the same id is refused (application.file_request); the relay publishes
recovery.EnforcementRequested.v1 keyed by that case, without any personal data."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import NAMESPACE_URL, uuid4, uuid5

import pytest
from eventsourcing.domain import DomainEvent

from thads_contracts.registry import decode
from thads_contracts.topics import RECOVERY_DEBT
from recovery_service import application as appl
from recovery_service import translation as t
from recovery_service.application import Recovery
from recovery_service.enforcement_requests import (EnforcementRequest, ErasureInvalidError, RequestInvalidError,
                                                   RequestReusedError, RetentionError, intake_ref_of, request_id_of)

VN = timezone(timedelta(hours=7))
AT = datetime(2026, 3, 4, 9, tzinfo=VN)


def details(**over):
    return {"unit": "TH-01", "judgment_number": "88/2025/KDTM-ST", "issuing_court": "TAND tỉnh Thanh Hóa",
            "judgment_effective_on": "2025-09-15", "filed_on": "2026-03-04",
            "claims": [{"claim_item_id": str(uuid4()), "amount_vnd": 750_000_000, "secured": True}]} | over


def test_a_request_names_intakes_case_and_is_published_without_personal_data():
    rid = str(uuid4())
    req = EnforcementRequest.file(bank_code="VCB", request_id=rid, details=details(), actor="bank/VCB", at=AT)
    ref = intake_ref_of("VCB", rid)
    assert req.id == request_id_of("VCB", rid)
    assert req.case_id == uuid5(NAMESPACE_URL, f"/thads/units/TH-01/requests/{ref}")
    [filed] = req.collect_events()
    out = t.relay_translate(filed, 41)
    assert out.topic == RECOVERY_DEBT and out.key == str(req.case_id).encode()
    env = decode(RECOVERY_DEBT, out.value)
    assert env.event_type == "recovery.EnforcementRequested.v1" and env.payload.intake_ref == ref
    assert env.case_id == req.case_id and env.unit == "TH-01" and env.actor.role == "bank"
    assert set(env.payload.model_dump()) == {"bank_code", "request_id", "intake_ref", "bank_party_id",
                                             "judgment_number", "issuing_court", "judgment_effective_on",
                                             "filed_on", "claims"}


@pytest.mark.parametrize("bad", [
    {"judgment_effective_on": "2026-03-05"},            # takes effect after the filing
    {"filed_on": "2026-03-05"},                         # filed tomorrow
    {"judgment_number": " "},
    {"claims": []},
    {"claims": [{"claim_item_id": "x", "amount_vnd": 1, "secured": False}] * 2},
])
def test_a_request_without_a_consistent_judgment_or_claims_is_refused(bad):
    with pytest.raises(RequestInvalidError):
        EnforcementRequest.file(bank_code="VCB", request_id=str(uuid4()), details=details(**bad), actor="bank/VCB", at=AT)


def test_the_same_request_again_records_nothing_and_another_under_its_id_is_refused():
    app = Recovery(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    rid, d = str(uuid4()), details()
    saved, answer = appl.file_request(app, bank_code="VCB", request_id=rid, details=d, actor="bank/VCB", at=AT)()
    assert answer["recorded"] is True
    app.save(*saved)
    again, second = appl.file_request(app, bank_code="VCB", request_id=rid, details=d, actor="bank/VCB", at=AT)()
    assert again == [] and second == answer | {"recorded": False}
    with pytest.raises(RequestReusedError):
        appl.file_request(app, bank_code="VCB", request_id=rid, details=d | {"judgment_number": "1/2025"},
                          actor="bank/VCB", at=AT)()
    # another bank may use the same id of its own: a different request
    _, bidv = appl.file_request(app, bank_code="BIDV", request_id=rid, details=d, actor="bank/BIDV", at=AT)()
    assert bidv["recorded"] is True and bidv["case_id"] != answer["case_id"]


def test_every_request_event_class_is_published_or_internal():
    classes = {v for k, v in vars(EnforcementRequest).items() if isinstance(v, type) and issubclass(v, DomainEvent)
               and k not in ("Event", "Created", "Snapshot")}
    assert classes == {EnforcementRequest.Filed, EnforcementRequest.PersonalDataErased}
    assert EnforcementRequest.PersonalDataErased in t.INTERNAL


def test_personal_data_is_erased_only_after_retention_with_a_ground_and_once():
    req = EnforcementRequest.file(bank_code="VCB", request_id=str(uuid4()), details=details(), actor="bank/VCB", at=AT)
    ask = {"ground": "purpose_fulfilled", "requested_by": "data_subject", "request_ref": "01/ĐN-2031",
           "actor": "head/tt-01", "at": AT}
    with pytest.raises(RetentionError):                  # the bank's file is still open
        req.erase_personal_data(file_closed_on=None, today=date(2031, 1, 1), **ask)
    with pytest.raises(RetentionError):                  # closed less than 5 years ago
        req.erase_personal_data(file_closed_on=date(2026, 6, 1), today=date(2031, 5, 31), **ask)
    with pytest.raises(ErasureInvalidError):
        req.erase_personal_data(file_closed_on=date(2020, 1, 1), today=date(2031, 1, 1), **ask | {"ground": "bored"})
    assert req.erased is None
    assert req.erase_personal_data(file_closed_on=date(2026, 6, 1), today=date(2031, 6, 1), **ask)
    assert req.erased["ground"] == "purpose_fulfilled" and req.erased["by"] == "head/tt-01"
    assert not req.erase_personal_data(file_closed_on=date(2026, 6, 1), today=date(2031, 6, 2), **ask)
    assert [type(e).__name__ for e in req.collect_events()] == ["Filed", "PersonalDataErased"]


def test_a_resend_on_a_later_day_without_a_filing_date_is_the_same_request():
    app = Recovery(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    rid, today = str(uuid4()), details()
    saved, first = appl.file_request(app, bank_code="VCB", request_id=rid, details=today, actor="bank/VCB",
                                     at=AT, filed_on_given=False)()
    app.save(*saved)
    later = today | {"filed_on": "2026-03-05"}        # the default "today" of the next day
    again, second = appl.file_request(app, bank_code="VCB", request_id=rid, details=later, actor="bank/VCB",
                                      at=AT + timedelta(days=1), filed_on_given=False)()
    assert again == [] and second == first | {"recorded": False}
    with pytest.raises(RequestReusedError):           # a date the bank states itself must match
        appl.file_request(app, bank_code="VCB", request_id=rid, details=later, actor="bank/VCB",
                          at=AT + timedelta(days=1))()
