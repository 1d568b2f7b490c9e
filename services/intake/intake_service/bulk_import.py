"""Bulk import of case history (issue 12): `POST /import`, a body of NDJSON commands, one per line (sent as text/plain or
application/x-ndjson: the body is read as UTF-8 text whatever its content type),
for agencies moving from their old case software (and the province-year simulation).

Each line is one command of this API, run through the SAME route — the same body validation, roles,
office binding, domain rules and command batcher — as if its historical actor had sent it:

    {"command_id": "TH-BIMSON/2018/00017/03", "path": "/cases/{case}/decision", "case": "00017",
     "role": "head", "actor": "head-bimson", "body": {"decision_no": "...", "basis": "on_request",
     "occurred_at": "2017-11-02T09:00:00+07:00"}}

* `command_id` becomes the command's Idempotency-Key: a re-sent file (or line) changes nothing and
  gets the original answers back (thads_kit.commands).
* `bind` on an opening line (`/cases/judgments`, `/cases/requests`) names the case it opens; later
  lines refer to it as `case` and `{case}` in their path. Lines of one case run in file order; cases
  run concurrently (the batcher groups their commands into shared transactions).
* `occurred_at` is required on every line: imported history is recorded with its business time
  (the event's `occurred_at`), the recording time being now (`recorded_at`).
* Who may import: a head, for his own office only; each line acts as `role`/`actor` of that office
  (clerk, officer, head, accountant), so the domain's who-may-do-what rules still apply line by line.

The answer is NDJSON too, one line per input line in input order:
`{"line", "command_id", "status", "case_id"?, "body"}`; a line after a failed line of the same case
is not run (status 424). Nothing else changes for a failed line (each command is atomic).
"""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from thads_kit.auth import Principal, issue_token, require
from thads_kit.errors import error_responses

router = APIRouter(tags=["intake"])
MAX_LINES = 200_000
CONCURRENT_CASES = 32
_PATH = re.compile(r"^/cases/(judgments|requests|\{case\}/[a-z][a-z\-/]{0,60})$")
OPENING = ("/cases/judgments", "/cases/requests")


class ImportLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command_id: str = Field(min_length=1, max_length=150, pattern=r"^[!-~]+$")
    path: str = Field(min_length=1, max_length=80)
    role: Literal["clerk", "officer", "head", "accountant"]
    actor: str = Field(min_length=1, max_length=64, pattern=r"^[!-~]+$")
    bind: str | None = Field(None, min_length=1, max_length=80)
    case: str | None = Field(None, min_length=1, max_length=80)
    body: dict[str, Any]


class TooManyLinesError(Exception):
    status_code = 413
    rule = "import.max_lines"
    message_vi = f"Tệp nhập quá lớn: tối đa {MAX_LINES} dòng mỗi lần; không có gì được ghi."


def _answer(n: int, command_id: str | None, status: int, body: Any, case_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"line": n, "command_id": command_id, "status": status}
    if case_id is not None:
        out["case_id"] = case_id
    out["body"] = body
    return out


def _line_error(rule: str, message_vi: str, detail: str) -> dict[str, Any]:
    return {"error": "invalid_import_line", "rule": rule, "message": message_vi, "legal_basis": None,
            "detail": detail}


@router.post("/import", summary="Nhập dữ liệu lịch sử: mỗi dòng NDJSON là một lệnh, trả lời từng dòng",
             responses=error_responses(401, 403, 413, 503),
             openapi_extra={"requestBody": {"required": False, "content": {
                 "text/plain": {"schema": {"type": "string", "description": "NDJSON: một lệnh JSON mỗi dòng"}}}}})
async def bulk_import(request: Request, principal: Principal = Depends(require("head"))) -> Response:
    raw = await request.body()
    texts = raw.decode("utf-8", "replace").splitlines()
    if len(texts) > MAX_LINES:
        raise TooManyLinesError(f"{len(texts)} lines; at most {MAX_LINES} per request")
    answers: list[dict[str, Any] | None] = [None] * len(texts)
    groups: dict[str, list[tuple[int, ImportLine]]] = {}
    for n, text in enumerate(texts, start=1):
        if not text.strip():
            answers[n - 1] = _answer(n, None, 204, None)
            continue
        try:
            line = ImportLine.model_validate(json.loads(text))
        except (ValueError, ValidationError, RecursionError) as exc:   # RecursionError: absurdly nested JSON
            answers[n - 1] = _answer(n, None, 400, _line_error(
                "import.line_shape", "Dòng không đúng định dạng lệnh nhập (JSON với command_id, path, role, actor, "
                                     "body); dòng này không được thực hiện.", str(exc)[:2000]))
            continue
        problem = _check(line)
        if problem is not None:
            answers[n - 1] = _answer(n, line.command_id, 422, problem)
            continue
        groups.setdefault(line.bind or line.case or f"line:{n}", []).append((n, line))

    secret = request.app.state.settings.jwt_secret.get_secret_value()
    transport = httpx.ASGITransport(app=request.app)
    gate = asyncio.Semaphore(CONCURRENT_CASES)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.import", timeout=None) as client:
        async def run_group(lines: list[tuple[int, ImportLine]]) -> None:
            async with gate:
                case_id: str | None = None
                failed = False
                for n, line in lines:
                    if failed:
                        answers[n - 1] = _answer(n, line.command_id, 424, _line_error(
                            "import.earlier_line_failed", "Không thực hiện: một dòng trước của cùng việc bị từ chối.",
                            "an earlier line of this case failed"))
                        continue
                    path = line.path
                    if "{case}" in path:
                        case_id = case_id or _known_case(line.case)
                        if case_id is None:
                            failed = True
                            answers[n - 1] = _answer(n, line.command_id, 422, _line_error(
                                "import.unknown_case_ref", "Dòng nhắc đến một việc chưa được mở trong tệp nhập này.",
                                f"case {line.case!r} is not bound by an earlier line of this file"))
                            continue
                        path = path.replace("{case}", case_id)
                    token = issue_token(secret, role=line.role, unit=principal.unit, sub=line.actor, hours=1)
                    r = await client.post(path, json=line.body, headers={
                        "Authorization": f"Bearer {token}", "Idempotency-Key": line.command_id})
                    try:
                        body = r.json()
                    except ValueError:
                        body = r.text
                    if r.status_code < 300 and line.path in OPENING and isinstance(body, dict):
                        case_id = str(body.get("case_id")) if body.get("case_id") else case_id
                    if r.status_code >= 300:
                        failed = True
                    answers[n - 1] = _answer(n, line.command_id, r.status_code, body, case_id)

        await asyncio.gather(*(run_group(lines) for lines in groups.values()))
    payload = "".join(json.dumps(a, ensure_ascii=False, default=str) + "\n" for a in answers)
    return Response(payload, media_type="application/x-ndjson")


def _known_case(ref: str | None) -> str | None:
    """A case outside this file can be named by its id."""
    if ref is None:
        return None
    try:
        import uuid
        return str(uuid.UUID(ref))
    except ValueError:
        return None


def _check(line: ImportLine) -> dict[str, Any] | None:
    if not _PATH.match(line.path) or line.path.startswith("/cases/{case}/") and line.case is None:
        return _line_error("import.path", "Đường dẫn lệnh không hợp lệ (chỉ /cases/judgments, /cases/requests "
                                          "hoặc /cases/{case}/<lệnh> kèm trường case).", f"path {line.path!r}")
    if line.path in OPENING and line.bind is None:
        return _line_error("import.bind", "Dòng mở việc phải có trường bind (tên việc trong tệp nhập).",
                           "an opening line needs `bind`")
    if "occurred_at" not in line.body:
        return _line_error("import.occurred_at", "Dữ liệu lịch sử phải ghi thời điểm nghiệp vụ (occurred_at).",
                           "every imported line carries its business time occurred_at")
    return None
