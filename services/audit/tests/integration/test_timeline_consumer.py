"""The audit consumer on the real broker and database: dead letters, a kill between the effect's commit
and the offset commit, and rebuilds (one at a time)."""
from __future__ import annotations

import asyncio
import json
import time
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from thads_contracts import Actor, encode
from thads_contracts import auctions as a
from thads_contracts.topics import AUCTIONS_ASSET, DEAD_LETTER
from thads_infra.testing import pg_connect, publish, read_topic, service_process, wait_until

pytestmark = pytest.mark.integration
OFFICER = Actor(id="officer-7", role="officer", unit="TH-01")


def proceeds(case_id, asset_id, version: int, position: int, amount: int = 1_000_000):
    at = datetime(2025, 7, 1, 9, tzinfo=timezone(timedelta(hours=7)))
    return a.ProceedsTransferred.create(
        payload=a.ProceedsTransferredPayload(asset_id=asset_id, claim_item_ids=(uuid4(),), amount_vnd=amount,
                                             sold_on=date(2025, 6, 18), transferred_on=date(2025, 7, 1)),
        source="auctions", aggregate_id=asset_id, aggregate_version=version, case_id=case_id,
        unit="TH-01", actor=OFFICER, occurred_at=at, recorded_at=at, source_position=position)


def base_position() -> int:
    # positions only grow, also across test runs on the same broker and database
    return time.time_ns() // 1000


@pytest.fixture
def audit(tmp_path):
    svc = service_process("audit", tmp_path).start()
    yield svc
    svc.stop()


async def timeline_count(case_ids) -> int:
    conn = await pg_connect()
    try:
        return await conn.fetchval("SELECT count(*) FROM audit.case_timeline WHERE case_id = ANY($1::uuid[])",
                                   list(case_ids))
    finally:
        await conn.close()


async def test_poison_messages_are_dead_lettered_with_their_reason_and_later_messages_apply(audit):
    """Bad JSON, a known type whose payload breaks its schema, and an unreadable envelope are dead letters;
    an event type no contract names yet is read by the common envelope and enters the timeline."""
    case_id, asset_id = uuid4(), uuid4()
    key = str(case_id).encode()
    valid = proceeds(case_id, asset_id, 1, base_position())
    unknown = json.loads(encode(proceeds(case_id, asset_id, 3, base_position())))
    unknown["event_type"] = "auctions.NoSuchThing.v1"
    unknown["payload"] = {"anything": "kept as sent", "n": 7}
    broken_envelope = dict(unknown, event_id=str(uuid4()))       # event_id is not uuid5(source/aggregate/version)
    invalid = json.loads(encode(proceeds(case_id, asset_id, 2, base_position())))
    invalid["payload"]["amount_vnd"] = -5

    await publish(AUCTIONS_ASSET, [(key, b"{not json"), (key, json.dumps(broken_envelope).encode()),
                                   (key, json.dumps(invalid).encode()), (key, encode(valid)),
                                   (key, json.dumps(unknown).encode())])   # positions grow in this order

    await wait_until(lambda: _equals(timeline_count([case_id]), 2), what="valid and unknown-type messages applied")
    letters = await wait_until(
        lambda: _letters_for(key), what="three dead letters")
    reasons = sorted(letter["reason_code"] for letter in letters)
    assert reasons == ["bad_json", "invalid_schema", "invalid_schema"]
    texts = " ".join(letter["reason"] for letter in letters)
    assert "amount_vnd" in texts and "event_id" in texts
    assert all(letter["attempts"] >= 1 and letter["consumer"] == "audit.timeline" for letter in letters)
    conn = await pg_connect()
    try:
        body = await conn.fetchval("SELECT body FROM audit.case_timeline WHERE case_id = $1"
                                   " AND event_type = 'auctions.NoSuchThing.v1'", case_id)
    finally:
        await conn.close()
    assert json.loads(body)["payload"] == {"anything": "kept as sent", "n": 7}
    await asyncio.sleep(1)
    assert await timeline_count([case_id]) == 2


async def _letters_for(key: bytes):
    letters = [json.loads(r.value) for r in await read_topic(DEAD_LETTER, key=key)]
    return letters if len(letters) >= 3 else None


async def test_consumer_killed_after_its_commit_before_the_offset_commit_skips_the_redelivered_duplicates(tmp_path):
    """The fault hook kills the process after a batch's effects and positions are committed and
    before its Kafka offsets are: the restarted consumer is given that batch again and must skip
    every message of it as a duplicate (the metric), applying nothing twice and losing nothing."""
    n = 4000
    start = base_position()
    cases = [uuid4() for _ in range(40)]
    messages = []
    for i in range(n):
        case_id = cases[i % len(cases)]
        messages.append((str(case_id).encode(), encode(proceeds(case_id, case_id, i + 1, start + i))))
    doomed = service_process("audit", tmp_path, fault="consumer_crash_before_offset_commit").start()
    try:
        await publish(AUCTIONS_ASSET, messages)
        assert doomed.wait_exit(60) == -9, "the fault hook killed the consumer"
    finally:
        doomed.kill9()
    partial = await timeline_count(cases)
    assert 0 < partial < n

    audit = service_process("audit", tmp_path).start()
    try:
        await wait_until(lambda: _equals(timeline_count(cases), n), timeout=120, what=f"{n} events applied")
        duplicates = await wait_until(lambda: _metric(audit.url, "thads_consumed_total",
                                                      'consumer="audit.timeline",outcome="duplicate"'),
                                      what="duplicates counted")
    finally:
        audit.stop()
    assert duplicates >= partial, "every message of the killed batch came again and was skipped"
    conn = await pg_connect()
    try:
        doubled = await conn.fetchval(
            "SELECT count(*) FROM (SELECT event_id FROM audit.case_timeline WHERE case_id = ANY($1::uuid[])"
            " GROUP BY event_id HAVING count(*) > 1) d", cases)
        letters = await conn.fetchval("SELECT count(*) FROM audit.dead_letter WHERE msg_key = ANY($1::text[])",
                                      [str(c) for c in cases])
    finally:
        await conn.close()
    assert doubled == 0 and letters == 0
    on_topic = [json.loads(r.value) for r in await read_topic(DEAD_LETTER)]
    assert not [x for x in on_topic if x.get("key") in {str(c) for c in cases}], "nothing dead-lettered"


async def _metric(url: str, name: str, labels: str) -> float:
    import httpx

    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{url}/metrics")).text
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and labels in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _between(count_coro, low: int, high: int):
    value = await count_coro
    return low <= value <= high


async def _equals(count_coro, expected: int):
    return await count_coro == expected


async def test_a_rebuild_fills_a_new_version_beside_the_live_one_then_switches(audit):
    import httpx

    from thads_infra.tokens import issue_token

    case_id = uuid4()
    start = base_position()
    await publish(AUCTIONS_ASSET, [(str(case_id).encode(), encode(proceeds(case_id, case_id, v, start + v)))
                                   for v in range(1, 6)])
    # the same event published again under a later position (a re-send, or a second store replaying
    # the same command): one timeline entry, live and in the rebuild
    await publish(AUCTIONS_ASSET, [(str(case_id).encode(), encode(proceeds(case_id, case_id, 3, start + 6)))])
    await wait_until(lambda: _equals(timeline_count([case_id]), 5), what="live timeline")
    conn = await pg_connect()
    live_before = await conn.fetchval("SELECT live_version FROM audit.projection_state WHERE name = 'case_timeline'")
    total_before = await conn.fetchval("SELECT count(*) FROM audit.case_timeline")

    async with httpx.AsyncClient(base_url=audit.url, timeout=120) as client:
        r = await client.post("/admin/projections/case_timeline/rebuild",
                              headers={"Authorization": f"Bearer {issue_token('admin', 'TW')}"})
    assert r.status_code == 200, r.text

    new = r.json()["live_version"]
    assert new == live_before + 1
    assert await conn.fetchval(f"SELECT count(*) FROM audit.case_timeline_v{new}") == total_before
    assert await conn.fetchval(f"SELECT count(*) FROM audit.case_timeline_v{live_before}") == total_before, \
        "the old version stayed whole while the new one was built"
    assert await timeline_count([case_id]) == 5
    # while another rebuild holds the projection's lock, a request is told so (409) and nothing switches
    holder = await pg_connect()
    await holder.execute("SELECT pg_advisory_lock(hashtext('projection-rebuild:audit.case_timeline'))")
    async with httpx.AsyncClient(base_url=audit.url, timeout=120) as client:
        refused = await client.post("/admin/projections/case_timeline/rebuild",
                                    headers={"Authorization": f"Bearer {issue_token('admin', 'TW')}"})
    await holder.close()
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "projection.rebuild_running" and refused.json()["message"]
    assert await conn.fetchval("SELECT live_version FROM audit.projection_state WHERE name = 'case_timeline'") == new
    # the live consumer goes on writing into the new version, without duplicates
    await publish(AUCTIONS_ASSET, [(str(case_id).encode(), encode(proceeds(case_id, case_id, 6, start + 7)))])
    await wait_until(lambda: _equals(timeline_count([case_id]), 6), what="applied after the switch")
    await conn.close()
