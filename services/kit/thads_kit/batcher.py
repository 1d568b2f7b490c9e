"""Command batcher: concurrent commands on different aggregates are saved in one transaction.

The library serialises every save of a service behind a table lock, so one event per transaction
tops out near 1,000/s. The batcher takes whatever commands are waiting, runs each one (load → act)
in a worker thread, and records all their events in a single transaction. Each caller still gets
its own result or its own error:

* a domain error in one command fails only that command (its aggregate is left out of the save);
* at most one command per aggregate goes into a batch; later ones wait for the next batch, so
  they see the earlier command's events;
* if the batch transaction fails on a version conflict (another writer saved the same aggregate
  first), every command of the batch is re-run and saved on its own, retrying conflicts on a fresh
  copy, so a conflict on one aggregate does not fail the others and no update is lost.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate
from prometheus_client import Counter, Histogram

from .store import EsExecutor, ServiceApplication, is_conflict

log = logging.getLogger(__name__)

BATCH_SIZE = Histogram("thads_batch_commands", "commands per saved batch",
                       buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))
COMMANDS = Counter("thads_commands_total", "commands handled by the batcher", ["outcome"])

# A command loads what it needs, acts, and returns (aggregates to save, result for the caller).
CommandFn = Callable[[], tuple[Sequence[Aggregate], Any]]


class ConflictRetriesExhaustedError(Exception):
    """The aggregate kept changing under the command; the caller may try again."""

    rule = "optimistic concurrency: the aggregate kept changing while the command ran"


class ServiceStoppingError(Exception):
    """The service is shutting down and takes no more commands; the caller may retry elsewhere."""


@dataclass
class _Pending:
    key: UUID
    fn: CommandFn
    future: asyncio.Future[Any]
    enqueued: float = field(default_factory=time.perf_counter)


class CommandBatcher:
    def __init__(self, app: ServiceApplication, executor: EsExecutor, max_batch: int = 256,
                 conflict_retries: int = 8) -> None:
        self.app = app
        self.executor = executor
        self.max_batch = max_batch
        self.conflict_retries = conflict_retries
        self._queue: deque[_Pending] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: asyncio.Future[Any] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="command-batcher")

    async def stop(self) -> None:
        """Take no new commands, let the batch being saved finish (its callers get their results),
        and refuse what is still queued."""
        self._stopping = True
        if self._in_flight is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._in_flight), 30)
            except Exception:   # noqa: BLE001 - its callers hear about it
                pass
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        while self._queue:
            p = self._queue.popleft()
            if not p.future.done():
                p.future.set_exception(ServiceStoppingError("service is shutting down; try again"))

    async def submit(self, key: UUID, fn: CommandFn) -> Any:
        """Run `fn` for aggregate `key` and save its events; returns fn's result or raises its error."""
        if self._stopping:
            raise ServiceStoppingError("service is shutting down; try again")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(key, fn, future))
        self._wakeup.set()
        return await future

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        keys: set[UUID] = set()
        deferred: list[_Pending] = []
        while self._queue and len(batch) < self.max_batch:
            p = self._queue.popleft()
            if p.key in keys:
                deferred.append(p)
            else:
                keys.add(p.key)
                batch.append(p)
        self._queue.extendleft(reversed(deferred))
        return batch

    async def _loop(self) -> None:
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            batch = self._take_batch()
            self._in_flight = asyncio.ensure_future(self.executor.run(self._execute, [(p.key, p.fn) for p in batch]))
            try:
                outcomes = await asyncio.shield(self._in_flight)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # infrastructure failure: every caller hears about it
                log.exception("batch failed")
                outcomes = [(False, exc)] * len(batch)
            finally:
                self._in_flight = None
            BATCH_SIZE.observe(len(batch))
            for p, (ok, value) in zip(batch, outcomes):
                if p.future.done():
                    continue
                COMMANDS.labels("ok" if ok else type(value).__name__).inc()
                if ok:
                    p.future.set_result(value)
                else:
                    p.future.set_exception(value)

    # --- runs in a worker thread -------------------------------------------------------------
    def _execute(self, commands: list[tuple[UUID, CommandFn]]) -> list[tuple[bool, Any]]:
        outcomes: list[tuple[bool, Any]] = []
        to_save: list[Aggregate] = []
        for _key, fn in commands:
            try:
                aggregates, result = fn()
            except Exception as exc:  # domain error or not found: this command only
                outcomes.append((False, exc))
                continue
            to_save.extend(aggregates)
            outcomes.append((True, result))
        if not to_save:
            return outcomes
        try:
            self.app.record(to_save)
            return outcomes
        except Exception as exc:
            if not is_conflict(exc):
                raise
        # Someone else wrote one of these aggregates first: save command by command.
        return [self._execute_alone(fn) for _key, fn in commands]

    def _execute_alone(self, fn: CommandFn) -> tuple[bool, Any]:
        for _attempt in range(self.conflict_retries):
            try:
                aggregates, result = fn()
            except Exception as exc:
                return False, exc
            try:
                if aggregates:
                    self.app.record(aggregates)
                return True, result
            except Exception as exc:
                if not is_conflict(exc):
                    return False, exc
        return False, ConflictRetriesExhaustedError(
            f"aggregate changed {self.conflict_retries} times while the command ran")
