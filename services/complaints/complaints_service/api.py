"""Complaints HTTP API: one route per command on a complaint, reads scoped by office.

Who may act: staff (officer, head, clerk) of the office whose decision is complained about or of the
office routed to decide it record complaints, second complaints and withdrawals; only a HEAD accepts,
refuses or decides, and the domain checks that the head's office is the competent one
(complaint.not_competent). Every command goes through the kit's batcher, so an `Idempotency-Key`
makes it idempotent; a refusal names its rule (409) and writes nothing. Reads use the kit's office
scoping (thads_kit.scoping): a complaint is readable by whoever may read the office whose decision it
concerns or one of the offices deciding it."""

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from thads_contracts.intake import ErasureGround, ErasureRequester
from thads_kit.auth import Principal, require
from thads_kit.commands import write_with_next_command
from thads_kit.errors import ApiError
from thads_kit.errors import error_responses
from thads_kit.scoping import OutOfScopeError, check_case_read, may_read, unit_filter

from . import application as appl
from . import personal_data, projections
from .denunciations import AccusedRole, Finding
from .reception import AdHocReason, PetitionKind, SessionKind, month_compliance
from .domain import (ComplaintsError, NotComplainableError, NotFoundError, Outcome, RefusalGround, Status,
                     UnknownDecisionError)
from .erasure import ERASED
from .translation import actor_string

VN_TZ = timezone(timedelta(hours=7))
FILERS = ("officer", "head", "clerk")
HEADS = ("head",)
READERS = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin")
OFFICE_BOUND = frozenset({"officer", "head", "clerk", "accountant"})

router = APIRouter(tags=["khiếu nại"], responses=error_responses(400, 401, 403, 404, 409, 422, 503))

Text = Annotated[str, Field(min_length=1, max_length=4000, pattern=r"^[^\x00]+$")]
DocNo = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
Basis = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[^\x00]+$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occurred_at: AwareDatetime | None = Field(None, description="Thời điểm nghiệp vụ (mặc định: bây giờ)")


class ComplaintIn(Body):
    decision_event_id: UUID = Field(description="Mã sự kiện của quyết định, hành vi bị khiếu nại (do dịch vụ "
                                                "thụ lý hoặc bán đấu giá công bố)")
    received_on: date = Field(description="Ngày nhận đơn khiếu nại")
    learned_on: date | None = Field(None, description="Ngày người khiếu nại nhận được / biết quyết định, hành vi")
    complainant_party_id: UUID | None = Field(None, description="Mã đương sự (không ghi họ tên, địa chỉ)")
    content: Text = Field(description="Nội dung khiếu nại (không ghi thông tin cá nhân)")


class AcceptIn(Body):
    accepted_on: date
    complex: bool = Field(False, description="Vụ việc phức tạp hoặc ở vùng sâu, vùng xa (thêm 30 ngày)")


class RefuseIn(Body):
    ground: RefusalGround
    refused_on: date


class DecideIn(Body):
    outcome: Outcome
    decision_number: DocNo
    decided_on: date
    corrections: Text | None = Field(None, description="Nội dung phải khắc phục (bắt buộc khi khiếu nại đúng)")
    legal_basis: Basis | None = None


class SecondIn(Body):
    received_on: date
    content: Text


class WithdrawIn(Body):
    withdrawn_on: date


def _rt(request: Request) -> Any:
    return request.app.state.runtime


def _schema(request: Request) -> str:
    return request.app.state.settings.schema


def office_of(principal: Principal) -> str | None:
    return principal.unit if principal.role in OFFICE_BOUND else None


def _kwargs(body: Body, principal: Principal) -> dict[str, Any]:
    values = {k: (str(v) if isinstance(v, UUID) else v) for k, v in body.model_dump(exclude={"occurred_at"}).items()}
    return values | {"actor": actor_string(principal.role, principal.sub), "at": body.occurred_at}


@router.post("/complaints", summary="Nhận đơn khiếu nại về một quyết định, hành vi thi hành án", status_code=201)
async def file_complaint(request: Request, body: ComplaintIn,
                         principal: Annotated[Principal, Depends(require(*FILERS))]) -> Any:
    rt = _rt(request)
    complaint_id = uuid4()
    kwargs = _kwargs(body, principal)
    kwargs.pop("decision_event_id")
    return await rt.batcher.submit(complaint_id, appl.file(rt.app, complaint_id=complaint_id,
                                                           decision_event_id=body.decision_event_id,
                                                           office=office_of(principal), **kwargs))


def command_route(path: str, command: str, body_type: type[Body], roles: tuple[str, ...], summary: str,
                  decider: bool) -> None:
    async def endpoint(request: Request, complaint_id: UUID, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*roles))) -> Any:
        rt = _rt(request)
        kwargs = _kwargs(body, principal)
        if decider:
            kwargs["decider_unit"] = principal.unit
        return await rt.batcher.submit(complaint_id, appl.act(rt.app, complaint_id, command, kwargs,
                                                              office=office_of(principal)))

    endpoint.__name__ = command
    router.post(f"/complaints/{{complaint_id}}/{path}", summary=summary)(endpoint)


command_route("acceptance", "accept", AcceptIn, HEADS, "Thụ lý giải quyết khiếu nại (trong 05 ngày làm việc)", True)
command_route("refusal", "refuse", RefuseIn, HEADS, "Không thụ lý giải quyết khiếu nại (Điều 141)", True)
command_route("decision", "decide", DecideIn, HEADS, "Quyết định giải quyết khiếu nại", True)
command_route("second-complaint", "file_second", SecondIn, FILERS, "Nhận đơn khiếu nại lần hai (trong 15 ngày)", False)
command_route("withdrawal", "withdraw", WithdrawIn, FILERS, "Người khiếu nại rút khiếu nại", False)


# ---------------------------------------------------------------------------- reads (office-scoped)
def check_complaint_read(principal: Principal, units: list[str | None], case_id: Any) -> None:
    """The kit's one read rule, over the offices the complaint belongs to (its decision's office and the
    offices deciding it): readable when any of them is; else the refusal for the decision's office."""
    if any(u is not None and may_read(principal, u) for u in units):
        return
    check_case_read(principal, units[0] or "", (), case_id=case_id)


@router.get("/complaints/{complaint_id}", summary="Đơn khiếu nại: trạng thái, thẩm quyền, thời hạn")
async def get_complaint(request: Request, complaint_id: UUID,
                        principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = _rt(request)
    c = await rt.executor.run(rt.app.get_complaint, complaint_id)
    check_complaint_read(principal, [c.unit, c.first_unit, c.second_unit], c.case_id)
    shown = appl.state(c)
    if await projections.erased_party(rt.pool, _schema(request), c.complainant_party_id):
        shown["complainant_party_id"] = ERASED      # intake erased the party (erasure.py)
    return shown


@router.get("/decisions/{event_id}", summary="Quyết định, hành vi có thể bị khiếu nại (đã nhận từ các dịch vụ khác)")
async def get_decision(request: Request, event_id: UUID,
                       principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = _rt(request)
    try:
        d = await rt.executor.run(rt.app.get_decision, event_id)
    except (UnknownDecisionError, NotComplainableError) as exc:   # a read of a missing thing: 404
        raise appl.DecisionNotFoundError(str(exc)) from None
    check_case_read(principal, d.unit, (), case_id=d.case_id)
    return appl.decision_state(d)


StatusQ = Annotated[Status | None, Query()]
Unit = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[!-\-/-~]+$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/complaints", summary="Danh sách đơn khiếu nại (theo phạm vi đơn vị của người xem)")
async def list_complaints(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                          unit: Unit = None, status: StatusQ = None, case_id: UUID | None = None,
                          limit: Limit = 100, offset: Offset = 0) -> Any:
    f = unit_filter(principal, unit)
    items = await projections.list_complaints(_rt(request).pool, _schema(request), f,
                                              status.value if status else None, case_id, limit, offset)
    return {"items": items}


@router.get("/overdue", summary="Đơn khiếu nại quá hạn thụ lý hoặc quá hạn giải quyết")
async def overdue(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                  unit: Unit = None, as_of: date | None = None) -> Any:
    f = unit_filter(principal, unit)
    day = as_of or datetime.now(VN_TZ).date()
    return {"as_of": day, "items": await projections.overdue(_rt(request).pool, _schema(request), f, day)}


# ---------------------------------------------------------------------------- denunciations (tố cáo)
D_RECORDERS = ("clerk", "head")                       # record at the handling office
D_READERS = ("head", "clerk", "procuracy", "auditor", "admin")   # not officers: the accused are officers
# Who may see WHO denounced (Art. 157; Law on Denunciation 2018 Art. 47): the head who resolves it and
# the inspectors; nobody else, whatever their office. Every read and every refused attempt is logged.
DENOUNCER_READERS = frozenset({"head", "auditor"})
DENOUNCER_BASIS = "Luật THADS Điều 157; Luật Tố cáo 2018 Điều 47, 48"
ERASURE_BASIS = "Điều 16 Nghị định 13/2023/NĐ-CP"

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
Short = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
StaffId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[!-~]+$")]
Office = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[!-\-/-~]+$")]


class Denouncer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: Name
    id_number: Short | None = None
    address: Text | None = None
    phone: Short | None = None
    representative: bool = Field(False, description="Người đại diện của nhóm người tố cáo")


class DenunciationIn(Body):
    accused_role: AccusedRole
    accused_unit: Office = Field(description="Đơn vị của người bị tố cáo")
    accused_id: StaffId = Field(description="Mã cán bộ bị tố cáo")
    received_on: date
    content: Text
    denouncers: list[Denouncer] = Field(min_length=1, max_length=200,
                                        description="Người tố cáo (được giữ bí mật, không ghi vào sự kiện)")
    repeat_of: UUID | None = Field(None, description="Đơn tố cáo trước về cùng người, cùng nội dung")
    new_content: bool = Field(False, description="Tố cáo tiếp có nội dung mới")


class DAcceptIn(Body):
    accepted_on: date


class DExtendIn(Body):
    days: int = Field(ge=1, le=30)


class DConcludeIn(Body):
    finding: Finding
    conclusion_number: DocNo
    concluded_on: date


@router.post("/denunciations", summary="Nhận đơn tố cáo cán bộ thi hành án", status_code=201, tags=["tố cáo"])
async def file_denunciation(request: Request, body: DenunciationIn,
                            principal: Annotated[Principal, Depends(require(*D_RECORDERS))]) -> Any:
    rt = _rt(request)
    denunciation_id = uuid4()
    people = [p.model_dump() for p in body.denouncers]
    write_with_next_command(personal_data.insert_write(_schema(request), denunciation_id, people))
    return await rt.batcher.submit(denunciation_id, appl.denounce(
        rt.app, denunciation_id=denunciation_id, office=office_of(principal), repeat_of=body.repeat_of,
        accused_role=body.accused_role, accused_unit=body.accused_unit, accused_id=body.accused_id,
        received_on=body.received_on, content=body.content, denouncers=len(people),
        representatives=sum(1 for p in people if p["representative"]), new_content=body.new_content,
        actor=actor_string(principal.role, principal.sub), at=body.occurred_at))


def denunciation_route(path: str, command: str, body_type: type[Body], summary: str) -> None:
    async def endpoint(request: Request, denunciation_id: UUID, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*HEADS))) -> Any:
        rt = _rt(request)
        kwargs = _kwargs(body, principal) | {"decider_unit": principal.unit}
        return await rt.batcher.submit(denunciation_id, appl.act_denunciation(rt.app, denunciation_id, command, kwargs))

    endpoint.__name__ = f"denunciation_{command}"
    router.post(f"/denunciations/{{denunciation_id}}/{path}", summary=summary, tags=["tố cáo"])(endpoint)


denunciation_route("acceptance", "accept", DAcceptIn, "Thụ lý giải quyết tố cáo")
denunciation_route("extension", "extend", DExtendIn, "Gia hạn giải quyết tố cáo (vụ việc phức tạp, tổng không quá 90 ngày)")
denunciation_route("conclusion", "resolve", DConcludeIn, "Kết luận nội dung tố cáo")


@router.get("/denunciations/{denunciation_id}", summary="Đơn tố cáo (không gồm thông tin người tố cáo)",
            tags=["tố cáo"])
async def get_denunciation(request: Request, denunciation_id: UUID,
                           principal: Annotated[Principal, Depends(require(*D_READERS))]) -> Any:
    rt = _rt(request)
    d = await rt.executor.run(rt.app.get_denunciation, denunciation_id)
    check_case_read(principal, d.handler_unit, (), case_id=d.id)
    return appl.denunciation_state(d)


@router.get("/denunciations", summary="Danh sách đơn tố cáo do đơn vị giải quyết", tags=["tố cáo"])
async def list_denunciations(request: Request, principal: Annotated[Principal, Depends(require(*D_READERS))],
                             unit: Unit = None, overdue_on: date | None = None, limit: Limit = 100,
                             offset: Offset = 0) -> Any:
    f = unit_filter(principal, unit)
    return {"items": await projections.list_denunciations(_rt(request).pool, _schema(request), f, overdue_on,
                                                          limit, offset)}


@router.get("/denunciations/{denunciation_id}/denouncers", tags=["tố cáo"],
            summary="Thông tin người tố cáo (bí mật; chỉ người giải quyết tố cáo và thanh tra; mọi lần xem được ghi lại)")
async def get_denouncers(request: Request, denunciation_id: UUID,
                         principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = _rt(request)
    d = await rt.executor.run(rt.app.get_denunciation, denunciation_id)
    refusal: Exception | None = None
    if principal.role not in DENOUNCER_READERS:
        refusal = ApiError(403, error="forbidden", rule="denunciation.denouncer_confidential",
                           message_vi="Thông tin người tố cáo được giữ bí mật: chỉ người giải quyết tố cáo và thanh tra "
                                      "được xem.", legal_basis=DENOUNCER_BASIS,
                           detail=f"role {principal.role} may not read the denouncers")
    elif principal.role == "head" and principal.unit != d.handler_unit:
        refusal = ApiError(403, error="forbidden", rule="denunciation.denouncer_confidential",
                           message_vi=f"Chỉ Thủ trưởng đơn vị giải quyết tố cáo ({d.handler_unit}) được xem thông tin "
                                      f"người tố cáo.", legal_basis=DENOUNCER_BASIS,
                           detail=f"head of {principal.unit} does not handle denunciation {d.id}")
    else:
        try:
            check_case_read(principal, d.handler_unit, (), case_id=d.id)
        except Exception as exc:   # noqa: BLE001 - logged as a refusal, then raised
            refusal = exc
    if refusal is not None:
        await rt.access.record(principal, action="refused", resource="denouncer", resource_id=str(d.id),
                               unit=d.handler_unit, legal_basis=DENOUNCER_BASIS, status=403)
        raise refusal
    await rt.access.record(principal, action="read", resource="denouncer", resource_id=str(d.id),
                           unit=d.handler_unit, legal_basis=DENOUNCER_BASIS, status=200)
    people = await personal_data.denouncers(rt.pool, _schema(request), d.id)
    return {"denunciation_id": str(d.id), "denouncers": people}


class DenouncerErasureIn(Body):
    """Erasure of the denouncers' identity (issue 11 §4): on which ground, who asked, the written request."""
    denouncers: list[Annotated[int, Field(ge=1, le=200)]] | None = Field(
        None, min_length=1, max_length=200, description="Số thứ tự người tố cáo cần xóa (mặc định: tất cả)")
    ground: ErasureGround = Field(description="Căn cứ xóa dữ liệu cá nhân")
    requested_by: ErasureRequester = Field(description="Người yêu cầu xóa")
    request_ref: DocNo = Field(description="Số văn bản yêu cầu hoặc quyết định")
    legal_basis: Basis = Field(ERASURE_BASIS, description="Căn cứ pháp lý")


@router.post("/denunciations/{denunciation_id}/personal-data-erasures", tags=["tố cáo"],
             summary="Xóa thông tin người tố cáo (căn cứ, người yêu cầu; sau thời hạn lưu giữ)")
async def erase_denouncers(request: Request, denunciation_id: UUID, body: DenouncerErasureIn,
                           principal: Annotated[Principal, Depends(require(*HEADS))]) -> Any:
    """The act is the denunciation's DenouncersErased event and the identity is nulled in the same
    transaction (erasure.py); a refusal (retention, another office, already erased) erases nothing.
    Every refused attempt is an access-log entry (resource "denouncer_erasure"); a done one is its event
    (the access log records reads and refusals only)."""
    rt = _rt(request)
    write_with_next_command(personal_data.erase_write(_schema(request), denunciation_id, body.denouncers))
    kwargs = {"decider_unit": principal.unit, "seqs": body.denouncers, "ground": body.ground.value,
              "requested_by": body.requested_by.value, "request_ref": body.request_ref,
              "legal_basis": body.legal_basis, "actor": actor_string(principal.role, principal.sub),
              "at": body.occurred_at}
    try:
        result = await rt.batcher.submit(denunciation_id, appl.erase_denouncers(rt.app, denunciation_id, kwargs))
    except (ComplaintsError, OutOfScopeError) as exc:
        status = 404 if isinstance(exc, NotFoundError) else 403 if isinstance(exc, (appl.WrongOfficeError,
                                                                                     OutOfScopeError)) else 409
        await rt.access.record(principal, action="refused", resource="denouncer_erasure",
                               resource_id=str(denunciation_id), unit=principal.unit,
                               legal_basis=body.legal_basis, status=status)
        raise
    return result


# ---------------------------------------------------------------------------- citizen reception
class SessionIn(Body):
    kind: SessionKind
    reason: AdHocReason | None = Field(None, description="Lý do tiếp đột xuất (bắt buộc với buổi đột xuất)")
    held_on: date


class VisitIn(Body):
    petition_kind: PetitionKind
    summary: Text = Field(description="Nội dung công dân trình bày (không ghi thông tin cá nhân)")
    concerns_unit: Office = Field(description="Đơn vị có quyết định, hành vi hoặc cán bộ bị khiếu nại, tố cáo")
    decision_event_id: UUID | None = Field(None, description="Quyết định, hành vi bị khiếu nại (nếu đã biết)")
    case_id: UUID | None = None
    visitors: int = Field(1, ge=1, le=10_000, description="Số công dân đến")


@router.post("/reception/sessions", summary="Buổi tiếp công dân của Thủ trưởng (định kỳ hoặc đột xuất)",
             status_code=201, tags=["tiếp công dân"])
async def open_session(request: Request, body: SessionIn,
                       principal: Annotated[Principal, Depends(require(*HEADS))]) -> Any:
    rt = _rt(request)
    session_id = uuid4()
    return await rt.batcher.submit(session_id, appl.open_session(
        rt.app, session_id=session_id, unit=principal.unit, kind=body.kind, reason=body.reason, held_on=body.held_on,
        head_id=principal.sub, actor=actor_string(principal.role, principal.sub), at=body.occurred_at))


@router.post("/reception/sessions/{session_id}/visits", summary="Ghi nhận công dân đến và nơi chuyển đơn",
             tags=["tiếp công dân"])
async def record_visit(request: Request, session_id: UUID, body: VisitIn,
                       principal: Annotated[Principal, Depends(require("head", "clerk"))]) -> Any:
    rt = _rt(request)
    return await rt.batcher.submit(session_id, appl.record_visit(
        rt.app, session_id, office_of(principal), body.decision_event_id, visit_id=uuid4(),
        petition_kind=body.petition_kind, summary=body.summary, competent_unit=body.concerns_unit,
        case_id=body.case_id, visitors=body.visitors, actor=actor_string(principal.role, principal.sub),
        at=body.occurred_at))


@router.get("/reception/sessions", summary="Các buổi tiếp công dân (theo phạm vi đơn vị)", tags=["tiếp công dân"])
async def list_sessions(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                        unit: Unit = None, since: date | None = None, until: date | None = None,
                        limit: Limit = 100, offset: Offset = 0) -> Any:
    f = unit_filter(principal, unit)
    return {"items": await projections.list_sessions(_rt(request).pool, _schema(request), f, since, until,
                                                     limit, offset)}


@router.get("/reception/schedule-compliance", tags=["tiếp công dân"],
            summary="Thủ trưởng có tiếp công dân định kỳ ít nhất 01 ngày trong tháng không")
async def schedule_compliance(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                              year: Annotated[int, Query(ge=2000, le=2100)],
                              month: Annotated[int, Query(ge=1, le=12)], unit: Unit = None) -> Any:
    office = unit or principal.unit
    check_case_read(principal, office)
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    held = await projections.sessions_of_unit(_rt(request).pool, _schema(request), office, first, last)
    return {"unit": office} | month_compliance(held, year, month)
