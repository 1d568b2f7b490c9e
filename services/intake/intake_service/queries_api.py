"""Read-side HTTP routes over the intake read models (projections.py). Nothing here writes.

Which offices a caller may list is the kit's one scoping rule (thads_kit.scoping.unit_filter):
officers, heads, clerks and accountants their own office (unit); the procuracy and auditors the
offices of their province; admins any office. The public list of debtors without conditions needs
no token and shows only name, address and obligation (Art. 44a).

Query strings are bounded in the schema: text parameters refuse the NUL character (PostgreSQL text
cannot hold it) and `offset` stops at MAX_OFFSET, so a query the schema allows never fails inside
the database."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from thads_kit.auth import Principal, require
from thads_kit.bodies import NO_NUL
from thads_kit.errors import error_responses
from thads_kit.scoping import UnitFilter, unit_filter

from intake_service import projections
from intake_service.domain import Status

router = APIRouter(tags=["intake-queries"])
LIST_ERRORS = error_responses(401, 403, 422)

READERS = ("head", "officer", "clerk", "accountant", "procuracy", "auditor", "admin")
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1      # no list comes near it; PostgreSQL's OFFSET overflows past 2**63 - 1

Unit = Annotated[str | None, Query(min_length=1, max_length=32, pattern=NO_NUL, description="Mã cơ quan THADS")]
Text = Annotated[str | None, Query(min_length=1, max_length=64, pattern=NO_NUL)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Số dòng tối đa (≤ 500)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Bỏ qua bao nhiêu dòng (≤ 2 147 483 647)")]


def _pool(request: Request) -> Any:
    return request.app.state.runtime.pool


def _schema(request: Request) -> str:
    return request.app.state.settings.schema


def _scope(f: UnitFilter) -> dict[str, str | None]:
    return {"unit": f.unit, "province": f.province}


def _vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@router.get("/cases", summary="Tra cứu việc thi hành án", responses=LIST_ERRORS)
async def search_cases(
    request: Request,
    principal: Annotated[Principal, Depends(require(*READERS))],
    unit: Unit = None,
    officer_id: Text = None,
    status: Annotated[Status | None, Query(description="Trạng thái việc")] = None,
    party_id: Annotated[UUID | None, Query(description="Mã đương sự")] = None,
    judgment_number: Text = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    scope = unit_filter(principal, unit)
    async with _pool(request).acquire() as conn:
        total, items = await projections.search_cases(
            conn, _schema(request), **_scope(scope), officer_id=officer_id, status=status.value if status else None,
            party_id=str(party_id) if party_id else None, judgment_number=judgment_number,
            limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items,
            "summary": f"Tìm thấy {total} việc thi hành án; hiển thị {len(items)} việc"}


@router.get("/worklist", summary="Danh sách việc của chấp hành viên, theo thời hạn gần nhất",
            responses=error_responses(401, 403))
async def my_worklist(request: Request,
                      principal: Annotated[Principal, Depends(require("officer"))]) -> dict[str, Any]:
    today = projections.vn_today()
    async with _pool(request).acquire() as conn:
        items = await projections.worklist(conn, _schema(request), principal.sub, today)
    overdue = sum(1 for i in items if i["overdue"])
    return {"officer_id": principal.sub, "as_of": today, "total": len(items), "overdue": overdue, "items": items,
            "summary": f"Chấp hành viên {principal.sub} đang phụ trách {len(items)} việc, "
                       f"trong đó {overdue} việc có thời hạn đã quá hạn (tính đến ngày {_vn_date(today)})"}


@router.get("/overdue", summary="Các thời hạn đã quá hạn, theo chấp hành viên và theo đơn vị",
            responses=LIST_ERRORS)
async def overdue(
    request: Request,
    principal: Annotated[Principal, Depends(require(*READERS))],
    unit: Unit = None,
    officer_id: Text = None,
    limit: Limit = MAX_LIMIT,
) -> dict[str, Any]:
    scope = unit_filter(principal, unit)
    today = projections.vn_today()
    async with _pool(request).acquire() as conn:
        result = await projections.overdue_deadlines(conn, _schema(request), today, **_scope(scope),
                                                     officer_id=officer_id, limit=limit)
    return {"as_of": today, **result,
            "summary": f"Có {result['total']} thời hạn đã quá hạn tính đến ngày {_vn_date(today)}, "
                       f"tại {len(result['by_unit'])} đơn vị, "
                       f"thuộc {len(result['by_officer'])} chấp hành viên (hoặc việc chưa phân công)"}


@router.get("/procuracy/decisions", summary="Quyết định và ngày gửi Viện kiểm sát", responses=LIST_ERRORS)
async def procuracy_decisions(
    request: Request,
    principal: Annotated[Principal, Depends(require("procuracy", "head", "auditor"))],
    unit: Unit = None,
    date_from: Annotated[date | None, Query(alias="from", description="Từ ngày ra quyết định")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Đến ngày ra quyết định")] = None,
    limit: Limit = MAX_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A range whose 'from' is after its 'to' is empty: no decision, and the summary says why (the
    schema cannot compare two parameters, so a schema-valid query is not refused)."""
    scope = unit_filter(principal, unit)
    if date_from and date_to and date_from > date_to:
        return {"as_of": projections.vn_today(), "total": 0, "late": 0, "limit": limit, "offset": offset, "items": [],
                "summary": f"Khoảng ngày rỗng: 'từ ngày' ({_vn_date(date_from)}) sau 'đến ngày' "
                           f"({_vn_date(date_to)}); không có quyết định nào"}
    today = projections.vn_today()
    async with _pool(request).acquire() as conn:
        total, late, items = await projections.procuracy_decisions(
            conn, _schema(request), today, **_scope(scope), date_from=date_from, date_to=date_to,
            limit=limit, offset=offset)
    return {"as_of": today, "total": total, "late": late, "limit": limit, "offset": offset, "items": items,
            "summary": f"{total} quyết định; {late} quyết định gửi Viện kiểm sát chậm hoặc chưa gửi khi đã quá "
                       f"3 ngày làm việc"}


@router.get("/public/no-condition-debtors", summary="Danh sách người phải thi hành án chưa có điều kiện thi hành",
            responses=error_responses(422))
async def public_no_condition_debtors(request: Request, unit: Unit = None, limit: Limit = MAX_LIMIT,
                                      offset: Offset = 0) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        total, items = await projections.no_condition_debtors(conn, _schema(request), unit=unit, limit=limit,
                                                              offset=offset)
    return {"total": total, "items": items,
            "summary": f"Danh sách công khai {total} người phải thi hành án chưa có điều kiện thi hành án"}
