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
