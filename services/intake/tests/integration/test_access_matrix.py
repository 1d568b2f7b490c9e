"""Every intake route × every role × the case's own office / another office of the same province /
another province, against the live service on the real PostgreSQL and Kafka, held to a hand-written
table of who may call what (ROUTES) and the kit's reading rule (READ_SCOPE).

The case belongs to TH-BIMSON and is assigned to officer "cv-own". Commands are sent with a minimal
schema-valid body (built from the OpenAPI document) dated in the year 2000, so a command that passes
the API's gates is refused by the domain (409: backdated, or not allowed in this state) and writes
nothing; what the matrix checks is only whether the API's gates let it through:
  ROLE   → 403 "forbidden" (the token's role may not call the route)
  OFFICE → 403 WrongOfficeError (commands) / OutOfScopeError (reads): out of the caller's scope
  PASS   → anything but 401/403 from those gates.
A route missing from ROUTES fails the test, so a new route must be added to the table."""
from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from thads_infra.testing import service_process
from thads_kit.auth import ROLES, issue_token
from thads_kit.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration

CASE_UNIT = "TH-BIMSON"
OFFICES = {"own": "TH-BIMSON", "province": "TH-01", "other": "HN-02"}
OFFICER = "cv-own"
OLD = "2000-01-01T09:00:00+07:00"

ROLE, OFFICE, PASS = "ROLE", "OFFICE", "PASS"

# Who reads a case of another office (thads_kit.scoping, hand-written here): office → roles that pass.
READ_SCOPE = {
    "own": {"officer", "head", "clerk", "accountant", "procuracy", "auditor", "admin"},
    "province": {"procuracy", "auditor", "admin"},
    "other": {"admin"},
}
COMMAND_SCOPE = {"own": {"officer", "head", "clerk", "accountant"}, "province": set(), "other": set()}

READERS = {"head", "officer", "clerk", "accountant", "procuracy", "auditor", "admin"}
HEAD = {"head"}
STAFF = {"head", "officer", "clerk"}
OFFICER_ROLES = {"officer", "head"}
MONEY = {"officer", "accountant"}

# (method, path template) → (roles the route admits, "read" or "command" scope)
ROUTES: dict[tuple[str, str], tuple[set[str], str]] = {
    ("GET", "/cases/{case_id}"): (READERS, "read"),
    ("GET", "/cases/{case_id}/events"): (READERS, "read"),
    ("GET", "/cases/{case_id}/parties"): (READERS, "read"),
    ("GET", "/cases/{case_id}/correction-requests"): (READERS, "read"),      # issue 9 (corrections.py)
    ("GET", "/cases"): (READERS, "read"),
    ("GET", "/overdue"): (READERS, "read"),
    ("GET", "/procuracy/decisions"): ({"procuracy", "head", "auditor"}, "read"),
    ("GET", "/worklist"): ({"officer"}, "own"),                 # an officer's own list, no office asked
    ("GET", "/public/no-condition-debtors"): (set(ROLES), "public"),
    ("GET", "/chain/verify"): ({"auditor", "procuracy", "admin"}, "own"),      # integrity report, role only
    ("POST", "/cases/judgments"): ({"clerk", "head"}, "command"),
    ("POST", "/cases/requests"): ({"clerk", "head"}, "command"),
    ("POST", "/cases/delegations"): ({"clerk", "head"}, "command"),
    **{("POST", f"/cases/{{case_id}}/{p}"): (HEAD, "command") for p in (
        "refusal", "decision", "officer", "officer/reassignment", "separate-register", "return", "postponement",
        "postponement/continuation", "suspension", "suspension/continuation", "termination", "delegation",
        "revocation", "certificates", "personal-data-erasures", "late-request-acceptance", "no-condition/continuation", "partial-termination",
        "claim-reductions", "partial-delegation", "revocation/partial")},
    **{("POST", f"/cases/{{case_id}}/{p}"): (STAFF, "command") for p in (
        "parties", "claim-items", "procuracy-copies", "certificate-requests", "notification", "notices-to-parties",
        "new-information", "creditor-notices")},
    **{("POST", f"/cases/{{case_id}}/{p}"): (MONEY, "command") for p in (
        "voluntary-payments", "collections", "disbursements", "fees", "unclaimed-deposits")},
    **{("POST", f"/cases/{{case_id}}/{p}"): (OFFICER_ROLES, "command") for p in (
        "verification/start", "verification", "reverification", "security-measures", "coercive-measures",
        "seizures", "assets-taken-in-kind", "completion")},
}
ROUTES[("POST", "/import")] = (HEAD, "own")   # bulk import: a head imports into his own office (issue 12)
UNSCOPED = {("GET", "/health"), ("GET", "/health/live"), ("GET", "/metrics")}


def expected(roles: set[str], scope: str, role: str, office: str) -> str:
    if scope == "public":
        return PASS
    if role not in roles:
        return ROLE
    if scope == "own":
        return PASS
    if scope == "erase":      # an action: the head of the case's office, or the admin
        return PASS if role == "admin" or office == "own" else OFFICE
    allowed = READ_SCOPE if scope == "read" else COMMAND_SCOPE
    return PASS if role in allowed[office] else OFFICE


def outcome(r: httpx.Response) -> str:
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code == 401:
        return "401"
    if r.status_code == 403 and body.get("error") == "forbidden":
        return ROLE
    if r.status_code == 403 and body.get("error") in ("WrongOfficeError", "OutOfScopeError"):
        return OFFICE
    if r.status_code == 403 and body.get("error") != "ActorNotPermittedError":   # the domain's own role rule
        return f"403 {body.get('error')}"                                          # comes after the API's gates
    return PASS


def token(role: str, unit: str) -> dict[str, str]:
    sub = OFFICER if role == "officer" else "001090012345" if role == "citizen" else f"{role}@{unit}"
    t = issue_token(DEV_JWT_SECRET, role=role, unit=unit, sub=sub, bank="VCB" if role == "bank" else None)
    return {"Authorization": f"Bearer {t}"}


def minimal(schema: dict[str, Any], doc: dict[str, Any]) -> Any:
    """The smallest value `schema` allows (required properties only), business times in 2000."""
    if "$ref" in schema:
        return minimal(doc["components"]["schemas"][schema["$ref"].split("/")[-1]], doc)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return minimal(next(s for s in schema[key] if s.get("type") != "null"), doc)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: minimal(v, doc) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", ())} | {"occurred_at": OLD}
    if kind == "array":
        return [minimal(schema["items"], doc)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    return {"uuid": str(uuid.uuid4()), "date": "2000-01-01", "date-time": OLD}.get(schema.get("format"), "X")


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    svc = service_process("intake", tmp_path_factory.mktemp("matrix")).start()
    yield svc
    svc.stop()


async def test_every_route_every_role_every_office(intake) -> None:
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as http:
        doc = (await http.get("/openapi.json")).json()
        head = token("head", CASE_UNIT)
        opened = await http.post("/cases/requests", headers=token("clerk", CASE_UNIT), json={
            "unit": CASE_UNIT, "intake_ref": f"MT-{uuid.uuid4().hex[:10]}", "channel": "post",
            "judgment_number": "1/2025/DS-ST", "issuing_court": "TAND thị xã Bỉm Sơn"})
        assert opened.status_code == 201, opened.text
        case_id = opened.json()["case_id"]
        party_id = str(uuid.uuid4())
        for path, body in ((f"/cases/{case_id}/parties", {"party_id": party_id, "role": "creditor",
                                                          "kind": "credit_institution", "bank_code": "VCB",
                                                          "full_name": "Ngân hàng VCB"}),
                           (f"/cases/{case_id}/decision", {"decision_no": "1/QĐ-CTHADS", "basis": "on_request"}),
                           (f"/cases/{case_id}/officer", {"officer_id": OFFICER})):
            r = await http.post(path, json=body, headers=head)
            assert r.status_code == 200, r.text

        documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
        assert documented - UNSCOPED == set(ROUTES), "every route is in the hand-written table"

        wrong: list[str] = []
        for (method, template), (roles, scope) in sorted(ROUTES.items(), key=lambda kv: kv[1][1] == "erase"):
            op = doc["paths"][template][method.lower()]
            path = template.replace("{case_id}", case_id).replace("{party_id}", party_id)
            for role in ROLES:
                for office, unit in OFFICES.items():
                    params = {"unit": CASE_UNIT} if scope == "read" and "{case_id}" not in template else None
                    body = None
                    if "application/json" in op.get("requestBody", {}).get("content", {}):
                        body = minimal(op["requestBody"]["content"]["application/json"]["schema"], doc)
                        if "unit" in body:
                            body["unit"] = CASE_UNIT
                    r = await http.request(method, path, params=params, json=body, headers=token(role, unit))
                    want, got = expected(roles, scope, role, office), outcome(r)
                    if got != want:
                        wrong.append(f"{method} {template} {role}@{unit}: expected {want}, got {got} "
                                     f"({r.status_code} {r.text[:160]})")
        assert not wrong, f"{len(wrong)} cells differ:\n" + "\n".join(wrong)

        # nothing the matrix sent was recorded: the case is as it was after the officer's assignment
        events = (await http.get(f"/cases/{case_id}/events", headers=head)).json()["events"]
        assert [e["event"] for e in events][-1] == "OfficerAssigned" and len(events) == 4, [e["event"] for e in events]
