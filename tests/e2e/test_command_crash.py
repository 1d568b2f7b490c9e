"""A service process SIGKILLed after a command committed and before it answered (test-only fault
`INTAKE_FAULT=command_kill_after_commit`): the client, who never got an answer, retries with the same
Idempotency-Key against the restarted service and gets the original answer; nothing is doubled and
the personal data written with the command is there. Real processes, real PostgreSQL, over HTTP."""
from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.integration


def request_body() -> dict:
    return {"unit": "TH-01", "intake_ref": f"REQ-{uuid.uuid4().hex[:12]}", "channel": "online",
            "judgment_number": "12/2025/DS-ST", "issuing_court": "TAND khu vực 1 - Thanh Hóa"}


async def killed_before_answering(svc, path: str, body: dict, headers: dict) -> None:
    async with httpx.AsyncClient(base_url=svc.url, timeout=30) as client:
        with pytest.raises(httpx.TransportError):
            await client.post(path, json=body, headers=headers)
    assert svc.wait_exit(timeout=30) == -9, "SIGKILLed by the fault hook, after the commit"


async def test_a_command_committed_by_a_process_killed_before_answering_is_answered_on_retry_not_doubled(
        processes, token):
    key_open, key_party = f"mo-{uuid.uuid4()}", f"ds-{uuid.uuid4()}"
    body = request_body()
    debtor = {"party_id": str(uuid.uuid4()), "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình",
              "address": "12 Lê Lợi, TP Thanh Hóa", "id_number": "038090001234"}

    # open_case: committed, process killed, client retries with its key
    await killed_before_answering(processes("intake", roles="api", fault="command_kill_after_commit"),
                                  "/cases/requests", body, token("clerk") | {"Idempotency-Key": key_open})
    intake = processes("intake", roles="api")
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        r = await client.post("/cases/requests", json=body, headers=token("clerk") | {"Idempotency-Key": key_open})
        assert r.status_code == 201, r.text
        assert r.headers["idempotent-replayed"] == "true", "the committed command was not run again"
        case_id = r.json()["case_id"]
        assert r.json()["version"] == 1
    intake.stop()

    # add_party with personal data: committed with its event, process killed, client retries
    await killed_before_answering(processes("intake", roles="api", fault="command_kill_after_commit"),
                                  f"/cases/{case_id}/parties", debtor,
                                  token("clerk") | {"Idempotency-Key": key_party})
    intake = processes("intake", roles="api")
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        r = await client.post(f"/cases/{case_id}/parties", json=debtor,
                              headers=token("clerk") | {"Idempotency-Key": key_party})
        assert r.status_code == 200, r.text
        assert r.headers["idempotent-replayed"] == "true"
        assert r.json()["version"] == 2
        events = (await client.get(f"/cases/{case_id}/events", headers=token("head"))).json()["events"]
        parties = (await client.get(f"/cases/{case_id}/parties", headers=token("head"))).json()["parties"]

    assert [e["event"] for e in events] == ["RequestReceived", "PartyAdded"], "each command applied once"
    assert [(p["party_id"], p["full_name"], p["id_number"]) for p in parties] == [
        (debtor["party_id"], "Lê Văn Bình", "038090001234")], "the personal data committed with the event"
