"""The online filing API on the real database and broker: filing (tracking code, filing date, office
suggestion, attachments checked by content and stored with their hash, personal data in its own table
and never in the events), the citizen's scoping (another person's code → 404, their list is their own),
bad input changing nothing, the rate limit (429 + Retry-After), and the office's answers (send back →
correct keeps the code and history → accept), the overdue list, the notices outbox sent once."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets

import httpx
import pytest

from thads_infra.testing import pg_connect, read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17


def person() -> str:
    """A fresh 12-digit id number (the database outlives a test run; the rate limit counts per person)."""
    return f"{secrets.randbelow(10**12):012d}"


ALICE, BOB = person(), person()


def citizen(sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token('citizen', None, sub=sub)}"}


def staff(role: str = "clerk", unit: str = "TH-KV01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=f'{role}-1')}"}


def filing(**over) -> dict:
    body = {
        "requester": {"role": "creditor", "full_name": "Nguyễn Thị Lan", "address": "12 Lê Lợi, phường Hạc Thành",
                      "email": "lan@example.vn", "phone": "0912345678"},
        "judgment": {"issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa", "judgment_number": "45/2025/DS-ST",
                     "judgment_effective_on": "2025-09-01"},
        "claims": [{"kind": "wages", "amount_vnd": 48_000_000, "description": "Tiền lương còn nợ"}],
        "debtor": {"full_name": "Công ty TNHH Minh Phát", "address": "Khu công nghiệp Bỉm Sơn, Thanh Hóa",
                   "assets_and_income": "Tài khoản tại ngân hàng; xe tải 36C-123.45"},
        "attachments": [{"kind": "judgment_copy", "filename": "ban-an.pdf", "content_type": "application/pdf",
                         "content_base64": base64.b64encode(PDF).decode()}],
    }
    return body | over


@pytest.fixture(scope="module")
def online(tmp_path_factory):
    svc = service_process("online", tmp_path_factory.mktemp("online"), filings_per_hour=3,
                          notices_poll_seconds=0.2).start()
    yield svc
    svc.stop()


async def test_file_read_scoping_and_personal_data_kept_out_of_events(online):
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        r = await c.post("/filings", json=filing(), headers=citizen(ALICE))
        assert r.status_code == 201, r.text
        out = r.json()
        code = out["tracking_code"]
        assert code.startswith("TD-") and out["status"] == "submitted"
        assert out["unit"] == "TH-KV02" and out["suggested_unit"] == "TH-KV02" and out["suggestion_basis"] == "debtor_address"

        mine = (await c.get(f"/filings/{code}", headers=citizen(ALICE))).json()
        assert mine["details"]["attachments"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
        assert "Nguyễn Thị Lan" not in json.dumps(mine, ensure_ascii=False)
        # another person's code is indistinguishable from a code that does not exist
        other = await c.get(f"/filings/{code}", headers=citizen(BOB))
        none = await c.get("/filings/TD-0000000000", headers=citizen(BOB))
        assert other.status_code == none.status_code == 404 and other.json()["rule"] == none.json()["rule"]
        assert code not in json.dumps((await c.get("/filings/mine", headers=citizen(BOB))).json())
        assert [f["tracking_code"] for f in (await c.get("/filings/mine", headers=citizen(ALICE))).json()] == [code]
        # staff: their office's filings only (the kit's scoping), a citizen has no inbox
        assert (await c.get(f"/filings/{code}", headers=staff(unit="TH-KV02"))).status_code == 200
        assert (await c.get(f"/filings/{code}", headers=staff(unit="TH-KV01"))).status_code == 403
        assert (await c.get("/inbox", headers=citizen(ALICE))).status_code == 403
        assert code in [f["tracking_code"] for f in (await c.get("/inbox", headers=staff(unit="TH-KV02"))).json()]

    conn = await pg_connect()
    try:
        events = await conn.fetch("SELECT e.state FROM online.online_events e JOIN online.filings f"
                                  " ON e.originator_id = f.filing_id WHERE f.tracking_code = $1", code)
        assert len(events) == 1
        stored = b"".join(bytes(e["state"]) for e in events)
        for secret in ("Nguyễn Thị Lan", ALICE, "lan@example.vn", "0912345678", "Minh Phát", "36C-123.45"):
            assert secret.encode() not in stored, secret
        row = await conn.fetchrow("SELECT owner_sub, requester FROM online.filing_personal_data p"
                                  " JOIN online.filings f USING (filing_id) WHERE f.tracking_code = $1", code)
        assert row["owner_sub"] == ALICE and "Nguyễn Thị Lan" in row["requester"]
        att = await conn.fetchrow("SELECT a.sha256, a.content FROM online.filing_attachments a"
                                  " JOIN online.filings f USING (filing_id) WHERE f.tracking_code = $1", code)
        assert bytes(att["content"]) == PDF and att["sha256"] == hashlib.sha256(PDF).hexdigest()
    finally:
        await conn.close()
    published = [json.loads(r.value) for r in await read_topic("thads.online.filing")]
    received = [m for m in published if m["payload"].get("tracking_code") == code]
    assert [m["event_type"] for m in received] == ["online.FilingReceived.v1"]
    assert ALICE not in json.dumps(received) and "Lan" not in json.dumps(received, ensure_ascii=False)


async def _count(table: str) -> int:
    conn = await pg_connect()
    try:
        return await conn.fetchval(f"SELECT count(*) FROM online.{table}")
    finally:
        await conn.close()


@pytest.mark.parametrize("change, rule, status", [
    ({"attachments": [{"kind": "judgment_copy", "filename": "ban-an.pdf", "content_type": "application/pdf",
                       "content_base64": base64.b64encode(b"MZ\x90\x00 not a pdf").decode()}]}, "filing.attachment", 409),
    ({"attachments": [{"kind": "judgment_copy", "filename": "anh.pdf", "content_type": "application/pdf",
                       "content_base64": base64.b64encode(PNG).decode()}]}, "filing.attachment", 409),
    ({"attachments": [{"kind": "other", "filename": f"{n}.pdf", "content_type": "application/pdf",
                       "content_base64": base64.b64encode(PDF).decode()} for n in range(6)]}, None, 422),
    ({"judgment": {"issuing_court": "TAND", "judgment_number": "1/2026", "judgment_effective_on": "2099-01-01"}},
     "filing.judgment_effective_not_in_future", 409),
    ({"claims": [], "act": None}, "filing.invalid", 409),
    ({"requester": {"role": "creditor"}}, None, 422),
    ({"debtor": {"full_name": "Ông B", "address": "Nơi nào đó"}}, "filing.office_required", 409),
])
async def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_written(online, change, rule, status):
    before = (await _count("filing_personal_data"), await _count("filings"), await _count("online_events"))
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        r = await c.post("/filings", json=filing(**change), headers=citizen(person()))
    assert r.status_code == status, r.text
    assert r.json()["message"]
    if rule:
        assert r.json()["rule"] == rule, r.text
    assert (await _count("filing_personal_data"), await _count("filings"), await _count("online_events")) == before


async def test_too_large_attachment_is_refused(online):
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    body = filing(attachments=[{"kind": "judgment_copy", "filename": "lon.pdf", "content_type": "application/pdf",
                                "content_base64": base64.b64encode(big).decode()}])
    async with httpx.AsyncClient(base_url=online.url, timeout=60) as c:
        r = await c.post("/filings", json=body, headers=citizen(person()))
    assert r.status_code == 409 and r.json()["rule"] == "filing.attachment" and "10 MB" in r.json()["message"]


async def test_more_filings_per_hour_than_allowed_answer_429_with_retry_after(online):
    who = citizen(person())
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        for _ in range(3):
            assert (await c.post("/filings", json=filing(), headers=who)).status_code == 201
        before = await _count("filings")
        r = await c.post("/filings", json=filing(), headers=who)
        assert r.status_code == 429, r.text
        assert 1 <= int(r.headers["Retry-After"]) <= 3600 and r.json()["rule"] == "filing.per_person_per_hour"
        assert await _count("filings") == before
        # another person is not limited by this one's filings
        assert (await c.post("/filings", json=filing(), headers=citizen(person()))).status_code == 201


async def test_send_back_correct_accept_keeps_the_code_and_history_and_sends_each_notice_once(online):
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        code = (await c.post("/filings", json=filing(attachments=[]), headers=citizen(ALICE))).json()["tracking_code"]
        clerk = staff(unit="TH-KV02")
        # the citizen cannot answer, another office's clerk cannot either, and a correction needs a send-back
        assert (await c.post(f"/filings/{code}/acceptance", json={}, headers=citizen(ALICE))).status_code == 403
        assert (await c.post(f"/filings/{code}/acceptance", json={}, headers=staff(unit="TH-KV01"))).status_code == 403
        assert (await c.post(f"/filings/{code}/correction", json=filing(), headers=citizen(ALICE))).status_code == 409
        r = await c.post(f"/filings/{code}/send-back", json={"missing": ["judgment_copy"], "note": "Thiếu bản án"},
                         headers=clerk)
        assert r.status_code == 200 and r.json()["status"] == "sent_back", r.text
        seen = (await c.get(f"/filings/{code}", headers=citizen(ALICE))).json()
        assert seen["missing"] == ["judgment_copy"] and seen["status_label"]
        # Bob cannot correct Alice's filing: 404
        assert (await c.post(f"/filings/{code}/correction", json=filing(), headers=citizen(BOB))).status_code == 404
        r = await c.post(f"/filings/{code}/correction", json=filing(), headers=citizen(ALICE))
        assert r.status_code == 200 and r.json()["tracking_code"] == code and r.json()["status"] == "submitted"
        r = await c.post(f"/filings/{code}/acceptance", json={}, headers=clerk)
        assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["case_id"], r.text
        assert (await c.post(f"/filings/{code}/refusal", json={"ground": "not_competent"},
                             headers=clerk)).status_code == 409
        final = (await c.get(f"/filings/{code}", headers=citizen(ALICE))).json()
        assert [h["step"] for h in final["history"]] == ["Submitted", "SentBack", "Corrected", "Accepted"]
        assert len(final["details"]["attachments"]) == 1

    async def all_sent():
        conn = await pg_connect()
        try:
            return await conn.fetch("SELECT n.step, n.sent_at, n.sent_via FROM online.notices n JOIN online.filings f"
                                    " USING (filing_id) WHERE f.tracking_code = $1 ORDER BY n.created_at", code)
        finally:
            await conn.close()
    rows = await wait_until(lambda: _sent(all_sent), what="notices sent")
    assert [r["step"] for r in rows] == ["Submitted", "SentBack", "Corrected", "Accepted"]
    assert all(r["sent_via"] == "email,sms" for r in rows)
    # sent once: each notice's row is marked once, and no process logs it more than once per channel
    # (another process of the service on the same schema may be the one that sent it)
    lines = [json.loads(line) for line in online.log_file.read_text().splitlines() if line.startswith("{")]
    sent_back = [x["message"] for x in lines if x.get("step") == "SentBack" and code in x.get("text_vi", "")]
    assert sorted(sent_back) in ([], ["notice by SMS (development sender)", "notice by e-mail (development sender)"])


async def _sent(fetch):
    rows = await fetch()
    return rows if rows and all(r["sent_at"] is not None for r in rows) and len(rows) == 4 else None


async def test_overdue_list_shows_filings_past_their_review_day(online):
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        code = (await c.post("/filings", json=filing(unit="TH-KV03"), headers=citizen(person()))).json()
        due = code["review_due_on"]
        clerk = staff(unit="TH-KV03")
        on_due = (await c.get("/inbox/overdue", params={"on": due}, headers=clerk)).json()
        assert code["tracking_code"] not in [f["tracking_code"] for f in on_due]
        after = (await c.get("/inbox/overdue", params={"on": "2099-01-01"}, headers=clerk)).json()
        assert code["tracking_code"] in [f["tracking_code"] for f in after]
        other_office = (await c.get("/inbox/overdue", params={"on": "2099-01-01"}, headers=staff(unit="TH-KV01"))).json()
        assert code["tracking_code"] not in [f["tracking_code"] for f in other_office]


async def test_counts_per_office_and_period(online):
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        head = staff("head", "HN-KV02")
        today = (await c.post("/filings", json=filing(unit="HN-KV02"), headers=citizen(person()))).json()
        day = today["filed_at"][:10]
        before = {x["unit"]: x for x in (await c.get("/counts", params={"from": day, "to": day}, headers=head)).json()}
        code = (await c.post("/filings", json=filing(unit="HN-KV02"), headers=citizen(person()))).json()["tracking_code"]
        await c.post(f"/filings/{code}/refusal", json={"ground": "not_competent"}, headers=head)
        after = {x["unit"]: x for x in (await c.get("/counts", params={"from": day, "to": day}, headers=head)).json()}
        assert after["HN-KV02"]["received"] == before["HN-KV02"]["received"] + 1
        assert after["HN-KV02"]["refused"] == before["HN-KV02"]["refused"] + 1
        assert set(after) == {"HN-KV02"}      # the head's own office only
        assert (await c.get("/counts", params={"from": day, "to": day, "unit": "TH-KV01"},
                            headers=head)).status_code == 403
        assert (await c.get("/counts", params={"from": "2000-01-01", "to": "2000-01-02"}, headers=head)).json() == []


async def test_staff_read_personal_data_and_attachments_and_every_read_and_refusal_is_logged(online):
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        who = person()
        code = (await c.post("/filings", json=filing(unit="TH-KV03"), headers=citizen(who))).json()["tracking_code"]
        clerk = staff(unit="TH-KV03")
        r = await c.get(f"/filings/{code}/personal-data", headers=clerk)
        assert r.status_code == 200 and r.json()["requester"]["full_name"] == "Nguyễn Thị Lan", r.text
        sha = r.json()["attachments"][0]["sha256"]
        got = await c.get(f"/filings/{code}/attachments/{sha}", headers=clerk)
        assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
        assert (await c.get(f"/filings/{code}/personal-data", headers=staff(unit="TH-KV01"))).status_code == 403
        assert (await c.get(f"/filings/{code}/personal-data", headers=citizen(who))).status_code == 403
        assert (await c.get(f"/filings/{code}", headers=citizen(person()))).status_code == 404
    conn = await pg_connect()
    try:
        rows = await conn.fetch("SELECT actor_id, actor_role, action, resource, resource_id, status"
                                " FROM online.access_log WHERE resource_id LIKE $1 ORDER BY sequence", f"{code}%")
    finally:
        await conn.close()
    seen = [(r["actor_role"], r["action"], r["resource"], r["status"]) for r in rows]
    assert seen == [("clerk", "read", "personal_data", 200), ("clerk", "read", "personal_data", 200),
                    ("clerk", "refused", "personal_data", 403), ("citizen", "refused", "filing", 404)]
    assert all(who not in r["actor_id"] for r in rows) and rows[-1]["actor_id"].startswith("citizen-")


async def test_erasure_removes_personal_data_and_files_but_keeps_the_filing(online):
    async with httpx.AsyncClient(base_url=online.url, timeout=30) as c:
        who = person()
        code = (await c.post("/filings", json=filing(unit="TH-KV03"), headers=citizen(who))).json()["tracking_code"]
        assert (await c.delete(f"/filings/{code}/personal-data", headers=staff("head", "TH-KV01"))).status_code == 403
        assert (await c.delete(f"/filings/{code}/personal-data", headers=staff("clerk", "TH-KV03"))).status_code == 403
        r = await c.delete(f"/filings/{code}/personal-data", headers=staff("head", "TH-KV03"))
        assert r.status_code == 200 and r.json()["personal_data_was_held"] is True, r.text
        data = (await c.get(f"/filings/{code}/personal-data", headers=staff("clerk", "TH-KV03"))).json()
        assert data["requester"] is None and data["debtor"] is None and data["erased"] is True
        assert data["attachments"][0]["kept"] is False and data["attachments"][0]["filename"] is None
        assert (await c.get(f"/filings/{code}", headers=staff("clerk", "TH-KV03"))).json()["status"] == "submitted"
        assert (await c.get("/filings/mine", headers=citizen(who))).json() == []
