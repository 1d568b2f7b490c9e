"""The kit's front door (thads_kit.http, auth): correlation ids, JSON logs, cached token checks and
health, and the docs assets served from the installed package (no CDN)."""
from __future__ import annotations

import io
import json
import logging
import re
import uuid
from typing import Any

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from pydantic import Field

from thads_kit import auth, logs
from thads_kit.auth import Principal, TokenError, issue_token, require, verify_token
from thads_kit.bodies import RequestBody
from thads_kit.http import CachedHealth, create_app

SECRET = "test-secret-of-at-least-thirty-two-bytes"
log = logging.getLogger("thads.test.front")


class Missing(Exception):
    pass


def make_app(health: Any = None):
    async def ok() -> dict[str, Any]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=SECRET, health=health or ok,
                     error_status={Missing: 404})

    @app.get("/heads-only")
    async def heads_only(p: Principal = Depends(require("head"))) -> dict[str, str]:
        log.info("head read", extra={"unit": p.unit})
        return {"unit": p.unit}

    @app.get("/missing")
    async def missing() -> None:
        raise Missing("nothing here")

    return app


def bearer(role: str = "head", **kw: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, role=role, unit='TH', **kw)}"}


def test_the_callers_correlation_id_comes_back_and_a_new_one_is_made_otherwise():
    client = TestClient(make_app())

    given = client.get("/heads-only", headers={**bearer(), "X-Correlation-Id": "req-42"})
    made = client.get("/heads-only", headers=bearer())
    other = client.get("/heads-only", headers=bearer())

    assert given.headers["x-correlation-id"] == "req-42"
    assert uuid.UUID(made.headers["x-correlation-id"]).version == 4
    assert made.headers["x-correlation-id"] != other.headers["x-correlation-id"]


def test_error_answers_carry_the_correlation_id_too():
    client = TestClient(make_app())

    for r in (client.get("/missing", headers={"X-Correlation-Id": "e-1"}),
              client.get("/heads-only", headers={"X-Correlation-Id": "e-1"}),            # 401
              client.get("/heads-only", headers={**bearer("clerk"), "X-Correlation-Id": "e-1"})):  # 403
        assert r.status_code in (401, 403, 404)
        assert r.headers["x-correlation-id"] == "e-1"


def test_an_oversized_correlation_id_is_replaced_not_echoed():
    r = TestClient(make_app()).get("/health", headers={"X-Correlation-Id": "x" * 200})

    assert uuid.UUID(r.headers["x-correlation-id"])


def test_logs_are_json_lines_with_the_requests_correlation_id():
    out = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.configure("front-test")
    root.handlers[0].setStream(out)
    try:
        TestClient(make_app()).get("/heads-only", headers={**bearer(), "X-Correlation-Id": "log-7"})
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    mine = [line for line in lines if line["message"] == "head read"]
    assert mine and mine[0]["correlation_id"] == "log-7" and mine[0]["service"] == "front-test"
    assert mine[0]["level"] == "INFO" and mine[0]["unit"] == "TH"


def test_bad_tokens_stay_401_and_wrong_roles_403_when_good_tokens_are_remembered():
    client = TestClient(make_app())
    good = bearer()
    assert client.get("/heads-only", headers=good).status_code == 200
    assert client.get("/heads-only", headers=good).status_code == 200      # from the cache

    forged = {"Authorization": f"Bearer {issue_token('another-secret-of-32-bytes-or-more!', role='head', unit='TH')}"}
    clerk = bearer("clerk")
    for _ in range(2):
        assert client.get("/heads-only", headers=forged).status_code == 401
        assert client.get("/heads-only", headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401
        assert client.get("/heads-only", headers=clerk).status_code == 403
    assert client.get("/heads-only").status_code == 401


def test_a_remembered_token_is_refused_once_it_expires():
    import time

    token = issue_token(SECRET, role="head", unit="TH", hours=1, now=time.time() - 3600 + 3)  # 2-3 s left
    assert verify_token(SECRET, token).role == "head"

    time.sleep(3.5)
    with pytest.raises(TokenError, match="expired"):
        verify_token(SECRET, token)


def test_a_token_is_remembered_for_one_secret_only():
    token = issue_token(SECRET, role="head", unit="TH")
    assert verify_token(SECRET, token).unit == "TH"

    with pytest.raises(TokenError):
        verify_token("a-different-secret-of-thirty-two-bytes", token)


async def test_health_runs_the_real_check_at_most_once_per_ttl_even_under_concurrent_callers():
    import asyncio

    calls = 0

    async def check() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return {"status": "ok"}

    health = CachedHealth(check, ttl=3600)
    answers = await asyncio.gather(*(health() for _ in range(20)))
    answers += [await health() for _ in range(20)]

    assert calls == 1
    assert all(a["status"] == "ok" and "checked_s_ago" in a for a in answers)


async def test_a_degraded_or_failing_check_is_tried_again_after_its_shorter_ttl():
    results = iter([{"status": "degraded"}, {"status": "ok"}])

    async def check() -> dict[str, Any]:
        return next(results)

    health = CachedHealth(check, ttl=3600, ttl_degraded=0.0)
    assert (await health())["status"] == "degraded"
    assert (await health())["status"] == "ok"


def test_the_health_endpoint_answers_503_when_degraded():
    async def degraded() -> dict[str, Any]:
        return {"status": "degraded", "checks": {"kafka": "error: down"}}

    r = TestClient(make_app(degraded)).get("/health")

    assert r.status_code == 503 and r.json()["checks"]["kafka"] == "error: down"


def test_docs_pages_load_their_assets_from_this_service_not_a_cdn():
    client = TestClient(make_app())

    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), html   # no absolute URL at all
        assets = re.findall(r"(?:src|href)=[\"']?(/[^\"' >]+)", html)
        assert assets, html
        for asset in assets:
            r = client.get(asset)
            assert r.status_code == 200 and len(r.content) > 1000, asset


def test_faststreams_own_logger_writes_json_too():
    import faststream  # noqa: F401 - creates its "faststream" logger with a coloured text handler

    out = io.StringIO()
    root, fs = logging.getLogger(), logging.getLogger("faststream")
    saved = root.handlers[:], root.level, fs.handlers[:], fs.propagate
    logs.configure("front-test")
    root.handlers[0].setStream(out)
    try:
        logging.getLogger("faststream.kafka").info("partitions assigned")
    finally:
        root.handlers[:], _, fs.handlers[:], fs.propagate = saved
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["partitions assigned"]
    assert lines[0]["logger"] == "faststream.kafka" and lines[0]["service"] == "front-test"


def fast_app() -> tuple[Any, list[str]]:
    """A route and its fast-lane happy path that answers differently, so a test can tell which answered."""
    app = make_app()
    calls: list[str] = []

    @app.get("/things/{n}")
    async def thing(n: int, p: Principal = Depends(require("head", "clerk"))) -> dict[str, Any]:
        calls.append("route")
        return {"n": n, "by": "route"}

    async def fast(principal: Principal, match: Any) -> bytes | None:
        calls.append("lane")
        n = int(match.group(1))
        return None if n == 0 else json.dumps({"n": n, "by": "lane", "unit": principal.unit}).encode()

    app.state.fast_lane.get(r"/things/([0-9]+)", ("head", "clerk"), fast)
    return app, calls


def test_the_fast_lane_answers_only_the_happy_path_and_everything_else_reaches_the_route():
    app, calls = fast_app()
    client = TestClient(app)

    r = client.get("/things/7", headers={**bearer(), "X-Correlation-Id": "fast-1"})
    assert r.status_code == 200 and r.json() == {"n": 7, "by": "lane", "unit": "TH"}
    assert r.headers["content-type"] == "application/json" and r.headers["x-correlation-id"] == "fast-1"
    assert calls == ["lane"]

    # the handler has no answer: the route answers
    calls.clear()
    assert client.get("/things/0", headers=bearer()).json() == {"n": 0, "by": "route"}
    assert calls == ["lane", "route"]

    # no token, a bad token, a role of another route: the route's own 401/403 error bodies
    calls.clear()
    assert client.get("/things/7").status_code == 401
    bad = client.get("/things/7", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json()["rule"] == "auth.bearer_token"
    refused = client.get("/things/7", headers=bearer("officer"))
    assert refused.status_code == 403 and refused.json()["rule"] == "auth.role"
    # a query string or an Idempotency-Key (whose checks are the route's) go to the route as well
    assert client.get("/things/7?x=1", headers=bearer()).json()["by"] == "route"
    assert client.get("/things/7", headers={**bearer(), "Idempotency-Key": "k-1"}).json()["by"] == "route"
    assert client.get("/things/7", headers={**bearer(), "Idempotency-Key": "bad key \x7f"}).status_code == 422
    # a path the pattern does not match entirely is not the lane's
    assert client.get("/things/7x", headers=bearer()).status_code == 422
    assert calls.count("lane") == 0


class ThingIn(RequestBody):
    name: str = Field(min_length=1, max_length=10)


def fast_command_app() -> tuple[Any, list[tuple[str, str, str]]]:
    """A command route and its fast-lane registration sharing one action, which records who ran it
    and under which command id and fingerprint; its result says who answered."""
    from datetime import date

    from thads_kit import commands

    app = make_app()
    runs: list[tuple[str, str, str]] = []

    async def act(by: str, principal: Principal, body: ThingIn) -> dict[str, Any]:
        ctx = commands.current.get()
        assert ctx is not None
        runs.append((by, ctx.key, ctx.fingerprint))
        if body.name == "missing":
            raise Missing("no such thing")
        if body.name == "boom":
            raise RuntimeError("a bug")
        return {"id": uuid.UUID(int=7), "on": date(2026, 12, 1), "name": body.name, "unit": principal.unit, "by": by}

    @app.post("/things", status_code=201)
    async def make(body: ThingIn, p: Principal = Depends(require("head", "clerk"))) -> Any:
        return await act("route", p, body)

    app.state.fast_lane.post("/things", ("head", "clerk"), ThingIn, lambda p, _m, body: act("lane", p, body))
    return app, runs


def test_the_fast_lane_runs_a_command_as_its_route_would_and_leaves_every_other_request_to_the_route():
    app, runs = fast_command_app()
    client = TestClient(app, raise_server_exceptions=False)
    body = {"name": "x"}

    r = client.post("/things", json=body, headers={**bearer(), "X-Correlation-Id": "cmd-1"})
    assert r.status_code == 201 and r.headers["x-correlation-id"] == "cmd-1"
    assert r.json() == {"id": str(uuid.UUID(int=7)), "on": "2026-12-01", "name": "x", "unit": "TH", "by": "lane"}
    # the route (reached here through a query string) fingerprints the same request alike, with a
    # generated command id of its own
    routed = client.post("/things?via=route", json=body, headers=bearer())
    assert routed.status_code == 201 and routed.json() | {"by": "lane"} == r.json()
    assert r.headers["content-type"] == routed.headers["content-type"] == "application/json"
    (lane_by, lane_key, lane_fp), (route_by, route_key, route_fp) = runs
    assert (lane_by, route_by) == ("lane", "route") and lane_fp == route_fp
    assert lane_key.startswith("gen:") and route_key.startswith("gen:") and lane_key != route_key

    # a refusal is the route's error body, with the route's status
    runs.clear()
    lane_refusal = client.post("/things", json={"name": "missing"}, headers=bearer())
    route_refusal = client.post("/things?via=route", json={"name": "missing"}, headers=bearer())
    assert lane_refusal.status_code == route_refusal.status_code == 404
    assert lane_refusal.json() == route_refusal.json() and [by for by, *_ in runs] == ["lane", "route"]
    # a bug is the route's 500 body
    assert client.post("/things", json={"name": "boom"}, headers=bearer()).json() == \
        client.post("/things?via=route", json={"name": "boom"}, headers=bearer()).json()

    # everything else reaches the route, with its body: a body that does not validate, bad JSON,
    # another content type, no or a bad token, a role of another route, an Idempotency-Key
    runs.clear()
    too_long = client.post("/things", json={"name": "x" * 11}, headers=bearer())
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "name"
    unknown = client.post("/things", json={"name": "x", "extra": 1}, headers=bearer())
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "extra"
    bad_json = client.post("/things", content=b"{not json", headers={**bearer(), "Content-Type": "application/json"})
    assert bad_json.status_code == 422 and bad_json.json()["errors"][0]["type"] == "json_invalid"
    assert client.post("/things", content=b'{"name": "x"}', headers={**bearer(), "Content-Type": "text/plain"}
                       ).status_code == 422
    assert client.post("/things", json=body).status_code == 401
    assert client.post("/things", json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/things", json=body, headers=bearer("officer")).json()["rule"] == "auth.role"
    assert runs == []
    keyed = client.post("/things", json=body, headers={**bearer(), "Idempotency-Key": "k-1"})
    assert keyed.status_code == 201 and keyed.json()["by"] == "route" and keyed.headers["Idempotency-Key"] == "k-1"
    assert [by for by, *_ in runs] == ["route"] and runs[0][1].startswith("key:")
    charset = client.post("/things", content=b'{"name": "y"}',
                          headers={**bearer(), "Content-Type": "application/json; charset=utf-8"})
    assert charset.status_code == 201 and charset.json()["by"] == "lane"
