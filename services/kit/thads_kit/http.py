"""FastAPI app factory: /health, Prometheus /metrics, JSON errors, offline /docs, and `serve`.

Bad input never changes anything: a body that fails validation gets 422 naming each field, an
unknown aggregate 404, a rule violation 409 naming the rule; auth errors are 401/403 (auth.py),
reads outside the caller's scope 403 (scoping.py). Every error, whatever raised it, is rendered here
as the one error body of errors.py (Vietnamese `message`, English `rule`, `legal_basis`, `detail`).

The front door is kept cheap (issue 13, measured with py-spy under wrk): the correlation id is a
pure ASGI middleware (Starlette's BaseHTTPMiddleware ran every request through an extra task and
memory streams); /health answers from a check at most `HEALTH_TTL_S` old instead of pinging
PostgreSQL and Kafka on every call; uvicorn runs on uvloop + httptools (`runtime.serve`). /docs and /redoc
load Swagger UI and ReDoc from the installed `fastapi-offline` package: no CDN, so the page works
on a closed network.

`FastLane` (pure ASGI, inside the correlation id middleware) answers the HAPPY PATH of a service's
hottest GET routes without FastAPI's routing and dependency solving (py-spy: ~30 % of a read from
the read model went to matching the path against every route and solving the auth dependencies):
a GET without query string or Idempotency-Key, a bearer token that verifies (auth.verify_token) with
one of the route's roles, and a handler that has the answer. Anything else — no or bad token, wrong
role, a query, a handler answering None (not found, out of scope, read model behind) — goes on to
the FastAPI route, which answers exactly as documented (errors included). A handler must apply the
same read rule (scoping.py) as its route and must not do anything the route records (an access log
entry): such a route stays out of the fast lane. `FastLane.post` does the same for a command's happy
path (FastLane.post's docstring): FastAPI's routing and dependency solving were half of a write's
event-loop time."""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import random
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable

from fastapi import Depends, FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from .commands import (
    CommandOutcomeUnknownError, IdempotencyKeyReusedError, InvalidIdempotencyKeyError, caller_of, command_context,
    generated_context,
)
from .commands import current as commands_current
from .errors import DESCRIPTION_VI, ErrorBody, body_for, validation_body
from .auth import Principal, TokenError, verify_token
from .logs import correlation_id
from .scoping import OutOfScopeError

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]],
                    Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]

CORRELATION_HEADER = b"x-correlation-id"
NO_TELEMETRY: Any = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
HEALTH_TTL_S = 2.0           # a healthy answer is reused this long
HEALTH_TTL_DEGRADED_S = 0.5  # a degraded one is re-checked sooner, so recovery shows quickly


def new_correlation_id() -> str:
    """A random version-4 UUID without a system call per request (uuid4 reads os.urandom; a
    correlation id needs uniqueness, not secrecy)."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


class CorrelationIdMiddleware:
    """Pure ASGI middleware: takes the caller's `X-Correlation-Id` (or makes one), makes it the
    `logs.correlation_id` of everything logged while the request runs, and returns it on the
    response. An id longer than 128 characters is replaced, not echoed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = b""
        for name, value in scope["headers"]:
            if name == CORRELATION_HEADER:
                raw = value
                break
        if not raw or len(raw) > 128:
            raw = new_correlation_id().encode()
        header = (CORRELATION_HEADER, raw)

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = correlation_id.set(raw.decode("latin-1"))
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)


FastHandler = Callable[[Principal, "re.Match[str]"], Awaitable[bytes | None]]
# a command's handler: (principal, path match, validated body) -> the result the route returns
FastCommand = Callable[[Principal, "re.Match[str]", Any], Awaitable[Any]]


@dataclass(frozen=True)
class _Command:
    pattern: re.Pattern[str]
    roles: frozenset[str]
    body: type[BaseModel]
    handler: FastCommand
    status: int


def _replay(first: bytes | dict[str, Any], receive: Any) -> Any:
    """A `receive` that hands the route what the fast lane already read (the whole body, or the
    disconnect), then the connection's own events."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            if isinstance(first, dict):
                return first
            return {"type": "http.request", "body": first, "more_body": False}
        return await receive()

    return replay


class FastLane:
    """Registry and pure ASGI middleware of the fast GET answers and commands (module docstring)."""

    def __init__(self) -> None:
        self.routes: list[tuple[re.Pattern[str], frozenset[str], FastHandler]] = []
        self.commands: list[_Command] = []
        self.secret = ""
        self.app: FastAPI | None = None      # its exception handlers render a command's refusal

    def get(self, pattern: str, roles: tuple[str, ...], handler: FastHandler) -> None:
        """`pattern` must match the whole path; `handler(principal, match)` returns the body of a 200
        `application/json` answer or None (then the FastAPI route answers)."""
        self.routes.append((re.compile(pattern), frozenset(roles), handler))

    def post(self, pattern: str, roles: tuple[str, ...], body: type[BaseModel], handler: FastCommand,
             status: int = 201) -> None:
        """A command route's happy path: a POST to `pattern` (whole path) without query string or
        Idempotency-Key, one valid bearer token of one of `roles`, a JSON body (Content-Type
        application/json) that `body` validates. `handler(principal, match, body)` must do exactly
        what the route does and return what the route returns (answered as `status`, JSON, encoded as
        FastAPI does). The request runs under the command context the route's app-wide dependency
        would give it (commands.generated_context); an exception it raises is rendered by the app's
        own exception handlers (or goes on to the server error middleware, as from the route). Any
        other request, or a body that does not validate, goes to the route with its body."""
        self.commands.append(_Command(re.compile(pattern), frozenset(roles), body, handler, status))

    def middleware(self, app: ASGIApp) -> ASGIApp:
        lane = self

        async def fast_lane(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and not scope["query_string"]:
                method = scope["method"]
                if method == "GET" and lane.routes:
                    body = await lane._answer(scope)
                    if body is not None:
                        await send({"type": "http.response.start", "status": 200, "headers": [
                            (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]})
                        await send({"type": "http.response.body", "body": body})
                        return
                elif method == "POST" and lane.commands:
                    receive = await lane._command(scope, receive, send)
                    if receive is None:
                        return
            await app(scope, receive, send)

        return fast_lane

    def _principal(self, scope: dict[str, Any], roles: frozenset[str]) -> Principal | None:
        """The caller when the request has exactly one valid bearer token of one of `roles` and no
        Idempotency-Key; None sends it to the route."""
        token = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if token is not None:
                    return None          # two Authorization headers: the route decides
                scheme, _, credentials = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer" or not credentials:
                    return None
                token = credentials
            elif name == b"idempotency-key":
                return None
        if token is None:
            return None
        try:
            principal = verify_token(self.secret, token)
        except TokenError:
            return None
        return principal if principal.role in roles else None

    async def _answer(self, scope: dict[str, Any]) -> bytes | None:
        path = scope["path"]
        for pattern, roles, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is not None:
                break
        else:
            return None
        principal = self._principal(scope, roles)
        if principal is None:
            return None
        return await handler(principal, match)

    async def _command(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        """Answers a command on the fast lane and returns None, or returns the `receive` with which
        the route gets the request (the body replayed when it was read)."""
        path = scope["path"]
        for command in self.commands:
            match = command.pattern.fullmatch(path)
            if match is not None:
                break
        else:
            return receive
        if scope.get("root_path") or self.app is None:
            return receive
        content_type = [v for n, v in scope["headers"] if n == b"content-type"]
        if len(content_type) != 1 or content_type[0].split(b";", 1)[0].strip().lower() != b"application/json":
            return receive
        principal = self._principal(scope, command.roles)
        if principal is None:
            return receive
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":     # the client went away: the route sees it too
                return _replay(message, receive)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        try:
            body = command.body.model_validate(json.loads(raw))
        except Exception:  # noqa: BLE001 - bad JSON, a refused field, a rule in a validator: the route says so
            return _replay(raw, receive)
        ctx = generated_context("POST", path, raw, caller_of(principal))
        token = commands_current.set(ctx)
        try:
            result = await command.handler(principal, match, body)
        except Exception as exc:  # noqa: BLE001
            response = await self._refusal(scope, exc)
        else:
            headers = {"Idempotent-Replayed": "true"} if ctx.replayed else None
            response = JSONResponse(jsonable_encoder(result), status_code=command.status, headers=headers)
        finally:
            commands_current.reset(token)
        await response(scope, _replay(raw, receive), send)
        return None

    async def _refusal(self, scope: dict[str, Any], exc: Exception) -> Response:
        """The answer the route's exception middleware would give; an exception without a handler of
        its own (only the catch-all `Exception` one) is raised, as it would be from the route."""
        assert self.app is not None
        handlers = self.app.exception_handlers
        for cls in type(exc).__mro__:
            if cls is Exception:
                break
            if cls in handlers:
                result = handlers[cls](Request(scope), exc)
                return await result if inspect.isawaitable(result) else result
        raise exc


class CachedHealth:
    """Runs the service's real check (PostgreSQL, Kafka, relay) at most once per TTL, however many
    callers ask: concurrent callers share one check in flight; the answer says how old it is."""

    def __init__(self, check: HealthCheck, ttl: float = HEALTH_TTL_S,
                 ttl_degraded: float = HEALTH_TTL_DEGRADED_S) -> None:
        self.check, self.ttl, self.ttl_degraded = check, ttl, ttl_degraded
        self._body: dict[str, Any] | None = None
        self._at = 0.0
        self._running: asyncio.Future[dict[str, Any]] | None = None

    async def __call__(self) -> dict[str, Any]:
        now = time.monotonic()
        if self._body is not None:
            ttl = self.ttl if self._body.get("status") == "ok" else self.ttl_degraded
            if now - self._at < ttl:
                return self._body | {"checked_s_ago": round(now - self._at, 3)}
        if self._running is None:
            self._running = asyncio.ensure_future(self._refresh())
        return await asyncio.shield(self._running) | {"checked_s_ago": 0.0}

    async def _refresh(self) -> dict[str, Any]:
        try:
            body = await self.check()
            self._body, self._at = body, time.monotonic()
            return body
        finally:
            self._running = None


def document_errors_once(app: FastAPI) -> None:
    """The OpenAPI names one error schema, ErrorBody: FastAPI's own 422 (HTTPValidationError, added to
    every route with a parameter, the app-wide Idempotency-Key header included) is replaced by it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            ref = "#/components/schemas/ErrorBody"
            for ops in doc.get("paths", {}).values():
                for op in ops.values():
                    for answer in op.get("responses", {}).values():
                        body = answer.get("content", {}).get("application/json", {})
                        if body.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                            body["schema"] = {"$ref": ref}
                            answer["description"] = DESCRIPTION_VI[422]
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            if "ErrorBody" not in schemas:
                schemas.update(ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
                               .pop("$defs", {}))
                schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas["ErrorBody"].pop("$defs", None)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(*, title: str, version: str, lifespan: Callable[[FastAPI], AsyncIterator[None]] | None,
               jwt_secret: str, health: HealthCheck, error_status: dict[type[Exception], int]) -> FastAPI:
    """`error_status` maps domain error classes to HTTP statuses (most specific class wins)."""
    # Swagger UI and ReDoc assets from the installed package, served under /static-offline-docs;
    # every request gets a command id (Idempotency-Key header or generated), see commands.py
    # FastAPI's native OpenTelemetry is off: no service sets a provider, and the check for one read
    # os.environ on every request (py-spy --gil: 7 % of a write's GIL time, issue 13)
    app = FastAPIOffline(title=title, version=version, lifespan=lifespan, dependencies=[Depends(command_context)],
                         telemetry=NO_TELEMETRY)
    app.state.jwt_secret = jwt_secret
    app.state.fast_lane = lane = FastLane()
    lane.secret = jwt_secret
    lane.app = app
    app.add_middleware(lane.middleware)           # inside the correlation id (added after: outer)
    app.add_middleware(CorrelationIdMiddleware)

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
    from .chain import ChainBrokenError
    error_status = {ConflictRetriesExhaustedError: 409, ServiceStoppingError: 503, IdempotencyKeyReusedError: 422,
                    InvalidIdempotencyKeyError: 422, CommandOutcomeUnknownError: 503,
                    ChainBrokenError: 409, OutOfScopeError: 403} | dict(error_status)
    # most specific first, so a NotFound subclass of the service error maps to 404
    ordered = sorted(error_status.items(), key=lambda kv: -len(kv[0].__mro__))
    for cls, _code in ordered:
        app.add_exception_handler(cls, _domain)

    from .chain_api import router as chain_router
    app.include_router(chain_router)        # GET /chain/verify: tamper evidence of the service's store
    document_errors_once(app)
    cached_health = CachedHealth(health)

    @app.get("/health", tags=["ops"])
    async def _health() -> JSONResponse:
        body = await cached_health()
        ok = body.get("status") == "ok"
        return JSONResponse(status_code=200 if ok else 503, content=body)

    @app.get("/health/live", tags=["ops"])
    async def _live() -> dict[str, str]:
        """Liveness: the process answers HTTP (no auth, no database). `make bench` uses it as the
        framework's own ceiling beside the real routes."""
        return {"status": "ok"}

    @app.get("/metrics", tags=["ops"])
    async def _metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app

