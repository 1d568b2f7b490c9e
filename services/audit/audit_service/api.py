"""Audit HTTP API: case timelines for the procuracy, inspectors and agency staff.

Who reads which timeline is the kit's one scoping rule (thads_kit.scoping): the case's office is the
`unit` of its events' envelopes; a reader must be allowed every office its events name (a case's
events normally all name one office), so an HN-02 officer gets 403 on a TH-BIMSON case."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from thads_kit.auth import Principal, require
from thads_kit.errors import ApiError, ErrorBody, error_responses
from thads_kit.scoping import check_case_read

router = APIRouter(prefix="/cases", tags=["audit"], responses=error_responses(401, 403, 404, 422))
READERS = ("auditor", "procuracy", "head", "officer", "admin")


@router.get("/{case_id}/timeline", summary="Lịch sử việc thi hành án (mọi dịch vụ)")
async def case_timeline(request: Request, case_id: UUID,
                        principal: Annotated[Principal, Depends(require(*READERS))],
                        as_of_recorded: AwareDatetime | None = Query(None),
                        as_of_occurred: AwareDatetime | None = Query(None)) -> dict[str, Any]:
    events = await request.app.state.timeline.timeline(case_id, as_of_recorded=as_of_recorded,
                                                       as_of_occurred=as_of_occurred)
    if not events:
        raise ApiError(404, error="CaseNotFound", rule="case.exists",
                       message_vi="Không có sự kiện nào của việc thi hành án này (tại thời điểm đã chọn).",
                       detail=f"no events for case {case_id}")
    banks = {b for e in events if isinstance(b := e["body"].get("payload", {}).get("bank_code"), str)}
    for unit in dict.fromkeys(e["unit"] for e in events):
        check_case_read(principal, unit, banks, case_id=case_id)
    return {"case_id": str(case_id), "events": events, "count": len(events)}


admin = APIRouter(prefix="/admin", tags=["ops"], responses=error_responses(401, 403, 409, 503))


@admin.post("/projections/case_timeline/rebuild", summary="Dựng lại dòng thời gian từ đầu các topic",
            responses={409: {"model": ErrorBody,
                             "description": "Một lần dựng lại khác đang chạy, hoặc phiên bản đang dùng đã đổi"}})
async def rebuild_timeline(request: Request,
                           principal: Annotated[Principal, Depends(require("admin"))]) -> Any:
    """Builds a new version of the timeline beside the live one from the start of the topics, then
    switches readers to it in one transaction."""
    from thads_contracts.registry import decode

    from .consumers import TOPICS

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
