"""The public list of debtors without conditions (Art. 44a) shows a debtor's personal data only when
that data belongs to the listed case: personal data is joined on the party AND the case."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator

import asyncpg
import pytest

from thads_infra import layout
from thads_infra.testing import pg_connect
from thads_kit.settings import ServiceSettings
from thads_kit.store import EsExecutor

from intake_service import personal_data, projections
from intake_service.application import Intake
from intake_service.domain import Actor, Case, Role
from intake_service.projections import CaseIndex

pytestmark = pytest.mark.integration
TZ = timezone(timedelta(hours=7))
CLERK, HEAD = Actor("clerk-1", Role.CLERK), Actor("head-1", Role.HEAD)


def at(m: int, d: int, h: int = 9) -> datetime:
    return datetime(2024, m, d, h, tzinfo=TZ)


@pytest.fixture
async def env() -> AsyncIterator[tuple[Intake, asyncpg.Pool, str, EsExecutor]]:
    schema = f"t_publist_{uuid.uuid4().hex[:12]}"
    admin = await pg_connect()
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    settings = ServiceSettings(service_name="intake", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema, es_pool_size=2)
    executor = EsExecutor(2)
    app = await executor.run(lambda: Intake(env=settings.eventsourcing_env()))
    pool = await asyncpg.create_pool(min_size=1, max_size=4, **settings.asyncpg_kwargs())
    try:
        yield app, pool, schema, executor
    finally:
        await pool.close()
        app.close()
        await executor.shutdown()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


def no_condition_case(debtors: list[str]) -> Case:
    creditor = str(uuid.uuid4())
    case = Case.receive_judgment("HN-01", f"BA-{uuid.uuid4().hex[:6]}", at(3, 4), CLERK,
                                 judgment_number="12/2023/HS-ST", issuing_court="TAND thành phố Hà Nội")
    for d in debtors:
        case.add_party(d, "debtor", "individual", at(3, 4, 10), CLERK)
    case.add_party(creditor, "creditor", "state", at(3, 4, 10), CLERK)
    case.add_claim_item("fine", "fine", 20_000_000, creditor, at(3, 4, 11), CLERK, ex_officio=True)
    case.decide_enforcement("QD-1", "ex_officio", at(3, 6), HEAD)
    case.assign_officer("officer-1", at(3, 6, 10), HEAD)
    case.notify(at(3, 7), Actor("officer-1", Role.OFFICER))
    case.start_verification(at(3, 19), Actor("officer-1", Role.OFFICER))
    case.record_verification("without_conditions", at(3, 20), HEAD, ground="no_income_or_assets",
                             decision_no="QD-2")
    return case


async def test_personal_data_of_another_case_is_not_shown_for_a_party_id_listed_on_this_case(env):
    app, pool, schema, executor = env
    borrowed, own = str(uuid.uuid4()), str(uuid.uuid4())
    case = no_condition_case([borrowed, own])
    await executor.run(app.save, case)
    index = CaseIndex(schema, app, executor, pool)
    await index.ensure_tables()
    await index.catch_up()
    # the borrowed party id's personal data belongs to another case
    await personal_data.save_party(pool, schema, party_id=uuid.UUID(borrowed), case_id=uuid.uuid4(),
                                   full_name="Người Của Việc Khác", address="1 Nơi Khác")
    await personal_data.save_party(pool, schema, party_id=uuid.UUID(own), case_id=case.id,
                                   full_name="Nguyễn Văn An", address="12 Hàng Bạc")

    async with pool.acquire() as conn:
        total, items = await projections.no_condition_debtors(conn, schema, unit="HN-01")

    assert (total, [i["debtor_name"] for i in items]) == (1, ["Nguyễn Văn An"])
