"""Recovery application: get → act → save for every command on a BadDebtFile, for the kit's batcher.

Who may act on a file is checked here, inside the command (so a refusal writes nothing): a bank only
on its own files (rule `bank.other_bank`), staff only on files of their office (`bad_debt_file.other_office`)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from thads_kit.store import ServiceApplication

from .domain import BadDebtFile, FileNotFoundError_, OtherBankError, RecoveryError
from .enforcement_requests import EnforcementRequest, RequestReusedError, file_id_of_request, request_id_of

VN_TZ = timezone(timedelta(hours=7))
CommandFn = Callable[[], tuple[list[Aggregate], Any]]


class WrongOfficeError(RecoveryError):
    rule = "bad_debt_file.other_office"
    message_vi = "Cán bộ chỉ thao tác trên hồ sơ nợ xấu của cơ quan mình."


class Recovery(ServiceApplication):
    name = "Recovery"
    read_schema: str | None = None     # set by main: the files and feed tables are written with the events

    def record(self, aggregates: Any, tracking: Any = None, *, commands: Any = (), writes: Any = ()) -> int:
        """Every save also writes the saved files' rows and their new feed entries, in the same transaction."""
        aggregates = list(aggregates)
        if self.read_schema is not None and aggregates:
            from .projections import upsert_write
            writes = [*writes, upsert_write(self.read_schema, aggregates)]
        return super().record(aggregates, tracking, commands=commands, writes=writes)

    def get_file(self, fid: UUID) -> BadDebtFile:
        try:
            return self.repository.get(fid)  # type: ignore[return-value]
        except AggregateNotFoundError:
            raise FileNotFoundError_(f"bad-debt file {fid} not found") from None

    def file_exists(self, fid: UUID) -> bool:
        return fid in self.repository

    def get_request(self, rid: UUID) -> EnforcementRequest | None:
        try:
            return self.repository.get(rid)  # type: ignore[return-value]
        except AggregateNotFoundError:
            return None


def file_request(app: Recovery, *, bank_code: str, request_id: str, details: dict[str, Any], actor: str,
                 at: datetime | None, filed_on_given: bool = True) -> CommandFn:
    """A bank's request for enforcement as a creditor: recorded once per (bank, request id); the same
    request again records nothing and gets the same answer; another request under that id is refused.
    `filed_on_given` false: the filing date defaulted to today, so a resend on a later day is the same request."""
    def fn() -> tuple[list[Aggregate], Any]:
        known = app.get_request(request_id_of(bank_code, request_id))
        if known is not None:
            same = details if filed_on_given else details | {"filed_on": known.details["filed_on"]}
            if not known.same_as(same):
                raise RequestReusedError(f"request {request_id} of {bank_code} was filed with other details")
            return [], known.answer() | {"recorded": False}
        req = EnforcementRequest.file(bank_code=bank_code, request_id=request_id, details=details, actor=actor,
                                      at=at or datetime.now(VN_TZ))
        return [req], req.answer() | {"recorded": True}
    return fn


def guard(file: BadDebtFile, bank: str | None, unit: str | None) -> None:
    if bank is not None and file.bank_code != bank:
        raise OtherBankError(f"file {file.id} belongs to {file.bank_code}, not to {bank}")
    if unit is not None and file.unit != unit:
        raise WrongOfficeError(f"file {file.id} belongs to office {file.unit}, not to {unit}")


def act(app: Recovery, fid: UUID, command: str, kwargs: dict[str, Any], *, bank: str | None = None,
        unit: str | None = None) -> CommandFn:
    """Loads the file, checks the caller (its bank or its office), calls `command`, saves what it recorded.
    The answer says whether anything was recorded (`recorded`: false for a repeat with the same data)."""
    def fn() -> tuple[list[Aggregate], Any]:
        file = app.get_file(fid)
        guard(file, bank, unit)
        recorded = getattr(file, command)(**(kwargs | {"at": kwargs.get("at") or datetime.now(VN_TZ)}))
        return [file], summary(file) | {"recorded": bool(recorded)}

    return fn


def summary(file: BadDebtFile) -> dict[str, Any]:
    return {"file_id": str(file.id), "case_id": str(file.case_id), "bank_code": file.bank_code,
            "version": file.version, "status": file.status}


def state(file: BadDebtFile) -> dict[str, Any]:
    return summary(file) | {
        "institution_name": file.institution_name, "unit": file.unit, "team": file.team,
        "bank_party_id": file.bank_party_id, "claims": file.claims, "secured": file.secured,
        "collaterals": file.collaterals, "collateral_proceeds_vnd": file.collateral_proceeds_vnd,
        "feed_entries": file.feed_seq, "acknowledged": sorted(file.acknowledged),
        "repayments": file.repayments, "information_requests": file.requests,
        "opened_at": file.opened_at,
    }


class RequestNotFoundError(FileNotFoundError_):
    rule = "enforcement_request.not_found"
    message_vi = "Không có yêu cầu thi hành án này của tổ chức tín dụng."


def erase_request_personal_data(app: Recovery, rid: UUID, *, unit: str | None, ground: str, requested_by: str,
                                request_ref: str, actor: str, at: datetime | None) -> CommandFn:
    """The head of the office the request was filed with erases its personal data (after retention)."""
    def fn() -> tuple[list[Aggregate], Any]:
        req = app.get_request(rid)
        if req is None:
            raise RequestNotFoundError(f"no enforcement request {rid}")
        if unit is not None and req.unit != unit:
            raise WrongOfficeError(f"request {req.request_id} was filed with office {req.unit}, not {unit}")
        fid = file_id_of_request(req)
        closed_on = app.get_file(fid).closed_on if app.file_exists(fid) else None
        now = at or datetime.now(VN_TZ)
        recorded = req.erase_personal_data(ground=ground, requested_by=requested_by, request_ref=request_ref,
                                           file_closed_on=closed_on, today=now.astimezone(VN_TZ).date(),
                                           actor=actor, at=now)
        return [req], req.answer() | {"recorded": recorded, "erased": req.erased}
    return fn
