"""Role × endpoint matrix of the auctions API (real process): which token roles each route admits.
Commands: officer and head (403 for every other role, 401 without a token); the rounds (announce,
bidders, bids, close) also the auction organisation the asset is contracted to; reads: the office's
staff, the procuracy, auditors, admin and the contracted organisation; a bank is admitted to an
asset's reads by role but refused by scope unless it is a party of the case (here it is not: see
test_case_reactions.py), and has no office-wide list; the public notices and the digest check need no
token. An admitted role is never answered 401/403 on its own office's (or own contract's) asset."""
from __future__ import annotations

import uuid

import httpx
import pytest

from thads_infra.testing import service_process
from thads_infra.tokens import issue_token
from thads_kit.auth import ROLES     # every role the platform knows, "organisation" included

pytestmark = pytest.mark.integration
COMMANDS = ("valuation", "revaluation", "auctions", "bidders", "bids", "close", "payment", "unpaid-cancellation",
            "price-cuts", "creditor-takes", "deposit-refunds", "redemption", "return-to-debtor",
            "organisation-contract", "sale-without-auction", "handover", "creditor-acceptance", "co-owner-sale")
ROUNDS = ("auctions", "bidders", "bids", "close")
CAN_COMMAND = {"officer", "head"}
CAN_RUN_ROUNDS = {"officer", "head", "organisation"}
CAN_READ = {"officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin", "organisation"}
SCOPE_REFUSED = {("bank", "GET /assets/{aid}"): "read_scope.bank_own_case",
                 ("bank", "GET /assets/{aid}/bids"): "read_scope.bank_own_case"}
ORG = "DGTS-TH-01"


def auth(role: str) -> dict[str, str]:
    sub, unit = (ORG, ORG) if role == "organisation" else ("001090012345", "TH-01") if role == "citizen" \
        else ("cv-07", "TH-01")
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub, bank='VCB' if role == 'bank' else None)}"}


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
        for path, body in (("valuation", {"method": "agreed", "price_vnd": 100_000_000, "valued_on": "2026-03-02"}),
                           ("organisation-contract", {"organisation": "Công ty đấu giá", "organisation_id": ORG,
                                                      "contracted_on": "2026-03-03", "parties_agreed_on": "2026-03-03"})):
            assert (await c.post(f"/assets/{aid}/{path}", json=body, headers=auth("officer"))).status_code == 200
        seen: dict[tuple[str, str], int] = {}
        rules: dict[tuple[str, str], str] = {}
        for role in ROLES:
            for path in COMMANDS:
                # an empty body: an admitted role gets 422 (validation), a refused one 403 first
                seen[(role, f"POST {path}")] = (await c.post(f"/assets/{aid}/{path}", json={},
                                                             headers=auth(role))).status_code
            seen[(role, "POST /assets")] = (await c.post("/assets", json={}, headers=auth(role))).status_code
            # the bulk import (thads_kit.bulk_import): a head only; `{}` is one line answered 400 inside a 200
            seen[(role, "POST /import")] = (await c.post("/import", json={}, headers=auth(role))).status_code
            for path in (f"/assets/{aid}", f"/assets/{aid}/bids", "/assets", "/overdue"):
                r = await c.get(path, headers=auth(role))
                route = f"GET {path.replace(aid, '{aid}')}"
                seen[(role, route)] = r.status_code
                if r.status_code == 403:
                    rules[(role, route)] = r.json()["rule"]
        anonymous = {p: (await c.get(p)).status_code for p in ("/public/auction-notices",)}
        anonymous["digest"] = (await c.post("/auctions/bid-log/digest", json={
            "asset_id": aid, "round_number": 1, "bids": []})).status_code
        no_token = (await c.post(f"/assets/{aid}/close", json={"closed_on": "2026-03-20"})).status_code
        no_token_read = (await c.get(f"/assets/{aid}")).status_code

    for (role, route), status in seen.items():
        if route.startswith("POST"):
            allowed = CAN_RUN_ROUNDS if route.removeprefix("POST ") in ROUNDS else CAN_COMMAND
            allowed = {"head"} if route == "POST /import" else allowed
        else:
            allowed = CAN_READ
        if (role, route) in SCOPE_REFUSED:
            assert status == 403 and rules[(role, route)] == SCOPE_REFUSED[(role, route)], (role, route, status)
        elif role in allowed:
            assert status not in (401, 403), (role, route, status)
        else:
            assert status == 403, (role, route, status)
    assert {r for (r, _) in seen} == set(ROLES) and "organisation" in ROLES
    assert anonymous == {"/public/auction-notices": 200, "digest": 200}
    assert (no_token, no_token_read) == (401, 401)
