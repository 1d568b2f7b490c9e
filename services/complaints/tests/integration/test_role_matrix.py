"""Role × endpoint matrix of the complaints API (real process): which token roles each route admits.
Every role the kit knows (thads_kit.auth.ROLES, so a role added later is expected to be refused) is
tried on every route; an admitted role is never answered 401/403 for its role (an empty body gets 422,
an unknown id 404), a refused one gets 403 auth.role; no token is 401."""
from __future__ import annotations

import uuid

import httpx
import pytest

from thads_infra.testing import service_process
from thads_infra.tokens import issue_token
from thads_kit.auth import ROLES

pytestmark = pytest.mark.integration
FILERS = {"officer", "head", "clerk"}
HEAD = {"head"}
READERS = {"officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin"}
D_READERS = {"head", "clerk", "procuracy", "auditor", "admin"}
X = str(uuid.uuid4())
ROUTES: dict[tuple[str, str], set[str]] = {
    ("POST", "/complaints"): FILERS,
    ("POST", f"/complaints/{X}/acceptance"): HEAD,
    ("POST", f"/complaints/{X}/refusal"): HEAD,
    ("POST", f"/complaints/{X}/decision"): HEAD,
    ("POST", f"/complaints/{X}/second-complaint"): FILERS,
    ("POST", f"/complaints/{X}/withdrawal"): FILERS,
    ("GET", f"/complaints/{X}"): READERS,
    ("GET", "/complaints"): READERS,
    ("GET", "/overdue"): READERS,
    ("GET", f"/decisions/{X}"): READERS,
    ("POST", "/denunciations"): {"clerk", "head"},
    ("POST", f"/denunciations/{X}/acceptance"): HEAD,
    ("POST", f"/denunciations/{X}/extension"): HEAD,
    ("POST", f"/denunciations/{X}/conclusion"): HEAD,
    ("GET", f"/denunciations/{X}"): D_READERS,
    ("GET", "/denunciations"): D_READERS,
    ("GET", f"/denunciations/{X}/denouncers"): READERS,   # then only head and auditor (denouncer test)
    ("POST", f"/denunciations/{X}/personal-data-erasures"): HEAD,
    ("POST", "/reception/sessions"): HEAD,
    ("POST", f"/reception/sessions/{X}/visits"): {"head", "clerk"},
    ("GET", "/reception/sessions"): READERS,
    ("GET", "/reception/schedule-compliance?year=2026&month=11"): READERS,
    ("POST", "/import"): HEAD,        # bulk import (thads_kit.bulk_import); `{}` is one line answered inside a 200
}


def auth(role: str) -> dict[str, str]:
    sub = "001090012345" if role == "citizen" else "cb-01"     # a citizen's subject is an id number
    return {"Authorization": f"Bearer {issue_token(role, 'TH', sub=sub, bank='VCB' if role == 'bank' else None)}"}


@pytest.fixture(scope="module")
def complaints(tmp_path_factory):
    svc = service_process("complaints", tmp_path_factory.mktemp("complaints")).start()
    yield svc
    svc.stop()


async def test_every_route_admits_exactly_its_roles(complaints):
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        seen = {}
        for role in ROLES:
            for (method, path) in ROUTES:
                r = await (c.post(path, json={}, headers=auth(role)) if method == "POST"
                           else c.get(path, headers=auth(role)))
                seen[(role, method, path)] = (r.status_code, r.json().get("rule") if r.status_code >= 400 else None)
        no_token = [(await c.get("/complaints")).status_code, (await c.post("/complaints", json={})).status_code]
    for (role, method, path), (status, rule) in seen.items():
        if role in ROUTES[(method, path)]:
            assert status not in (401, 403) or rule != "auth.role", (role, method, path, status, rule)
            assert status in (200, 404, 422), (role, method, path, status, rule)
        else:
            assert (status, rule) == (403, "auth.role"), (role, method, path, status, rule)
    assert no_token == [401, 401]
