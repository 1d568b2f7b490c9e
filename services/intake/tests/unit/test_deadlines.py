"""Working-day arithmetic on the Vietnamese calendar and the legal deadline table."""

from datetime import date, timedelta

import pytest
from holidays.countries.vietnam import VietnamStaticHolidays

from intake_service.calendar_vn import (
    COMPENSATORY_WORKING_DAYS,
    add_calendar_days,
    add_months,
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)
from intake_service.deadlines import (
    LAW_2025_IN_FORCE,
    Deadline,
    Step,
    Unit,
    deadline_for,
    deadline_table,
    due_date,
    legal_reference,
    separate_register_rule,
)
from intake_service.domain import Actor, Case, Role
from intake_service.testing import JUDGMENT, TZ, at

CLERK, HEAD, OFFICER = Actor("clerk-1", Role.CLERK), Actor("head-1", Role.HEAD), Actor("officer-1", Role.OFFICER)


# ---------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("year", "first_day_off", "last_day_off"),
    [
        (2017, date(2017, 1, 26), date(2017, 2, 1)),
        (2018, date(2018, 2, 14), date(2018, 2, 20)),
        (2019, date(2019, 2, 4), date(2019, 2, 8)),
        (2020, date(2020, 1, 23), date(2020, 1, 29)),
        (2021, date(2021, 2, 10), date(2021, 2, 16)),
        (2022, date(2022, 1, 31), date(2022, 2, 4)),
        (2023, date(2023, 1, 20), date(2023, 1, 26)),
        (2024, date(2024, 2, 8), date(2024, 2, 14)),
        (2025, date(2025, 1, 27), date(2025, 1, 31)),
        (2026, date(2026, 2, 16), date(2026, 2, 20)),
        (2027, date(2027, 2, 4), date(2027, 2, 10)),  # estimate: no published schedule yet
    ],
)
def test_tet_break_matches_the_published_public_sector_schedule(year, first_day_off, last_day_off):
    # Given the Tết break the Government published for public servants
    day = first_day_off
    # Then every day of the break is off, and the days around it are working days
    while day <= last_day_off:
        assert not is_working_day(day), day
        day += timedelta(days=1)
    before = first_day_off - timedelta(days=1)
    while before.weekday() >= 5:
        before -= timedelta(days=1)
    after = last_day_off + timedelta(days=1)
    while after.weekday() >= 5:
        after += timedelta(days=1)
    assert is_working_day(before) and is_working_day(after)
    assert next_working_day(first_day_off) == after


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2017, 1, 25), 1, date(2017, 2, 2)),  # Tết Đinh Dậu 26/1–1/2
        (date(2018, 2, 13), 5, date(2018, 2, 27)),  # Tết Mậu Tuất 14–20/2
        (date(2024, 2, 7), 5, date(2024, 2, 21)),  # Tết Giáp Thìn 8–14/2
        (date(2025, 1, 24), 5, date(2025, 2, 7)),  # Tết Ất Tỵ 27–31/1 (+ weekends: 25/1–2/2)
        (date(2026, 2, 13), 5, date(2026, 2, 27)),  # Tết Bính Ngọ 16–20/2 (14–22/2 with weekends)
    ],
)
def test_working_days_skip_tet(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (date(2025, 4, 24), 5, date(2025, 5, 5), "Sat 26/4/2025 worked for Fri 2/5/2025"),
        (date(2024, 4, 26), 5, date(2024, 5, 7), "Mon 29/4/2024 off, Sat 4/5/2024 worked"),
        (date(2019, 4, 26), 4, date(2019, 5, 6), "Mon 29/4/2019 off, Sat 4/5/2019 worked"),
        (date(2018, 12, 28), 2, date(2019, 1, 3), "Mon 31/12/2018 off"),
        (date(2019, 1, 3), 2, date(2019, 1, 5), "Sat 5/1/2019 worked"),
        (date(2025, 12, 31), 6, date(2026, 1, 10), "Fri 2/1/2026 off, Sat 10/1/2026 worked"),
        (date(2026, 8, 21), 5, date(2026, 8, 27), "Sat 22/8/2026 worked for Mon 31/8/2026"),
    ],
)
def test_working_days_follow_substituted_days(start, n, expected, why):
    assert add_working_days(start, n) == expected, why


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (date(2025, 8, 29), 3, date(2025, 9, 5), "2025: Mon 1/9 and Tue 2/9 off"),
        (date(2026, 8, 28), 3, date(2026, 9, 7), "2026: Mon 31/8 (swap), Tue 1/9, Wed 2/9 off"),
        (date(2024, 8, 30), 1, date(2024, 9, 4), "2024: Mon 2/9 and Tue 3/9 off"),
        (date(2023, 8, 31), 1, date(2023, 9, 5), "2023: Fri 1/9, Sat 2/9 → Mon 4/9 off"),
        (date(2022, 8, 31), 1, date(2022, 9, 5), "2022: Thu 1/9 and Fri 2/9 off"),
        (date(2021, 9, 1), 1, date(2021, 9, 6), "2021: Thu 2/9 and Fri 3/9 off"),
        (date(2018, 8, 31), 1, date(2018, 9, 4), "2018: Sun 2/9 → Mon 3/9 off"),
    ],
)
def test_working_days_skip_national_day(start, n, expected, why):
    assert add_working_days(start, n) == expected, why


def test_the_start_day_is_never_counted_even_when_it_is_a_weekend():
    assert add_working_days(date(2024, 3, 9), 1) == date(2024, 3, 11)  # Saturday → Monday
    assert add_working_days(date(2024, 3, 4), 0) == date(2024, 3, 4)
    with pytest.raises(ValueError):
        add_working_days(date(2024, 3, 4), -1)


def test_every_saturday_the_package_substitutes_from_is_a_working_day_here():
    # Given the swaps `holidays` knows (it lists only the day off side)
    for year, swaps in VietnamStaticHolidays.special_public_holidays.items():
        for swap in swaps if isinstance(swaps[0], tuple) else (swaps,):
            worked = date(swap[4] if len(swap) == 5 else year, swap[2], swap[3])
            # Then the Saturday worked in exchange is a working day in our calendar
            assert worked in COMPENSATORY_WORKING_DAYS, worked
            assert is_working_day(worked)


def test_compensatory_days_are_saturdays():
    assert {d.weekday() for d in COMPENSATORY_WORKING_DAYS} == {5}


def test_holiday_names_are_vietnamese_and_culture_day_counts_from_2026():
    assert holiday_name(date(2025, 1, 29)) == "Tết Nguyên Đán"
    assert holiday_name(date(2025, 9, 2)) == "Quốc khánh"
    assert not is_working_day(date(2026, 11, 24))
    assert is_working_day(date(2025, 11, 24))


def test_calendar_day_periods_roll_past_weekends_and_holidays():
    # 10 days from 20/1/2025 end on 30/1/2025, in Tết → next working day 3/2/2025
    assert add_calendar_days(date(2025, 1, 20), 10) == date(2025, 2, 3)
    assert add_calendar_days(date(2025, 1, 20), 10, roll_forward=False) == date(2025, 1, 30)
    assert add_calendar_days(date(2024, 3, 6), 10) == date(2024, 3, 18)  # Sat 16/3 → Mon 18/3
    assert add_calendar_days(date(2024, 3, 4), 10) == date(2024, 3, 14)


def test_month_periods_end_on_the_same_day_or_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 22), 12, roll_forward=False) == date(2025, 3, 22)
    assert add_months(date(2024, 3, 23), 12) == date(2025, 3, 24)  # Sunday → Monday


def test_working_days_between_counts_the_end_not_the_start():
    assert working_days_between(date(2024, 2, 7), date(2024, 2, 21)) == 5
    assert working_days_between(date(2024, 2, 21), date(2024, 2, 7)) == 0


# ---------------------------------------------------------------- deadline table

BEFORE_2025_LAW = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("step", "amount", "unit", "article"),
    [
        (Step.REFUSAL, 5, Unit.WORKING_DAYS, "Art. 31(5)"),
        (Step.DECISION_ON_REQUEST, 5, Unit.WORKING_DAYS, "Art. 36(1)"),
        (Step.DECISION_EX_OFFICIO, 5, Unit.WORKING_DAYS, "Art. 36(2)"),
        (Step.DECISION_PROVISIONAL_MEASURE, 0, Unit.IMMEDIATELY, "Art. 36(2)"),
        (Step.DECISION_BANKRUPTCY, 3, Unit.WORKING_DAYS, "Art. 36(2)"),
        (Step.PROCURACY_COPY, 3, Unit.WORKING_DAYS, "Art. 38"),
        (Step.VOLUNTARY_PERIOD, 10, Unit.CALENDAR_DAYS, "Art. 45(1)"),
        (Step.VERIFICATION_START, 10, Unit.CALENDAR_DAYS, "Art. 44(1)"),
        (Step.VERIFICATION_START_PROVISIONAL_MEASURE, 0, Unit.IMMEDIATELY, "Art. 44(1)"),
        (Step.NO_CONDITION_DECISION, 5, Unit.WORKING_DAYS, "Art. 44a(1)"),
        (Step.REVERIFICATION, 6, Unit.MONTHS, "Art. 44(2)"),
        (Step.REVERIFICATION_LONG, 12, Unit.MONTHS, "Art. 44(2)"),
        (Step.DISBURSEMENT, 10, Unit.CALENDAR_DAYS, "Art. 47(5)"),
        (Step.SUSPENSION_DECISION, 5, Unit.WORKING_DAYS, "Art. 49(2)"),
        (Step.CONTINUATION_AFTER_SUSPENSION, 5, Unit.WORKING_DAYS, "Art. 49(3)"),
        (Step.TERMINATION_DECISION, 5, Unit.WORKING_DAYS, "Art. 50(2)"),
        (Step.DELEGATION_DECISION, 5, Unit.WORKING_DAYS, "Art. 57(1)(a)"),
        (Step.DELEGATION_DECISION_PROVISIONAL_MEASURE, 24, Unit.HOURS, "Art. 57(1)(a)"),
        (Step.RESULT_CERTIFICATE, 5, Unit.WORKING_DAYS, "Art. 53"),
    ],
)
def test_deadline_table_under_the_2008_law(step, amount, unit, article):
    rule = deadline_for(step, BEFORE_2025_LAW)
    assert (rule.amount, rule.unit) == (amount, unit)
    assert article in rule.legal_basis and "Luật THADS 2008" in rule.legal_basis


def test_the_table_covers_every_step_on_any_date():
    for on in (date(2015, 1, 1), BEFORE_2025_LAW, LAW_2025_IN_FORCE):
        table = deadline_table(on)
        assert [d.step for d in table] == list(Step)
        assert all(isinstance(d, Deadline) for d in table)


def test_from_july_2026_each_rule_names_the_2025_law_or_is_marked_unverified():
    for rule in deadline_table(LAW_2025_IN_FORCE):
        assert "2025" in rule.legal_basis or "ND 152/2026" in rule.legal_basis or "[GK" in rule.legal_basis


def test_renumbered_articles_name_both_references():
    rule = deadline_for(Step.TERMINATION_DECISION, LAW_2025_IN_FORCE)
    assert "Art. 48 Luật THADS 2025" in rule.legal_basis and "Art. 50(2) Luật THADS 2008" in rule.legal_basis
    assert legal_reference("termination", BEFORE_2025_LAW) == "Art. 50 Luật THADS 2008"
    assert "Art. 48 Luật THADS 2025" in legal_reference("termination", LAW_2025_IN_FORCE)


def test_result_certificate_shortens_to_three_working_days_from_july_2026():
    assert deadline_for(Step.RESULT_CERTIFICATE, BEFORE_2025_LAW).amount == 5
    rule = deadline_for(Step.RESULT_CERTIFICATE, LAW_2025_IN_FORCE)
    assert rule.amount == 3 and "Art. 32(3) ND 152/2026" in rule.legal_basis


def test_due_dates_per_unit():
    assert due_date(Step.DECISION_PROVISIONAL_MEASURE, date(2024, 3, 4)) == date(2024, 3, 4)
    assert due_date(Step.DELEGATION_DECISION_PROVISIONAL_MEASURE, date(2024, 3, 4)) == date(2024, 3, 5)
    assert due_date(Step.DECISION_ON_REQUEST, date(2024, 2, 7)) == date(2024, 2, 21)
    assert due_date(Step.REVERIFICATION, date(2024, 3, 22)) == date(2024, 9, 23)  # Sun 22/9 → Mon
    assert due_date("procuracy_copy", date(2025, 8, 29)) == date(2025, 9, 5)


def test_separate_register_waiting_time_depends_on_the_date_and_the_case():
    assert separate_register_rule(BEFORE_2025_LAW, long_case=False).waiting_years == 1
    assert separate_register_rule(BEFORE_2025_LAW, long_case=True).waiting_years == 2
    rule = separate_register_rule(LAW_2025_IN_FORCE, long_case=False)
    assert rule.waiting_years == 2 and "ND 152/2026" in rule.legal_basis


# ---------------------------------------------------------------- a case's deadlines


def test_a_request_received_before_tet_is_decided_on_time_within_five_working_days():
    # Given a request received on Friday 24/1/2025, just before Tết Ất Tỵ
    case = Case.receive_request("U-HN", "DON-7", "post", at(2025, 1, 24), CLERK, **JUDGMENT)
    # When the QĐTHA is issued on 7/2/2025, the fifth working day
    case.decide_enforcement("QD-7", "on_request", at(2025, 2, 7), HEAD)
    # Then the decision deadline is met, and the procuracy copy is open
    rows = {r["step"]: r for r in case.deadlines(as_of=date(2025, 2, 7))}
    assert rows["decision_on_request"]["due"] == date(2025, 2, 7)
    assert rows["decision_on_request"]["status"] == "met"
    assert rows["procuracy_copy"]["status"] == "open"
    assert rows["procuracy_copy"]["due"] == date(2025, 2, 12)


def test_an_undecided_request_becomes_overdue_in_business_time():
    case = Case.receive_request("U-HN", "DON-8", "in_person", at(2024, 2, 7), CLERK, **JUDGMENT)
    assert case.deadlines(as_of=date(2024, 2, 21))[0]["status"] == "open"
    row = case.deadlines(as_of=date(2024, 2, 22))[0]
    assert (row["step"], row["status"], row["legal_basis"]) == (
        "decision_on_request", "overdue", "Art. 36(1) Luật THADS 2008")


def test_a_late_decision_stays_recorded_as_overdue():
    case = Case.receive_judgment("U-HN", "BA-9", at(2024, 2, 7), CLERK, matter="bankruptcy", **JUDGMENT)
    case.decide_enforcement("QD-9", "ex_officio", at(2024, 2, 20), HEAD)  # 3 WD were due 19/2
    row = case.deadlines(as_of=date(2024, 2, 20))[0]
    assert (row["step"], row["due"], row["done_on"], row["status"]) == (
        "decision_bankruptcy", date(2024, 2, 19), date(2024, 2, 20), "overdue")


def test_the_legal_basis_follows_the_law_in_force_on_the_event_date():
    old = Case.receive_request("U-HN", "DON-10", "online", at(2026, 6, 30), CLERK, **JUDGMENT)
    new = Case.receive_request("U-HN", "DON-11", "online", at(2026, 7, 1), CLERK, **JUDGMENT)
    assert old.deadlines(date(2026, 7, 1))[0]["legal_basis"] == "Art. 36(1) Luật THADS 2008"
    assert "Art. 34 Luật THADS 2025" in new.deadlines(date(2026, 7, 1))[0]["legal_basis"]


def test_a_provisional_measure_must_be_decided_the_same_day():
    case = Case.receive_judgment("U-HN", "BPKCTT-1", at(2024, 3, 4), CLERK, matter="provisional_measure", **JUDGMENT)
    row = case.deadlines(as_of=date(2024, 3, 5))[0]
    assert (row["step"], row["due"], row["status"]) == ("decision_provisional_measure", date(2024, 3, 4), "overdue")
