"""Complaints' bulk import (`POST /import`, thads_kit.bulk_import) on the real broker and database: a file
of several complaints (filed in the file and named by `bind`, one existing named by its UUID) is
answered line by line in order and recorded with each line's business time; the same file again
changes nothing (same answers, no new event); bad lines get their 4xx and stop the later lines of
their complaint only; a head imports into his own office only, and only a head imports. The decisions
complained about are SeizureOrdered events put on intake's topic here, as intake would."""
from __future__ import annotations

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
from thads_infra.testing import send_import as send, count_events
from thads_infra.tokens import issue_token
from thads_kit.relay import STORE_HEADER
from thads_kit.settings import bootstrap_servers

pytestmark = pytest.mark.integration
VN_TZ = timezone(timedelta(hours=7))
UNIT = "TH-KV05"


def auth(role: str, unit: str = UNIT, sub: str = "tt-kv05") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub)}"}


def at(day: str) -> str:
    return f"{day}T09:00:00+07:00"


async def publish_seizure(case_id: uuid.UUID, ordered_on: date) -> str:
    moment = datetime(ordered_on.year, ordered_on.month, ordered_on.day, 9, tzinfo=VN_TZ)
    env = i.SeizureOrdered.create(
        payload=i.SeizureOrderedPayload(asset_id=uuid.uuid4(), asset_kind=i.AssetKind.MOVABLE,
                                        asset_description="Máy xúc", claim_item_ids=(uuid.uuid4(),),
                                        decision_number="9/QĐ-KB", ordered_on=ordered_on),
        source="intake", aggregate_id=case_id, aggregate_version=9, case_id=case_id, unit=UNIT,
        actor=Actor(id="cv-55", role="officer", unit=UNIT), occurred_at=moment, recorded_at=moment, source_position=9)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(layout.KAFKA_BOOTSTRAP))
    await producer.start()
    try:   # a store identity of its own: this test's positions never meet another's
        await producer.send_and_wait(INTAKE_CASE, encode(env), key=str(case_id).encode(),
                                     headers=[(STORE_HEADER, f"test-{uuid.uuid4()}".encode())])
    finally:
        await producer.stop()
    return str(env.event_id)


@pytest.fixture
def complaints(tmp_path):
    svc = service_process("complaints", tmp_path).start()
    yield svc
    svc.stop()


async def known(c: httpx.AsyncClient, decision: str) -> None:
    async def check() -> bool:
        return (await c.get(f"/decisions/{decision}", headers=auth("officer"))).status_code == 200
    await wait_until(check, timeout=300, what="the seizure learned from intake's topic")


async def events_of(ids: list[str]) -> int:
    return await count_events("complaints.complaints_events", ids)


def filing(tag: str, bind: str, decision: str, day: str = "2018-03-10") -> dict:
    return {"command_id": f"{tag}/{bind}/1", "path": "/complaints", "role": "clerk", "actor": "tk-kv05", "bind": bind,
            "body": {"decision_event_id": decision, "received_on": day, "learned_on": "2018-03-05",
                     "content": "Khiếu nại quyết định kê biên", "occurred_at": at(day)}}


def step(tag: str, ref: str, n: int, path: str, body: dict, day: str, role: str = "head") -> dict:
    return {"command_id": f"{tag}/{ref[:8]}/{n}", "path": f"/complaints/{{complaint}}/{path}", "complaint": ref,
            "role": role, "actor": "tt-kv05" if role == "head" else "tk-kv05", "body": body | {"occurred_at": at(day)}}


async def test_a_file_of_complaints_is_answered_in_order_recorded_with_its_business_time_and_resent_changes_nothing(
        complaints):
    tag = uuid.uuid4().hex[:8]
    case_id = uuid.uuid4()
    decision = await publish_seizure(case_id, date(2018, 3, 1))
    async with httpx.AsyncClient(base_url=complaints.url, timeout=120) as c:
        await known(c, decision)
        r = await c.post("/complaints", headers=auth("clerk"), json={
            "decision_event_id": decision, "received_on": "2018-03-09", "content": "Khiếu nại đã có"})
        assert r.status_code == 201, r.text
        existing = r.json()["complaint_id"]
        lines = [
            filing(tag, "a", decision),
            filing(tag, "b", decision, "2018-03-11"),
            step(tag, "a", 2, "acceptance", {"accepted_on": "2018-03-12"}, "2018-03-12"),
            step(tag, existing, 1, "acceptance", {"accepted_on": "2018-03-13"}, "2018-03-13"),
            step(tag, "b", 2, "withdrawal", {"withdrawn_on": "2018-03-14"}, "2018-03-14", role="clerk"),
            step(tag, "a", 3, "decision", {"outcome": "rejected", "decision_number": "5/QĐ-GQKN",
                                           "decided_on": "2018-03-30"}, "2018-03-30"),
        ]
        head = auth("head")
        answers = await send(c, lines, head)
        assert [a["line"] for a in answers] == [1, 2, 3, 4, 5, 6]
        assert [a["status"] for a in answers] == [201, 201, 200, 200, 200, 200], answers
        a, b = answers[0]["complaint_id"], answers[1]["complaint_id"]
        assert [x["complaint_id"] for x in answers] == [a, b, a, existing, b, a]
        assert (await c.get(f"/complaints/{a}", headers=head)).json()["status"] == "first_decided"
        assert (await c.get(f"/complaints/{b}", headers=head)).json()["status"] == "withdrawn"

        # the business time is each event's occurred_at; the recording time is now
        async def published() -> list:
            found = [e for e in (json.loads(m.value) for m in await read_topic(COMPLAINTS_COMPLAINT,
                                                                               key=str(case_id).encode()))
                     if e["aggregate_id"] == a]
            return found if len(found) >= 3 else []
        found = await wait_until(published, timeout=120, what="the imported complaint's events published")
        assert [e["occurred_at"] for e in found] == [at("2018-03-10"), at("2018-03-12"), at("2018-03-30")]
        assert all(datetime.now(timezone.utc) - datetime.fromisoformat(e["recorded_at"]) < timedelta(hours=1)
                   for e in found)

        # the same file again: the same answers, no new event
        count = await events_of([a, b, existing])
        assert count == 3 + 2 + 2
        assert await send(c, lines, head) == answers
        assert await events_of([a, b, existing]) == count


async def test_bad_lines_stop_their_complaint_only_and_only_a_head_imports_into_his_office(complaints):
    tag = uuid.uuid4().hex[:8]
    decision = await publish_seizure(uuid.uuid4(), date(2018, 3, 1))
    async with httpx.AsyncClient(base_url=complaints.url, timeout=120) as c:
        await known(c, decision)
        no_time = filing(tag, "e", decision)
        del no_time["body"]["occurred_at"]
        lines = [
            "{not json",
            filing(tag, "c", decision),
            step(tag, "c", 2, "second-complaint", {"received_on": "2018-03-12", "content": "Lần hai"}, "2018-03-12",
                 role="clerk"),                                                            # refused: no decision yet
            step(tag, "c", 3, "acceptance", {"accepted_on": "2018-03-13"}, "2018-03-13"),   # 424
            filing(tag, "d", decision),
            step(tag, "d", 2, "acceptance", {"accepted_on": "2018-03-12"}, "2018-03-12"),   # unaffected
            no_time,                                                                        # 422 occurred_at
            step(tag, "e", 2, "acceptance", {"accepted_on": "2018-03-12"}, "2018-03-12"),   # 424
            {**step(tag, "f", 1, "acceptance", {"accepted_on": "2018-03-12"}, "2018-03-12"),
             "path": "/complaints/{complaint}/reopening"},                                  # 422 not an importable path
        ]
        answers = await send(c, lines, auth("head"))
        assert [x["status"] for x in answers] == [400, 201, 409, 424, 201, 200, 422, 424, 422], answers
        rules = [x["body"].get("rule") for x in answers]
        assert rules[0] == "import.line_shape" and rules[2] == "complaint.second_before_first_decision"
        assert rules[3] == rules[7] == "import.earlier_line_failed"
        assert rules[6] == "import.occurred_at" and rules[8] == "import.path"
        cid, did = answers[1]["complaint_id"], answers[4]["complaint_id"]
        assert (await c.get(f"/complaints/{cid}", headers=auth("head"))).json()["status"] == "filed"
        assert (await c.get(f"/complaints/{did}", headers=auth("head"))).json()["status"] == "accepted"
        count = await events_of([cid, did])

        # a head of another office: every line is refused by the office binding, nothing written
        other = await send(c, [step(tag, cid, 9, "acceptance", {"accepted_on": "2018-03-20"}, "2018-03-20"),
                               filing(f"{tag}x", "g", decision)], auth("head", "HN-01", "tt-hn01"))
        assert [x["status"] for x in other] == [403, 403], other
        assert all(x["body"]["rule"] != "auth.role" for x in other), other
        # only a head posts a file
        for role in ("officer", "clerk", "admin", "procuracy"):
            r = await c.post("/import", content=json.dumps(filing(f"{tag}y", "h", decision)), headers=auth(role))
            assert (r.status_code, r.json()["rule"]) == (403, "auth.role"), role
        assert await events_of([cid, did]) == count
