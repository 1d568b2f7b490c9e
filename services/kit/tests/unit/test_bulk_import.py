"""The kit's bulk import (thads_kit.bulk_import): a line's validation (shape, path, reference, binding,
business time), and the dispatch over a toy app: answers in input order, `bind` → the opened item's
id, an existing item named by UUID, 424 after a failed line of the same item only, the importer's
office on every line's token, who may import. The services' own imports run on the real broker and
database in their integration tests."""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi import Depends, Request
from fastapi.testclient import TestClient
from pydantic import SecretStr

from thads_kit import bulk_import as bi
from thads_kit.auth import Principal, issue_token, require
from thads_kit.http import create_app

SECRET = "test-secret-of-at-least-thirty-two-bytes"
CONFIG = bi.ImportConfig(service="toy", opening={"/things": "thing_id"}, ref="thing",
                         path=r"/things(/\{thing\}/[a-z][a-z\-]{0,30})?", path_hint_vi="Đường dẫn không hợp lệ.",
                         roles=("clerk", "head"))
MODEL = bi.line_model(CONFIG)


def line(**kw: Any) -> str:
    base = {"command_id": "c/1", "path": "/things", "role": "clerk", "actor": "tk", "bind": "a",
            "body": {"occurred_at": "2018-01-02T09:00:00+07:00"}}
    return json.dumps({k: v for k, v in (base | kw).items() if v is not ...})


@pytest.mark.parametrize("text,status,rule", [
    ("{not json", 400, "import.line_shape"),
    (line(command_id=...), 400, "import.line_shape"),                 # no command id
    (line(role="admin"), 400, "import.line_shape"),                   # a role lines may not act as
    (line(extra=1), 400, "import.line_shape"),                        # an unknown field
    (line(body=[1]), 400, "import.line_shape"),                       # body not an object
    (line(command_id="a b"), 400, "import.line_shape"),               # not visible ASCII
    (line(path="/other"), 422, "import.path"),                        # a path outside the service's list
    (line(path="/things/{thing}/x", bind=...), 422, "import.path"),   # a placeholder without a reference
    (line(path="/things/{thing}/x\n", thing="a", bind=...), 422, "import.path"),
    (line(bind=...), 422, "import.bind"),                             # an opening line names its item
    (line(body={}), 422, "import.occurred_at"),                       # business time required
    (line(), 200, None),
    (line(path="/things/{thing}/rename", thing="a", bind=...), 200, None),
])
def test_line_validation(text: str, status: int, rule: str | None) -> None:
    parsed, got, problem = bi.parse_line(CONFIG, MODEL, text)
    assert got == status
    assert (problem or {}).get("rule") == rule
    if problem is not None:
        assert problem["message"] and problem["detail"]      # Vietnamese message, English detail


def test_config_names() -> None:
    assert CONFIG.placeholder == "{thing}" and CONFIG.answer_id == "thing_id"
    assert bi.ImportConfig(service="r", opening={}, ref="file", path="x", path_hint_vi="x",
                           roles=("head",)).answer_id == "file_id"
    assert "thing" in MODEL.model_fields and "case" not in MODEL.model_fields


async def _ok() -> dict[str, Any]:
    return {"status": "ok"}


class Settings:
    jwt_secret = SecretStr(SECRET)


def toy_app() -> tuple[Any, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    app = create_app(title="t", version="t", lifespan=None, jwt_secret=SECRET, health=_ok, error_status={})
    app.state.settings = Settings()

    @app.post("/things", status_code=201)
    async def open_thing(request: Request, p: Principal = Depends(require("clerk", "head"))) -> Any:
        body = await request.json()
        seen.append({"path": "/things", "unit": p.unit, "sub": p.sub, "key": request.headers["Idempotency-Key"]})
        return {"thing_id": str(uuid.uuid5(uuid.NAMESPACE_URL, request.headers["Idempotency-Key"])), "body": body}

    @app.post("/things/{thing_id}/{command}")
    async def act(thing_id: uuid.UUID, command: str, p: Principal = Depends(require("head"))) -> Any:
        seen.append({"path": f"/things/{thing_id}/{command}", "unit": p.unit, "sub": p.sub})
        if command == "refuse":
            from thads_kit.errors import ApiError
            raise ApiError(409, error="Refused", rule="toy.refused", message_vi="Từ chối.")
        return {"thing_id": str(thing_id), "done": command}

    app.include_router(bi.router(CONFIG))
    return app, seen


def post(client: TestClient, lines: list[str], role: str = "head", unit: str = "TH-A") -> Any:
    token = issue_token(SECRET, role=role, unit=unit, sub="importer")
    return client.post("/import", content="\n".join(lines).encode(),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})


def test_dispatch_order_binding_and_424() -> None:
    app, seen = toy_app()
    existing = str(uuid.uuid4())
    lines = [
        line(command_id="a/1"),
        line(command_id="b/1", bind="b"),
        line(command_id="a/2", path="/things/{thing}/rename", role="head", bind=..., thing="a"),
        line(command_id="b/2", path="/things/{thing}/refuse", role="head", bind=..., thing="b"),
        "",
        line(command_id="b/3", path="/things/{thing}/rename", role="head", bind=..., thing="b"),
        line(command_id="c/1", path="/things/{thing}/rename", role="head", bind=..., thing="nowhere"),
        line(command_id="e/1", path="/things/{thing}/rename", role="head", bind=..., thing=existing),
        line(command_id="a/3", path="/things/{thing}/rename", role="clerk", bind=..., thing="a"),   # route refuses
    ]
    with TestClient(app) as client:
        r = post(client, lines)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    answers = [json.loads(x) for x in r.text.splitlines()]
    assert [a["line"] for a in answers] == list(range(1, 10))
    assert [a["status"] for a in answers] == [201, 201, 200, 409, 204, 424, 422, 200, 403]
    a_id = answers[0]["thing_id"]
    assert answers[2]["thing_id"] == a_id and answers[2]["body"]["thing_id"] == a_id   # `a` bound by line 1
    assert answers[3]["body"]["rule"] == "toy.refused"
    assert answers[5]["body"]["rule"] == "import.earlier_line_failed" and "thing_id" not in answers[5]
    assert answers[6]["body"]["rule"] == "import.unknown_case_ref"
    assert answers[7]["thing_id"] == existing                                           # an existing item by UUID
    # the refused line of b stopped b only; every line's token is of the importer's office
    assert f"/things/{answers[1]['thing_id']}/rename" not in [s["path"] for s in seen]
    assert {s["unit"] for s in seen} == {"TH-A"}
    assert {s["key"] for s in seen if "key" in s} == {"a/1", "b/1"}                    # command id = Idempotency-Key


def test_who_may_import() -> None:
    app, seen = toy_app()
    with TestClient(app) as client:
        assert post(client, [line()], role="clerk").status_code == 403
        assert client.post("/import", content=line().encode()).status_code == 401
    assert seen == []


def test_too_many_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bi, "MAX_LINES", 2)
    app, seen = toy_app()
    with TestClient(app) as client:
        r = post(client, [line(command_id=f"x/{i}", bind=f"x{i}") for i in range(3)])
    assert r.status_code == 413 and r.json()["rule"] == "import.max_lines" and seen == []


def test_a_line_refused_before_dispatch_stops_the_later_lines_of_its_item_only() -> None:
    app, seen = toy_app()
    lines = [
        line(command_id="a/1"),
        line(command_id="a/2", path="/things/{thing}/rename", role="head", bind=..., thing="a", body={}),  # no time
        line(command_id="a/3", path="/things/{thing}/rename", role="head", bind=..., thing="a"),
        line(command_id="b/1", bind="b", path="/nowhere"),                                                  # bad path
        line(command_id="b/2", path="/things/{thing}/rename", role="head", bind=..., thing="b"),
        line(command_id="c/1", bind="c"),
    ]
    with TestClient(app) as client:
        answers = [json.loads(x) for x in post(client, lines).text.splitlines()]
    assert [a["status"] for a in answers] == [201, 422, 424, 422, 424, 201]
    assert [answers[i]["body"]["rule"] for i in (1, 2, 3, 4)] == [
        "import.occurred_at", "import.earlier_line_failed", "import.path", "import.earlier_line_failed"]
    assert [s["path"] for s in seen] == ["/things", "/things"]       # a/1 and c/1 only
