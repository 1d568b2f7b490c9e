"""Read models, deadline watch, personal data and the query API on the real PostgreSQL.

Each test gets its own throwaway schema with its own event store (an `Intake`-like application
named "Intake", so the events table is `<schema>.intake_events`)."""
from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from thads_infra import layout
from thads_infra.testing import pg_connect, wait_until
from thads_kit.auth import issue_token
from thads_kit.batcher import CommandBatcher
from thads_kit.http import create_app
from thads_kit.settings import DEV_JWT_SECRET, ServiceSettings
from thads_kit.store import EsExecutor, ServiceApplication

from intake_service import personal_data, queries_api
from intake_service.personal_data import PartyOfAnotherCaseError
from intake_service.deadlines import Step, due_date
from intake_service.domain import Actor, Case, Role, Status
from intake_service.projections import CaseIndex
from intake_service.scheduler import DeadlineWatch, utc_now

pytestmark = pytest.mark.integration

TZ = timezone(timedelta(hours=7))
CLERK = Actor("clerk-1", Role.CLERK)
HEAD = Actor("head-1", Role.HEAD)
OFFICER = Actor("officer-1", Role.OFFICER)
TODAY = date(2025, 1, 2)   # the watch's "today": after every 2024 due date below


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def judgment(number: str) -> dict[str, str]:
    return {"judgment_number": number, "issuing_court": "Tòa án nhân dân thành phố Hà Nội"}


class _App(ServiceApplication):
    name = "Intake"

    def get_case(self, case_id: UUID) -> Case:
        return self.repository.get(case_id)  # type: ignore[return-value]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session", autouse=True)
def postgres_running() -> None:
    async def reachable() -> bool:
        try:
            conn = await pg_connect()
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    if not asyncio.run(reachable()):
        subprocess.run([sys.executable, "-m", "thads_infra.postgres", "up"], check=True)


@dataclass
class Env:
    schema: str
    app: _App
    pool: asyncpg.Pool
    executor: EsExecutor


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    schema = f"t_readmodels_{uuid4().hex[:12]}"
    admin = await pg_connect()
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    settings = ServiceSettings(service_name="intake", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema,
                               aggregate_cache_size=0, es_pool_size=4)
    executor = EsExecutor(4)
    app = await executor.run(lambda: _App(env=settings.eventsourcing_env()))
    pool = await asyncpg.create_pool(min_size=1, max_size=8, **settings.asyncpg_kwargs())
    try:
        yield Env(schema, app, pool, executor)
    finally:
        await pool.close()
        app.close()
        await executor.shutdown()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


@dataclass
class World:
    a: Case      # HN-01, no conditions; two procuracy copies never sent; re-verification due
    b: Case      # HN-01, on request, everything on time
    c: Case      # HN-02, imported history from 2020, everything met in business time
    d: Case      # HN-01, procuracy copy sent late
    debtor_a: str
    creditor_a: str


def build_world(app: _App) -> World:
    debtor, creditor = str(uuid4()), str(uuid4())
    a = Case.receive_judgment("HN-01", "BA-A", at(2024, 3, 4), CLERK, **judgment("12/2023/HS-ST"))
    a.add_party(debtor, "debtor", "individual", at(2024, 3, 4, 10), CLERK)
    a.add_party(creditor, "creditor", "state", at(2024, 3, 4, 10), CLERK)
    a.add_claim_item("fee", "court_fee", 5_000_000, creditor, at(2024, 3, 4, 11), CLERK, ex_officio=True)
    a.add_claim_item("fine", "fine", 20_000_000, creditor, at(2024, 3, 4, 11), CLERK, ex_officio=True)
    a.decide_enforcement("QD-A1", "ex_officio", at(2024, 3, 6), HEAD)
    a.assign_officer("officer-1", at(2024, 3, 6, 10), HEAD)
    a.notify(at(2024, 3, 7), OFFICER)
    a.start_verification(at(2024, 3, 19), OFFICER)
    a.record_verification("without_conditions", at(2024, 3, 20), HEAD, ground="no_income_or_assets",
                          decision_no="QD-A2")
    a.record_notice_to_parties("QD-A2", date(2024, 3, 21), at(2024, 3, 21), CLERK)   # Art. 39(2), on time

    b = Case.receive_request("HN-01", "DON-B", "in_person", at(2024, 3, 4), CLERK, **judgment("45/2023/DS-PT"))
    b.decide_enforcement("QD-B1", "on_request", at(2024, 3, 5), HEAD)
    b.record_procuracy_copy("QD-B1", date(2024, 3, 6), at(2024, 3, 6), CLERK)
    b.record_notice_to_parties("QD-B1", date(2024, 3, 6), at(2024, 3, 6, 10), CLERK)
    b.assign_officer("officer-2", at(2024, 3, 6, 11), HEAD)

    c = Case.receive_judgment("HN-02", "BA-C", at(2020, 5, 4), CLERK, **judgment("7/2019/HS-ST"))
    c.decide_enforcement("QD-C1", "ex_officio", at(2020, 5, 6), HEAD)
    c.record_procuracy_copy("QD-C1", date(2020, 5, 7), at(2020, 5, 7), CLERK)
    c.record_notice_to_parties("QD-C1", date(2020, 5, 7), at(2020, 5, 7, 10), CLERK)

    d = Case.receive_judgment("HN-01", "BA-D", at(2024, 4, 1), CLERK, **judgment("3/2024/HC-ST"))
    d.decide_enforcement("QD-D1", "ex_officio", at(2024, 4, 1, 14), HEAD)
    d.record_procuracy_copy("QD-D1", date(2024, 4, 10), at(2024, 4, 10), CLERK)
    d.record_notice_to_parties("QD-D1", date(2024, 4, 2), at(2024, 4, 10, 10), CLERK)

    app.save(a, b, c, d)
    return World(a, b, c, d, debtor, creditor)


async def max_nid(env: Env) -> int:
    return await env.pool.fetchval(f'SELECT max(notification_id) FROM "{env.schema}".intake_events')


def expected_misses_of_a() -> set[tuple[str, date]]:
    return {("procuracy_copy", due_date(Step.PROCURACY_COPY, date(2024, 3, 6))),
            ("procuracy_copy", due_date(Step.PROCURACY_COPY, date(2024, 3, 20))),
            ("reverification", due_date(Step.REVERIFICATION, date(2024, 3, 20)))}


def missed_events(app: _App, case_id: UUID) -> Counter[tuple[str, str]]:
    return Counter((e.step, e.due) for e in app.events.get(case_id) if type(e).__name__ == "DeadlineMissed")


# ---------------------------------------------------------------- projections


async def test_case_index_projects_cases_deadlines_and_decisions(env: Env) -> None:
    w = await env.executor.run(build_world, env.app)
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()

    read = await index.catch_up()

    assert read == await max_nid(env)
    s = env.schema
    a = await env.pool.fetchrow(f'SELECT * FROM "{s}".case_view WHERE case_id = $1', w.a.id)
    assert (a["unit"], a["officer_id"], a["status"]) == ("HN-01", "officer-1", "NO_CONDITION")
    assert a["status_label"] == "Chưa có điều kiện thi hành án"
    assert (a["origin"], a["basis"], a["judgment_number"]) == ("judgment", "ex_officio", "12/2023/HS-ST")
    assert a["issuing_court"] == "Tòa án nhân dân thành phố Hà Nội"
    assert (a["received_on"], a["decided_on"]) == (date(2024, 3, 4), date(2024, 3, 6))
    assert (a["owed_vnd"], a["collected_vnd"], a["disbursed_vnd"], a["held_vnd"]) == (25_000_000, 0, 0, 0)
    assert a["version"] == w.a.version
    assert (a["next_due_step"], a["next_due_on"]) == ("procuracy_copy", due_date(Step.PROCURACY_COPY, date(2024, 3, 6)))
    assert '"role": "debtor"' in a["parties"]

    deadlines = await env.pool.fetch(
        f'SELECT step, due_on, done_on, state, step_label FROM "{s}".case_deadline_view'
        " WHERE case_id = $1 ORDER BY ordinal", w.a.id)
    states = {(r["step"], r["due_on"]): r["state"] for r in deadlines}
    copy_a1, copy_a2, reverify = sorted(expected_misses_of_a(), key=lambda x: x[1])
    assert states[copy_a1] == "overdue"            # as of 20/3/2024, the last event of the case
    assert states[copy_a2] == "open"
    assert states[reverify] == "open"
    assert states[("decision_ex_officio", due_date(Step.DECISION_EX_OFFICIO, date(2024, 3, 4)))] == "met"
    assert all(r["step_label"] for r in deadlines)

    c_states = await env.pool.fetch(f'SELECT state FROM "{s}".case_deadline_view WHERE case_id = $1', w.c.id)
    assert sorted(r["state"] for r in c_states) == ["met", "met", "met"]   # history judged in business time

    decisions = {r["decision_no"]: r for r in await env.pool.fetch(f'SELECT * FROM "{s}".decision_view')}
    assert set(decisions) == {"QD-A1", "QD-A2", "QD-B1", "QD-C1", "QD-D1"}
    assert decisions["QD-D1"]["late"] is True
    assert decisions["QD-D1"]["procuracy_copy_due_on"] == due_date(Step.PROCURACY_COPY, date(2024, 4, 1))
    assert decisions["QD-B1"]["late"] is False
    assert decisions["QD-C1"]["late"] is False
    assert decisions["QD-A1"]["late"] is True and decisions["QD-A1"]["procuracy_copy_sent_on"] is None
    assert decisions["QD-A2"]["kind_label"] == "Quyết định về việc chưa có điều kiện thi hành án"

    position = await env.pool.fetchval(f'SELECT position FROM "{s}".case_index_position')
    assert position == await max_nid(env)

    before = await env.pool.fetch(f'SELECT * FROM "{s}".case_deadline_view ORDER BY case_id, ordinal')
    assert await index.rebuild() == await max_nid(env)
    after = await env.pool.fetch(f'SELECT * FROM "{s}".case_deadline_view ORDER BY case_id, ordinal')
    assert [dict(r) for r in after] == [dict(r) for r in before]


async def test_running_index_follows_new_events(env: Env) -> None:
    index = CaseIndex(env.schema, env.app, env.executor, env.pool, poll_seconds=0.5)
    await index.start()
    try:
        case = Case.receive_judgment("HN-03", "BA-E", at(2024, 5, 6), CLERK, **judgment("9/2024/KDTM-ST"))
        await env.executor.run(env.app.save, case)
        await index.wait_for(await max_nid(env), timeout=10)
        status = await env.pool.fetchval(f'SELECT status FROM "{env.schema}".case_view WHERE case_id = $1', case.id)
        assert status == Status.JUDGMENT_RECEIVED.value

    finally:
        await index.stop()

    # NOTIFY alone wakes the index: the poll fallback is far longer than the wait below
    index = CaseIndex(env.schema, env.app, env.executor, env.pool, poll_seconds=60)
    await index.start()
    try:
        await wait_until(lambda: listening(env, index.channel), what="the index's LISTEN registered")
        case.decide_enforcement("QD-E1", "ex_officio", at(2024, 5, 7), HEAD)
        await env.executor.run(env.app.save, case)

        async def decided() -> bool:
            row = await env.pool.fetchrow(
                f'SELECT status, version FROM "{env.schema}".case_view WHERE case_id = $1', case.id)
            return (row["status"], row["version"]) == ("DECIDED", case.version)

        await wait_until(decided, timeout=5, what="case_view updated on NOTIFY")
    finally:
        await index.stop()


async def test_cases_replayed_from_the_batch_give_the_rows_of_cases_loaded_from_the_store(env: Env) -> None:
    """The index replays a new case from the batch's events and continues its own copy with the next
    batches (no query per case); its rows must be those of the store's copy, byte for byte. Batches of
    3 events cut every case across batches; later commands continue cases the index already holds."""
    w = await env.executor.run(build_world, env.app)
    replaying = CaseIndex(env.schema, env.app, env.executor, env.pool, batch=3)
    await replaying.ensure_tables()
    loads: list[UUID] = []
    real = env.app.get_case

    def counted(case_id: UUID) -> Case:
        loads.append(case_id)
        return real(case_id)

    env.app.get_case = counted  # type: ignore[method-assign]
    try:
        await replaying.catch_up()
        a = await env.executor.run(env.app.get_case, w.a.id)
        a.record_procuracy_copy("QD-A1", date(2024, 3, 22), at(2024, 3, 22), CLERK)
        await env.executor.run(env.app.save, a)
        await replaying.catch_up()
    finally:
        env.app.get_case = real  # type: ignore[method-assign]
    assert loads == [w.a.id], "only the test's own load: the index replayed every case"

    s = env.schema
    tables = ("case_view", "case_deadline_view", "decision_view", "case_read", "case_event_read")

    async def rows() -> dict[str, list[dict[str, Any]]]:
        return {t: [dict(r) for r in await env.pool.fetch(f'SELECT * FROM "{s}".{t} ORDER BY 1, 2')] for t in tables}

    replayed = await rows()
    assert len(replayed["case_read"]) == 4 and len(replayed["case_event_read"]) == await max_nid(env)
    from_store = CaseIndex(env.schema, env.app, env.executor, env.pool, cache_size=0)
    await from_store.rebuild()
    assert await rows() == replayed


async def test_a_load_error_fails_the_index_batch_and_only_not_found_is_skipped(env: Env) -> None:
    """A case the index cannot load (the database away, a bug) must not vanish while the position
    moves on: the batch fails and is retried. Only a case that does not exist is skipped. (cache_size=0:
    the index loads every case from the store instead of replaying a new case from the batch.)"""
    index = CaseIndex(env.schema, env.app, env.executor, env.pool, cache_size=0)
    await index.ensure_tables()
    case = Case.receive_judgment("HN-04", "BA-F", at(2024, 5, 6), CLERK, **judgment("10/2024/KDTM-ST"))
    await env.executor.run(env.app.save, case)
    real = env.app.get_case

    def broken(case_id: UUID) -> Case:
        raise ConnectionError("the event store is away")

    env.app.get_case = broken  # type: ignore[method-assign]
    try:
        with pytest.raises(ConnectionError):
            await index.catch_up()
    finally:
        env.app.get_case = real  # type: ignore[method-assign]
    assert await env.pool.fetchval(f'SELECT position FROM "{env.schema}".case_index_position') == 0
    await index.catch_up()
    assert await env.pool.fetchval(f'SELECT count(*) FROM "{env.schema}".case_view WHERE case_id = $1',
                                   case.id) == 1

    # an id that is not a case (not found) is skipped, and the index moves on
    other = Case.receive_judgment("HN-04", "BA-G", at(2024, 5, 7), CLERK, **judgment("11/2024/KDTM-ST"))
    await env.executor.run(env.app.save, other)

    def missing(case_id: UUID) -> Case:
        from eventsourcing.application import AggregateNotFoundError
        raise AggregateNotFoundError(case_id)

    env.app.get_case = missing  # type: ignore[method-assign]
    try:
        await index.catch_up()
    finally:
        env.app.get_case = real  # type: ignore[method-assign]
    assert await env.pool.fetchval(f'SELECT position FROM "{env.schema}".case_index_position') == await max_nid(env)


# ---------------------------------------------------------------- deadline watch


async def test_deadline_watch_records_each_miss_exactly_once(env: Env) -> None:
    w = await env.executor.run(build_world, env.app)
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()
    await index.catch_up()
    batchers = [CommandBatcher(env.app, env.executor), CommandBatcher(env.app, env.executor)]
    for b in batchers:
        await b.start()
    try:
        # the world was recorded a moment ago: no quiet period here (see the test after the next)
        watches = [DeadlineWatch(env.schema, env.pool, b, env.app, today=lambda: TODAY, quiet_for=timedelta(0))
                   for b in batchers]

        # two watchers racing on a stale view, then a rerun as after a crash before the index caught up
        first = await asyncio.gather(*(wt.run_once(TODAY) for wt in watches))
        again = await watches[0].run_once(TODAY)

        assert sum(first) == 3 and again == 0
        counts = missed_events(env.app, w.a.id)
        assert set(counts) == {(step, due.isoformat()) for step, due in expected_misses_of_a()}
        assert set(counts.values()) == {1}
        for case in (w.b, w.c, w.d):   # on time, met in business time, or done (late) — nothing to record
            assert not missed_events(env.app, case.id)

        await index.catch_up()
        flagged = await env.pool.fetch(
            f'SELECT step, due_on FROM "{env.schema}".case_deadline_view WHERE missed_recorded')
        assert {(r["step"], r["due_on"]) for r in flagged} == expected_misses_of_a()
        assert await watches[1].run_once(TODAY) == 0
    finally:
        for b in batchers:
            await b.stop()


async def test_deadline_watch_leaves_a_case_alone_while_an_import_is_replaying_it(env: Env) -> None:
    w = await env.executor.run(build_world, env.app)       # recorded a while ago (see `quiet` below)
    quiet = await clock_past(utc_now())                      # 15 minutes ago, as the watch will see it
    await clock_past(quiet)
    # an import replaying a case of the 2017/18 statistical year, still under way: its procuracy
    # copy deadline (3 working days after 4/10/2017) is missed in its history, too
    imported = Case.receive_judgment("HN-05", "BA-2017", at(2017, 10, 2), CLERK, **judgment("5/2017/HS-ST"))
    imported.decide_enforcement("QD-2017", "ex_officio", at(2017, 10, 4), HEAD)
    await env.executor.run(env.app.save, imported)
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()
    await index.catch_up()
    recorded = await env.pool.fetchrow(
        f'SELECT updated_at, last_event_at FROM "{env.schema}".case_view WHERE case_id = $1', imported.id)
    assert recorded["updated_at"] > quiet, "updated_at is the recording time of the latest event"
    assert recorded["last_event_at"] == at(2017, 10, 4), "last_event_at is its business time"

    batcher = CommandBatcher(env.app, env.executor)
    await batcher.start()
    try:
        watch = DeadlineWatch(env.schema, env.pool, batcher, env.app, today=lambda: TODAY,
                              clock=lambda: quiet + timedelta(minutes=15))
        assert watch.quiet_for == timedelta(minutes=15)

        assert await watch.run_once(TODAY) == 3             # the quiet case a: its three misses
        assert set(missed_events(env.app, w.a.id)) == {(s, d.isoformat()) for s, d in expected_misses_of_a()}
        assert not missed_events(env.app, imported.id), "the case being imported is left alone"

        # so the import's next step (business time 2017) is not refused as backdated
        case = await env.executor.run(env.app.get_case, imported.id)
        case.assign_officer("officer-5", at(2017, 10, 4, 10), HEAD)
        await env.executor.run(env.app.save, case)
        await index.catch_up()

        # once the import is over and the case quiet, what is still open and missed is recorded
        later = DeadlineWatch(env.schema, env.pool, batcher, env.app, today=lambda: TODAY,
                              clock=lambda: utc_now() + timedelta(minutes=15, seconds=1))
        assert await later.run_once(TODAY) == 2   # its copy to the procuracy and its notice to the parties
        assert missed_events(env.app, imported.id) == Counter(
            {("procuracy_copy", due_date(Step.PROCURACY_COPY, date(2017, 10, 4)).isoformat()): 1,
             ("notice_to_parties", due_date(Step.NOTICE_TO_PARTIES, date(2017, 10, 4)).isoformat()): 1})
    finally:
        await batcher.stop()


async def test_only_one_deadline_watch_is_active(env: Env) -> None:
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()
    batcher = CommandBatcher(env.app, env.executor)
    await batcher.start()
    pools = [LockTries(env.pool), LockTries(env.pool)]
    watches = [DeadlineWatch(env.schema, p, batcher, env.app, interval_seconds=0.1) for p in pools]  # type: ignore[arg-type]
    try:
        for wt in watches:
            await wt.start()
        leaders = await wait_until(lambda: [wt for wt in watches if wt.active], what="a watch active")
        assert len(leaders) == 1, "both deadline watches active at once"
        standby = pools[1 - watches.index(leaders[0])]
        tries = standby.tries
        # the other one asked for the lock twice more while the first held it, and was refused
        await wait_until(lambda: standby.tries >= tries + 2, what="the standby refused the lock twice")
        assert sum(wt.active for wt in watches) == 1
    finally:
        for wt in watches:
            await wt.stop()
        await batcher.stop()


# ---------------------------------------------------------------- personal data and the query API


def api_app(env: Env) -> FastAPI:
    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    app = create_app(title="t", version="t", lifespan=None, jwt_secret=DEV_JWT_SECRET, health=health,
                     error_status={})
    app.state.runtime = SimpleNamespace(pool=env.pool)
    app.state.settings = SimpleNamespace(schema=env.schema)
    app.include_router(queries_api.router)
    return app


def auth(role: str, unit: str, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit=unit, sub=sub)}"}


async def test_query_api_personal_data_and_public_list(env: Env) -> None:
    w = await env.executor.run(build_world, env.app)
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()
    await index.catch_up()
    s = env.schema
    assert await personal_data.save_party(env.pool, s, party_id=UUID(w.debtor_a), case_id=w.a.id,
                                          full_name="Nguyễn Văn An", id_number="001088012345",
                                          address="12 Hàng Bạc, Hoàn Kiếm, Hà Nội", phone="0912345678")
    assert await personal_data.save_party(env.pool, s, party_id=UUID(w.debtor_a), case_id=w.a.id,
                                          full_name="Nguyễn Văn An", id_number="001088012345",
                                          address="12 Hàng Bạc, Hoàn Kiếm, Hà Nội", phone="0912345678")
    await personal_data.save_party(env.pool, s, party_id=UUID(w.creditor_a), case_id=w.a.id,
                                   full_name="Cục Thuế Hà Nội")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api_app(env)), base_url="http://t") as http:
        head = auth("head", "HN-01")
        r = await http.get("/cases", headers=head)
        assert r.status_code == 200 and r.json()["total"] == 3
        assert "việc thi hành án" in r.json()["summary"]
        r = await http.get("/cases", params={"party_id": w.debtor_a}, headers=head)
        assert [i["case_id"] for i in r.json()["items"]] == [str(w.a.id)]
        r = await http.get("/cases", params={"judgment_number": "45/2023/DS-PT"}, headers=head)
        assert [i["case_id"] for i in r.json()["items"]] == [str(w.b.id)]
        r = await http.get("/cases", params={"status": "NO_CONDITION", "officer_id": "officer-1"}, headers=head)
        assert r.json()["total"] == 1
        assert (await http.get("/cases", params={"unit": "HN-02"}, headers=auth("officer", "HN-01"))).status_code == 403
        r = await http.get("/cases", params={"unit": "HN-02"}, headers=auth("auditor", "CUC"))
        assert [i["case_id"] for i in r.json()["items"]] == [str(w.c.id)]
        r = await http.get("/cases", params={"status": "BOGUS"}, headers=head)
        assert r.status_code == 422 and "status" in r.json()["message"]
        r = await http.get("/cases", params={"limit": 501}, headers=head)
        assert r.status_code == 422 and "limit" in r.json()["message"]
        assert (await http.get("/cases")).status_code == 401

        r = await http.get("/worklist", headers=auth("officer", "HN-01", sub="officer-1"))
        assert r.status_code == 200
        assert [i["case_id"] for i in r.json()["items"]] == [str(w.a.id)] and r.json()["overdue"] == 1

        r = await http.get("/overdue", params={"unit": "HN-01"}, headers=head)
        body = r.json()
        assert body["total"] == 3
        assert body["by_officer"] == [{"unit": "HN-01", "officer_id": "officer-1", "count": 3}]
        assert body["by_unit"] == [{"unit": "HN-01", "count": 3}]
        assert {(i["step"], i["due_on"]) for i in body["items"]} == {
            (step, due.isoformat()) for step, due in expected_misses_of_a()}

        procuracy = auth("procuracy", "HN-VKS")
        r = await http.get("/procuracy/decisions", params={"unit": "HN-01", "from": "2024-01-01", "to": "2024-12-31"},
                           headers=procuracy)
        body = r.json()
        assert (body["total"], body["late"]) == (4, 3)
        assert {i["decision_no"]: i["late"] for i in body["items"]} == {
            "QD-A1": True, "QD-A2": True, "QD-B1": False, "QD-D1": True}
        r = await http.get("/procuracy/decisions", params={"from": "2024-12-31", "to": "2024-01-01"},
                           headers=procuracy)
        assert r.status_code == 200 and r.json()["total"] == 0 and "Khoảng ngày rỗng" in r.json()["summary"]
        assert (await http.get("/procuracy/decisions", headers=auth("clerk", "HN-01"))).status_code == 403

        r = await http.get("/public/no-condition-debtors", params={"unit": "HN-01"})
        assert r.status_code == 200
        items = r.json()["items"]
        assert items == [{"debtor_name": "Nguyễn Văn An", "address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
                          "obligation": [
                              {"kind": "court_fee", "label": "Án phí, lệ phí Tòa án", "amount_vnd": 5_000_000},
                              {"kind": "fine", "label": "Tiền phạt", "amount_vnd": 20_000_000}]}]
        for secret in ("001088012345", "0912345678", str(w.a.id), w.debtor_a, "Cục Thuế"):
            assert secret not in r.text

        assert await personal_data.erase_party(env.pool, s, UUID(w.debtor_a))
        r = await http.get("/public/no-condition-debtors", params={"unit": "HN-01"})
        assert r.json()["items"] == [] and "Nguyễn" not in r.text

    rows = {str(p["party_id"]): p for p in await personal_data.parties_for_case(env.pool, s, w.a.id)}
    erased = rows[w.debtor_a]
    assert erased["erased"] and erased["erased_at"] is not None
    assert (erased["full_name"], erased["id_number"], erased["address"], erased["phone"]) == (None,) * 4
    assert rows[w.creditor_a]["full_name"] == "Cục Thuế Hà Nội"
    # a replayed save after erasure does not bring the data back
    assert not await personal_data.save_party(env.pool, s, party_id=UUID(w.debtor_a), case_id=w.a.id,
                                              full_name="Nguyễn Văn An", id_number="001088012345")
    again = await personal_data.parties_for_case(env.pool, s, w.a.id)
    assert all(p["id_number"] is None for p in again if str(p["party_id"]) == w.debtor_a)


async def test_personal_data_of_a_party_belongs_to_one_case(env: Env) -> None:
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()
    s, party, case_a, case_b = env.schema, uuid4(), uuid4(), uuid4()
    assert await personal_data.save_party(env.pool, s, party_id=party, case_id=case_a, full_name="Trần Thị Hoa",
                                          id_number="038190004321", address="5 Phan Chu Trinh", phone="0987654321")
    assert await personal_data.case_of_party(env.pool, s, party) == case_a

    with pytest.raises(PartyOfAnotherCaseError):
        await personal_data.save_party(env.pool, s, party_id=party, case_id=case_b, full_name="Kẻ Mạo Danh",
                                       id_number="000000000000", address=None, phone=None)

    (row,) = await personal_data.parties_for_case(env.pool, s, case_a)
    assert (row["full_name"], row["id_number"], row["address"], row["phone"]) == (
        "Trần Thị Hoa", "038190004321", "5 Phan Chu Trinh", "0987654321")
    assert await personal_data.parties_for_case(env.pool, s, case_b) == []
    # its own case may still correct it
    assert await personal_data.save_party(env.pool, s, party_id=party, case_id=case_a, full_name="Trần Thị Hoa",
                                          address="7 Phan Chu Trinh")
    assert (await personal_data.parties_for_case(env.pool, s, case_a))[0]["address"] == "7 Phan Chu Trinh"


def _registered_case(debtor: str, creditor: str) -> Case:
    """HN-01: without conditions since 20/3/2024, checked twice, moved to the separate register."""
    e = Case.receive_judgment("HN-01", "BA-E", at(2024, 3, 4), CLERK, **judgment("30/2023/HS-ST"))
    e.add_party(debtor, "debtor", "individual", at(2024, 3, 4, 10), CLERK)
    e.add_party(creditor, "creditor", "state", at(2024, 3, 4, 10), CLERK)
    e.add_claim_item("fine", "fine", 7_000_000, creditor, at(2024, 3, 4, 11), CLERK, ex_officio=True)
    e.decide_enforcement("QD-E1", "ex_officio", at(2024, 3, 6), HEAD)
    e.notify(at(2024, 3, 7), OFFICER)
    e.start_verification(at(2024, 3, 19), OFFICER)
    e.record_verification("without_conditions", at(2024, 3, 20), HEAD, ground="no_income_or_assets",
                          decision_no="QD-E2")
    e.reverify(False, at(2024, 9, 16), OFFICER)
    e.reverify(False, at(2025, 3, 17), OFFICER)
    e.move_to_separate_register(at(2025, 3, 24), HEAD)
    return e


async def test_the_public_list_keeps_a_debtor_moved_to_the_separate_register(env: Env) -> None:
    """TT 04/2023 Art. 6(2): listed until termination, completion or continuation, the separate
    register included (issue 7 §1.7); a continuation decision takes the debtor off the list."""
    debtor, creditor = str(uuid4()), str(uuid4())
    e = _registered_case(debtor, creditor)
    await env.executor.run(env.app.save, e)
    index = CaseIndex(env.schema, env.app, env.executor, env.pool)
    await index.ensure_tables()
    await index.catch_up()
    await personal_data.save_party(env.pool, env.schema, party_id=UUID(debtor), case_id=e.id,
                                   full_name="Trần Thị Bình", address="5 Lê Lợi, Thanh Hóa")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api_app(env)), base_url="http://t") as http:
        r = await http.get("/public/no-condition-debtors", params={"unit": "HN-01"})
        assert r.json()["items"] == [{"debtor_name": "Trần Thị Bình", "address": "5 Lê Lợi, Thanh Hóa",
                                      "obligation": [{"kind": "fine", "label": "Tiền phạt",
                                                      "amount_vnd": 7_000_000}]}]
        case = await env.executor.run(env.app.get_case, e.id)
        case.continue_from_no_condition("QD-E3", at(2025, 4, 1), HEAD)
        await env.executor.run(env.app.save, case)
        await index.catch_up()
        r = await http.get("/public/no-condition-debtors", params={"unit": "HN-01"})
        assert r.json()["items"] == []


async def listening(env: Env, channel: str) -> bool:
    """A session of the test's pool has LISTENed on `channel` (its last statement)."""
    return await env.pool.fetchval(
        "SELECT count(*) > 0 FROM pg_stat_activity WHERE state = 'idle' AND query ILIKE 'LISTEN %' || $1 || '%'",
        channel)


async def clock_past(moment: datetime) -> datetime:
    """The wall clock once it reads strictly later than `moment`."""
    return await wait_until(lambda: (now := utc_now()) > moment and now, interval=0.001,
                            what=f"the clock past {moment}")


class LockTries:
    """The pool a deadline watch is given, counting its pg_try_advisory_lock calls."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool, self.tries = pool, 0

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self.pool.acquire() as conn:
            yield _CountingConnection(conn, self)


class _CountingConnection:
    def __init__(self, conn: asyncpg.Connection, owner: LockTries) -> None:
        self._conn, self._owner = conn, owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def fetchval(self, query: str, *args: Any) -> Any:
        if "pg_try_advisory_lock" in query:
            self._owner.tries += 1
        return await self._conn.fetchval(query, *args)
