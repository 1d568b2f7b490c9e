"""The deadline watch's command, in memory: it re-checks the case before recording anything."""
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from intake_service.deadlines import Step, due_date
from intake_service.domain import Actor, Case, Role
from intake_service.scheduler import DeadlineWatch

TZ = timezone(timedelta(hours=7))
CLERK = Actor("clerk-1", Role.CLERK)
HEAD = Actor("head-1", Role.HEAD)
NOW = datetime(2025, 1, 2, 8, tzinfo=TZ)
DECIDED_ON = date(2024, 3, 6)
COPY_DUE = due_date(Step.PROCURACY_COPY, DECIDED_ON)


class FakeApp:
    def __init__(self, *cases: Case) -> None:
        self.cases = {c.id: c for c in cases}

    def get_case(self, case_id: UUID) -> Case:
        case = self.cases[case_id]
        case.collect_events()   # as if freshly loaded: nothing pending
        return case


def decided_case() -> Case:
    case = Case.receive_judgment("HN-01", "BA-1", datetime(2024, 3, 4, 9, tzinfo=TZ), CLERK,
                                 judgment_number="1/2024/HS-ST", issuing_court="TAND Hà Nội")
    case.decide_enforcement("QD-1", "ex_officio", datetime(2024, 3, 6, 9, tzinfo=TZ), HEAD)
    case.collect_events()
    return case


def watch(app: FakeApp, **kwargs) -> DeadlineWatch:
    kwargs.setdefault("quiet_for", timedelta(0))   # the cases here were recorded a moment ago
    return DeadlineWatch("intake", pool=None, batcher=None, app=app, now=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def test_a_missed_deadline_is_recorded_once_by_the_system_actor():
    case = decided_case()
    command = watch(FakeApp(case))._command(case.id, [("procuracy_copy", COPY_DUE)], NOW.date())

    aggregates, recorded = command()
    assert recorded == 1 and aggregates == [case]
    (event,) = case.collect_events()
    assert (type(event).__name__, event.step, event.due, event.actor_id, event.actor_role) == (
        "DeadlineMissed", "procuracy_copy", COPY_DUE.isoformat(), "deadline-watch", "system")

    assert command() == ([], 0)


def test_a_deadline_done_since_the_view_was_read_is_not_recorded():
    case = decided_case()
    case.record_procuracy_copy("QD-1", date(2024, 3, 20), datetime(2024, 3, 20, 9, tzinfo=TZ), CLERK)
    command = watch(FakeApp(case))._command(case.id, [("procuracy_copy", COPY_DUE)], NOW.date())

    assert command() == ([], 0)


def test_a_case_recorded_on_within_the_quiet_period_is_left_alone():
    # the view said "quiet", but an import recorded a step since: nothing is recorded now
    case = decided_case()
    recent = watch(FakeApp(case), quiet_for=timedelta(minutes=15))
    command = recent._command(case.id, [("procuracy_copy", COPY_DUE)], NOW.date())
    assert command() == ([], 0)

    # by recording time, not business time: the same case once 15 minutes passed on the wall clock
    later = watch(FakeApp(case), quiet_for=timedelta(minutes=15),
                  clock=lambda: datetime.now(timezone.utc) + timedelta(minutes=15, seconds=1))
    aggregates, recorded = later._command(case.id, [("procuracy_copy", COPY_DUE)], NOW.date())()
    assert recorded == 1 and aggregates == [case]


def test_the_watch_waits_fifteen_minutes_by_default():
    w = DeadlineWatch("intake", pool=None, batcher=None, app=None)  # type: ignore[arg-type]
    assert w.quiet_for == timedelta(minutes=15)
