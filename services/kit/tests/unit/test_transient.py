"""Which failures a tracked consumer retries forever (transient) and which it dead-letters."""
from __future__ import annotations

import asyncpg
import psycopg
import pytest
from aiokafka.errors import KafkaConnectionError, NotLeaderForPartitionError
from eventsourcing.persistence import IntegrityError, OperationalError

from thads_kit.deadletters import is_transient, to_psycopg
from thads_kit.projection import RebuildRunning


def chained(outer: Exception, cause: Exception) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize("exc", [
    ConnectionRefusedError("connection refused"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
    psycopg.OperationalError("server closed the connection unexpectedly"),
    OperationalError("wrapped by the event store"),
    KafkaConnectionError("broker away"),
    NotLeaderForPartitionError(),
    RebuildRunning("a release waits for the rebuild"),
    chained(RuntimeError("while saving"), TimeoutError("pool timeout")),
    asyncpg.exceptions.ObjectNotInPrerequisiteStateError('database "thads" is not currently accepting connections'),
], ids=lambda e: type(e).__name__)
def test_the_database_or_the_broker_away_is_transient(exc: Exception) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize("exc", [
    RuntimeError("a bug"), KeyError("missing"), ValueError("bad value"),
    asyncpg.exceptions.UniqueViolationError("duplicate key"), asyncpg.exceptions.DataError("bad data"),
    IntegrityError("unique key"), psycopg.errors.UniqueViolation("duplicate key"),
], ids=lambda e: type(e).__name__)
def test_anything_else_is_deterministic(exc: Exception) -> None:
    assert not is_transient(exc)


def test_statements_are_shared_between_asyncpg_and_psycopg() -> None:
    assert to_psycopg("SELECT $1::text, $2, $1", ("a", 2)) == ("SELECT %(p1)s::text, %(p2)s, %(p1)s",
                                                               {"p1": "a", "p2": 2})
