"""GET /cases/{id} and /cases/{id}/events answered from the read model (read_model.py) on the real
service process and PostgreSQL: the same bytes as the event store's answer, never an answer behind
the stream's head (read-your-writes), never a stale rendering or date, and the office and bank
scoping on the read model's path as on the store's.
A read model row is told apart from the store's answer by a marker written into it."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from thads_infra.testing import pg_connect, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
MARKER = b'{"served_from":"read model row"}'


def auth(role: str, unit: str = "RM-01", sub: str | None = None, bank: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub, bank=bank)}"}


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    svc = service_process("intake", tmp_path_factory.mktemp("read-answers")).start()
    yield svc
    svc.stop()


async def open_case(c: httpx.AsyncClient) -> tuple[str, int]:
    r = await c.post("/cases/judgments", json={"unit": "RM-01", "intake_ref": f"RM-{uuid.uuid4().hex[:10]}",
                                               "judgment_number": "9/2025/KDTM-ST", "issuing_court": "TAND khu vực 2"},
                     headers=auth("clerk"))
    assert r.status_code == 201, r.text
    cid = r.json()["case_id"]
    r = await c.post(f"/cases/{cid}/parties", json={"party_id": str(uuid.uuid4()), "role": "creditor",
                                                    "kind": "credit_institution", "bank_code": "VCB",
                                                    "full_name": "Ngân hàng Ngoại thương"}, headers=auth("clerk"))
    assert r.status_code == 200, r.text
    return cid, r.json()["version"]


async def caught_up(conn, cid: str) -> bool:
    r = await conn.fetchrow(
        "SELECT (SELECT max(originator_version) FROM intake.intake_events WHERE originator_id = $1) AS head,"
        " (SELECT version FROM intake.case_read WHERE case_id = $1) AS state,"
        " (SELECT count(*) FROM intake.case_event_read WHERE case_id = $1) AS events", uuid.UUID(cid))
    return r["head"] == r["state"] == r["events"]


async def test_answers_come_from_the_read_model_byte_for_byte_and_never_behind_the_stream(intake) -> None:
    conn = await pg_connect()
    try:
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as c:
            cid, version = await open_case(c)
            key = uuid.UUID(cid)
            # read-your-writes right after the write, whether or not the index has caught up
            state = await c.get(f"/cases/{cid}", headers=auth("head"))
            events = await c.get(f"/cases/{cid}/events", headers=auth("head"))
            assert state.json()["version"] == version == 2
            assert [e["version"] for e in events.json()["events"]] == [1, 2]

            await wait_until(lambda: caught_up(conn, cid), what="read model at the head version")
            from_model = await c.get(f"/cases/{cid}", headers=auth("head"))
            from_model_events = await c.get(f"/cases/{cid}/events", headers=auth("head"))
            assert from_model.headers["content-type"] == "application/json"
            # the event store's own answer for the same moment: as_of = now (same business date)
            from_store = await c.get(f"/cases/{cid}", params={"as_of": datetime.now(VN).isoformat()},
                                     headers=auth("head"))
            assert from_model.content == from_store.content
            assert from_model_events.json() == events.json()

            # served from the row (a marker in the row comes back) ...
            await conn.execute("UPDATE intake.case_read SET body = $2 WHERE case_id = $1", key, MARKER)
            assert (await c.get(f"/cases/{cid}", headers=auth("head"))).content == MARKER
            # ... but never when the row is behind the stream's head (a write the index has not digested)
            await conn.execute("UPDATE intake.case_read SET version = version - 1 WHERE case_id = $1", key)
            behind = await c.get(f"/cases/{cid}", headers=auth("head"))
            assert behind.content == from_model.content
            # the store's answer was written back: the row is current again
            assert (await conn.fetchval("SELECT body FROM intake.case_read WHERE case_id = $1", key)) == from_model.content
            # nor when it was rendered by other code or for another business date
            for change in ("code = 'other code'", "as_of = as_of - 1"):
                await conn.execute(f"UPDATE intake.case_read SET body = $2, {change} WHERE case_id = $1", key, MARKER)
                assert (await c.get(f"/cases/{cid}", headers=auth("head"))).content == from_model.content, change

            # the history: from the rows, joined; a missing or stale entry falls back to the store
            await conn.execute("UPDATE intake.case_event_read SET entry = $2 WHERE case_id = $1 AND version = 2",
                               key, MARKER)
            marked = (await c.get(f"/cases/{cid}/events", headers=auth("head"))).json()
            assert marked["events"][1] == json.loads(MARKER)
            await conn.execute("DELETE FROM intake.case_event_read WHERE case_id = $1 AND version = 2", key)
            assert (await c.get(f"/cases/{cid}/events", headers=auth("head"))).content == from_model_events.content
            await conn.execute("UPDATE intake.case_event_read SET entry = $2, code = 'other code'"
                               " WHERE case_id = $1 AND version = 1", key, MARKER)
            assert (await c.get(f"/cases/{cid}/events", headers=auth("head"))).content == from_model_events.content
            assert await caught_up(conn, cid)

            # an unknown case is 404 on the read model's path
            for path in (f"/cases/{uuid.uuid4()}", f"/cases/{uuid.uuid4()}/events"):
                r = await c.get(path, headers=auth("head"))
                assert r.status_code == 404 and r.json()["rule"] == "case.not_found", r.text
    finally:
        await conn.close()


async def test_office_and_bank_scoping_hold_on_the_read_model_path(intake) -> None:
    conn = await pg_connect()
    try:
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as c:
            cid, _ = await open_case(c)
            await wait_until(lambda: caught_up(conn, cid), what="read model at the head version")
            for path in (f"/cases/{cid}", f"/cases/{cid}/events"):
                # the row is served to those who may read it ...
                assert (await c.get(path, headers=auth("officer"))).status_code == 200
                assert (await c.get(path, headers=auth("procuracy", unit="RM-VKS"))).status_code == 200
                # ... and refused to another office, another province's procuracy and another bank
                # (banks are not readers of these routes at all: refused by role, on either path)
                for headers in (auth("head", unit="RM-02"), auth("procuracy", unit="XX-VKS"),
                                auth("bank", unit="VCB-HO", bank="VCB")):
                    r = await c.get(path, headers=headers)
                    assert r.status_code == 403, (path, r.text)
                    assert "served_from" not in r.text
            await conn.execute("UPDATE intake.case_read SET body = $2 WHERE case_id = $1", uuid.UUID(cid), MARKER)
            assert (await c.get(f"/cases/{cid}", headers=auth("head"))).content == MARKER
            assert (await c.get(f"/cases/{cid}", headers=auth("head", unit="RM-02"))).status_code == 403
    finally:
        await conn.close()
