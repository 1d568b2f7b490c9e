"""Every refused attempt on the audit API is an access-log entry (issue 11, "Bad input").

The routes record the refusals they decide themselves, with the case's office (api.readable_case:
an unknown case, a moment before the case existed, another province's token, a bad cursor). What
is refused before a route runs — a role the route does not admit (403 `auth.role`), a request
FastAPI's validation rejects (422: a malformed `at=`, a limit out of range, a case id that is not a
UUID), a route or method that does not exist — never reaches that code, so this pure ASGI
middleware records it: when the answer is a 4xx other than 401, the caller's token is valid, and the
route did not record an entry for this request, it writes one (action "refused", the status, the
case id when the path names one) through the kit's access log BEFORE the answer's first byte leaves.
A 401 (no token, a bad or expired token) names nobody and is not an entry."""
from __future__ import annotations

import logging
import re
from typing import Any
from uuid import UUID

from thads_kit.auth import TokenError, verify_token

log = logging.getLogger(__name__)
SCOPE_KEY = "thads.access_recorded"
CASE_PATH = re.compile(r"^/cases/(?P<case>[^/]+)/(?P<what>timeline|state)/?$")


def mark_recorded(scope: dict[str, Any]) -> None:
    """Called by a route that recorded its own entry for this request (api.record_access)."""
    holder = scope.get(SCOPE_KEY)
    if isinstance(holder, list):
        holder[0] = True


def resource_of(path: str) -> tuple[str, str, UUID | None]:
    """(resource, resource_id, case id) of a refused request, from its path."""
    m = CASE_PATH.match(path)
    if m:
        try:
            case_id: UUID | None = UUID(m["case"])
        except ValueError:
            case_id = None
        return f"case_{m['what']}", m["case"][:200], case_id
    if path.rstrip("/") == "/procuracy/decisions":
        return "procuracy_decisions", "procuracy_decisions", None
    if path.rstrip("/") == "/access":
        return "access_log", "access", None
    if path.startswith("/chain/"):
        return "chain", path[:200], None
    if path.startswith("/admin/"):
        return "admin", path[:200], None
    return "audit_api", path[:200] or "/", None


class RefusedAttempts:
    """Pure ASGI middleware (the innermost, so it sees the answer the exception handlers made)."""

    def __init__(self, app: Any, get_state: Any) -> None:
        self.app = app
        self.get_state = get_state        # () -> (jwt secret, the kit's AccessLog or None)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = [False]

        async def send_recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if 400 <= status < 500 and status != 401 and not scope[SCOPE_KEY][0]:
                    await self._record(scope, status)
            await send(message)

        await self.app(scope, receive, send_recording)

    async def _record(self, scope: dict[str, Any], status: int) -> None:
        secret, access = self.get_state()
        token = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"authorization"), "")
        scheme, _, credentials = token.partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            return
        try:
            principal = verify_token(secret, credentials.strip())
        except TokenError:
            return
        resource, resource_id, case_id = resource_of(scope.get("path", ""))
        scope[SCOPE_KEY][0] = True
        if access is None:
            log.info("access refused %s %s by %s (%s, %s): %s", resource, resource_id, principal.sub, principal.role,
                     principal.unit, status)
            return
        await access.record(principal, action="refused", resource=resource, resource_id=resource_id,
                            case_id=case_id, unit=None, status=status)


def install(app: Any) -> None:
    """Adds the middleware as the innermost one of `app` (a kit app: state.jwt_secret, state.runtime)."""
    from starlette.middleware import Middleware

    def state() -> tuple[str, Any]:
        return app.state.jwt_secret, getattr(getattr(app.state, "runtime", None), "access", None)

    app.user_middleware.append(Middleware(RefusedAttempts, get_state=state))
