"""The hash chain on the real PostgreSQL: every event saved through the kit's store gets its link in
the same transaction; `thads verify` passes on an untouched store and names the first bad event
(stream, version, notification id, what is wrong) for an edited byte, a deleted, inserted or swapped
event; an existing store is backfilled once (genesis) and never again."""
from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any, Iterator

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from typer.testing import CliRunner

from thads_infra import layout
from thads_infra.cli import app as cli
from thads_kit import chain
from thads_kit.settings import ServiceSettings
from thads_kit.store import ServiceApplication

pytestmark = pytest.mark.integration


class Counter(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.value = 0

    @event("Added")
    def add(self, n: int) -> None:
        self.value += n


class Counters(ServiceApplication):
    name = "Counters"


def sql(statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                         autocommit=True) as conn:
        cur = conn.execute(statement, params or None)
        return cur.fetchall() if cur.description else []


def make_app(schema: str) -> Counters:
    settings = ServiceSettings(service_name="counters", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema, es_pool_size=2)
    return Counters(env=settings.eventsourcing_env())


@pytest.fixture
def store() -> Iterator[tuple[Counters, str, list[uuid.UUID]]]:
    """Three counters with 5 events each (one per transaction, and one batch of two aggregates)."""
    schema = f"t_chain_{uuid.uuid4().hex[:12]}"
    sql(f'CREATE SCHEMA "{schema}"')
    app = make_app(schema)
    ids = []
    try:
        for _ in range(2):
            c = Counter()
            app.save(c)
            for n in range(4):
                c.add(n)
                app.save(c)
            ids.append(c.id)
        a, b = Counter(), Counter()
        for n in range(4):
            a.add(n)
        app.record([a, b])
        ids.append(a.id)
        yield app, schema, ids
    finally:
        app.close()
        sql(f'DROP SCHEMA "{schema}" CASCADE')


def verify(schema: str, *extra: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["verify", "--service", schema, "--json", *extra])
    return result.exit_code, json.loads(result.output)


def only_finding(report: dict[str, Any]) -> dict[str, Any]:
    assert len(report["first_bad"]) == 1, report["first_bad"]
    return report["first_bad"][0]


def nid(schema: str, stream: uuid.UUID, version: int) -> int:
    return sql(f'SELECT notification_id FROM "{schema}".counters_events'
               " WHERE originator_id = %s AND originator_version = %s", stream, version)[0][0]


def test_every_saved_event_has_its_link_and_an_untouched_store_verifies(store):
    app, schema, ids = store

    code, report = verify(schema)

    assert code == 0, report
    assert report["stores"][0]["events"] == 5 + 5 + 5 + 1
    assert sql(f'SELECT count(*) FROM "{schema}".counters_chain') == [(16,)]
    # the link is exactly the documented rule
    rows = sql(f'SELECT e.originator_version, e.topic, e.state, c.hash FROM "{schema}".counters_events e'
               f' JOIN "{schema}".counters_chain c USING (originator_id, originator_version)'
               " WHERE originator_id = %s ORDER BY 1", ids[0])
    prev = chain.GENESIS
    for version, topic, state, stored in rows:
        prev = chain.link(prev, ids[0], version, topic, bytes(state))
        assert prev == bytes(stored)


def test_one_changed_byte_is_named(store):
    _app, schema, ids = store
    sql(f'UPDATE "{schema}".counters_events SET state = set_byte(state, 10, get_byte(state, 10) # 1)'
        " WHERE originator_id = %s AND originator_version = 3", ids[1])

    code, report = verify(schema)

    bad = only_finding(report)
    assert code == 1
    assert (bad["stream"], bad["version"], bad["notification_id"], bad["problem"]) == (
        str(ids[1]), 3, nid(schema, ids[1], 3), "edited")


def test_a_deleted_event_is_named(store):
    _app, schema, ids = store
    sql(f'DELETE FROM "{schema}".counters_events WHERE originator_id = %s AND originator_version = 2', ids[0])

    code, report = verify(schema)

    bad = only_finding(report)
    assert code == 1 and (bad["stream"], bad["version"], bad["problem"]) == (str(ids[0]), 2, "deleted")


def test_a_deleted_event_with_its_hash_is_named(store):
    _app, schema, ids = store
    for table in ("counters_events", "counters_chain"):
        sql(f'DELETE FROM "{schema}".{table} WHERE originator_id = %s AND originator_version = 4', ids[2])

    code, report = verify(schema)

    bad = only_finding(report)
    assert code == 1 and (bad["stream"], bad["version"], bad["problem"]) == (str(ids[2]), 4, "deleted")


def test_an_inserted_event_is_named(store):
    _app, schema, ids = store
    sql(f'INSERT INTO "{schema}".counters_events (originator_id, originator_version, topic, state)'
        f' SELECT originator_id, 6, topic, state FROM "{schema}".counters_events'
        " WHERE originator_id = %s AND originator_version = 5", ids[0])

    code, report = verify(schema)

    bad = only_finding(report)
    assert code == 1
    assert (bad["stream"], bad["version"], bad["notification_id"], bad["problem"]) == (
        str(ids[0]), 6, nid(schema, ids[0], 6), "inserted")


def test_two_swapped_events_are_named(store):
    _app, schema, ids = store
    t = f'"{schema}".counters_events'
    sql(f"UPDATE {t} e SET topic = o.topic, state = o.state FROM {t} o"
        " WHERE e.originator_id = %s AND o.originator_id = e.originator_id"
        " AND e.originator_version IN (2, 3) AND o.originator_version = 5 - e.originator_version", ids[1])

    code, report = verify(schema)

    bad = only_finding(report)
    assert code == 1 and (bad["stream"], bad["version"], bad["problem"]) == (str(ids[1]), 2, "edited")


def test_verify_one_case_only_looks_at_that_stream(store):
    _app, schema, ids = store
    sql(f'DELETE FROM "{schema}".counters_events WHERE originator_id = %s AND originator_version = 2', ids[0])

    assert verify(schema, "--case", str(ids[1]))[0] == 0
    assert verify(schema, "--case", str(ids[0]))[0] == 1


def test_several_events_of_existing_streams_in_one_save_are_chained_by_the_rule(store):
    """The fold (one SQL statement computing the links, chain.fold_sql) gives the hashes the rule's
    Python definition (`chain.link`, used by verify) gives: a stream continued by several events in
    one save, beside a new stream of several events."""
    app, schema, ids = store
    a, b, new = app.repository.get(ids[0]), app.repository.get(ids[2]), Counter()
    for n in range(3):
        a.add(n)
        b.add(n)
        new.add(n)
    app.record([a, b, new])

    code, report = verify(schema)

    assert code == 0, report
    assert sql(f'SELECT count(*) FROM "{schema}".counters_chain') == [(16 + 10,)]
    head = sql(f'SELECT hash FROM "{schema}".counters_chain WHERE originator_id = %s AND originator_version = 8',
               ids[0])[0][0]
    prev = chain.GENESIS
    for row in sql(f'SELECT originator_id, originator_version, topic, state FROM "{schema}".counters_events'
                   " WHERE originator_id = %s ORDER BY originator_version", ids[0]):
        prev = chain.link(prev, row[0], row[1], row[2], bytes(row[3]))
    assert bytes(head) == prev


def test_appending_to_a_stream_whose_chain_is_broken_is_refused_and_writes_nothing(store):
    app, schema, ids = store
    sql(f'DELETE FROM "{schema}".counters_chain WHERE originator_id = %s AND originator_version = 5', ids[0])
    c = app.repository.get(ids[0])
    c.add(1)

    with pytest.raises(chain.ChainBrokenError):
        app.save(c)

    assert sql(f'SELECT max(originator_version) FROM "{schema}".counters_events WHERE originator_id = %s',
               ids[0]) == [(5,)]


def test_a_store_older_than_the_chain_is_backfilled_once_and_then_verifies(store):
    app, schema, ids = store
    sql(f'DROP TABLE "{schema}".counters_chain, "{schema}".counters_chain_genesis')
    app.close()

    reopened = make_app(schema)         # creates the chain tables and chains the 16 events once
    try:
        assert sql(f'SELECT backfilled_events FROM "{schema}".counters_chain_genesis') == [(16,)]
        assert verify(schema)[0] == 0
        sql(f'DELETE FROM "{schema}".counters_chain WHERE originator_id = %s AND originator_version = 3', ids[1])
        make_app(schema).close()        # a later start does not repair a deleted hash
        code, report = verify(schema)
        bad = only_finding(report)
        assert code == 1 and (bad["stream"], bad["version"], bad["problem"]) == (str(ids[1]), 3, "inserted")
    finally:
        reopened.close()


async def test_the_verify_endpoint_names_the_bad_event_for_auditors_only(store):
    import httpx
    from types import SimpleNamespace

    from thads_kit.auth import issue_token
    from thads_kit.http import create_app
    from thads_kit.settings import DEV_JWT_SECRET
    from thads_kit.store import EsExecutor

    app, schema, ids = store
    settings = ServiceSettings(service_name="counters", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=schema)
    web = create_app(title="t", version="1", lifespan=None, jwt_secret=DEV_JWT_SECRET, health=None,  # type: ignore[arg-type]
                     error_status={})
    web.state.runtime = SimpleNamespace(app=app, executor=EsExecutor(2), settings=settings)

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit='TH-01')}"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t") as http:
        intact = (await http.get("/chain/verify", headers=auth("auditor"))).json()
        sql(f'DELETE FROM "{schema}".counters_events WHERE originator_id = %s AND originator_version = 3', ids[2])
        broken = await http.get("/chain/verify", params={"case_id": str(ids[2])}, headers=auth("procuracy"))
        officer = await http.get("/chain/verify", headers=auth("officer"))
        unknown = await http.get("/chain/verify", params={"case_id": str(uuid.uuid4())}, headers=auth("admin"))

    assert intact["intact"] is True and intact["events"] == 16
    assert broken.status_code == 200 and broken.json()["intact"] is False
    [bad] = broken.json()["findings"]
    assert (bad["stream"], bad["version"], bad["problem"]) == (str(ids[2]), 3, "deleted")
    assert officer.status_code == 403
    assert unknown.status_code == 404


async def test_in_a_batch_only_the_command_on_the_broken_stream_is_refused(store):
    from thads_kit.batcher import CommandBatcher
    from thads_kit.store import EsExecutor

    app, schema, ids = store
    sql(f'DELETE FROM "{schema}".counters_chain WHERE originator_id = %s AND originator_version = 5', ids[0])
    executor = EsExecutor(2)
    batcher = CommandBatcher(app, executor)
    await batcher.start()

    def add(cid: uuid.UUID):
        def fn():
            c = app.repository.get(cid)
            c.add(7)
            return [c], c.version
        return fn

    try:
        results = await asyncio.gather(batcher.submit(ids[0], add(ids[0])), batcher.submit(ids[1], add(ids[1])),
                                       return_exceptions=True)
    finally:
        await batcher.stop()
        await executor.shutdown()

    assert isinstance(results[0], chain.ChainBrokenError) and results[1] == 6
    heads = dict(sql(f'SELECT originator_id, max(originator_version) FROM "{schema}".counters_events'
                     " WHERE originator_id = ANY(%s) GROUP BY 1", [ids[0], ids[1]]))
    assert heads == {ids[0]: 5, ids[1]: 6}
