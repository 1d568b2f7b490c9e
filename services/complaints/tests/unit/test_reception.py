"""Citizen reception: ad-hoc sessions name their reason, a petition brought above the competent level
is flagged vượt cấp and forwarded (published as PetitionForwarded), at least one scheduled day a month."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from thads_contracts.registry import decode
from thads_contracts.topics import COMPLAINTS_COMPLAINT

from complaints_service import reception as r
from complaints_service import translation as t

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=7)))
TODAY = date(2026, 12, 1)


def session(unit: str = "TH", kind=r.SessionKind.SCHEDULED, reason=None) -> r.ReceptionSession:
    return r.ReceptionSession.open(session_id=uuid4(), unit=unit, kind=kind, reason=reason, held_on=date(2026, 3, 10),
                                   head_id="head-TH", today=TODAY, actor="head/head-TH", at=AT)


def test_an_ad_hoc_session_names_its_reason():
    with pytest.raises(r.AdHocReasonError) as e:
        session(kind=r.SessionKind.AD_HOC)
    assert e.value.rule == "reception.ad_hoc_reason"
    assert session(kind=r.SessionKind.AD_HOC, reason=r.AdHocReason.MASS).reason == "mass"


@pytest.mark.parametrize("reception, competent, vuot_cap", [
    ("TH", "TH-KV01", True), ("CUC", "TH", True), ("CUC", "TH-KV01", True),
    ("TH-KV01", "TH-KV01", False), ("TH-KV01", "TH", False), ("TH-KV01", "TH-KV02", False), ("TH", "HN-KV01", False),
])
def test_vuot_cap_is_a_petition_brought_above_the_competent_level(reception, competent, vuot_cap):
    assert r.is_vuot_cap(reception, competent) is vuot_cap


def test_a_forwarded_visit_is_published_with_the_flag_and_one_handled_here_is_not():
    s = session()
    s.record_visit(visit_id=uuid4(), petition_kind=r.PetitionKind.COMPLAINT, summary="Khiếu nại kê biên nhà",
                   competent_unit="TH-KV01", case_id=None, visitors=3, actor="head/h", at=AT)
    s.record_visit(visit_id=uuid4(), petition_kind=r.PetitionKind.PROPOSAL, summary="Kiến nghị", competent_unit="TH",
                   case_id=None, visitors=1, actor="head/h", at=AT)
    out = [t.relay_translate(e, n) for n, e in enumerate(s.collect_events(), start=1)]
    published = [decode(COMPLAINTS_COMPLAINT, o.value) for o in out if o is not None]
    assert len(published) == 1
    p = published[0].payload
    assert p.vuot_cap and p.competent_unit == "TH-KV01" and p.reception_unit == "TH" and p.received_on == date(2026, 3, 10)


def test_at_least_one_scheduled_day_a_month():
    held = [("ad_hoc", date(2026, 3, 3)), ("scheduled", date(2026, 4, 15))]
    assert not r.month_compliance(held, 2026, 3)["compliant"]
    assert r.month_compliance(held, 2026, 4)["compliant"]
