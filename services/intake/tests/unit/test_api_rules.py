"""The command API's own rules, in memory (event store in memory, the kit's real batcher): personal
data is written with the command that adds the party (never by a refused one), offices and officers act on their own cases only,
and business time cannot lie in the future."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, AsyncIterator
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from thads_kit.auth import issue_token
from thads_kit.batcher import CommandBatcher, ConflictRetriesExhaustedError
from thads_kit.http import create_app
from thads_kit.settings import DEV_JWT_SECRET
from thads_kit.store import EsExecutor

from intake_service import api
from intake_service.application import Intake
from intake_service.main import ERROR_STATUS
from intake_service.personal_data import PartyOfAnotherCaseError

VN = timezone(timedelta(hours=7))
UNIT = "TH-01"


class FakePersonalData:
    """The store's contract as the route uses it: check before, a write that the kit runs with the
    command's events (like main.PersonalDataStore)."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.writes = 0

    async def check(self, case_id: UUID, body: Any) -> None:
        row = self.rows.get(body.party_id)
        if row is not None and row["case_id"] != case_id:
            raise PartyOfAnotherCaseError(f"party {body.party_id} belongs to another case")

    def write(self, case_id: UUID, body: Any) -> Any:
        def run(_cursor: Any) -> None:
            row = self.rows.get(body.party_id)
            if row is not None and row["case_id"] != case_id:
                raise PartyOfAnotherCaseError(f"party {body.party_id} belongs to another case")
            self.writes += 1
            self.rows[body.party_id] = {"case_id": case_id, "full_name": body.full_name,
                                        "id_number": body.id_number, "address": body.address, "phone": body.phone}
        return run


class FakeAccessLog:
    """The kit's AccessLog as the routes call it: the entries, in order, without a database."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, str, int]] = []

    async def record(self, principal: Any, *, action: str, resource: str, resource_id: str, status: int = 200,
                     **_: Any) -> None:
        self.entries.append((principal.role, principal.unit, action, resource, status))


@pytest.fixture
async def service() -> AsyncIterator[SimpleNamespace]:
    intake = Intake(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    executor = EsExecutor(2)
    batcher = CommandBatcher(intake, executor)
    await batcher.start()

    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=DEV_JWT_SECRET, health=health,
                     error_status=ERROR_STATUS)
    access = FakeAccessLog()
    app.state.runtime = SimpleNamespace(app=intake, batcher=batcher, executor=executor, access=access)
    store = FakePersonalData(intake)
    app.state.personal_data = store
    app.include_router(api.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield SimpleNamespace(http=http, intake=intake, store=store, access=access)
    await batcher.stop()
    await executor.shutdown()


def auth(role: str, unit: str = UNIT, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit=unit, sub=sub)}"}


def at(days_ago: int, hour: int = 9) -> str:
    day = datetime.now(VN).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN).isoformat()


async def open_case(http: httpx.AsyncClient, unit: str = UNIT) -> str:
    r = await http.post("/cases/requests", headers=auth("clerk", unit), json={
        "unit": unit, "intake_ref": uuid.uuid4().hex[:12], "channel": "post", "judgment_number": "1/2025/DS-ST",
        "issuing_court": "TAND khu vực 1", "occurred_at": at(30)})
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


def party(**extra: Any) -> dict[str, Any]:
    return {"party_id": str(uuid.uuid4()), "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình",
            "id_number": "038090001234", "address": "12 Lê Lợi", "phone": "0912000000", "occurred_at": at(30, 10)} | extra


def versions(intake: Intake, case_id: str) -> int:
    return intake.get_case(UUID(case_id)).version


# ---------------------------------------------------------------- personal data


async def test_personal_data_is_written_with_the_command_that_adds_the_party(service) -> None:
    http, store = service.http, service.store
    cid = await open_case(http)
    debtor = party()
    r = await http.post(f"/cases/{cid}/parties", json=debtor, headers=auth("clerk"))
    assert r.status_code == 200, r.text
    assert store.writes == 1 and debtor["party_id"] in service.intake.get_case(UUID(cid)).parties
    assert store.rows[UUID(debtor["party_id"])]["full_name"] == "Lê Văn Bình"
    rows_before, version = {k: dict(v) for k, v in store.rows.items()}, versions(service.intake, cid)

    # refused commands: the same party again under another name, a backdated one, an unknown case
    refused = [
        await http.post(f"/cases/{cid}/parties", headers=auth("clerk"),
                        json=debtor | {"full_name": "Kẻ Mạo Danh", "id_number": "000000000000"}),
        await http.post(f"/cases/{cid}/parties", headers=auth("clerk"),
                        json=party(full_name="Quá Khứ", occurred_at="2000-01-01T09:00:00+07:00")),
        await http.post(f"/cases/{uuid.uuid4()}/parties", headers=auth("clerk"), json=party(full_name="Không Việc")),
    ]
    assert [r.status_code for r in refused] == [409, 409, 404], [r.text for r in refused]
    assert [r.json()["error"] for r in refused] == ["DuplicatePartyError", "BackdatedEventError", "CaseNotFoundError"]
    assert store.rows == rows_before, "a refused command leaves the personal data untouched"
    assert store.writes == 1
    assert versions(service.intake, cid) == version


async def test_a_party_id_of_another_case_is_refused_before_anything_is_recorded(service) -> None:
    http, store = service.http, service.store
    first, second = await open_case(http), await open_case(http)
    debtor = party()
    assert (await http.post(f"/cases/{first}/parties", json=debtor, headers=auth("clerk"))).status_code == 200
    version = versions(service.intake, second)

    r = await http.post(f"/cases/{second}/parties", json=debtor | {"full_name": "Kẻ Mạo Danh"}, headers=auth("head"))

    assert r.status_code == 409 and r.json()["error"] == "PartyOfAnotherCaseError"
    assert store.rows[UUID(debtor["party_id"])]["full_name"] == "Lê Văn Bình"
    assert versions(service.intake, second) == version, "no PartyAdded on the second case"


# ---------------------------------------------------------------- offices and officers


async def test_staff_act_on_and_read_only_their_own_office(service) -> None:
    http = service.http
    cid = await open_case(http)
    version = versions(service.intake, cid)

    other_office = [
        await http.post(f"/cases/{cid}/parties", json=party(), headers=auth("clerk", "TH-02")),
        await http.post(f"/cases/{cid}/decision", json={"decision_no": "1/QĐ", "basis": "on_request"},
                        headers=auth("head", "TH-02")),
        await http.get(f"/cases/{cid}", headers=auth("head", "TH-02")),
        await http.get(f"/cases/{cid}/events", headers=auth("officer", "TH-02")),
        await http.post("/cases/requests", headers=auth("clerk", UNIT), json={
            "unit": "TH-02", "intake_ref": "X-1", "channel": "post", "judgment_number": "1/2025/DS-ST",
            "issuing_court": "TAND khu vực 1"}),
    ]
    assert [r.status_code for r in other_office] == [403] * 5, [r.text for r in other_office]
    # acting is the intake rule (own office); reading is the kit's scoping rule
    assert [r.json()["error"] for r in other_office] == ["WrongOfficeError", "WrongOfficeError", "OutOfScopeError",
                                                        "OutOfScopeError", "WrongOfficeError"]
    assert all(r.json()["message"] for r in other_office)
    assert versions(service.intake, cid) == version
    assert service.store.rows == {}

    # the procuracy and auditors read the cases of their province (national bodies: every province)
    for role, unit in (("procuracy", "TH-VKS"), ("auditor", "CUC"), ("auditor", "TH"), ("head", UNIT)):
        assert (await http.get(f"/cases/{cid}", headers=auth(role, unit))).status_code == 200
        assert (await http.get(f"/cases/{cid}/events", headers=auth(role, unit))).status_code == 200
    # the refused reads and the procuracy's and auditors' reads are access-log entries; the office's own are not
    assert service.access.entries == [
        ("head", "TH-02", "refused", "case", 403), ("officer", "TH-02", "refused", "case_history", 403),
        ("procuracy", "TH-VKS", "read", "case", 200), ("procuracy", "TH-VKS", "read", "case_history", 200),
        ("auditor", "CUC", "read", "case", 200), ("auditor", "CUC", "read", "case_history", 200),
        ("auditor", "TH", "read", "case", 200), ("auditor", "TH", "read", "case_history", 200)]


async def test_an_officer_acts_only_on_a_case_assigned_to_them(service) -> None:
    http = service.http
    cid = await open_case(http)
    unassigned = await http.post(f"/cases/{cid}/parties", json=party(), headers=auth("officer", sub="cv-1"))
    assert unassigned.status_code == 403 and unassigned.json()["error"] == "NotYourCaseError"
    assert service.store.rows == {}
    # clerks and heads are not bound to the assignment
    assert (await http.post(f"/cases/{cid}/parties", json=party(), headers=auth("clerk"))).status_code == 200
    assert (await http.post(f"/cases/{cid}/decision", json={"decision_no": "1/QĐ", "basis": "on_request"},
                            headers=auth("head"))).status_code == 200
    assert (await http.post(f"/cases/{cid}/officer", json={"officer_id": "cv-1"},
                            headers=auth("head"))).status_code == 200

    other = await http.post(f"/cases/{cid}/notification", json={}, headers=auth("officer", sub="cv-2"))
    assert other.status_code == 403 and other.json()["error"] == "NotYourCaseError"
    mine = await http.post(f"/cases/{cid}/notification", json={}, headers=auth("officer", sub="cv-1"))
    assert mine.status_code == 200, mine.text


# ---------------------------------------------------------------- text the database can hold


async def test_a_nul_character_in_any_text_is_refused_before_anything_is_recorded(service) -> None:
    http = service.http
    cid = await open_case(http)
    version = versions(service.intake, cid)

    refused = [
        await http.post(f"/cases/{cid}/parties", json=party(full_name="Lê\u0000Bình"), headers=auth("clerk")),
        await http.post(f"/cases/{cid}/decision", json={"decision_no": "1/QĐ\u0000", "basis": "on_request"},
                        headers=auth("head")),
    ]

    assert [r.status_code for r in refused] == [422, 422], [r.text for r in refused]
    assert [[e["field"] for e in r.json()["errors"]] for r in refused] == [["full_name"], ["decision_no"]]
    assert versions(service.intake, cid) == version and service.store.rows == {}


# ---------------------------------------------------------------- business time


async def test_business_time_may_not_lie_in_the_future(service) -> None:
    http = service.http
    cid = await open_case(http)
    version = versions(service.intake, cid)
    future = (datetime.now(VN) + timedelta(hours=1)).isoformat()

    # a moving bound the schema cannot state: a documented rule refusal (409), not a validation error
    r = await http.post(f"/cases/{cid}/parties", json=party(occurred_at=future), headers=auth("clerk"))
    assert r.status_code == 409 and r.json()["error"] == "BusinessTimeInFutureError", r.text
    assert r.json()["rule"] == "occurred_at_not_after_now_plus_5_minutes" and "5 phút" in r.json()["message"]
    r = await http.post("/cases/judgments", headers=auth("clerk"), json={
        "unit": UNIT, "intake_ref": "BA-2099", "judgment_number": "1/2099/HS-ST", "issuing_court": "TAND",
        "occurred_at": "2099-01-01T09:00:00+07:00"})
    assert r.status_code == 409 and "occurred_at" in r.json()["detail"]
    # a body invalid elsewhere is still a 422 naming that field
    r = await http.post(f"/cases/{cid}/parties", json=party(occurred_at=future, role="judge"), headers=auth("clerk"))
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["role"]
    assert versions(service.intake, cid) == version and service.store.rows == {}

    # a client clock a little ahead is tolerated
    slightly = (datetime.now(VN) + timedelta(minutes=2)).isoformat()
    r = await http.post(f"/cases/{cid}/parties", json=party(occurred_at=slightly), headers=auth("clerk"))
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- error statuses


async def test_exhausted_conflict_retries_are_a_conflict_not_a_server_error() -> None:
    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    app: FastAPI = create_app(title="t", version="t", lifespan=None, jwt_secret=DEV_JWT_SECRET, health=health,
                              error_status=ERROR_STATUS)

    @app.get("/busy")
    async def busy() -> None:
        raise ConflictRetriesExhaustedError("aggregate changed 8 times while the command ran")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        r = await http.get("/busy")
    assert r.status_code == 409 and r.json()["error"] == "ConflictRetriesExhaustedError"


# ---------------------------------------------------------------- the accountant and the money routes (issue 7 §1.8)

MONEY_COMMANDS = ("record_voluntary_payment", "collect_money", "disburse", "charge_enforcement_fee")


def _route_roles(name: str) -> set[str]:
    import inspect

    route = next(r for r in api.router.routes if getattr(r, "name", None) == name)
    return set(next(inspect.getclosurevars(d.call).nonlocals["allowed"] for d in route.dependant.dependencies
                    if "allowed" in inspect.getclosurevars(d.call).nonlocals))


@pytest.mark.parametrize("command", MONEY_COMMANDS)
def test_money_routes_accept_exactly_the_roles_the_domain_allows(command: str) -> None:
    from intake_service.domain import COLLECTION_RULES, TRANSITIONS, Role

    rules = [r for r in COLLECTION_RULES.values()] if command == "collect_money" else [command]
    domain_roles = set.union(*(set(TRANSITIONS[r].roles) for r in rules)) - {Role.SYSTEM}
    token_roles = _route_roles(command)
    assert {api.DOMAIN_ROLE[t] for t in token_roles} == domain_roles   # officer and accountant (MONEY_STAFF)
    assert token_roles == {"officer", "accountant"}


async def test_an_accountant_token_records_money_and_a_head_is_refused_at_the_api(service) -> None:
    http, head, clerk = service.http, auth("head"), auth("clerk")
    case_id = await open_case(http)
    creditor, item = party(role="creditor", occurred_at=at(29, 10)), str(uuid.uuid4())
    for path, token, body in [
            ("decision", head, {"decision_no": "1/QĐ", "basis": "on_request", "occurred_at": at(29)}),
            ("parties", clerk, creditor),
            ("claim-items", clerk, {"claim_item_id": item, "kind": "other", "amount_vnd": 5_000_000,
                                    "creditor_party_id": creditor["party_id"], "occurred_at": at(29, 11)}),
            ("notification", clerk, {"occurred_at": at(28)})]:
        r = await http.post(f"/cases/{case_id}/{path}", headers=token, json=body)
        assert r.status_code == 200, r.text
    payment = {"claim_item_id": item, "amount_vnd": 1_000_000, "source_ref": "BL-1", "occurred_at": at(27)}
    before = versions(service.intake, case_id)
    for role in ("head", "clerk"):   # the domain refuses them; so does the API now, before anything runs
        refused = await http.post(f"/cases/{case_id}/voluntary-payments", headers=auth(role), json=payment)
        assert refused.status_code == 403, refused.text
    r = await http.post(f"/cases/{case_id}/voluntary-payments", headers=auth("accountant"), json=payment)
    assert r.status_code == 200, r.text
    assert versions(service.intake, case_id) == before + 1
