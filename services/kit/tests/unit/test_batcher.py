"""Command batcher on the in-memory event store (no servers)."""
from __future__ import annotations

import asyncio
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import pytest
from eventsourcing.domain import Aggregate, event

from thads_kit.batcher import CommandBatcher
from thads_kit.store import EsExecutor, ServiceApplication


class Counter(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.value = 0

    def add(self, n: int) -> None:
        if n <= 0:
            raise ValueError("n must be positive")
        self._added(n)

    @event("Added")
    def _added(self, n: int) -> None:
        self.value += n


class Counters(ServiceApplication):
    name = "Counters"


@pytest.fixture
async def setup():
    app = Counters(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    executor = EsExecutor(4)
    batcher = CommandBatcher(app, executor, max_batch=64)
    await batcher.start()
    yield app, batcher
    await batcher.stop()
    await executor.shutdown()


def open_counter(app: Counters):
    def fn():
        c = Counter()
        return [c], c.id
    return fn


def add(app: Counters, cid: UUID, n: int):
    def fn():
        c = app.repository.get(cid)
        c.add(n)
        return [c], c.value
    return fn


async def test_concurrent_commands_on_different_aggregates_share_one_transaction(setup):
    app, batcher = setup
    saves: list[int] = []
    original = app.record
    app.record = lambda aggs, tracking=None, **kw: saves.append(len(list(aggs))) or original(aggs, tracking, **kw)  # type: ignore[method-assign]

    ids = await asyncio.gather(*(batcher.submit(uuid4(), open_counter(app)) for _ in range(50)))

    assert len(set(ids)) == 50
    assert sum(saves) == 50
    assert len(saves) < 50, "commands waiting together must be saved together"
    assert all(app.repository.get(i).value == 0 for i in ids)


async def test_a_domain_error_fails_only_its_own_command(setup):
    app, batcher = setup
    a = await batcher.submit(uuid4(), open_counter(app))
    b = await batcher.submit(uuid4(), open_counter(app))

    results = await asyncio.gather(batcher.submit(a, add(app, a, 5)), batcher.submit(b, add(app, b, -1)),
                                   return_exceptions=True)

    assert results[0] == 5
    assert isinstance(results[1], ValueError)
    assert app.repository.get(a).value == 5
    assert app.repository.get(b).version == 1, "the refused command wrote nothing"


async def test_many_commands_on_one_aggregate_lose_no_update(setup):
    app, batcher = setup
    cid = await batcher.submit(uuid4(), open_counter(app))

    await asyncio.gather(*(batcher.submit(cid, add(app, cid, 1)) for _ in range(40)))

    assert app.repository.get(cid).value == 40


async def test_a_conflicting_writer_outside_the_batcher_does_not_fail_other_commands(setup):
    app, batcher = setup
    a = await batcher.submit(uuid4(), open_counter(app))
    b = await batcher.submit(uuid4(), open_counter(app))
    stale = app.repository.get(a)
    interfered = {"done": False}

    def add_after_interference():
        c = app.repository.get(a)
        c.add(1)
        if not interfered["done"]:           # another process saves `a` between our load and save
            interfered["done"] = True
            stale.add(100)
            app.save(stale)
        return [c], c.value

    results = await asyncio.gather(batcher.submit(a, add_after_interference), batcher.submit(b, add(app, b, 2)))

    assert results == [101, 2]
    assert app.repository.get(a).value == 101, "the conflicting command was re-run on a fresh copy"
    assert app.repository.get(b).value == 2


class Registration(Aggregate):
    @event("Registered")
    def __init__(self, ref: str) -> None:
        self.ref = ref

    @staticmethod
    def create_id(ref: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/registrations/{ref}")


def register(app: Counters, ref: str):
    calls = 0

    def fn():
        nonlocal calls          # like intake's open_case: look up only when re-run after a conflict
        calls += 1
        if calls > 1 and Registration.create_id(ref) in app.repository:
            raise LookupError(f"{ref} is already registered")
        r = Registration(ref)
        return [r], r.id
    return fn


async def test_a_duplicate_creation_is_refused_by_name_without_failing_the_batch(setup):
    app, batcher = setup
    await batcher.submit(Registration.create_id("A-1"), register(app, "A-1"))

    results = await asyncio.gather(batcher.submit(Registration.create_id("A-1"), register(app, "A-1")),
                                   batcher.submit(Registration.create_id("B-2"), register(app, "B-2")),
                                   return_exceptions=True)

    assert isinstance(results[0], LookupError) and "A-1" in str(results[0])
    assert results[1] == Registration.create_id("B-2")


# ---------------------------------------------------------------- stopping

def blocking_open(app: Counters, started: "threading.Event", release: "threading.Event"):
    def fn():
        started.set()
        release.wait(30)
        c = Counter()
        return [c], c.id
    return fn


async def test_stop_answers_the_batch_being_saved_and_refuses_the_queued_ones():
    import threading
    from thads_kit.batcher import ServiceStoppingError

    app = Counters(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    executor = EsExecutor(2)
    batcher = CommandBatcher(app, executor, max_batch=1)
    await batcher.start()
    started, release = threading.Event(), threading.Event()
    first = asyncio.ensure_future(batcher.submit(uuid4(), blocking_open(app, started, release)))
    await asyncio.to_thread(started.wait, 30)          # the first batch is being saved
    queued = [asyncio.ensure_future(batcher.submit(uuid4(), open_counter(app))) for _ in range(2)]
    await asyncio.sleep(0)

    stopping = asyncio.ensure_future(batcher.stop())
    await asyncio.sleep(0)
    release.set()
    # a caller never answered would hang here (the bound only turns a hang into a failure)
    results = await asyncio.wait_for(asyncio.gather(first, *queued, return_exceptions=True), 20)
    await asyncio.wait_for(stopping, 20)

    assert isinstance(results[0], UUID) and app.repository.get(results[0]).version == 1
    assert all(isinstance(r, ServiceStoppingError) for r in results[1:]), results
    assert len(list(app.recorder.select_notifications(1, 100))) == 1, "nothing saved without its caller answered"
    with pytest.raises(ServiceStoppingError):
        await batcher.submit(uuid4(), open_counter(app))
    await executor.shutdown()


async def test_stop_tells_the_callers_of_a_batch_that_does_not_finish_that_the_outcome_is_unknown():
    import threading
    from thads_kit.commands import CommandOutcomeUnknownError

    app = Counters(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    executor = EsExecutor(2)
    batcher = CommandBatcher(app, executor)
    await batcher.start()
    started, release = threading.Event(), threading.Event()
    first = asyncio.ensure_future(batcher.submit(uuid4(), blocking_open(app, started, release)))
    await asyncio.to_thread(started.wait, 30)

    await batcher.stop(timeout=0.1)

    with pytest.raises(CommandOutcomeUnknownError):
        await asyncio.wait_for(first, 20)
    release.set()
    await executor.shutdown()
