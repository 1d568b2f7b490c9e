"""The statistics facts projection's rebuild on the real broker and database, with the batch it must
get right: a case's events, an event of an office no reporting unit covers (tree.NotPlaceable) in
the middle of them, and one of them re-published under a new position (the same event_id).

* With the live tracked consumer running: the live table counts the case's events once and the
  stray event is dead-lettered with its reason; a rebuild meanwhile builds a new version with the
  same facts, counted once, without the stray event and without a second dead letter.
* A rebuild that meets the stray event itself (nothing set aside yet): the refused batch is split
  until the stray event stands alone and is skipped; every other event is counted, once.

The topics are the test's own (one partition: one fetch, one batch, in order)."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any, AsyncIterator

import asyncpg
import pytest
from faststream.kafka import KafkaBroker

from stat_history import STORE, M, CaseHistory, facts_of
from thads_contracts import encode
from thads_contracts.registry import decode as registry_decode
from thads_contracts.topics import INTAKE_CASE
from thads_infra import layout
from thads_infra.testing import create_topic, own_schema, publish, wait_until
from thads_kit.consumer import TrackedConsumer
from statistics_service.projections import StatisticsFacts

pytestmark = pytest.mark.integration


def decode(_topic: str, raw: bytes) -> Any:
    return registry_decode(INTAKE_CASE, raw)       # the test's topic carries intake's case events


class Env:
    def __init__(self) -> None:
        self.schema = f"t_statrb_{uuid.uuid4().hex[:10]}"
        self.topic = f"test.statistics.rebuild.{uuid.uuid4().hex[:10]}"
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]
        self.facts = StatisticsFacts(self.schema)
        self.case = (CaseHistory("TH-NGASON").opened(date(2018, 1, 3)).decided(date(2018, 1, 10), 40 * M)
                     .collected(date(2018, 2, 1), 15 * M).collected(date(2018, 3, 1), 25 * M)
                     .completed(date(2018, 3, 5)))
        self.stray = CaseHistory("XX-NOWHERE").opened(date(2018, 1, 4))      # no reporting unit: NotPlaceable
        self.expected = {f.event_id for fs in facts_of([self.case]).values() for f in fs}

    def messages(self) -> list[tuple[bytes, bytes]]:
        """The case's events with the stray one after the second, and the decision again at the end
        (a relay replay: the same event under a new position); positions grow in this order."""
        good = self.case.events
        ordered = [*good[:2], self.stray.events[0], *good[2:], good[1]]
        base = max(e.source_position for e in ordered)
        stamped = [e.model_copy(update={"source_position": base + k}) for k, e in enumerate(ordered, 1)]
        return [(str(e.case_id).encode(), encode(e)) for e in stamped]

    async def facts_of_case(self) -> list[uuid.UUID]:
        rows = await self.pool.fetch(f"SELECT event_id FROM {self.schema}.stat_facts WHERE case_id = ANY($1::uuid[])",
                                     [self.case.id, self.stray.id])
        return sorted(r["event_id"] for r in rows)

    async def letters(self) -> list[asyncpg.Record]:
        if await self.pool.fetchval("SELECT to_regclass($1)", f"{self.schema}.dead_letter") is None:
            return []
        return await self.pool.fetch(f"SELECT * FROM {self.schema}.dead_letter ORDER BY id")

    async def rebuild(self) -> int:
        return await self.facts.rebuild(kafka_url=layout.KAFKA_BOOTSTRAP, topics=[self.topic], decode=decode)


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    e = Env()
    await create_topic(e.topic, partitions=1)
    async with own_schema(e.schema) as e.pool:
        await e.facts.setup(e.pool)
        yield e


async def test_a_rebuild_beside_the_live_consumer_counts_a_replayed_event_once_and_leaves_the_stray_one_dead_lettered(
        env: Env) -> None:
    assert len(env.expected) == len(env.case.events)
    broker = KafkaBroker(layout.KAFKA_BOOTSTRAP, log_level=10)
    consumer = TrackedConsumer(name=f"{env.schema}.facts", broker=broker, topics=[env.topic], sink=env.facts,
                               decode=decode, retry_seconds=0.05, request_poll_seconds=0.2)
    await consumer.start(env.pool)
    await broker.start()
    try:
        await publish(env.topic, env.messages(), store=STORE)
        letters = await wait_until(env.letters, timeout=60, what="the stray event's dead letter")
        await wait_until(lambda: _equals(env.facts_of_case(), sorted(env.expected)), timeout=60,
                         what="the case's facts, once each")
        [letter] = letters
        assert letter["reason_code"] == "rejected_by_rule" and "XX-NOWHERE" in letter["reason"]
        assert "NotPlaceable" in letter["reason"] and letter["status"] == "open"

        new = await env.rebuild()

        assert new == 2 and await env.pool.fetchval(
            f"SELECT live_version FROM {env.schema}.projection_state WHERE name = 'stat_facts'") == 2
        assert await env.facts_of_case() == sorted(env.expected)       # once each, the stray one absent
        assert [dict(r)["id"] for r in await env.letters()] == [letter["id"]]    # no second dead letter
        assert await env.pool.fetchval(f"SELECT count(*) FROM {env.schema}.stat_facts_v2") == len(env.expected)
    finally:
        await broker.stop()
        await consumer.stop()


async def test_a_rebuild_that_meets_the_stray_event_itself_skips_it_alone_and_counts_the_replayed_one_once(
        env: Env) -> None:
    env.facts.consumer_name = f"{env.schema}.facts"        # a consumer that set nothing aside
    await publish(env.topic, env.messages(), store=STORE)
    applied: list[int] = []
    write = env.facts.write

    async def counting_write(conn: Any, table: str, items: Any) -> None:
        await write(conn, table, items)
        applied.append(len(items))
    env.facts.write = counting_write  # type: ignore[method-assign]

    new = await env.rebuild()

    assert new == 2
    assert await env.facts_of_case() == sorted(env.expected)
    assert await env.pool.fetchval(f"SELECT count(*) FROM {env.schema}.stat_facts") == len(env.expected)
    # the refused batch of 7 was split (3 + 4, then 1 + 2 ...) rather than applied one by one
    assert sum(applied) == 6 and len(applied) < 6, applied
    assert await env.letters() == []            # nothing dead-lettered: that is the live consumer's part


async def _equals(coro: Any, expected: Any) -> bool:
    return await coro == expected
