"""Complaints' anti-corruption layer: every Complaint event is either published as a complaints.*
contract or listed as internal; intake's and auctions' decisions become Decision records with their object."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

from thads_contracts import complaints as c
from thads_contracts.examples import example
from thads_contracts.registry import decode
from thads_contracts.topics import COMPLAINTS_COMPLAINT

from complaints_service import domain as d
from complaints_service import translation as t

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=7)))
TODAY = date(2026, 12, 1)


def lifecycle() -> list:
    dec = d.Decision(**t.decision_kwargs(example("intake.SeizureOrdered.v1")))
    k = d.Complaint.file(complaint_id=uuid4(), decision=dec, received_on=date(2025, 4, 20), today=TODAY,
                         content="Kê biên sai", actor="clerk/c1", at=AT)
    k.mark_missed(today=date(2025, 5, 1), at=AT)
    k.accept(decider_unit=k.first_unit, accepted_on=date(2025, 5, 2), today=TODAY, actor="head/h1", at=AT)
    k.decide(decider_unit=k.first_unit, outcome=d.Outcome.REJECTED, decision_number="1/QĐ", decided_on=date(2025, 5, 30),
             today=TODAY, actor="head/h1", at=AT)
    k.file_second(received_on=date(2025, 6, 5), content="Không đồng ý", today=TODAY, actor="clerk/c1", at=AT)
    k.accept(decider_unit=k.second_unit, accepted_on=date(2025, 6, 6), today=TODAY, actor="head/h2", at=AT)
    k.decide(decider_unit=k.second_unit, outcome=d.Outcome.PARTLY_UPHELD, decision_number="2/QĐ",
             decided_on=date(2025, 7, 1), corrections="Định giá lại tài sản", today=TODAY, actor="head/h2", at=AT)
    return [dec, k]


def test_a_seizure_is_a_coercive_measure_made_by_its_officer():
    env = example("intake.SeizureOrdered.v1")
    kw = t.decision_kwargs(env)
    assert kw["object"] == "coercion" and kw["actor_role"] == "officer" and kw["decided_on"] == env.payload.ordered_on
    assert t.decision_kwargs(example("intake.PartyAdded.v1")) is None, "not a decision"


def test_every_event_of_a_complaint_is_published_or_internal_and_decodes():
    published = []
    for n, event in enumerate((e for agg in lifecycle() for e in agg.collect_events()), start=1):
        env = t.to_contract(event, n)
        if env is not None:
            published.append(decode(COMPLAINTS_COMPLAINT, t.relay_translate(event, n).value))
    kinds = [type(e).__name__ for e in published]
    assert kinds == ["ComplaintReceived", "DeadlineMissed", "ComplaintAccepted", "ComplaintResolved",
                     "ComplaintReceived", "ComplaintAccepted", "ComplaintResolved", "CorrectionRequested"]
    first, last = published[3], published[6]
    assert published[2].payload.on_time is False and published[2].payload.due_on == date(2025, 4, 25)
    assert first.payload.resolution is c.Resolution.REJECTED and not first.payload.final
    assert first.payload.deciding_unit == "HN-KV01" and last.payload.deciding_unit == "HN" and last.payload.final  # before 1/7/2025
    corr = published[-1]
    assert corr.payload.decision_event_type == "intake.SeizureOrdered.v1" and corr.case_id == published[0].case_id
    assert corr.actor.role == "head" and corr.actor.unit == "HN"
