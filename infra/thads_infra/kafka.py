"""A real Apache Kafka (KRaft, combined broker+controller) from Maven Central jars, run with `java -cp`.

Single node for development and integration tests on SINGLE_BOOTSTRAP; a 3-node cluster
(replication 3, min.insync.replicas=2) for `thads up --cluster` and fault tests, in a folder the
caller chooses, on the ports of THADS_CLUSTER_PORT_BASE.
See shared/kafka-broker.md for why each setting is there.

Every node has three listeners: PLAINTEXT (internal: services, tools; loopback only, its anonymous
clients are super users), CONTROLLER, and BANKS (SASL_PLAINTEXT with SCRAM-SHA-512, layout.KAFKA_BANK_PORT)
where each bank logs in as its own Kafka user `bank-<code>`. KRaft's StandardAuthorizer with
allow.everyone.if.no.acl.found=false lets a bank user do only what its ACLs say: READ/DESCRIBE its
topic thads.bankfeed.<CODE> and READ its consumer groups (prefix `bank-<code>`). `grant_bank` creates
or rotates the user's password and sets those ACLs (confluent-kafka's admin client: aiokafka has no
SCRAM or ACL calls); `thads bank-credentials --bank CODE` calls it.

CLI: python -m thads_infra.kafka up|down|status|jars|clean|cluster-up|cluster-down|cluster-status
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import fcntl
import os
import signal
import hashlib
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiokafka.admin import AIOKafkaAdminClient

from thads_infra import layout, procs

STARTED_LINE = re.compile(r"Kafka\s*Server.*started")
_MARKER = ".thads-jars"
T = TypeVar("T")


# --- jars --------------------------------------------------------------------------------------

def kafka_version() -> str:
    """The Kafka version pinned in infra/kafka/pom.xml (the single place it is written)."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(layout.KAFKA_POM).getroot().find("m:properties/m:kafka.version", ns)
    if node is None or not (node.text or "").strip():
        raise RuntimeError(f"no <kafka.version> in {layout.KAFKA_POM}")
    return node.text.strip()


def _jar_stamp() -> str:
    # Any change of the POM (Kafka or Log4j version) refetches into a clean folder, so two
    # versions of a jar never end up on one classpath.
    return f"{kafka_version()} {hashlib.sha256(layout.KAFKA_POM.read_bytes()).hexdigest()[:16]}"


def jars_ready() -> bool:
    marker = layout.KAFKA_LIB_DIR / _MARKER
    return marker.is_file() and marker.read_text().strip() == _jar_stamp()


def ensure_jars() -> Path:
    """Copy the broker's runtime classpath from Maven Central into CACHE_DIR/kafka/lib, once."""
    lib = layout.KAFKA_LIB_DIR
    if jars_ready():
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    with open(lib.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # a parallel caller waits, then sees the marker
        if jars_ready():
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) is not on PATH; it is needed once to fetch the Kafka jars")
        version = kafka_version()
        partial = lib.with_name("lib.partial")
        shutil.rmtree(partial, ignore_errors=True)
        print(f"Fetching Apache Kafka {version} jars with Maven into {lib} ...", flush=True)
        t0 = time.monotonic()
        result = subprocess.run(
            [mvn, "-q", "-B", "-f", str(layout.KAFKA_POM), "dependency:copy-dependencies",
             f"-DoutputDirectory={partial}", "-DincludeScope=runtime"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"mvn failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        if not (partial / f"kafka_2.13-{version}.jar").is_file():
            raise RuntimeError(f"mvn succeeded but kafka_2.13-{version}.jar is not in {partial}")
        shutil.rmtree(lib, ignore_errors=True)
        partial.rename(lib)
        (lib / _MARKER).write_text(_jar_stamp() + "\n")
        count = len(list(lib.glob("*.jar")))
        print(f"Fetched {count} jars in {time.monotonic() - t0:.1f} s", flush=True)
    return lib


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java is not on PATH (Kafka 4.x needs Java 17+)")
    return java


# --- nodes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    node_id: int
    client_port: int
    controller_port: int
    home: Path            # server.properties and data/
    log_file: Path
    pid_file: Path
    bank_port: int = 0    # the banks' SASL/SCRAM listener (0: client port + BANK_PORT_OFFSET)

    @property
    def banks_port(self) -> int:
        return self.bank_port or self.client_port + layout.BANK_PORT_OFFSET

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    def pid(self) -> int | None:
        # The properties path is unique per node, so a reused pid is not mistaken for the broker.
        return procs.running_pid(self.pid_file, expect=str(self.properties))


def kafka_uuid() -> str:
    """A cluster id as Kafka's Uuid.toString() writes it (URL-safe base64, never starting with '-')."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def _cluster_id(file: Path) -> str:
    if not file.is_file():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(kafka_uuid() + "\n")
    return file.read_text().strip()


def _server_properties(node: Node, voters: str, replication: int,
                       overrides: Mapping[str, str] | None) -> str:
    min_isr = min(2, replication)
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://127.0.0.1:{node.client_port},CONTROLLER://127.0.0.1:{node.controller_port},"
                     f"BANKS://127.0.0.1:{node.banks_port}",
        "advertised.listeners":
            f"PLAINTEXT://127.0.0.1:{node.client_port},CONTROLLER://127.0.0.1:{node.controller_port},"
            f"BANKS://127.0.0.1:{node.banks_port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,BANKS:SASL_PLAINTEXT",
        # Banks: SCRAM-SHA-512 users, ACLs enforced by KRaft's authorizer (shared/kafka-broker.md §7).
        # The internal listener's anonymous clients (services, tools, the other nodes, the controller)
        # are super users: keep it on loopback / the private network.
        "listener.name.banks.sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.banks.scram-sha-512.sasl.jaas.config":
            "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": "User:ANONYMOUS",
        "allow.everyone.if.no.acl.found": "false",
        "log.dirs": str(node.data),
        # Topics are created on purpose (thads_infra.topics), never by a typo in a producer.
        "auto.create.topics.enable": "false",
        "num.partitions": "3",
        "default.replication.factor": str(replication),
        "min.insync.replicas": str(min_isr),
        "offsets.topic.replication.factor": str(replication),
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": str(replication),
        "transaction.state.log.min.isr": str(min_isr),
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": str(replication),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        "group.initial.rebalance.delay.ms": "0",
        # The cleaner's dedupe buffer is allocated on the heap (128 MiB by default).
        "log.cleaner.dedupe.buffer.size": "16777216",
        "num.recovery.threads.per.data.dir": "1",
        **(overrides or {}),
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _format_cmd(node: Node, cluster_id: str) -> list[str]:
    return [_java(), "-Xmx256m", f"-Dlog4j2.configurationFile={layout.KAFKA_INFRA_DIR / 'log4j2-tools.properties'}",
            "-cp", f"{layout.KAFKA_LIB_DIR}/*", "kafka.tools.StorageTool", "format",
            "-t", cluster_id, "-c", str(node.properties)]


def _format(nodes: Sequence[Node], cluster_id: str) -> None:
    """Format each node's storage once, in parallel (one JVM start each)."""
    todo = [n for n in nodes if not (n.data / "meta.properties").is_file()]
    running = [(n, subprocess.Popen(_format_cmd(n, cluster_id), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
               for n in todo]
    for node, proc in running:
        out, _ = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"formatting Kafka node {node.node_id} failed:\n{out}")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _launch(node: Node) -> tuple[int, int]:
    """Start one broker process detached; returns (pid, log offset where this run's output begins)."""
    deadline = time.monotonic() + 10   # a node killed a moment ago may still be closing its sockets
    ports = (node.client_port, node.controller_port, node.banks_port)
    while any(_port_open(p) for p in ports) and time.monotonic() < deadline:
        time.sleep(0.2)
    if any(_port_open(p) for p in ports):
        raise RuntimeError(f"port {node.client_port}, {node.controller_port} or {node.banks_port} (banks) is "
                           "already in use by another process (a broker from another checkout?)")
    node.log_file.parent.mkdir(parents=True, exist_ok=True)
    offset = node.log_file.stat().st_size if node.log_file.exists() else 0
    argv = [_java(), *layout.KAFKA_HEAP_OPTS, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={layout.KAFKA_INFRA_DIR / 'log4j2-broker.properties'}",
            "-cp", f"{layout.KAFKA_LIB_DIR}/*", "kafka.Kafka", str(node.properties)]
    pid = procs.spawn(argv, node.log_file, node.pid_file, cwd=node.home)
    return pid, offset


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when the caller already has a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def worker() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


async def describe_cluster(bootstrap: str, timeout_ms: int = 5000) -> dict[str, Any]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        return await admin.describe_cluster()
    finally:
        await admin.close()


def broker_ids(bootstrap: str) -> list[int]:
    info = _run(describe_cluster(bootstrap))
    return sorted(b["node_id"] for b in info["brokers"])


def _started_lines(node: Node, offset: int) -> list[str]:
    try:
        with open(node.log_file, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if STARTED_LINE.search(line)]


SILENT_START_SECONDS = 20.0


def _log_size(node: Node) -> int:
    try:
        return node.log_file.stat().st_size
    except OSError:
        return 0


def _process_state(node: Node) -> str:
    pid = node.pid()
    if pid is None:
        return "not running"
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if line.startswith("State:"))
        wchan = Path(f"/proc/{pid}/wchan").read_text().strip()
    except (OSError, StopIteration):
        return f"pid {pid}"
    return f"pid {pid}, {state}, wchan {wchan or '-'}, log {_log_size(node)} bytes"


def _wait_ready(nodes: Sequence[Node], offsets: Mapping[int, int], brokers: int, timeout: float) -> None:
    """Ready = every node's client port accepts TCP (it opens only once the broker is unfenced)
    and a metadata request lists `brokers` brokers. Fails early if a process died.

    A JVM that has written nothing at all after SILENT_START_SECONDS is killed and launched once
    more: seen once in a full test run (two of three cluster nodes silent for 60 s while the third
    gave up waiting for a quorum); the other nodes wait for it within their registration timeout.
    A JVM that exits during startup is launched once more too (seen once: a cluster node gone at
    once with an empty log while two other checkouts ran their suites); a second exit fails."""
    started = time.monotonic()
    deadline = started + timeout
    relaunched: set[int] = set()
    bootstrap = ",".join(n.bootstrap for n in nodes)
    last_error = "client port closed"
    while True:
        for node in nodes:
            if node.pid() is None:
                states = "; ".join(f"node {n.node_id}: {_process_state(n)}" for n in nodes)
                if node.node_id in offsets and node.node_id not in relaunched:
                    # seen in a full CI run under load: one cluster JVM gone at once, its log empty
                    print(f"[kafka node {node.node_id}] exited during startup ({states}); log tail:\n"
                          f"{procs.log_tail(node.log_file)}\nlaunching it again", flush=True)
                    relaunched.add(node.node_id)
                    _launch(node)
                    continue
                raise RuntimeError(f"Kafka node {node.node_id} exited during startup ({states}); "
                                   f"log tail ({node.log_file}):\n{procs.log_tail(node.log_file)}")
            silent = node.node_id in offsets and _log_size(node) <= offsets[node.node_id]
            if silent and node.node_id not in relaunched and time.monotonic() - started > SILENT_START_SECONDS:
                print(f"[kafka node {node.node_id}] no output after {SILENT_START_SECONDS:.0f} s "
                      f"({_process_state(node)}); launching it again", flush=True)
                relaunched.add(node.node_id)
                pid = node.pid()
                if pid is not None:
                    os.killpg(pid, signal.SIGKILL)       # its own session (procs.spawn)
                    procs.wait_gone([pid], 10)
                _launch(node)
        if all(_port_open(n.client_port) for n in nodes):
            try:
                seen = broker_ids(bootstrap)
                if len(seen) >= brokers:
                    break
                last_error = f"metadata lists brokers {seen}"
            except Exception as exc:  # not answering yet
                last_error = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            tails = "\n".join(f"--- node {n.node_id} ({n.log_file}):\n{procs.log_tail(n.log_file, 15)}"
                              for n in nodes)
            raise TimeoutError(f"Kafka not ready within {timeout:.0f} s ({last_error})\n{tails}")
        time.sleep(0.25)
    for node in nodes:
        if node.node_id in offsets:
            for line in _started_lines(node, offsets[node.node_id]):
                print(f"[kafka node {node.node_id}] {line}", flush=True)


def _start_nodes(nodes: Sequence[Node], all_nodes: Sequence[Node], cluster_id_file: Path,
                 replication: int, overrides: Mapping[str, str] | None, timeout: float,
                 keep_config: bool = False) -> float:
    """Start those of `nodes` not yet running, all without waiting in between, then wait for all.
    With `keep_config`, an existing server.properties (and the overrides in it) is reused."""
    ensure_jars()
    voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in all_nodes)
    for node in nodes:
        node.home.mkdir(parents=True, exist_ok=True)
        if not (keep_config and node.properties.is_file()):
            node.properties.write_text(_server_properties(node, voters, replication, overrides))
    _format(nodes, _cluster_id(cluster_id_file))
    t0 = time.monotonic()
    offsets: dict[int, int] = {}
    for node in nodes:
        if node.pid() is None:
            _, offsets[node.node_id] = _launch(node)
    _wait_ready(all_nodes, offsets, brokers=len(all_nodes), timeout=timeout)
    return time.monotonic() - t0


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _node_status(node: Node) -> dict[str, Any]:
    pid = node.pid()
    return {"node_id": node.node_id, "bootstrap": node.bootstrap, "running": pid is not None,
            "pid": pid, "rss_mb": _rss_mb(pid) if pid else None,
            "serving": pid is not None and _port_open(node.client_port), "log": str(node.log_file)}


# --- single node -------------------------------------------------------------------------------

def single_node() -> Node:
    return Node(1, layout.KAFKA_PORT, layout.KAFKA_CONTROLLER_PORT, layout.KAFKA_HOME / "node1",
                layout.LOG_DIR / "kafka-node1.log", layout.PID_DIR / "kafka-node1.pid", layout.KAFKA_BANK_PORT)


def start(timeout: float = 60.0) -> None:
    """Start the single development broker on SINGLE_BOOTSTRAP (no-op if it already runs)."""
    node = single_node()
    if node.pid() is not None:
        print(f"Kafka already running on {node.bootstrap} (pid {node.pid()})", flush=True)
        return
    took = _start_nodes([node], [node], layout.KAFKA_HOME / "cluster.id", 1, None, timeout)
    print(f"Kafka {kafka_version()} ready on {node.bootstrap} in {took:.1f} s "
          f"(pid {node.pid()}, log {node.log_file})", flush=True)


def stop(timeout: float = 30.0) -> bool:
    """SIGTERM (controlled shutdown), SIGKILL after `timeout`. Returns whether it was running."""
    node = single_node()
    pid = node.pid()
    if pid is not None:
        procs.terminate([pid], timeout)
    node.pid_file.unlink(missing_ok=True)
    return pid is not None


def status() -> dict[str, Any]:
    return _node_status(single_node())


def clean() -> None:
    """Stop the broker and delete its data (topics, offsets, cluster id). Jars stay cached."""
    stop()
    shutil.rmtree(layout.KAFKA_HOME, ignore_errors=True)


# --- 3-node cluster (fault tests) --------------------------------------------------------------

class KafkaCluster:
    """Three combined broker+controller nodes, numbered 1..3 (= node.id), under `home`."""

    def __init__(self, home: Path | str | None = None, overrides: Mapping[str, str] | None = None):
        self.home = Path(home) if home is not None else layout.KAFKA_CLUSTER_HOME
        self.overrides = dict(overrides or {})
        self.nodes = tuple(
            Node(i, port, port + 1, self.home / f"node{i}", self.home / "logs" / f"kafka-node{i}.log",
                 self.home / "pids" / f"kafka-node{i}.pid")
            for i, port in enumerate(layout.CLUSTER_CLIENT_PORTS, start=1))

    @property
    def bootstrap(self) -> str:
        return ",".join(n.bootstrap for n in self.nodes)

    def node(self, i: int) -> Node:
        if not 1 <= i <= len(self.nodes):
            raise ValueError(f"node ids are 1..{len(self.nodes)}, got {i}")
        return self.nodes[i - 1]

    def _start(self, nodes: Sequence[Node], timeout: float, keep_config: bool = False) -> float:
        return _start_nodes(nodes, self.nodes, self.home / "cluster.id", 3, self.overrides, timeout,
                            keep_config)

    def start(self, timeout: float = 90.0) -> float:
        """Start all nodes together (each waits for a quorum); returns seconds until all serve."""
        took = self._start(self.nodes, timeout)
        print(f"Kafka 3-node cluster ready on {self.bootstrap} in {took:.1f} s", flush=True)
        return took

    def stop(self, timeout: float = 30.0) -> None:
        pids = [p for p in (n.pid() for n in self.nodes) if p is not None]
        procs.terminate(pids, timeout)
        for n in self.nodes:
            n.pid_file.unlink(missing_ok=True)

    def kill_node(self, i: int) -> None:
        """Crash node i (SIGKILL: no controlled shutdown, no flush)."""
        node = self.node(i)
        pid = node.pid()
        if pid is not None:
            procs.kill(pid)
        node.pid_file.unlink(missing_ok=True)

    def stop_node(self, i: int, timeout: float = 30.0) -> None:
        """Stop node i cleanly (SIGTERM: controlled shutdown moves its leaderships away)."""
        node = self.node(i)
        pid = node.pid()
        if pid is not None:
            procs.terminate([pid], timeout)
        node.pid_file.unlink(missing_ok=True)

    def start_node(self, i: int, timeout: float = 60.0) -> float:
        """Restart node i with its existing data and config; waits until all three brokers serve."""
        return self._start([self.node(i)], timeout, keep_config=True)

    def status(self) -> list[dict[str, Any]]:
        return [_node_status(n) for n in self.nodes]


def start_cluster(home: Path | str | None = None, overrides: Mapping[str, str] | None = None,
                  timeout: float = 90.0) -> KafkaCluster:
    cluster = KafkaCluster(home, overrides)
    cluster.start(timeout)
    return cluster


def stop_cluster(home: Path | str | None = None) -> None:
    KafkaCluster(home).stop()


def kill_node(i: int, home: Path | str | None = None) -> None:
    KafkaCluster(home).kill_node(i)


def start_node(i: int, home: Path | str | None = None) -> float:
    return KafkaCluster(home).start_node(i)


# --- banks: SCRAM users and ACLs ---------------------------------------------------------------

@dataclass(frozen=True)
class BankCredentials:
    bank_code: str
    username: str
    password: str
    topic: str
    group_prefix: str
    bootstrap: str          # the banks' listener

    def confluent_config(self, group: str | None = None) -> dict[str, str]:
        """librdkafka / confluent-kafka settings for the bank's consumer."""
        return {"bootstrap.servers": self.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": self.username,
                "sasl.password": self.password, "group.id": group or f"{self.group_prefix}-reader",
                "auto.offset.reset": "earliest", "enable.auto.commit": "false"}

    def aiokafka_kwargs(self) -> dict[str, str]:
        return {"bootstrap_servers": self.bootstrap, "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": self.username,
                "sasl_plain_password": self.password}


def bank_user(bank_code: str) -> str:
    return f"bank-{bank_code.lower()}"


BANK_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
SCRAM_ITERATIONS = 8192


def grant_bank(bank_code: str, *, bootstrap: str | None = None, bank_bootstrap: str | None = None,
               password: str | None = None, timeout: float = 30.0) -> BankCredentials:
    """Create or rotate bank `bank_code`'s SCRAM-SHA-512 user (a new password every call unless one is
    given) and give it READ+DESCRIBE on thads.bankfeed.<code> (LITERAL) and READ on the consumer groups
    starting with its user name (PREFIXED). Runs over the internal listener. Idempotent for the ACLs."""
    import secrets

    from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, ResourcePatternType,
                                       ResourceType, ScramCredentialInfo, ScramMechanism,
                                       UserScramCredentialUpsertion)
    from thads_contracts.topics import bank_feed

    if not BANK_CODE.match(bank_code):
        raise ValueError(f"bank code {bank_code!r} must match {BANK_CODE.pattern}")
    user = bank_user(bank_code)
    password = password or secrets.token_urlsafe(24)
    topic = bank_feed(bank_code)
    admin = AdminClient({"bootstrap.servers": bootstrap or layout.kafka_bootstrap()})
    upsert = UserScramCredentialUpsertion(
        user, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password.encode(),
        secrets.token_bytes(32))
    for future in admin.alter_user_scram_credentials([upsert]).values():
        future.result(timeout=timeout)
    principal = f"User:{user}"
    acls = [AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, principal, "*", op,
                       AclPermissionType.ALLOW) for op in (AclOperation.READ, AclOperation.DESCRIBE)]
    acls.append(AclBinding(ResourceType.GROUP, user, ResourcePatternType.PREFIXED, principal, "*",
                           AclOperation.READ, AclPermissionType.ALLOW))
    for future in admin.create_acls(acls).values():
        future.result(timeout=timeout)
    return BankCredentials(bank_code, user, password, topic, user, bank_bootstrap or layout.bank_bootstrap())


def bank_instructions(c: BankCredentials) -> str:
    """How a bank reads its feed with stock clients (printed by `thads bank-credentials`)."""
    return f"""Bank {c.bank_code}: Kafka user {c.username} (SCRAM-SHA-512), password (shown once): {c.password}
Listener: {c.bootstrap} (SASL_PLAINTEXT)   topic: {c.topic}   consumer groups: {c.group_prefix}*
Values are UTF-8 JSON (recovery.BankFeedEntry.v1, see the recovery service's AsyncAPI); key = case id.

client.properties (Apache Kafka's kafka-console-consumer.sh --consumer.config client.properties):
  security.protocol=SASL_PLAINTEXT
  sasl.mechanism=SCRAM-SHA-512
  sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="{c.username}" password="{c.password}";
  group.id={c.group_prefix}-reader
kafka-console-consumer.sh --bootstrap-server {c.bootstrap} --topic {c.topic} --from-beginning --consumer.config client.properties

kcat / librdkafka >= 2.6.1 (older librdkafka, e.g. Debian 12's kcat 2.0.2, cannot log in with SCRAM to Kafka 4.x):
kcat -C -b {c.bootstrap} -t {c.topic} -o beginning -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username={c.username} -X sasl.password='{c.password}' -G {c.group_prefix}-reader {c.topic}

Python (confluent-kafka):
  Consumer({{"bootstrap.servers": "{c.bootstrap}", "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-512",
            "sasl.username": "{c.username}", "sasl.password": "...", "group.id": "{c.group_prefix}-reader", "auto.offset.reset": "earliest"}})
Without Kafka: GET /banks/{c.bank_code}/feed?after=<cursor> or the SSE stream /banks/{c.bank_code}/feed/stream on the
recovery service (port 8104) with a bank token (`thads token --role bank --bank {c.bank_code}`)."""


# --- CLI ---------------------------------------------------------------------------------------

def _print_status(rows: Sequence[Mapping[str, Any]]) -> None:
    for r in rows:
        state = "serving" if r["serving"] else ("starting" if r["running"] else "stopped")
        rss = f", RSS {r['rss_mb']:.0f} MiB" if r["rss_mb"] else ""
        pid = f" (pid {r['pid']}{rss})" if r["pid"] else ""
        print(f"kafka node {r['node_id']} {r['bootstrap']}: {state}{pid}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m thads_infra.kafka")
    parser.add_argument("command", choices=["up", "down", "status", "jars", "clean",
                                            "cluster-up", "cluster-down", "cluster-status"])
    parser.add_argument("--dir", help="cluster home (cluster-* commands)", default=None)
    args = parser.parse_args(argv)
    match args.command:
        case "jars":
            print(ensure_jars())
        case "up":
            start()
        case "down":
            print("Kafka stopped" if stop() else "Kafka was not running")
        case "status":
            row = status()
            _print_status([row])
            return 0 if row["serving"] else 3
        case "clean":
            clean()
            print(f"Kafka stopped and {layout.KAFKA_HOME} removed")
        case "cluster-up":
            start_cluster(args.dir)
        case "cluster-down":
            stop_cluster(args.dir)
            print("Kafka cluster stopped")
        case "cluster-status":
            _print_status(KafkaCluster(args.dir).status())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
