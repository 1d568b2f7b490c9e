"""Intake application: get → act → save for every command on a Case, and small queries.

Commands are built as functions for the kit's CommandBatcher (it runs them in a worker thread and
saves concurrent commands on different cases in one transaction)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from thads_kit.store import ServiceApplication

from .domain import Case, IntakeError, Origin


class CaseNotFoundError(IntakeError):
    rule = "case must exist"
    message_vi = "Không tìm thấy việc thi hành án."


class CaseAlreadyRegisteredError(IntakeError):
    rule = "one intake reference registers one case (uuid5 of office, origin and reference)"
    message_vi = "Số vào sổ này của đơn vị đã được dùng cho một việc thi hành án khác; không có gì được ghi."


class NotYourCaseError(IntakeError):
    rule = "an officer acts only on a case assigned to them (not on an unassigned case)"
    message_vi = ("Chấp hành viên chỉ thực hiện việc thi hành án được phân công cho mình; việc này chưa được "
                  "phân công hoặc đã phân công cho chấp hành viên khác.")


class WrongOfficeError(IntakeError):
    rule = "staff act on and read the cases of their own office (token unit = case unit)"
    message_vi = "Chỉ được thao tác trên việc thi hành án của đơn vị mình; việc này thuộc đơn vị khác."


class Intake(ServiceApplication):
    name = "Intake"
    # Long cases load through the aggregate cache (AGGREGATE_CACHE_MAXSIZE, fast-forwarded from the
    # store on every get) and, on a cache miss, from the latest snapshot plus the events after it.
    # A snapshot is taken on save at every 50th version of a case (table `intake_snapshots`). Case has
    # its own snapshot class (Case.Snapshot): an explicit, versioned plain-JSON state that restores the
    # enums, dataclasses, dates and sets faithfully (the library's default copy of __dict__ cannot).
    # Changing that state layout needs Case.class_version + 1 and an upcaster (see Case, "snapshots").
    snapshotting_intervals = {Case: 50}

    def get_case(self, case_id: UUID) -> Case:
        try:
            return self.repository.get(case_id)  # type: ignore[return-value]
        except AggregateNotFoundError:
            raise CaseNotFoundError(f"case {case_id} not found") from None

    def case_exists(self, case_id: UUID) -> bool:
        return case_id in self.repository

    def history(self, case_id: UUID) -> list[dict[str, Any]]:
        """The case's full event history, oldest first, with business and recording times."""
        events = list(self.events.get(case_id))
        if not events:
            raise CaseNotFoundError(f"case {case_id} not found")
        return [history_entry(e) for e in events]


def history_entry(e: Any) -> dict[str, Any]:
    """One event as GET /cases/{id}/events shows it (also rendered by the read model)."""
    fields = {k: v for k, v in e.__dict__.items() if k not in ("originator_id", "originator_version", "timestamp")}
    return {"version": e.originator_version, "event": type(e).__qualname__.split(".")[-1],
            "occurred_at": fields.pop("at", None), "recorded_at": e.timestamp, "data": fields}


VN_TZ = timezone(timedelta(hours=7))
CommandFn = Callable[[], tuple[list[Aggregate], Any]]


def open_case(app: Intake, origin: Origin, unit_id: str, intake_ref: str, **kwargs: Any) -> tuple[UUID, CommandFn]:
    """A command that registers a new case from a judgment (ex officio) or a request."""
    case_id = Case.create_id(unit_id, origin.value, intake_ref)
    calls = 0

    def fn() -> tuple[list[Aggregate], Any]:
        # The first run does not query the store: a duplicate shows up as a conflict on save, and
        # the batcher then re-runs the command alone, which looks the case up and names the problem.
        nonlocal calls
        calls += 1
        if calls > 1 and app.case_exists(case_id):
            raise CaseAlreadyRegisteredError(
                f"{origin.value} {intake_ref!r} of office {unit_id} is already case {case_id}")
        factory = Case.receive_judgment if origin is Origin.JUDGMENT else Case.receive_request
        case = factory(unit_id=unit_id, intake_ref=intake_ref, **kwargs)
        return [case], summary(case)

    return case_id, fn


def act(app: Intake, case_id: UUID, command: str, kwargs: dict[str, Any],
        officer_must_be: str | None = None, unit_must_be: str | None = None) -> CommandFn:
    """A command that loads the case, calls `command` on it and saves what it recorded.
    `kwargs["at"]` None means "now", taken when the command runs (so a re-run after a conflict
    is not dated before the other writer's event).
    `unit_must_be`: the caller's office, which must be the case's office. `officer_must_be`: the
    calling officer, who must be the case's assigned officer (an unassigned case is nobody's)."""
    def fn() -> tuple[list[Aggregate], Any]:
        case = app.get_case(case_id)
        check_office(case, unit_must_be)
        if officer_must_be is not None and case.officer_id != officer_must_be:
            whose = "no officer yet" if case.officer_id is None else "another officer"
            raise NotYourCaseError(f"case {case_id} is assigned to {whose}, not to {officer_must_be}")
        getattr(case, command)(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [case], summary(case)

    return fn


def check_office(case: Case, unit: str | None) -> None:
    """Refuse when `unit` (the caller's office; None: not office-bound) is not the case's office."""
    if unit is not None and case.unit_id != unit:
        raise WrongOfficeError(f"case {case.id} belongs to office {case.unit_id}, not to {unit}")


def banks_of(case: Case) -> set[str]:
    """The banks that are parties or creditors of the case (a bank reads only those cases)."""
    return {p.bank_code for p in case.parties.values() if p.bank_code}


def summary(case: Case) -> dict[str, Any]:
    return {"case_id": str(case.id), "version": case.version, "status": case.status.value,
            "status_label": case.status_label}


def state(case: Case, as_of: datetime) -> dict[str, Any]:
    """A case's current state with its deadlines evaluated at business date `as_of`."""
    return summary(case) | {
        "unit": case.unit_id,
        "origin": case.origin.value,
        "intake_ref": case.intake_ref,
        "judgment_number": getattr(case, "judgment_number", None),
        "issuing_court": getattr(case, "issuing_court", None),
        "officer_id": case.officer_id,
        "basis": case.basis.value if case.basis else None,
        "received_on": case.received_on,
        "limitation_expires_on": case.limitation_expires_on,   # Art. 30; None: ex officio or unknown
        "decided_on": case.decided_on,
        "parties": [{"party_id": p.id, "role": p.role.value, "kind": p.kind.value, "bank_code": p.bank_code}
                    for p in case.parties.values()],
        "claim_items": case.claim_items(),
        "decisions": [{"number": d.number, "kind": d.kind, "issued_on": d.issued_on,
                       "procuracy_copy_sent_on": d.copy_sent_on} for d in case.decisions.values()],
        "held_vnd": case.held_vnd,
        "uncollected_vnd": case.uncollected_vnd,
        "payment_plan": case.payment_plan(),
        "deadlines": case.deadlines(as_of.date()),
        "created_on": case.created_on,
        "modified_on": case.modified_on,
    }


# ---------------------------------------------------------------- refusals people can read
# The kit renders `rule` (stable English id), `legal_basis` and `message_vi` (BRIEFING interface 1);
# the domain's refusals set them in domain/errors.py, the application's are named here.
CaseNotFoundError.rule = "case.not_found"
CaseNotFoundError.message_vi = "Không tìm thấy việc thi hành án."
CaseAlreadyRegisteredError.rule = "case.already_registered"
CaseAlreadyRegisteredError.message_vi = "Bản án hoặc đơn yêu cầu với số tiếp nhận này đã được vào sổ thụ lý."
NotYourCaseError.rule = "case.not_assigned_to_you"
NotYourCaseError.message_vi = "Chấp hành viên chỉ thao tác trên việc thi hành án được phân công cho mình."
WrongOfficeError.rule = "case.other_office"
WrongOfficeError.message_vi = "Cán bộ chỉ xem và thao tác trên việc thi hành án của cơ quan mình."


# ---------------------------------------------------------------- cases received by delegation (issue 7)
def open_case_received_by_delegation(app: Intake, unit_id: str, intake_ref: str,
                                     **kwargs: Any) -> tuple[UUID, CommandFn]:
    """A command that registers a case delegated here by another office (origin "delegation",
    Art. 57 as amended 2022); like open_case, a duplicate is named on the re-run after the conflict."""
    case_id = Case.create_id(unit_id, Origin.DELEGATION.value, intake_ref)
    calls = 0

    def fn() -> tuple[list[Aggregate], Any]:
        nonlocal calls
        calls += 1
        if calls > 1 and app.case_exists(case_id):
            raise CaseAlreadyRegisteredError(
                f"delegation {intake_ref!r} of office {unit_id} is already case {case_id}")
        case = Case.receive_delegation(unit_id=unit_id, intake_ref=intake_ref, **kwargs)
        return [case], summary(case)

    return case_id, fn
