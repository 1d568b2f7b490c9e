"""The deadline watcher on the real broker and database: a complaint left unaccepted past its 5 working
days gets ONE DeadlineMissed (published on thads.complaints.complaint) however many sweeps run, and it
is on the overdue list of the offices concerned. The decision it is about is a SeizureOrdered put on
intake's topic here (the service learns it from the topic, as from intake)."""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.registry import encode
from thads_contracts.topics import COMPLAINTS_COMPLAINT, INTAKE_CASE
from thads_infra import layout
from thads_infra.testing import read_topic, service_process, wait_until
from thads_infra.tokens import issue_token
from thads_kit.relay import STORE_HEADER
from thads_kit.settings import bootstrap_servers

pytestmark = pytest.mark.integration
VN_TZ = timezone(timedelta(hours=7))
UNIT = "TH-KV05"


def auth(role: str, unit: str = UNIT) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=f'{role}-{unit}')}"}


async def publish_seizure(case_id: uuid.UUID, ordered_on: date) -> uuid.UUID:
    at = datetime(ordered_on.year, ordered_on.month, ordered_on.day, 9, tzinfo=VN_TZ)
    env = i.SeizureOrdered.create(
        payload=i.SeizureOrderedPayload(asset_id=uuid.uuid4(), asset_kind=i.AssetKind.MOVABLE,
                                        asset_description="Máy xúc", claim_item_ids=(uuid.uuid4(),),
                                        decision_number="9/QĐ-KB", ordered_on=ordered_on),
        source="intake", aggregate_id=case_id, aggregate_version=9, case_id=case_id, unit=UNIT,
        actor=Actor(id="cv-55", role="officer", unit=UNIT), occurred_at=at, recorded_at=at, source_position=9)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP))
    await producer.start()
    try:   # a store identity of its own: this test's positions never meet another's
        await producer.send_and_wait(INTAKE_CASE, encode(env), key=str(case_id).encode(),
                                     headers=[(STORE_HEADER, f"test-{uuid.uuid4()}".encode())])
    finally:
        await producer.stop()
    return env.event_id


@pytest.fixture
def complaints(tmp_path):
    svc = service_process("complaints", tmp_path, deadline_sweep_seconds=0.3).start()
    yield svc
    svc.stop()


async def test_an_unaccepted_complaint_misses_its_acceptance_once_and_is_overdue(complaints):
    case_id = uuid.uuid4()
    seizure = await publish_seizure(case_id, date(2026, 10, 12))
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        async def known() -> bool:
            return (await c.get(f"/decisions/{seizure}", headers=auth("officer"))).status_code == 200
        await wait_until(known, timeout=300, what="the seizure learned from intake's topic")
        r = await c.post("/complaints", json={"decision_event_id": str(seizure), "received_on": "2026-10-20",
                                              "content": "Kê biên máy xúc không đúng"}, headers=auth("clerk"))
        assert r.status_code == 201, r.text
        kid = r.json()["complaint_id"]

        async def missed() -> list:
            return [json.loads(m.value) for m in await read_topic(COMPLAINTS_COMPLAINT, key=str(case_id).encode())
                    if json.loads(m.value)["event_type"] == "complaints.DeadlineMissed.v1"]
        found = await wait_until(missed, timeout=60, what="DeadlineMissed published")
        await asyncio.sleep(1.5)                       # several more sweeps
        found = await missed()
        assert len(found) == 1 and found[0]["payload"]["step"] == "acceptance"
        assert found[0]["payload"]["due_on"] == "2026-10-27" and found[0]["unit"] == UNIT
        state = (await c.get(f"/complaints/{kid}", headers=auth("officer"))).json()
        assert state["missed"] == [{"step": "acceptance", "due_on": "2026-10-27"}]
        overdue = (await c.get("/overdue", headers=auth("head", "TH"))).json()["items"]
        assert kid in {x["complaint_id"] for x in overdue}, "the deciding office sees it overdue"
        assert kid not in {x["complaint_id"] for x in (await c.get("/overdue", headers=auth("head", "HN"))).json()["items"]}
