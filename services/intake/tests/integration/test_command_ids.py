"""Command ids on the real PostgreSQL, through intake's real HTTP routes (in process): the crash
windows around a command's commit (thads_kit.commands, store.CommandRecorder, batcher).

* failure before the commit: nothing is written (events, personal data, command row); the retry
  with the same Idempotency-Key succeeds, once;
* commit done, acknowledgement lost (the recorder's fault hook raises OperationalError after the
  commit, inside the library's retry, exactly like a dropped connection): the retry hits the unique
  keys, and the batcher's re-run finds the command id and returns the ORIGINAL result — `open_case`
  and `add_party` answer success (not 409), a disbursement is recorded once;
* a client retry with the same key returns the original answer and writes nothing;
* the same key with another body is refused (422, rule named) and writes nothing.
Each test gets its own schema."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import pytest
from eventsourcing.persistence import OperationalError

from thads_infra import layout
from thads_infra.testing import pg_connect
from thads_kit.auth import issue_token
from thads_kit.batcher import CommandBatcher
from thads_kit.http import create_app
from thads_kit.settings import DEV_JWT_SECRET, ServiceSettings
from thads_kit.store import EsExecutor

from intake_service import api, personal_data
from intake_service.application import Intake
from intake_service.main import ERROR_STATUS, PersonalDataStore

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))


@dataclass
class Svc:
    http: httpx.AsyncClient
    app: Intake
    schema: str
    pool: asyncpg.Pool

    async def count(self, sql: str, *args: Any) -> int:
        return await self.pool.fetchval(sql.format(s=f'"{self.schema}"'), *args)

    async def events(self, case_id: str) -> list[str]:
        return [e["event"] for e in self.app.history(UUID(case_id))]


@pytest.fixture
async def svc() -> AsyncIterator[Svc]:
    schema = f"t_cmdids_{uuid.uuid4().hex[:12]}"
    admin = await pg_connect()
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    settings = ServiceSettings(service_name="intake", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema,
                               aggregate_cache_size=0, es_pool_size=4)
    executor = EsExecutor(4)
    intake = await executor.run(lambda: Intake(env=settings.eventsourcing_env()))
    pool = await asyncpg.create_pool(min_size=1, max_size=4, **settings.asyncpg_kwargs())
    await personal_data.ensure_table(pool, schema)
    batcher = CommandBatcher(intake, executor)
    await batcher.start()

    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=DEV_JWT_SECRET, health=health,
                     error_status=ERROR_STATUS)
    runtime = SimpleNamespace(app=intake, batcher=batcher, executor=executor, pool=pool)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.personal_data = PersonalDataStore(runtime, schema)  # type: ignore[arg-type]
    app.include_router(api.router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield Svc(http, intake, schema, pool)
    finally:
        await batcher.stop()
        await pool.close()
        intake.close()
        await executor.shutdown()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


def auth(role: str, sub: str | None = None, key: str | None = None) -> dict[str, str]:
    h = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit='TH-01', sub=sub)}"}
    return h | ({"Idempotency-Key": key} if key else {})


def at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN).isoformat()


def request_body(ref: str | None = None) -> dict[str, Any]:
    return {"unit": "TH-01", "intake_ref": ref or f"DON-{uuid.uuid4().hex[:10]}", "channel": "online",
            "judgment_number": "12/2025/DS-ST", "issuing_court": "TAND khu vực 1 - Thanh Hóa",
            "occurred_at": at(date(2025, 3, 3))}


def debtor_body() -> dict[str, Any]:
    return {"party_id": str(uuid.uuid4()), "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình",
            "address": "12 Lê Lợi, TP Thanh Hóa", "id_number": "038090001234",
            "occurred_at": at(date(2025, 3, 3), 10)}


def lose_acknowledgements(intake: Intake, times: int = 1) -> list[int]:
    """After the next `times` commits, raise what a dropped connection raises: the library's retry of
    insert_events runs the same transaction again."""
    fired: list[int] = []

    def hook(rows: Any) -> None:
        if len(fired) < times:
            fired.append(len(rows))
            raise OperationalError("fault injection: connection lost after COMMIT (acknowledgement lost)")

    intake.recorder.after_commit = hook  # type: ignore[attr-defined]
    return fired


async def open_case(svc: Svc) -> str:
    r = await svc.http.post("/cases/requests", json=request_body(), headers=auth("clerk"))
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


async def case_with_money_held(svc: Svc) -> tuple[str, str]:
    """A case whose debtor paid 5,000,000 VND of a court fee voluntarily: money held, to disburse."""
    cid = await open_case(svc)
    state, fee_item = str(uuid.uuid4()), str(uuid.uuid4())
    steps = [
        ("parties", {"party_id": state, "role": "creditor", "kind": "state", "full_name": "Ngân sách nhà nước",
                     "occurred_at": at(date(2025, 3, 3), 10)}, "clerk", None),
        ("parties", debtor_body(), "clerk", None),
        ("claim-items", {"claim_item_id": fee_item, "kind": "court_fee", "amount_vnd": 5_000_000,
                         "creditor_party_id": state, "occurred_at": at(date(2025, 3, 3), 11)}, "clerk", None),
        ("decision", {"decision_no": "101/QĐ-CTHADS", "basis": "on_request", "occurred_at": at(date(2025, 3, 5))},
         "head", None),
        ("officer", {"officer_id": "cv-07", "occurred_at": at(date(2025, 3, 5), 10)}, "head", None),
        ("notification", {"occurred_at": at(date(2025, 3, 6))}, "officer", "cv-07"),
        ("voluntary-payments", {"claim_item_id": fee_item, "amount_vnd": 5_000_000, "source_ref": "BL-0001",
                                "occurred_at": at(date(2025, 3, 10))}, "officer", "cv-07"),
    ]
    for path, body, role, sub in steps:
        r = await svc.http.post(f"/cases/{cid}/{path}", json=body, headers=auth(role, sub))
        assert r.status_code == 200, f"{path}: {r.text}"
    return cid, fee_item


# ---------------------------------------------------------------- commit done, acknowledgement lost


async def test_open_case_whose_commit_acknowledgement_is_lost_answers_its_own_success_not_409(svc):
    fired = lose_acknowledgements(svc.app)
    body = request_body()

    r = await svc.http.post("/cases/requests", json=body, headers=auth("clerk"))

    assert fired == [1], "the fault fired after the commit"
    assert r.status_code == 201, r.text
    cid = r.json()["case_id"]
    assert r.json()["version"] == 1
    assert await svc.events(cid) == ["RequestReceived"]
    assert await svc.count("SELECT count(*) FROM {s}.intake_commands") == 1


async def test_add_party_whose_acknowledgement_is_lost_answers_success_and_its_personal_data_is_there_once(svc):
    cid = await open_case(svc)
    debtor = debtor_body()
    fired = lose_acknowledgements(svc.app)

    r = await svc.http.post(f"/cases/{cid}/parties", json=debtor, headers=auth("clerk"))

    assert fired == [1]
    assert r.status_code == 200, r.text
    assert (await svc.events(cid)).count("PartyAdded") == 1
    rows = await svc.pool.fetch(f'SELECT case_id, full_name FROM "{svc.schema}".party_personal_data'
                                " WHERE party_id = $1", UUID(debtor["party_id"]))
    assert [(str(x["case_id"]), x["full_name"]) for x in rows] == [(cid, "Lê Văn Bình")]


async def test_a_disbursement_whose_acknowledgement_is_lost_is_recorded_once(svc):
    cid, fee_item = await case_with_money_held(svc)
    before = await svc.events(cid)
    fired = lose_acknowledgements(svc.app)

    r = await svc.http.post(f"/cases/{cid}/disbursements", headers=auth("officer", "cv-07", key="chi-0001"),
                            json={"claim_item_id": fee_item, "amount_vnd": 1_000_000,
                                  "occurred_at": at(date(2025, 3, 12))})

    assert fired == [1]
    assert r.status_code == 200, r.text
    after = await svc.events(cid)
    assert after[len(before):] == ["MoneyDisbursed"], "one disbursement, not two"
    assert r.json()["version"] == len(after)
    case = svc.app.get_case(UUID(cid))
    assert case.held_vnd == 4_000_000


# ---------------------------------------------------------------- failure before the commit


async def test_a_failure_before_the_commit_writes_nothing_and_the_retry_succeeds_once(svc):
    cid = await open_case(svc)
    debtor = debtor_body()
    store = svc.http._transport.app.state.personal_data  # type: ignore[attr-defined]
    failing = {"on": True}
    real_write = store.write

    def write(case_id: Any, body: Any) -> Any:
        inner = real_write(case_id, body)

        def run(curs: Any) -> None:
            inner(curs)     # the personal data row is written, then the transaction fails
            if failing["on"]:
                raise RuntimeError("fault injection: the transaction fails before its commit")
        return run

    store.write = write
    version = len(await svc.events(cid))
    commands = await svc.count("SELECT count(*) FROM {s}.intake_commands")

    r = await svc.http.post(f"/cases/{cid}/parties", json=debtor, headers=auth("clerk", key="them-ds-1"))

    assert r.status_code == 500
    assert len(await svc.events(cid)) == version, "no event"
    assert await svc.count("SELECT count(*) FROM {s}.party_personal_data") == 0, "no personal data"
    assert await svc.count("SELECT count(*) FROM {s}.intake_commands") == commands, "no command row"

    failing["on"] = False
    again = await svc.http.post(f"/cases/{cid}/parties", json=debtor, headers=auth("clerk", key="them-ds-1"))
    twice = await svc.http.post(f"/cases/{cid}/parties", json=debtor, headers=auth("clerk", key="them-ds-1"))

    assert again.status_code == 200 and "idempotent-replayed" not in again.headers, again.text
    assert twice.status_code == 200 and twice.json() == again.json()
    assert twice.headers["idempotent-replayed"] == "true"
    assert (await svc.events(cid)).count("PartyAdded") == 1
    assert await svc.count("SELECT count(*) FROM {s}.party_personal_data") == 1


# ---------------------------------------------------------------- client retries


async def test_a_client_retry_with_the_same_key_gets_the_original_answer_and_writes_nothing(svc):
    cid, fee_item = await case_with_money_held(svc)
    body = {"claim_item_id": fee_item, "amount_vnd": 1_000_000, "occurred_at": at(date(2025, 3, 12))}
    first = await svc.http.post(f"/cases/{cid}/disbursements", json=body,
                                headers=auth("officer", "cv-07", key="chi-0002"))
    assert first.status_code == 200, first.text
    events = await svc.events(cid)

    retries = [await svc.http.post(f"/cases/{cid}/disbursements", json=body,
                                   headers=auth("officer", "cv-07", key="chi-0002")) for _ in range(3)]

    assert [r.status_code for r in retries] == [200] * 3
    assert all(r.json() == first.json() and r.headers["idempotent-replayed"] == "true" for r in retries)
    assert await svc.events(cid) == events
    assert svc.app.get_case(UUID(cid)).held_vnd == 4_000_000
    # without a key a repeated request is a new command: the key is what makes a retry safe
    other = await svc.http.post(f"/cases/{cid}/disbursements", json=body, headers=auth("officer", "cv-07"))
    assert other.status_code == 200 and svc.app.get_case(UUID(cid)).held_vnd == 3_000_000


async def test_an_open_case_retried_with_its_key_answers_201_with_the_same_body(svc):
    body = request_body()
    first = await svc.http.post("/cases/requests", json=body, headers=auth("clerk", key="mo-viec-1"))
    again = await svc.http.post("/cases/requests", json=body, headers=auth("clerk", key="mo-viec-1"))
    plain = await svc.http.post("/cases/requests", json=body, headers=auth("clerk"))

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert plain.status_code == 409, "a new command for the same intake reference is still refused"


async def test_the_same_key_with_another_body_is_refused_and_writes_nothing(svc):
    cid, fee_item = await case_with_money_held(svc)
    body = {"claim_item_id": fee_item, "amount_vnd": 1_000_000, "occurred_at": at(date(2025, 3, 12))}
    first = await svc.http.post(f"/cases/{cid}/disbursements", json=body,
                                headers=auth("officer", "cv-07", key="chi-0003"))
    assert first.status_code == 200
    events = await svc.events(cid)

    other_body = await svc.http.post(f"/cases/{cid}/disbursements", json=body | {"amount_vnd": 2_000_000},
                                     headers=auth("officer", "cv-07", key="chi-0003"))
    other_path = await svc.http.post(f"/cases/{cid}/fees", json={"claim_item_id": fee_item},
                                     headers=auth("officer", "cv-07", key="chi-0003"))

    for r in (other_body, other_path):
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "IdempotencyKeyReusedError"
        assert r.json()["rule"] == "idempotency-key: one key names one request"
    assert await svc.events(cid) == events
    assert svc.app.get_case(UUID(cid)).held_vnd == 4_000_000
    # another caller's identical key is another command
    mine = await svc.http.post("/cases/requests", json=request_body(), headers=auth("clerk", key="chung-1"))
    theirs = await svc.http.post("/cases/requests", json=request_body(), headers=auth("head", key="chung-1"))
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert mine.json()["case_id"] != theirs.json()["case_id"] and "idempotent-replayed" not in theirs.headers


async def test_an_invalid_key_is_refused_before_anything_runs(svc):
    for bad in ("x" * 201, " leading-space"):
        r = await svc.http.post("/cases/requests", json=request_body(), headers=auth("clerk", key=bad))
        assert r.status_code == 422, r.text
        assert "Idempotency-Key" in r.json()["errors"][0]["field"]
    assert await svc.count("SELECT count(*) FROM {s}.intake_commands") == 0
    schema = (await svc.http.get("/openapi.json")).json()
    params = schema["paths"]["/cases/{case_id}/disbursements"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params), "documented"


async def test_concurrent_retries_with_one_key_apply_the_command_once(svc):
    import asyncio

    cid, fee_item = await case_with_money_held(svc)
    body = {"claim_item_id": fee_item, "amount_vnd": 1_000_000, "occurred_at": at(date(2025, 3, 12))}

    replies = await asyncio.gather(*(svc.http.post(f"/cases/{cid}/disbursements", json=body,
                                                   headers=auth("officer", "cv-07", key="chi-0004"))
                                     for _ in range(5)))

    assert [r.status_code for r in replies] == [200] * 5, [r.text for r in replies]
    assert len({r.text for r in replies}) == 1, "every caller got the same answer"
    assert (await svc.events(cid)).count("MoneyDisbursed") == 1
    assert svc.app.get_case(UUID(cid)).held_vnd == 4_000_000
