"""GET /chain/verify on every service with an event store (read-only; auditor, procuracy, admin):
recomputes the store's hash chain (thads_kit/chain.py) and names the first bad event of each
stream. The anchored heads (truncation, rewrites) live in the audit service's schema: `thads verify`
checks the stores against them, and the audit service's GET /chain/anchors/verify checks the anchors."""
from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from . import chain
from .auth import Principal, require
from .errors import error_responses

router = APIRouter(prefix="/chain", tags=["audit"], responses=error_responses(401, 403, 404, 422))
READERS = ("auditor", "procuracy", "admin")


def _verify(settings: Any, events_table: str, case_id: UUID | None) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(host=settings.pg_host, port=settings.pg_port, dbname=settings.pg_db,
                         user=settings.pg_user, password=settings.pg_password.get_secret_value() or None,
                         autocommit=True) as conn:
        return chain.verify_store(conn, settings.service_name, settings.schema, events_table,
                                  case_id=case_id).as_dict()


@router.get("/verify", summary="Kiểm tra toàn vẹn chuỗi băm các sự kiện của dịch vụ")
async def verify(request: Request, principal: Annotated[Principal, Depends(require(*READERS))],
                 case_id: UUID | None = Query(None, description="chỉ kiểm tra hồ sơ (luồng sự kiện) này")
                 ) -> dict[str, Any]:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None or runtime.app is None:
        raise HTTPException(404, detail="this service keeps no event store")
    report = await runtime.executor.run(_verify, runtime.settings, f"{runtime.app.name.lower()}_events", case_id)
    if case_id is not None and report["events"] == 0:
        raise HTTPException(404, detail=f"no events for stream {case_id}")
    return report
