"""Limitation period (thời hiệu, Art. 30): a request filed more than 5 years after the judgment took
effect can only be refused; a refusal on that ground needs the period to have expired."""

from datetime import date, datetime, timedelta, timezone

import pytest

from intake_service.domain import (
    Actor,
    Case,
    InvalidGroundError,
    LimitationExpiredError,
    Role,
    Status,
)

TZ = timezone(timedelta(hours=7))
JUDGMENT = {"judgment_number": "125/2019/DS-ST", "issuing_court": "Tòa án nhân dân quận Hoàn Kiếm"}
HEAD = Actor("head-1", Role.HEAD)
CLERK = Actor("clerk-1", Role.CLERK)


def at(d: date, h: int = 9) -> datetime:
    return datetime(d.year, d.month, d.day, h, tzinfo=TZ)


def request(filed_on: date, effective_on: date | None) -> Case:
    return Case.receive_request("U-HN", f"DON-{filed_on}", "post", at(filed_on + timedelta(days=2)), CLERK,
                                filed_on=filed_on, judgment_effective_on=effective_on, **JUDGMENT)


def decide(case: Case) -> None:
    case.decide_enforcement("QD-THA-1", "on_request", at(case.received_on + timedelta(days=1)), HEAD)


def refuse(case: Case, ground: str = "limitation_expired") -> None:
    case.refuse_request(ground, at(case.received_on + timedelta(days=1)), HEAD)


# (judgment in force, last day in time): 5 years to the same day; 29/2 → 28/2; a Saturday rolls to Monday
BOUNDARIES = [
    (date(2020, 1, 15), date(2025, 1, 15)),   # a Wednesday
    (date(2020, 2, 29), date(2025, 2, 28)),   # leap day: 2025 has no 29/2 → Friday 28/2
    (date(2020, 3, 1), date(2025, 3, 3)),     # 1/3/2025 is a Saturday → Monday 3/3 (Civil Code Art. 148(5))
]


@pytest.mark.parametrize(("effective_on", "last_day"), BOUNDARIES, ids=str)
def test_the_limitation_ends_five_years_after_the_judgment_took_effect(effective_on, last_day):
    assert request(last_day, effective_on).limitation_expires_on == last_day


@pytest.mark.parametrize(("effective_on", "last_day"), BOUNDARIES, ids=str)
@pytest.mark.parametrize("days_before", [0, 1], ids=["on the last day", "the day before"])
def test_a_request_filed_in_time_is_decided_and_cannot_be_refused_as_out_of_time(effective_on, last_day,
                                                                                 days_before):
    filed = last_day - timedelta(days=days_before)
    case = request(filed, effective_on)
    assert not case.limitation_expired
    with pytest.raises(InvalidGroundError, match="Art. 30") as refused:
        refuse(case)
    assert str(last_day) in str(refused.value)
    assert case.collect_events()[-1].__class__.__name__ == "RequestReceived"  # nothing recorded
    decide(case)
    assert case.status is Status.DECIDED


@pytest.mark.parametrize(("effective_on", "last_day"), BOUNDARIES, ids=str)
def test_a_request_filed_the_day_after_can_only_be_refused(effective_on, last_day):
    case = request(last_day + timedelta(days=1), effective_on)
    assert case.limitation_expired
    with pytest.raises(LimitationExpiredError, match="Art. 30") as refused:
        decide(case)
    assert "limitation_expired" in str(refused.value)
    assert case.status is Status.REQUEST_RECEIVED and case.decisions == {}
    refuse(case)
    assert (case.status, case.ground) == (Status.REJECTED, "limitation_expired")


def test_the_filing_date_counts_not_the_day_the_request_arrived():
    # Given a request posted on the last day and received three days later
    case = Case.receive_request("U-HN", "DON-POST", "post", at(date(2025, 1, 18)), CLERK,
                                filed_on=date(2025, 1, 15), judgment_effective_on=date(2020, 1, 15), **JUDGMENT)
    # Then it is in time (Art. 31: filing date = postmark)
    assert not case.limitation_expired
    decide(case)


def test_other_refusal_grounds_need_no_limitation_check():
    case = request(date(2025, 1, 10), date(2020, 1, 15))
    refuse(case, "not_competent")
    assert case.status is Status.REJECTED


def test_a_judgment_enforced_ex_officio_has_no_limitation():
    # Given a judgment in force for more than 10 years, received for ex officio enforcement
    case = Case.receive_judgment("U-HN", "BA-OLD", at(date(2025, 3, 3)), CLERK, **JUDGMENT,
                                 judgment_effective_on=date(2014, 6, 2))
    # Then no limitation applies and it is decided
    assert case.limitation_expires_on is None and not case.limitation_expired
    case.decide_enforcement("QD-THA-1", "ex_officio", at(date(2025, 3, 4)), HEAD)
    assert case.status is Status.DECIDED


def test_without_the_date_of_effect_nothing_is_checked():
    for decided in (True, False):
        case = request(date(2025, 1, 10), None)
        assert case.limitation_expires_on is None and not case.limitation_expired
        if decided:
            decide(case)
            assert case.status is Status.DECIDED
        else:
            refuse(case)  # the head's refusal is not second-guessed without the date
            assert case.status is Status.REJECTED


def test_the_limitation_survives_a_snapshot():
    case = request(date(2025, 2, 28), date(2020, 2, 29))
    restored = Case.Snapshot.take(case).mutate(None)
    assert restored.limitation_expires_on == date(2025, 2, 28) and not restored.limitation_expired
