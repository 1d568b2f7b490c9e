"""Issue 14, done when: a citizen files online → the clerk sends it back within the working day → the
citizen corrects it → the clerk accepts → intake opens the case on the ONLINE channel (from
online.FilingAccepted, exactly once, though the acceptance is delivered twice) → the head issues the
decision in intake → the citizen sees "decision issued" on their filing, and another citizen sees
nothing of it. Both services run as processes on the real broker and database."""
from __future__ import annotations

import base64
import secrets

import httpx
import pytest

from thads_contracts.registry import decode
from thads_contracts.topics import INTAKE_CASE, ONLINE_FILING
from thads_infra.testing import pg_connect, publish, read_topic, wait_until

pytestmark = pytest.mark.integration
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def person() -> str:
    return f"{secrets.randbelow(10**12):012d}"


async def post(c: httpx.AsyncClient, path: str, body: dict, headers: dict, expect: int = 200) -> dict:
    r = await c.post(path, json=body, headers=headers)
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


def filing(with_copy: bool) -> dict:
    return {
        "requester": {"role": "creditor", "full_name": "Trần Thị Mai", "phone": "0987654321"},
        "judgment": {"issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa", "judgment_number": "7/2025/HNGĐ-ST",
                     "judgment_effective_on": "2025-06-10"},
        "claims": [{"kind": "maintenance", "amount_vnd": 36_000_000, "description": "Tiền cấp dưỡng nuôi con"}],
        "debtor": {"full_name": "Lê Văn Hùng", "address": "phường Hạc Thành, Thanh Hóa"},
        "attachments": [{"kind": "judgment_copy", "filename": "ban-an.pdf", "content_type": "application/pdf",
                         "content_base64": base64.b64encode(PDF).decode()}] if with_copy else [],
    }


async def test_file_send_back_correct_accept_case_opens_online_and_only_the_filer_sees_the_decision(
        processes, token):
    intake = processes("intake")
    online = processes("online")
    mai, other = person(), person()
    citizen = token("citizen", None, sub=mai)
    stranger = token("citizen", None, sub=other)
    clerk, head = token("clerk", "TH-KV01", sub="tk-01"), token("head", "TH-KV01", sub="tt-01")
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as o, \
            httpx.AsyncClient(base_url=intake.url, timeout=30) as i:
        filed = await post(o, "/filings", filing(with_copy=False), citizen, expect=201)
        code = filed["tracking_code"]
        assert filed["unit"] == "TH-KV01" and filed["status"] == "submitted"
        back = await post(o, f"/filings/{code}/send-back", {"missing": ["judgment_copy"],
                                                            "note": "Đề nghị bổ sung bản sao bản án"}, clerk)
        assert back["status"] == "sent_back"
        corrected = await post(o, f"/filings/{code}/correction", filing(with_copy=True), citizen)
        assert corrected["tracking_code"] == code and corrected["status"] == "submitted"
        accepted = await post(o, f"/filings/{code}/acceptance", {}, clerk)
        case_id = accepted["case_id"]

        async def opened():
            r = await i.get(f"/cases/{case_id}", headers=clerk)
            return r.json() if r.status_code == 200 else None
        case = await wait_until(opened, what="intake opened the case from the accepted filing")
        assert case["intake_ref"] == code and case["origin"] == "request", case

        async def published_opening():
            return [e for e in (decode(INTAKE_CASE, r.value) for r in await read_topic(INTAKE_CASE, key=case_id.encode()))
                    if e.event_type == "intake.CaseOpened.v2"]
        opening = await wait_until(published_opening, what="intake published the opening")
        assert [e.payload.channel.value for e in opening] == ["online"]

        # the acceptance delivered again (a relay re-publishing after a crash): still one case
        again = [r for r in await read_topic(ONLINE_FILING, key=filed["filing_id"].encode())
                 if decode(ONLINE_FILING, r.value).event_type == "online.FilingAccepted.v1"
                 and decode(ONLINE_FILING, r.value).payload.tracking_code == code]
        assert len(again) == 1
        await publish(ONLINE_FILING, [(again[0].key, again[0].value)])

        await post(i, f"/cases/{case_id}/decision", {"decision_no": f"{secrets.randbelow(999)}/QĐ-THADS",
                                                     "basis": "on_request"}, head)

        async def decision_seen():
            r = await o.get(f"/filings/{code}", headers=citizen)
            kinds = [m["kind"] for m in r.json()["milestones"]]
            return r.json() if "decision_issued" in kinds else None
        seen = await wait_until(decision_seen, what="the citizen sees the decision issued")
        assert seen["milestones"][0]["label"].startswith("Đã ra quyết định thi hành án số")
        assert [h["step"] for h in seen["history"]] == ["Submitted", "SentBack", "Corrected", "Accepted"]

        # another citizen sees nothing of it: neither the filing nor the case
        assert (await o.get(f"/filings/{code}", headers=stranger)).status_code == 404
        assert (await o.get("/filings/mine", headers=stranger)).json() == []
        assert (await i.get(f"/cases/{case_id}", headers=stranger)).status_code == 403
        assert (await i.get(f"/cases/{case_id}", headers=citizen)).status_code == 403

    conn = await pg_connect()
    try:
        opened_events = await conn.fetchval(
            "SELECT count(*) FROM intake.intake_events WHERE originator_id = $1 AND originator_version = 1", 
            __import__("uuid").UUID(case_id))
    finally:
        await conn.close()
    assert opened_events == 1
