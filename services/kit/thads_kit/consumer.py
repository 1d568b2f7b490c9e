"""Tracked consumer: exactly-once *effect* on top of at-least-once Kafka delivery.

* Each message's position (source service, topic partition, source notification id) is recorded
  in the same PostgreSQL transaction as its effect (a sink does that); a position at or below the
  recorded one is a duplicate and is skipped.
* It never moves past a message it failed to apply: infrastructure errors are retried (with
  backoff) on the same messages until they succeed; Kafka offsets are committed manually and only
  for handled messages (FastStream's default ACK_FIRST is not used).
* A message that can never be applied (bad JSON, unknown type, invalid schema, rejected by a
  rule after `max_rule_attempts`) goes to the dead-letter topic with the reason and attempt count,
  its position is recorded, and the partition goes on.

Kafka offsets are an optimisation; the database position is the truth.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Protocol, Sequence

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from prometheus_client import Counter

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

    async def apply(self, items: Sequence[Item]) -> list[bool]: ...

    async def record_position(self, item: Item) -> None: ...


Decode = Callable[[str, bytes], Any]


async def _raw_body(msg: Any) -> Any:
    """Skip FastStream's JSON decoding: the contract registry decodes each record itself, so that
    bad JSON becomes a dead letter instead of a handler error."""
    return msg.body


class TrackedConsumer:
    def __init__(self, *, name: str, broker: KafkaBroker, topics: Sequence[str], sink: Sink,
                 decode: Decode, max_rule_attempts: int = 1, max_records: int = 500,
                 commit_every: int = 500, commit_seconds: float = 1.0,
                 retry_seconds: float = 0.5, rule_retry_seconds: float = 0.05) -> None:
        self.name = name
        self.broker = broker
        self.topics = tuple(topics)
        self.sink = sink
        self.decode = decode
        self.max_rule_attempts = max_rule_attempts
        self.commit_every = commit_every
        self.commit_seconds = commit_seconds
        self.retry_seconds = retry_seconds
        self.rule_retry_seconds = rule_retry_seconds
        self._handled: dict[TopicPartition, int] = {}
        self._since_commit = 0
        self._last_commit = time.monotonic()
        self.applied = 0
        self.duplicates = 0
        self.dead_lettered = 0
        if hasattr(sink, "consumer_name"):      # a projection rebuild must track positions under our name
            sink.consumer_name = name
        self.subscriber = broker.subscriber(
            *self.topics, group_id=name, ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
            batch=True, max_records=max_records, batch_timeout_ms=50,
            decoder=_raw_body, title=f"{name}:consume",
            description=f"tracked consumer {name}")(self._on_batch)

    # ------------------------------------------------------------------------------------------
    async def _on_batch(self, body: Any, msg: KafkaMessage) -> None:
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        try:
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
        """Decode, apply and dead-letter one fetched batch. Returns only when every record is
        either applied, a duplicate, or dead-lettered."""
        items: list[Item] = []
        self._letters: list[Any] = []                 # dead letters in flight, awaited below
        self._rejected: dict[str, Item] = {}          # last rejected item per tracking name
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
            await self._apply(items)
        # Before the batch counts as handled: every dead letter is acknowledged by Kafka, then the
        # positions of rejected messages are recorded (one write per partition, not per message).
        await self._retry_forever(self._await_letters)
        for item in self._rejected.values():
            await self._retry_forever(self.sink.record_position, item)

    async def _apply(self, items: Sequence[Item]) -> None:
        attempts = 0
        first_failed_at: datetime | None = None
        while True:
            attempts += 1
            token = correlation_id.set(str(getattr(items[0].envelope, "correlation_id", None) or items[0].envelope.event_id))
            try:
                outcomes = await self.sink.apply(items)
                applied = sum(outcomes)
                self.applied += applied
                self.duplicates += len(outcomes) - applied
                CONSUMED.labels(self.name, "applied").inc(applied)
                CONSUMED.labels(self.name, "duplicate").inc(len(outcomes) - applied)
                return
            except self.sink.rule_errors as exc:
                first_failed_at = first_failed_at or datetime.now(timezone.utc)
                if len(items) > 1:      # find the one that is rejected; the others apply
                    for item in items:
                        await self._apply([item])
                    return
                if attempts >= self.max_rule_attempts:
                    await self._dead_letter(items[0].record, "rejected_by_rule",
                                            f"{type(exc).__name__}: {exc}", attempts, items[0].envelope,
                                            first_failed_at)
                    self._rejected[items[0].position.tracking_name] = items[0]
                    return
                # a rule may reject a message only because a related one is not applied yet: retry briefly
                await asyncio.sleep(self.rule_retry_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s: apply failed (attempt %d); retrying the same messages",
                              self.name, attempts)
                await asyncio.sleep(min(self.retry_seconds * attempts, 5.0))
            finally:
                correlation_id.reset(token)

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
                           first_failed_at: datetime | None = None) -> None:
        now = datetime.now(timezone.utc)
        letter = DeadLetter.capture(
            original_topic=rec.topic, partition=rec.partition, offset=rec.offset, key=rec.key,
            value=rec.value, reason_code=code, reason=reason, consumer=self.name, attempts=attempts,
            first_failed_at=first_failed_at or now, dead_lettered_at=now,
            event_id=getattr(envelope, "event_id", None), event_type=getattr(envelope, "event_type", None))
        self._letters.append((await self._retry_forever(self._publish_letter, letter, rec.key), letter, rec.key))
        self.dead_lettered += 1
        CONSUMED.labels(self.name, "dead_lettered").inc()
        log.warning("dead-lettered %s[%s]@%s: %s (%s)", rec.topic, rec.partition, rec.offset, code, reason)

    async def _publish_letter(self, letter: DeadLetter, key: bytes | None) -> Any:
        """Send without waiting for the acknowledgement; `_await_letters` waits for all of them."""
        return await self.broker.publish(letter.model_dump_json().encode(), DEAD_LETTER, key=key,
                                         headers={"consumer": self.name, "reason": str(letter.reason_code)},
                                         no_confirm=True)

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
