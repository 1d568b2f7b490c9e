"""Signed anchors over every store's hash chain (architecture §5; the chain rule is thads_kit/chain.py).

* `HeadLog` keeps every stream head the stores report on `thads.audit.chainheads`, append-only
  (`chain_head_log`), with the consumer's position in the same transaction (a repeated report is
  skipped).
* `Anchorer` periodically takes the latest head of every stream in the log up to its last entry
  (the cutoff), builds a Merkle root over them (leaf order: store, stream), and signs
  (number, time, cutoff, leaf count, root, previous anchor's root) with the Ed25519 key from
  `THADS_ANCHOR_SIGNING_KEY`. The anchor is stored first (`chain_anchor`), then published to
  `thads.audit.anchor`; one not yet acknowledged by Kafka is published again on the next round.
  Nothing changed since the last anchor → no new anchor.

`thads verify` (and GET /chain/anchors/verify) check every signature with the trusted public key,
the anchors' own chain (numbers contiguous, each names the previous root), that the head log still
gives the latest anchor's root, and each store against those heads (truncation, rewrites).
"""
from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime, timezone
from typing import Any, Sequence

import asyncpg
from aiokafka import AIOKafkaProducer

from thads_contracts.audit import AnchorPublished, ChainHeadsReported
from thads_contracts.errors import BadJsonError, SchemaViolationError
from thads_contracts.topics import AUDIT_ANCHOR
from thads_kit import chain
from thads_kit.consumer import Item
from thads_kit.settings import bootstrap_servers
from thads_kit.tasks import BackgroundTask

log = logging.getLogger(__name__)


def ddl(schema: str) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {schema}.chain_head_log (id bigserial PRIMARY KEY, service text NOT NULL,"
        " store text NOT NULL, stream uuid NOT NULL, version bigint NOT NULL, hash bytea NOT NULL,"
        " received_at timestamptz NOT NULL DEFAULT now())",
        f"CREATE INDEX IF NOT EXISTS chain_head_log_stream ON {schema}.chain_head_log (store, stream, version)",
        f"CREATE TABLE IF NOT EXISTS {schema}.chain_head_position (tracking text PRIMARY KEY,"
        " notification_id bigint NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {schema}.chain_head_release (release text PRIMARY KEY, seq bigint NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {schema}.chain_anchor (number int PRIMARY KEY, created_at timestamptz NOT NULL,"
        " cutoff bigint NOT NULL, leaves int NOT NULL, root bytea NOT NULL, prev_root bytea NOT NULL,"
        " signature bytea NOT NULL, public_key text NOT NULL, published_at timestamptz)",
    ]


async def setup(pool: asyncpg.Pool, schema: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('chain-setup:{schema}'))")
        for stmt in ddl(schema):
            await conn.execute(stmt)


def decode(topic: str, value: bytes) -> ChainHeadsReported:
    from pydantic import ValidationError
    try:
        return ChainHeadsReported.model_validate_json(value)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadJsonError(str(exc), topic=topic) from None
        raise SchemaViolationError(str(exc), topic=topic, event_type="audit.ChainHeadsReported.v1") from None


class HeadLog:
    """Sink of the tracked consumer of `thads.audit.chainheads`."""

    rule_errors: tuple[type[BaseException], ...] = (asyncpg.DataError,)

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]

    async def setup(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        await setup(pool, self.schema)

    async def apply(self, items: Sequence[Item]) -> list[bool]:
        async with self.pool.acquire() as conn, conn.transaction():
            names = sorted({i.position.tracking_name for i in items})
            await conn.executemany(f"INSERT INTO {self.schema}.chain_head_position VALUES ($1, 0)"
                                   " ON CONFLICT DO NOTHING", [(n,) for n in names])
            rows = await conn.fetch(f"SELECT tracking, notification_id FROM {self.schema}.chain_head_position"
                                    " WHERE tracking = ANY($1::text[]) FOR UPDATE", names)
            seen = {r["tracking"]: r["notification_id"] for r in rows}
            out, fresh = [], []
            for item in items:
                name, nid = item.position.tracking_name, item.position.notification_id
                if nid <= seen[name]:
                    out.append(False)
                    continue
                seen[name] = nid
                fresh.append(item)
                out.append(True)
            await self._write_heads(conn, fresh)
            await conn.executemany(f"UPDATE {self.schema}.chain_head_position SET notification_id = $2"
                                   " WHERE tracking = $1 AND notification_id < $2", list(seen.items()))
            return out

    async def _write_heads(self, conn: asyncpg.Connection, items: Sequence[Item]) -> None:
        heads = [(m.service, m.store, h.stream, h.version, bytes.fromhex(h.hash))
                 for m in (i.envelope for i in items) for h in m.heads]
        if heads:
            await conn.copy_records_to_table("chain_head_log", schema_name=self.schema, records=heads,
                                             columns=["service", "store", "stream", "version", "hash"])

    # the kit consumer's dead-letter and parking paths (consumer.Sink), on this log's positions
    async def record_with(self, item: Item, sql: str, args: tuple[Any, ...]) -> Any:
        return (await self.record_many([item], [(sql, args)]))[0]

    async def record_many(self, items: Sequence[Item], statements: Sequence[tuple[str, tuple[Any, ...]]]
                          ) -> list[Any]:
        from thads_kit.deadletters import run_behind_positions
        async with self.pool.acquire() as conn, conn.transaction():
            names = sorted({i.position.tracking_name for i in items})
            await conn.executemany(f"INSERT INTO {self.schema}.chain_head_position VALUES ($1, 0)"
                                   " ON CONFLICT DO NOTHING", [(n,) for n in names])
            rows = await conn.fetch(f"SELECT tracking, notification_id FROM {self.schema}.chain_head_position"
                                    " WHERE tracking = ANY($1::text[]) FOR UPDATE", names)
            seen = {r["tracking"]: r["notification_id"] for r in rows}
            out = await run_behind_positions(conn, items, statements, seen)
            await conn.executemany(f"UPDATE {self.schema}.chain_head_position SET notification_id = $2"
                                   " WHERE tracking = $1 AND notification_id < $2", list(seen.items()))
            return out

    async def apply_released(self, item: Item, name: str, seq: int) -> bool:
        async with self.pool.acquire() as conn, conn.transaction():
            done = await conn.fetchval(
                f"INSERT INTO {self.schema}.chain_head_release VALUES ($1, $2) ON CONFLICT (release)"
                f" DO UPDATE SET seq = EXCLUDED.seq WHERE {self.schema}.chain_head_release.seq < EXCLUDED.seq"
                " RETURNING seq", name, seq)
            if done is None:
                return False
            await self._write_heads(conn, [item])
            return True

    async def record_position(self, item: Item) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"INSERT INTO {self.schema}.chain_head_position VALUES ($1, $2) ON CONFLICT (tracking)"
                f" DO UPDATE SET notification_id = EXCLUDED.notification_id"
                f" WHERE {self.schema}.chain_head_position.notification_id < EXCLUDED.notification_id",
                item.position.tracking_name, item.position.notification_id)


class Anchorer(BackgroundTask):
    def __init__(self, *, schema: str, signing_key_b64: str | None, kafka_url: str, every: float) -> None:
        self.schema = schema
        self.key = chain.signing_key(signing_key_b64)
        self.public_key = chain.public_key_b64(self.key)
        self.kafka_url = kafka_url
        self.every = every
        self.pool: asyncpg.Pool = None  # type: ignore[assignment]
        self.producer: AIOKafkaProducer | None = None

    async def setup(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        await setup(pool, self.schema)

    async def _run(self) -> None:
        while True:
            try:
                if self.producer is None:
                    self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(self.kafka_url), enable_idempotence=True,
                                                     acks="all")
                    await self.producer.start()
                await self.anchor_once()
                await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("anchoring failed; retrying")
            await asyncio.sleep(self.every)

    async def stop(self) -> None:
        await super().stop()
        if self.producer is not None:
            await self.producer.stop()
            self.producer = None

    async def anchor_once(self) -> int | None:
        """Sign and store a new anchor if heads arrived since the last one; returns its number."""
        s = self.schema
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('chain-anchor:{s}'))")
            last = await conn.fetchrow(f"SELECT number, cutoff, root FROM {s}.chain_anchor ORDER BY number DESC LIMIT 1")
            cutoff = await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {s}.chain_head_log")
            if cutoff == 0 or (last is not None and last["cutoff"] >= cutoff):
                return None
            heads = await conn.fetch(chain.HEADS_SQL.format(schema=s).replace("%s", "$1"), cutoff)
            root = chain.merkle_root([chain.head_leaf(h["service"], h["store"], str(h["stream"]), h["version"],
                                                      bytes(h["hash"])) for h in heads])
            number = 1 if last is None else last["number"] + 1
            prev_root = chain.GENESIS if last is None else bytes(last["root"])
            # timestamptz keeps microseconds: sign exactly what is stored
            created_at = datetime.now(timezone.utc)
            message = chain.anchor_message(number, chain.iso(created_at), cutoff, len(heads), root, prev_root)
            await conn.execute(
                f"INSERT INTO {s}.chain_anchor (number, created_at, cutoff, leaves, root, prev_root, signature,"
                " public_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                number, created_at, cutoff, len(heads), root, prev_root, self.key.sign(message), self.public_key)
            log.info("anchor %d signed over %d stream heads (head log through %d)", number, len(heads), cutoff)
            return number

    async def publish_pending(self) -> int:
        assert self.producer is not None
        rows = await self.pool.fetch(f"SELECT * FROM {self.schema}.chain_anchor WHERE published_at IS NULL"
                                     " ORDER BY number")
        for r in rows:
            msg = AnchorPublished(number=r["number"], created_at=r["created_at"], cutoff=r["cutoff"],
                                  leaves=r["leaves"], root=bytes(r["root"]).hex(), prev_root=bytes(r["prev_root"]).hex(),
                                  signature=base64.b64encode(bytes(r["signature"])).decode(),
                                  public_key=r["public_key"])
            await (await self.producer.send(AUDIT_ANCHOR, msg.model_dump_json().encode(), key=b"anchor"))
            await self.pool.execute(f"UPDATE {self.schema}.chain_anchor SET published_at = now() WHERE number = $1",
                                    r["number"])
        return len(rows)

    async def latest(self) -> dict[str, Any] | None:
        r = await self.pool.fetchrow(f"SELECT * FROM {self.schema}.chain_anchor ORDER BY number DESC LIMIT 1")
        if r is None:
            return None
        return {"number": r["number"], "created_at": r["created_at"].isoformat(), "cutoff": r["cutoff"],
                "leaves": r["leaves"], "root": bytes(r["root"]).hex(), "prev_root": bytes(r["prev_root"]).hex(),
                "signature": base64.b64encode(bytes(r["signature"])).decode(), "public_key": r["public_key"],
                "published": r["published_at"] is not None}
