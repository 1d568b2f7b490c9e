"""The Complaint aggregate's rules (domain.md §4): each object's limits, competence before and after
1/7/2025, the refusal grounds, the 15-day window for a second complaint, withdrawal and missed limits."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from complaints_service import domain as d
from complaints_service.calendar_vn import add_working_days

AT = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=7)))
TODAY = date(2026, 12, 1)
O = d.ComplaintObject


def decision(obj: O = O.COERCION, role: str = "officer", unit: str = "TH-01", on: date = date(2026, 3, 2)) -> d.Decision:
    return d.Decision(event_id=uuid4(), event_type="intake.SeizureOrdered.v1", case_id=uuid4(), unit=unit,
                      actor_role=role, actor_id=f"{role}-1", decided_on=on, object=obj.value,
                      decision_number="12/QĐ-CCTHADS")


def filed(obj: O = O.COERCION, received: date = date(2026, 3, 10), **kw) -> d.Complaint:
    return d.Complaint.file(complaint_id=uuid4(), decision=decision(obj, **kw), received_on=received, today=TODAY,
                            content="Kê biên vượt quá nghĩa vụ", actor="clerk/c1", at=AT)


def accepted(obj: O = O.COERCION, **kw) -> d.Complaint:
    c = filed(obj, **kw)
    c.accept(decider_unit=c.first_unit, accepted_on=c.received_on, today=TODAY, actor="head/h", at=AT)
    return c


def first_decided(obj: O = O.COERCION, outcome: d.Outcome = d.Outcome.REJECTED, **kw) -> d.Complaint:
    c = accepted(obj, **kw)
    c.decide(decider_unit=c.first_unit, outcome=outcome, decision_number="1/QĐ-GQKN", decided_on=c.accepted_on,
             corrections=None if outcome is d.Outcome.REJECTED else "Giải tỏa kê biên", today=TODAY,
             actor="head/h", at=AT)
    return c


# ---------------------------------------------------------------- time limits per object
@pytest.mark.parametrize("obj, complain_due, first_days", [
    (O.BEFORE_MEASURES, date(2026, 3, 17), 15),
    (O.COERCION, date(2026, 4, 1), 30),
    (O.AFTER_COERCION, date(2026, 4, 1), 15),
    (O.OTHER_SECURITY, date(2026, 3, 12), None),
    (O.ACCOUNT_FREEZE, add_working_days(date(2026, 3, 2), 3), None),
])
def test_each_object_sets_the_time_to_complain_and_to_decide(obj, complain_due, first_days):
    c = filed(obj, received=date(2026, 3, 4))
    assert c.complain_due_on == complain_due and not c.late
    c.accept(decider_unit=c.first_unit, accepted_on=date(2026, 3, 5), today=TODAY, actor="head/h", at=AT)
    if first_days is None:       # account freeze / other security: 5 working days
        assert c.decision_due_on == add_working_days(date(2026, 3, 5), 5)
    else:
        assert c.decision_due_on == date(2026, 3, 5) + timedelta(days=first_days)


def test_account_freeze_counts_working_days_over_the_lunar_new_year():
    c = filed(O.ACCOUNT_FREEZE, received=date(2026, 2, 13), on=date(2026, 2, 13))
    assert c.complain_due_on > date(2026, 2, 18), "Tết holidays are not working days"


def test_complex_or_remote_cases_get_30_more_days():
    c = filed(O.COERCION)
    c.accept(decider_unit=c.first_unit, accepted_on=date(2026, 3, 11), complex=True, today=TODAY, actor="h", at=AT)
    assert c.decision_due_on == date(2026, 3, 11) + timedelta(days=60)


def test_second_instance_limits_and_no_second_instance_for_security_measures():
    c = first_decided(O.COERCION)
    c.file_second(received_on=date(2026, 3, 20), content="Không đồng ý", today=TODAY, actor="clerk/c", at=AT)
    c.accept(decider_unit="CUC", accepted_on=date(2026, 3, 23), today=TODAY, actor="head/c", at=AT)
    assert c.decision_due_on == date(2026, 3, 23) + timedelta(days=45)
    freeze = first_decided(O.ACCOUNT_FREEZE, received=date(2026, 3, 4))
    assert freeze.second_unit is None and freeze.is_final(TODAY)
    with pytest.raises(d.NoSecondInstanceError):
        freeze.file_second(received_on=date(2026, 3, 6), content="x", today=TODAY, actor="c", at=AT)


def test_acceptance_within_5_working_days_is_the_open_limit():
    c = filed(O.COERCION, received=date(2026, 3, 10))    # Tuesday
    assert c.next_due_on == date(2026, 3, 17) and c.open_step == "acceptance"


# ---------------------------------------------------------------- competence
def test_routing_before_the_reform_has_district_heads():
    r = d.route(d.Level.OFFICE_OFFICER, "TH-01", date(2025, 6, 30), O.COERCION)
    assert (r.first_unit, r.second_unit) == ("TH-01", "TH")
    r = d.route(d.Level.OFFICE_HEAD, "TH-01", date(2025, 6, 30), O.COERCION)
    assert (r.first_unit, r.second_unit) == ("TH", "CUC")
    r = d.route(d.Level.PROVINCE_OFFICER, "TH", date(2025, 6, 30), O.COERCION)
    assert (r.first_unit, r.second_unit) == ("TH", "CUC")


def test_routing_from_1_july_2025_goes_to_the_province_then_the_central_department():
    for level in (d.Level.OFFICE_OFFICER, d.Level.OFFICE_HEAD, d.Level.PROVINCE_OFFICER):
        r = d.route(level, "TH-KV01", date(2025, 7, 1), O.COERCION)
        assert (r.first_unit, r.second_unit) == ("TH", "CUC"), level


def test_a_province_heads_decision_goes_to_the_central_department_and_is_final_there():
    for on in (date(2025, 6, 30), date(2025, 7, 1)):
        r = d.route(d.Level.PROVINCE_HEAD, "TH", on, O.COERCION)
        assert (r.first_unit, r.second_unit) == ("CUC", None)


def test_filing_routes_by_who_made_the_decision_and_the_filing_date():
    old = filed(received=date(2025, 6, 20), on=date(2025, 6, 10))
    assert (old.first_unit, old.second_unit, old.level) == ("TH-01", "TH", d.Level.OFFICE_OFFICER)
    new = filed(received=date(2025, 7, 2), on=date(2025, 6, 20))
    assert (new.first_unit, new.second_unit) == ("TH", "CUC")
    head = filed(role="head", unit="TH", received=date(2026, 3, 10))
    assert (head.level, head.first_unit) == (d.Level.PROVINCE_HEAD, "CUC")


def test_only_the_competent_head_accepts_and_decides():
    c = filed(received=date(2026, 3, 10))     # after the reform: the province head
    with pytest.raises(d.NotCompetentError) as e:
        c.accept(decider_unit="TH-01", accepted_on=date(2026, 3, 11), today=TODAY, actor="h", at=AT)
    assert e.value.rule == "complaint.not_competent"
    c.accept(decider_unit="TH", accepted_on=date(2026, 3, 11), today=TODAY, actor="h", at=AT)
    with pytest.raises(d.NotCompetentError):
        c.decide(decider_unit="CUC", outcome=d.Outcome.REJECTED, decision_number="1", decided_on=date(2026, 3, 20),
                 today=TODAY, actor="h", at=AT)


# ---------------------------------------------------------------- refusal grounds
def test_a_late_complaint_is_refused_as_time_expired_and_cannot_be_accepted():
    c = filed(O.COERCION, received=date(2026, 4, 2))       # 31 days after 2/3
    assert c.late
    with pytest.raises(d.TimeExpiredError):
        c.accept(decider_unit="TH", accepted_on=date(2026, 4, 3), today=TODAY, actor="h", at=AT)
    c.refuse(decider_unit="TH", ground=d.RefusalGround.TIME_EXPIRED, refused_on=date(2026, 4, 3), today=TODAY,
             actor="h", at=AT)
    assert c.status is d.Status.NOT_ACCEPTED and c.is_final(TODAY)


def test_learning_of_the_decision_later_starts_the_time_later():
    dec = decision(O.COERCION)
    c = d.Complaint.file(complaint_id=uuid4(), decision=dec, received_on=date(2026, 4, 10),
                         learned_on=date(2026, 3, 20), today=TODAY, content="x", actor="c", at=AT)
    assert not c.late and c.complain_due_on == date(2026, 4, 19)


def test_time_expired_is_not_a_ground_for_a_timely_complaint():
    c = filed(received=date(2026, 3, 10))
    with pytest.raises(d.GroundNotMetError):
        c.refuse(decider_unit="TH", ground=d.RefusalGround.TIME_EXPIRED, refused_on=date(2026, 3, 11), today=TODAY,
                 actor="h", at=AT)


def test_already_final_needs_a_decision_in_force_and_the_other_grounds_are_the_heads():
    c = filed(received=date(2026, 3, 10))
    with pytest.raises(d.GroundNotMetError):
        c.refuse(decider_unit="TH", ground=d.RefusalGround.ALREADY_FINAL, refused_on=date(2026, 3, 11), today=TODAY,
                 actor="h", at=AT)
    c.refuse(decider_unit="TH", ground=d.RefusalGround.ALREADY_FINAL, refused_on=date(2026, 3, 11), today=TODAY,
             already_final=True, actor="h", at=AT)
    for ground in (d.RefusalGround.NO_INTEREST, d.RefusalGround.NO_CAPACITY):
        c = filed(received=date(2026, 3, 10))
        c.refuse(decider_unit="TH", ground=ground, refused_on=date(2026, 3, 11), today=TODAY, actor="h", at=AT)
        assert c.not_accepted["ground"] == ground.value


# ---------------------------------------------------------------- decisions and the second complaint
def test_an_upheld_decision_names_the_corrections_and_orders_them():
    c = accepted()
    with pytest.raises(d.CorrectionsRequiredError):
        c.decide(decider_unit="TH", outcome=d.Outcome.UPHELD, decision_number="1", decided_on=date(2026, 3, 20),
                 today=TODAY, actor="h", at=AT)
    c.decide(decider_unit="TH", outcome=d.Outcome.UPHELD, decision_number="1/QĐ", decided_on=date(2026, 3, 20),
             corrections="Giải tỏa kê biên", today=TODAY, actor="h", at=AT)
    kinds = [type(e).__name__ for e in c.collect_events()]
    assert kinds[-2:] == ["Decided", "CorrectionOrdered"]
    assert c.first["on_time"] and c.status is d.Status.FIRST_DECIDED


def test_a_late_first_decision_is_recorded_as_late():
    c = accepted(received=date(2026, 3, 10))
    c.decide(decider_unit="TH", outcome=d.Outcome.REJECTED, decision_number="1", decided_on=date(2026, 4, 20),
             today=TODAY, actor="h", at=AT)
    assert c.first["on_time"] is False


def test_a_second_complaint_only_after_a_first_decision_and_within_15_days():
    c = accepted()
    with pytest.raises(d.SecondBeforeFirstError) as e:
        c.file_second(received_on=date(2026, 3, 20), content="x", today=TODAY, actor="c", at=AT)
    assert e.value.rule == "complaint.second_before_first_decision"
    c.decide(decider_unit="TH", outcome=d.Outcome.REJECTED, decision_number="1", decided_on=date(2026, 3, 20),
             today=TODAY, actor="h", at=AT)
    assert c.second_window_ends_on == date(2026, 4, 4) and not c.is_final(date(2026, 4, 4))
    assert c.is_final(date(2026, 4, 5))
    with pytest.raises(d.SecondWindowError):
        c.file_second(received_on=date(2026, 4, 5), content="x", today=TODAY, actor="c", at=AT)
    c.file_second(received_on=date(2026, 4, 4), content="x", today=TODAY, actor="c", at=AT)
    assert c.status is d.Status.SECOND_FILED and c.deciding_unit == "CUC"
    with pytest.raises(d.NotCompetentError):
        c.accept(decider_unit="TH", accepted_on=date(2026, 4, 6), today=TODAY, actor="h", at=AT)
    c.accept(decider_unit="CUC", accepted_on=date(2026, 4, 6), today=TODAY, actor="h", at=AT)
    c.decide(decider_unit="CUC", outcome=d.Outcome.PARTLY_UPHELD, decision_number="2", decided_on=date(2026, 5, 6),
             corrections="Định giá lại", today=TODAY, actor="h", at=AT)
    assert c.status is d.Status.SECOND_DECIDED and c.is_final(date(2026, 5, 6))


def test_dates_out_of_order_or_in_the_future_are_refused():
    with pytest.raises(d.InvalidDateError):
        filed(received=date(2026, 3, 1))                      # before the decision
    with pytest.raises(d.InvalidDateError):
        filed(received=TODAY + timedelta(days=1))
    c = filed(received=date(2026, 3, 10))
    with pytest.raises(d.InvalidDateError):
        c.accept(decider_unit="TH", accepted_on=date(2026, 3, 9), today=TODAY, actor="h", at=AT)


def test_withdrawal_ends_an_open_complaint_but_not_a_decided_one():
    c = accepted()
    c.withdraw(withdrawn_on=date(2026, 3, 12), today=TODAY, actor="c", at=AT)
    assert c.status is d.Status.WITHDRAWN and c.next_due_on is None
    with pytest.raises(d.WrongStatusError):
        first_decided().withdraw(withdrawn_on=date(2026, 3, 12), today=TODAY, actor="c", at=AT)


def test_a_missed_limit_is_recorded_once_per_step():
    c = filed(received=date(2026, 3, 10))          # acceptance due 17/3
    assert not c.mark_missed(today=date(2026, 3, 17), at=AT)
    assert c.mark_missed(today=date(2026, 3, 18), at=AT)
    assert not c.mark_missed(today=date(2026, 3, 25), at=AT)
    c.accept(decider_unit="TH", accepted_on=date(2026, 3, 19), today=TODAY, actor="h", at=AT)
    assert c.mark_missed(today=date(2026, 4, 19), at=AT)     # decision due 18/4
    assert [m["step"] for m in c.missed] == ["acceptance", "first_decision"]
