"""The statistics service on the real broker and database: the hand-built case mix published to
thads.intake.case TWICE (every message redelivered) gives exactly the hand-computed report over the
API; an event of an office no unit covers is dead-lettered with its reason; targets, formats,
lineage, a frozen report and its case-by-case difference after a late-recorded event; a rebuild from
Kafka gives the identical report; bad input is refused with 4xx."""
from __future__ import annotations

import io
import json
import random
import uuid
from datetime import date

import httpx
import pytest

from stat_history import STORE, M, CaseHistory, auction_outcome, bank_creditor, complaint
from thads_contracts import encode
from thads_contracts.topics import AUCTIONS_ASSET, COMPLAINTS_COMPLAINT, DEAD_LETTER, INTAKE_CASE
from thads_infra.testing import pg_connect, publish, read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration

OFFICE = "TH-NGASON"          # official 401
# a statistical year of its own per run, so that a re-run on the same database (and the rebuild,
# which reads every earlier run's events back from Kafka) sees only this run's cases in it
Y = random.randrange(1991, 2015)
P = str(Y)


def auth(role: str = "admin", unit: str = "TH") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub='thongke-1')}"}


@pytest.fixture
def statistics(tmp_path):
    svc = service_process("statistics", tmp_path).start()
    yield svc
    svc.stop()


async def _reset_office() -> None:
    """Earlier runs on this database left facts in the office (open cases carry over into later
    years): the live table starts without them. A rebuild reads them back from Kafka, so the rebuild
    check below compares this run's cases only."""
    conn = await pg_connect()
    try:
        if await conn.fetchval("SELECT to_regclass('statistics.stat_facts')") is not None:
            await conn.execute("DELETE FROM statistics.stat_facts WHERE office = $1", OFFICE)
    finally:
        await conn.close()


async def _facts(case_ids) -> int:
    conn = await pg_connect()
    try:
        return await conn.fetchval("SELECT count(*) FROM statistics.stat_facts WHERE case_id = ANY($1::uuid[])",
                                   list(case_ids))
    finally:
        await conn.close()


def mix() -> list[CaseHistory]:
    d = date
    a = (CaseHistory(OFFICE, "ex_officio").opened(d(Y - 1, 5, 2)).decided(d(Y - 1, 5, 10), 100 * M)
         .collected(d(Y - 1, 8, 1), 30 * M).collected(d(Y, 2, 1), 70 * M).completed(d(Y, 2, 5)))
    b = CaseHistory(OFFICE).opened(d(Y - 1, 10, 20)).decided(d(Y - 1, 11, 1), 50 * M).delegated(d(Y, 1, 10))
    e = (CaseHistory(OFFICE).opened(d(Y - 1, 11, 25)).decided(d(Y - 1, 12, 1), 200 * M)
         .collected(d(Y, 1, 15), 50 * M).reduced(d(Y, 2, 1), 30 * M))
    h = (CaseHistory(OFFICE, "ex_officio").opened(d(Y, 4, 25)).decided(d(Y, 5, 1), 60 * M)
         .verified(d(Y, 6, 1), False))
    return [a, b, e, h]


async def test_report_from_events_on_the_real_broker(statistics):
    await _reset_office()
    histories = mix()
    events = [env for h in histories for env in h.events]
    ids = [h.id for h in histories]
    await publish(INTAKE_CASE, [(env.kafka_key, encode(env)) for env in events] * 2, store=STORE)
    stored = sum(1 for env in events if env.event_type.split(".")[1] != "CaseOpened") + len(histories)
    # the service's first start in a test run reads the whole intake topic, dead-lettering every event
    # of an office no unit covers (the other tests' TH-01): that backlog comes first
    await wait_until(lambda: _check_count(ids, stored), timeout=900, interval=1.0, what="every fact stored once")

    # an event of an office no reporting unit covers: dead-lettered with its reason
    stray = CaseHistory("XX-NOWHERE").opened(date(Y, 1, 1)).decided(date(Y, 1, 2), M)
    await publish(INTAKE_CASE, [(env.kafka_key, encode(env)) for env in stray.events], store=STORE)
    letters = await wait_until(lambda: _letters(stray.id), timeout=90, what="dead letter of the stray event")
    assert "XX-NOWHERE" in letters[0]["reason"] and letters[0]["consumer"] == "statistics.facts"

    url = statistics.url
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        r = await c.put("/targets", headers=auth(), json={"unit": "401", "period": P, "tree": "cases",
                                                           "percent": "40.00"})
        assert r.status_code == 200, r.text
        r = await c.get("/reports", params={"unit": "401", "period": P}, headers=auth())
        assert r.status_code == 200, r.text
        rep = r.json()
        cases, money = rep["cases"], rep["money"]
        # by hand: A carried (completed); B new (delegated); E new (in progress); H new (without conditions)
        assert {k: cases[k] for k in ("accepted", "carried_over", "new", "to_enforce", "with_conditions",
                                      "without_conditions", "completed", "terminated", "resolved", "carry_over")} == {
            "accepted": 4, "carried_over": 1, "new": 3, "to_enforce": 3, "with_conditions": 2,
            "without_conditions": 1, "completed": 1, "terminated": 0, "resolved": 1, "carry_over": 2}
        assert cases["rate_percent"] == 50.0 and cases["target_percent"] == 40.0
        assert cases["vs_target_points"] == 10.0
        # money: carried 70; new 50 + 200 + 60; delegated 50; completed 70 + 50; terminated (reduced) 30
        assert money["accepted"] == 380 * M and money["to_enforce"] == 330 * M
        assert money["completed"] == 120 * M and money["terminated"] == 30 * M
        assert money["with_conditions"] == 270 * M and money["without_conditions"] == 60 * M
        assert money["rate_percent"] == round(150 / 270 * 100, 2) and money["target_percent"] is None

        r = await c.get("/reports/lineage", params={"unit": "401", "period": P, "figure": "resolved"},
                        headers=auth())
        assert [x["case_id"] for x in r.json()["cases"]] == [str(histories[0].id)]

        # the province rolls up the office; a district officer may not read the province
        prov = (await c.get("/reports", params={"unit": "38", "period": P}, headers=auth())).json()
        assert prov["cases"]["accepted"] >= 4
        r = await c.get("/reports", params={"unit": "38", "period": P}, headers=auth("officer", OFFICE))
        assert r.status_code == 403
        assert (await c.get("/reports", params={"unit": "401", "period": P},
                            headers=auth("officer", OFFICE))).status_code == 200

        # formats
        table = (await c.get("/reports", params={"unit": "401", "period": P, "format": "table"},
                             headers=auth())).text
        assert "Thụ lý mới" in table and "Tỷ lệ giải quyết xong" in table
        csv_text = (await c.get("/reports", params={"unit": "401", "period": P, "format": "csv"},
                                headers=auth())).text
        assert "Có điều kiện thi hành" in csv_text
        xlsx = await c.get("/reports", params={"unit": "401", "period": P, "format": "xlsx"}, headers=auth())
        from openpyxl import load_workbook
        ws = load_workbook(io.BytesIO(xlsx.content)).active
        rows = {row[1]: row[4] for row in ws.iter_rows(min_row=4, values_only=True) if row[0] == "Về việc"}
        assert rows["[1] Tổng số thụ lý"] == 4

        # freeze; a late-recorded event for September changes the year: the difference, case by case
        r = await c.post("/reports/frozen", headers=auth(), json={"unit": "401", "period": P})
        assert r.status_code == 200, r.text
        frozen = r.json()
        same = (await c.get(f"/reports/frozen/{frozen['report_id']}", headers=auth())).json()
        assert same["unchanged"] and same["differences"] == []
        e = histories[2]
        e.collected(date(Y, 9, 20), 20 * M, recorded=date(Y, 11, 2))
        await publish(INTAKE_CASE, [(e.events[-1].kafka_key, encode(e.events[-1]))], store=STORE)
        await wait_until(lambda: _check_count(ids, stored + 1), timeout=60, what="late event stored")
        later = (await c.get(f"/reports/frozen/{frozen['report_id']}", headers=auth())).json()
        assert not later["unchanged"]
        changed = {(d["tree"], d["figure"]): d for d in later["differences"]}
        assert set(changed) == {("money", "completed"), ("money", "in_progress")}
        assert all(d["case_id"] == str(e.id) for d in later["differences"])
        assert changed[("money", "completed")]["then"] == 50 * M and changed[("money", "completed")]["now"] == 70 * M
        assert str(e.events[-1].event_id) in changed[("money", "completed")]["event_ids_now"]

        # bad input: unknown unit, malformed period, a period not started, a target over 100 %
        assert (await c.get("/reports", params={"unit": "99", "period": P}, headers=auth())).status_code == 404
        assert (await c.get("/reports", params={"unit": "401", "period": P + "-13"},
                            headers=auth())).status_code == 404
        r = await c.get("/reports", params={"unit": "401", "period": "2031"}, headers=auth())
        assert r.status_code == 409 and r.json()["rule"] == "statistics.period_not_started"
        r = await c.put("/targets", headers=auth(), json={"unit": "401", "period": P, "tree": "cases",
                                                           "percent": "100.5"})
        assert r.status_code == 422

        # rebuild from Kafka into a new version, switched when caught up: the identical report
        before = (await c.post("/reports/frozen", headers=auth(), json={"unit": "401", "period": P})).json()
        r = await c.post("/admin/projections/stat_facts/rebuild", headers=auth())
        assert r.status_code == 200, r.text
        after = (await c.get(f"/reports/frozen/{before['report_id']}", headers=auth())).json()
        mine = {str(i) for i in ids}
        assert [d for d in after["differences"] if d["case_id"] in mine] == []
        assert await _facts(ids) == stored + 1


async def test_other_indicators_from_three_topics(statistics):
    """A bank's case with an auction sale and a complaint, each service's events on its own topic
    (sent twice): the report's other indicators count each once, and lineage names the events."""
    y = Y + 1                      # a year of its own: the first test's cases are not bank cases anyway
    h = CaseHistory(OFFICE).opened(date(y - 1, 11, 1)).decided(date(y - 1, 11, 3), 80 * M)
    bank_creditor(h, date(y - 1, 11, 1))
    h.collected(date(y, 1, 10), 30 * M, channel="paid_to_bank")
    auction_outcome(h, date(y, 2, 1), "sold", price=50 * M)
    complaint(h, date(y, 3, 1), accepted_on_time=True, resolved="rejected")
    by_topic: dict[str, list] = {}
    for env in h.events:
        topic = {"intake": INTAKE_CASE, "auctions": AUCTIONS_ASSET, "complaints": COMPLAINTS_COMPLAINT}[env.source]
        by_topic.setdefault(topic, []).append((env.kafka_key, encode(env)))
    for topic, messages in by_topic.items():
        await publish(topic, messages * 2, store=STORE)
    await wait_until(lambda: _check_count([h.id], len(h.events)), timeout=600, what="the bank case's facts")

    async with httpx.AsyncClient(base_url=statistics.url, timeout=60) as c:
        rep = (await c.get("/reports", params={"unit": "401", "period": str(y)}, headers=auth())).json()
        other = rep["other"]
        assert other["auctions"]["sold"] == 1 and other["auctions"]["proceeds_vnd"] == 50 * M
        assert other["complaints"]["received"] == 1 and other["complaints"]["resolved_on_time"] == 1
        assert other["bad_debt"]["cases_accepted"] >= 1 and other["bad_debt"]["money_recovered_vnd"] >= 30 * M
        r = await c.get("/reports/lineage", params={"unit": "401", "period": str(y), "tree": "auctions",
                                                     "figure": "sold"}, headers=auth())
        assert r.status_code == 200, r.text
        assert [x["event_ids"] for x in r.json()["cases"]] == [[str(h.events[-4].event_id)]]
        r = await c.get("/reports/lineage", params={"unit": "401", "period": str(y), "tree": "auctions",
                                                     "figure": "nonsense"}, headers=auth())
        assert r.status_code == 404 and r.json()["rule"] == "statistics.unknown_figure"
        table = (await c.get("/reports", params={"unit": "401", "period": str(y), "format": "table"},
                             headers=auth())).text
        assert "Bán đấu giá thành" in table and "Số tiền đã thu hồi cho tổ chức tín dụng (đồng)" in table


async def _check_count(ids, expected: int) -> bool:
    return await _facts(ids) == expected


async def _letters(case_id: uuid.UUID):
    letters = [json.loads(r.value) for r in await read_topic(DEAD_LETTER, key=str(case_id).encode())]
    return letters or None
