"""Every audit route × every role × the case's own office / another office of the same province /
another province, held to a hand-written table. The timeline store is a hand-written fake holding one
case of TH-BIMSON (the real store and the real broker are in tests/integration/test_timeline_scoping.py);
what is tested here is the HTTP layer's gates: role (403 "forbidden") and scope (403 OutOfScopeError)."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from thads_kit.auth import ROLES, issue_token
from thads_kit.http import create_app
from thads_kit.settings import DEV_JWT_SECRET

from audit_service import api

CASE = uuid4()
OFFICES = {"own": "TH-BIMSON", "province": "TH-01", "other": "HN-02"}
ROLE, OFFICE, PASS = "ROLE", "OFFICE", "PASS"

# (role, office of the token) → expected, per route; written out by hand
TIMELINE_READERS = {"auditor", "procuracy", "head", "officer", "admin"}
TIMELINE = {
    "own": {r: PASS if r in TIMELINE_READERS else ROLE for r in ROLES},
    "province": {r: ROLE if r not in TIMELINE_READERS else PASS if r in ("auditor", "procuracy", "admin") else OFFICE
                 for r in ROLES},
    "other": {r: ROLE if r not in TIMELINE_READERS else PASS if r == "admin" else OFFICE for r in ROLES},
}
REBUILD = {office: {r: PASS if r == "admin" else ROLE for r in ROLES} for office in OFFICES}
CHAIN = {office: {r: PASS if r in ("auditor", "procuracy", "admin") else ROLE for r in ROLES} for office in OFFICES}
ROUTES = {("GET", f"/cases/{{case_id}}/timeline"): TIMELINE,
          ("GET", f"/cases/{{case_id}}/state?at=2025-08-01T00:00:00%2B07:00"): TIMELINE,
          ("POST", "/admin/projections/case_timeline/rebuild"): REBUILD,
          # the store's integrity reports name events, not their content: role only, no office scope
          ("GET", "/chain/verify"): CHAIN, ("GET", "/chain/anchors/latest"): CHAIN,
          ("GET", "/chain/anchors/verify"): CHAIN,
          # the access log is scoped inside the query (the reader's province), not refused by office
          ("GET", "/access"): CHAIN}


AT = datetime(2025, 7, 1, 9, tzinfo=timezone.utc)


class FakeTimeline:
    async def case_summary(self, case_id: UUID) -> dict[str, Any] | None:
        if case_id != CASE:
            return None
        return {"events": 1, "units": ["TH-BIMSON"], "banks": [], "first_occurred_at": AT, "first_recorded_at": AT}

    async def timeline(self, case_id: UUID, **_: Any) -> list[dict[str, Any]]:
        if case_id != CASE:
            return []
        return [{"event_id": str(uuid4()), "source": "intake", "event_type": "intake.CaseOpened.v1", "unit": "TH-BIMSON",
                 "aggregate_id": str(CASE), "aggregate_version": 1, "occurred_at": AT.isoformat(),
                 "recorded_at": AT.isoformat(), "payload": {"origin": "request_received"}}]

    async def query(self, *_: Any, **__: Any) -> list[dict[str, Any]]:
        return []

    async def rebuild(self, **_: Any) -> int:
        return 2

    @staticmethod
    async def none() -> None:
        return None


class FakeAccess:
    """The kit's access log as a list: (role, action, resource, status)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, int]] = []

    async def record(self, principal: Any, *, action: str, resource: str, status: int, **_: Any) -> None:
        self.entries.append((principal.role, action, resource, status))


@pytest.fixture
async def http():
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=DEV_JWT_SECRET, health=health, error_status={})
    app.state.timeline = FakeTimeline()
    app.state.access_entries = FakeTimeline()
    app.state.runtime = SimpleNamespace(app=None, settings=SimpleNamespace(kafka_url="unused:9092"), access=FakeAccess())
    app.state.anchorer = SimpleNamespace(latest=FakeTimeline.none, public_key="unused")
    app.include_router(api.router)
    app.include_router(api.admin)
    app.include_router(api.anchors)
    app.include_router(api.access)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t") as client:
        yield client, app


def outcome(r: httpx.Response) -> str:
    if r.status_code == 403:
        return {"forbidden": ROLE, "OutOfScopeError": OFFICE}.get(r.json()["error"], r.text)
    return PASS if r.status_code not in (401, 403) else f"{r.status_code} {r.text}"   # past the gates


async def test_every_route_every_role_every_office(http) -> None:
    client, app = http
    documented = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops} - {
        ("GET", "/health"), ("GET", "/health/live"), ("GET", "/metrics")}
    assert documented == {(m, p.split("?")[0]) for m, p in ROUTES}, "every route is in the hand-written table"
    wrong = []
    for (method, template), table in ROUTES.items():
        for office, unit in OFFICES.items():
            for role in ROLES:
                t = issue_token(DEV_JWT_SECRET, role=role, unit=unit, bank="VCB" if role == "bank" else None,
                                sub="001090012345" if role == "citizen" else None)
                r = await client.request(method, template.format(case_id=CASE), headers={"Authorization": f"Bearer {t}"})
                if outcome(r) != table[office][role]:
                    wrong.append(f"{method} {template} {role}@{unit}: expected {table[office][role]}, got {outcome(r)}")
    assert not wrong, "\n".join(wrong)


async def test_without_a_token_every_route_is_401_and_an_unknown_case_404(http) -> None:
    client, _ = http
    assert (await client.get(f"/cases/{CASE}/timeline")).status_code == 401
    assert (await client.post("/admin/projections/case_timeline/rebuild")).status_code == 401
    t = issue_token(DEV_JWT_SECRET, role="auditor", unit="TH")
    r = await client.get(f"/cases/{uuid4()}/timeline", headers={"Authorization": f"Bearer {t}"})
    assert r.status_code == 404 and r.json()["rule"] == "case.exists" and r.json()["message"]


async def test_refusals_and_the_procuracy_s_reads_are_access_log_entries_and_staff_reads_are_not(http) -> None:
    client, app = http
    log = app.state.runtime.access.entries

    def get(path: str, role: str, unit: str) -> Any:
        t = issue_token(DEV_JWT_SECRET, role=role, unit=unit)
        return client.get(path, headers={"Authorization": f"Bearer {t}"})

    assert (await get(f"/cases/{uuid4()}/timeline", "procuracy", "TH")).status_code == 404
    assert (await get(f"/cases/{CASE}/timeline", "auditor", "HN")).status_code == 403
    assert (await get(f"/cases/{CASE}/state?at=2025-01-01T00:00:00%2B07:00", "auditor", "TH")).status_code == 409
    assert (await get(f"/cases/{CASE}/timeline", "procuracy", "TH")).status_code == 200
    assert (await get(f"/cases/{CASE}/timeline", "head", "TH-BIMSON")).status_code == 200
    assert log == [("procuracy", "refused", "case_timeline", 404), ("auditor", "refused", "case_timeline", 403),
                   ("auditor", "refused", "case_state", 409), ("procuracy", "read", "case_timeline", 200)]
