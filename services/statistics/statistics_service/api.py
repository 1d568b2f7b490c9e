"""Statistics HTTP API (port 8105): the period report of a unit (JSON, or as table/CSV/XLSX with the
form's Vietnamese labels), the cases and events behind any figure, targets per unit and period,
frozen reports and their difference from a recompute.

Reads follow the kit's office scoping (thads_kit.scoping): a unit's report is readable by a caller
who may read every office the unit covers — staff their own office's unit, the procuracy and
auditors their province (and its roll-up), admin everything. Targets are set by admin (the central
body assigns them) or by a head for his own office's unit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from thads_kit.auth import Principal, require
from thads_kit.errors import error_responses
from thads_kit.scoping import check_case_read

from . import indicators as ind
from . import periods, render
from . import report as rep
from .tree import BASES, build
from .units import Unit, resolve

VN = timezone(timedelta(hours=7))
READERS = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin")
TARGET_SETTERS = ("head", "admin")

router = APIRouter(tags=["thống kê"], responses=error_responses(401, 403, 404, 409, 422, 503))

UnitCode = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[0-9A-Z]+(-[A-Z]+)?(,[0-9]+)*$",
                                description="Mã đơn vị: 38 (tỉnh Thanh Hóa), 381 (huyện), 38-CUC (văn phòng Cục), "
                                            "38,40 (nhiều tỉnh)")]
PeriodName = Annotated[str, Query(min_length=4, max_length=8, pattern=r"^[0-9]{4}(-[0-9]{2}|-(3|6|9|12)m)?$",
                                  description="Kỳ: 2018 (năm thống kê 01/10/2017–30/9/2018), 2018-9m (lũy kế 9 tháng), "
                                              "2018-03 (tháng)")]


class NotFrozenError(Exception):
    status_code = 404
    rule = "statistics.frozen_report_not_found"
    message_vi = "Không tìm thấy báo cáo đã chốt số liệu."


def today() -> Any:
    return datetime.now(VN).date()


def scoped_unit(principal: Principal, code: str) -> Unit:
    unit = resolve(code)
    for office in unit.offices:
        check_case_read(principal, office)
    return unit


async def compute(request: Request, unit: Unit, period_name: str
                  ) -> tuple[dict[str, Any], list[Any], list[Any], list[ind.Item]]:
    """The report, the tree's contributions, their canonical rows, and the other indicators' items."""
    period = periods.parse(period_name, today=today())
    facts = request.app.state.facts
    store = request.app.state.reports
    contribs = build(await facts.facts(unit.offices, period.end), period.start, period.end)
    targets = await store.targets(unit.code, [period.name, periods.statistical_year(period.name)])
    report = rep.assemble(unit, period, contribs, targets)
    in_period, parties = await facts.other_facts(unit.offices, period.start, period.end)
    items = ind.items(in_period, ind.bank_parties(parties), contribs)
    report["other"] = ind.section(items)
    return report, contribs, rep.contribution_rows(contribs), items


@router.get("/reports", summary="Báo cáo kết quả thi hành án dân sự của một đơn vị trong một kỳ")
async def get_report(request: Request, unit: UnitCode, period: PeriodName,
                     format: Literal["json", "table", "csv", "xlsx"] = "json",
                     principal: Principal = Depends(require(*READERS))) -> Any:
    u = scoped_unit(principal, unit)
    report, _contribs, rows, _items = await compute(request, u, period)
    report["sha256"] = rep.digest(report, rows)
    if format == "table":
        return PlainTextResponse(render.table(report))
    if format == "csv":
        return Response(render.csv_text(report), media_type="text/csv; charset=utf-8")
    if format == "xlsx":
        return Response(render.xlsx_bytes(report),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="bao-cao-{u.code}-{period}.xlsx"'})
    return report


@router.get("/reports/lineage", summary="Các việc và sự kiện tạo nên một chỉ tiêu")
async def get_lineage(request: Request, unit: UnitCode, period: PeriodName,
                      figure: Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z_]+$")],
                      tree: Literal["cases", "money", "auctions", "complaints", "bad_debt", "overdue"] = "cases",
                      basis: Literal["ex_officio", "on_request", "total"] = "total",
                      principal: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    """`tree` cases or money: a figure of the tree; auctions, complaints, bad_debt or overdue: one
    of the other indicators (indicators.py; `basis` does not apply to them)."""
    u = scoped_unit(principal, unit)
    _report, contribs, _rows, others = await compute(request, u, period)
    if tree in ind.GROUPS:
        items = ind.lineage(others, tree, figure)
    else:
        items = rep.lineage(contribs, tree, figure, basis)
    return {"unit": u.code, "period": period, "tree": tree, "figure": figure, "basis": basis,
            "total": sum(i["amount"] for i in items), "cases": items}


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Z]+(-[A-Z]+)?(,[0-9]+)*$")
    period: str = Field(min_length=4, max_length=8, pattern=r"^[0-9]{4}(-[0-9]{2}|-(3|6|9|12)m)?$")
    tree: Literal["cases", "money"]
    percent: float = Field(ge=0, le=100, allow_inf_nan=False,
                           description="Chỉ tiêu tỷ lệ giải quyết xong (%), 0–100; làm tròn đến hai chữ số thập phân")


@router.put("/targets", summary="Giao chỉ tiêu cho một đơn vị trong một kỳ")
async def put_target(request: Request, body: TargetIn,
                     principal: Principal = Depends(require(*TARGET_SETTERS))) -> dict[str, Any]:
    u = scoped_unit(principal, body.unit)
    periods.parse(body.period)
    percent = Decimal(str(body.percent)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    await request.app.state.reports.set_target(u.code, body.period, body.tree, percent, principal.sub)
    return {"unit": u.code, "period": body.period, "tree": body.tree, "percent": float(percent)}


class FreezeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Z]+(-[A-Z]+)?(,[0-9]+)*$")
    period: str = Field(min_length=4, max_length=8, pattern=r"^[0-9]{4}(-[0-9]{2}|-(3|6|9|12)m)?$")


@router.post("/reports/frozen", summary="Chốt số liệu một báo cáo (lưu kèm mã băm và nguồn gốc từng số)")
async def freeze(request: Request, body: FreezeIn,
                 principal: Principal = Depends(require("head", "admin"))) -> dict[str, Any]:
    u = scoped_unit(principal, body.unit)
    report, _contribs, rows, _items = await compute(request, u, body.period)
    sha = rep.digest(report, rows)
    report_id = uuid4()
    await request.app.state.reports.freeze(report_id, u.code, body.period, sha, principal.sub, report, rows)
    return {"report_id": str(report_id), "unit": u.code, "period": body.period, "sha256": sha}


@router.get("/reports/frozen/{report_id}", summary="Báo cáo đã chốt và chênh lệch so với số liệu tính lại")
async def frozen(request: Request, report_id: UUID,
                 principal: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    stored = await request.app.state.reports.frozen(report_id)
    if stored is None:
        raise NotFrozenError(f"no frozen report {report_id}")
    u = scoped_unit(principal, stored["unit"])
    report, _contribs, rows, _items = await compute(request, u, stored["period"])
    now_sha = rep.digest(report, rows)
    differences = rep.diff(stored["lineage"], rows)
    return {"report_id": str(report_id), "unit": u.code, "period": stored["period"],
            "frozen_at": stored["frozen_at"].isoformat(), "sha256": stored["sha256"], "sha256_now": now_sha,
            "unchanged": now_sha == stored["sha256"], "report": stored["report"], "differences": differences}


@router.get("/units", summary="Các đơn vị báo cáo và mã hành chính chính thức")
async def units(principal: Principal = Depends(require(*READERS))) -> list[dict[str, Any]]:
    from .units import UNITS
    return [{"code": u.code, "name": u.name, "province": u.province, "offices": list(u.offices)}
            for u in UNITS.values()]


__all__ = ["router", "BASES"]


admin = APIRouter(prefix="/admin", tags=["ops"], responses=error_responses(401, 403, 409, 503))


@admin.post("/projections/stat_facts/rebuild", summary="Dựng lại số liệu thống kê từ đầu các topic")
async def rebuild_facts(request: Request, principal: Principal = Depends(require("admin"))) -> dict[str, Any]:
    """Builds a new version of the facts table from the start of the topics beside the live one
    (readers keep the live one meanwhile), then switches the view in one transaction (kit Projection)."""
    from thads_contracts.registry import decode

    from .consumers import TOPICS

    settings = request.app.state.runtime.settings
    version = await request.app.state.facts.rebuild(kafka_url=settings.kafka_url, topics=TOPICS, decode=decode)
    return {"projection": "stat_facts", "live_version": version, "facts": await request.app.state.facts.count()}
