"""The Filing's rules: the 1-working-day review day (across a weekend and Tết), the judgment date not in
the future, claims or an act, send back → correct → accept keeping the code and history, refusal
grounds, milestones recorded once."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from online_service.calendar_vn import add_working_days
from online_service.domain import (
    VN_TZ, Filing, InvalidFilingError, JudgmentDateInFutureError, Status, WrongStatusError, case_id_of,
)

DETAILS = {"requester_role": "creditor", "issuing_court": "TAND khu vực 1", "judgment_number": "1/2025/DS-ST",
           "judgment_effective_on": "2025-06-10", "claims": [{"kind": "money", "amount_vnd": 5_000_000}],
           "act": None, "attachments": []}


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=VN_TZ)


def filed(on: date, **over) -> Filing:
    return Filing.submit(tracking_code="TD-0123456789", unit="TH-KV01", suggested_unit="TH-KV01",
                         details=DETAILS | over, at=at(on))


@pytest.mark.parametrize("filed_on, due", [
    (date(2026, 3, 4), date(2026, 3, 5)),     # Wednesday → Thursday
    (date(2026, 3, 6), date(2026, 3, 9)),     # Friday → Monday, across the weekend
    (date(2026, 3, 7), date(2026, 3, 9)),     # filed on Saturday → the next working day
    (date(2026, 2, 13), date(2026, 2, 23)),   # Friday before Tết Bính Ngọ (16–20/2/2026) → Monday after
    (date(2026, 2, 17), date(2026, 2, 23)),   # filed during Tết
    (date(2025, 1, 24), date(2025, 2, 3)),    # Friday before Tết Ất Tỵ (27–31/1/2025) → Monday after
])
def test_the_office_has_one_working_day_to_flag_defects(filed_on, due):
    assert filed(filed_on, judgment_effective_on="2024-12-02").review_due_on == due
    assert add_working_days(filed_on, 1) == due


def test_overdue_only_after_the_review_day_and_only_while_waiting():
    f = filed(date(2026, 2, 13))
    assert not f.overdue(date(2026, 2, 23)) and f.overdue(date(2026, 2, 24))
    f.accept(actor="clerk/tk", at=at(date(2026, 2, 24)))
    assert not f.overdue(date(2026, 3, 1))


def test_a_late_send_back_is_recorded_and_marked_late():
    f = filed(date(2026, 3, 6))
    f.send_back(missing=["judgment_copy"], note=None, actor="clerk/tk", at=at(date(2026, 3, 10)))
    assert f.status is Status.SENT_BACK and f.history[-1]["late"] is True
    g = filed(date(2026, 3, 6))
    g.send_back(missing=["judgment_copy"], note=None, actor="clerk/tk", at=at(date(2026, 3, 9)))
    assert g.history[-1]["late"] is False


def test_judgment_date_in_the_future_is_refused():
    with pytest.raises(JudgmentDateInFutureError):
        filed(date(2026, 3, 6), judgment_effective_on="2026-03-07")
    filed(date(2026, 3, 6), judgment_effective_on="2026-03-06")


def test_a_request_names_claims_or_an_act():
    with pytest.raises(InvalidFilingError):
        filed(date(2026, 3, 6), claims=[], act="  ")
    assert filed(date(2026, 3, 6), claims=[], act="Trả lại xe máy").status is Status.SUBMITTED


def test_send_back_correct_accept_keeps_code_and_history():
    f = filed(date(2026, 3, 4))
    with pytest.raises(WrongStatusError):
        f.correct(details=DETAILS, unit=None, at=at(date(2026, 3, 4), 11))
    with pytest.raises(InvalidFilingError):
        f.send_back(missing=[], note=None, actor="clerk/tk", at=at(date(2026, 3, 5)))
    f.send_back(missing=["judgment_copy"], note="Thiếu bản án", actor="clerk/tk", at=at(date(2026, 3, 5)))
    with pytest.raises(WrongStatusError):
        f.accept(actor="clerk/tk", at=at(date(2026, 3, 5), 11))
    f.correct(details=DETAILS | {"attachments": [{"kind": "judgment_copy", "sha256": "ab"}]}, unit="TH-KV02",
              at=at(date(2026, 3, 6)))
    assert f.review_due_on == date(2026, 3, 9) and f.unit == "TH-KV02" and f.missing == []
    f.accept(actor="clerk/tk", at=at(date(2026, 3, 9)))
    assert f.tracking_code == "TD-0123456789" and f.status is Status.ACCEPTED
    assert f.case_id == case_id_of("TH-KV02", "TD-0123456789")
    assert [h["step"] for h in f.history] == ["Submitted", "SentBack", "Corrected", "Accepted"]
    with pytest.raises(WrongStatusError):
        f.refuse(ground="not_competent", note=None, actor="clerk/tk", at=at(date(2026, 3, 9)))


def test_refusal_needs_a_legal_ground():
    f = filed(date(2026, 3, 4))
    with pytest.raises(InvalidFilingError):
        f.refuse(ground="bored", note=None, actor="clerk/tk", at=at(date(2026, 3, 5)))
    f.refuse(ground="limitation_expired", note=None, actor="clerk/tk", at=at(date(2026, 3, 5)))
    assert f.status is Status.REFUSED


def test_a_milestone_is_recorded_once_per_source_event():
    f = filed(date(2026, 3, 4))
    f.accept(actor="clerk/tk", at=at(date(2026, 3, 5)))
    assert f.record_milestone(source_event_id="e1", kind="decision_issued", label="Đã ra quyết định",
                              occurred_at=at(date(2026, 3, 6)))
    assert not f.record_milestone(source_event_id="e1", kind="decision_issued", label="Đã ra quyết định",
                                  occurred_at=at(date(2026, 3, 6)))
    assert len(f.milestones) == 1
