"""Where everything lives on a developer or CI machine, and which ports it uses.

All runtime data is under `.run/` and downloaded jars under `.cache/` of the checkout; both are
git-ignored. THADS_RUN_DIR / THADS_CACHE_DIR override them (tests use this for isolation), as
THADS_PG_PORT, THADS_KAFKA_PORT and THADS_CLUSTER_PORT_BASE move the ports.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("THADS_RUN_DIR", ROOT / ".run"))
CACHE_DIR = Path(os.environ.get("THADS_CACHE_DIR", ROOT / ".cache"))
LOG_DIR = RUN_DIR / "logs"
PID_DIR = RUN_DIR / "pids"

PG_HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("THADS_PG_PORT", "55432"))
PG_DB = "thads"
PG_USER = "thads"
SERVICE_SCHEMAS = ("intake", "auctions", "complaints", "recovery", "statistics", "audit", "online")

KAFKA_PORT = int(os.environ.get("THADS_KAFKA_PORT", "19092"))
KAFKA_CONTROLLER_PORT = KAFKA_PORT + 1
# The banks' listener (SASL_PLAINTEXT, SCRAM-SHA-512, ACLs; shared/kafka-broker.md §7): Kafka port + 10
# unless THADS_KAFKA_BANK_PORT says otherwise, so run/test/bench (19092/19392/19492 → 19102/19402/19502)
# and their controllers (+1) never collide; cluster node i's bank port is its client port + 10.
BANK_PORT_OFFSET = 10
KAFKA_BANK_PORT = int(os.environ.get("THADS_KAFKA_BANK_PORT", str(KAFKA_PORT + BANK_PORT_OFFSET)))
SINGLE_BOOTSTRAP = f"127.0.0.1:{KAFKA_PORT}"
BANK_BOOTSTRAP = f"127.0.0.1:{KAFKA_BANK_PORT}"
# 3-node cluster (`thads up --cluster`, fault tests): client ports BASE, BASE+100, BASE+200
# (29092/29192/29292 by default), controllers +1. THADS_CLUSTER_PORT_BASE moves them, so that test
# runs of several checkouts do not collide.
CLUSTER_PORT_BASE = int(os.environ.get("THADS_CLUSTER_PORT_BASE", "29092"))
CLUSTER_CLIENT_PORTS = tuple(CLUSTER_PORT_BASE + 100 * i for i in range(3))
CLUSTER_BOOTSTRAP = ",".join(f"127.0.0.1:{port}" for port in CLUSTER_CLIENT_PORTS)
CLUSTER_BANK_BOOTSTRAP = ",".join(f"127.0.0.1:{port + BANK_PORT_OFFSET}" for port in CLUSTER_CLIENT_PORTS)
# Which Kafka the local stack runs on ({"kafka": "single"|"cluster"}), written by `thads up`.
STACK_FILE = RUN_DIR / "stack.json"


def stack_kafka() -> str:
    """"cluster" when the last `thads up` in RUN_DIR was given --cluster, else "single"."""
    try:
        return "cluster" if json.loads(STACK_FILE.read_text()).get("kafka") == "cluster" else "single"
    except (OSError, ValueError, AttributeError):
        return "single"


def kafka_bootstrap() -> str:
    """The bootstrap list of the stack's Kafka: THADS_KAFKA_BOOTSTRAP if set, else the 3-node
    cluster's three addresses when the stack runs on it, else the single development broker."""
    return (os.environ.get("THADS_KAFKA_BOOTSTRAP")
            or (CLUSTER_BOOTSTRAP if stack_kafka() == "cluster" else SINGLE_BOOTSTRAP))


def bank_bootstrap() -> str:
    """Where banks connect (the SASL/SCRAM listener) on the stack's Kafka."""
    return os.environ.get("THADS_KAFKA_BANK_BOOTSTRAP") or (
        CLUSTER_BANK_BOOTSTRAP if stack_kafka() == "cluster" else BANK_BOOTSTRAP)


# What services, tests and the bench are pointed at (read once, at import).
KAFKA_BOOTSTRAP = kafka_bootstrap()


@dataclass(frozen=True)
class ServiceSpec:
    name: str          # also the PostgreSQL schema and the env prefix (NAME_)
    module: str        # python -m <module> starts it
    port: int          # HTTP port (FastAPI: /health, /metrics, API)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("intake", "intake_service.main", 8101),
    ServiceSpec("auctions", "auctions_service.main", 8102),
    ServiceSpec("complaints", "complaints_service.main", 8103),
    ServiceSpec("recovery", "recovery_service.main", 8104),
    ServiceSpec("audit", "audit_service.main", 8106),
    ServiceSpec("online", "online_service.main", 8107),
    ServiceSpec("statistics", "statistics_service.main", 8105),
)

# Kafka runtime: the Maven POM and log4j2 configs live in the repository, the jars in the cache.
KAFKA_INFRA_DIR = ROOT / "infra" / "kafka"
KAFKA_POM = KAFKA_INFRA_DIR / "pom.xml"
KAFKA_LIB_DIR = CACHE_DIR / "kafka" / "lib"
KAFKA_HOME = RUN_DIR / "kafka"                 # single node: node1/{server.properties,data}
KAFKA_CLUSTER_HOME = RUN_DIR / "kafka-cluster"  # default home of the 3-node cluster
KAFKA_HEAP_OPTS = ("-Xms256m", "-Xmx512m")

PG_BIN = Path(os.environ.get("THADS_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_OS_USER = "postgres"   # the server refuses root; used only when we run as root

# HS256 secret: real deployments set THADS_JWT_SECRET; dev/test use thads_kit.settings.DEV_JWT_SECRET.
JWT_SECRET_ENV = "THADS_JWT_SECRET"
