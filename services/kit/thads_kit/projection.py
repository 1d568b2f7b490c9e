"""Projection base on asyncpg: read models fed by tracked consumers.

* A batch of messages is written in one transaction with batched statements (unnest / COPY),
  together with the consumer positions (source, topic partition, notification id).
* Tables are versioned: `<table>_v<N>`, with a view `<table>` on the live version. A rebuild
  fills version N+1 from the beginning of the topics beside the live one, then switches the view
  in one transaction (readers never see an empty or half-built table).
* One rebuild at a time per projection: a session advisory lock is held for the whole rebuild; a
  second request gets `RebuildRunning`. The switch happens only if the live version is still the
  one the rebuild started from (else `RebuildSuperseded`, nothing switched). Messages a live
  consumer set aside (open or discarded dead letters, parked messages) are skipped by a rebuild, and
  an operator's release waits while a rebuild runs, so the new version holds what the live one does.
* A rebuild's speed (issue 12: at least half a plain consumer's): batch N+1 is fetched and decoded
  while batch N is written (applied only after N commits, so order, positions and deduplication
  are unchanged); its batches commit without waiting for the log flush (nobody reads the new
  version before the switch, which commits synchronously); plain indexes are built once the table
  is filled; and the garbage collector spares the heap that was there before (see below).
* `rule_errors` are the domain's own refusals only (none for a plain read model): a database
  error or a code bug is a handler error, dead-lettered with its traceback after a few attempts.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import re
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from .consumer import Item, Position, store_of
from .deadletters import run_behind_positions

log = logging.getLogger(__name__)


_PLAIN_INDEX = re.compile(r"\s*CREATE\s+INDEX\b", re.IGNORECASE)
_frozen = 0      # rebuilds running in this process with the old heap frozen
_thresholds = gc.get_threshold()


@contextmanager
def _collector_spares_the_old_heap() -> Iterator[None]:
    """While a rebuild runs, the cyclic garbage collector leaves alone what the process held before
    it (modules, schemas, caches: `gc.freeze`) and runs less often (a larger first-generation
    threshold). A rebuild keeps up to two batches of decoded envelopes alive, which promotes many
    objects and so triggers frequent and full collections; measured, they took a fifth to a third
    of the rebuild's CPU time. Objects created during the rebuild are still collected; the frozen
    ones are handed back to the collector, and the thresholds restored, when the last rebuild of the
    process ends (cyclic garbage among them is collected then)."""
    global _frozen, _thresholds
    if _frozen == 0:
        _thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if _frozen == 0:
            gc.set_threshold(*_thresholds)
            gc.unfreeze()


class RebuildRunning(Exception):
    """A rebuild of this projection is already running (in this or another process)."""

    retriable = True       # a release waiting for the rebuild is retried, not dead-lettered
    rule = "projection.rebuild_running"
    message_vi = "Đang dựng lại bảng này; vui lòng chờ lần dựng lại hiện tại kết thúc."


class RebuildSuperseded(Exception):
    """The live version changed while this rebuild ran: it was not switched."""

    rule = "projection.rebuild_superseded"
    message_vi = "Phiên bản đang dùng đã thay đổi trong khi dựng lại; không chuyển sang bản mới."


class Projection(ABC):
    """Subclasses name the table, give its DDL for one version, and write a batch of items."""

    name: str            # projection name, also the base table name (`<name>_v<N>`, view `<name>`)
    # the domain's own refusal types only (a read model has none); anything else is a handler error
    rule_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]  # bound by setup()

    @abstractmethod
    def ddl(self, table: str) -> list[str]:
        """CREATE statements for one version of the table (fully qualified name given)."""

    @abstractmethod
    async def write(self, conn: asyncpg.Connection, table: str, items: Sequence[Item]) -> None:
        """Write the (already deduplicated) items with batched statements."""

    # --- bookkeeping --------------------------------------------------------------------------
    def table(self, version: int) -> str:
        return f"{self.schema}.{self.name}_v{version}"

    async def setup(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('projection-setup:{self.schema}'))")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.schema}.projection_state ("
                " name text PRIMARY KEY, live_version int NOT NULL)")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.schema}.projection_position ("
                " name text, version int, tracking text, notification_id bigint NOT NULL,"
                " PRIMARY KEY (name, version, tracking))")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.schema}.projection_release ("
                " name text, version int, release text, seq bigint NOT NULL,"
                " PRIMARY KEY (name, version, release))")
            version = await conn.fetchval(
                f"SELECT live_version FROM {self.schema}.projection_state WHERE name = $1", self.name)
            if version is None:
                version = 1
                await self._create_version(conn, version)
                await conn.execute(f"INSERT INTO {self.schema}.projection_state VALUES ($1, $2)",
                                   self.name, version)
                await self._point_view(conn, version)

    async def live_version(self, conn: asyncpg.Connection, lock: bool = True) -> int:
        return await conn.fetchval(
            f"SELECT live_version FROM {self.schema}.projection_state WHERE name = $1"
            + (" FOR SHARE" if lock else ""), self.name)

    async def _create_version(self, conn: asyncpg.Connection, version: int, deferred: list[str] | None = None
                              ) -> None:
        """Create the table of `version`; with `deferred` (a rebuild), its plain (non-unique) indexes
        are left out and appended there, to be built once the table is filled (one sort each
        instead of an insertion per row)."""
        await conn.execute(f"DROP TABLE IF EXISTS {self.table(version)} CASCADE")
        for stmt in self.ddl(self.table(version)):
            if deferred is not None and _PLAIN_INDEX.match(stmt):
                deferred.append(stmt)
                continue
            await conn.execute(stmt)
        await conn.execute(f"DELETE FROM {self.schema}.projection_position WHERE name = $1 AND version = $2",
                           self.name, version)

    async def _point_view(self, conn: asyncpg.Connection, version: int) -> None:
        await conn.execute(f"DROP VIEW IF EXISTS {self.schema}.{self.name}")
        await conn.execute(f"CREATE VIEW {self.schema}.{self.name} AS SELECT * FROM {self.table(version)}")

    async def _apply_in(self, conn: asyncpg.Connection, version: int, items: Sequence[Item]) -> list[bool]:
        """Dedupe against the stored positions, write, and move the positions — in the caller's
        transaction."""
        keyed = [(i.position.tracking_name, i.position.notification_id) for i in items]
        names = sorted({name for name, _ in keyed})
        # Make sure a row exists for each position before locking it, so that two consumers that
        # briefly own the same partition (a rebalance) serialise here instead of both writing.
        await conn.executemany(
            f"INSERT INTO {self.schema}.projection_position VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING",
            [(self.name, version, n) for n in names])
        rows = await conn.fetch(
            f"SELECT tracking, notification_id FROM {self.schema}.projection_position"
            " WHERE name = $1 AND version = $2 AND tracking = ANY($3::text[]) FOR UPDATE",
            self.name, version, names)
        seen = {r["tracking"]: r["notification_id"] for r in rows}
        fresh: list[Item] = []
        moved: set[str] = set()
        outcomes: list[bool] = []
        for item, (name, nid) in zip(items, keyed):
            if nid <= seen.get(name, 0):
                outcomes.append(False)
                continue
            seen[name] = nid
            moved.add(name)
            fresh.append(item)
            outcomes.append(True)
        if fresh:
            await self.write(conn, self.table(version), fresh)
            await conn.executemany(
                f"UPDATE {self.schema}.projection_position SET notification_id = $4"
                " WHERE name = $1 AND version = $2 AND tracking = $3 AND notification_id < $4",
                [(self.name, version, n, seen[n]) for n in moved])
        return outcomes

    # --- Sink protocol (used by TrackedConsumer) -----------------------------------------------
    async def apply(self, items: Sequence[Item]) -> list[bool]:
        async with self.pool.acquire() as conn, conn.transaction():
            return await self._apply_in(conn, await self.live_version(conn), items)

    async def record_position(self, item: Item) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            version = await self.live_version(conn)
            await conn.execute(
                f"INSERT INTO {self.schema}.projection_position VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (name, version, tracking) DO UPDATE SET notification_id = EXCLUDED.notification_id"
                f" WHERE {self.schema}.projection_position.notification_id < EXCLUDED.notification_id",
                self.name, version, item.position.tracking_name, item.position.notification_id)

    async def record_with(self, item: Item, sql: str, args: tuple[Any, ...]) -> Any:
        return (await self.record_many([item], [(sql, args)]))[0]

    async def record_many(self, items: Sequence[Item], statements: Sequence[tuple[str, tuple[Any, ...]]]
                          ) -> list[Any]:
        async with self.pool.acquire() as conn, conn.transaction():
            version = await self.live_version(conn)
            names = sorted({i.position.tracking_name for i in items})
            await conn.executemany(f"INSERT INTO {self.schema}.projection_position VALUES ($1, $2, $3, 0)"
                                   " ON CONFLICT DO NOTHING", [(self.name, version, n) for n in names])
            rows = await conn.fetch(
                f"SELECT tracking, notification_id FROM {self.schema}.projection_position"
                " WHERE name = $1 AND version = $2 AND tracking = ANY($3::text[]) FOR UPDATE",
                self.name, version, names)
            seen = {r["tracking"]: r["notification_id"] for r in rows}
            out = await run_behind_positions(conn, items, statements, seen)
            await conn.executemany(f"UPDATE {self.schema}.projection_position SET notification_id = $4"
                                   " WHERE name = $1 AND version = $2 AND tracking = $3 AND notification_id < $4",
                                   [(self.name, version, n, seen[n]) for n in names])
            return out

    async def apply_released(self, item: Item, name: str, seq: int) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock_shared(hashtext($1))", self.rebuild_lock):
                raise RebuildRunning(f"{self.name}: release waits for the rebuild")
            version = await self.live_version(conn)
            done = await conn.fetchval(
                f"INSERT INTO {self.schema}.projection_release VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (name, version, release) DO UPDATE SET seq = EXCLUDED.seq"
                f" WHERE {self.schema}.projection_release.seq < EXCLUDED.seq RETURNING seq",
                self.name, version, name, seq)
            if done is None:
                return False
            await self.write(conn, self.table(version), [item])
            return True

    # --- rebuild ------------------------------------------------------------------------------
    consumer_name = ""     # set by the TrackedConsumer that feeds this projection

    @property
    def rebuild_lock(self) -> str:
        return f"projection-rebuild:{self.schema}.{self.name}"

    async def rebuild(self, *, kafka_url: str, topics: Sequence[str], decode: Any,
                      batch: int = 2000) -> int:
        """Build version N+1 from the beginning of `topics` beside the live version, then switch.
        Undecodable messages are skipped here (the live consumer already dead-lettered them).
        Returns the new version. Raises RebuildRunning when one is already running, and
        RebuildSuperseded when the live version changed meanwhile (nothing switched)."""
        async with self.pool.acquire() as lock_conn:
            if not await lock_conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.rebuild_lock):
                raise RebuildRunning(f"a rebuild of {self.schema}.{self.name} is already running")
            try:
                with _collector_spares_the_old_heap():
                    return await self._rebuild(kafka_url=kafka_url, topics=topics, decode=decode, batch=batch)
            finally:
                await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", self.rebuild_lock)

    async def _rebuild(self, *, kafka_url: str, topics: Sequence[str], decode: Any, batch: int) -> int:
        async with self.pool.acquire() as conn:
            old = await self.live_version(conn, lock=False)
            new = old + 1
            indexes: list[str] = []
            async with conn.transaction():
                await self._create_version(conn, new, deferred=indexes)
            self._set_aside = await self._set_aside_positions(conn)
        consumer = AIOKafkaConsumer(bootstrap_servers=kafka_url, enable_auto_commit=False)
        await consumer.start()
        try:
            tps = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or
                                                                         await self._partitions(consumer, t))]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            await self._drain(consumer, tps, new, decode, batch, conn_lock=None)
            async with self.pool.acquire() as conn:       # the plain indexes, before the switch
                for stmt in indexes:
                    await conn.execute(stmt)
            # switch: block the live consumer (FOR UPDATE on the state row), catch up the rest, point the view
            async with self.pool.acquire() as conn, conn.transaction():
                live = await conn.fetchval(f"SELECT live_version FROM {self.schema}.projection_state"
                                           " WHERE name = $1 FOR UPDATE", self.name)
                if live != old:
                    raise RebuildSuperseded(f"{self.name}: live version is {live}, the rebuild started from {old}")
                self._set_aside = await self._set_aside_positions(conn)
                await self._drain(consumer, tps, new, decode, batch, conn_lock=conn)
                # the new version has applied or deliberately skipped (set aside: dead-lettered, parked)
                # everything the live one saw: it starts from at least the live positions, so a parked
                # message redelivered after the switch is a duplicate, not a second parking
                await conn.execute(
                    f"INSERT INTO {self.schema}.projection_position SELECT name, $2, tracking, notification_id"
                    f" FROM {self.schema}.projection_position WHERE name = $1 AND version = $3"
                    " ON CONFLICT (name, version, tracking) DO UPDATE SET notification_id ="
                    f" GREATEST({self.schema}.projection_position.notification_id, EXCLUDED.notification_id)",
                    self.name, new, old)
                await conn.execute(f"UPDATE {self.schema}.projection_state SET live_version = $2 WHERE name = $1",
                                   self.name, new)
                await self._point_view(conn, new)
            log.info("projection %s rebuilt as version %d and switched", self.name, new)
            return new
        finally:
            await consumer.stop()

    async def _set_aside_positions(self, conn: asyncpg.Connection) -> set[tuple[str, int]]:
        """Positions the live consumer dead-lettered (open or discarded) or parked (not released)."""
        if await conn.fetchval("SELECT to_regclass($1)", f'"{self.schema}".parked_message') is None:
            return set()
        rows = await conn.fetch(
            f'SELECT tracking, notification_id FROM "{self.schema}".dead_letter'
            " WHERE consumer = $1 AND status IN ('open', 'discarded')"
            f' UNION ALL SELECT tracking, notification_id FROM "{self.schema}".parked_message'
            " WHERE consumer = $1 AND released_at IS NULL", self.consumer_name)
        return {(r["tracking"], r["notification_id"]) for r in rows}

    @staticmethod
    async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - aiokafka has no public refresh
        return consumer.partitions_for_topic(topic) or set()

    async def _drain(self, consumer: AIOKafkaConsumer, tps: list[TopicPartition], version: int, decode: Any,
                     batch: int, conn_lock: asyncpg.Connection | None) -> None:
        """Read to the end offsets as they are now, applying batch after batch, each in its own
        transaction. Batch N+1 is fetched and decoded while batch N is written (PostgreSQL works in
        its own process meanwhile); it is applied only once batch N has committed, so the order, the
        positions and the deduplication are those of a batch-by-batch loop. Decoding yields to the
        event loop now and then, so that the write's statements go out while it runs."""
        end = await consumer.end_offsets(tps)
        set_aside = self._set_aside
        writing: asyncio.Task[None] | None = None
        try:
            while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
                fetched = await consumer.getmany(timeout_ms=500, max_records=batch)
                items: list[Item] = []
                for records in fetched.values():
                    for k, rec in enumerate(records, 1):
                        if k % 200 == 0 and writing is not None and not writing.done():
                            await asyncio.sleep(0)      # let the write in flight take its next round trip
                        try:
                            env = decode(rec.topic, rec.value)
                        except Exception:
                            continue
                        pos = Position(self.consumer_name, env.source, store_of(rec), rec.topic, rec.partition,
                                       env.source_position)
                        if set_aside and (pos.tracking_name, pos.notification_id) in set_aside:
                            continue
                        items.append(Item(rec, env, pos))
                if writing is not None:
                    await writing
                    writing = None
                if items:
                    writing = asyncio.create_task(self._rebuild_apply(conn_lock, version, items))
            if writing is not None:
                await writing
                writing = None
        finally:
            if writing is not None:          # failed or cancelled while a batch was being written
                writing.cancel()
                await asyncio.gather(writing, return_exceptions=True)

    async def _rebuild_apply(self, conn_lock: asyncpg.Connection | None, version: int, items: list[Item]) -> None:
        """Apply in one transaction; an item a rule rejects (the live consumer dead-lettered it)
        is skipped: a refused batch is split in halves, each applied (or split again) in order,
        down to the refused item alone (about 2·log2(n) transactions for one such item in n, where
        one by one took n)."""
        async def apply(batch: list[Item]) -> None:
            if conn_lock is not None:
                async with conn_lock.transaction():          # a savepoint inside the switch transaction
                    await self._apply_in(conn_lock, version, batch)
            else:
                async with self.pool.acquire() as conn, conn.transaction():
                    # the new version is read by no one before the switch, whose commit is
                    # synchronous (and flushes the log before it): a batch need not wait for its own flush
                    await conn.execute("SET LOCAL synchronous_commit = off")
                    await self._apply_in(conn, version, batch)
        async def apply_or_split(batch: list[Item]) -> None:
            try:
                await apply(batch)
            except self.rule_errors as exc:
                if len(batch) == 1:
                    log.warning("rebuild of %s skips %s: %s", self.name, batch[0].position, exc)
                    return
                half = len(batch) // 2         # the first half first: the order stays
                await apply_or_split(batch[:half])
                await apply_or_split(batch[half:])
        await apply_or_split(items)

    _set_aside: set[tuple[str, int]] = set()
