"""FastAPI app factory: /health, Prometheus /metrics, JSON errors.

Bad input never changes anything: a body that fails validation gets 422 naming each field, an
unknown aggregate 404, a rule violation 409 naming the rule; auth errors are 401/403 (auth.py),
reads outside the caller's scope 403 (scoping.py). Every error, whatever raised it, is rendered here
as the one error body of errors.py (Vietnamese `message`, English `rule`, `legal_basis`, `detail`)."""
from __future__ import annotations

import logging
import uuid
from typing import Any, AsyncIterator, Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import body_for, validation_body
from .logs import correlation_id
from .scoping import OutOfScopeError

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def create_app(*, title: str, version: str, lifespan: Callable[[FastAPI], AsyncIterator[None]] | None,
               jwt_secret: str, health: HealthCheck, error_status: dict[type[Exception], int]) -> FastAPI:
    """`error_status` maps domain error classes to HTTP statuses (most specific class wins)."""
    app = FastAPI(title=title, version=version, lifespan=lifespan)
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
        return JSONResponse(status_code=422, content=validation_body(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content=body_for(exc.status_code, exc),
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # runs in Starlette's outermost error middleware, which logs the traceback and re-raises
        return JSONResponse(status_code=500, content={
            "error": "internal_error", "rule": "internal_error", "message": body_for(500, exc)["message"],
            "legal_basis": None, "detail": None})

    async def _domain(_: Request, exc: Exception) -> JSONResponse:
        status = next(code for cls, code in ordered if isinstance(exc, cls))
        return JSONResponse(status_code=status, content=body_for(status, exc))

    from .batcher import ConflictRetriesExhaustedError, ServiceStoppingError
    error_status = {ConflictRetriesExhaustedError: 409, ServiceStoppingError: 503,
                    OutOfScopeError: 403} | dict(error_status)
    # most specific first, so a NotFound subclass of the service error maps to 404
    ordered = sorted(error_status.items(), key=lambda kv: -len(kv[0].__mro__))
    for cls, _code in ordered:
        app.add_exception_handler(cls, _domain)

    @app.get("/health", tags=["ops"])
    async def _health() -> JSONResponse:
        body = await health()
        ok = body.get("status") == "ok"
        return JSONResponse(status_code=200 if ok else 503, content=body)

    @app.get("/metrics", tags=["ops"])
    async def _metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
