"""The outbox relay on the real PostgreSQL and Kafka: why tailing `notification_id > position` never
skips an event (the library's EXCLUSIVE table lock), why a store without that lock is refused, and
what happens when the relay loses the session that holds its advisory lock in the middle of a
publish. Each test drives a throwaway schema and topic of its own."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, event

from thads_infra import layout, topics
from thads_infra.procs import http_ok
from thads_infra.testing import pg_connect, read_topic, service_process, wait_until
from thads_kit.relay import RELAY_FAILURES, OutboxRelay, Outgoing, UnsafeEventStoreError, require_table_lock
from thads_kit.runtime import ensure_schema_sync
from thads_kit.settings import ServiceSettings
from thads_kit.store import EsExecutor, ServiceApplication

pytestmark = pytest.mark.integration


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class RelayTestApp(ServiceApplication):
    name = "RelayTest"


@dataclass
class Store:
    schema: str
    topic: str
    settings: ServiceSettings
    app: RelayTestApp
    executor: EsExecutor

    def relay(self, poll_seconds: float = 0.05, batch: int = 500) -> OutboxRelay:
        def translate(domain_event: Any, notification_id: int) -> Outgoing:
            body = {"id": notification_id, "note": str(domain_event.originator_id)}
            return Outgoing(self.topic, str(domain_event.originator_id).encode(), json.dumps(body).encode(), [])
        return OutboxRelay(service=self.schema, schema=self.schema, events_table="relaytest_events",
                           mapper=self.app.mapper, translate=translate, pg=self.settings.asyncpg_kwargs(),
                           kafka_url=self.settings.kafka_url, batch=batch, poll_seconds=poll_seconds)

    async def write(self, text: str) -> None:
        await self.executor.run(self.app.save, Note(text))

    async def published(self) -> list[tuple[int, int]]:
        """(partition, notification id) of every message, in each partition's order."""
        return [(r.partition, json.loads(r.value)["id"]) for r in await read_topic(self.topic)]

    async def published_ids(self) -> list[int]:
        return [i for _, i in await self.published()]

    async def ids(self) -> list[int]:
        conn = await pg_connect()
        try:
            return [r[0] for r in await conn.fetch(
                f"SELECT notification_id FROM {self.schema}.relaytest_events ORDER BY 1")]
        finally:
            await conn.close()

    async def stored_position(self) -> int:
        conn = await pg_connect()
        try:
            return await conn.fetchval(f"SELECT notification_id FROM {self.schema}.relay_position") or 0
        finally:
            await conn.close()


@pytest.fixture
async def store():
    schema = f"relay_{uuid.uuid4().hex[:10]}"
    settings = ServiceSettings(service_name=schema, pg_schema=schema, kafka_url=layout.KAFKA_BOOTSTRAP,
                               pg_host=layout.PG_HOST, pg_port=layout.PG_PORT, pg_db=layout.PG_DB,
                               pg_user=layout.PG_USER)
    executor = EsExecutor(4)
    await executor.run(ensure_schema_sync, settings)
    # a writer waits for the table lock as long as the test holds it (the default is 10 s)
    app = await executor.run(lambda: RelayTestApp(env=settings.eventsourcing_env() | {"POSTGRES_LOCK_TIMEOUT": "60"}))
    topic = f"thads.test.relay.{schema}"
    await topics.ensure_topics(layout.KAFKA_BOOTSTRAP, topics=[topic])
    try:
        yield Store(schema, topic, settings, app, executor)
    finally:
        await executor.run(app.close)
        await executor.shutdown()
        conn = await pg_connect()
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        finally:
            await conn.close()


async def test_a_lower_notification_id_held_open_is_never_skipped_because_writers_queue_on_the_table_lock(store):
    relay = store.relay()
    await relay.start()
    hold = await pg_connect()
    try:
        await wait_until(lambda: relay.active, what="relay active")
        await store.write("first")                       # something already published
        await wait_until(lambda: relay.position >= 1, what="first event relayed")
        start = relay.position

        # Given writer A's transaction held open after its insert (a notification id taken), at its
        # COMMIT: a deferred trigger on A's row waits for an advisory lock this test holds. The hold
        # is in the database, so the library's own insert path runs unchanged, whatever it is.
        note_a = Note("A, lower id, commits last")
        key = f"thads-test-hold-{store.schema}"
        await hold.execute(f"""
            CREATE FUNCTION {store.schema}.hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock(hashtext('{key}')); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER hold_a AFTER INSERT ON {store.schema}.relaytest_events
              DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.originator_id = '{note_a.id}')
              EXECUTE FUNCTION {store.schema}.hold_commit()""")
        await hold.execute("SELECT pg_advisory_lock(hashtext($1))", key)
        a = asyncio.ensure_future(store.executor.run(store.app.save, note_a))
        await wait_until(lambda: _waiting(f"locktype = 'advisory'"), what="A held at its commit")

        # When writer B saves the next event while A is open
        b = asyncio.ensure_future(store.write("B, higher id"))

        async def b_blocked_or_committed() -> str | None:
            if b.done():
                return "committed while A was open"
            on_table = f"relation = '{store.schema}.relaytest_events'::regclass"
            return "waiting for the table lock" if await _waiting(on_table) else None
        b_state = await wait_until(b_blocked_or_committed, what="B blocked or committed")
        polls = relay_polls(relay)
        await wait_until(lambda: polls["n"] >= 3, what="the relay polled while A was open")
        position_while_open = relay.position

        # and A then commits, and B after it
        await hold.execute("SELECT pg_advisory_unlock(hashtext($1))", key)
        await asyncio.gather(a, b)
        a_id = await hold.fetchval(f"SELECT notification_id FROM {store.schema}.relaytest_events"
                                   " WHERE originator_id = $1", note_a.id)
        last = (await store.ids())[-1]
        await wait_until(lambda: relay.position >= last, what="relay caught up")

        # Then the relay published A's lower id too: nothing was skipped
        published = await store.published_ids()
        assert a_id in published, (f"the relay skipped notification id {a_id}, committed after a higher one "
                                   f"it had already passed (published {sorted(published)})")
        assert sorted(published) == await store.ids()      # each once
        # because B could not commit before A: it queued on the EXCLUSIVE table lock, so the relay
        # saw nothing beyond its position while A was open
        assert b_state == "waiting for the table lock"
        assert position_while_open == start
    finally:
        await hold.close()          # releases the advisory lock if an assertion left it held
        await relay.stop()


async def _waiting(condition: str) -> bool:
    conn = await pg_connect()
    try:
        return await conn.fetchval(f"SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND {condition}")
    finally:
        await conn.close()


def relay_polls(relay: OutboxRelay) -> dict[str, int]:
    """Count the relay's reads of the events table from now on."""
    polls = {"n": 0}
    original = relay._relay_batch                    # noqa: SLF001 - test seam

    async def counting(*args: Any) -> int:
        polls["n"] += 1
        return await original(*args)
    relay._relay_batch = counting                    # type: ignore[method-assign]  # noqa: SLF001
    return polls


async def test_a_store_inserting_without_the_table_lock_is_refused(store, tmp_path):
    # The kit's own check on a store built with the option on
    unsafe = await store.executor.run(lambda: RelayTestApp(
        env=store.settings.eventsourcing_env() | {"POSTGRES_ENABLE_DB_FUNCTIONS": "y"}))
    try:
        with pytest.raises(UnsafeEventStoreError, match="POSTGRES_ENABLE_DB_FUNCTIONS"):
            require_table_lock(unsafe.recorder, "relay test")
    finally:
        await store.executor.run(unsafe.close)
    require_table_lock(store.app.recorder, "relay test")     # the default store passes

    # And a real service process refuses to start with it, saying why
    schema = f"intake_dbf_{uuid.uuid4().hex[:8]}"
    intake = service_process("intake", tmp_path, pg_schema=schema)
    intake.env["POSTGRES_ENABLE_DB_FUNCTIONS"] = "y"
    try:
        intake.start(wait=False)

        def exited_or_healthy() -> str | None:
            if intake.proc is not None and intake.proc.poll() is not None:
                return "exited"
            return "healthy" if http_ok(f"{intake.url}/health") else None
        assert await wait_until(exited_or_healthy, timeout=60, what="refusal") == "exited", intake.tail()
        assert intake.proc.returncode != 0
        assert "POSTGRES_ENABLE_DB_FUNCTIONS" in intake.tail(200) and "table" in intake.tail(200)
    finally:
        intake.stop()
        conn = await pg_connect()
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        finally:
            await conn.close()


async def test_a_relay_losing_its_lock_session_mid_publish_stops_and_a_relay_reacquires_nothing_lost(store):
    # Given 10 events, an active relay and a standby on the same store
    for n in range(10):
        await store.write(f"before {n}")
    first_batch = await store.ids()
    active, standby = store.relay(), store.relay()
    killed: dict[str, int] = {}

    async def cut_session(last: int) -> None:
        # after the broker acknowledged the batch, before its position is stored
        if killed:
            return
        killed["pid"], killed["last"] = active.backend_pid, last
        conn = await pg_connect()
        try:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", active.backend_pid)
            await wait_until(lambda: conn.fetchval("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $1",
                                                   killed["pid"]), what="session gone")
        finally:
            await conn.close()
    active.after_publish = cut_session
    failures_before = RELAY_FAILURES.labels(store.schema)._value.get()

    await active.start()
    try:
        await wait_until(lambda: killed, what="session cut mid-publish")
        await standby.start()
        # When more events are written after the cut
        for n in range(10):
            await store.write(f"after {n}")
        every = await store.ids()

        # Then a relay holds the lock again (on a new session) and everything gets published
        await wait_until(lambda: _caught_up(store, every[-1]), timeout=60, what="all published")
        assert RELAY_FAILURES.labels(store.schema)._value.get() > failures_before, "the cut relay stopped"
        holders = [r for r in (active, standby) if r.active]
        assert len(holders) == 1 and holders[0].backend_pid != killed["pid"]

        in_partitions = await store.published()
        published = [i for _, i in in_partitions]
        counts = Counter(published)
        # nothing lost
        assert set(published) == set(every)
        # only the batch in flight at the cut is sent again (at-least-once; consumers skip it by
        # position); the relay that lost its lock published nothing more
        assert killed["last"] == first_batch[-1]
        assert {i for i, c in counts.items() if c > 1} <= set(first_batch)
        assert all(c <= 2 for c in counts.values()), counts
        assert sorted(i for i in published if i > killed["last"]) == [i for i in every if i > killed["last"]]
        # and in each partition the ids first seen rise (the copies come right after their originals)
        for partition in {p for p, _ in in_partitions}:
            seen: list[int] = []
            for p, i in in_partitions:
                if p == partition and i not in seen:
                    seen.append(i)
            assert seen == sorted(seen)
        assert await store.stored_position() == every[-1]
    finally:
        await active.stop()
        await standby.stop()


async def _caught_up(store: Store, last: int) -> bool:
    return await store.stored_position() >= last
