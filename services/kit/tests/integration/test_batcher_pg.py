"""The command batcher on the real PostgreSQL: one command's failing save does not fail its batch-mates,
commands with an explicit id (Kafka-borne) are applied once, and every command leaves its id in the
same transaction as its events."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, AsyncIterator

import pytest
from eventsourcing.domain import Aggregate, event

from thads_infra import layout
from thads_infra.testing import pg_connect
from thads_kit.batcher import CommandBatcher
from thads_kit.settings import ServiceSettings
from thads_kit.store import EsExecutor, ServiceApplication

pytestmark = pytest.mark.integration


class Counter(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.value = 0

    @event("Added")
    def add(self, n: int) -> None:
        self.value += n


class Counters(ServiceApplication):
    name = "Counters"


@pytest.fixture
async def setup() -> AsyncIterator[tuple[Counters, CommandBatcher, str]]:
    schema = f"t_batcher_{uuid.uuid4().hex[:12]}"
    admin = await pg_connect()
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    settings = ServiceSettings(service_name="counters", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema, es_pool_size=4)
    executor = EsExecutor(4)
    app = await executor.run(lambda: Counters(env=settings.eventsourcing_env()))
    batcher = CommandBatcher(app, executor)
    await batcher.start()
    try:
        yield app, batcher, schema
    finally:
        await batcher.stop()
        app.close()
        await executor.shutdown()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


def open_counter():
    def fn():
        c = Counter()
        return [c], str(c.id)
    return fn


def add(app: Counters, cid: str, n: int):
    def fn():
        c = app.repository.get(uuid.UUID(cid))
        c.add(n)
        return [c], c.value
    return fn


async def test_one_commands_failing_save_does_not_fail_its_batch_mates(setup):
    app, batcher, _schema = setup
    saves: list[int] = []
    original = app.record

    def record(aggregates: Any, tracking: Any = None, **kw: Any) -> int:
        aggregates = list(aggregates)
        saves.append(len(aggregates))
        return original(aggregates, tracking, **kw)

    app.record = record  # type: ignore[method-assign]
    ids = await asyncio.gather(*(batcher.submit(uuid.uuid4(), open_counter()) for _ in range(3)))
    saves.clear()

    bad = batcher.submit(uuid.UUID(ids[1]), add(app, ids[1], 5))
    # the command's same-transaction write refuses at save time (not in the command itself)
    from thads_kit import commands

    class Refused(Exception):
        pass

    def refusing_write(_curs: Any) -> None:
        raise Refused("this command's write fails in the transaction")

    async def with_write():
        token = commands.current.set(commands.CommandContext(key=f"t:{uuid.uuid4()}", fingerprint="f",
                                                             client_key=False, writes=[refusing_write]))
        try:
            return await bad
        finally:
            commands.current.reset(token)

    results = await asyncio.gather(batcher.submit(uuid.UUID(ids[0]), add(app, ids[0], 1)), with_write(),
                                   batcher.submit(uuid.UUID(ids[2]), add(app, ids[2], 3)), return_exceptions=True)

    assert saves[0] == 3, "the three commands were tried in one batch"
    assert results[0] == 1 and results[2] == 3, results
    assert isinstance(results[1], Refused)
    assert [app.repository.get(uuid.UUID(i)).value for i in ids] == [1, 0, 3]


async def test_a_command_with_an_explicit_id_is_applied_once_however_often_it_arrives(setup):
    app, batcher, schema = setup
    cid = await batcher.submit(uuid.uuid4(), open_counter())

    results = [await batcher.submit(uuid.UUID(cid), add(app, cid, 7), command_id="bank-msg-42") for _ in range(3)]

    assert results == [7, 7, 7]
    assert app.repository.get(uuid.UUID(cid)).value == 7
    conn = await pg_connect()
    try:
        rows = await conn.fetch(f'SELECT command_id, result FROM "{schema}".counters_commands ORDER BY recorded_at')
    finally:
        await conn.close()
    assert [r["command_id"] for r in rows][1:] == ["msg:bank-msg-42"]
    assert rows[0]["command_id"].startswith("gen:"), "a command without an id gets a generated one"


async def test_a_batch_whose_commit_acknowledgement_is_lost_answers_each_caller_once_and_applies_each_once(setup):
    from eventsourcing.persistence import OperationalError

    app, batcher, _schema = setup
    ids = await asyncio.gather(*(batcher.submit(uuid.uuid4(), open_counter()) for _ in range(3)))
    fired: list[int] = []

    def lose_ack(rows: Any) -> None:
        if not fired:
            fired.append(len(rows))
            raise OperationalError("fault injection: connection lost after COMMIT")

    app.recorder.after_commit = lose_ack  # type: ignore[attr-defined]
    results = await asyncio.gather(*(batcher.submit(uuid.UUID(i), add(app, i, n)) for n, i in enumerate(ids, 1)))

    assert fired == [3], "the three commands committed in one transaction, then the acknowledgement was lost"
    assert results == [1, 2, 3]
    assert [app.repository.get(uuid.UUID(i)).value for i in ids] == [1, 2, 3]
    assert [app.repository.get(uuid.UUID(i)).version for i in ids] == [2, 2, 2], "one Added event each"


class SnapshottedCounters(ServiceApplication):
    name = "SnapCounters"
    snapshotting_intervals = {Counter: 4}


async def test_a_batch_reads_its_aggregates_in_one_statement_snapshots_included(setup):
    """The batch's aggregates come from ONE statement (latest snapshot + later events), not two
    queries per command, and are the same aggregates the library would load."""
    app, _batcher, schema = setup
    settings = ServiceSettings(service_name="counters", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema, es_pool_size=4)
    executor = EsExecutor(2)
    snap_app = await executor.run(lambda: SnapshottedCounters(env=settings.eventsourcing_env()))
    batcher = CommandBatcher(snap_app, executor)
    await batcher.start()
    try:
        ids = await asyncio.gather(*(batcher.submit(uuid.uuid4(), open_counter()) for _ in range(4)))
        for n in range(1, 9):     # versions up to 9: snapshots at 4 and 8, then one event; 10 takes none
            await asyncio.gather(*(batcher.submit(uuid.UUID(i), add(snap_app, i, n)) for i in ids[:3]))
        snapshots = [len(list(snap_app.snapshots.get(uuid.UUID(i)))) for i in ids]
        assert snapshots == [2, 2, 2, 0]
        queries: list[Any] = []
        recorder = snap_app.recorder
        original = type(recorder).select_events

        def counting(self: Any, *a: Any, **kw: Any) -> Any:
            queries.append(a)
            return original(self, *a, **kw)

        type(recorder).select_events = counting   # the library's per-aggregate read (events and snapshots)
        preloads: list[int] = []
        original_latest = recorder.select_latest
        recorder.select_latest = lambda keys, table: preloads.append(len(keys)) or original_latest(keys, table)
        try:
            results = await asyncio.gather(*(batcher.submit(uuid.UUID(i), add(snap_app, i, 100)) for i in ids))
        finally:
            type(recorder).select_events = original
        assert preloads == [4], "one statement for the batch's four aggregates"
        assert queries == [], "no aggregate was read on its own"
        assert results == [136, 136, 136, 100]
        loaded = [snap_app.repository.get(uuid.UUID(i)) for i in ids]    # the library's own read
        assert [(c.value, c.version) for c in loaded] == [(136, 10), (136, 10), (136, 10), (100, 2)]
    finally:
        await batcher.stop()
        snap_app.close()
        await executor.shutdown()


async def test_a_write_committed_after_the_batch_read_its_aggregates_is_not_lost(setup):
    """Another writer saves an aggregate between the batch's one read and its save: the batch's
    save conflicts, each command re-runs on its own on a fresh read, and no update is lost."""
    app, batcher, _schema = setup
    ids = await asyncio.gather(*(batcher.submit(uuid.uuid4(), open_counter()) for _ in range(2)))
    recorder = app.recorder
    original_latest = recorder.select_latest
    interfered: list[bool] = []

    def read_then_interfere(keys: Any, table: Any) -> Any:
        rows = original_latest(keys, table)
        if not interfered:      # a rival writer commits on the first aggregate after the read
            interfered.append(True)
            rival = app.repository.get(uuid.UUID(ids[0]))
            rival.add(1000)
            app.save(rival)
        return rows

    recorder.select_latest = read_then_interfere
    results = await asyncio.gather(*(batcher.submit(uuid.UUID(i), add(app, i, 5)) for i in ids))

    assert interfered == [True]
    assert results == [1005, 5]
    assert [app.repository.get(uuid.UUID(i)).value for i in ids] == [1005, 5]
