"""A complainant erased by intake reads "[erased]" in every complaints view (issue 11 §4), on the real
broker and database: intake refuses a 2019 request (a decision one may complain about), the debtor
complains, then intake erases the debtor's personal data (the case is closed and past retention);
complaints consumes intake.PersonalDataErased.v1 from thads.intake.case, records it in its own store
with the consumer's position, and the complaint (single read and lists) shows the complainant as
"[erased]". The complaint's status is unchanged and `thads verify` still passes on complaints' store."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from thads_contracts.topics import INTAKE_CASE
from thads_infra.cli import app as cli
from thads_infra.testing import read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
UNIT = "TH-KV08"
OLD = "2019-03-04T09:00:00+07:00"


def auth(role: str, unit: str = UNIT) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=f'{role}-{unit}')}"}


@pytest.fixture
def services(tmp_path):
    intake = service_process("intake", tmp_path).start()
    complaints = service_process("complaints", tmp_path).start()
    yield intake, complaints
    complaints.stop()
    intake.stop()


async def test_a_complainant_erased_in_intake_reads_erased_in_complaints(services):
    intake, complaints = services
    debtor = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as i, \
            httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        r = await i.post("/cases/requests", headers=auth("clerk"), json={
            "unit": UNIT, "intake_ref": f"KN-{uuid.uuid4().hex[:12]}", "channel": "post",
            "judgment_number": "9/2019/DS-ST", "issuing_court": "TAND khu vực 8 - Thanh Hóa", "occurred_at": OLD})
        assert r.status_code == 201, r.text
        case_id = r.json()["case_id"]
        r = await i.post(f"/cases/{case_id}/parties", headers=auth("clerk"), json={
            "party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Hà Văn Khiếu",
            "occurred_at": OLD})
        assert r.status_code == 200, r.text
        r = await i.post(f"/cases/{case_id}/refusal", headers=auth("head"),
                         json={"ground": "not_competent", "occurred_at": "2019-03-07T09:00:00+07:00"})
        assert r.status_code == 200, r.text

        async def refusal_id() -> str | None:
            found = [m["event_id"] for m in (json.loads(x.value) for x in await read_topic(INTAKE_CASE, key=case_id.encode()))
                     if m["event_type"] == "intake.RequestRefused.v1"]
            return found[0] if found else None
        decision = await wait_until(refusal_id, timeout=120, what="the refusal on thads.intake.case")

        async def known() -> bool:
            return (await c.get(f"/decisions/{decision}", headers=auth("head"))).status_code == 200
        await wait_until(known, timeout=300, what="complaints learns the refusal (after the backlog of the topic)")
        r = await c.post("/complaints", headers=auth("clerk"), json={
            "decision_event_id": decision, "received_on": "2019-03-12", "complainant_party_id": debtor,
            "content": "Khiếu nại quyết định từ chối nhận yêu cầu"})
        assert r.status_code == 201, r.text
        complaint_id = r.json()["complaint_id"]
        before = (await c.get(f"/complaints/{complaint_id}", headers=auth("procuracy", "TH"))).json()

        r = await i.post(f"/cases/{case_id}/personal-data-erasures", headers=auth("head"), json={
            "party_id": debtor, "ground": "consent_withdrawn", "requested_by": "data_subject",
            "request_ref": "21/ĐN-2026"})
        assert r.status_code == 200, r.text

        async def erased() -> dict | None:
            got = (await c.get(f"/complaints/{complaint_id}", headers=auth("procuracy", "TH"))).json()
            return got if got["complainant_party_id"] == "[erased]" else None
        after = await wait_until(erased, timeout=300, what="the complainant erased in complaints")
        listed = (await c.get("/complaints", params={"case_id": case_id}, headers=auth("head"))).json()["items"]

    assert before["complainant_party_id"] == debtor
    assert [x["complainant_party_id"] for x in listed] == ["[erased]"]
    assert debtor not in json.dumps(after) + json.dumps(listed)
    assert {k: v for k, v in after.items() if k != "complainant_party_id"} == \
        {k: v for k, v in before.items() if k != "complainant_party_id"}, "nothing else changes"
    result = CliRunner().invoke(cli, ["verify", "--json", "--service", "complaints"])
    assert result.exit_code == 0, result.output
