"""The notices outbox is sent once: two dispatchers (two processes of the service) racing over the same
unsent rows send each notice exactly once and mark it; an erased person's notice is marked, not sent."""
from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from online_service import projections
from online_service.notices import Notice, NoticeDispatcher
from thads_infra import layout

pytestmark = pytest.mark.integration


class Counting:
    channel = "email"

    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    def contact(self, requester):
        return requester.get("email")

    async def send(self, notice: Notice, contact: str) -> None:
        await asyncio.sleep(0)            # let the other dispatcher run in between
        self.sent.append(notice.notice_id)


async def test_two_dispatchers_send_each_notice_exactly_once():
    schema = f"notices_{uuid.uuid4().hex[:8]}"
    pool = await asyncpg.create_pool(host=layout.PG_HOST, port=layout.PG_PORT, database=layout.PG_DB,
                                     user=layout.PG_USER, min_size=1, max_size=6)
    try:
        await pool.execute(f'CREATE SCHEMA "{schema}"')
        await pool.execute(projections.ddl(schema))
        filings = [uuid.uuid4() for _ in range(30)]
        for n, f in enumerate(filings):
            await pool.execute(f'INSERT INTO "{schema}".filing_personal_data (filing_id, owner_sub, requester)'
                               f' VALUES ($1, $2, $3::jsonb)', f, "001090012345", '{"email": "a@b.vn"}')
            for step in ("Submitted", "SentBack"):
                await pool.execute(f'INSERT INTO "{schema}".notices (notice_id, filing_id, step, text_vi)'
                                   f' VALUES ($1, $2, $3, $4)', uuid.uuid4(), f, step, f"thông báo {n}")
        erased = filings[0]
        await pool.execute(f'UPDATE "{schema}".filing_personal_data SET requester = NULL, erased_at = now()'
                           f' WHERE filing_id = $1', erased)
        a, b = Counting(), Counting()
        one = NoticeDispatcher(pool, schema, [a], batch=7)
        two = NoticeDispatcher(pool, schema, [b], batch=7)

        async def drain(d: NoticeDispatcher) -> None:
            while await d.dispatch_once():
                pass
        await asyncio.gather(drain(one), drain(two))
        sent = a.sent + b.sent
        assert len(sent) == len(set(sent)) == 58          # 60 notices, the erased person's 2 not sent
        rows = await pool.fetch(f'SELECT filing_id, sent_at, sent_via FROM "{schema}".notices')
        assert all(r["sent_at"] is not None for r in rows)
        assert {r["sent_via"] for r in rows if r["filing_id"] == erased} == {"erased"}
        assert await drain(one) is None and len(a.sent + b.sent) == 58     # nothing is sent twice
    finally:
        await pool.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await pool.close()
