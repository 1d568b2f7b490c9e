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

from thads_kit.auth import Principal, require
from thads_kit.errors import error_responses
from thads_kit.scoping import check_case_read, may_read, unit_filter

from . import application as appl
from . import projections
from .domain import Outcome, RefusalGround, Status
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
    return appl.state(c)


@router.get("/decisions/{event_id}", summary="Quyết định, hành vi có thể bị khiếu nại (đã nhận từ các dịch vụ khác)")
async def get_decision(request: Request, event_id: UUID,
                       principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = _rt(request)
    d = await rt.executor.run(rt.app.get_decision, event_id)
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
