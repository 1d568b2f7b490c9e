"""Read-side HTTP routes over the intake read models (projections.py). Nothing here writes.

Officers, heads and clerks see their own office (unit); the procuracy, auditors and admins may
query any office. The public list of debtors without conditions needs no token and shows only
name, address and obligation (Art. 44a)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError

from thads_kit.auth import Principal, require

from intake_service import projections
from intake_service.domain import Status

router = APIRouter(tags=["intake-queries"])

READERS = ("head", "officer", "clerk", "procuracy", "auditor", "admin")
UNIT_SCOPED = frozenset({"officer", "head", "clerk"})
MAX_LIMIT = 500

Unit = Annotated[str | None, Query(min_length=1, max_length=32, description="Mã cơ quan THADS")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Số dòng tối đa (≤ 500)")]
Offset = Annotated[int, Query(ge=0, description="Bỏ qua bao nhiêu dòng")]


def _pool(request: Request) -> Any:
    return request.app.state.runtime.pool


def _schema(request: Request) -> str:
    return request.app.state.settings.schema


def _unit_for(principal: Principal, unit: str | None) -> str | None:
    if principal.role not in UNIT_SCOPED:
        return unit
    if unit and unit != principal.unit:
        raise HTTPException(403, detail={"error": "forbidden",
                                         "message": f"vai trò {principal.role} chỉ xem được đơn vị {principal.unit}"})
    return principal.unit


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", field), "msg": message, "type": "value_error"}])


def _vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@router.get("/cases", summary="Tra cứu việc thi hành án")
async def search_cases(
    request: Request,
    principal: Annotated[Principal, Depends(require(*READERS))],
    unit: Unit = None,
    officer_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Annotated[Status | None, Query(description="Trạng thái việc")] = None,
    party_id: Annotated[UUID | None, Query(description="Mã đương sự")] = None,
    judgment_number: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    unit = _unit_for(principal, unit)
    async with _pool(request).acquire() as conn:
        total, items = await projections.search_cases(
            conn, _schema(request), unit=unit, officer_id=officer_id, status=status.value if status else None,
            party_id=str(party_id) if party_id else None, judgment_number=judgment_number,
            limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items,
            "summary": f"Tìm thấy {total} việc thi hành án; hiển thị {len(items)} việc"}


@router.get("/worklist", summary="Danh sách việc của chấp hành viên, theo thời hạn gần nhất")
async def my_worklist(request: Request,
                      principal: Annotated[Principal, Depends(require("officer"))]) -> dict[str, Any]:
    today = projections.vn_today()
    async with _pool(request).acquire() as conn:
        items = await projections.worklist(conn, _schema(request), principal.sub, today)
    overdue = sum(1 for i in items if i["overdue"])
    return {"officer_id": principal.sub, "as_of": today, "total": len(items), "overdue": overdue, "items": items,
            "summary": f"Chấp hành viên {principal.sub} đang phụ trách {len(items)} việc, "
                       f"trong đó {overdue} việc có thời hạn đã quá hạn (tính đến ngày {_vn_date(today)})"}


@router.get("/overdue", summary="Các thời hạn đã quá hạn, theo chấp hành viên và theo đơn vị")
async def overdue(
    request: Request,
    principal: Annotated[Principal, Depends(require(*READERS))],
    unit: Unit = None,
    officer_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Limit = MAX_LIMIT,
) -> dict[str, Any]:
    unit = _unit_for(principal, unit)
    today = projections.vn_today()
    async with _pool(request).acquire() as conn:
        result = await projections.overdue_deadlines(conn, _schema(request), today, unit=unit,
                                                     officer_id=officer_id, limit=limit)
    return {"as_of": today, **result,
            "summary": f"Có {result['total']} thời hạn đã quá hạn tính đến ngày {_vn_date(today)}, "
                       f"tại {len(result['by_unit'])} đơn vị, "
                       f"thuộc {len(result['by_officer'])} chấp hành viên (hoặc việc chưa phân công)"}


@router.get("/procuracy/decisions", summary="Quyết định và ngày gửi Viện kiểm sát")
async def procuracy_decisions(
    request: Request,
    principal: Annotated[Principal, Depends(require("procuracy", "head", "auditor"))],
    unit: Unit = None,
    date_from: Annotated[date | None, Query(alias="from", description="Từ ngày ra quyết định")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Đến ngày ra quyết định")] = None,
    limit: Limit = MAX_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    if date_from and date_to and date_from > date_to:
        raise _invalid("to", f"'to' ({date_to}) must not be before 'from' ({date_from})")
    unit = _unit_for(principal, unit)
    today = projections.vn_today()
    async with _pool(request).acquire() as conn:
        total, late, items = await projections.procuracy_decisions(
            conn, _schema(request), today, unit=unit, date_from=date_from, date_to=date_to,
            limit=limit, offset=offset)
    return {"as_of": today, "total": total, "late": late, "limit": limit, "offset": offset, "items": items,
            "summary": f"{total} quyết định; {late} quyết định gửi Viện kiểm sát chậm hoặc chưa gửi khi đã quá "
                       f"3 ngày làm việc"}


@router.get("/public/no-condition-debtors", summary="Danh sách người phải thi hành án chưa có điều kiện thi hành")
async def public_no_condition_debtors(request: Request, unit: Unit = None, limit: Limit = MAX_LIMIT,
                                      offset: Offset = 0) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        total, items = await projections.no_condition_debtors(conn, _schema(request), unit=unit, limit=limit,
                                                              offset=offset)
    return {"total": total, "items": items,
            "summary": f"Danh sách công khai {total} người phải thi hành án chưa có điều kiện thi hành án"}
