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
and genesis/backfill in chain.py): every service's store is tamper-evident without doing anything.

Reading a batch's aggregates in one statement (`ServiceApplication.preloaded`, used by the batcher):
the library loads an aggregate with two queries (its latest snapshot, then the events after it), and
a batch of N commands ran them one after the other: 2N round trips, over half of a batch's time in
py-spy (issue 12, the bulk import). The batcher now reads the latest snapshot and the later events of
ALL its commands' aggregates in ONE statement before running them, and `Repository.get` builds an
aggregate from those rows instead of querying. Nothing else changes: the rows are the committed state
at the start of the batch (the batch holds one command per aggregate, and its own events commit only
at its end); a writer that commits in between makes the batch's save conflict on the aggregate's
version, and the batcher then re-runs each command on its own, reading the store afresh."""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
from contextlib import contextmanager
from datetime import date
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain as iter_chain
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError, Application, ProcessingEvent, Repository, project_aggregate,
)
from eventsourcing.utils import strtobool
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError, InterfaceError, JSONTranscoder, OperationalError, ProcessRecorder, StoredEvent, Tracking,
    Transcoding,
)
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
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
    def select_latest(self, originator_ids: Sequence[UUID], snapshots_table: str | None
                      ) -> dict[UUID, tuple[StoredEvent | None, list[StoredEvent]]]:
        """For each id: its latest snapshot (None without one) and its events after that snapshot, in
        version order, read in ONE statement (one snapshot of the database). An id without any row
        maps to (None, []): the aggregate did not exist when the statement ran."""
        ids = list(dict.fromkeys(originator_ids))
        if not ids:
            return {}
        schema = Identifier(self.datastore.schema)
        events = SQL("{schema}.{table}").format(schema=schema, table=Identifier(self.events_table_name))
        if snapshots_table is None:
            statement = SQL(
                "SELECT false AS snap, e.originator_id, e.originator_version, e.topic, e.state"
                " FROM unnest(%s::uuid[]) AS k(id) JOIN {events} e ON e.originator_id = k.id"
                " ORDER BY e.originator_id, e.originator_version").format(events=events)
        else:
            snaps = SQL("{schema}.{table}").format(schema=schema, table=Identifier(snapshots_table))
            statement = SQL(
                "WITH k(id) AS (SELECT unnest(%s::uuid[])),"
                " s AS (SELECT DISTINCT ON (sn.originator_id) sn.originator_id, sn.originator_version, sn.topic,"
                "  sn.state FROM k JOIN {snaps} sn ON sn.originator_id = k.id"
                "  ORDER BY sn.originator_id, sn.originator_version DESC)"
                " SELECT true AS snap, originator_id, originator_version, topic, state FROM s"
                " UNION ALL"
                " SELECT false, e.originator_id, e.originator_version, e.topic, e.state"
                " FROM k JOIN {events} e ON e.originator_id = k.id LEFT JOIN s ON s.originator_id = k.id"
                " WHERE e.originator_version > coalesce(s.originator_version, 0)"
                " ORDER BY 2, 1 DESC, 3").format(snaps=snaps, events=events)
        out: dict[UUID, tuple[StoredEvent | None, list[StoredEvent]]] = {i: (None, []) for i in ids}
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, (ids,), prepare=True)
            for snap, originator_id, version, topic, state in curs.fetchall():
                stored = StoredEvent(originator_id=originator_id, originator_version=version, topic=topic,
                                     state=bytes(state))
                if snap:
                    out[originator_id] = (stored, [])
                else:
                    out[originator_id][1].append(stored)
        return out

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def find_commands(self, command_ids: Sequence[str]) -> dict[str, CommandRow]:
        if not command_ids:
            return {}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_commands, (list(command_ids),))
            return {r["command_id"]: CommandRow(r["command_id"], r["fingerprint"], r["result"])
                    for r in curs.fetchall()}


class PreloadingRepository(Repository[UUID]):
    """The library's repository, which builds an aggregate from rows read beforehand for the batch
    running in this thread (`preloading`), else from the store as usual (module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    @contextmanager
    def preloading(self, rows: dict[UUID, tuple[StoredEvent | None, list[StoredEvent]]]) -> Iterator[None]:
        self._local.rows = rows
        try:
            yield
        finally:
            self._local.rows = None

    def _reconstruct_aggregate(self, aggregate_id: UUID, version: int | None, projector_func: Any) -> Any:
        rows = getattr(self._local, "rows", None)
        if version is not None or not rows or aggregate_id not in rows:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        snapshot, stored = rows[aggregate_id]
        events: Iterable[Any] = (self.event_store.mapper.to_domain_event(e) for e in stored)
        if snapshot is not None and self.snapshot_store is not None:
            events = iter_chain([self.snapshot_store.mapper.to_domain_event(snapshot)], events)
        if projector_func is project_aggregate:
            # the library's projector, without its assert of a runtime-checkable Protocol on every
            # event (a fifth of a preloaded batch's reconstruction time in py-spy)
            aggregate = None
            for event in events:
                aggregate = event.mutate(aggregate)
        else:
            aggregate = projector_func(None, events)
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} version None not found.")
        return aggregate


class ServiceApplication(Application[UUID]):
    """Base for every service's application. Subclasses set `name` (the events table prefix)."""

    def construct_repository(self) -> Repository[UUID]:
        # the library's construct_repository, with the repository that can build from preloaded rows
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return PreloadingRepository(
            event_store=self.events, snapshot_store=self.snapshots,
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")))

    @contextmanager
    def preloaded(self, aggregate_ids: Sequence[UUID]) -> Iterator[None]:
        """Within the block, `repository.get` of any of `aggregate_ids` (latest version) in THIS
        thread builds the aggregate from rows read now in one statement (module doc). Without the
        PostgreSQL store (unit tests' in-memory store) it does nothing."""
        repository = self.repository
        if not aggregate_ids or not isinstance(self.recorder, CommandRecorder) \
                or not isinstance(repository, PreloadingRepository):
            yield
            return
        snapshots = self.snapshots.recorder.events_table_name if self.snapshots is not None else None  # type: ignore[attr-defined]
        try:
            rows = self.recorder.select_latest(aggregate_ids, snapshots)
        except Exception:  # noqa: BLE001 - each command then reads the store itself, as without preloading
            log.warning("preloading %d aggregates failed; the commands read them one by one", len(aggregate_ids),
                        exc_info=True)
            rows = {}
        with repository.preloading(rows):
            yield

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
