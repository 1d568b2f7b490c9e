"""The case's milestones reach the citizen exactly once (online's tracked consumer of thads.intake.case,
real broker and database): every intake event below is delivered TWICE; each followed one becomes one
milestone in plain Vietnamese on the filing that opened the case; what the citizen does not follow
(a party added, an officer assigned) and events of other cases leave the filing alone."""
from __future__ import annotations

import secrets
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from thads_contracts import encode
from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.topics import INTAKE_CASE
from thads_infra.testing import publish, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))


@pytest.fixture
def online(tmp_path):
    svc = service_process("online", tmp_path).start()
    yield svc
    svc.stop()


def env(model, payload, case_id: uuid.UUID, version: int, day: date):
    return model.create(payload=payload, source="intake", aggregate_id=case_id, aggregate_version=version,
                        case_id=case_id, unit="TH-KV01", actor=Actor(id="head-1", role="head", unit="TH-KV01"),
                        occurred_at=datetime(day.year, day.month, day.day, 9, tzinfo=VN),
                        recorded_at=datetime.now(VN), source_position=time.time_ns() // 1000 + version)


async def test_each_followed_case_event_becomes_one_milestone(online):
    who = f"{secrets.randbelow(10**12):012d}"
    citizen = {"Authorization": f"Bearer {issue_token('citizen', None, sub=who)}"}
    clerk = {"Authorization": f"Bearer {issue_token('clerk', 'TH-KV01', sub='tk-1')}"}
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        r = await c.post("/filings", headers=citizen, json={
            "requester": {"role": "creditor", "full_name": "Người A"}, "unit": "TH-KV01",
            "judgment": {"issuing_court": "TAND khu vực 1", "judgment_number": "2/2025/DS-ST",
                         "judgment_effective_on": "2025-02-03"},
            "claims": [{"kind": "money", "amount_vnd": 9_000_000}], "debtor": {"full_name": "Người B"}})
        code = r.json()["tracking_code"]
        case_id = uuid.UUID((await c.post(f"/filings/{code}/acceptance", json={}, headers=clerk)).json()["case_id"])
        other_case = uuid.uuid4()
        item = uuid.uuid4()
        events = [
            env(i.EnforcementDecidedV2, i.EnforcementDecidedV2Payload(
                basis=i.EnforcementBasis.ON_REQUEST, decision_number="12/QĐ-THADS", decided_on=date(2026, 3, 5)),
                case_id, 2, date(2026, 3, 5)),
            env(i.OfficerAssigned, i.OfficerAssignedPayload(officer_id="cv-07"),
                case_id, 3, date(2026, 3, 5)),
            env(i.MoneyCollectedV2, i.MoneyCollectedV2Payload(
                claim_item_id=item, amount_vnd=3_000_000, channel=i.CollectionChannelV2.VOLUNTARY,
                collected_on=date(2026, 3, 20)), case_id, 4, date(2026, 3, 20)),
            env(i.EnforcementDecidedV2, i.EnforcementDecidedV2Payload(
                basis=i.EnforcementBasis.ON_REQUEST, decision_number="99/QĐ-THADS", decided_on=date(2026, 3, 5)),
                other_case, 2, date(2026, 3, 5)),
        ]
        for e in events:
            await publish(INTAKE_CASE, [(e.kafka_key, encode(e))] * 2)

        async def two():
            state = (await c.get(f"/filings/{code}", headers=citizen)).json()
            return state if len(state["milestones"]) >= 2 else None
        state = await wait_until(two, what="two milestones")
        # a last marker, so that every duplicate above was consumed before we count
        marker = env(i.CaseCompleted, i.CaseCompletedPayload(basis="fully_performed", completed_on=date(2026, 4, 1)),
                     case_id, 5, date(2026, 4, 1))
        await publish(INTAKE_CASE, [(marker.kafka_key, encode(marker))] * 2)

        async def done():
            state = (await c.get(f"/filings/{code}", headers=citizen)).json()
            return state if any(m["kind"] == "completed" for m in state["milestones"]) else None
        state = await wait_until(done, what="completed")
    assert [m["kind"] for m in state["milestones"]] == ["decision_issued", "money_collected", "completed"]
    assert state["milestones"][0]["label"] == "Đã ra quyết định thi hành án số 12/QĐ-THADS ngày 05/03/2026"
    assert state["milestones"][1]["label"] == "Đã thu được 3.000.000 đồng ngày 20/03/2026"
    assert "cv-07" not in str(state)
