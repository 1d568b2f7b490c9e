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

from audit_service import api, refusals

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
          ("GET", "/access"): CHAIN,
          # intake serves it; audit checks role and office, then sends the caller on (307)
          ("GET", "/procuracy/decisions"): {office: {r: PASS if r in ("procuracy", "head", "auditor") else ROLE
                                                     for r in ROLES} for office in OFFICES}}


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
    app.state.runtime = SimpleNamespace(app=None, settings=SimpleNamespace(kafka_url="unused:9092",
                                                                                intake_url="http://intake.test:8101/"), access=FakeAccess())
    app.state.anchorer = SimpleNamespace(latest=FakeTimeline.none, public_key="unused")
    app.include_router(api.router)
    app.include_router(api.admin)
    app.include_router(api.anchors)
    app.include_router(api.access)
    app.include_router(api.procuracy)
    refusals.install(app)
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


# requests whose token is valid but whose input FastAPI's validation refuses before the route runs
MALFORMED = [f"/cases/{CASE}/state?at=yesterday", f"/cases/{CASE}/state", f"/cases/{CASE}/state?at=2025-08-01T00:00:00",
             f"/cases/not-a-uuid/timeline", f"/cases/{CASE}/timeline?limit=0", f"/cases/{CASE}/timeline?cursor=%00",
             f"/cases/{CASE}/timeline?as_of_recorded=31-12-2025", "/access?since=never", "/access?limit=5000",
             "/access?action=deleted", "/access?unit=TH%20X"]


async def test_every_refused_attempt_with_a_valid_token_is_one_access_log_entry(http) -> None:
    """Role × route × office, plus malformed input (422) for the readers: every 4xx with a valid token
    is exactly one "refused" entry with its status; a pass is a "read" entry exactly when a logged
    reader (procuracy, auditor, admin) read a case; a request without a valid token (401) is none."""
    client, app = http
    log = app.state.runtime.access.entries
    wrong = []

    async def check(method: str, path: str, role: str, unit: str) -> None:
        t = issue_token(DEV_JWT_SECRET, role=role, unit=unit, bank="VCB" if role == "bank" else None,
                        sub="001090012345" if role == "citizen" else None)
        before = len(log)
        r = await client.request(method, path, headers={"Authorization": f"Bearer {t}"})
        new = log[before:]
        if 400 <= r.status_code < 500:
            expected = [(role, "refused", r.status_code)]
        elif r.status_code < 300 and path.startswith("/cases/") and role in api.LOGGED_READERS:
            expected = [(role, "read", r.status_code)]
        else:       # another pass, or a 5xx of a route the fakes give no database (past the gates): no entry
            expected = []
        got = [(e[0], e[1], e[3]) for e in new]
        if got != expected:
            wrong.append(f"{method} {path} {role}@{unit} -> {r.status_code}: entries {got}, expected {expected}")

    for (method, template), _table in ROUTES.items():
        for unit in OFFICES.values():
            for role in ROLES:
                await check(method, template.format(case_id=CASE), role, unit)
    for path in MALFORMED:
        for role, unit in (("auditor", "TH"), ("procuracy", "TH"), ("admin", "TW"), ("bank", "TH-01")):
            await check("GET", path, role, unit)
    await check("GET", f"/cases/{uuid4()}/timeline", "auditor", "TH")                 # unknown case: 404
    await check("GET", f"/cases/{CASE}/state?at=2020-01-01T00:00:00%2B07:00", "procuracy", "TH")   # before it: 409
    await check("GET", f"/cases/{CASE}/timeline", "auditor", "HN")                    # another province: 403
    await check("GET", "/no-such-route", "auditor", "TH")                             # 404 of the router
    assert not wrong, "\n".join(wrong)
    kinds = {(e[1], e[3]) for e in log}
    assert {("refused", 403), ("refused", 404), ("refused", 409), ("refused", 422), ("read", 200)} <= kinds

    before = len(log)
    for path in (f"/cases/{CASE}/timeline", f"/cases/{CASE}/state?at=yesterday", "/access"):
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers={"Authorization": "Bearer not-a-token"})).status_code == 401
    assert log[before:] == [], "a request naming nobody is not an entry"


async def test_a_malformed_moment_is_refused_with_its_field_named_and_logged_with_the_case(http) -> None:
    client, app = http
    t = issue_token(DEV_JWT_SECRET, role="auditor", unit="TH")
    r = await client.get(f"/cases/{CASE}/state?at=yesterday", headers={"Authorization": f"Bearer {t}"})
    assert r.status_code == 422 and "at" in r.text
    assert app.state.runtime.access.entries[-1] == ("auditor", "refused", "case_state", 422)


async def test_the_procuracy_view_points_to_intake_with_the_same_query_after_role_and_office_checks(http) -> None:
    client, app = http

    def get(path: str, role: str, unit: str) -> Any:
        t = issue_token(DEV_JWT_SECRET, role=role, unit=unit)
        return client.get(path, headers={"Authorization": f"Bearer {t}"})

    r = await get("/procuracy/decisions?unit=TH-BIMSON&from=2026-01-01&limit=50", "procuracy", "TH")
    assert r.status_code == 307, r.text
    assert r.headers["location"] == "http://intake.test:8101/procuracy/decisions?unit=TH-BIMSON&from=2026-01-01&limit=50"
    other = await get("/procuracy/decisions?unit=HN-02", "procuracy", "TH")
    assert other.status_code == 403 and other.json()["rule"] == "read_scope.own_province"
    bad = await get("/procuracy/decisions?from=hôm-qua", "auditor", "TH")
    assert bad.status_code == 422 and "from" in bad.text
    assert app.state.runtime.access.entries[-2:] == [("procuracy", "refused", "procuracy_decisions", 403),
                                                      ("auditor", "refused", "procuracy_decisions", 422)]
