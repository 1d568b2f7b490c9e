"""The Complaint aggregate (khiếu nại) and the rules it lives by; which rule lives where
(domain.md §4; Law on Civil Judgment Enforcement "LCJE" Arts. 140–148):

- what may be complained about: a decision or act of a case, named by the event id intake or
  auctions published it under (the service's own read model, `Decision` below, says it exists, what
  kind it is, when and by whom it was made) → `Complaint.file`; the complaint's OBJECT sets its limits
  (`LIMITS`: time to complain, to decide at first and at second instance; Art. 140, 146, 147);
- competence (Art. 142) by who made the decision and the organisation in force on the filing date
  (`route`): before 1/7/2025 a district office's officer → its head (2nd: the province head), a
  district head or a provincial officer → the province head (2nd: the central department), a
  province head → the central department (final). From 1/7/2025 there are no district offices
  (regional offices belong to the provincial agency): [GK] province head at first instance, the
  central department (Cục) at second, a province head's own decision → the central department;
- acceptance within 5 working days of receipt (Art. 148) → `accept`; not accepted on the grounds of
  Art. 141 (no interest, no capacity/representation, time expired, already final) → `refuse`; a late
  complaint cannot be accepted (rule complaint.time_expired);
- the first-instance decision within its limit, +30 days for complex or remote cases (Art. 146) →
  `decide`, by the competent head only (rule complaint.not_competent); upheld or partly upheld names
  what must be corrected (a `CorrectionOrdered` event, published as CorrectionRequested);
- a second complaint within 15 days of the first decision (Art. 147) → `file_second`; accepted and
  decided like the first by the second-instance head; the second decision is final;
- withdrawal at any open step → `withdraw`; missed legal limits → `mark_missed` (once per step).

A late decision is recorded (the law binds the head, the record must show the truth) and counts as
late; a date that cannot be true (before the step it follows, in the future) is refused.
Pure: stdlib, eventsourcing.domain and the working-day calendar; time and ids come in as arguments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .calendar_vn import add_working_days

VN_TZ = timezone(timedelta(hours=7))
REFORM_DATE = date(2025, 7, 1)         # district offices dissolved; regional offices of the province
CENTRAL_UNIT = "CUC"                   # Cục Quản lý thi hành án dân sự (Bộ Tư pháp)
COMPLEX_EXTRA_DAYS = 30                # Art. 146: complex or remote cases
SECOND_WINDOW_DAYS = 15                # Art. 147: next complaint within 15 days of the 1st decision
ACCEPTANCE_WD = 5                      # Art. 148


# ---------------------------------------------------------------------------- vocabulary
class ComplaintObject(StrEnum):
    BEFORE_MEASURES = "before_measures"
    ACCOUNT_FREEZE = "account_freeze"
    OTHER_SECURITY = "other_security"
    COERCION = "coercion"
    AFTER_COERCION = "after_coercion"


OBJECT_LABELS = {
    ComplaintObject.BEFORE_MEASURES: "Quyết định, hành vi trước khi áp dụng biện pháp bảo đảm, cưỡng chế",
    ComplaintObject.ACCOUNT_FREEZE: "Biện pháp phong tỏa tài khoản",
    ComplaintObject.OTHER_SECURITY: "Biện pháp bảo đảm khác",
    ComplaintObject.COERCION: "Biện pháp cưỡng chế",
    ComplaintObject.AFTER_COERCION: "Quyết định, hành vi sau khi áp dụng biện pháp cưỡng chế",
}


@dataclass(frozen=True)
class Period:
    n: int
    working_days: bool = False

    def after(self, start: date) -> date:
        return add_working_days(start, self.n) if self.working_days else start + timedelta(days=self.n)

    def label(self) -> str:
        return f"{self.n:02d} ngày làm việc" if self.working_days else f"{self.n:02d} ngày"


@dataclass(frozen=True)
class Limits:
    to_complain: Period
    first: Period
    second: Period | None          # None: the first decision is final (no second instance)


# domain.md §4 table (LCJE Arts. 140, 146, 147)
LIMITS: dict[ComplaintObject, Limits] = {
    ComplaintObject.BEFORE_MEASURES: Limits(Period(15), Period(15), Period(30)),
    ComplaintObject.ACCOUNT_FREEZE: Limits(Period(3, True), Period(5, True), None),
    ComplaintObject.OTHER_SECURITY: Limits(Period(10), Period(5, True), None),
    ComplaintObject.COERCION: Limits(Period(30), Period(30), Period(45)),
    ComplaintObject.AFTER_COERCION: Limits(Period(30), Period(15), Period(30)),
}


class Level(StrEnum):
    """Who made the decision complained about."""
    OFFICE_OFFICER = "office_officer"        # officer of a district / regional office
    OFFICE_HEAD = "office_head"              # head of a district / regional office
    PROVINCE_OFFICER = "province_officer"    # officer of the provincial agency
    PROVINCE_HEAD = "province_head"          # head of the provincial agency


class RefusalGround(StrEnum):
    NO_INTEREST = "no_interest"              # Art. 141(1): not related to the complainant's rights
    NO_CAPACITY = "no_capacity"              # Art. 141(2): no capacity, no lawful representative
    TIME_EXPIRED = "time_expired"            # Art. 141(3)
    ALREADY_FINAL = "already_final"          # Art. 141(4): resolved by a decision in force


REFUSAL_LABELS = {
    RefusalGround.NO_INTEREST: "Quyết định, hành vi không liên quan trực tiếp đến quyền, lợi ích hợp pháp của người khiếu nại",
    RefusalGround.NO_CAPACITY: "Người khiếu nại không có năng lực hành vi đầy đủ mà không có người đại diện hợp pháp",
    RefusalGround.TIME_EXPIRED: "Thời hiệu khiếu nại đã hết",
    RefusalGround.ALREADY_FINAL: "Việc khiếu nại đã có quyết định giải quyết có hiệu lực thi hành",
}


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    REJECTED = "rejected"


OUTCOME_LABELS = {Outcome.UPHELD: "Khiếu nại đúng", Outcome.PARTLY_UPHELD: "Khiếu nại đúng một phần",
                  Outcome.REJECTED: "Khiếu nại sai"}


class Status(StrEnum):
    FILED = "filed"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    FIRST_DECIDED = "first_decided"
    SECOND_FILED = "second_filed"
    SECOND_ACCEPTED = "second_accepted"
    SECOND_DECIDED = "second_decided"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    Status.FILED: "Đã nhận đơn, chờ thụ lý", Status.ACCEPTED: "Đã thụ lý, đang giải quyết lần đầu",
    Status.NOT_ACCEPTED: "Không thụ lý", Status.FIRST_DECIDED: "Đã giải quyết lần đầu",
    Status.SECOND_FILED: "Đã nhận đơn khiếu nại lần hai, chờ thụ lý",
    Status.SECOND_ACCEPTED: "Đã thụ lý, đang giải quyết lần hai", Status.SECOND_DECIDED: "Đã giải quyết lần hai (cuối cùng)",
    Status.WITHDRAWN: "Người khiếu nại đã rút khiếu nại",
}


# ---------------------------------------------------------------------------- refusals
class ComplaintsError(Exception):
    """Base of every refused command: `rule` (stable id), `legal_basis`, `message_vi`; str = English detail."""
    rule: str = "complaints.refused"
    legal_basis: str | None = None
    message_vi: str = "Yêu cầu bị từ chối theo quy định về giải quyết khiếu nại, tố cáo."

    def __init__(self, detail: str = "", *, message_vi: str | None = None, legal_basis: str | None = None) -> None:
        super().__init__(detail)
        if message_vi is not None:
            self.message_vi = message_vi
        if legal_basis is not None:
            self.legal_basis = legal_basis


class NotFoundError(ComplaintsError):
    rule = "complaint.not_found"
    message_vi = "Không tìm thấy đơn khiếu nại, tố cáo."


class UnknownDecisionError(ComplaintsError):
    rule = "complaint.decision_unknown"
    legal_basis = "Luật THADS Điều 140"
    message_vi = ("Không có quyết định, hành vi thi hành án nào với mã sự kiện đã nêu: chỉ khiếu nại được quyết định, "
                  "hành vi đã được ghi nhận trong hồ sơ thi hành án.")


class NotComplainableError(ComplaintsError):
    rule = "complaint.not_a_decision"
    legal_basis = "Luật THADS Điều 140"
    message_vi = "Sự kiện đã nêu không phải là quyết định, hành vi của Thủ trưởng hoặc Chấp hành viên."


class WrongStatusError(ComplaintsError):
    rule = "complaint.wrong_status"
    message_vi = "Đơn không ở trạng thái cho phép thao tác này."


class InvalidDateError(ComplaintsError):
    rule = "complaint.date_out_of_order"
    message_vi = "Ngày nêu không hợp lệ: không được trước bước liền trước, cũng không được sau ngày hôm nay."


class InvalidValueError(ComplaintsError):
    rule = "complaints.invalid_value"
    message_vi = "Giá trị không hợp lệ."


class TimeExpiredError(ComplaintsError):
    rule = "complaint.time_expired"
    legal_basis = "Luật THADS Điều 140, 141"
    message_vi = "Thời hiệu khiếu nại đã hết: không thụ lý; phải ra thông báo không thụ lý với lý do hết thời hiệu."


class GroundNotMetError(ComplaintsError):
    rule = "complaint.refusal_ground_not_met"
    legal_basis = "Luật THADS Điều 141"
    message_vi = "Căn cứ không thụ lý đã nêu không đúng với hồ sơ khiếu nại."


class NotCompetentError(ComplaintsError):
    rule = "complaint.not_competent"
    legal_basis = "Luật THADS Điều 142"
    message_vi = "Thủ trưởng này không có thẩm quyền giải quyết khiếu nại ở cấp này."


class SecondBeforeFirstError(ComplaintsError):
    rule = "complaint.second_before_first_decision"
    legal_basis = "Luật THADS Điều 147"
    message_vi = "Chỉ được khiếu nại lần hai sau khi đã có quyết định giải quyết khiếu nại lần đầu."


class SecondWindowError(ComplaintsError):
    rule = "complaint.second_within_15_days"
    legal_basis = "Luật THADS Điều 147"
    message_vi = "Khiếu nại lần hai phải được gửi trong 15 ngày kể từ ngày nhận quyết định giải quyết lần đầu."


class NoSecondInstanceError(ComplaintsError):
    rule = "complaint.first_decision_final"
    legal_basis = "Luật THADS Điều 142, 146"
    message_vi = "Quyết định giải quyết khiếu nại này có hiệu lực thi hành: không có cấp giải quyết lần hai."


class CorrectionsRequiredError(ComplaintsError):
    rule = "complaint.upheld_names_corrections"
    legal_basis = "Luật THADS Điều 146"
    message_vi = "Quyết định công nhận khiếu nại đúng (toàn bộ hoặc một phần) phải nêu nội dung cần khắc phục."


# ---------------------------------------------------------------------------- competence
def province_of(unit: str) -> str:
    return unit.split("-", 1)[0]


def level_of(actor_role: str, unit: str) -> Level:
    """Who made a decision, from its event's actor: a bare province code is the provincial agency."""
    provincial = "-" not in unit
    if actor_role == "head":
        return Level.PROVINCE_HEAD if provincial else Level.OFFICE_HEAD
    return Level.PROVINCE_OFFICER if provincial else Level.OFFICE_OFFICER


@dataclass(frozen=True)
class Route:
    first_unit: str                 # whose head decides at first instance
    second_unit: str | None         # at second instance (None: the first decision is final)
    legal_basis: str


def route(level: Level, unit: str, filed_on: date, obj: ComplaintObject) -> Route:
    """Art. 142 by who made the decision and the organisation in force on `filed_on`."""
    province = province_of(unit)
    if level is Level.PROVINCE_HEAD:
        r = Route(CENTRAL_UNIT, None, "Luật THADS Điều 142(3)")
    elif filed_on < REFORM_DATE:
        if level is Level.OFFICE_OFFICER:
            r = Route(unit, province, "Luật THADS Điều 142(1), (2)")
        else:
            r = Route(province, CENTRAL_UNIT, "Luật THADS Điều 142(2), (3)")
    else:   # [GK] no district level since 1/7/2025: province head first, the central department second
        r = Route(province, CENTRAL_UNIT, "Luật THADS Điều 142 (tổ chức từ 01/7/2025: không còn cấp huyện)")
    if LIMITS[obj].second is None:
        r = Route(r.first_unit, None, r.legal_basis)
    return r


def _check_date(d: date, *, not_before: date | None, today: date, what: str) -> None:
    if d > today:
        raise InvalidDateError(f"{what} {d} is after today {today}",
                               message_vi=f"Ngày {what_vi(what)} ({d:%d/%m/%Y}) không được sau ngày hôm nay.")
    if not_before is not None and d < not_before:
        raise InvalidDateError(f"{what} {d} is before {not_before}",
                               message_vi=f"Ngày {what_vi(what)} ({d:%d/%m/%Y}) không được trước ngày "
                                          f"{not_before:%d/%m/%Y} của bước liền trước.")


_WHAT_VI = {"received_on": "nhận đơn", "accepted_on": "thụ lý", "refused_on": "thông báo không thụ lý",
            "decided_on": "ra quyết định giải quyết", "withdrawn_on": "rút khiếu nại", "learned_on": "biết quyết định"}


def what_vi(what: str) -> str:
    return _WHAT_VI.get(what, what)


# ---------------------------------------------------------------------------- the decision read model
class Decision(Aggregate):
    """A decision or act intake or auctions published (id = its event id): what the service knows of
    it to check a complaint's reference — never asked of the other service, learned from its topic."""

    @staticmethod
    def create_id(event_id: UUID) -> UUID:
        return event_id

    @event("Learned")
    def __init__(self, event_id: UUID, event_type: str, case_id: UUID, unit: str, actor_role: str, actor_id: str,
                 decided_on: date, object: str, decision_number: str | None) -> None:
        self.event_type, self.case_id, self.unit = event_type, case_id, unit
        self.actor_role, self.actor_id, self.decided_on = actor_role, actor_id, decided_on
        self.object = ComplaintObject(object)
        self.decision_number = decision_number


# ---------------------------------------------------------------------------- the aggregate
class Complaint(Aggregate):
    """One complaint about one decision, through both instances. Id chosen by the caller (uuid)."""

    @staticmethod
    def create_id(complaint_id: UUID) -> UUID:
        return complaint_id

    @event("Filed")
    def __init__(self, complaint_id: UUID, case_id: UUID, unit: str, decision_event_id: UUID,
                 decision_event_type: str, decision_on: date, decision_by: str, object: str, level: str,
                 first_unit: str, second_unit: str | None, routing_basis: str, received_on: date,
                 learned_on: date | None, complain_due_on: date, late: bool, complainant_party_id: str | None,
                 content: str, actor: str, at: datetime) -> None:
        self.case_id, self.unit = case_id, unit
        self.decision_event_id, self.decision_event_type = decision_event_id, decision_event_type
        self.decision_on, self.decision_by = decision_on, decision_by
        self.object, self.level = ComplaintObject(object), Level(level)
        self.first_unit, self.second_unit, self.routing_basis = first_unit, second_unit, routing_basis
        self.received_on, self.learned_on = received_on, learned_on
        self.complain_due_on, self.late = complain_due_on, late
        self.complainant_party_id, self.content = complainant_party_id, content
        self.status = Status.FILED
        self.complex = False
        self.accepted_on: date | None = None
        self.decision_due_on: date | None = None
        self.first: dict[str, Any] | None = None
        self.second: dict[str, Any] | None = None
        self.second_received_on: date | None = None
        self.second_accepted_on: date | None = None
        self.not_accepted: dict[str, Any] | None = None
        self.withdrawn_on: date | None = None
        self.missed: list[dict[str, Any]] = []

    @classmethod
    def file(cls, *, complaint_id: UUID, decision: Decision, received_on: date, today: date,
             learned_on: date | None = None, complainant_party_id: str | None = None, content: str,
             actor: str, at: datetime) -> "Complaint":
        if not content.strip():
            raise InvalidValueError("content must not be blank", message_vi="Phải nêu nội dung khiếu nại.")
        _check_date(received_on, not_before=decision.decided_on, today=today, what="received_on")
        if learned_on is not None:
            _check_date(learned_on, not_before=decision.decided_on, today=received_on, what="learned_on")
        obj = decision.object
        start = learned_on or decision.decided_on
        due = LIMITS[obj].to_complain.after(start)
        level = level_of(decision.actor_role, decision.unit)
        r = route(level, decision.unit, received_on, obj)
        return cls(complaint_id=complaint_id, case_id=decision.case_id, unit=decision.unit,
                   decision_event_id=decision.id, decision_event_type=decision.event_type,
                   decision_on=decision.decided_on, decision_by=f"{decision.actor_role}/{decision.actor_id}",
                   object=obj.value, level=level.value, first_unit=r.first_unit, second_unit=r.second_unit,
                   routing_basis=r.legal_basis, received_on=received_on, learned_on=learned_on,
                   complain_due_on=due, late=received_on > due, complainant_party_id=complainant_party_id,
                   content=content, actor=actor, at=at)

    # ------------------------------------------------------------------ derived
    @property
    def limits(self) -> Limits:
        return LIMITS[self.object]

    @property
    def instance(self) -> str:
        return "second" if self.status in (Status.SECOND_FILED, Status.SECOND_ACCEPTED, Status.SECOND_DECIDED) \
            or self.second_received_on is not None else "first"

    @property
    def deciding_unit(self) -> str:
        return (self.second_unit or self.first_unit) if self.instance == "second" else self.first_unit

    @property
    def acceptance_due_on(self) -> date:
        start = self.second_received_on if self.instance == "second" else self.received_on
        return add_working_days(start, ACCEPTANCE_WD)

    @property
    def second_window_ends_on(self) -> date | None:
        if self.first is None or self.second_unit is None:
            return None
        return self.first["decided_on"] + timedelta(days=SECOND_WINDOW_DAYS)

    def is_final(self, today: date) -> bool:
        if self.status in (Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.SECOND_DECIDED):
            return True
        if self.status is Status.FIRST_DECIDED:
            ends = self.second_window_ends_on
            return ends is None or today > ends
        return False

    @property
    def next_due_on(self) -> date | None:
        """The open step's legal limit (None: nothing open)."""
        if self.status in (Status.FILED, Status.SECOND_FILED):
            return self.acceptance_due_on
        if self.status in (Status.ACCEPTED, Status.SECOND_ACCEPTED):
            return self.decision_due_on
        return None

    @property
    def open_step(self) -> str | None:
        return {Status.FILED: "acceptance", Status.SECOND_FILED: "second_acceptance",
                Status.ACCEPTED: "first_decision", Status.SECOND_ACCEPTED: "second_decision"}.get(self.status)

    def _published(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "unit": self.unit, "instance": self.instance,
                "deciding_unit": self.deciding_unit}

    def _ensure(self, *allowed: Status, doing: str) -> None:
        if self.status not in allowed:
            raise WrongStatusError(f"cannot {doing} complaint {self.id} in status {self.status.value}",
                                   message_vi=f"Không thể thực hiện khi đơn ở trạng thái «{STATUS_LABELS[self.status]}».")

    def _ensure_competent(self, decider_unit: str) -> None:
        if decider_unit != self.deciding_unit:
            raise NotCompetentError(
                f"the {self.instance} instance belongs to the head of {self.deciding_unit}, not of {decider_unit}",
                message_vi=f"Thẩm quyền giải quyết khiếu nại lần {'hai' if self.instance == 'second' else 'đầu'} "
                           f"thuộc Thủ trưởng đơn vị {self.deciding_unit}, không thuộc đơn vị {decider_unit}.")

    # ------------------------------------------------------------------ acceptance
    def accept(self, *, decider_unit: str, accepted_on: date, complex: bool = False, today: date,
               actor: str, at: datetime) -> None:
        self._ensure(Status.FILED, Status.SECOND_FILED, doing="accept")
        self._ensure_competent(decider_unit)
        start = self.second_received_on if self.status is Status.SECOND_FILED else self.received_on
        assert start is not None
        _check_date(accepted_on, not_before=start, today=today, what="accepted_on")
        if self.status is Status.FILED and self.late:
            raise TimeExpiredError(f"received {self.received_on}, time to complain ended {self.complain_due_on}")
        period = self.limits.first if self.status is Status.FILED else self.limits.second
        assert period is not None
        due = period.after(accepted_on) + timedelta(days=COMPLEX_EXTRA_DAYS if complex else 0)
        self._accepted(accepted_on=accepted_on, complex=complex, decision_due_on=due,
                       acceptance_due_on=self.acceptance_due_on, actor=actor, at=at, **self._published())

    @event("Accepted")
    def _accepted(self, accepted_on: date, complex: bool, decision_due_on: date, acceptance_due_on: date,
                  actor: str, at: datetime, case_id: UUID, unit: str, instance: str,
                 deciding_unit: str) -> None:
        if self.status is Status.FILED:
            self.status, self.accepted_on = Status.ACCEPTED, accepted_on
        else:
            self.status, self.second_accepted_on = Status.SECOND_ACCEPTED, accepted_on
        self.complex = complex
        self.decision_due_on = decision_due_on

    def refuse(self, *, decider_unit: str, ground: RefusalGround, refused_on: date, today: date,
               already_final: bool = False, actor: str, at: datetime) -> None:
        """Not accepted (Art. 141). `already_final`: the application found a decision in force on the
        same decision for this complainant."""
        self._ensure(Status.FILED, Status.SECOND_FILED, doing="refuse")
        self._ensure_competent(decider_unit)
        ground = RefusalGround(ground)
        start = self.second_received_on if self.status is Status.SECOND_FILED else self.received_on
        assert start is not None
        _check_date(refused_on, not_before=start, today=today, what="refused_on")
        if ground is RefusalGround.TIME_EXPIRED and not (self.status is Status.FILED and self.late):
            raise GroundNotMetError(f"received {start}, within the time to complain",
                                    message_vi="Đơn được gửi trong thời hiệu khiếu nại: không được từ chối vì hết thời hiệu.")
        if ground is RefusalGround.ALREADY_FINAL and not already_final:
            raise GroundNotMetError("no complaint decision in force on this decision",
                                    message_vi="Chưa có quyết định giải quyết khiếu nại có hiệu lực về quyết định, "
                                               "hành vi này.")
        due = self.acceptance_due_on
        self._refused(ground=ground.value, refused_on=refused_on, due_on=due, on_time=refused_on <= due,
                      actor=actor, at=at, **self._published())

    @event("NotAccepted")
    def _refused(self, ground: str, refused_on: date, due_on: date, on_time: bool, actor: str, at: datetime,
                 case_id: UUID, unit: str, instance: str, deciding_unit: str) -> None:
        self.status = Status.NOT_ACCEPTED
        self.not_accepted = {"ground": ground, "refused_on": refused_on, "on_time": on_time}

    # ------------------------------------------------------------------ decisions
    def decide(self, *, decider_unit: str, outcome: Outcome, decision_number: str, decided_on: date,
               corrections: str | None = None, legal_basis: str | None = None, today: date,
               actor: str, at: datetime) -> None:
        self._ensure(Status.ACCEPTED, Status.SECOND_ACCEPTED, doing="decide")
        self._ensure_competent(decider_unit)
        outcome = Outcome(outcome)
        accepted_on = self.accepted_on if self.status is Status.ACCEPTED else self.second_accepted_on
        assert accepted_on is not None and self.decision_due_on is not None
        _check_date(decided_on, not_before=accepted_on, today=today, what="decided_on")
        if not decision_number.strip():
            raise InvalidValueError("decision_number must not be blank",
                                    message_vi="Phải ghi số quyết định giải quyết khiếu nại.")
        if outcome is not Outcome.REJECTED and not (corrections or "").strip():
            raise CorrectionsRequiredError(f"an {outcome.value} complaint names what must be corrected")
        second = self.status is Status.SECOND_ACCEPTED
        final = second or self.second_unit is None
        due = self.decision_due_on
        self._decided(outcome=outcome.value, decision_number=decision_number, decided_on=decided_on, due_on=due,
                      on_time=decided_on <= due, final=final, corrections=corrections, actor=actor, at=at,
                      **self._published())
        if outcome is not Outcome.REJECTED:
            self._correction(outcome=outcome.value, decision_number=decision_number, decided_on=decided_on,
                             corrections=corrections, legal_basis=legal_basis,
                             decision_event_id=self.decision_event_id, decision_event_type=self.decision_event_type,
                             actor=actor, at=at, **self._published())

    @event("Decided")
    def _decided(self, outcome: str, decision_number: str, decided_on: date, due_on: date, on_time: bool,
                 final: bool, corrections: str | None, actor: str, at: datetime, case_id: UUID, unit: str, instance: str,
                 deciding_unit: str) -> None:
        record = {"outcome": outcome, "decision_number": decision_number, "decided_on": decided_on,
                  "due_on": due_on, "on_time": on_time, "corrections": corrections}
        if self.status is Status.ACCEPTED:
            self.status, self.first = Status.FIRST_DECIDED, record
        else:
            self.status, self.second = Status.SECOND_DECIDED, record

    @event("CorrectionOrdered")
    def _correction(self, outcome: str, decision_number: str, decided_on: date, corrections: str | None,
                    legal_basis: str | None, decision_event_id: UUID, decision_event_type: str, actor: str,
                    at: datetime, case_id: UUID, unit: str, instance: str,
                 deciding_unit: str) -> None:
        pass

    def file_second(self, *, received_on: date, content: str, today: date, actor: str, at: datetime) -> None:
        if self.status in (Status.FILED, Status.ACCEPTED):
            raise SecondBeforeFirstError(f"complaint {self.id} has no first-instance decision yet")
        self._ensure(Status.FIRST_DECIDED, doing="file a second complaint")
        assert self.first is not None
        if self.second_unit is None:
            raise NoSecondInstanceError(f"object {self.object.value} / level {self.level.value}: first decision final")
        if not content.strip():
            raise InvalidValueError("content must not be blank", message_vi="Phải nêu nội dung khiếu nại lần hai.")
        _check_date(received_on, not_before=self.first["decided_on"], today=today, what="received_on")
        ends = self.second_window_ends_on
        assert ends is not None
        if received_on > ends:
            raise SecondWindowError(f"received {received_on}, the window ended {ends}")
        self._second_filed(received_on=received_on, content=content, actor=actor, at=at,
                           case_id=self.case_id, unit=self.unit, instance="second", deciding_unit=self.second_unit,
                           decision_event_id=self.decision_event_id, object=self.object.value)

    @event("SecondFiled")
    def _second_filed(self, received_on: date, content: str, actor: str, at: datetime, case_id: UUID, unit: str,
                      instance: str, deciding_unit: str, decision_event_id: UUID, object: str) -> None:
        self.status, self.second_received_on, self.second_content = Status.SECOND_FILED, received_on, content
        self.complex = False
        self.decision_due_on = None

    def withdraw(self, *, withdrawn_on: date, today: date, actor: str, at: datetime) -> None:
        self._ensure(Status.FILED, Status.ACCEPTED, Status.SECOND_FILED, Status.SECOND_ACCEPTED, doing="withdraw")
        start = self.second_received_on if self.instance == "second" else self.received_on
        _check_date(withdrawn_on, not_before=start, today=today, what="withdrawn_on")
        self._withdrawn(withdrawn_on=withdrawn_on, actor=actor, at=at, **self._published())

    @event("Withdrawn")
    def _withdrawn(self, withdrawn_on: date, actor: str, at: datetime, case_id: UUID, unit: str, instance: str,
                 deciding_unit: str) -> None:
        self.status, self.withdrawn_on = Status.WITHDRAWN, withdrawn_on

    # ------------------------------------------------------------------ deadlines
    def mark_missed(self, *, today: date, at: datetime) -> bool:
        """Records a DeadlineMissed for the open step once its limit has passed (once per step)."""
        step, due = self.open_step, self.next_due_on
        if step is None or due is None or today <= due:
            return False
        if any(m["step"] == step and m["due_on"] == due for m in self.missed):
            return False
        basis = "Luật THADS Điều 148" if "acceptance" in step else "Luật THADS Điều 146, 147"
        self._missed(step=step, due_on=due, legal_basis=basis, at=at, **self._published())
        return True

    @event("DeadlineMissed")
    def _missed(self, step: str, due_on: date, legal_basis: str, at: datetime, case_id: UUID, unit: str, instance: str,
                 deciding_unit: str) -> None:
        self.missed.append({"step": step, "due_on": due_on})

    def deadlines(self, today: date) -> list[dict[str, Any]]:
        out = [{"step": "complain", "label": "Thời hiệu khiếu nại", "due_on": self.complain_due_on,
                "done_on": self.received_on, "missed": self.late}]
        out.append({"step": "acceptance", "label": "Thụ lý (05 ngày làm việc)",
                    "due_on": add_working_days(self.received_on, ACCEPTANCE_WD),
                    "done_on": self.accepted_on or (self.not_accepted or {}).get("refused_on")})
        if self.first is not None:
            out.append({"step": "first_decision", "label": "Giải quyết lần đầu", "due_on": self.first["due_on"],
                        "done_on": self.first["decided_on"]})
        if self.second_window_ends_on is not None:
            out.append({"step": "second_complaint", "label": "Khiếu nại lần hai (15 ngày)",
                        "due_on": self.second_window_ends_on, "done_on": self.second_received_on})
        if self.second is not None:
            out.append({"step": "second_decision", "label": "Giải quyết lần hai", "due_on": self.second["due_on"],
                        "done_on": self.second["decided_on"]})
        if self.next_due_on is not None:
            out.append({"step": self.open_step, "label": "Bước đang mở", "due_on": self.next_due_on, "done_on": None})
        for d in out:
            if "missed" not in d:
                d["missed"] = (d["done_on"] or today) > d["due_on"] if d["done_on"] or today > d["due_on"] else False
        return out
