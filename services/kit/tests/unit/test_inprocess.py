"""thads_kit.inprocess: a service's call of its own route sees the same request and gives the same
answer as httpx's ASGI client (the bulk import's command fingerprints hash the body bytes)."""
from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from httpx._content import encode_json as httpx_encode_json

from thads_kit.inprocess import encode_json, post_json

BODY = {"decision_no": "12/QĐ-CCTHADS", "amount": 1_500_000, "note": "Bỉm Sơn \"trích\" – ½", "items": [1, 2.5, None]}


def make_app() -> FastAPI:
    app = FastAPI()

    @app.post("/cases/{case_id}/echo")
    async def echo(case_id: str, request: Request, authorization: str = Header(),
                   idempotency_key: str = Header(alias="Idempotency-Key")) -> Any:
        raw = await request.body()
        return JSONResponse({"case_id": case_id, "sha256": hashlib.sha256(raw).hexdigest(),
                             "auth": authorization, "key": idempotency_key,
                             "content_type": request.headers["content-type"], "client": request.client.host,
                             "url": str(request.url), "body": await request.json()}, status_code=201)

    @app.post("/boom")
    async def boom() -> None:
        raise RuntimeError("the route failed")

    return app


def test_the_body_is_encoded_byte_for_byte_as_httpx_encodes_json() -> None:
    _headers, stream = httpx_encode_json(BODY)
    assert encode_json(BODY) == b"".join(stream)


async def test_the_route_sees_the_same_request_and_answers_the_same_as_through_httpx() -> None:
    app = make_app()
    headers = {"Authorization": "Bearer t0k", "Idempotency-Key": "TH-BIMSON/2018/00017/03"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake.import") as client:
        via_httpx = await client.post("/cases/abc/echo", json=BODY, headers=headers)
    ours = await post_json(app, "/cases/abc/echo", BODY, headers, host="intake.import")
    assert ours.status_code == via_httpx.status_code == 201
    assert ours.json() == via_httpx.json()
    assert ours.json()["body"] == BODY and ours.json()["key"] == "TH-BIMSON/2018/00017/03"


async def test_an_exception_of_the_app_is_raised_to_the_caller_as_httpx_does() -> None:
    with pytest.raises(RuntimeError, match="the route failed"):
        await post_json(make_app(), "/boom", {}, {})
