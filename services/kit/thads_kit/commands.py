"""Command ids: every command a service runs has one, stored in the SAME transaction as its events.

Rule (architecture §3 "command id"): a command that committed is never applied twice. Its id, a
fingerprint of the request and the result returned to the caller are written with its events
(`<app>_commands` table, see store.py); before a command runs, the batcher looks its id up:

* found, same fingerprint → the ORIGINAL result is returned and nothing is written (a client retry,
  psycopg's retry after a lost COMMIT acknowledgement hitting the unique key, the batcher's fallback);
* found, another fingerprint → `IdempotencyKeyReusedError` (422): one key names one request;
* not found → the command runs, and its row commits or rolls back with its events.

Where the id comes from:
* HTTP: the `Idempotency-Key` header (scoped to the caller: two callers may pick the same key), else
  one generated per request. `command_context`, an app-wide FastAPI dependency installed by
  `http.create_app`, puts it in a context variable that `CommandBatcher.submit` reads, so no route
  has to pass it. A request that submits several commands gives them `key`, `key/2`, `key/3`, ...
  in submission order (a retry of the request submits them in the same order).
* Kafka-borne commands pass `submit(..., command_id=<message id>)` explicitly.
* Anything else (timers) gets a generated id: still protected against the lost-acknowledgement re-run.

Same-transaction writes: a route may attach rows that must commit with the next command's events
(personal data, see intake) with `write_with_next_command`; the recorder runs them in that
transaction, so they are never lost after the events commit and never written when it rolls back.
"""
from __future__ import annotations

import hashlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable

from fastapi import Header, Request, Response

from .auth import Principal, TokenError, verify_token

# A same-transaction write: called with the psycopg cursor of the command's transaction (None on the
# in-memory store used by unit tests). It may raise to refuse the command; nothing is then written.
Write = Callable[[Any], None]

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyKeyReusedError(Exception):
    """The Idempotency-Key was already used for a different request (method, path, body or caller)."""

    rule = "idempotency-key: one key names one request"
    legal_basis = None
    message_vi = ("Khóa chống trùng lặp (Idempotency-Key) này đã được dùng cho một yêu cầu khác; "
                  "hãy dùng khóa mới cho yêu cầu mới")


class InvalidIdempotencyKeyError(Exception):
    rule = "idempotency-key: 1 to 200 visible ASCII characters"
    legal_basis = None
    message_vi = "Khóa chống trùng lặp (Idempotency-Key) phải gồm từ 1 đến 200 ký tự ASCII in được"


class CommandOutcomeUnknownError(Exception):
    """The service stopped while the command's transaction was still running: it may have committed."""

    rule = "service stopping: the outcome is unknown, retry with the same Idempotency-Key"
    legal_basis = None
    message_vi = ("Dịch vụ đang dừng khi lệnh đang được lưu; kết quả chưa xác định. "
                  "Hãy gửi lại với cùng khóa Idempotency-Key")


@dataclass(frozen=True)
class CommandId:
    id: str
    fingerprint: str
    # True when the id may already be stored (client key, message id): looked up before running.
    # A freshly generated id is looked up only when its command is re-run.
    known: bool = True


@dataclass
class CommandContext:
    """One HTTP request's command identity (set by `command_context`)."""

    key: str
    fingerprint: str
    client_key: bool
    response: Response | None = None
    submitted: int = 0
    writes: list[Write] = field(default_factory=list)
    replayed: bool = False

    def next_id(self) -> CommandId:
        self.submitted += 1
        suffix = "" if self.submitted == 1 else f"/{self.submitted}"
        return CommandId(self.key + suffix, self.fingerprint + suffix, known=self.client_key)

    def take_writes(self) -> list[Write]:
        writes, self.writes = self.writes, []
        return writes

    def mark_replayed(self) -> None:
        self.replayed = True
        if self.response is not None:
            self.response.headers["Idempotent-Replayed"] = "true"


current: ContextVar[CommandContext | None] = ContextVar("thads_command", default=None)


def fingerprint(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def caller_of(p: Principal) -> str:
    """The caller part of a command's fingerprint and of a client key's scope."""
    return f"{p.sub}|{p.role}|{p.unit}|{p.bank or ''}"


def _caller(request: Request) -> str:
    """Who is calling (token subject, role, office, bank); 'anonymous' when there is no valid token
    (the route then answers 401 before any command runs)."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            return caller_of(verify_token(request.app.state.jwt_secret, token.strip()))
        except (TokenError, AttributeError):
            pass
    return "anonymous"


def generated_context(method: str, path: str, body: bytes, caller: str,
                      response: Response | None = None) -> CommandContext:
    """The command context of a request without an Idempotency-Key (a generated id). One definition
    for `command_context` and the kit's fast lane (http.FastLane.post), so both fingerprint alike."""
    fp = fingerprint(method, path, hashlib.sha256(body).hexdigest(), caller)
    return CommandContext(key=f"gen:{uuid.uuid4()}", fingerprint=fp, client_key=False, response=response)


KEY_PATTERN = r"^[!-~](?:[ -~]{0,198}[!-~])?$"   # printable ASCII, no space at either end


async def command_context(
        request: Request, response: Response,
        key: Annotated[str | None, Header(
            alias=HEADER, pattern=KEY_PATTERN, max_length=MAX_KEY_LENGTH,
            description="Khóa chống trùng lặp của lệnh: gửi lại cùng một lệnh với cùng khóa thì nhận lại kết quả "
                        "ban đầu và không ghi gì thêm; cùng khóa cho một yêu cầu khác bị từ chối (422). "
                        "Không có tác dụng với yêu cầu đọc (GET)")] = None) -> None:
    """App-wide FastAPI dependency: the command id of this request (see the module docstring). The
    header is declared here so that the OpenAPI documents it (with its pattern) on every route."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return      # reads run no command: no id, no fingerprint (a per-request cost on the hot path)
    caller = _caller(request)
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise InvalidIdempotencyKeyError(f"{HEADER} must be 1..{MAX_KEY_LENGTH} printable ASCII characters")
    body = await request.body()
    if key is None:
        ctx = generated_context(request.method, request.url.path, body, caller, response)
    else:
        fp = fingerprint(request.method, request.url.path, hashlib.sha256(body).hexdigest(), caller)
        # scoped to the caller: another caller's identical key is another command
        ctx = CommandContext(key=f"key:{fingerprint(caller)[:24]}:{key}", fingerprint=fp, client_key=True,
                             response=response)
        response.headers[HEADER] = key
    current.set(ctx)


def write_with_next_command(write: Write) -> None:
    """Have `write` run in the transaction of the next command this request submits."""
    ctx = current.get()
    if ctx is None:
        raise RuntimeError("no command context: write_with_next_command is for HTTP routes of a kit app")
    ctx.writes.append(write)


def generated() -> CommandId:
    cid = f"gen:{uuid.uuid4()}"
    return CommandId(cid, cid, known=False)


def explicit(command_id: str, fingerprint_: str | None = None) -> CommandId:
    """An id given by the caller (a Kafka message id, an import line id)."""
    return CommandId(f"msg:{command_id}", fingerprint_ or f"msg:{command_id}", known=True)
