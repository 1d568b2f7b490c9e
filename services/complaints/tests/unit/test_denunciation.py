"""The Denunciation aggregate: who handles it, 60 days (≤ 90 when complex), repeats without new
content not re-examined, group denunciations with 2–5 representatives."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from complaints_service import denunciations as dn
from complaints_service import domain as d

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=7)))
TODAY = date(2026, 12, 1)


def filed(role=dn.AccusedRole.OFFICER, unit="TH-KV01", **kw) -> dn.Denunciation:
    return dn.Denunciation.file(denunciation_id=uuid4(), accused_role=role, accused_unit=unit, accused_id="cv-07",
                                received_on=kw.pop("received_on", date(2026, 3, 2)), content="Nhận tiền của đương sự",
                                today=TODAY, actor="clerk/c", at=AT, **kw)


def test_the_managing_office_handles_staff_and_the_level_above_handles_a_head():
    assert filed().handler_unit == "TH-KV01"
    assert filed(dn.AccusedRole.HEAD).handler_unit == "TH"
    assert filed(dn.AccusedRole.HEAD, "TH").handler_unit == "CUC"


def test_60_days_extendable_once_to_at_most_90():
    x = filed()
    with pytest.raises(d.NotCompetentError):
        x.accept(decider_unit="TH", accepted_on=date(2026, 3, 3), today=TODAY, actor="h", at=AT)
    x.accept(decider_unit="TH-KV01", accepted_on=date(2026, 3, 3), today=TODAY, actor="h", at=AT)
    assert x.due_on == date(2026, 5, 2)
    with pytest.raises(dn.ExtensionError):
        x.extend(decider_unit="TH-KV01", days=31, today=TODAY, actor="h", at=AT)
    x.extend(decider_unit="TH-KV01", days=30, today=TODAY, actor="h", at=AT)
    assert x.due_on == date(2026, 6, 1)
    with pytest.raises(dn.ExtensionError):
        x.extend(decider_unit="TH-KV01", days=1, today=TODAY, actor="h", at=AT)
    x.resolve(decider_unit="TH-KV01", finding=dn.Finding.UNFOUNDED, conclusion_number="3/KL", concluded_on=date(2026, 6, 2),
              today=TODAY, actor="h", at=AT)
    assert x.finding["on_time"] is False and x.status is dn.DStatus.RESOLVED


def test_a_repeat_without_new_content_is_recorded_but_not_reexamined():
    first = filed()
    first.accept(decider_unit="TH-KV01", accepted_on=date(2026, 3, 3), today=TODAY, actor="h", at=AT)
    first.resolve(decider_unit="TH-KV01", finding=dn.Finding.UNFOUNDED, conclusion_number="1/KL",
                  concluded_on=date(2026, 4, 1), today=TODAY, actor="h", at=AT)
    again = filed(repeat_of=first, received_on=date(2026, 5, 1))
    assert again.status is dn.DStatus.NOT_REEXAMINED and again.next_due_on is None
    with pytest.raises(dn.DenunciationStatusError):
        again.accept(decider_unit="TH-KV01", accepted_on=date(2026, 5, 2), today=TODAY, actor="h", at=AT)
    assert filed(repeat_of=first, new_content=True, received_on=date(2026, 5, 1)).status is dn.DStatus.RECEIVED
    with pytest.raises(dn.RepeatOfError):
        filed(unit="TH-KV02", repeat_of=first)


def test_a_group_of_five_or_more_names_two_to_five_representatives():
    with pytest.raises(dn.GroupRepresentativesError) as e:
        filed(denouncers=6, representatives=1)
    assert e.value.rule == "denunciation.group_representatives"
    with pytest.raises(dn.GroupRepresentativesError):
        filed(denouncers=9, representatives=6)
    assert filed(denouncers=6, representatives=2).denouncers == 6
    assert filed(denouncers=4).representatives == 0


def test_no_identity_in_any_event():
    x = filed(denouncers=6, representatives=2)
    for e in x.collect_events():
        assert not {"full_name", "id_number", "address", "phone"} & set(vars(e)), type(e).__name__


def _erase(x: dn.Denunciation, today: date, seqs=None, unit="TH-KV01") -> list[int]:
    return x.erase_denouncers(decider_unit=unit, seqs=seqs, ground="consent_withdrawn", requested_by="data_subject",
                              request_ref="01/ĐN", legal_basis="Điều 16 Nghị định 13/2023/NĐ-CP", today=today,
                              actor="head/h", at=AT)


def test_denouncers_are_kept_while_open_and_five_years_after_the_conclusion_then_erased_once():
    x = filed(received_on=date(2019, 1, 2), denouncers=3)
    with pytest.raises(dn.DenouncerDataRetainedError):
        _erase(x, TODAY)                                       # open: kept whatever the date
    x.accept(decider_unit="TH-KV01", accepted_on=date(2019, 1, 10), today=TODAY, actor="h", at=AT)
    x.resolve(decider_unit="TH-KV01", finding=dn.Finding.UNFOUNDED, conclusion_number="1/KL",
              concluded_on=date(2019, 2, 1), today=TODAY, actor="h", at=AT)
    with pytest.raises(dn.DenouncerDataRetainedError):
        _erase(x, date(2024, 1, 31))                           # the last day of the retention
    with pytest.raises(d.NotCompetentError):
        _erase(x, date(2024, 2, 1), unit="TH-KV02")
    with pytest.raises(d.InvalidValueError):
        _erase(x, date(2024, 2, 1), seqs=[4])
    assert _erase(x, date(2024, 2, 1), seqs=[2]) == [2]        # the first day it may be erased
    assert _erase(x, date(2024, 2, 1)) == [1, 3]               # the others; 2 is not erased twice
    with pytest.raises(dn.DenouncerDataAlreadyErasedError):
        _erase(x, date(2024, 2, 1))
    assert [e["seqs"] for e in x.erasures] == [[2], [1, 3]] and x.status is dn.DStatus.RESOLVED
    assert x.erasures[0]["ground"] == "consent_withdrawn" and x.erasures[0]["actor"] == "head/h"


def test_a_repeat_not_re_examined_is_closed_on_receipt_for_the_retention():
    first = filed(received_on=date(2018, 5, 2))
    first.accept(decider_unit="TH-KV01", accepted_on=date(2018, 5, 3), today=TODAY, actor="h", at=AT)
    first.resolve(decider_unit="TH-KV01", finding=dn.Finding.UNFOUNDED, conclusion_number="2/KL",
                  concluded_on=date(2018, 6, 1), today=TODAY, actor="h", at=AT)
    repeat = filed(received_on=date(2019, 3, 4), repeat_of=first)
    assert repeat.status is dn.DStatus.NOT_REEXAMINED and repeat.closed_on == date(2019, 3, 4)
    with pytest.raises(dn.DenouncerDataRetainedError):
        _erase(repeat, date(2024, 3, 3))
    assert _erase(repeat, date(2024, 3, 4)) == [1]
