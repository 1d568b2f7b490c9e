"""Audit HTTP API (read-only): case timelines and as-of state for the procuracy, inspectors and agency
staff; the access log for the procuracy and inspectors.

Who reads which case is the kit's one scoping rule (thads_kit.scoping): the case's office is the
`unit` of its events' envelopes; a reader must be allowed every office its events name (a case's
events normally all name one office), so an HN-02 officer gets 403 on a TH-BIMSON case.

Every refusal of a case read (unknown case, a moment before the case existed, another province's
token, a bad page cursor) is answered with a clear 4xx AND recorded in the access log (action
"refused"); every timeline or state read by the procuracy, an inspector or the operator is recorded
too (action "read"), through the kit's access log (`runtime.access`). Whatever is refused before a
route runs (a role the route does not admit, a 422 of validation such as a malformed `at=`) is
recorded by refusals.RefusedAttempts, so every refused attempt with a valid token is an entry."""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import AwareDatetime

from thads_kit.auth import Principal, require
from thads_kit.errors import ApiError, ErrorBody, error_responses
from thads_kit.scoping import OutOfScopeError, check_case_read, unit_filter

from . import asof
from .projections import BadCursor, decode_cursor, encode_cursor
from .refusals import mark_recorded

log = logging.getLogger(__name__)
router = APIRouter(prefix="/cases", tags=["audit"], responses=error_responses(401, 403, 404, 409, 422))
READERS = ("auditor", "procuracy", "head", "officer", "admin")
LOGGED_READERS = ("auditor", "procuracy", "admin")     # their reads are access-log entries (§7)
TIMELINE_BASIS = "Điều 12, Điều 38 Luật THADS; Luật Tổ chức VKSND (kiểm sát thi hành án)"
CURSOR = r"^[A-Za-z0-9_-]{1,400}$"


async def record_access(request: Request, principal: Principal, *, action: str, resource: str, resource_id: str,
                        case_id: UUID | None, unit: str | None, status: int, legal_basis: str | None = None) -> None:
    """One access-log entry through the kit (`runtime.access`); a service built without it logs a line.
    The request is marked as recorded, so refusals.RefusedAttempts does not record it twice."""
    mark_recorded(request.scope)
    access = getattr(getattr(request.app.state, "runtime", None), "access", None)
    if access is None:
        log.info("access %s %s %s/%s by %s (%s, %s): %s", action, resource, case_id, resource_id, principal.sub,
                 principal.role, principal.unit, status)
        return
    await access.record(principal, action=action, resource=resource, resource_id=resource_id, case_id=case_id,
                        unit=unit, legal_basis=legal_basis, status=status)


async def readable_case(request: Request, principal: Principal, case_id: UUID, resource: str,
                        moments: dict[str, datetime | None]) -> dict[str, Any]:
    """The case's summary once the caller may read it; else a 4xx, recorded as a refused access."""
    summary = await request.app.state.timeline.case_summary(case_id)
    unit = None
    try:
        if summary is None:
            raise ApiError(404, error="CaseNotFound", rule="case.exists",
                           message_vi="Không có sự kiện nào của việc thi hành án này trong dòng thời gian.",
                           detail=f"no events for case {case_id}")
        unit = summary["units"][0]
        for u in summary["units"]:
            check_case_read(principal, u, summary["banks"], case_id=case_id)
        for name, moment in moments.items():
            first = summary["first_recorded_at" if name == "as_of_recorded" else "first_occurred_at"]
            if name == "at":
                first = min(summary["first_recorded_at"], summary["first_occurred_at"])
            if moment is not None and moment < first:
                raise ApiError(409, error="BeforeCaseExisted", rule="as_of.before_case",
                               message_vi=f"Thời điểm {moment.isoformat()} ({name}) có trước khi việc thi hành án "
                                          f"tồn tại ({first.isoformat()}); không có trạng thái nào để xem.",
                               detail=f"{name}={moment.isoformat()} is before the case's first event at "
                                      f"{first.isoformat()}")
    except (ApiError, OutOfScopeError) as exc:
        status = exc.status_code
        await record_access(request, principal, action="refused", resource=resource, resource_id=str(case_id),
                            case_id=case_id, unit=unit, status=status)
        raise
    return summary


@router.get("/{case_id}/timeline", summary="Lịch sử việc thi hành án (mọi dịch vụ), theo trang")
async def case_timeline(request: Request, case_id: UUID,
                        principal: Annotated[Principal, Depends(require(*READERS))],
                        as_of_recorded: AwareDatetime | None = Query(
                            None, description="Chỉ các sự kiện hệ thống đã ghi nhận đến thời điểm này (recorded_at)"),
                        as_of_occurred: AwareDatetime | None = Query(
                            None, description="Chỉ các sự kiện đã xảy ra về mặt pháp lý đến thời điểm này (occurred_at)"),
                        limit: int = Query(200, ge=1, le=1000, description="Số sự kiện tối đa của một trang"),
                        cursor: str | None = Query(None, pattern=CURSOR,
                                                   description="`next_cursor` của trang trước")) -> dict[str, Any]:
    """Every event of the case across services in business-time order (occurred_at, then recorded_at):
    who did it (actor id, role, office), when it happened and when it was recorded, what caused it
    (causation/correlation ids), and its payload. Paged: follow `next_cursor` until it is null."""
    summary = await readable_case(request, principal, case_id, "case_timeline",
                                  {"as_of_recorded": as_of_recorded, "as_of_occurred": as_of_occurred})
    try:
        after = decode_cursor(cursor) if cursor else None
    except BadCursor as exc:
        await record_access(request, principal, action="refused", resource="case_timeline", resource_id=str(case_id),
                            case_id=case_id, unit=summary["units"][0], status=422)
        raise ApiError(422, error="BadCursor", rule="timeline.cursor",
                       message_vi="Con trỏ trang không hợp lệ; hãy dùng `next_cursor` của trang trước.",
                       detail=str(exc)) from None
    events = await request.app.state.timeline.timeline(case_id, as_of_recorded=as_of_recorded,
                                                       as_of_occurred=as_of_occurred, after=after, limit=limit + 1)
    more = len(events) > limit
    events = events[:limit]
    last = events[-1] if events else None
    next_cursor = (encode_cursor(datetime.fromisoformat(last["occurred_at"]), datetime.fromisoformat(last["recorded_at"]),
                                 UUID(last["event_id"])) if more and last else None)
    if principal.role in LOGGED_READERS:
        await record_access(request, principal, action="read", resource="case_timeline", resource_id=str(case_id),
                            case_id=case_id, unit=summary["units"][0], status=200, legal_basis=TIMELINE_BASIS)
    return {"case_id": str(case_id), "events": events, "count": len(events), "total_events": summary["events"],
            "next_cursor": next_cursor}


@router.get("/{case_id}/state", summary="Trạng thái việc tại một thời điểm, theo hai trục thời gian")
async def case_state_as_of(request: Request, case_id: UUID,
                           principal: Annotated[Principal, Depends(require(*READERS))],
                           at: AwareDatetime = Query(..., description="Thời điểm cần xem (có múi giờ)")) -> dict[str, Any]:
    """The case as it stood legally at `at` (events with occurred_at ≤ at) and as the system knew it at
    `at` (recorded_at ≤ at), with the events that make the two differ: `recorded_later` happened by
    `at` but were recorded after it (retroactive entries), `dated_later` were known by `at` with a
    later business time."""
    summary = await readable_case(request, principal, case_id, "case_state", {"at": at})
    events = await request.app.state.timeline.timeline(case_id)
    result = asof.both_axes(events, at.isoformat())
    if principal.role in LOGGED_READERS:
        await record_access(request, principal, action="read", resource="case_state", resource_id=str(case_id),
                            case_id=case_id, unit=summary["units"][0], status=200, legal_basis=TIMELINE_BASIS)
    return {"case_id": str(case_id), "at": at.isoformat(), **result}


admin = APIRouter(prefix="/admin", tags=["ops"], responses=error_responses(401, 403, 409, 503))


@admin.post("/projections/case_timeline/rebuild", summary="Dựng lại dòng thời gian từ đầu các topic",
            responses={409: {"model": ErrorBody,
                             "description": "Một lần dựng lại khác đang chạy, hoặc phiên bản đang dùng đã đổi"}})
async def rebuild_timeline(request: Request,
                           principal: Annotated[Principal, Depends(require("admin"))]) -> Any:
    """Builds a new version of the timeline beside the live one from the start of the topics, then
    switches readers to it in one transaction."""
    from .consumers import TOPICS
    from .envelopes import decode

    from thads_kit.projection import RebuildRunning, RebuildSuperseded

    settings = request.app.state.runtime.settings
    try:
        version = await request.app.state.timeline.rebuild(kafka_url=settings.kafka_url, topics=TOPICS,
                                                           decode=decode)
    except (RebuildRunning, RebuildSuperseded) as exc:
        return JSONResponse(status_code=409, content={
            "error": type(exc).__name__, "rule": exc.rule, "message": exc.message_vi,
            "legal_basis": None, "detail": str(exc)})
    return {"projection": "case_timeline", "live_version": version}


anchors = APIRouter(prefix="/chain/anchors", tags=["audit"], responses=error_responses(401, 403, 404))
ANCHOR_READERS = ("auditor", "procuracy", "admin")


@anchors.get("/latest", summary="Mốc neo (anchor) đã ký mới nhất của chuỗi băm")
async def latest_anchor(request: Request,
                        principal: Annotated[Principal, Depends(require(*ANCHOR_READERS))]) -> dict[str, Any]:
    latest = await request.app.state.anchorer.latest()
    if latest is None:
        raise HTTPException(404, detail="no anchor signed yet")
    return latest


@anchors.get("/verify", summary="Kiểm tra chữ ký và gốc Merkle của các mốc neo")
async def verify_anchors(request: Request,
                         principal: Annotated[Principal, Depends(require(*ANCHOR_READERS))]) -> dict[str, Any]:
    """Every anchor's signature with this service's public key, the anchors' own chain, and the latest
    anchor's Merkle root recomputed from the head log (thads_kit/chain.py: check_anchors)."""
    import psycopg

    from thads_kit import chain

    runtime, anchorer = request.app.state.runtime, request.app.state.anchorer
    s = runtime.settings

    def check() -> dict[str, Any]:
        with psycopg.connect(host=s.pg_host, port=s.pg_port, dbname=s.pg_db, user=s.pg_user,
                             password=s.pg_password.get_secret_value() or None, autocommit=True) as conn:
            result = chain.check_anchors(conn, s.schema, anchorer.public_key)
        return {"intact": not result.findings, "anchors": result.anchors, "latest_valid": result.latest,
                "public_key": anchorer.public_key,
                "streams_anchored": sum(len(v) for v in result.heads.values()),
                "first_bad": [f.__dict__ for f in result.findings]}

    return await runtime.executor.run(check)


access = APIRouter(prefix="/access", tags=["audit"], responses=error_responses(401, 403, 422))
ACCESS_READERS = ("procuracy", "auditor", "admin")


@access.get("", summary="Nhật ký truy cập dữ liệu nhạy cảm (ai đã xem gì, khi nào, căn cứ nào)")
async def access_log(request: Request, principal: Annotated[Principal, Depends(require(*ACCESS_READERS))],
                     case_id: UUID | None = Query(None, description="Chỉ các lượt truy cập việc thi hành án này"),
                     actor_id: str | None = Query(None, min_length=1, max_length=128, description="Người truy cập"),
                     resource: str | None = Query(None, pattern=r"^[a-z][a-z0-9_]{0,63}$",
                                                  description="Loại dữ liệu: case, personal_data, bank_feed, ..."),
                     resource_id: str | None = Query(None, min_length=1, max_length=200),
                     action: Literal["read", "refused"] | None = Query(None, description="read: đã xem; refused: bị từ chối"),
                     since: AwareDatetime | None = Query(None, description="Từ thời điểm (bao gồm)"),
                     until: AwareDatetime | None = Query(None, description="Đến thời điểm (không bao gồm)"),
                     unit: str | None = Query(None, pattern=r"^[^\s.]{1,64}$", description="Chỉ một đơn vị"),
                     limit: int = Query(100, ge=1, le=1000),
                     cursor: str | None = Query(None, pattern=CURSOR, description="`next_cursor` của trang trước")
                     ) -> dict[str, Any]:
    """Every service's access-log entries (reads of personal data, bank feeds and cases by banks,
    inspectors and the procuracy, and every refused attempt), newest first, office-scoped through the
    kit: the procuracy and inspectors read their province's entries; national bodies all of them."""
    from .access_entries import decode_cursor as decode_access_cursor
    from .access_entries import encode_cursor as encode_access_cursor

    scope = unit_filter(principal, unit)
    try:
        before = decode_access_cursor(cursor) if cursor else None
    except BadCursor as exc:
        raise ApiError(422, error="BadCursor", rule="access.cursor",
                       message_vi="Con trỏ trang không hợp lệ; hãy dùng `next_cursor` của trang trước.",
                       detail=str(exc)) from None
    rows = await request.app.state.access_entries.query(
        scope, case_id=case_id, actor_id=actor_id, resource=resource, resource_id=resource_id, action=action,
        since=since, until=until, before=before, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (encode_access_cursor(datetime.fromisoformat(rows[-1]["at"]), UUID(rows[-1]["entry_id"]))
                   if more else None)
    return {"entries": rows, "count": len(rows), "next_cursor": next_cursor}


# ---------------------------------------------------------------- the procuracy's view of decisions
procuracy = APIRouter(prefix="/procuracy", tags=["audit"], responses=error_responses(401, 403, 422))
PROCURACY_READERS = ("procuracy", "head", "auditor")     # exactly intake's GET /procuracy/decisions


@procuracy.get("/decisions", status_code=307, response_class=RedirectResponse,
               summary="Quyết định và ngày gửi Viện kiểm sát (do dịch vụ thụ lý phục vụ)",
               responses={307: {"description": "Chuyển đến `GET /procuracy/decisions` của dịch vụ thụ lý (intake), "
                                               "cùng tham số; gửi lại cùng mã truy cập",
                                "headers": {"Location": {"schema": {"type": "string"}}}}})
async def procuracy_decisions(request: Request,
                              principal: Annotated[Principal, Depends(require(*PROCURACY_READERS))],
                              unit: str | None = Query(None, min_length=1, max_length=32, pattern=r"^[^\x00]+$",
                                                       description="Mã cơ quan THADS"),
                              date_from: date | None = Query(None, alias="from", description="Từ ngày ra quyết định"),
                              date_to: date | None = Query(None, alias="to", description="Đến ngày ra quyết định"),
                              limit: int = Query(500, ge=1, le=500), offset: int = Query(0, ge=0, le=2_147_483_647)
                              ) -> RedirectResponse:
    """Every decision with its issue date, the date its copy was sent to the procuracy and the day it
    was due (3 working days, thads_calendar), late ones flagged, office-scoped — served by intake,
    where it is kept: the copy's sending (`ProcuracyCopyRecorded`) and the security and coercive
    measure decisions are intake-internal events that no topic carries, so the audit service could
    only show a part of the decisions, and the due date is intake's deadline rule. The audit API
    checks the role and the office here (a refusal is logged like any other) and sends the caller on."""
    unit_filter(principal, unit)                 # an office out of the caller's scope: 403 here already
    base = request.app.state.runtime.settings.intake_url.rstrip("/")
    query = request.url.query
    return RedirectResponse(f"{base}/procuracy/decisions" + (f"?{query}" if query else ""), status_code=307)
