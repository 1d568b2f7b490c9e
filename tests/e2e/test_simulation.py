"""The province-year simulation at a CI scale, on the real broker and database: intake's bulk import
runs every command (answers per line), auctions sells the seized assets and complaints handles the
complaints (their own command routes), the statistics service counts what they published, and the
year's report moves by exactly the plan's figures — the case and money trees and the auction and
complaint indicators; a re-run changes nothing; erasing a
party's personal data leaves a frozen report unchanged; bad lines are refused one by one while the
others run.

Other tests publish to the same topic (some with 2017–2018 dates in Thanh Hóa offices), so the test
compares the report after the run with the report before it: every figure of the tree is a sum over
cases, so the difference is this run's cases exactly. (At full scale on an empty stack — `make bench`
— the report itself is the seed's.)"""
from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest

from thads_infra.testing import pg_connect, service_process
from thads_infra.tokens import issue_token
from thads_sim import run
from thads_sim import thanh_hoa_2018 as th

pytestmark = pytest.mark.integration
SCALE = 0.004          # 72 cases, ≈ 720 commands
FIELDS = ("accepted", "carried_over", "new", "completed", "terminated", "resolved", "with_conditions",
          "without_conditions")


@pytest.fixture
async def services(tmp_path: Path):
    schema = f"t_sim_{uuid.uuid4().hex[:10]}"
    # the deadline watch would record misses "now" in the middle of an imported history
    intake = service_process("intake", tmp_path, pg_schema=schema, deadline_watch_seconds=3600)
    stats = service_process("statistics", tmp_path)
    auctions = service_process("auctions", tmp_path)
    # the complaints deadline watcher would record a miss "now" between an imported acceptance and
    # its decision; the simulated complaints are all decided
    complaints = service_process("complaints", tmp_path, deadline_sweep_seconds=0)
    procs = (intake, stats, auctions, complaints)
    await asyncio.gather(*(asyncio.to_thread(p.start, True, 180.0) for p in procs))
    try:
        yield intake, stats, auctions, complaints
    finally:
        for p in reversed(procs):
            await asyncio.to_thread(p.stop)
        conn = await pg_connect()
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


async def caught_up() -> None:
    """Wait until the statistics consumer has read everything already on the intake topic: a marker
    (a case opened in 1990, counted nowhere) is put on every partition and must reach the facts."""
    from aiokafka import AIOKafkaProducer

    import time
    from datetime import date, datetime, timedelta, timezone

    from thads_contracts import encode
    from thads_contracts import intake as i
    from thads_contracts.envelope import Actor
    from thads_contracts.topics import INTAKE_CASE, PARTITIONS
    from thads_infra import layout
    from thads_infra.testing import wait_until
    from thads_kit.relay import STORE_HEADER
    from thads_kit.settings import bootstrap_servers

    at = datetime(1990, 1, 1, 9, tzinfo=timezone(timedelta(hours=7)))
    markers = []
    store = f"test-marker-{uuid.uuid4()}".encode()     # positions of our own: see testing.publish
    for k in range(PARTITIONS):
        case_id = uuid.uuid4()
        markers.append(i.CaseOpenedV2.create(
            payload=i.CaseOpenedV2Payload(origin="request_received", channel="post", received_on=date(1990, 1, 1),
                                          judgment_number="1/1989/DS-ST", issuing_court="TAND"),
            source="intake", aggregate_id=case_id, aggregate_version=1, case_id=case_id, unit="TH-NGASON",
            actor=Actor(id="marker", role="clerk", unit="TH-NGASON"), occurred_at=at, recorded_at=at,
            source_position=time.time_ns() // 1000 + k))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP), enable_idempotence=True)
    await producer.start()
    try:
        for partition, m in enumerate(markers):
            await producer.send_and_wait(INTAKE_CASE, encode(m), key=m.kafka_key, partition=partition,
                                         headers=[(STORE_HEADER, store)])
    finally:
        await producer.stop()

    async def seen() -> bool:
        conn = await pg_connect()
        try:
            return await conn.fetchval("SELECT count(*) FROM statistics.stat_facts WHERE case_id = ANY($1::uuid[])",
                                       [m.case_id for m in markers]) == PARTITIONS
        finally:
            await conn.close()
    await wait_until(seen, timeout=900, interval=1.0, what="the statistics consumer caught up with the topic")


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token('admin', 'TH', sub='kiem-thu')}"}


async def test_simulated_year_is_counted_from_the_events_and_a_resend_changes_nothing(services):
    intake, stats, auctions, complaints = services
    urls = {"auctions_url": auctions.url, "complaints_url": complaints.url}
    await caught_up()
    async with httpx.AsyncClient(timeout=120) as c:
        before = await run._settled(c, stats.url, admin(), 600, empty_ok=True)     # empty on a new stack
    tag = uuid.uuid4().hex[:6]
    out = await run.simulate(intake.url, stats.url, scale=SCALE, tag=tag, settle_timeout=600, **urls)
    assert out.failures == [], out.failures[:5]
    courses = th.plan(SCALE, tag=tag)
    assert out.lines == sum(len(c.lines) + len(c.later) + len(c.auction_lines) + len(c.complaint_lines)
                            for c in courses)
    after = out.report
    expected = th.expected(SCALE, courses)
    for tree in ("cases", "money"):
        delta = {k: after[tree][k] - before[tree][k] for k in FIELDS}
        assert delta == {k: expected[tree][k] for k in FIELDS}, tree
        assert after[tree]["to_enforce"] - before[tree]["to_enforce"] == expected[tree]["accepted"] - expected[tree]["deducted"]
    assert after["cases"]["target_percent"] == 73.5 and after["money"]["target_percent"] == 32.5
    # the bad-debt indicators count the plan's credit-institution cases (the tree's cases, resolved)
    bank = [c for c in courses if th.is_bank_case(c)]
    moved = {k: after["other"]["bad_debt"][k] - before["other"]["bad_debt"][k] for k in ("cases_accepted", "cases_resolved")}
    assert bank and moved == {"cases_accepted": len(bank),
                              "cases_resolved": sum(c.cls in ("completed", "terminated") for c in bank)}
    # the auctions and complaints of the plan, counted from auctions' and complaints' events: every
    # figure the plan moves, by exactly its amount, and the others not at all
    other = th.expected_other(courses)
    assert other["auctions"]["sold"] and other["auctions"]["failed"] and other["auctions"]["taken_by_creditor"]
    assert other["complaints"]["resolved_late"] and other["complaints"]["vuot_cap"]
    for group in ("auctions", "complaints"):
        moved = {k: after["other"][group][k] - before["other"][group][k] for k in after["other"][group]}
        assert moved == {k: other[group].get(k, 0) for k in after["other"][group]}, group

    # the same files again: every line answered as before (replayed), nothing new counted
    again = await run.simulate(intake.url, stats.url, scale=SCALE, tag=tag, settle_timeout=600, **urls)
    assert again.failures == [] and again.statuses == out.statuses
    assert again.report["sha256"] == after["sha256"]

    # erasing a party's personal data (issue 11 §4) changes no figure: a report frozen before the
    # erasure is unchanged once the statistics consumer has read past the erasure event
    done = next(c for c in courses if c.cls == "completed" and not c.ex_officio)
    head = {"Authorization": f"Bearer {issue_token('head', done.office, sub='tt-erasure')}"}
    debtor = next(x["body"]["party_id"] for x in done.lines
                  if x["path"] == "/cases/{case}/parties" and x["body"]["role"] == "debtor")
    async with httpx.AsyncClient(timeout=120) as c:
        r = await c.post(f"{intake.url}/import", content=(json.dumps(done.lines[0]) + "\n").encode(),
                         headers={**head, "Content-Type": "application/x-ndjson"})      # a replay: its case id
        case_id = json.loads(r.text.splitlines()[0])["case_id"]
        frozen = (await c.post(f"{stats.url}/reports/frozen", headers=admin(),
                               json={"unit": th.UNIT, "period": th.PERIOD})).json()
        r = await c.post(f"{intake.url}/cases/{case_id}/personal-data-erasures", headers=head, json={
            "party_id": debtor, "ground": "consent_withdrawn", "requested_by": "data_subject",
            "request_ref": f"{tag}/ĐN"})
        assert r.status_code == 200, r.text
        await caught_up()
        later = (await c.get(f"{stats.url}/reports/frozen/{frozen['report_id']}", headers=admin())).json()
        assert later["unchanged"] and later["differences"] == [], later["differences"][:3]
        parties = (await c.get(f"{intake.url}/cases/{case_id}/parties", headers=head)).json()["parties"]
        assert [p["full_name"] for p in parties if p["party_id"] == debtor] == [None]

    # bad lines are refused one by one; the good line of the same file runs
    office = "TH-BIMSON"
    good = {"command_id": f"t/{tag}/1", "path": "/cases/requests", "role": "clerk", "actor": "tk-bimson",
            "bind": "x", "body": {"unit": office, "intake_ref": f"T-{tag}", "channel": "post",
                                  "judgment_number": "1/2017/DS-ST", "issuing_court": "TAND",
                                  "occurred_at": "2018-01-02T09:00:00+07:00"}}
    no_time = {**good, "command_id": f"t/{tag}/2", "bind": "y", "body": {k: v for k, v in good["body"].items()
                                                                         if k != "occurred_at"}}
    other_office = {**good, "command_id": f"t/{tag}/3", "bind": "z",
                    "body": {**good["body"], "unit": "TH-SAMSON", "intake_ref": f"U-{tag}"}}
    after_fail = {"command_id": f"t/{tag}/4", "path": "/cases/{case}/decision", "role": "head", "actor": "tt",
                  "case": "z", "body": {"decision_no": "1/QĐ", "basis": "on_request",
                                        "occurred_at": "2018-01-03T09:00:00+07:00"}}
    text = "\n".join(["{not json", json.dumps(good), json.dumps(no_time), json.dumps(other_office),
                      json.dumps(after_fail)]) + "\n"
    token = issue_token("head", office, sub="tt-bimson")
    async with httpx.AsyncClient(timeout=120) as c:
        r = await c.post(f"{intake.url}/import", content=text.encode(),
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
        assert r.status_code == 200
        answers = [json.loads(x) for x in r.text.splitlines()]
        assert [a["status"] for a in answers] == [400, 201, 422, 403, 424]
        assert answers[2]["body"]["rule"] == "import.occurred_at"
        case = (await c.get(f"{intake.url}/cases/{answers[1]['case_id']}", headers={"Authorization": f"Bearer {token}"}))
        assert case.status_code == 200
        # a clerk may not import (only the office's head)
        r = await c.post(f"{intake.url}/import", content=text.encode(),
                         headers={"Authorization": f"Bearer {issue_token('clerk', office)}"})
        assert r.status_code == 403
