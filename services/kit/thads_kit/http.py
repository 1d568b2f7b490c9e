"""FastAPI app factory: /health, Prometheus /metrics, JSON errors.

Bad input never changes anything: a body that fails validation gets 422 naming each field, an
unknown aggregate 404, a rule violation 409 naming the rule; auth errors are 401/403 (auth.py)."""
from __future__ import annotations

import logging
import uuid
from typing import Any, AsyncIterator, Awaitable, Callable

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .commands import (
    CommandOutcomeUnknownError, IdempotencyKeyReusedError, InvalidIdempotencyKeyError, command_context,
)
from .logs import correlation_id

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def create_app(*, title: str, version: str, lifespan: Callable[[FastAPI], AsyncIterator[None]] | None,
               jwt_secret: str, health: HealthCheck, error_status: dict[type[Exception], int]) -> FastAPI:
    """`error_status` maps domain error classes to HTTP statuses (most specific class wins)."""
    # every request gets a command id (Idempotency-Key header or generated), see commands.py
    app = FastAPI(title=title, version=version, lifespan=lifespan, dependencies=[Depends(command_context)])
    app.state.jwt_secret = jwt_secret

    @app.middleware("http")
    async def _correlation(request: Request, call_next):  # type: ignore[no-untyped-def]
        cid = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        token = correlation_id.set(cid)
        try:
            response = await call_next(request)
        finally:
            correlation_id.reset(token)
        response.headers["x-correlation-id"] = cid
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"],
                   "type": e["type"]} for e in exc.errors()]
        fields = ", ".join(e["field"] for e in errors)
        return JSONResponse(status_code=422, content={
            "error": "invalid_input", "message": f"invalid field(s): {fields}", "errors": errors})

    async def _domain(_: Request, exc: Exception) -> JSONResponse:
        status = next(code for cls, code in ordered if isinstance(exc, cls))
        rule = getattr(exc, "rule", None) or type(exc).__name__
        return JSONResponse(status_code=status, content={
            "error": type(exc).__name__, "rule": rule, "message": str(exc)})

    from .batcher import ConflictRetriesExhaustedError, ServiceStoppingError
    from .chain import ChainBrokenError
    error_status = {ConflictRetriesExhaustedError: 409, ServiceStoppingError: 503, IdempotencyKeyReusedError: 422,
                    InvalidIdempotencyKeyError: 422, CommandOutcomeUnknownError: 503,
                    ChainBrokenError: 409} | dict(error_status)
    # most specific first, so a NotFound subclass of the service error maps to 404
    ordered = sorted(error_status.items(), key=lambda kv: -len(kv[0].__mro__))
    for cls, _code in ordered:
        app.add_exception_handler(cls, _domain)

    from .chain_api import router as chain_router
    app.include_router(chain_router)        # GET /chain/verify: tamper evidence of the service's store

    @app.get("/health", tags=["ops"])
    async def _health() -> JSONResponse:
        body = await health()
        ok = body.get("status") == "ok"
        return JSONResponse(status_code=200 if ok else 503, content=body)

    @app.get("/metrics", tags=["ops"])
    async def _metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
