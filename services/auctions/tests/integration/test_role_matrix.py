"""Role × endpoint matrix of the auctions API (real process): which token roles each route admits.
Commands: officer and head only (403 for every other role, 401 without a token); reads: the office's
staff, the procuracy, auditors and admin (a bank has no office-wide read); the public notices and the
digest check need no token. An admitted role is never answered 401/403 on its own office's asset."""
from __future__ import annotations

import uuid

import httpx
import pytest

from thads_infra.testing import service_process
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
ROLES = ("officer", "head", "clerk", "accountant", "procuracy", "auditor", "bank", "admin", "citizen")
COMMANDS = ("valuation", "revaluation", "auctions", "bidders", "bids", "close", "payment", "unpaid-cancellation",
            "price-cuts", "creditor-takes", "deposit-refunds", "redemption", "return-to-debtor",
            "organisation-contract", "sale-without-auction", "handover")
CAN_COMMAND = {"officer", "head"}
CAN_READ = {"officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin"}


def auth(role: str) -> dict[str, str]:
    sub = "001090012345" if role == "citizen" else "cv-07"
    return {"Authorization": f"Bearer {issue_token(role, 'TH-01', sub=sub, bank='VCB' if role == 'bank' else None)}"}


@pytest.fixture(scope="module")
def auctions(tmp_path_factory):
    svc = service_process("auctions", tmp_path_factory.mktemp("auctions")).start()
    yield svc
    svc.stop()


async def test_every_route_admits_exactly_its_roles(auctions):
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as c:
        r = await c.post("/assets", json={"case_id": str(uuid.uuid4()), "kind": "movable", "description": "Xe máy",
                                          "claim_item_ids": [str(uuid.uuid4())], "decision_number": "1/QĐ",
                                          "seized_on": "2026-03-02"}, headers=auth("officer"))
        assert r.status_code == 200, r.text
        aid = r.json()["asset_id"]
        seen: dict[tuple[str, str], int] = {}
        for role in ROLES:
            for path in COMMANDS:
                # an empty body: an admitted role gets 422 (validation), a refused one 403 first
                seen[(role, f"POST {path}")] = (await c.post(f"/assets/{aid}/{path}", json={},
                                                             headers=auth(role))).status_code
            seen[(role, "POST /assets")] = (await c.post("/assets", json={}, headers=auth(role))).status_code
            for path in (f"/assets/{aid}", f"/assets/{aid}/bids", "/assets", "/overdue"):
                seen[(role, f"GET {path}")] = (await c.get(path, headers=auth(role))).status_code
        anonymous = {p: (await c.get(p)).status_code for p in ("/public/auction-notices",)}
        anonymous["digest"] = (await c.post("/auctions/bid-log/digest", json={
            "asset_id": aid, "round_number": 1, "bids": []})).status_code
        no_token = (await c.post(f"/assets/{aid}/close", json={"closed_on": "2026-03-20"})).status_code
        no_token_read = (await c.get(f"/assets/{aid}")).status_code

    for (role, route), status in seen.items():
        allowed = CAN_COMMAND if route.startswith("POST") else CAN_READ
        if role in allowed:
            assert status not in (401, 403), (role, route, status)
        else:
            assert status == 403, (role, route, status)
    assert anonymous == {"/public/auction-notices": 200, "digest": 200}
    assert (no_token, no_token_read) == (401, 401)
