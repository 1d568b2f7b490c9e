"""The per-service event store: an eventsourcing Application on PostgreSQL (one schema per service)
whose recorder is a process recorder, so that a consumer can store its tracking position in the
same transaction as the events it causes. The library is synchronous: call it through `EsExecutor`,
never on the event loop.

`CommandRecorder` extends the library's process recorder so that ONE transaction holds a batch's
events, its tracking position, its command rows (`<app>_commands`: command id, request fingerprint,
result; see commands.py) and the commands' same-transaction writes (e.g. personal data). The
library's own retry of `insert_events` (on a dropped connection, e.g. a lost COMMIT acknowledgement)
then hits the command id's unique key instead of silently running a command twice.

The same transaction also writes each event's link of the store's hash chain (`<app>_chain`, rule
and genesis/backfill in chain.py): every service's store is tamper-evident without doing anything."""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from datetime import date
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence, TypeVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError, InterfaceError, JSONTranscoder, OperationalError, ProcessRecorder, StoredEvent, Tracking,
    Transcoding,
)
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.sql import SQL, Identifier

from .chain import ChainTables
from .commands import Write

T = TypeVar("T")
_BEGIN, _COMMIT, _ROLLBACK = SQL("BEGIN"), SQL("COMMIT"), SQL("ROLLBACK")
log = logging.getLogger(__name__)


class DateAsISO(Transcoding):
    """Legal dates (deadlines, decision dates) are plain dates, not datetimes."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


@dataclass(frozen=True)
class CommandRow:
    """What is stored for a committed command: its id, the request's fingerprint, the result (JSON)."""
    command_id: str
    fingerprint: str
    result: Any


class CommandRecorder(PostgresProcessRecorder):
    """The process recorder plus the commands table and same-transaction writes (see module doc)."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events",
                 tracking_table_name: str = "notification_tracking") -> None:
        super().__init__(datastore, events_table_name=events_table_name, tracking_table_name=tracking_table_name)
        self.commands_table_name = events_table_name.removesuffix("_events") + "_commands"
        self.check_identifier_length(self.commands_table_name)
        table = SQL("{schema}.{table}").format(schema=Identifier(datastore.schema),
                                              table=Identifier(self.commands_table_name))
        self.sql_create_statements.append(SQL(
            # json, not jsonb: a replay answers the same bytes (jsonb reorders keys)
            "CREATE TABLE IF NOT EXISTS {table} (command_id text PRIMARY KEY, fingerprint text NOT NULL,"
            " result json, recorded_at timestamptz NOT NULL DEFAULT now())").format(table=table))
        self._insert_commands = SQL(
            "INSERT INTO {table} (command_id, fingerprint, result)"
            " SELECT c, f, r::json FROM unnest(%s::text[], %s::text[], %s::text[]) AS t(c, f, r)").format(table=table)
        self._select_commands = SQL(
            "SELECT command_id, fingerprint, result FROM {table} WHERE command_id = ANY(%s::text[])").format(table=table)
        self.chain = ChainTables(datastore.schema or "public", events_table_name)
        self.chain_enabled = True      # bench only: measures the write path without hashing
        self.sql_create_statements.extend(SQL(stmt) for stmt in self.chain.ddl())  # type: ignore[arg-type]
        # Test-only fault hook: called with the command rows after the transaction committed, inside
        # the library's retry (raise OperationalError to simulate a lost COMMIT acknowledgement;
        # SIGKILL the process to simulate a crash before the caller is answered).
        self.after_commit: Callable[[Sequence[CommandRow]], None] | None = None

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # the library's undecorated body, inside the same retry policy, so a fault after the commit is
        # retried exactly as a real lost acknowledgement would be
        try:
            ids = self._insert_in_one_round_trip(stored_events, **kwargs)
        except IntegrityError as exc:
            if self.chain_enabled and self.chain.broken(exc):     # the fold found no previous hash
                with self.datastore.get_connection() as conn:
                    raise self.chain.missing_link(conn, stored_events) from None
            raise
        if self.after_commit is not None:
            self.after_commit(kwargs.get("commands") or ())
        return ids

    def _insert_in_one_round_trip(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        """The library's insert_events (same statements, same transaction, same lock), sent as ONE
        pipeline: BEGIN, the tracking row, the command rows, the writes, the table lock, NOTIFY, the
        events, the chain's links and COMMIT go to PostgreSQL together and are answered together.
        The library's `conn.transaction()` inside `conn.pipeline()` waits for PostgreSQL at BEGIN,
        after the inserts and again at COMMIT: three round trips per batch, each a wake-up of this
        thread and of the event loop's rival for the GIL (py-spy, issue 13: each a third of a batch's
        time). A statement that fails makes PostgreSQL skip the rest, COMMIT included, and the
        transaction is rolled back here before the connection goes back to the pool; a write that
        reads a result (the tracking row's check) only adds a round trip of its own."""
        with self.datastore.get_connection() as conn:
            with conn.cursor() as tx, conn.cursor() as curs:
                try:
                    with conn.pipeline():
                        tx.execute(_BEGIN)
                        self._insert_events(tx, stored_events, **kwargs)
                        if stored_events:
                            self._insert_stored_events(curs, stored_events, **kwargs)
                        tx.execute(_COMMIT)
                except BaseException:
                    if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
                        try:
                            conn.execute(_ROLLBACK)
                        except Exception:  # noqa: BLE001 - a broken connection: the pool discards it
                            log.warning("rollback after a failed insert failed", exc_info=True)
                    raise
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs) if stored_events else []

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        commands: Sequence[CommandRow] = kwargs.get("commands") or ()
        if commands:
            curs.execute(self._insert_commands, (
                [c.command_id for c in commands], [c.fingerprint for c in commands],
                [json.dumps(c.result) for c in commands]))
        for write in kwargs.get("writes") or ():
            write(curs)
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # the library locks the events table, notifies and inserts the events; the chain's links are
        # then written by ONE statement that reads the previous hashes itself (chain.fold), in the
        # same pipeline: no round trip of its own. A broken chain refuses the save (insert_events).
        super()._insert_stored_events(curs, stored_events, **kwargs)
        if self.chain_enabled:
            with curs.connection.cursor() as chain_curs:   # `curs` keeps the INSERT's notification ids
                self.chain.fold(chain_curs, stored_events)

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.get_connection() as conn:
            self.chain.backfill(conn)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def find_commands(self, command_ids: Sequence[str]) -> dict[str, CommandRow]:
        if not command_ids:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_commands, (list(command_ids),))
            return {r["command_id"]: CommandRow(r["command_id"], r["fingerprint"], r["result"])
                    for r in curs.fetchall()}


class ServiceApplication(Application[UUID]):
    """Base for every service's application. Subclasses set `name` (the events table prefix)."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> ProcessRecorder:  # type: ignore[override]
        if isinstance(self.factory, PostgresFactory):
            prefix = self.factory.env.name.lower()
            recorder = CommandRecorder(self.factory.datastore, events_table_name=f"{prefix}_events",
                                       tracking_table_name=f"{prefix}_tracking")
            if self.factory.env_create_table():
                recorder.create_table()
            return recorder
        # in-memory store (unit tests): command rows in a dict; not transactional
        self._memory_commands: dict[str, CommandRow] = {}
        self._memory_lock = threading.Lock()
        return self.factory.process_recorder()

    def find_commands(self, command_ids: Sequence[str]) -> dict[str, CommandRow]:
        """The stored rows of those of `command_ids` that committed."""
        if isinstance(self.recorder, CommandRecorder):
            return self.recorder.find_commands(command_ids)
        return {c: self._memory_commands[c] for c in command_ids if c in self._memory_commands}

    def record(self, aggregates: Iterable[Aggregate], tracking: Tracking | None = None, *,
               commands: Sequence[CommandRow] = (), writes: Sequence[Write] = ()) -> int:
        """Save the pending events of `aggregates`, `tracking` (if given), the `commands` rows and the
        `writes` in ONE transaction. Returns the number of events recorded."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent(tracking=tracking)
        for aggregate in aggregates:
            if isinstance(aggregate, Aggregate):
                # what collect_events does for an aggregate, without its isinstance checks against
                # runtime-checkable Protocols (3 % of a batched write's samples in py-spy)
                processing_event.events.extend(aggregate.collect_events())
                processing_event.aggregates[aggregate.id] = aggregate
            else:
                processing_event.collect_events(aggregate)
        if commands or writes:
            processing_event.saved_kwargs.update(commands=list(commands), writes=list(writes))
        if isinstance(self.recorder, CommandRecorder) or not (commands or writes):
            recordings = self._record(processing_event)  # the one transaction; may raise a conflict
        else:
            with self._memory_lock:
                if any(c.command_id in self._memory_commands for c in commands):
                    raise IntegrityError("command id already recorded")
                for write in writes:
                    write(None)
                recordings = self._record(processing_event)
                self._memory_commands.update({c.command_id: c for c in commands})
        try:
            # After the commit nothing may raise: a caller (the batcher) would take it for a failed
            # save and run committed commands again.
            self._take_snapshots(processing_event)
            self._notify(recordings)
        except Exception:
            log.exception("post-commit work (snapshot, notify) failed; the events are saved")
        return len(recordings)

    def position(self, tracking_name: str) -> int:
        return self.recorder.max_tracking_id(tracking_name) or 0  # type: ignore[attr-defined]


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, IntegrityError)


class EsExecutor:
    """A bounded thread pool for the synchronous library."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="es")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def shutdown(self) -> None:
        await asyncio.to_thread(self._pool.shutdown, True)
