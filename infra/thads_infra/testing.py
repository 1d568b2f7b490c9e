"""Test support for integration, end-to-end and fault tests: services as real processes on the
real PostgreSQL and Kafka that `make test` started (the single broker, or the 3-node cluster's
bootstrap list after `thads up --cluster`), independent Kafka readers, and `wait_until`: tests
wait for a condition with a deadline, never for a fixed time."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Iterable

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from thads_infra import layout
from thads_kit.relay import STORE_HEADER
from thads_kit.settings import bootstrap_servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(name: str, **extra: Any) -> dict[str, str]:
    """Environment for a service process pointed at the project's PostgreSQL and Kafka."""
    prefix = name.upper() + "_"
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefix)}
    env.update({
        f"{prefix}KAFKA_URL": layout.KAFKA_BOOTSTRAP,
        f"{prefix}PG_HOST": layout.PG_HOST,
        f"{prefix}PG_PORT": str(layout.PG_PORT),
        f"{prefix}PG_DB": layout.PG_DB,
        f"{prefix}PG_USER": layout.PG_USER,
        "PYTHONUNBUFFERED": "1",
    })
    env.update({f"{prefix}{k.upper()}": str(v) for k, v in extra.items()})
    return env


@dataclass
class ServiceProcess:
    name: str
    module: str
    log_file: Path
    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None
    starts: int = field(default=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True, timeout: float = 60.0) -> "ServiceProcess":
        self.starts += 1
        log = self.log_file.open("ab")
        log.write(f"\n=== start #{self.starts} ===\n".encode())
        log.flush()
        self.proc = subprocess.Popen([sys.executable, "-m", self.module], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not healthy after {timeout}s:\n{self.tail()}")

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def service_process(name: str, log_dir: Path, module: str | None = None, **settings: Any) -> ServiceProcess:
    port = int(settings.pop("http_port", 0)) or free_port()
    env = service_env(name, http_port=port, **settings)
    return ServiceProcess(name=name, module=module or f"{name}_service.main", env=env, port=port,
                          log_file=log_dir / f"{name}-{port}.log")


async def pg_connect() -> asyncpg.Connection:
    return await asyncpg.connect(host=layout.PG_HOST, port=layout.PG_PORT, database=layout.PG_DB,
                                 user=layout.PG_USER)


async def wait_until(check: Callable[[], Any], timeout: float = 60.0, interval: float = 0.2,
                     what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise TimeoutError(f"{what} not reached in {timeout}s (last: {last!r})")


async def read_topic(topic: str, *, key: bytes | None = None, idle_ms: int = 1500,
                     bootstrap: str | None = None) -> list[Any]:
    """Every record of `topic` from the beginning (no consumer group), optionally with one key.
    `bootstrap`: a bootstrap list (host:port,...); the stack's Kafka when not given."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers(bootstrap or layout.KAFKA_BOOTSTRAP),
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic)
        if not parts:
            await consumer._client.force_metadata_update()  # noqa: SLF001
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in parts]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[Any] = []
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=idle_ms)
            for records in batch.values():
                out.extend(r for r in records if key is None or r.key == key)
        return out
    finally:
        await consumer.stop()


async def publish(topic: str, messages: Iterable[tuple[bytes | None, bytes]], *,
                  bootstrap: str | None = None, store: str | None = None) -> None:
    """Send `messages` (key, value) and wait for every acknowledgement. `store` names the event store
    the messages pretend to come from (the relay's store header): consumers dedupe on the source
    position per store and partition, so hand-built envelopes whose positions do not grow with the
    other tests' on the shared topics need a store of their own (unique per run)."""
    headers = [(STORE_HEADER, store.encode())] if store else None
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(bootstrap or layout.KAFKA_BOOTSTRAP),
                                enable_idempotence=True)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key, headers=headers) for key, value in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def json_records(records: Iterable[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records]


async def send_import(client: Any, lines: Iterable[dict[str, Any] | str], headers: dict[str, str]) -> list[dict[str, Any]]:
    """POST `lines` to a service's bulk import (`POST /import`, thads_kit.bulk_import) as NDJSON — a dict
    is one command, a string is sent as it is (to test bad lines) — and return the per-line answers."""
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    r = await client.post("/import", content=text.encode(), headers={**headers, "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text
    return [json.loads(x) for x in r.text.splitlines()]


async def count_events(table: str, originator_ids: Iterable[Any]) -> int:
    """How many events an event store table (e.g. "auctions.auctions_events") holds for these aggregates."""
    conn = await pg_connect()
    try:
        return await conn.fetchval(f"SELECT count(*) FROM {table} WHERE originator_id = ANY($1::uuid[])",
                                   [str(i) for i in originator_ids])
    finally:
        await conn.close()


async def create_topic(topic: str, partitions: int = 1) -> None:
    """A Kafka topic of a test's own (replication 1, the single test broker)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()


@asynccontextmanager
async def own_schema(schema: str, pool_size: int = 6) -> AsyncIterator[asyncpg.Pool]:
    """A PostgreSQL schema of a test's own and a pool on the test database; the schema is dropped
    afterwards, on a fresh connection (a test may have terminated the pool's)."""
    conn = await pg_connect()
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(host=layout.PG_HOST, port=layout.PG_PORT, database=layout.PG_DB,
                                     user=layout.PG_USER, min_size=1, max_size=pool_size)
    try:
        yield pool
    finally:
        await pool.close()
        conn = await pg_connect()
        try:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await conn.close()
