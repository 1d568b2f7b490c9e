"""Tracked consumers on the real broker and database: dead letters with their traceback, keys held and
messages parked behind them, operators' replay and discard (through `thads deadletters`), transient
failures retried, two instances of one group through a rebalance, and a rebuild under live traffic.

The sink is a small ledger projection whose failures the test switches on per event: a rule
refusal (its domain error), a code bug (RuntimeError), or its own database connection terminated
(transient)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any, AsyncIterator, Sequence
from uuid import UUID, uuid4

import asyncpg
import pytest
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY

from thads_contracts import Actor, encode
from thads_contracts import auctions as a
from thads_contracts.registry import decode as registry_decode
from thads_contracts.topics import AUCTIONS_ASSET, DEAD_LETTER
from thads_infra import layout
from thads_infra.testing import create_topic, own_schema, pg_connect, publish, read_topic, wait_until
from thads_kit.consumer import Item, TrackedConsumer
from thads_kit.projection import Projection, RebuildRunning

pytestmark = pytest.mark.integration
OFFICER = Actor(id="officer-7", role="officer", unit="TH-01")
AT = datetime(2025, 7, 1, 9, tzinfo=timezone(timedelta(hours=7)))


class Refused(Exception):
    """The ledger's own rule refusal (its domain error)."""


class Ledger(Projection):
    name = "ledger"
    rule_errors = (Refused,)

    def __init__(self, schema: str) -> None:
        super().__init__(schema)
        self.refuse: set[UUID] = set()          # event ids a rule refuses
        self.bug: set[UUID] = set()             # event ids the code fails on
        self.terminate: dict[UUID, int] = {}    # event id -> how many times its connection is killed

    def ddl(self, table: str) -> list[str]:
        return [f"CREATE TABLE {table} (seq bigserial, event_id uuid PRIMARY KEY, case_id uuid NOT NULL,"
                " version int NOT NULL, amount bigint NOT NULL)"]

    async def write(self, conn: asyncpg.Connection, table: str, items: Sequence[Item]) -> None:
        for item in items:
            e = item.envelope
            if self.terminate.get(e.event_id, 0) > 0:
                self.terminate[e.event_id] -= 1
                await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            if e.event_id in self.refuse:
                raise Refused(f"amount {e.payload.amount_vnd} refused")
            if e.event_id in self.bug:
                raise RuntimeError(f"bug while writing {e.event_id}")
        await conn.executemany(f"INSERT INTO {table} (event_id, case_id, version, amount) VALUES ($1, $2, $3, $4)",
                               [(i.envelope.event_id, i.envelope.case_id, i.envelope.aggregate_version,
                                 i.envelope.payload.amount_vnd) for i in items])


def proceeds(case_id: UUID, version: int, position: int, amount: int = 1_000_000) -> a.ProceedsTransferred:
    return a.ProceedsTransferred.create(
        payload=a.ProceedsTransferredPayload(asset_id=case_id, claim_item_ids=(uuid4(),), amount_vnd=amount,
                                             sold_on=date(2025, 6, 18), transferred_on=date(2025, 7, 1)),
        source="auctions", aggregate_id=case_id, aggregate_version=version, case_id=case_id,
        unit="TH-01", actor=OFFICER, occurred_at=AT, recorded_at=AT, source_position=position)


class Env:
    def __init__(self) -> None:
        self.schema = f"t_park_{uuid4().hex[:10]}"
        self.topic = f"test.parking.{uuid4().hex[:10]}"
        self.group = f"{self.schema}.ledger"
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]
        self.ledger = Ledger(self.schema)
        self.position = time.time_ns() // 1000

    def messages(self, case_id: UUID, n: int, start: int = 1, **kw: Any) -> list[a.ProceedsTransferred]:
        out = []
        for v in range(start, start + n):
            self.position += 1
            out.append(proceeds(case_id, v, self.position, **kw))
        return out

    async def send(self, events: Sequence[a.ProceedsTransferred]) -> None:
        await publish(self.topic, [(str(e.case_id).encode(), encode(e)) for e in events])

    @asynccontextmanager
    async def consumer(self, **kw: Any) -> AsyncIterator[TrackedConsumer]:
        broker = KafkaBroker(layout.KAFKA_BOOTSTRAP, log_level=10)
        consumer = TrackedConsumer(name=self.group, broker=broker, topics=[self.topic], sink=self.ledger,
                                   decode=lambda _t, raw: registry_decode(AUCTIONS_ASSET, raw),
                                   retry_seconds=0.05, request_poll_seconds=0.2, **kw)
        await consumer.start(self.pool)
        await broker.start()
        try:
            yield consumer
        finally:
            await broker.stop()
            await consumer.stop()

    async def versions(self, case_id: UUID) -> list[int]:
        rows = await self.pool.fetch(f"SELECT version FROM {self.schema}.ledger WHERE case_id = $1 ORDER BY seq",
                                     case_id)
        return [r["version"] for r in rows]

    async def count(self) -> int:
        return await self.pool.fetchval(f"SELECT count(*) FROM {self.schema}.ledger")

    async def letters(self) -> list[asyncpg.Record]:
        return await self.pool.fetch(f"SELECT * FROM {self.schema}.dead_letter ORDER BY id")

    async def parked(self) -> list[asyncpg.Record]:
        return await self.pool.fetch(f"SELECT * FROM {self.schema}.parked_message ORDER BY id")

    async def snapshot(self) -> Any:
        out = []
        for table in ("dead_letter", "parked_message", "ledger", "projection_position", "projection_release"):
            out.append([dict(r) for r in await self.pool.fetch(f"SELECT * FROM {self.schema}.{table} ORDER BY 1")])
        return out


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    e = Env()
    await create_topic(e.topic, partitions=3)
    async with own_schema(e.schema) as e.pool:
        await e.ledger.setup(e.pool)
        yield e


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "thads_infra.cli", "deadletters", *args], capture_output=True,
                          text=True, env=os.environ | {"COLUMNS": "200"}, timeout=120)


def metric(name: str, consumer: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"consumer": consumer, **labels}) or 0.0


async def letters_on_topic(key: bytes) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in await read_topic(DEAD_LETTER, key=key)]


async def equals(coro: Any, expected: Any) -> bool:
    return await coro == expected


# ------------------------------------------------------------------------------------------------
async def test_a_rule_refusal_is_dead_lettered_its_key_parked_and_other_keys_apply(env: Env) -> None:
    held, other = uuid4(), uuid4()
    first = env.messages(held, 3)
    env.ledger.refuse.add(first[1].event_id)
    later = env.messages(other, 2)
    async with env.consumer() as consumer:
        await env.send(first)
        await env.send(later)
        await wait_until(lambda: equals(env.versions(other), [1, 2]), what="the other key applied")
        parked = await wait_until(lambda: env.parked(), what="a parked message")
        await wait_until(lambda: metric("thads_parked_keys", consumer.name) == 1, what="parked-keys gauge")

    assert await env.versions(held) == [1], "the refused message and the one after it are not applied"
    [letter] = await env.letters()
    assert (letter["status"], letter["reason_code"], letter["msg_key"]) == ("open", "rejected_by_rule", str(held))
    assert "Refused: amount" in letter["reason"] and "Traceback" in letter["traceback"]
    assert [p["notification_id"] for p in parked] == [first[2].source_position]
    [on_topic] = await letters_on_topic(str(held).encode())
    assert on_topic["reason_code"] == "rejected_by_rule" and "raise Refused" in on_topic["traceback"]
    assert metric("thads_dead_letters_total", consumer.name, reason="rejected_by_rule") == 1


async def test_a_handler_bug_is_dead_lettered_with_its_traceback_after_k_attempts_then_replayed_in_order(
        env: Env) -> None:
    held, other = uuid4(), uuid4()
    # positions in send order, as the relay numbers them: both keys may share a partition, whose
    # position then runs across them (a later-sent message with a lower position is a duplicate)
    first = env.messages(held, 3)
    others = env.messages(other, 3)
    events = first + env.messages(held, 2, start=4)
    env.ledger.bug.add(events[1].event_id)
    async with env.consumer(max_attempts=3) as consumer:
        await env.send(events[:3])
        await env.send(others)
        await env.send(events[3:])
        await wait_until(lambda: equals(env.versions(other), [1, 2, 3]), what="other key flows")
        await wait_until(lambda: _len(env.parked(), 3), what="three parked behind the bug")
        [letter] = await env.letters()
        assert (letter["reason_code"], letter["attempts"]) == ("handler_error", 3)
        assert "RuntimeError: bug while writing" in letter["traceback"] and "test_parking.py" in letter["traceback"]
        assert await env.versions(held) == [1]
        [on_topic] = await letters_on_topic(str(held).encode())
        assert on_topic["reason_code"] == "handler_error" and "RuntimeError" in on_topic["traceback"]

        # the bug is fixed; an operator replays: the letter, then the parked ones, in order
        env.ledger.bug.clear()
        result = await asyncio.to_thread(cli, "replay", f"{env.schema}:{letter['id']}")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "replayed" in result.stdout and "3 parked message(s) applied" in result.stdout
        assert await env.versions(held) == [1, 2, 3, 4, 5]
        # the key is free again: a new message applies directly
        await env.send(env.messages(held, 1, start=6))
        await wait_until(lambda: _len(env.versions(held), 6), what="applied after the release")
    [letter] = await env.letters()
    assert letter["status"] == "replayed" and letter["resolved_at"] is not None
    assert all(p["released_at"] is not None for p in await env.parked())


async def test_a_discard_skips_the_dead_letter_and_applies_the_parked_ones_in_order(env: Env) -> None:
    held = uuid4()
    events = env.messages(held, 4)
    env.ledger.bug.add(events[0].event_id)
    async with env.consumer(max_attempts=2):
        await env.send(events)
        await wait_until(lambda: _len(env.parked(), 3), what="three parked")
        [letter] = await env.letters()
        result = await asyncio.to_thread(cli, "discard", f"{env.schema}:{letter['id']}",
                                         "--reason", "trùng lặp với chứng từ khác")
        assert result.returncode == 0, result.stdout + result.stderr
        assert await env.versions(held) == [2, 3, 4]
    [letter] = await env.letters()
    assert (letter["status"], letter["request_reason"]) == ("discarded", "trùng lặp với chứng từ khác")


async def test_a_parked_message_that_fails_on_release_becomes_the_new_dead_letter(env: Env) -> None:
    held = uuid4()
    events = env.messages(held, 4)
    env.ledger.bug.update({events[0].event_id, events[2].event_id})
    async with env.consumer(max_attempts=2):
        await env.send(events)
        await wait_until(lambda: _len(env.parked(), 3), what="three parked")
        first = (await env.letters())[0]
        env.ledger.bug.discard(events[0].event_id)
        result = await asyncio.to_thread(cli, "replay", f"{env.schema}:{first['id']}")
        assert result.returncode == 0, result.stdout + result.stderr
        assert await env.versions(held) == [1, 2]
        old, new = await env.letters()
        assert (old["status"], new["status"], new["notification_id"]) == ("replayed", "open",
                                                                          events[2].source_position)
        # a new message for the key is parked behind the new letter
        await env.send(env.messages(held, 1, start=5))
        await wait_until(lambda: _len(_open_parked(env, new["id"]), 2), what="parked behind the new letter")
        env.ledger.bug.clear()
        result = await asyncio.to_thread(cli, "replay", f"{env.schema}:{new['id']}")
        assert result.returncode == 0, result.stdout + result.stderr
    assert await env.versions(held) == [1, 2, 3, 4, 5]


async def test_bad_input_to_thads_deadletters_is_refused_and_changes_nothing(env: Env) -> None:
    held = uuid4()
    events = env.messages(held, 2)
    env.ledger.refuse.add(events[0].event_id)
    async with env.consumer():
        await env.send(events)
        await wait_until(lambda: _len(env.parked(), 1), what="one parked")
        [letter] = await env.letters()
        ident = f"{env.schema}:{letter['id']}"
        before = await env.snapshot()
        for args, expected in [
            (("replay", f"{env.schema}:999999"), "does not exist"),
            (("replay", "no-such-service:1"), "no service 'no-such-service'"),
            (("replay", "twelve"), "is not a dead-letter id"),
            (("discard", ident), "Missing option '--reason'"),
            (("discard", ident, "--reason", "   "), "--reason must say why"),
        ]:
            result = await asyncio.to_thread(cli, *args)
            assert result.returncode == 2, (args, result.stdout, result.stderr)
            assert expected in result.stdout + result.stderr, (args, result.stdout, result.stderr)
        assert await env.snapshot() == before, "a refused command changed nothing"
        # a resolved letter cannot be released twice
        env.ledger.refuse.clear()
        assert (await asyncio.to_thread(cli, "replay", ident)).returncode == 0
        after = await env.snapshot()
        result = await asyncio.to_thread(cli, "discard", ident, "--reason", "again")
        assert result.returncode == 2 and "already replayed" in result.stdout
        assert await env.snapshot() == after


async def test_terminated_database_connections_are_retried_not_dead_lettered(env: Env) -> None:
    case_id = uuid4()
    events = env.messages(case_id, 20)
    env.ledger.terminate[events[5].event_id] = 5       # more times than max_attempts
    async with env.consumer(max_attempts=2) as consumer:
        await env.send(events)
        await wait_until(lambda: _len(env.versions(case_id), 20), what="all applied")
        assert metric("thads_consumer_transient_failures_total", consumer.name) >= 5
    assert await env.versions(case_id) == list(range(1, 21))
    assert await env.letters() == [] and await env.parked() == []


async def test_two_instances_of_one_group_through_a_rebalance_lose_and_double_nothing(env: Env) -> None:
    cases = [uuid4() for _ in range(30)]
    per_case = 60
    events = []                  # interleaved, with positions growing in publish order (as a relay's do)
    for version in range(1, per_case + 1):
        for c in cases:
            events += env.messages(c, 1, start=version)
    third = len(events) // 3
    # no Kafka offset is ever committed: whoever takes a partition over reads it from the start, so
    # the database positions alone must keep every message from being applied twice
    never = {"max_records": 50, "commit_every": 10**9, "commit_seconds": 10**9}
    async with env.consumer(**never) as first:
        await env.send(events[:third])
        await wait_until(lambda: _at_least(env.count(), third), what="first instance applying")
        async with env.consumer(**never) as second:              # a second instance joins: rebalance
            await env.send(events[third:2 * third])
            await wait_until(lambda: second.applied + second.duplicates > 0, what="the second one working")
        # the second leaves: rebalance again, the first takes everything back
        await env.send(events[2 * third:])
        await wait_until(lambda: _len_count(env, len(events)), timeout=120, what="every message applied")
    assert first.duplicates + second.duplicates > 0, "partitions changed hands and messages came again"
    for case_id in cases:
        assert await env.versions(case_id) == list(range(1, per_case + 1)), "in order, none lost or doubled"
    assert await env.letters() == []


async def test_a_rebuild_switches_under_live_traffic_and_a_second_one_is_refused(env: Env) -> None:
    cases = [uuid4() for _ in range(10)]
    holder = await pg_connect()          # another rebuild holds the projection's lock
    await holder.execute("SELECT pg_advisory_lock(hashtext($1))", env.ledger.rebuild_lock)
    with pytest.raises(RebuildRunning):
        await env.ledger.rebuild(kafka_url=layout.KAFKA_BOOTSTRAP, topics=[env.topic],
                                 decode=lambda _t, raw: registry_decode(AUCTIONS_ASSET, raw))
    await holder.close()
    assert await env.pool.fetchval(f"SELECT live_version FROM {env.schema}.projection_state") == 1
    async with env.consumer():
        await env.send([e for c in cases for e in env.messages(c, 50)])
        await wait_until(lambda: _len_count(env, 500), what="first traffic")
        more = [e for c in cases for e in env.messages(c, 100, start=51)]
        sender = asyncio.create_task(_trickle(env, more))
        rebuild = asyncio.create_task(env.ledger.rebuild(
            kafka_url=layout.KAFKA_BOOTSTRAP, topics=[env.topic],
            decode=lambda _t, raw: registry_decode(AUCTIONS_ASSET, raw), batch=100))
        new = await rebuild
        await sender
        await wait_until(lambda: _len_count(env, 1500), what="all traffic in the live view")
    assert await env.pool.fetchval(f"SELECT live_version FROM {env.schema}.projection_state") == new == 2
    for c in cases:
        assert await env.versions(c) == list(range(1, 151))


# ------------------------------------------------------------------------------------------------
async def _len(coro: Any, n: int) -> bool:
    return len(await coro) == n


async def _at_least(coro: Any, n: int) -> bool:
    return await coro >= n


async def _len_count(env: Env, n: int) -> bool:
    return await env.count() == n


async def _open_parked(env: Env, letter_id: int) -> list[Any]:
    return [p for p in await env.parked() if p["dead_letter_id"] == letter_id and p["released_at"] is None]


async def _trickle(env: Env, events: list[Any]) -> None:
    for i in range(0, len(events), 50):
        await env.send(events[i:i + 50])
        await asyncio.sleep(0.05)


async def test_with_two_instances_a_release_is_served_once_and_new_messages_wait_behind_it(env: Env) -> None:
    held = uuid4()
    events = env.messages(held, 30)
    env.ledger.bug.add(events[0].event_id)
    async with env.consumer(max_attempts=1) as one, env.consumer(max_attempts=1) as two:
        await env.send(events[:20])
        await wait_until(lambda: _len(env.parked(), 19), what="nineteen parked")
        env.ledger.bug.clear()
        [letter] = await env.letters()
        await env.pool.execute(f"UPDATE {env.schema}.dead_letter SET request = 'replay' WHERE id = $1", letter["id"])
        await env.send(events[20:])          # arrive while the release may be running: applied after it
        await wait_until(lambda: _len(env.versions(held), 30), what="everything applied")
    assert await env.versions(held) == list(range(1, 31)), "in order, once"
    [letter] = await env.letters()
    assert letter["status"] == "replayed"
    served = metric("thads_released_total", one.name, action="replay")
    assert served == 1, "one of the two instances served it"


async def test_a_rebuild_does_not_switch_when_the_live_version_changed_meanwhile(env: Env) -> None:
    from thads_kit.projection import RebuildSuperseded

    case_id = uuid4()
    async with env.consumer():
        await env.send(env.messages(case_id, 5))
        await wait_until(lambda: _len(env.versions(case_id), 5), what="live")
    drain = env.ledger._drain
    moved = False

    async def drain_then_move(*args: Any, **kw: Any) -> None:
        nonlocal moved
        await drain(*args, **kw)
        if not moved:                       # another rebuild switched while this one was filling
            moved = True
            await env.pool.execute(f"UPDATE {env.schema}.projection_state SET live_version = 7")

    env.ledger._drain = drain_then_move  # type: ignore[method-assign]
    with pytest.raises(RebuildSuperseded):
        await env.ledger.rebuild(kafka_url=layout.KAFKA_BOOTSTRAP, topics=[env.topic],
                                 decode=lambda _t, raw: registry_decode(AUCTIONS_ASSET, raw))
    assert await env.pool.fetchval(f"SELECT live_version FROM {env.schema}.projection_state") == 7
    assert "ledger_v1" in await env.pool.fetchval(
        f"SELECT definition FROM pg_views WHERE schemaname = '{env.schema}' AND viewname = 'ledger'"), \
        "the view was not pointed at the superseded build"


async def test_a_rebuild_leaves_out_what_the_live_consumer_set_aside_and_a_later_replay_fills_it(env: Env) -> None:
    held, other = uuid4(), uuid4()
    events = env.messages(held, 4)
    env.ledger.bug.add(events[1].event_id)
    async with env.consumer(max_attempts=1):
        await env.send(events)
        await env.send(env.messages(other, 2))
        await wait_until(lambda: _len(env.parked(), 2), what="two parked")
        await wait_until(lambda: _len(env.versions(other), 2), what="other key")
        env.ledger.bug.clear()            # the rebuild would apply the letter now: it must not
        new = await env.ledger.rebuild(kafka_url=layout.KAFKA_BOOTSTRAP, topics=[env.topic],
                                       decode=lambda _t, raw: registry_decode(AUCTIONS_ASSET, raw))
        assert new == 2 and await env.versions(held) == [1] and await env.versions(other) == [1, 2]
        [letter] = await env.letters()
        result = await asyncio.to_thread(cli, "replay", f"{env.schema}:{letter['id']}")
        assert result.returncode == 0, result.stdout + result.stderr
    assert await env.versions(held) == [1, 2, 3, 4]
