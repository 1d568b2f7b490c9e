"""Bulk import of history (issue 12), for every service that takes commands: `POST /import`, a body of
NDJSON commands, one per line (sent as text/plain or application/x-ndjson: the body is read as UTF-8
text whatever its content type), for agencies moving from their old case software and for the
province-year simulation. A service gets the route with `router(ImportConfig(...))`; the config says
what differs between services (its paths, the item a line refers to, the roles lines may act as).

Each line is one command of the service's API, run through the SAME route — the same body validation,
roles, office binding, domain rules and command batcher — as if its historical actor had sent it
(re-posted in-process, over httpx's ASGI transport, with a token of the line's role and actor):

    {"command_id": "TH-BIMSON/2018/00017/03", "path": "/cases/{case}/decision", "case": "00017",
     "role": "head", "actor": "head-bimson", "body": {"decision_no": "...", "basis": "on_request",
     "occurred_at": "2017-11-02T09:00:00+07:00"}}

* `command_id` becomes the command's Idempotency-Key: a re-sent file (or line) changes nothing and
  gets the original answers back (thads_kit.commands).
* `bind` on an opening line (`ImportConfig.opening`, e.g. intake's `/cases/judgments`) names the item
  it opens; later lines refer to it with the config's reference field (`ref`, e.g. `case`) and its
  placeholder (`{case}`) in their path. An item that exists already is named by its UUID instead.
  Lines of one item run in file order; items run concurrently (the batcher groups their commands
  into shared transactions).
* `occurred_at` is required in every line's body: imported history is recorded with its business
  time (the event's `occurred_at`), the recording time being now (`recorded_at`).
* Who may import: `ImportConfig.importers` (a head), for his own office only: every line's token
  carries the importer's office, so the service's office binding holds line by line; each line acts
  as one of `ImportConfig.roles`, so the domain's who-may-do-what rules still apply line by line.

The answer is NDJSON too, one line per input line in input order:
`{"line", "command_id", "status", "<id field>"?, "body"}`; a line after a failed line of the same
item is not run (status 424). Nothing else changes for a failed line (each command is atomic).
"""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from .auth import Principal, issue_token, require
from .errors import ApiError, error_responses

MAX_LINES = 200_000
CONCURRENT_CASES = 32


@dataclass(frozen=True)
class ImportConfig:
    """What one service's import accepts.

    service: the service's name (OpenAPI tag default and the in-process base URL).
    opening: opening path → the field of its answer holding the new item's id (`{"/cases/judgments": "case_id"}`);
        an opening line must carry `bind`. Empty: lines only name existing items by UUID.
    ref: the line field naming the item (`case`), and `{ref}` its placeholder in paths (`/cases/{case}/...`).
    path: the paths a line may name (a regex over the whole path, placeholder unexpanded).
    path_hint_vi: the Vietnamese sentence telling which paths are allowed (in the refusal of a bad path).
    roles: the roles a line may act as (each route then checks its own roles).
    importers: the roles that may post a file (for their own office).
    """
    service: str
    opening: Mapping[str, str]
    ref: str
    path: str
    path_hint_vi: str
    roles: tuple[str, ...]
    importers: tuple[str, ...] = ("head",)
    tags: tuple[str, ...] = ()
    id_field: str = field(default="")

    @property
    def placeholder(self) -> str:
        return "{" + self.ref + "}"

    @property
    def answer_id(self) -> str:
        """The answer's field with the item's id: the openings' id field (`case_id`), else `<ref>_id`."""
        return self.id_field or next(iter(self.opening.values()), f"{self.ref}_id")


class TooManyLinesError(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(413, error="TooManyLinesError", rule="import.max_lines", detail=detail,
                         message_vi=f"Tệp nhập quá lớn: tối đa {MAX_LINES} dòng mỗi lần; không có gì được ghi.")


def line_model(config: ImportConfig) -> type[BaseModel]:
    """The shape of one line: command_id, path, role, actor, bind, <ref>, body (nothing else)."""
    fields: dict[str, Any] = {
        "command_id": (str, Field(min_length=1, max_length=150, pattern=r"^[!-~]+$")),
        "path": (str, Field(min_length=1, max_length=80)),
        "role": (Literal[config.roles], ...),  # type: ignore[valid-type]
        "actor": (str, Field(min_length=1, max_length=64, pattern=r"^[!-~]+$")),
        "bind": (str | None, Field(None, min_length=1, max_length=80)),
        config.ref: (str | None, Field(None, min_length=1, max_length=80)),
        "body": (dict[str, Any], ...),
    }
    return create_model("ImportLine", __config__=ConfigDict(extra="forbid"), **fields)


def _answer(n: int, command_id: str | None, status: int, body: Any, id_field: str = "",
            item_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"line": n, "command_id": command_id, "status": status}
    if item_id is not None:
        out[id_field] = item_id
    out["body"] = body
    return out


def _line_error(rule: str, message_vi: str, detail: str) -> dict[str, Any]:
    return {"error": "invalid_import_line", "rule": rule, "message": message_vi, "legal_basis": None,
            "detail": detail}


EARLIER_LINE_FAILED = _line_error("import.earlier_line_failed", "Không thực hiện: một dòng trước của cùng việc bị từ chối.",
                                  "an earlier line of this case failed")


def parse_line(config: ImportConfig, model: type[BaseModel], text: str) -> tuple[Any, int, dict[str, Any] | None]:
    """One line of text → (the line or None, status, error body or None): 400 when it is not a line of
    the import's shape, 422 when its path, binding or business time is missing or wrong."""
    try:
        line = model.model_validate(json.loads(text))
    except (ValueError, ValidationError, RecursionError) as exc:   # RecursionError: absurdly nested JSON
        return None, 400, _line_error(
            "import.line_shape", "Dòng không đúng định dạng lệnh nhập (JSON với command_id, path, role, actor, "
                                 "body); dòng này không được thực hiện.", str(exc)[:2000])
    problem = check(config, line)
    if problem is not None:
        return line, 422, problem
    return line, 200, None


def check(config: ImportConfig, line: Any) -> dict[str, Any] | None:
    """The rules of a line beyond its shape: a known path, the reference it needs, its business time."""
    if not re.fullmatch(config.path, line.path) or config.placeholder in line.path and getattr(line, config.ref) is None:
        return _line_error("import.path", config.path_hint_vi, f"path {line.path!r}")
    if line.path in config.opening and line.bind is None:
        return _line_error("import.bind", "Dòng mở việc phải có trường bind (tên việc trong tệp nhập).",
                           "an opening line needs `bind`")
    if "occurred_at" not in line.body:
        return _line_error("import.occurred_at", "Dữ liệu lịch sử phải ghi thời điểm nghiệp vụ (occurred_at).",
                           "every imported line carries its business time occurred_at")
    return None


def known_item(ref: str | None) -> str | None:
    """An item outside this file (a case, an asset received from another service) is named by its id."""
    if ref is None:
        return None
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        return None


def router(config: ImportConfig) -> APIRouter:
    """The `POST /import` route of one service (include it in the service's app)."""
    api = APIRouter(tags=list(config.tags or (config.service,)))
    model = line_model(config)
    importers = require(*config.importers)

    @api.post("/import", summary="Nhập dữ liệu lịch sử: mỗi dòng NDJSON là một lệnh, trả lời từng dòng",
              responses=error_responses(401, 403, 413, 503),
              openapi_extra={"requestBody": {"required": False, "content": {
                  "text/plain": {"schema": {"type": "string", "description": "NDJSON: một lệnh JSON mỗi dòng"}}}}})
    async def bulk_import(request: Request, principal: Principal = Depends(importers)) -> Response:
        raw = await request.body()
        texts = raw.decode("utf-8", "replace").splitlines()
        if len(texts) > MAX_LINES:
            raise TooManyLinesError(f"{len(texts)} lines; at most {MAX_LINES} per request")
        answers: list[dict[str, Any] | None] = [None] * len(texts)
        groups: dict[str, list[tuple[int, Any]]] = {}
        refused: set[str] = set()      # items with a line refused before dispatch: their later lines are not run
        for n, text in enumerate(texts, start=1):
            if not text.strip():
                answers[n - 1] = _answer(n, None, 204, None)
                continue
            line, status, problem = parse_line(config, model, text)
            key = (line.bind or getattr(line, config.ref) or f"line:{n}") if line is not None else None
            if problem is None and key in refused:
                answers[n - 1] = _answer(n, line.command_id, 424, EARLIER_LINE_FAILED)
                continue
            if problem is not None:
                answers[n - 1] = _answer(n, line.command_id if line is not None else None, status, problem)
                if key is not None:
                    refused.add(key)
                continue
            groups.setdefault(key, []).append((n, line))

        secret = request.app.state.settings.jwt_secret.get_secret_value()
        transport = httpx.ASGITransport(app=request.app)
        gate = asyncio.Semaphore(CONCURRENT_CASES)
        id_field = config.answer_id
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{config.service}.import",
                                     timeout=None) as client:
            async def run_group(lines: list[tuple[int, Any]]) -> None:
                async with gate:
                    item_id: str | None = None
                    failed = False
                    for n, line in lines:
                        if failed:
                            answers[n - 1] = _answer(n, line.command_id, 424, EARLIER_LINE_FAILED)
                            continue
                        path = line.path
                        if config.placeholder in path:
                            item_id = item_id or known_item(getattr(line, config.ref))
                            if item_id is None:
                                failed = True
                                answers[n - 1] = _answer(n, line.command_id, 422, _line_error(
                                    "import.unknown_case_ref", "Dòng nhắc đến một việc chưa được mở trong tệp nhập này.",
                                    f"{config.ref} {getattr(line, config.ref)!r} is not bound by an earlier line of "
                                    f"this file"))
                                continue
                            path = path.replace(config.placeholder, item_id)
                        token = issue_token(secret, role=line.role, unit=principal.unit, sub=line.actor, hours=1)
                        r = await client.post(path, json=line.body, headers={
                            "Authorization": f"Bearer {token}", "Idempotency-Key": line.command_id})
                        try:
                            body = r.json()
                        except ValueError:
                            body = r.text
                        if r.status_code < 300 and line.path in config.opening and isinstance(body, dict):
                            opened = body.get(config.opening[line.path])
                            item_id = str(opened) if opened else item_id
                        if r.status_code >= 300:
                            failed = True
                        answers[n - 1] = _answer(n, line.command_id, r.status_code, body, id_field, item_id)

            await asyncio.gather(*(run_group(lines) for lines in groups.values()))
        payload = "".join(json.dumps(a, ensure_ascii=False, default=str) + "\n" for a in answers)
        return Response(payload, media_type="application/x-ndjson")

    return api
