"""Tracked consumer: exactly-once *effect* on top of at-least-once Kafka delivery.

* Each message's position (source service, topic partition, source notification id) is recorded
  in the same PostgreSQL transaction as its effect (a sink does that); a position at or below the
  recorded one is a duplicate and is skipped.
* It never moves past a message it failed to apply. A *transient* failure (database or broker
  away, see `deadletters.is_transient`) is retried on the same messages forever, with back-off, a
  metric and a warning. Kafka offsets are committed manually and only for handled messages
  (FastStream's default ACK_FIRST is not used).
* A *deterministic* failure — a rule refusal (`sink.rule_errors`, after `max_rule_attempts`) or any
  other exception after `max_attempts` — sends the message to the dead-letter topic with the
  reason and the traceback, and holds its key: the dead letter and every later message with the
  same key are stored in the service's schema (`deadletters`), each atomically with its position,
  and NOT applied, until an operator replays or discards it (`thads deadletters`). Other keys flow.
* A message that cannot be decoded (bad JSON, unknown type, invalid schema) has no position: it
  goes to the dead-letter topic only, and the partition goes on.

Kafka offsets are an optimisation; the database position is the truth.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import traceback as tb
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Protocol, Sequence

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from prometheus_client import Counter

from . import deadletters as dl

from thads_contracts.deadletter import DeadLetter
from thads_contracts.registry import ContractError
from thads_contracts.topics import DEAD_LETTER

from .logs import correlation_id
from .relay import STORE_HEADER

log = logging.getLogger(__name__)

CONSUMED = Counter("thads_consumed_total", "messages handled by tracked consumers",
                   ["consumer", "outcome"])


@dataclass(frozen=True)
class Position:
    consumer: str
    source: str
    store: str           # the producing store's identity (relay header); notification ids count per store
    topic: str
    partition: int
    notification_id: int

    @property
    def tracking_name(self) -> str:
        # the consumer's own name first: two consumers of one topic in one service keep apart
        return f"{self.consumer}:{self.source}@{self.store}/{self.topic}/{self.partition}"


def store_of(rec: Any) -> str:
    for key, value in rec.headers or ():
        if key == STORE_HEADER:
            return value.decode("ascii", "replace")
    return "-"


@dataclass(frozen=True)
class Item:
    record: Any            # aiokafka ConsumerRecord
    envelope: Any          # a decoded contract envelope
    position: Position


class Sink(Protocol):
    """Applies items in order, each one atomically with its position. Returns per-item
    True (applied) / False (duplicate). Raises one of `rule_errors` when an item is rejected by a
    rule (items before it may already be applied: they are deduplicated on retry)."""

    rule_errors: tuple[type[BaseException], ...]
    schema: str          # the service's schema: where the dead letters and parked messages live

    async def apply(self, items: Sequence[Item]) -> list[bool]: ...

    async def record_with(self, item: Item, sql: str, args: tuple[Any, ...]) -> Any:
        """In ONE transaction: run `sql` (asyncpg `$n` style), record the item's position, commit.
        Returns the statement's first value; None when the position was already recorded (a
        duplicate: nothing written); raises `deadletters.NotHeld` when the statement returns no row."""

    async def record_many(self, items: Sequence[Item], statements: Sequence[tuple[str, tuple[Any, ...]]]
                          ) -> list[Any]:
        """`record_with` for several items, in order, in ONE transaction (None for a duplicate)."""

    async def apply_released(self, item: Item, name: str, seq: int) -> bool:
        """Apply a released message's effect (its position is already recorded) exactly once under
        tracking `name` at `seq`; False when that was done before."""


Decode = Callable[[str, bytes], Any]


async def _raw_body(msg: Any) -> Any:
    """Skip FastStream's JSON decoding: the contract registry decodes each record itself, so that
    bad JSON becomes a dead letter instead of a handler error."""
    return msg.body


class TrackedConsumer:
    def __init__(self, *, name: str, broker: KafkaBroker, topics: Sequence[str], sink: Sink,
                 decode: Decode, max_rule_attempts: int = 1, max_attempts: int = 3, max_records: int = 500,
                 commit_every: int = 500, commit_seconds: float = 1.0,
                 retry_seconds: float = 0.5, rule_retry_seconds: float = 0.05,
                 request_poll_seconds: float = 1.0, fault: str = "") -> None:
        self.name = name
        self.broker = broker
        self.topics = tuple(topics)
        self.sink = sink
        self.decode = decode
        self.max_rule_attempts = max_rule_attempts
        self.max_attempts = max_attempts
        self.commit_every = commit_every
        self.commit_seconds = commit_seconds
        self.retry_seconds = retry_seconds
        self.rule_retry_seconds = rule_retry_seconds
        self.request_poll_seconds = request_poll_seconds
        self.fault = fault
        self.store = dl.DeadLetterStore(sink.schema)
        self._handled: dict[TopicPartition, int] = {}
        self._since_commit = 0
        self._last_commit = time.monotonic()
        self._letters: list[Any] = []
        self._server: asyncio.Task[None] | None = None
        self.applied = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self.parked = 0
        if hasattr(sink, "consumer_name"):      # a projection rebuild must track positions under our name
            sink.consumer_name = name
        self.subscriber = broker.subscriber(
            *self.topics, group_id=name, ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
            batch=True, max_records=max_records, batch_timeout_ms=50,
            decoder=_raw_body, title=f"{name}:consume",
            description=f"tracked consumer {name}")(self._on_batch)

    # --- life cycle -----------------------------------------------------------------------------
    async def start(self, pool: Any) -> None:
        """Create the dead-letter tables and serve operators' release requests. Call before the
        broker starts (Runtime does, for `runtime.consumers`)."""
        if self.store.pool is None:
            await self.store.setup(pool)
        if self._server is None:
            self._server = asyncio.create_task(self._serve_requests(), name=f"{self.name}:releases")

    async def stop(self) -> None:
        if self._server is not None:
            self._server.cancel()
            try:
                await self._server
            except (asyncio.CancelledError, Exception):
                pass
            self._server = None

    async def _ensure_store(self) -> None:
        if self.store.pool is None:          # used without a Runtime (bench, tests): the sink's pool
            await self.start(getattr(self.sink, "pool"))

    # ------------------------------------------------------------------------------------------
    async def _on_batch(self, body: Any, msg: KafkaMessage) -> None:
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        try:
            await self._ensure_store()
            await self.handle(records)
        except asyncio.CancelledError:
            raise
        except Exception:
            # Never move past a batch that was not handled: rewind each partition to its first
            # record of this batch (FastStream's MANUAL policy alone would fetch the next batch).
            log.exception("consumer %s: batch not handled; rewinding to retry it", self.name)
            await msg.nack()
            await asyncio.sleep(self.retry_seconds)
            return
        if self.fault == "consumer_crash_before_offset_commit" and self.applied:
            # test-only: the effects and positions are committed, the Kafka offsets are not
            log.warning("fault injection: SIGKILL after applying a batch, before committing its offsets")
            os.kill(os.getpid(), signal.SIGKILL)
        for rec in records:
            self._handled[TopicPartition(rec.topic, rec.partition)] = rec.offset + 1
        self._since_commit += len(records)
        if self._since_commit >= self.commit_every or time.monotonic() - self._last_commit > self.commit_seconds:
            await self._commit(msg.consumer)

    async def _commit(self, consumer: Any) -> None:
        if not self._handled:
            return
        try:
            await consumer.commit(dict(self._handled))
        except Exception as exc:   # e.g. after a rebalance: harmless, the database dedupes
            log.warning("offset commit failed: %s", exc)
        self._handled.clear()
        self._since_commit = 0
        self._last_commit = time.monotonic()

    def position_of(self, envelope: Any, rec: Any) -> Position:
        return Position(self.name, envelope.source, store_of(rec), rec.topic, rec.partition,
                        envelope.source_position)

    async def handle(self, records: Sequence[Any]) -> None:
        """Decode, apply, park and dead-letter one fetched batch. Returns only when every record is
        applied, a duplicate, parked, or dead-lettered (and that is recorded)."""
        items: list[Item] = []
        self._letters = []                            # topic-only dead letters in flight, awaited below
        for rec in records:
            try:
                env = self.decode(rec.topic, rec.value)
            except ContractError as exc:
                await self._dead_letter(rec, str(exc.reason_code), str(exc), attempts=1, envelope=None)
                continue
            except Exception as exc:    # a tombstone (no value), absurd nesting, ...: never decodable
                await self._dead_letter(rec, "bad_json", f"undecodable message: {type(exc).__name__}: {exc}",
                                        attempts=1, envelope=None)
                continue
            items.append(Item(rec, env, self.position_of(env, rec)))
        if items:
            await self._process(items)
        await self._retry_forever(self._await_letters)

    async def _process(self, items: Sequence[Item]) -> None:
        keys = sorted({k for k in (dl.key_text(i.record.key) for i in items) if k is not None})
        held = await self._transient(self.store.held_keys, self.name, keys) if keys else {}
        if held:     # park every message of a held key at once (one transaction), then the rest
            behind = [i for i in items if dl.key_text(i.record.key) in held]
            statements = [self.store.park_sql(i, self.name, store_of(i.record)) for i in behind]
            try:
                letters = await self._transient(self.sink.record_many, behind, statements)
            except dl.NotHeld:       # a release happened meanwhile: one by one, looking again
                for item in items:
                    await self._one(item, await self._transient(self.store.held_keys, self.name, keys))
                return
            self._count_parked(behind, letters)
            items = [i for i in items if dl.key_text(i.record.key) not in held]
            if not items:
                return
        try:                 # no key of these items is held: try them whole
            self._count(await self._transient(self._apply_batch, items))
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:       # deterministic: find the message, one by one, in order
            log.info("consumer %s: batch refused (%s); applying one by one", self.name, type(exc).__name__)
        for item in items:
            await self._one(item, held)

    async def _apply_batch(self, items: Sequence[Item]) -> list[bool]:
        token = correlation_id.set(str(getattr(items[0].envelope, "correlation_id", None)
                                       or items[0].envelope.event_id))
        try:
            return await self.sink.apply(items)
        finally:
            correlation_id.reset(token)

    def _count_parked(self, items: Sequence[Item], letters: Sequence[Any]) -> None:
        for item, letter in zip(items, letters):
            if letter is None:
                self._count([False])
                continue
            self.parked += 1
            dl.PARKED.labels(self.name).inc()
            CONSUMED.labels(self.name, "parked").inc()
            log.warning("consumer %s: parked %s behind dead letter %s (key %s)", self.name,
                        item.position, letter, dl.key_text(item.record.key))

    def _count(self, outcomes: list[bool]) -> None:
        applied = sum(outcomes)
        self.applied += applied
        self.duplicates += len(outcomes) - applied
        CONSUMED.labels(self.name, "applied").inc(applied)
        CONSUMED.labels(self.name, "duplicate").inc(len(outcomes) - applied)

    async def _one(self, item: Item, held: dict[str, int]) -> None:
        key = dl.key_text(item.record.key)
        while key is not None and key in held:
            sql, args = self.store.park_sql(item, self.name, store_of(item.record))
            try:
                letter = await self._transient(self.sink.record_with, item, sql, args)
            except dl.NotHeld:            # released meanwhile: look again, then apply
                held.pop(key, None)
                held.update(await self._transient(self.store.held_keys, self.name, [key]))
                continue
            self._count_parked([item], [letter])
            return
        failure = await self._attempts(item)
        if failure is None:
            return
        code, reason, trace, attempts, first_failed_at = failure
        await self._hold(item, code, reason, trace, attempts, first_failed_at, held)

    async def _attempts(self, item: Item) -> tuple[str, str, str, int, datetime] | None:
        """Apply one item: None when applied (or a duplicate), else why it failed deterministically."""
        attempts = 0
        first_failed_at: datetime | None = None
        while True:
            attempts += 1
            try:
                self._count(await self._transient(self._apply_batch, [item]))
                return None
            except asyncio.CancelledError:
                raise
            except self.sink.rule_errors as exc:
                first_failed_at = first_failed_at or datetime.now(timezone.utc)
                if attempts >= self.max_rule_attempts:
                    return "rejected_by_rule", f"{type(exc).__name__}: {exc}", tb.format_exc(), attempts, first_failed_at
                # a rule may reject a message only because a related one is not applied yet: retry briefly
                await asyncio.sleep(self.rule_retry_seconds)
            except Exception as exc:
                first_failed_at = first_failed_at or datetime.now(timezone.utc)
                log.exception("consumer %s: applying %s failed (attempt %d of %d)", self.name, item.position,
                              attempts, self.max_attempts)
                if attempts >= self.max_attempts:
                    return "handler_error", f"{type(exc).__name__}: {exc}", tb.format_exc(), attempts, first_failed_at
                await asyncio.sleep(min(self.retry_seconds * attempts, 5.0))

    async def _hold(self, item: Item, code: str, reason: str, trace: str, attempts: int,
                    first_failed_at: datetime, held: dict[str, int]) -> None:
        """Dead-letter the item (topic, acknowledged) and hold its key (row + position, one transaction)."""
        await self._dead_letter(item.record, code, reason, attempts, item.envelope, first_failed_at, trace, wait=True)
        sql, args = self.store.hold_sql(item, self.name, store_of(item.record), code, reason, trace, attempts)
        letter = await self._transient(self.sink.record_with, item, sql, args)
        key = dl.key_text(item.record.key)
        if letter is not None and key is not None:
            held[key] = letter
        dl.DEAD_LETTERS.labels(self.name, code).inc()

    async def _transient(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn`, retrying transient failures forever with back-off; others propagate."""
        delay = self.retry_seconds
        while True:
            try:
                return await fn(*args)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not dl.is_transient(exc):
                    raise
                dl.TRANSIENT.labels(self.name).inc()
                log.warning("consumer %s: transient failure in %s (%s: %s); retrying in %.1f s", self.name,
                            getattr(fn, "__name__", fn), type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _retry_forever(self, fn: Callable[..., Any], *args: Any) -> Any:
        delay = self.retry_seconds
        while True:
            try:
                return await fn(*args)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s: retrying %s", self.name, getattr(fn, "__name__", fn))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _dead_letter(self, rec: Any, code: str, reason: str, attempts: int, envelope: Any,
                           first_failed_at: datetime | None = None, trace: str | None = None,
                           wait: bool = False) -> None:
        now = datetime.now(timezone.utc)
        letter = DeadLetter.capture(
            original_topic=rec.topic, partition=rec.partition, offset=rec.offset, key=rec.key,
            value=rec.value, reason_code=code, reason=reason, consumer=self.name, attempts=attempts,
            first_failed_at=first_failed_at or now, dead_lettered_at=now,
            event_id=getattr(envelope, "event_id", None), event_type=getattr(envelope, "event_type", None),
            traceback=trace)
        if wait:        # published and acknowledged before the caller records anything
            await self._retry_forever(self._publish_and_wait, letter, rec.key)
        else:
            self._letters.append((await self._retry_forever(self._publish_letter, letter, rec.key), letter, rec.key))
        self.dead_lettered += 1
        CONSUMED.labels(self.name, "dead_lettered").inc()
        if envelope is None:
            dl.DEAD_LETTERS.labels(self.name, code).inc()
        log.warning("dead-lettered %s[%s]@%s: %s (%s)", rec.topic, rec.partition, rec.offset, code, reason)

    async def _publish_letter(self, letter: DeadLetter, key: bytes | None) -> Any:
        """Send without waiting for the acknowledgement; `_await_letters` waits for all of them."""
        return await self.broker.publish(letter.model_dump_json().encode(), DEAD_LETTER, key=key,
                                         headers={"consumer": self.name, "reason": str(letter.reason_code)},
                                         no_confirm=True)

    async def _publish_and_wait(self, letter: DeadLetter, key: bytes | None) -> None:
        await (await self._publish_letter(letter, key))

    async def _await_letters(self) -> None:
        pending, self._letters = self._letters, []
        failed = []
        for future, letter, key in pending:
            try:
                await future
            except Exception:
                failed.append((letter, key))
        for letter, key in failed:      # resend what the broker did not acknowledge, and wait for it
            self._letters.append((await self._publish_letter(letter, key), letter, key))
        if self._letters:
            raise RuntimeError(f"{len(self._letters)} dead letters not yet acknowledged")

    # --- operators' release requests (`thads deadletters replay|discard`) -----------------------
    async def _serve_requests(self) -> None:
        while True:
            try:
                while await self.release_next():
                    pass
                await self.store.refresh_gauges(self.name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s: release requests not served (%s: %s); retrying", self.name,
                            type(exc).__name__, exc, exc_info=not dl.is_transient(exc))
            await asyncio.sleep(self.request_poll_seconds)

    async def release_next(self) -> bool:
        """Serve one pending request; False when there is none. The dead-letter row stays locked
        (FOR UPDATE) until the release is recorded: another instance skips it, and an instance that
        would park a new message for the key waits, then applies that message after the release."""
        t = self.store.t
        assert self.store.pool is not None
        async with self.store.pool.acquire() as conn, conn.transaction():
            letter = await conn.fetchrow(
                f"SELECT * FROM {t('dead_letter')} WHERE consumer = $1 AND status = 'open'"
                " AND request IS NOT NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", self.name)
            if letter is None:
                return False
            name = f"{self.name}:release:{letter['id']}"
            action = letter["request"]
            if action == "replay":
                failure = await self._apply_released(letter, name, 1)
                if failure is not None:
                    code, reason, trace = failure
                    await conn.execute(
                        f"UPDATE {t('dead_letter')} SET request = NULL, attempts = attempts + 1, reason_code = $2,"
                        " reason = $3, traceback = $4, outcome = $5 WHERE id = $1", letter["id"], code, reason,
                        trace, f"replay failed: {reason}")
                    log.warning("consumer %s: replay of dead letter %s failed again: %s", self.name,
                                letter["id"], reason)
                    return True
            parked = await conn.fetch(f"SELECT * FROM {t('parked_message')} WHERE dead_letter_id = $1"
                                      " AND released_at IS NULL ORDER BY id", letter["id"])
            released, new_letter = 0, None
            for row in parked:
                failure = await self._apply_released(row, name, 1 + row["id"])
                if failure is not None:
                    new_letter = await self._rehold(conn, letter, row, failure)
                    break
                await conn.execute(f"UPDATE {t('parked_message')} SET released_at = now() WHERE id = $1", row["id"])
                released += 1
            outcome = (f"{'replayed' if action == 'replay' else 'discarded'}; {released} parked message(s) applied"
                       + (f"; parked message {new_letter[1]} failed and is now dead letter {new_letter[0]}"
                          if new_letter else ""))
            await conn.execute(
                f"UPDATE {t('dead_letter')} SET status = $2, request = NULL, resolved_at = now(), outcome = $3"
                " WHERE id = $1", letter["id"], "replayed" if action == "replay" else "discarded", outcome)
            if new_letter is not None:      # the unique open letter per key: insert after resolving
                await conn.execute(f"UPDATE {t('dead_letter')} SET status = 'open' WHERE id = $1", new_letter[0])
            dl.RELEASED.labels(self.name, action).inc()
            log.warning("consumer %s: dead letter %s %s", self.name, letter["id"], outcome)
        return True

    async def _apply_released(self, row: Any, name: str, seq: int) -> tuple[str, str, str] | None:
        """Apply a stored message under tracking (name, seq); transient failures are retried, a
        deterministic one is returned as (code, reason, traceback) after the usual attempts."""
        rec = self.store.record_of(row)
        try:
            env = self.decode(rec.topic, rec.value)
        except Exception as exc:
            return str(getattr(exc, "reason_code", "bad_json")), f"{type(exc).__name__}: {exc}", tb.format_exc()
        item = Item(rec, env, self.position_of(env, rec))
        attempts = 0
        while True:
            attempts += 1
            try:
                await self._transient(self.sink.apply_released, item, name, seq)
                return None
            except asyncio.CancelledError:
                raise
            except self.sink.rule_errors as exc:
                if attempts >= self.max_rule_attempts:
                    return "rejected_by_rule", f"{type(exc).__name__}: {exc}", tb.format_exc()
                await asyncio.sleep(self.rule_retry_seconds)
            except Exception as exc:
                if attempts >= self.max_attempts:
                    return "handler_error", f"{type(exc).__name__}: {exc}", tb.format_exc()
                await asyncio.sleep(min(self.retry_seconds * attempts, 5.0))

    async def _rehold(self, conn: Any, letter: Any, row: Any, failure: tuple[str, str, str]) -> tuple[int, int]:
        """A parked message failed during a release: it becomes the key's dead letter (created
        'replayed' and opened once the old one is resolved), the rest stay parked behind it."""
        t = self.store.t
        code, reason, trace = failure
        new_id = await conn.fetchval(
            f"INSERT INTO {t('dead_letter')} (consumer, msg_key, topic, kafka_partition, kafka_offset, tracking,"
            " notification_id, store, value, reason_code, reason, traceback, attempts, status)"
            " SELECT consumer, msg_key, topic, kafka_partition, kafka_offset, tracking, notification_id, store,"
            f" value, $2, $3, $4, $5, 'replayed' FROM {t('parked_message')} WHERE id = $1 RETURNING id",
            row["id"], code, reason, trace, self.max_attempts)
        await conn.execute(f"UPDATE {t('parked_message')} SET dead_letter_id = $2 WHERE dead_letter_id = $1"
                           " AND released_at IS NULL AND id > $3", letter["id"], new_id, row["id"])
        await conn.execute(f"UPDATE {t('parked_message')} SET released_at = now() WHERE id = $1", row["id"])
        rec = self.store.record_of(row)
        try:
            env = self.decode(rec.topic, rec.value)
        except Exception:
            env = None
        now = datetime.now(timezone.utc)
        await self._dead_letter(rec, code, reason, self.max_attempts, env, now, trace, wait=True)
        if env is not None:
            dl.DEAD_LETTERS.labels(self.name, code).inc()
        return new_id, row["id"]
