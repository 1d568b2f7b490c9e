"""The kit's HTTP layer renders every error as the one error body, with a Vietnamese message, and
refuses NUL in bodies with a 422 naming the field (schema and run time agree)."""
from __future__ import annotations

import httpx
import pytest
from fastapi import Depends

from thads_kit.auth import Principal, issue_token, require
from thads_kit.bodies import NO_NUL, RequestBody
from thads_kit.errors import ErrorBody
from thads_kit.http import create_app
from thads_kit.scoping import check_case_read

SECRET = "test-secret-of-at-least-thirty-two-bytes"


class RuleError(Exception):
    rule = "a_rule"
    legal_basis = "Art. 36(1) Luật THADS 2025"
    message_vi = "Đang trong thời hạn tự nguyện thi hành án."


class BareError(Exception):
    pass


class Note(RequestBody):
    text: str
    tags: list[str] = []


@pytest.fixture
async def http():
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=SECRET, health=health,
                     error_status={RuleError: 409, BareError: 409})

    @app.post("/notes/{unit}")
    async def note(unit: str, body: Note, p: Principal = Depends(require("head"))) -> dict[str, str]:
        check_case_read(p, unit)
        if body.text == "rule":
            raise RuleError("voluntary period runs until 2026-12-11")
        if body.text == "bare":
            raise BareError("something English")
        if body.text == "bug":
            raise KeyError("x")
        return {"ok": body.text}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://t") as client:
        yield client, app


def head(unit: str = "TH-01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, role='head', unit=unit)}"}


async def test_every_error_has_the_same_body_with_a_vietnamese_message(http) -> None:
    client, _ = http
    answers = {
        "401": await client.post("/notes/TH-01", json={"text": "a"}),
        "403 role": await client.post("/notes/TH-01", json={"text": "a"},
                                      headers={"Authorization": f"Bearer {issue_token(SECRET, role='clerk', unit='TH-01')}"}),
        "403 office": await client.post("/notes/TH-02", json={"text": "a"}, headers=head()),
        "404 path": await client.get("/nowhere"),
        "409 rule": await client.post("/notes/TH-01", json={"text": "rule"}, headers=head()),
        "409 bare": await client.post("/notes/TH-01", json={"text": "bare"}, headers=head()),
        "422": await client.post("/notes/TH-01", json={"txt": 1}, headers=head()),
        "500": await client.post("/notes/TH-01", json={"text": "bug"}, headers=head()),
    }
    assert {k: r.status_code for k, r in answers.items()} == {
        "401": 401, "403 role": 403, "403 office": 403, "404 path": 404, "409 rule": 409, "409 bare": 409,
        "422": 422, "500": 500}
    for name, r in answers.items():
        body = r.json()
        ErrorBody.model_validate(body)
        assert set(body) >= {"error", "rule", "message", "legal_basis", "detail"}, name
        assert any(ch in body["message"] for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), (name, body)
    rule = answers["409 rule"].json()
    assert rule == {"error": "RuleError", "rule": "a_rule", "message": RuleError.message_vi,
                    "legal_basis": "Art. 36(1) Luật THADS 2025", "detail": "voluntary period runs until 2026-12-11"}
    bare = answers["409 bare"].json()
    assert (bare["rule"], bare["detail"]) == ("BareError", "something English")   # fallback sentence, English kept
    assert answers["403 office"].json()["rule"] == "read_scope.own_office"
    assert answers["500"].json()["detail"] is None, "no internals leak"
    invalid = answers["422"].json()
    assert {e["field"] for e in invalid["errors"]} == {"text", "txt"}
    assert all(e["message"] and e["type"] for e in invalid["errors"])
    assert "text" in invalid["message"]


async def test_a_nul_in_a_body_string_is_a_422_naming_the_field_and_the_schema_says_so(http) -> None:
    client, app = http
    r1 = await client.post("/notes/TH-01", json={"text": "a\u0000b"}, headers=head())
    r2 = await client.post("/notes/TH-01", json={"text": "a", "tags": ["ok", "\u0000"]}, headers=head())
    assert r1.status_code == 422 and [e["field"] for e in r1.json()["errors"]] == ["text"]
    assert r2.status_code == 422 and [e["field"] for e in r2.json()["errors"]] == ["tags"]
    schema = app.openapi()["components"]["schemas"]["Note"]["properties"]
    assert schema["text"]["pattern"] == NO_NUL and schema["tags"]["items"]["pattern"] == NO_NUL


async def test_the_openapi_documents_the_error_body_once(http) -> None:
    from thads_kit.errors import error_responses
    _, app = http
    app.get("/documented", responses=error_responses(401, 403, 404))(lambda: {})
    app.openapi_schema = None
    doc = app.openapi()
    assert "ErrorBody" in doc["components"]["schemas"]
    refs = {c: r["content"]["application/json"]["schema"]["$ref"]
            for c, r in doc["paths"]["/documented"]["get"]["responses"].items() if c != "200"}
    # 422 too: every route has the app-wide Idempotency-Key header; FastAPI's own schema is replaced
    assert refs == {c: "#/components/schemas/ErrorBody" for c in ("401", "403", "404", "422")}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
