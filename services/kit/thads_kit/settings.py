"""Settings base shared by every service: one `Settings(ServiceSettings)` per service, built once
in its main.py with env_prefix "<NAME>_". THADS_JWT_SECRET is shared by all services.

`<NAME>_KAFKA_URL` is a Kafka bootstrap list: one `host:port` or several separated by commas
(`127.0.0.1:29092,127.0.0.1:29192,127.0.0.1:29292`), so a service starts while any one broker of a
cluster answers. Every client is given the list through `bootstrap_servers()` (FastStream would
take a comma-separated string for ONE address)."""
from __future__ import annotations

import os
import re

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-before-deploying"
_HOST_PORT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})")


def bootstrap_servers(url: str) -> list[str]:
    """`host:port[,host:port...]` -> ["host:port", ...]; a clear ValueError naming the bad entry."""
    entries = [e.strip() for e in url.split(",")]
    if not any(entries):
        raise ValueError("the Kafka bootstrap list is empty; give host:port[,host:port...]")
    servers = []
    for entry in entries:
        match = _HOST_PORT.fullmatch(entry)
        if match is None or not 0 < int(match["port"]) < 65536:
            raise ValueError(f"Kafka bootstrap entry {entry!r} in {url!r} is not host:port "
                             "(several brokers: host:port,host:port,...)")
        servers.append(entry)
    return servers


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    kafka_url: str = "127.0.0.1:19092"
    pg_host: str = "127.0.0.1"
    pg_port: int = 55432
    pg_db: str = "thads"
    pg_user: str = "thads"
    pg_password: SecretStr = SecretStr("")
    pg_schema: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    # uvicorn worker processes on the HTTP port (each runs the whole service; see runtime.serve)
    http_workers: int = 1
    # uvicorn's per-request access log (JSON like every other line); off by default for throughput
    access_log: bool = False
    jwt_secret: SecretStr = Field(
        default=SecretStr(DEV_JWT_SECRET),
        validation_alias=AliasChoices("THADS_JWT_SECRET", "jwt_secret"),
    )
    # "development" accepts the dev JWT secret; anything else (the compose file says "production")
    # refuses to start without a real one
    environment: str = Field(default="development", validation_alias=AliasChoices("THADS_ENV", "environment"))
    # threads that run the synchronous eventsourcing library; ≤ pool size + overflow
    es_workers: int = 8
    es_pool_size: int = 8
    # The library's aggregate cache deep-copies on every get and still queries the store to fast-
    # forward; with snapshots a cold load of a 500-event case is faster (make bench), so it is off.
    aggregate_cache_size: int = 0
    batch_max: int = 256
    relay_batch: int = 500
    relay_poll_seconds: float = 1.0
    # The relay (and the other "relay" role duties) in a process of its own beside the HTTP process
    # (runtime.RelaySupervisor, relay_process.py): off the HTTP event loop and its GIL, an event
    # reaches Kafka in tens of ms under load instead of queueing behind the requests (issue 13).
    relay_process: bool = False
    # how often the store reports its new hash-chain heads to the audit service (chain.py)
    chain_heads_seconds: float = 5.0
    # Comma-separated roles this process runs: api, relay, consumers
    roles: str = "api,relay,consumers"
    # Test-only fault injection point, e.g. "relay_crash_after_publish"; empty in production.
    fault: str = ""

    @field_validator("kafka_url")
    @classmethod
    def _kafka_url_is_a_bootstrap_list(cls, value: str) -> str:
        return ",".join(bootstrap_servers(value))

    @property
    def kafka_servers(self) -> list[str]:
        """The bootstrap list, one address per broker, as every Kafka client is to be given it."""
        return bootstrap_servers(self.kafka_url)

    @model_validator(mode="after")
    def _secret_fits_environment(self) -> "ServiceSettings":
        secret = self.jwt_secret.get_secret_value()
        if self.environment != "development" and (secret == DEV_JWT_SECRET or len(secret.encode()) < 32):
            raise ValueError("THADS_JWT_SECRET must be a secret of at least 32 bytes outside development "
                             f"(THADS_ENV={self.environment!r})")
        return self

    @property
    def uses_dev_secret(self) -> bool:
        return self.jwt_secret.get_secret_value() == DEV_JWT_SECRET

    @property
    def schema(self) -> str:
        return self.pg_schema or self.service_name

    def eventsourcing_env(self) -> dict[str, str]:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.pg_db,
            "POSTGRES_HOST": self.pg_host,
            "POSTGRES_PORT": str(self.pg_port),
            "POSTGRES_USER": self.pg_user,
            "POSTGRES_PASSWORD": self.pg_password.get_secret_value(),
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": str(self.es_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.es_pool_size),
            "POSTGRES_LOCK_TIMEOUT": "10",
            "CREATE_TABLE": "y",
        }
        if self.aggregate_cache_size:
            env["AGGREGATE_CACHE_MAXSIZE"] = str(self.aggregate_cache_size)
        return env

    def asyncpg_kwargs(self) -> dict[str, object]:
        kw: dict[str, object] = {
            "host": self.pg_host,
            "port": self.pg_port,
            "database": self.pg_db,
            "user": self.pg_user,
            "server_settings": {"search_path": f"{self.schema},public"},
        }
        if self.pg_password.get_secret_value():
            kw["password"] = self.pg_password.get_secret_value()
        return kw

    def relay_process_environ(self) -> dict[str, str]:
        """For runtime.RelaySupervisor: the environment of the relay process (this one's, with the role
        "relay" only). This process's roles lose "relay" (in the environment, which the app factory's
        Settings read, in every HTTP worker too)."""
        prefix = str(type(self).model_config.get("env_prefix", ""))
        child = os.environ | {f"{prefix}ROLES": "relay", f"{prefix}RELAY_PROCESS": "false"}
        os.environ[f"{prefix}ROLES"] = ",".join(r for r in (x.strip() for x in self.roles.split(",")) if r != "relay")
        return child

    def role_enabled(self, role: str) -> bool:
        return role in {r.strip() for r in self.roles.split(",")}
