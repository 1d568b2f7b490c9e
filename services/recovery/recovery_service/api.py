"""Recovery HTTP API: the bad-debt team's routes on the files, and the banks' routes.

Who may do what:
- staff (officers, heads) act on the files of their own office (403 bad_debt_file.other_office); reads
  use the kit's office scoping (thads_kit.scoping): own office for staff, the province for the
  procuracy and auditors, everything for admin;
- a bank (token role `bank` with its code) reads and writes ONLY under /banks/{its code}/...: its feed
  (cursor-paged pull, or Server-Sent Events resumable with Last-Event-ID), its files, and its inbound
  messages (repayments received directly, acknowledgements, answers to information requests,
  collateral data). Any other bank code → 403 `bank.other_bank`, and the refusal is in the access log;
  every read of the feed or a file by a bank is in the access log too (`_access`).
Every command goes through the kit's batcher: with an `Idempotency-Key` a bank resending a message gets
the original answer, and the domain applies one repayment id once whatever the key.
"""

import asyncio
import json
import logging
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, AsyncIterator, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from thads_kit.auth import Principal, require
from thads_kit.commands import write_with_next_command
from thads_kit.errors import ApiError, error_responses
from thads_kit.scoping import check_case_read, unit_filter

from . import application as appl
from . import projections
from .domain import file_id
from .enforcement_requests import FILING_BASIS, UnknownBankError, case_id_of, intake_ref_of, request_id_of
from .institutions import name_of
from .translation import actor_string

log = logging.getLogger(__name__)
VN_TZ = timezone(timedelta(hours=7))
ACTORS = ("officer", "head")
READERS = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin")
# anyone with a token may knock on a bank's routes, so that a refusal is logged; only the bank passes _own_bank
BANK_ROUTE_ROLES = ("bank", *READERS)
OFFICE_BOUND = frozenset({"officer", "head", "clerk", "accountant"})
MAX_VND = 2**53 - 1
FEED_BASIS = "Điều 44, 47 Luật THADS; TTLT 02/2014/TTLT-BTP-NHNN (phối hợp cung cấp thông tin)"

router = APIRouter(tags=["nợ xấu"], responses=error_responses(400, 401, 403, 404, 409, 422, 503))
banks = APIRouter(tags=["tổ chức tín dụng"], responses=error_responses(400, 401, 403, 404, 409, 422, 503))

Money = Annotated[int, Field(gt=0, le=MAX_VND, description="Số tiền (đồng)")]
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^[^\x00]+$")]
DocNo = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]
BankPath = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Cursor = Annotated[int, Query(ge=0, le=2**62, description="Vị trí đã đọc đến (0: từ đầu)")]
Unit = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[!-\-/-~]+$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occurred_at: AwareDatetime | None = Field(None, description="Thời điểm nghiệp vụ (mặc định: bây giờ)")


class CollateralIn(Body):
    collateral_id: UUID = Field(description="Mã tài sản bảo đảm do bên gửi đặt")
    description: Text = Field(description="Mô tả tài sản bảo đảm (không ghi thông tin cá nhân)")
    kind: Annotated[str, Field(pattern=r"^(real_estate|movable|vehicle|account|other)$")]
    value_vnd: Money
    claim_item_ids: list[UUID] = Field(min_length=1, max_length=100)
    reported_on: date


class LinkIn(Body):
    asset_id: UUID = Field(description="Tài sản kê biên (dịch vụ đấu giá) chính là tài sản bảo đảm này")


class TeamIn(Body):
    team: Text = Field(description="Tổ xử lý nợ xấu được giao")


class InfoRequestIn(Body):
    request_id: UUID
    subject: Text = Field(description="Nội dung yêu cầu (ví dụ: số dư tài khoản của người phải thi hành án)")
    requested_on: date


class BankCaseIn(Body):
    case_id: UUID


class RepaymentIn(BankCaseIn):
    repayment_id: UUID = Field(description="Mã khoản trả nợ do ngân hàng đặt: gửi lại cùng mã không ghi thêm")
    claim_item_id: UUID
    amount_vnd: Money
    received_on: date
    bank_reference: DocNo | None = None


class AckIn(BankCaseIn):
    sequence: int = Field(ge=1, le=10_000_000, description="Số thứ tự thông tin trong hồ sơ đã nhận")


class AnswerIn(BankCaseIn):
    answer: Text
    answered_on: date


class BankCollateralIn(BankCaseIn, CollateralIn):
    pass


Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]


class DebtorIn(BaseModel):
    """Personal data: kept in recovery's erasable table, never in an event."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["individual", "organisation"]
    full_name: Name
    id_number: Annotated[str | None, Field(pattern=r"^[0-9]{9,13}$", description="CCCD/CMND hoặc mã số thuế")] = None
    address: Text | None = None


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: Name
    phone: Annotated[str | None, Field(pattern=r"^\+?[0-9 ]{6,20}$")] = None
    email: Annotated[str | None, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")] = None


class RequestedClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claim_item_id: UUID = Field(description="Mã khoản thi hành án (khoản nợ tín dụng) do ngân hàng đặt")
    amount_vnd: Money
    secured: bool = Field(False, description="Khoản nợ có tài sản bảo đảm")


class EnforcementRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: UUID = Field(description="Mã yêu cầu do ngân hàng đặt: gửi lại cùng mã không ghi thêm")
    unit: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", description="Cơ quan THADS nhận yêu cầu")]
    judgment_number: DocNo = Field(description="Số bản án, quyết định được thi hành")
    issuing_court: Text = Field(description="Tòa án đã ra bản án, quyết định")
    judgment_effective_on: date = Field(description="Ngày bản án, quyết định có hiệu lực pháp luật")
    filed_on: date | None = Field(None, description="Ngày làm đơn (mặc định: hôm nay)")
    claims: list[RequestedClaimIn] = Field(min_length=1, max_length=100)
    debtor: DebtorIn
    contact: ContactIn | None = None
    occurred_at: AwareDatetime | None = Field(None, description="Thời điểm nghiệp vụ (mặc định: bây giờ)")


def _rt(request: Request) -> Any:
    return request.app.state.runtime


def _schema(request: Request) -> str:
    return request.app.state.settings.schema


def office_of(principal: Principal) -> str | None:
    return principal.unit if principal.role in OFFICE_BOUND else None


def _kwargs(body: BaseModel, principal: Principal, exclude: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    values = body.model_dump(exclude={"occurred_at", "case_id", *exclude})
    values = {k: (str(v) if isinstance(v, UUID) else [str(x) for x in v] if isinstance(v, list) else v)
              for k, v in values.items()}
    who = principal.bank if principal.role == "bank" and principal.bank else principal.sub
    return values | {"actor": actor_string(principal.role, who), "at": getattr(body, "occurred_at", None)}


async def _access(request: Request, principal: Principal, *, action: str, resource: str, resource_id: str,
                  case_id: UUID | None = None, unit: str | None = None, status: int = 200) -> None:
    """Every read of the feed or a file by a bank, and every refusal, goes to the access log."""
    await _rt(request).access.record(principal, action=action, resource=resource, resource_id=resource_id,
                                     case_id=case_id, unit=unit, legal_basis=FEED_BASIS, status=status)


async def _own_bank(request: Request, principal: Principal, bank_code: str, resource_id: str) -> None:
    if principal.role == "bank" and principal.bank == bank_code:
        return
    await _access(request, principal, action="refused", resource="bank_feed", resource_id=resource_id, status=403)
    raise ApiError(403, error="OtherBankError", rule="bank.other_bank",
                   message_vi="Tổ chức tín dụng chỉ được đọc và gửi thông tin của chính mình.",
                   detail=f"token of {principal.role}/{principal.bank or principal.unit} may not use bank {bank_code}")


# ---------------------------------------------------------------------------- the bad-debt team

def staff_route(path: str, command: str, body_type: type[Body], summary: str, roles: tuple[str, ...] = ACTORS) -> None:
    async def endpoint(request: Request, file: UUID, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*roles))) -> Any:
        rt = _rt(request)
        return await rt.batcher.submit(file, appl.act(rt.app, file, command, _kwargs(body, principal),
                                                      unit=office_of(principal)))
    endpoint.__name__ = f"staff_{command}"
    router.post(f"/files/{{file}}/{path}", summary=summary)(endpoint)


staff_route("collaterals", "register_collateral", CollateralIn, "Ghi nhận tài sản bảo đảm của khoản nợ")
staff_route("team", "assign_team", TeamIn, "Giao hồ sơ cho Tổ xử lý nợ xấu", roles=("head",))
staff_route("information-requests", "request_information", InfoRequestIn,
            "Yêu cầu tổ chức tín dụng cung cấp thông tin (trả lời trong 3 ngày làm việc)")


@router.post("/files/{file}/collaterals/{collateral_id}/seized-asset",
             summary="Liên kết tài sản bảo đảm với tài sản đã kê biên")
async def link_seized_asset(request: Request, file: UUID, collateral_id: UUID, body: LinkIn,
                            principal: Annotated[Principal, Depends(require(*ACTORS))]) -> Any:
    rt = _rt(request)
    kwargs = _kwargs(body, principal) | {"collateral_id": str(collateral_id)}
    return await rt.batcher.submit(file, appl.act(rt.app, file, "link_seized_asset", kwargs, unit=office_of(principal)))


@router.get("/files/{file}", summary="Hồ sơ nợ xấu: khoản nợ, tài sản bảo đảm, trả nợ, yêu cầu thông tin")
async def get_file(request: Request, file: UUID,
                   principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    rt = _rt(request)
    f = await rt.executor.run(rt.app.get_file, file)
    check_case_read(principal, f.unit, (), case_id=f.case_id)
    return appl.state(f)


@router.get("/files", summary="Danh sách hồ sơ nợ xấu (theo phạm vi đơn vị của người xem)")
async def list_files(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                     unit: Unit = None, limit: Limit = 100, offset: Offset = 0) -> Any:
    f = unit_filter(principal, unit)
    return {"items": await projections.list_files(_rt(request).pool, _schema(request), f, None, limit, offset)}


@router.get("/information-requests/overdue",
            summary="Yêu cầu cung cấp thông tin quá 3 ngày làm việc chưa được tổ chức tín dụng trả lời")
async def overdue_requests(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                           unit: Unit = None, as_of: date | None = None) -> Any:
    f = unit_filter(principal, unit)
    day = as_of or datetime.now(VN_TZ).date()
    return {"as_of": day, "items": await projections.overdue_requests(_rt(request).pool, _schema(request), f, None, day)}


# ---------------------------------------------------------------------------- banks

@banks.get("/banks/{bank_code}/feed", summary="Luồng tin của tổ chức tín dụng (đọc theo trang, tiếp tục từ vị trí đã đọc)")
async def pull_feed(request: Request, bank_code: BankPath,
                    principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))],
                    after: Cursor = 0, limit: Limit = 100, case_id: UUID | None = None) -> Any:
    await _own_bank(request, principal, bank_code, f"{bank_code}:{after}")
    rows = await projections.feed_page(_rt(request).pool, _schema(request), bank_code, after, limit + 1, case_id)
    page, more = rows[:limit], len(rows) > limit
    await _access(request, principal, action="read", resource="bank_feed", resource_id=f"{bank_code}:{after}",
                  case_id=case_id, status=200)
    return {"bank_code": bank_code, "entries": page, "next_cursor": page[-1]["position"] if page else after,
            "has_more": more}


@banks.get("/banks/{bank_code}/feed/stream",
           summary="Luồng tin của tổ chức tín dụng qua Server-Sent Events (tiếp tục bằng Last-Event-ID)",
           response_class=EventSourceResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def stream_feed(request: Request, bank_code: BankPath,
                      principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))],
                      after: Cursor = 0,
                      last_event_id: Annotated[str | None, Header(max_length=20, pattern=r"^[0-9]*$")] = None) -> Any:
    """Each event: `id` = the feed position (the cursor), `event: entry`, `data` = the
    recovery.BankFeedEntry.v1 JSON. A reconnecting client sends Last-Event-ID and gets what follows."""
    await _own_bank(request, principal, bank_code, f"{bank_code}:stream")
    cursor = int(last_event_id) if last_event_id else after
    await _access(request, principal, action="read", resource="bank_feed", resource_id=f"{bank_code}:stream:{cursor}")
    rt, schema = _rt(request), _schema(request)
    poll = request.app.state.settings.sse_poll_seconds

    async def events() -> AsyncIterator[dict[str, Any]]:
        nonlocal cursor
        while True:
            rows = await projections.feed_page(rt.pool, schema, bank_code, cursor, 100)
            for row in rows:
                cursor = row["position"]
                yield {"id": str(cursor), "event": "entry", "data": json.dumps(row["entry"], ensure_ascii=False)}
            if not rows:
                await asyncio.sleep(poll)

    return EventSourceResponse(events(), ping=15)


@banks.get("/banks/{bank_code}/files", summary="Hồ sơ nợ xấu của tổ chức tín dụng")
async def bank_files(request: Request, bank_code: BankPath,
                     principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))],
                     limit: Limit = 100, offset: Offset = 0) -> Any:
    await _own_bank(request, principal, bank_code, f"{bank_code}:files")
    items = await projections.list_files(_rt(request).pool, _schema(request), None, bank_code, limit, offset)
    await _access(request, principal, action="read", resource="case", resource_id=f"{bank_code}:files")
    return {"items": items}


@banks.get("/banks/{bank_code}/cases/{case_id}", summary="Hồ sơ nợ xấu của tổ chức tín dụng trong một việc thi hành án")
async def bank_case(request: Request, bank_code: BankPath, case_id: UUID,
                    principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))]) -> Any:
    await _own_bank(request, principal, bank_code, str(case_id))
    rt = _rt(request)
    f = await rt.executor.run(rt.app.get_file, file_id(case_id, bank_code))
    await _access(request, principal, action="read", resource="case", resource_id=str(case_id), case_id=case_id,
                  unit=f.unit)
    return appl.state(f)


def bank_route(path: str, command: str, body_type: type[BankCaseIn], summary: str) -> None:
    async def endpoint(request: Request, bank_code: BankPath, body: body_type,  # type: ignore[valid-type]
                       principal: Principal = Depends(require(*BANK_ROUTE_ROLES))) -> Any:
        await _own_bank(request, principal, bank_code, f"{bank_code}:{path}")
        rt = _rt(request)
        fid = file_id(body.case_id, bank_code)
        return await rt.batcher.submit(fid, appl.act(rt.app, fid, command, _kwargs(body, principal), bank=bank_code))
    endpoint.__name__ = f"bank_{command}"
    banks.post(f"/banks/{{bank_code}}/{path}", summary=summary)(endpoint)


bank_route("repayments", "report_repayment", RepaymentIn,
           "Tổ chức tín dụng báo đã nhận tiền trả nợ trực tiếp từ người phải thi hành án")
bank_route("acknowledgements", "acknowledge", AckIn, "Tổ chức tín dụng xác nhận đã nhận thông tin")
bank_route("collaterals", "register_collateral", BankCollateralIn, "Tổ chức tín dụng cung cấp dữ liệu tài sản bảo đảm")


@banks.post("/banks/{bank_code}/enforcement-requests",
            summary="Tổ chức tín dụng yêu cầu thi hành án với tư cách người được thi hành án")
async def request_enforcement(request: Request, bank_code: BankPath, body: EnforcementRequestIn,
                              principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))]) -> Any:
    """The request becomes a request received in intake (a case on the online channel with the bank as
    creditor and its claim items) from recovery.EnforcementRequested.v1; `case_id` in the answer is that
    case. The debtor and the contact person stay in recovery's erasable table, never in an event. The same
    request id again gets the same answer and records nothing; another request under that id: 409."""
    await _own_bank(request, principal, bank_code, f"{bank_code}:enforcement-requests")
    if name_of(bank_code) is None:
        raise UnknownBankError(f"{bank_code} is not in the registry of credit institutions")
    rt = _rt(request)
    today = datetime.now(VN_TZ).date()
    details = {"unit": body.unit, "judgment_number": body.judgment_number, "issuing_court": body.issuing_court,
               "judgment_effective_on": body.judgment_effective_on.isoformat(),
               "filed_on": (body.filed_on or today).isoformat(),
               "claims": [{"claim_item_id": str(c.claim_item_id), "amount_vnd": c.amount_vnd, "secured": c.secured}
                          for c in body.claims]}
    key = request_id_of(bank_code, body.request_id)
    write_with_next_command(projections.request_personal_write(
        _schema(request), request_key=key, case_id=case_id_of(body.unit, intake_ref_of(bank_code, body.request_id)),
        bank_code=bank_code, debtor=body.debtor.model_dump(exclude_none=True),
        contact=body.contact.model_dump(exclude_none=True) if body.contact else None))
    fn = appl.file_request(rt.app, bank_code=bank_code, request_id=str(body.request_id), details=details,
                           actor=actor_string("bank", bank_code), at=body.occurred_at,
                           filed_on_given=body.filed_on is not None)
    return await rt.batcher.submit(key, fn)


@banks.get("/banks/{bank_code}/enforcement-requests/{request_id}",
           summary="Yêu cầu thi hành án của tổ chức tín dụng như đã gửi")
async def bank_enforcement_request(request: Request, bank_code: BankPath, request_id: UUID,
                                   principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))]) -> Any:
    await _own_bank(request, principal, bank_code, f"{bank_code}:enforcement-requests:{request_id}")
    found = await projections.request_with_personal_data(_rt(request).pool, _schema(request),
                                                         request_id_of(bank_code, request_id))
    if found is None:
        raise ApiError(404, error="NotFound", rule="enforcement_request.not_found",
                       message_vi="Không có yêu cầu thi hành án này của tổ chức tín dụng.", detail=str(request_id))
    await _access(request, principal, action="read", resource="personal_data", resource_id=str(request_id),
                  case_id=UUID(found["case_id"]), unit=found["unit"])
    return found


@router.get("/enforcement-requests/{bank_code}/{request_id}",
            summary="Yêu cầu thi hành án của tổ chức tín dụng (kèm thông tin người phải thi hành án)")
async def staff_enforcement_request(request: Request, bank_code: BankPath, request_id: UUID,
                                    principal: Annotated[Principal, Depends(require(*READERS))]) -> Any:
    """For the office the request was filed with (the kit's office scoping); the read is in the access log,
    as every read of personal data."""
    found = await projections.request_with_personal_data(_rt(request).pool, _schema(request),
                                                         request_id_of(bank_code, request_id))
    if found is None:
        raise ApiError(404, error="NotFound", rule="enforcement_request.not_found",
                       message_vi="Không có yêu cầu thi hành án này của tổ chức tín dụng.", detail=str(request_id))
    check_case_read(principal, found["unit"], (), case_id=UUID(found["case_id"]))
    await _rt(request).access.record(principal, action="read", resource="personal_data", resource_id=str(request_id),
                                     case_id=UUID(found["case_id"]), unit=found["unit"], legal_basis=FILING_BASIS,
                                     status=200)
    return found


class RequestErasureIn(Body):
    ground: Literal["consent_withdrawn", "purpose_fulfilled", "unlawful_processing", "authority_order"] = Field(
        description="Căn cứ xóa (Điều 16 Nghị định 13/2023/NĐ-CP)")
    requested_by: Literal["data_subject", "legal_representative", "competent_authority"] = Field(
        description="Người yêu cầu xóa")
    request_ref: DocNo = Field(description="Số văn bản yêu cầu hoặc quyết định")


@router.post("/enforcement-requests/{bank_code}/{request_id}/personal-data-erasures",
             summary="Xóa thông tin cá nhân trong yêu cầu thi hành án của tổ chức tín dụng (sau thời hạn lưu giữ)")
async def erase_request_personal_data(request: Request, bank_code: BankPath, request_id: UUID, body: RequestErasureIn,
                                      principal: Annotated[Principal, Depends(require("head"))]) -> Any:
    """The platform's erasure rule (as intake's for a party): the head of the office, a ground and who asked;
    refused while the bank's file on the case is open and for 5 years after it closed
    (`personal_data.retention`); afterwards the request shows "[erased]"."""
    rt = _rt(request)
    rid = request_id_of(bank_code, request_id)
    fn = appl.erase_request_personal_data(
        rt.app, rid, unit=office_of(principal), ground=body.ground, requested_by=body.requested_by,
        request_ref=body.request_ref, actor=actor_string(principal.role, principal.sub), at=body.occurred_at)
    return await rt.batcher.submit(rid, fn)


@banks.post("/banks/{bank_code}/information-requests/{request_id}/answer",
            summary="Tổ chức tín dụng trả lời yêu cầu cung cấp thông tin")
async def answer_request(request: Request, bank_code: BankPath, request_id: UUID, body: AnswerIn,
                         principal: Annotated[Principal, Depends(require(*BANK_ROUTE_ROLES))]) -> Any:
    await _own_bank(request, principal, bank_code, f"{bank_code}:answer")
    rt = _rt(request)
    fid = file_id(body.case_id, bank_code)
    kwargs = _kwargs(body, principal) | {"request_id": str(request_id)}
    return await rt.batcher.submit(fid, appl.act(rt.app, fid, "answer_information", kwargs, bank=bank_code))
