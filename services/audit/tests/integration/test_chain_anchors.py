"""Signed anchors on the real broker and database: a store's heads reach the audit process through
Kafka, the audit process signs a Merkle root over them, keeps it and publishes it; `thads verify`
then catches what the chain alone cannot (a cut tail, a stream rewritten with recomputed hashes)
and any anchor whose signature or fields were changed."""
from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import httpx
import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from typer.testing import CliRunner

from thads_contracts.audit import AnchorPublished, anchor_bytes
from thads_contracts.topics import AUDIT_ANCHOR
from thads_infra import layout, tokens
from thads_infra.cli import app as cli
from thads_infra.testing import read_topic, service_process, wait_until
from thads_kit import chain
from thads_kit.settings import ServiceSettings
from thads_kit.store import ServiceApplication

pytestmark = pytest.mark.integration


class Ledger(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.total = 0

    @event("Entered")
    def enter(self, n: int) -> None:
        self.total += n


class Ledgers(ServiceApplication):
    name = "Ledgers"


def sql(statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(host=layout.PG_HOST, port=layout.PG_PORT, dbname=layout.PG_DB, user=layout.PG_USER,
                         autocommit=True) as conn:
        cur = conn.execute(statement, params or None)
        return cur.fetchall() if cur.description else []


def verify(store: str, audit: str, **env: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner(env=env or None).invoke(
        cli, ["verify", "--service", store, "--audit-schema", audit, "--json"])
    return result.exit_code, json.loads(result.output)


@pytest.fixture
async def anchored(tmp_path):
    """A store with three streams of 5 events, its heads reported through Kafka, and an audit
    process (own schema) that signed an anchor over them; both stopped before the test tampers."""
    store, audit = f"t_ledger_{uuid.uuid4().hex[:10]}", f"t_audit_{uuid.uuid4().hex[:10]}"
    for schema in (store, audit):
        sql(f'CREATE SCHEMA "{schema}"')
    settings = ServiceSettings(service_name="ledgers", pg_host=layout.PG_HOST, pg_port=layout.PG_PORT,
                               pg_db=layout.PG_DB, pg_user=layout.PG_USER, pg_schema=store, es_pool_size=2)
    app = Ledgers(env=settings.eventsourcing_env())
    ids = []
    for _ in range(3):
        ledger = Ledger()
        for n in range(4):
            ledger.enter(n)
        app.save(ledger)
        ids.append(ledger.id)
    publisher = chain.ChainHeadPublisher(service="ledgers", schema=store, events_table="ledgers_events",
                                         pg=settings.asyncpg_kwargs(), kafka_url=layout.KAFKA_BOOTSTRAP, every=0.2)
    # roles without "consumers": this audit process must not take domain messages (the audit.timeline
    # group's offsets) away from the default schema's timeline
    svc = service_process("audit", tmp_path, pg_schema=audit, anchor_seconds=0.3, roles="api,anchors")
    try:
        await publisher.start()
        svc.start()

        def anchored_streams() -> int:
            rows = sql(f'SELECT count(DISTINCT stream) FROM "{audit}".chain_head_log l'
                       f' JOIN "{audit}".chain_anchor a ON l.id <= a.cutoff WHERE l.store = %s',
                       f"{store}.ledgers_events") if sql("SELECT to_regclass(%s)", f"{audit}.chain_anchor")[0][0] else []
            return bool(rows) and rows[0][0] == 3

        await wait_until(anchored_streams, timeout=90, what="an anchor over the store's three streams")
        async with httpx.AsyncClient(base_url=svc.url) as http:     # the audit service's own check
            auditor = {"Authorization": f"Bearer {tokens.issue_token('auditor', 'TH-01')}"}
            checked = (await http.get("/chain/anchors/verify", headers=auditor)).json()
            latest = (await http.get("/chain/anchors/latest", headers=auditor)).json()
        assert checked["intact"] is True and checked["latest_valid"] == latest["number"], checked
        assert checked["public_key"] == chain.dev_public_key_b64()
        await publisher.stop()
        svc.stop()
        yield store, audit, ids
    finally:
        await publisher.stop()
        svc.stop()
        app.close()
        for schema in (store, audit):
            sql(f'DROP SCHEMA "{schema}" CASCADE')


async def test_an_untouched_store_verifies_against_its_signed_anchor(anchored):
    store, audit, _ids = anchored

    code, report = verify(store, audit)

    assert code == 0, report
    assert report["anchors"]["count"] >= 1 and report["anchors"]["latest"] == report["anchors"]["count"]


async def test_the_anchor_is_published_and_its_signature_verifies_with_the_public_key(anchored):
    _store, audit, _ids = anchored
    number, root, signature = sql(f'SELECT number, root, signature FROM "{audit}".chain_anchor'
                                  " ORDER BY number DESC LIMIT 1")[0]

    records = await read_topic(AUDIT_ANCHOR, key=b"anchor")
    published = [AnchorPublished.model_validate_json(r.value) for r in records]
    mine = next(a for a in published if a.root == bytes(root).hex())

    assert mine.number == number and base64.b64decode(mine.signature) == bytes(signature)
    message = anchor_bytes(mine.number, chain.iso(mine.created_at), mine.cutoff, mine.leaves, mine.root,
                           mine.prev_root)
    assert chain.signature_valid(chain.dev_public_key_b64(), message, bytes(signature))
    other_key = base64.b64encode(bytes(range(32))).decode()
    assert not chain.signature_valid(chain.public_key_b64(chain.signing_key(other_key)), message, bytes(signature))


async def test_a_cut_tail_is_named_by_the_anchor(anchored):
    store, audit, ids = anchored
    for table in ("ledgers_events", "ledgers_chain"):       # the tail AND its hashes: the chain still links
        sql(f'DELETE FROM "{store}".{table} WHERE originator_id = %s AND originator_version >= 4', ids[0])

    code, report = verify(store, audit)

    assert code == 1
    [bad] = report["first_bad"]
    assert (bad["stream"], bad["version"], bad["problem"]) == (str(ids[0]), 4, "truncated")
    assert "version 5" in bad["detail"]


async def test_a_stream_rewritten_with_recomputed_hashes_is_named(anchored):
    store, audit, ids = anchored
    t, c = f'"{store}".ledgers_events', f'"{store}".ledgers_chain'
    sql(f"UPDATE {t} SET state = set_byte(state, 10, get_byte(state, 10) # 1)"
        " WHERE originator_id = %s AND originator_version = 2", ids[1])
    prev = chain.GENESIS                                     # an attacker who knows the rule relinks the stream
    for version, topic, state in sql(f"SELECT originator_version, topic, state FROM {t}"
                                     " WHERE originator_id = %s ORDER BY 1", ids[1]):
        prev = chain.link(prev, ids[1], version, topic, bytes(state))
        sql(f"UPDATE {c} SET hash = %s WHERE originator_id = %s AND originator_version = %s", prev, ids[1], version)

    code, report = verify(store, audit)

    assert code == 1
    [bad] = report["first_bad"]
    assert (bad["stream"], bad["version"], bad["problem"]) == (str(ids[1]), 5, "rewritten")


async def test_an_anchor_with_a_changed_signature_or_root_is_named(anchored):
    store, audit, _ids = anchored
    number = sql(f'SELECT max(number) FROM "{audit}".chain_anchor')[0][0]
    sql(f'UPDATE "{audit}".chain_anchor SET signature = set_byte(signature, 0, get_byte(signature, 0) # 1)'
        " WHERE number = %s", number)

    code, report = verify(store, audit)

    assert code == 1
    assert report["first_bad"][0]["stream"] == f"anchor {number}"
    assert "bad signature" in report["first_bad"][0]["detail"]


async def test_anchors_checked_with_another_public_key_fail(anchored):
    store, audit, _ids = anchored
    other = chain.public_key_b64(chain.signing_key(base64.b64encode(bytes(range(32))).decode()))

    code, report = verify(store, audit, THADS_ANCHOR_PUBLIC_KEY=other)

    assert code == 1 and report["first_bad"][0]["stream"] == "anchor 1"


async def test_a_changed_head_log_no_longer_gives_the_signed_root(anchored):
    store, audit, ids = anchored
    sql(f'UPDATE "{audit}".chain_head_log SET version = version - 1 WHERE stream = %s', ids[2])

    code, report = verify(store, audit)

    assert code == 1 and "Merkle root" in report["first_bad"][0]["detail"]


def test_the_audit_service_refuses_to_start_outside_development_without_a_signing_key():
    from audit_service.settings import Settings

    with pytest.raises(ValueError, match="THADS_ANCHOR_SIGNING_KEY"):
        Settings(environment="production", jwt_secret="x" * 40)
    with pytest.raises(ValueError, match="32-byte"):
        Settings(anchor_signing_key=base64.b64encode(b"short").decode())
    assert Settings(environment="production", jwt_secret="x" * 40,
                    anchor_signing_key=base64.b64encode(bytes(32)).decode()).environment == "production"


async def test_heads_are_reported_once_per_new_event(anchored):
    """The publisher's position moves after Kafka's ack: nothing new → nothing sent."""
    store, _audit, _ids = anchored
    assert sql(f'SELECT notification_id FROM "{store}".chain_head_position') == [
        (sql(f'SELECT max(notification_id) FROM "{store}".ledgers_events')[0][0],)]
    await asyncio.sleep(0)
