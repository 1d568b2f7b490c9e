"""Composition helper used by every service's main.py: builds the event store, command batcher,
outbox relay, asyncpg pool, FastStream Kafka broker and tracked consumers from one Settings object,
and starts/stops them in the right order; `serve` runs a service's HTTP app. No business rules here."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

import asyncpg
import uvicorn
from faststream.kafka import KafkaBroker

from .access import AccessLog, AccessPublisher
from .batcher import CommandBatcher
from .chain import ChainHeadPublisher
from .relay import OutboxRelay, Translate, require_table_lock
from .settings import ServiceSettings
from .store import CommandRecorder, EsExecutor, ServiceApplication

log = logging.getLogger(__name__)


def ensure_schema_sync(settings: ServiceSettings) -> None:
    import psycopg

    with psycopg.connect(host=settings.pg_host, port=settings.pg_port, dbname=settings.pg_db,
                         user=settings.pg_user, password=settings.pg_password.get_secret_value() or None,
                         autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.schema}"')


def _kill_after_client_command(rows: Any) -> None:
    """Test-only fault (`<SERVICE>_FAULT=command_kill_after_commit`): SIGKILL this process right after
    a transaction holding a command with a client Idempotency-Key committed, before anyone is answered."""
    if any(r.command_id.startswith("key:") for r in rows):
        log.warning("fault injection: SIGKILL after committing command(s) %s", [r.command_id for r in rows])
        os.kill(os.getpid(), signal.SIGKILL)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The read pool's reset: nothing to undo (see Runtime.read_pool), except a transaction left open."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class Runtime:
    def __init__(self, settings: ServiceSettings, *,
                 application: Callable[[dict[str, str]], ServiceApplication] | None = None,
                 translate: Translate | None = None) -> None:
        self.settings = settings
        self.broker = KafkaBroker(settings.kafka_servers, enable_idempotence=True, acks="all",
                                  client_id=settings.service_name, log_level=logging.DEBUG,
                                  logger=logging.getLogger("faststream.kafka"))   # our JSON handler
        self.executor = EsExecutor(settings.es_workers)
        self._application_factory = application
        self._translate = translate
        self.app: ServiceApplication | None = None
        self.batcher: CommandBatcher | None = None
        self.relay: OutboxRelay | None = None
        self.pool: asyncpg.Pool | None = None
        # Hot read routes: single statements only (no LISTEN, SET, session advisory lock or open
        # transaction), so releasing a connection skips asyncpg's reset query — one round trip per
        # request, ~10 % of a read's samples in py-spy (issue 13). Everything else uses `pool`.
        self.read_pool: asyncpg.Pool | None = None
        self.on_start: list[Callable[[], Any]] = []
        self.on_stop: list[Callable[[], Any]] = []
        self.chain_heads: ChainHeadPublisher | None = None
        self.consumers: list[Any] = []
        # who read what (access.py): every service has one; routes call `runtime.access.record(...)`
        self.access = AccessLog(service=settings.service_name, schema=settings.schema)
        self.access_publisher: AccessPublisher | None = None

    async def start(self) -> None:
        s = self.settings
        if s.uses_dev_secret:
            log.warning("using the development JWT secret: anyone can mint tokens; set THADS_JWT_SECRET")
        await self.executor.run(ensure_schema_sync, s)
        self.pool = await asyncpg.create_pool(min_size=1, max_size=8, **s.asyncpg_kwargs())
        self.read_pool = await asyncpg.create_pool(min_size=1, max_size=8, reset=_keep_session, **s.asyncpg_kwargs())
        await self.access.setup(self.pool)
        if s.role_enabled("relay"):
            self.access_publisher = AccessPublisher(self.access, pg=s.asyncpg_kwargs(), kafka_url=s.kafka_url)
            await self.access_publisher.start()
        if self._application_factory is not None:
            self.app = await self.executor.run(self._application_factory, s.eventsourcing_env())
            if s.fault == "command_kill_after_commit":
                self.app.recorder.after_commit = _kill_after_client_command  # type: ignore[attr-defined]
            self.batcher = CommandBatcher(self.app, self.executor, max_batch=s.batch_max)
            await self.batcher.start()
            require_table_lock(self.app.recorder, s.service_name)    # the relay's gap-safety
            if self._translate is not None and s.role_enabled("relay"):
                self.relay = OutboxRelay(
                    service=s.service_name, schema=s.schema, events_table=f"{self.app.name.lower()}_events",
                    mapper=self.app.mapper, translate=self._translate, pg=s.asyncpg_kwargs(),
                    kafka_url=s.kafka_url, batch=s.relay_batch, poll_seconds=s.relay_poll_seconds, fault=s.fault)
                await self.relay.start()
            if isinstance(self.app.recorder, CommandRecorder) and s.role_enabled("relay"):
                self.chain_heads = ChainHeadPublisher(
                    service=s.service_name, schema=s.schema, events_table=f"{self.app.name.lower()}_events",
                    pg=s.asyncpg_kwargs(), kafka_url=s.kafka_url, every=s.chain_heads_seconds)
                await self.chain_heads.start()
        for hook in self.on_start:
            result = hook()
            if asyncio.iscoroutine(result):
                await result
        for consumer in self.consumers:      # tracked consumers: dead-letter tables, release requests
            await consumer.start(self.pool)
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()
        for hook in self.on_stop:
            result = hook()
            if asyncio.iscoroutine(result):
                await result
        if self.chain_heads:
            await self.chain_heads.stop()
        if self.access_publisher:
            await self.access_publisher.stop()
        for consumer in self.consumers:
            await consumer.stop()
        if self.relay:
            await self.relay.stop()
        if self.batcher:
            await self.batcher.stop()
        if self.pool:
            await self.pool.close()
        if self.read_pool:
            await self.read_pool.close()
        if self.app is not None:
            await self.executor.run(self.app.close)     # the library's psycopg pool
        await self.executor.shutdown()

    async def health(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        try:
            assert self.pool is not None
            async with self.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
            checks["postgres"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["postgres"] = f"error: {exc}"
        try:
            await asyncio.wait_for(self.broker.ping(timeout=2.0), 3.0)
            checks["kafka"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["kafka"] = f"error: {exc}"
        if self.relay is not None:
            checks["relay"] = {"active": self.relay.active, "position": self.relay.position}
        ok = checks["postgres"] == "ok" and checks["kafka"] == "ok"
        return {"status": "ok" if ok else "degraded", "service": self.settings.service_name, "checks": checks}

    @asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


class LazyConsumer:
    """A tracked consumer that needs the service's application, which exists only once the runtime
    started; FastStream subscribers must be declared before the broker starts, so `register(app)` runs
    in a start hook (before the broker) and the consumer joins `runtime.consumers` there."""

    def __init__(self, runtime: Runtime, register: Callable[[ServiceApplication], Any]) -> None:
        self.consumer: Any = None
        runtime.on_start.append(lambda: self._declare(runtime, register))

    def _declare(self, runtime: Runtime, register: Callable[[ServiceApplication], Any]) -> None:
        assert runtime.app is not None
        self.consumer = register(runtime.app)
        runtime.consumers.append(self.consumer)     # dead-letter tables and release requests


def serve(factory: str, settings: ServiceSettings) -> None:
    """Runs the app built by `factory` ("module:function", called with no argument) under uvicorn
    on uvloop + httptools. With `<NAME>_HTTP_WORKERS` > 1 uvicorn starts that many processes on one
    port, each with its own runtime (batcher, relay, consumers, read models): the relay and the read
    models take advisory locks and the consumers share one group, so extra workers add HTTP
    capacity, not extra publishers. Logs stay the kit's JSON (log_config=None); uvicorn's per-request
    access log is off unless `<NAME>_ACCESS_LOG=true` (a JSON record per request cost more than the
    route itself on a bare endpoint; the correlation id is in every log line of the request)."""
    workers = settings.http_workers if settings.http_workers > 1 else None
    relay = None
    if settings.relay_process and settings.role_enabled("relay"):
        relay = RelaySupervisor(factory, settings)
        relay.start()
    try:
        uvicorn.run(factory, factory=True, host=settings.http_host, port=settings.http_port, workers=workers,
                    loop="uvloop", http="httptools", log_config=None, access_log=settings.access_log)
    finally:
        if relay is not None:
            relay.stop()


class RelaySupervisor:
    """`<NAME>_RELAY_PROCESS=true`: the service's "relay" role (outbox relay, access-log and chain-head
    publishers) runs in a child process (thads_kit.relay_process) and NOT in the HTTP process, whose
    event loop and GIL it would otherwise share with the requests (issue 13: under load an event then
    waited behind them for most of its way to Kafka). This thread starts the child before the HTTP
    server, starts it again RESTART_S after it exits (a crash delays publishing, loses nothing: the
    store is the outbox), and stops it with the service. One advisory lock per store still guarantees
    one active relay (relay.py)."""

    RESTART_S = 1.0

    def __init__(self, factory: str, settings: ServiceSettings) -> None:
        self.factory = factory
        self.env = settings.relay_process_environ()     # and this process's roles lose "relay"
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "thads_kit.relay_process", self.factory], env=self.env)

    def _run(self) -> None:
        while not self._stopping.is_set():
            assert self.proc is not None
            code = self.proc.wait()
            if self._stopping.wait(self.RESTART_S):
                return
            log.warning("relay process exited with %s; starting it again", code)
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._thread.join(5)
