"""Complaints application: get → act → save for every command, through the kit's CommandBatcher
(command ids, one transaction with the read-model rows and the hash chain), and small queries.

Office binding lives here: a complaint is filed at the office whose decision it concerns or at the
office routed to decide it; a decision on it is taken by the head of the routed office (the domain's
competence rule, complaint.not_competent). Whether a decision is already resolved by a complaint
decision in force (ground already_final) is asked of the complaints read model here."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from thads_kit.store import ServiceApplication

from .reception import ReceptionSession
from .denunciations import DSTATUS_LABELS, FINDING_LABELS, Denunciation
from .domain import (OBJECT_LABELS, OUTCOME_LABELS, REFUSAL_LABELS, STATUS_LABELS, Complaint, ComplaintsError,
                     Decision, NotComplainableError, NotFoundError, UnknownDecisionError)

VN_TZ = timezone(timedelta(hours=7))
CommandFn = Callable[[], tuple[list[Aggregate], Any]]


class WrongOfficeError(ComplaintsError):
    rule = "complaint.other_office"
    message_vi = ("Cán bộ chỉ nhận, xử lý đơn khiếu nại về quyết định, hành vi của đơn vị mình hoặc đơn thuộc thẩm "
                  "quyền giải quyết của đơn vị mình.")


class DecisionNotFoundError(NotFoundError):
    rule = "decision.not_found"
    message_vi = "Không có quyết định, hành vi thi hành án nào với mã sự kiện này."


class DenunciationNotFoundError(NotFoundError):
    rule = "denunciation.not_found"
    message_vi = "Không tìm thấy đơn tố cáo."


def today() -> date:
    return datetime.now(VN_TZ).date()


class Complaints(ServiceApplication):
    name = "Complaints"
    read_schema: str | None = None     # set by main: the read model is written with the events

    def record(self, aggregates: Any, tracking: Any = None, *, commands: Any = (), writes: Any = ()) -> int:
        """Every save also upserts the saved complaints' read-model rows, in the same transaction."""
        aggregates = list(aggregates)
        if self.read_schema is not None and aggregates:
            from .projections import upsert_write
            writes = [*writes, upsert_write(self.read_schema, aggregates)]
        return super().record(aggregates, tracking, commands=commands, writes=writes)

    def get_complaint(self, complaint_id: UUID) -> Complaint:
        try:
            found = self.repository.get(complaint_id)
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, Complaint):
            raise NotFoundError(f"complaint {complaint_id} not found")
        return found

    def get_decision(self, event_id: UUID) -> Decision:
        try:
            found = self.repository.get(event_id)
        except AggregateNotFoundError:
            raise UnknownDecisionError(f"no decision or act with event id {event_id} is known") from None
        if not isinstance(found, Decision):
            raise NotComplainableError(f"{event_id} is not a decision or act")
        return found

    def get_denunciation(self, denunciation_id: UUID) -> Denunciation:
        try:
            found = self.repository.get(denunciation_id)
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, Denunciation):
            raise DenunciationNotFoundError(f"denunciation {denunciation_id} not found")
        return found

    def known(self, event_id: UUID) -> bool:
        return event_id in self.repository

    def already_final(self, decision_event_id: UUID, but: UUID) -> bool:
        if self.read_schema is None:
            return False
        from .projections import complaints_on_decision_sync
        return any(self.get_complaint(cid).is_final(today()) and self.get_complaint(cid).status.value
                   in ("first_decided", "second_decided")
                   for cid in complaints_on_decision_sync(self.recorder, self.read_schema, decision_event_id) if cid != but)


def file(app: Complaints, *, complaint_id: UUID, decision_event_id: UUID, office: str | None,
         **kwargs: Any) -> CommandFn:
    """A complaint about a known decision; staff (`office`) file at the decision's office or the routed one."""
    def fn() -> tuple[list[Aggregate], Any]:
        decision = app.get_decision(decision_event_id)
        complaint = Complaint.file(complaint_id=complaint_id, decision=decision, today=today(),
                                   **(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        if office is not None and office not in (complaint.unit, complaint.first_unit):
            raise WrongOfficeError(f"office {office} neither made decision {decision_event_id} ({complaint.unit}) "
                                   f"nor decides the complaint ({complaint.first_unit})")
        return [complaint], summary(complaint)

    return fn


def act(app: Complaints, complaint_id: UUID, command: str, kwargs: dict[str, Any],
        office: str | None = None) -> CommandFn:
    """Loads the complaint, checks the caller's office, calls `command` and saves what it recorded."""
    def fn() -> tuple[list[Aggregate], Any]:
        complaint = app.get_complaint(complaint_id)
        if office is not None and office not in (complaint.unit, complaint.first_unit, complaint.second_unit):
            raise WrongOfficeError(f"complaint {complaint_id} is not of office {office}")
        extra: dict[str, Any] = {"today": today(), "at": kwargs.get("at") or datetime.now(VN_TZ)}
        if command == "refuse":
            extra["already_final"] = app.already_final(complaint.decision_event_id, complaint.id)
        getattr(complaint, command)(**(kwargs | extra))
        return [complaint], summary(complaint)

    return fn


def sweep(app: Complaints, complaint_id: UUID, on: date) -> CommandFn:
    """Records a missed deadline of one complaint (the deadline watcher calls it)."""
    def fn() -> tuple[list[Aggregate], Any]:
        complaint = app.get_complaint(complaint_id)
        changed = complaint.mark_missed(today=on, at=datetime.now(VN_TZ))
        return ([complaint] if changed else []), changed

    return fn


def summary(c: Complaint) -> dict[str, Any]:
    return {"complaint_id": str(c.id), "case_id": str(c.case_id), "version": c.version, "status": c.status.value,
            "status_label": STATUS_LABELS[c.status]}


def state(c: Complaint, on: date | None = None) -> dict[str, Any]:
    on = on or today()
    return summary(c) | {
        "unit": c.unit, "decision_event_id": str(c.decision_event_id), "decision_event_type": c.decision_event_type,
        "decision_on": c.decision_on, "decision_by": c.decision_by,
        "object": c.object.value, "object_label": OBJECT_LABELS[c.object], "level": c.level.value,
        "first_instance_unit": c.first_unit, "second_instance_unit": c.second_unit, "routing_basis": c.routing_basis,
        "deciding_unit": c.deciding_unit, "instance": c.instance,
        "received_on": c.received_on, "learned_on": c.learned_on, "complain_due_on": c.complain_due_on,
        "late": c.late, "complainant_party_id": c.complainant_party_id, "content": c.content,
        "complex": c.complex, "accepted_on": c.accepted_on, "decision_due_on": c.decision_due_on,
        "not_accepted": None if c.not_accepted is None else c.not_accepted | {
            "ground_label": REFUSAL_LABELS.get(c.not_accepted["ground"], c.not_accepted["ground"])},  # type: ignore[call-overload]
        "first_decision": _decision(c.first), "second_received_on": c.second_received_on,
        "second_accepted_on": c.second_accepted_on, "second_window_ends_on": c.second_window_ends_on,
        "second_decision": _decision(c.second), "withdrawn_on": c.withdrawn_on,
        "final": c.is_final(on), "next_due_on": c.next_due_on, "open_step": c.open_step,
        "deadlines": c.deadlines(on), "missed": c.missed,
    }


def _decision(d: dict[str, Any] | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return d | {"outcome_label": OUTCOME_LABELS.get(d["outcome"], d["outcome"])}  # type: ignore[call-overload]


def decision_state(d: Decision) -> dict[str, Any]:
    return {"event_id": str(d.id), "event_type": d.event_type, "case_id": str(d.case_id), "unit": d.unit,
            "actor_role": d.actor_role, "actor_id": d.actor_id, "decided_on": d.decided_on,
            "object": d.object.value, "object_label": OBJECT_LABELS[d.object], "decision_number": d.decision_number}


# ---------------------------------------------------------------------------- denunciations
def denounce(app: Complaints, *, denunciation_id: UUID, office: str | None, repeat_of: UUID | None,
             **kwargs: Any) -> CommandFn:
    """A denunciation recorded by the staff of the office that handles it (the domain's handler_unit)."""
    def fn() -> tuple[list[Aggregate], Any]:
        earlier = app.get_denunciation(repeat_of) if repeat_of is not None else None
        d = Denunciation.file(denunciation_id=denunciation_id, repeat_of=earlier, today=today(),
                              **(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        if office is not None and office != d.handler_unit:
            raise WrongOfficeError(f"denunciation handled by {d.handler_unit}, recorded by {office}",
                                   message_vi=f"Tố cáo này thuộc thẩm quyền giải quyết của đơn vị {d.handler_unit}; "
                                              f"chuyển đơn đến đơn vị đó.")
        return [d], denunciation_summary(d)

    return fn


def act_denunciation(app: Complaints, denunciation_id: UUID, command: str, kwargs: dict[str, Any]) -> CommandFn:
    def fn() -> tuple[list[Aggregate], Any]:
        d = app.get_denunciation(denunciation_id)
        getattr(d, command)(**(kwargs | {"today": today(), "at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [d], denunciation_summary(d)

    return fn


def erase_denouncers(app: Complaints, denunciation_id: UUID, kwargs: dict[str, Any]) -> CommandFn:
    """The head of the handling office erases the denouncers' identity (denunciations.py: retention)."""
    def fn() -> tuple[list[Aggregate], Any]:
        d = app.get_denunciation(denunciation_id)
        seqs = d.erase_denouncers(**(kwargs | {"today": today(), "at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [d], denunciation_summary(d) | {"erased_denouncers": seqs}

    return fn


def denunciation_summary(d: Denunciation) -> dict[str, Any]:
    return {"denunciation_id": str(d.id), "version": d.version, "status": d.status.value,
            "status_label": DSTATUS_LABELS[d.status], "handler_unit": d.handler_unit}


def denunciation_state(d: Denunciation) -> dict[str, Any]:
    """Everything but the denouncers' identity (personal_data.py, read through its own logged route)."""
    return denunciation_summary(d) | {
        "accused_role": d.accused_role.value, "accused_unit": d.accused_unit, "accused_id": d.accused_id,
        "received_on": d.received_on, "content": d.content, "denouncers": d.denouncers,
        "representatives": d.representatives, "group": d.denouncers >= 5,
        "repeat_of": str(d.repeat_of) if d.repeat_of else None, "new_content": d.new_content,
        "accepted_on": d.accepted_on, "due_on": d.due_on, "extended": d.extended, "next_due_on": d.next_due_on,
        "finding": None if d.finding is None else d.finding | {
            "finding_label": FINDING_LABELS.get(d.finding["finding"], d.finding["finding"])},  # type: ignore[call-overload]
        "personal_data_erasures": [
            {k: v for k, v in e.items()} for e in getattr(d, "erasures", [])],
    }


# ---------------------------------------------------------------------------- citizen reception
class SessionNotFoundError(NotFoundError):
    rule = "reception.session_not_found"
    message_vi = "Không tìm thấy buổi tiếp công dân."


def get_session(app: Complaints, session_id: UUID) -> ReceptionSession:
    try:
        found = app.repository.get(session_id)
    except AggregateNotFoundError:
        found = None
    if not isinstance(found, ReceptionSession):
        raise SessionNotFoundError(f"reception session {session_id} not found")
    return found


def open_session(app: Complaints, **kwargs: Any) -> CommandFn:
    def fn() -> tuple[list[Aggregate], Any]:
        s = ReceptionSession.open(today=today(), **(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [s], session_state(s)
    return fn


def record_visit(app: Complaints, session_id: UUID, office: str | None, decision_event_id: UUID | None,
                 **kwargs: Any) -> CommandFn:
    """A visit; when it names a decision the complaints service knows, its competent office is the
    complaint's routing (Art. 142) on the session's date, else the office the citizen's matter concerns."""
    def fn() -> tuple[list[Aggregate], Any]:
        from .domain import level_of, route
        s = get_session(app, session_id)
        if office is not None and office != s.unit:
            raise WrongOfficeError(f"session of {s.unit}, recorded by {office}")
        if decision_event_id is not None:
            d = app.get_decision(decision_event_id)
            kwargs["competent_unit"] = route(level_of(d.actor_role, d.unit), d.unit, s.held_on, d.object).first_unit
            kwargs["case_id"] = kwargs.get("case_id") or d.case_id
        visit = s.record_visit(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [s], visit
    return fn


def session_state(s: ReceptionSession) -> dict[str, Any]:
    return {"session_id": str(s.id), "version": s.version, "unit": s.unit, "kind": s.kind.value, "reason": s.reason,
            "held_on": s.held_on, "head_id": s.head_id, "visits": s.visits}
