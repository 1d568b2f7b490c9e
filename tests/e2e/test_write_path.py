"""The exactly-once write path end to end: HTTP → event store → relay → Kafka → consumer in
another process, on the real broker and database, including crashes."""
from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from thads_contracts import make_event_id
from thads_contracts.topics import DEAD_LETTER, INTAKE_CASE
from thads_infra.testing import pg_connect, read_topic, wait_until

pytestmark = pytest.mark.integration


def request_body(ref: str | None = None) -> dict:
    return {"unit": "TH-01", "intake_ref": ref or f"REQ-{uuid.uuid4().hex[:12]}", "channel": "online",
            "judgment_number": "12/2025/DS-ST", "issuing_court": "TAND khu vực 1 - Thanh Hóa"}


async def timeline_rows(case_ids) -> list:
    conn = await pg_connect()
    try:
        return await conn.fetch("SELECT case_id, event_id FROM audit.case_timeline WHERE case_id = ANY($1::uuid[])",
                                [uuid.UUID(str(c)) for c in case_ids])
    finally:
        await conn.close()


async def messages_for(case_id) -> list[dict]:
    return [json.loads(r.value) for r in await read_topic(INTAKE_CASE, key=str(case_id).encode())]


async def test_one_http_command_gives_exactly_one_kafka_message_with_the_right_key_and_envelope(processes, token):
    intake = processes("intake")
    processes("audit")

    async with httpx.AsyncClient(base_url=intake.url) as client:
        r = await client.post("/cases/requests", json=request_body(), headers=token("clerk"))
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]

    await wait_until(lambda: timeline_rows([case_id]), what="event in the audit timeline (second process)")
    msgs = await messages_for(case_id)
    assert len(msgs) == 1
    env = msgs[0]
    assert env["event_type"] == "intake.CaseOpened.v2" and env["schema_version"] == 2
    assert env["case_id"] == case_id == env["aggregate_id"] and env["aggregate_version"] == 1
    assert env["source"] == "intake" and env["unit"] == "TH-01"
    assert env["event_id"] == str(make_event_id("intake", case_id, 1))
    assert env["actor"]["role"] == "clerk" and env["occurred_at"] and env["recorded_at"]
    assert env["source_position"] >= 1
    assert len(await timeline_rows([case_id])) == 1


async def test_relay_killed_after_publishing_before_storing_its_position_republishes_and_each_event_applies_once(
        processes, token):
    api = processes("intake", roles="api")
    audit = processes("audit")
    async with httpx.AsyncClient(base_url=api.url) as client:
        replies = await asyncio.gather(*(client.post("/cases/requests", json=request_body(), headers=token("clerk"))
                                         for _ in range(20)))
    case_ids = [r.json()["case_id"] for r in replies]
    assert all(r.status_code == 201 for r in replies)
    conn = await pg_connect()
    before = await conn.fetchval("SELECT notification_id FROM intake.relay_position WHERE relay = 'intake_events'")

    crashing = processes("intake", wait=False, roles="relay", fault="relay_crash_after_publish")
    exit_code = crashing.wait_exit(timeout=60)

    assert exit_code == -9, "the relay was SIGKILLed after the broker acknowledged"
    after_crash = await conn.fetchval("SELECT notification_id FROM intake.relay_position WHERE relay = 'intake_events'")
    assert after_crash == before, "the position was not stored"
    published = [m for c in case_ids for m in await messages_for(c)]
    assert len(published) == 20

    processes("intake", roles="relay")          # restarted without the fault: publishes again
    await wait_until(lambda: _all_published_twice(case_ids), what="re-published duplicates")
    await wait_until(lambda: _count(case_ids, 20), what="each event applied")
    # every copy has reached the audit consumer and was skipped by position (not rejected by the
    # table's key and dead-lettered): only now could a double apply have shown up
    await wait_until(lambda: _skipped_at_least(audit.url, 20), what="the 20 copies received and skipped")
    rows = await timeline_rows(case_ids)
    assert len(rows) == 20 and len({r["event_id"] for r in rows}) == 20
    letters = [json.loads(r.value) for r in await read_topic(DEAD_LETTER)]
    assert not [x for x in letters if x.get("key") in set(case_ids)]
    await conn.close()


async def _duplicates_skipped(url: str) -> float:
    async with httpx.AsyncClient(base_url=url) as client:
        text = (await client.get("/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("thads_consumed_total{") and 'outcome="duplicate"' in line)


async def _skipped_at_least(url: str, n: int) -> bool:
    return await _duplicates_skipped(url) >= n


async def _all_published_twice(case_ids) -> bool:
    counts = [len(await messages_for(c)) for c in case_ids]
    return all(n == 2 for n in counts)


async def _count(case_ids, expected: int) -> bool:
    return len(await timeline_rows(case_ids)) == expected


async def test_two_concurrent_conflicting_commands_on_one_case_both_end_correctly(processes, token):
    # Two writer processes; their event-store sessions are named so the test can see which one waits
    one = processes("intake", env={"PGAPPNAME": "intake-one"})
    two = processes("intake", roles="api", env={"PGAPPNAME": "intake-two"})
    head = token("head", sub="head-1")
    creditor = {"role": "creditor", "kind": "individual", "full_name": "Nguyễn Văn A"}
    async with httpx.AsyncClient(base_url=one.url, timeout=60) as c1, \
            httpx.AsyncClient(base_url=two.url, timeout=60) as c2:
        for round_ in range(3):
            case_id = (await c1.post("/cases/requests", json=request_body(), headers=token("clerk"))).json()["case_id"]

            # Both processes load the case at the same version and act; their saves then queue at
            # the events table's lock (held by the test) until both are there: a certain overlap
            a, b, lost = await overlapping(
                c1.post(f"/cases/{case_id}/parties", json=creditor | {"party_id": str(uuid.uuid4())}, headers=head),
                c2.post(f"/cases/{case_id}/parties", json=creditor | {"party_id": str(uuid.uuid4())}, headers=head))
            assert lost >= 1, "the second save conflicted and was rolled back"
            assert a.status_code == b.status_code == 200, (a.text, b.text)
            state = (await c1.get(f"/cases/{case_id}", headers=head)).json()
            assert len(state["parties"]) == 2, "no lost update: the conflicting command was re-run"

            d1, d2, lost = await overlapping(
                c1.post(f"/cases/{case_id}/decision", json={"decision_no": f"{round_}a/QĐ", "basis": "on_request"},
                        headers=head),
                c2.post(f"/cases/{case_id}/decision", json={"decision_no": f"{round_}b/QĐ", "basis": "on_request"},
                        headers=head))
            assert lost >= 1, "the second save conflicted and was rolled back"
            assert sorted([d1.status_code, d2.status_code]) == [200, 409], (d1.text, d2.text)
            refused = d1 if d1.status_code == 409 else d2
            assert refused.json()["rule"] == "transition.decide_enforcement"
            history = (await c1.get(f"/cases/{case_id}/events", headers=head)).json()["events"]
            assert [e["event"] for e in history].count("EnforcementDecided") == 1


async def overlapping(first, second) -> tuple[httpx.Response, httpx.Response, int]:
    """Run two requests while this test holds the events table's EXCLUSIVE lock (the lock the event
    store takes to insert), release it once a session of EACH process waits for it, and return both
    answers and how many notification ids were taken by inserts that rolled back (a conflict's
    trace: the sequence moves on, the row is not there)."""
    conn = await pg_connect()
    try:
        seq = await conn.fetchval("SELECT pg_get_serial_sequence('intake.intake_events', 'notification_id')")
        async with conn.transaction():
            await conn.execute("LOCK TABLE intake.intake_events IN EXCLUSIVE MODE")
            ids_before = await conn.fetchval(f"SELECT last_value FROM {seq}")
            both = asyncio.gather(first, second)
            await wait_until(lambda: conn.fetchval(
                "SELECT count(DISTINCT a.application_name) = 2 FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE NOT l.granted AND l.relation = 'intake.intake_events'::regclass"
                " AND a.application_name IN ('intake-one', 'intake-two')"),
                timeout=8, interval=0.05, what="both processes waiting to insert")   # < their lock_timeout
        a, b = await both
        ids_after = await conn.fetchval(f"SELECT last_value FROM {seq}")
        committed = await conn.fetchval("SELECT count(*) FROM intake.intake_events"
                                        " WHERE notification_id > $1 AND notification_id <= $2",
                                        ids_before, ids_after)
        return a, b, (ids_after - ids_before) - committed
    finally:
        await conn.close()
