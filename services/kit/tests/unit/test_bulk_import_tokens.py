"""The bulk import's per-line tokens (thads_kit.bulk_import, the dispatch): minted once per role and
actor of an import (not once per line) and still each line's own: the route sees every line's actor
and role, and a line's token is re-minted once it is TOKEN_REUSE_SECONDS old."""
from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from pydantic import SecretStr

from thads_kit import bulk_import as bi
from thads_kit.auth import Principal, issue_token, require
from thads_kit.http import create_app

SECRET = "test-secret-of-at-least-thirty-two-bytes"
CONFIG = bi.ImportConfig(service="toy", opening={"/things": "thing_id"}, ref="thing",
                         path=r"/things(/\{thing\}/[a-z][a-z\-]{0,30})?", path_hint_vi="Đường dẫn không hợp lệ.",
                         roles=("clerk", "head"))


class Settings:
    jwt_secret = SecretStr(SECRET)


def line(n: int, role: str, actor: str) -> str:
    return json.dumps({"command_id": f"c/{n}", "path": "/things", "role": role, "actor": actor, "bind": f"t{n}",
                       "body": {"occurred_at": "2018-01-02T09:00:00+07:00"}})


async def _ok() -> dict[str, Any]:
    return {"status": "ok"}


def run(lines: list[str], monkeypatch: pytest.MonkeyPatch, clock: list[float]) -> tuple[list[Any], list[Any], list[Any]]:
    seen: list[tuple[str, str, str]] = []
    minted: list[tuple[str, str]] = []
    app = create_app(title="t", version="t", lifespan=None, jwt_secret=SECRET, health=_ok, error_status={})
    app.state.settings = Settings()

    @app.post("/things", status_code=201)
    async def open_thing(p: Principal = Depends(require("clerk", "head"))) -> Any:
        seen.append((p.role, p.sub, p.unit))
        clock[0] += 100.0     # each line takes 100 s of the import's time
        return {"thing_id": None}

    def counting(secret: str, **kw: Any) -> str:
        minted.append((kw["role"], kw["sub"]))
        return issue_token(secret, **kw)

    monkeypatch.setattr(bi, "issue_token", counting)
    monkeypatch.setattr(bi.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(bi, "CONCURRENT_CASES", 1)      # lines one after the other
    app.include_router(bi.router(CONFIG))
    with TestClient(app) as client:
        token = issue_token(SECRET, role="head", unit="TH-A", sub="importer")
        r = client.post("/import", content="\n".join(lines).encode(),
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200
    return [json.loads(x)["status"] for x in r.text.splitlines()], seen, minted


def test_a_token_per_role_and_actor_not_per_line_and_each_line_acts_as_its_own_actor(monkeypatch):
    who = [("clerk", "tk-a"), ("clerk", "tk-b"), ("head", "tk-a"), ("clerk", "tk-a"), ("clerk", "tk-b"),
           ("head", "tk-a")]
    statuses, seen, minted = run([line(n, r, a) for n, (r, a) in enumerate(who)], monkeypatch, [0.0])
    assert statuses == [201] * 6
    assert seen == [(r, a, "TH-A") for r, a in who]
    assert minted == who[:3], "one token each for (clerk, tk-a), (clerk, tk-b), (head, tk-a)"


def test_a_token_is_minted_again_once_it_is_old(monkeypatch):
    n = int(bi.TOKEN_REUSE_SECONDS // 100) + 3          # the same actor past the reuse period
    statuses, seen, minted = run([line(i, "clerk", "tk-a") for i in range(n)], monkeypatch, [0.0])
    assert statuses == [201] * n and len(seen) == n
    assert len(minted) == 2
