"""A complaint against a real coercion decision of intake, on the real broker and database: intake
seizes an asset (SeizureOrdered on thads.intake.case), the complaints service learns the decision from
the topic, the complaint is routed to the province head (filed after 1/7/2025 about a regional office's
officer), the wrong head is refused, the competent one accepts and upholds it; the CorrectionRequested
reaches intake and is recorded on the case ONCE — also when the same message is delivered again."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from thads_contracts.topics import COMPLAINTS_COMPLAINT, INTAKE_CASE
from thads_infra import layout
from thads_infra.testing import pg_connect, read_topic, service_process, wait_until
from thads_infra.tokens import issue_token
from thads_kit.settings import bootstrap_servers

pytestmark = pytest.mark.integration
VN_TZ = timezone(timedelta(hours=7))
UNIT = "TH-KV02"
# intake_service.corrections.NAMESPACE (services' code is not imported across services, tests included)
CORRECTIONS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:thads:intake:case-corrections")


def auth(role: str, unit: str = UNIT, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub or f'{role}-{unit}')}"}


def at(day: str) -> str:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=VN_TZ).isoformat()


@pytest.fixture
def services(tmp_path):
    intake = service_process("intake", tmp_path).start()
    complaints = service_process("complaints", tmp_path).start()
    yield intake, complaints
    complaints.stop()
    intake.stop()


async def post(c: httpx.AsyncClient, path: str, body: dict, headers: dict, expect: int = 200) -> dict:
    r = await c.post(path, json=body, headers=headers)
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


async def seize_on_a_new_case(c: httpx.AsyncClient) -> tuple[str, str]:
    clerk, head, officer = auth("clerk"), auth("head"), auth("officer", sub="cv-kn-01")
    cid = (await post(c, "/cases/requests", {
        "unit": UNIT, "intake_ref": f"KN-{uuid.uuid4().hex[:10]}", "channel": "in_person",
        "judgment_number": "12/2026/DS-ST", "issuing_court": "Tòa án nhân dân khu vực 2 - Thanh Hóa",
        "occurred_at": at("2026-09-01")}, clerk, 201))["case_id"]
    creditor, debtor, debt = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    await post(c, f"/cases/{cid}/parties", {"party_id": creditor, "role": "creditor", "kind": "individual",
                                            "full_name": "Nguyễn Văn A", "occurred_at": at("2026-09-01")}, clerk)
    await post(c, f"/cases/{cid}/parties", {"party_id": debtor, "role": "debtor", "kind": "individual",
                                            "full_name": "Trần Thị B", "occurred_at": at("2026-09-01")}, clerk)
    await post(c, f"/cases/{cid}/claim-items", {"claim_item_id": debt, "kind": "other",
                                                "amount_vnd": 200_000_000, "creditor_party_id": creditor,
                                                "occurred_at": at("2026-09-01")}, clerk)
    await post(c, f"/cases/{cid}/decision", {"decision_no": "41/QĐ-THADS", "basis": "on_request",
                                             "occurred_at": at("2026-09-03")}, head)
    await post(c, f"/cases/{cid}/officer", {"officer_id": "cv-kn-01", "occurred_at": at("2026-09-03")}, head)
    await post(c, f"/cases/{cid}/notification", {"occurred_at": at("2026-09-04")}, officer)
    await post(c, f"/cases/{cid}/verification/start", {"occurred_at": at("2026-09-18")}, officer)
    await post(c, f"/cases/{cid}/verification", {"outcome": "with_conditions", "occurred_at": at("2026-09-22")},
               officer)
    await post(c, f"/cases/{cid}/seizures", {"decision_no": "77/QĐ-KB", "asset_description": "Xe ô tô 36A-999.01",
                                             "asset_kind": "movable", "claim_item_ids": [debt],
                                             "occurred_at": at("2026-10-06")}, officer)
    seizure = [json.loads(r.value) for r in await read_topic(INTAKE_CASE, key=cid.encode())
               if json.loads(r.value)["event_type"] == "intake.SeizureOrdered.v1"]
    assert len(seizure) == 1
    return cid, seizure[0]["event_id"]


async def test_upheld_complaint_against_a_seizure_reaches_intake_once(services):
    intake, complaints = services
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as i, \
            httpx.AsyncClient(base_url=complaints.url, timeout=30) as k:
        cid, seizure_id = await seize_on_a_new_case(i)

        async def known() -> bool:
            return (await k.get(f"/decisions/{seizure_id}", headers=auth("officer"))).status_code == 200
        await wait_until(known, timeout=300, what="the seizure known to the complaints service")
        decision = (await k.get(f"/decisions/{seizure_id}", headers=auth("officer"))).json()
        assert (decision["object"], decision["actor_role"], decision["unit"]) == ("coercion", "officer", UNIT)

        filed = await post(k, "/complaints", {"decision_event_id": seizure_id, "received_on": "2026-10-20",
                                              "content": "Kê biên xe ô tô vượt quá nghĩa vụ phải thi hành"},
                           auth("clerk"), 201)
        kid = filed["complaint_id"]
        state = (await k.get(f"/complaints/{kid}", headers=auth("officer"))).json()
        assert (state["first_instance_unit"], state["second_instance_unit"]) == ("TH", "CUC")
        assert state["complain_due_on"] == "2026-11-05" and state["late"] is False

        # the regional office's head is not competent after 1/7/2025; nothing is written
        r = await k.post(f"/complaints/{kid}/acceptance", json={"accepted_on": "2026-10-21"}, headers=auth("head"))
        assert r.status_code == 409 and r.json()["rule"] == "complaint.not_competent", r.text
        # a second complaint before the first decision
        r = await k.post(f"/complaints/{kid}/second-complaint", json={"received_on": "2026-10-22", "content": "x"},
                         headers=auth("clerk"))
        assert r.status_code == 409 and r.json()["rule"] == "complaint.second_before_first_decision", r.text
        assert (await k.get(f"/complaints/{kid}", headers=auth("officer"))).json()["version"] == 1

        province_head = auth("head", "TH", "head-TH")
        await post(k, f"/complaints/{kid}/acceptance", {"accepted_on": "2026-10-22"}, province_head)
        decided = await post(k, f"/complaints/{kid}/decision", {
            "outcome": "upheld", "decision_number": "15/QĐ-GQKN", "decided_on": "2026-11-10",
            "corrections": "Giải tỏa kê biên xe ô tô 36A-999.01", "legal_basis": "Điều 146 Luật THADS"},
            province_head)
        assert decided["status"] == "first_decided"

        async def corrections() -> list:
            r = await i.get(f"/cases/{cid}/correction-requests", headers=auth("officer"))
            assert r.status_code == 200, r.text
            return r.json()["items"]
        items = await wait_until(corrections, timeout=300, what="the correction request recorded by intake")
        assert len(items) == 1 and items[0]["complaint_id"] == kid
        assert items[0]["decision_event_id"] == seizure_id and items[0]["resolution"] == "upheld"
        r = await i.get(f"/cases/{cid}/correction-requests", headers=auth("officer", "HN-01"))
        assert r.status_code == 403, "office scoping of the case"

        # the same message delivered again (an at-least-once relay): recorded once
        records = [r for r in await read_topic(COMPLAINTS_COMPLAINT, key=cid.encode())
                   if json.loads(r.value)["event_type"] == "complaints.CorrectionRequested.v1"]
        assert len(records) == 1
        before = await _consumed(intake.url, "duplicate")
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP))
        await producer.start()
        try:
            for _ in range(2):
                await producer.send_and_wait(COMPLAINTS_COMPLAINT, records[0].value, key=records[0].key,
                                             headers=list(records[0].headers))
        finally:
            await producer.stop()

        async def skipped() -> bool:
            return await _consumed(intake.url, "duplicate") >= before + 2
        await wait_until(skipped, timeout=300, what="both redelivered copies skipped as duplicates")
        assert len(await corrections()) == 1

        conn = await pg_connect()
        try:
            n = await conn.fetchval(
                "SELECT count(*) FROM intake.intake_events WHERE originator_id = $1 AND topic LIKE '%CorrectionRequested'",
                uuid.uuid5(CORRECTIONS_NAMESPACE, cid))
        finally:
            await conn.close()
        assert n == 1, "one CorrectionRequested event on the case's record of corrections"
        # (a copy of the same event under another position is refused by its event id: intake's unit test
        # test_consumers_complaints.py; not re-published here, where every other consumer of the topic,
        # the audit timeline's rebuild included, would meet it too)


async def _consumed(url: str, outcome: str) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{url}/metrics")).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("thads_consumed_total{") and 'consumer="intake.corrections"' in line \
                and f'outcome="{outcome}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total
