"""Command batcher: concurrent commands on different aggregates are saved in one transaction.

The library serialises every save of a service behind a table lock, so one event per transaction
tops out near 1,000/s. The batcher takes whatever commands are waiting, runs each one (load → act)
in a worker thread, and records all their events in a single transaction. Each caller still gets
its own result or its own error:

* every command has a command id (commands.py), stored with its events and its result in the
  batch's transaction; a command whose id is already stored is not run again: its caller gets the
  stored result (or 422 when the id was stored for a different request);
* a domain error in one command fails only that command (its aggregate is left out of the save);
* at most one command per aggregate goes into a batch; later ones wait for the next batch, so
  they see the earlier command's events;
* the aggregates named by the batch's keys are read in ONE statement before its commands run
  (`ServiceApplication.preloaded`), not two queries per command; a re-run on its own reads afresh;
* if the batch transaction fails for ANY reason (a version conflict because another writer saved
  the same aggregate first, a command's same-transaction write refusing, a lost COMMIT
  acknowledgement whose retry hit the unique keys), every command of the batch is re-run and saved
  on its own, retrying conflicts on a fresh copy: one command's failure does not fail the others,
  no update is lost, and the command id lookup before each re-run means nothing committed is
  applied twice;
* `stop()` lets the batch being saved finish and answers its callers, refuses what is still queued
  (ServiceStoppingError, 503) and takes nothing new.
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
from pydantic_core import to_jsonable_python

from . import commands as cmd
from .commands import CommandId, CommandOutcomeUnknownError, IdempotencyKeyReusedError, Write
from .store import CommandRow, EsExecutor, ServiceApplication, is_conflict

log = logging.getLogger(__name__)

BATCH_SIZE = Histogram("thads_batch_commands", "commands per saved batch",
                       buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))
COMMANDS = Counter("thads_commands_total", "commands handled by the batcher", ["outcome"])
REPLAYED = Counter("thads_commands_replayed_total",
                   "commands whose id was already stored: the original result was returned, nothing written")

# A command loads what it needs, acts, and returns (aggregates to save, result for the caller).
CommandFn = Callable[[], tuple[Sequence[Aggregate], Any]]


class ConflictRetriesExhaustedError(Exception):
    """The aggregate kept changing under the command; the caller may try again."""

    rule = "optimistic concurrency: the aggregate kept changing while the command ran"
    legal_basis = None
    message_vi = "Hồ sơ liên tục thay đổi trong khi lệnh đang chạy; chưa có gì được ghi, hãy thử lại"

class ServiceStoppingError(Exception):
    """The service is shutting down and takes no more commands; the caller may retry elsewhere."""

    rule = "service stopping: the command was not run"
    legal_basis = None
    message_vi = "Dịch vụ đang dừng, lệnh chưa được thực hiện; hãy thử lại"


@dataclass
class _Pending:
    key: UUID
    fn: CommandFn
    future: asyncio.Future[Any]
    command: CommandId
    writes: list[Write] = field(default_factory=list)
    context: cmd.CommandContext | None = None
    enqueued: float = field(default_factory=time.perf_counter)


@dataclass
class _Outcome:
    ok: bool
    value: Any
    replayed: bool = False


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
        self._batch: list[_Pending] = []
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="command-batcher")

    async def stop(self, timeout: float = 60.0) -> None:
        """Take no new commands, refuse what is still queued, let the batch being saved finish and
        answer its callers. Only if that batch is still not saved after `timeout` are its callers
        told that the outcome is unknown (CommandOutcomeUnknownError: retry with the same key)."""
        self._stopping = True
        self._wakeup.set()
        self._refuse_queued()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=timeout)
            if not done:
                self._task.cancel()
                try:
                    await self._task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001
                    pass
            for p in self._batch:
                if not p.future.done():
                    p.future.set_exception(CommandOutcomeUnknownError(
                        "the service stopped while this command was being saved; it may have been saved"))
        self._refuse_queued()

    def _refuse_queued(self) -> None:
        while self._queue:
            p = self._queue.popleft()
            if not p.future.done():
                p.future.set_exception(ServiceStoppingError("service is shutting down; try again"))

    async def submit(self, key: UUID, fn: CommandFn, *, command_id: str | None = None,
                     fingerprint: str | None = None) -> Any:
        """Run `fn` for aggregate `key` and save its events; returns fn's result or raises its error.
        The command id is `command_id` when given (a Kafka message id; `fingerprint` then tells
        requests apart), else the current HTTP request's (commands.command_context), else a new one.
        A command whose id is already stored returns the stored result (its JSON form)."""
        if self._stopping:
            raise ServiceStoppingError("service is shutting down; try again")
        ctx = cmd.current.get()
        writes: list[Write] = []
        if command_id is not None:
            cid = cmd.explicit(command_id, fingerprint)
        elif ctx is not None:
            cid = ctx.next_id()
        else:
            cid = cmd.generated()
        if ctx is not None:
            writes = ctx.take_writes()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(key, fn, future, cid, writes, ctx))
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
        while not self._stopping:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self._batch = batch = self._take_batch()
            try:
                outcomes = await self.executor.run(self._execute, batch)
            except Exception as exc:  # noqa: BLE001 - infrastructure failure: every caller hears about it
                log.exception("batch failed")
                outcomes = [_Outcome(False, exc)] * len(batch)
            BATCH_SIZE.observe(len(batch))
            for p, o in zip(batch, outcomes):
                if p.future.done():
                    continue
                COMMANDS.labels("ok" if o.ok else type(o.value).__name__).inc()
                if o.replayed:
                    REPLAYED.inc()
                    if p.context is not None:
                        p.context.mark_replayed()
                if o.ok:
                    p.future.set_result(o.value)
                else:
                    p.future.set_exception(o.value)
            self._batch = []

    # --- runs in a worker thread -------------------------------------------------------------
    def _stored(self, pending: Sequence[_Pending], all_ids: bool) -> dict[int, _Outcome]:
        """Outcomes of the commands whose id is already stored (by index in `pending`)."""
        ids = [p.command.id for p in pending if all_ids or p.command.known]
        if not ids:
            return {}
        found = self.app.find_commands(ids)
        out: dict[int, _Outcome] = {}
        for i, p in enumerate(pending):
            row = found.get(p.command.id)
            if row is None:
                continue
            if row.fingerprint == p.command.fingerprint:
                out[i] = _Outcome(True, row.result, replayed=True)
            else:
                out[i] = _Outcome(False, IdempotencyKeyReusedError(
                    f"command id {p.command.id.split(':', 2)[-1]!r} was already used for a different request"))
        return out

    def _execute(self, batch: list[_Pending]) -> list[_Outcome]:
        outcomes: dict[int, _Outcome] = self._stored(batch, all_ids=False)
        to_save: list[Aggregate] = []
        rows: list[CommandRow] = []
        writes: list[Write] = []
        # the aggregates of the batch are read in one statement before the commands run (store.py)
        with self.app.preloaded([p.key for i, p in enumerate(batch) if i not in outcomes]):
            for i, p in enumerate(batch):
                if i in outcomes:
                    continue
                try:
                    aggregates, result = p.fn()
                    row = CommandRow(p.command.id, p.command.fingerprint, to_jsonable_python(result))
                except Exception as exc:  # domain error or not found: this command only
                    outcomes[i] = _Outcome(False, exc)
                    continue
                to_save.extend(aggregates)
                rows.append(row)
                writes.extend(p.writes)
                outcomes[i] = _Outcome(True, result)
        if rows:
            try:
                self.app.record(to_save, commands=rows, writes=writes)
            except Exception as exc:  # noqa: BLE001
                # A conflict, one command's write refusing, or a lost acknowledgement: save one by one;
                # the id lookup before each re-run returns the result of any that did commit.
                if not is_conflict(exc):
                    log.warning("batch of %d not saved (%s: %s); saving its commands one by one",
                                len(batch), type(exc).__name__, exc)
                return [self._execute_alone(p) for p in batch]
        return [outcomes[i] for i in range(len(batch))]

    def _execute_alone(self, p: _Pending) -> _Outcome:
        for _attempt in range(self.conflict_retries):
            try:
                stored = self._stored([p], all_ids=True)
            except Exception as exc:  # noqa: BLE001 - the store is unreachable
                return _Outcome(False, exc)
            if stored:
                return stored[0]
            try:
                aggregates, result = p.fn()
                row = CommandRow(p.command.id, p.command.fingerprint, to_jsonable_python(result))
            except Exception as exc:
                return _Outcome(False, exc)
            try:
                self.app.record(aggregates, commands=[row], writes=p.writes)
                return _Outcome(True, result)
            except Exception as exc:
                if not is_conflict(exc):
                    return _Outcome(False, exc)
        return _Outcome(False, ConflictRetriesExhaustedError(
            f"aggregate changed {self.conflict_retries} times while the command ran"))
