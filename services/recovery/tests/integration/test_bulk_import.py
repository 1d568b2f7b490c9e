"""Recovery's bulk import (`POST /import`, thads_kit.bulk_import) on the real broker and database: the
bad-debt files open from intake's events (published here as intake would); a file of lines on two of
them (a collateral registered, then linked to its seized asset by a later line) is answered line by
line in order and recorded with each line's business time; the same file again changes nothing (same
answers, no new event); bad lines get their 4xx and stop the later lines of their file only; a head
imports into his own office only, and only a head imports."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.registry import encode
from thads_contracts.topics import INTAKE_CASE
from thads_infra.testing import pg_connect, publish, service_process, wait_until
from thads_infra.testing import send_import as send
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
AT = datetime(2017, 12, 1, 9, tzinfo=VN)
UNIT = "TH-01"


def auth(role: str, unit: str = UNIT, sub: str = "tt-01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub)}"}


def at(day: str) -> str:
    return f"{day}T09:00:00+07:00"


@pytest.fixture
def recovery(tmp_path):
    svc = service_process("recovery", tmp_path).start()
    yield svc
    svc.stop()


async def open_files(c: httpx.AsyncClient, n: int) -> list[tuple[str, str]]:
    """n bad-debt files of VCB (one per case, each with one secured credit claim): [(file id, claim item)]."""
    # positions above every message published before (see test_recovery_api), distinct across the cases
    # (a consumer skips a position it has passed on the partition)
    first = time.time_ns() // 1000
    cases = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(n)]
    messages = []
    for k, (case, party, item) in enumerate(cases):
        for version, model, payload in (
                (2, i.PartyAdded, {"party_id": party, "role": "creditor", "kind": "organisation", "bank_code": "VCB"}),
                (3, i.ClaimItemAdded, {"claim_item_id": item, "kind": "credit_debt", "amount_vnd": 100_000_000,
                                       "creditor_party_id": party, "secured": True, "ex_officio": False})):
            env = model.create(payload=payload, source="intake", aggregate_id=case, aggregate_version=version,
                               case_id=case, unit=UNIT, actor=Actor(id="clerk-1", role="clerk"), occurred_at=AT,
                               recorded_at=AT, source_position=first + 10 * k + version)
            messages.append((str(case).encode(), encode(env)))
    await publish(INTAKE_CASE, messages)
    vcb = {"Authorization": f"Bearer {issue_token('bank', UNIT, bank='VCB', sub='vcb-import')}"}
    out = []
    for case, _, item in cases:
        async def opened(case=case):
            r = await c.get(f"/banks/VCB/cases/{case}", headers=vcb)
            return r.json() if r.status_code == 200 and r.json()["claims"] else None
        out.append(((await wait_until(opened, timeout=120, what="the file opened"))["file_id"], str(item)))
    return out


async def stored(ids: list[str]) -> list[tuple[str, str]]:
    """(event topic, its business time `at`) of the files' stored events, in order."""
    conn = await pg_connect()
    try:
        rows = await conn.fetch("SELECT originator_id, topic, state FROM recovery.recovery_events"
                                " WHERE originator_id = ANY($1::uuid[]) ORDER BY originator_id, originator_version", ids)
    finally:
        await conn.close()
    return [(r["topic"].rpartition(".")[2], _at(bytes(r["state"]))) for r in rows]


def _at(state: bytes) -> str:
    data = json.loads(state)
    value = data.get("at")
    return value.get("_data_", value) if isinstance(value, dict) else str(value)


def line(tag: str, file: str, n: int, path: str, body: dict, day: str, role: str = "officer") -> dict:
    return {"command_id": f"{tag}/{file[:8]}/{n}", "path": f"/files/{{file}}/{path}", "file": file, "role": role,
            "actor": "tt-01" if role == "head" else "cv-01", "body": body | {"occurred_at": at(day)}}


def collateral(cid: str, item: str) -> dict:
    return {"collateral_id": cid, "description": "Quyền sử dụng đất thửa 12", "kind": "real_estate",
            "value_vnd": 80_000_000, "claim_item_ids": [item], "reported_on": "2018-01-05"}


async def test_a_file_of_lines_is_answered_in_order_recorded_with_its_business_time_and_resent_changes_nothing(
        recovery):
    tag = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(base_url=recovery.url, timeout=120) as c:
        (f1, item1), (f2, _) = await open_files(c, 2)
        before = await stored([f1, f2])
        coll, asset = str(uuid.uuid4()), str(uuid.uuid4())
        lines = [
            line(tag, f1, 1, "team", {"team": "Tổ xử lý nợ xấu số 1"}, "2018-01-03", role="head"),
            line(tag, f2, 1, "information-requests", {"request_id": str(uuid.uuid4()), "subject": "Số dư tài khoản",
                                                      "requested_on": "2018-01-04"}, "2018-01-04"),
            line(tag, f1, 2, "collaterals", collateral(coll, item1), "2018-01-05"),
            line(tag, f1, 3, f"collaterals/{coll}/seized-asset", {"asset_id": asset}, "2018-02-01"),
        ]
        head = auth("head")
        answers = await send(c, lines, head)
        assert [a["line"] for a in answers] == [1, 2, 3, 4]
        assert [a["status"] for a in answers] == [200] * 4, answers
        assert [a["file_id"] for a in answers] == [f1, f2, f1, f1]
        state = (await c.get(f"/files/{f1}", headers=head)).json()
        assert state["collaterals"][coll]["asset_id"] == asset

        # the business time is each event's `at` (the envelope's occurred_at); the recording time is now
        after = await stored([f1, f2])
        added = [e for e in after if e not in before]
        assert sorted(added) == sorted([("TeamAssigned", at("2018-01-03")), ("InformationRequested", at("2018-01-04")),
                                        ("CollateralRegistered", at("2018-01-05")),
                                        ("SeizedAssetLinked", at("2018-02-01"))]), added

        # the same file again: the same answers, no new event
        assert await send(c, lines, head) == answers
        assert await stored([f1, f2]) == after


async def test_bad_lines_stop_their_file_only_and_only_a_head_imports_into_his_office(recovery):
    tag = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(base_url=recovery.url, timeout=120) as c:
        (f1, item1), (f2, item2), (f3, _) = await open_files(c, 3)
        before = await stored([f1, f2, f3])
        no_time = line(tag, f3, 1, "team", {"team": "Tổ 3"}, "2018-01-03", role="head")
        del no_time["body"]["occurred_at"]
        lines = [
            "{not json",
            line(tag, f1, 1, f"collaterals/{uuid.uuid4()}/seized-asset", {"asset_id": str(uuid.uuid4())},
                 "2018-01-03"),                                                              # refused: no such collateral
            line(tag, f1, 2, "team", {"team": "Tổ 1"}, "2018-01-04", role="head"),          # 424
            line(tag, f2, 1, "team", {"team": "Tổ 2"}, "2018-01-03", role="head"),          # unaffected
            no_time,                                                                        # 422 occurred_at
            line(tag, f3, 2, "collaterals", collateral(str(uuid.uuid4()), item2), "2018-01-05"),   # 424
            line(tag, f2, 2, "bank-repayments", {}, "2018-01-05"),                          # 422 not an importable path
            line(tag, "nowhere", 1, "team", {"team": "Tổ 4"}, "2018-01-03", role="head"),   # 422 no such file in the file
        ]
        answers = await send(c, lines, auth("head"))
        assert [a["status"] for a in answers] == [400, 409, 424, 200, 422, 424, 422, 422], answers
        rules = [a["body"].get("rule") for a in answers]
        assert rules[0] == "import.line_shape" and rules[1] == "collateral.unknown"
        assert rules[2] == rules[5] == "import.earlier_line_failed"
        assert rules[4] == "import.occurred_at" and rules[6] == "import.path" and rules[7] == "import.unknown_case_ref"
        after = await stored([f1, f2, f3])
        assert [e for e in after if e not in before] == [("TeamAssigned", at("2018-01-03"))]    # f2's team only

        # a head of another office: every line is refused by the office binding, nothing written
        other = await send(c, [line(tag, f1, 9, "team", {"team": "Tổ 9"}, "2018-01-09", role="head"),
                               line(tag, f3, 9, "collaterals", collateral(str(uuid.uuid4()), item1), "2018-01-09")],
                           auth("head", "TH-02", "tt-02"))
        assert [(a["status"], a["body"]["rule"]) for a in other] == [(403, "bad_debt_file.other_office")] * 2, other
        # only a head posts a file
        for role in ("officer", "clerk", "admin"):
            r = await c.post("/import", content=json.dumps(line(tag, f1, 10, "team", {"team": "Tổ"}, "2018-01-09",
                                                                role="head")), headers=auth(role))
            assert (r.status_code, r.json()["rule"]) == (403, "auth.role"), role
        bank = {"Authorization": f"Bearer {issue_token('bank', UNIT, bank='VCB', sub='vcb-import')}"}
        assert (await c.post("/import", content=b"{}", headers=bank)).status_code == 403
        assert await stored([f1, f2, f3]) == after


async def test_a_banks_enforcement_request_keeps_its_business_time(recovery):
    """Every command route takes an optional occurred_at (imported history): the bank's request too."""
    from thads_contracts.topics import RECOVERY_DEBT
    from thads_infra.testing import read_topic

    bank = {"Authorization": f"Bearer {issue_token('bank', UNIT, bank='VCB', sub='vcb-import')}"}
    body = {"request_id": str(uuid.uuid4()), "unit": UNIT, "judgment_number": "12/2017/KDTM-ST",
            "issuing_court": "Tòa án nhân dân tỉnh Thanh Hóa", "judgment_effective_on": "2017-11-20",
            "filed_on": "2017-12-04", "claims": [{"claim_item_id": str(uuid.uuid4()), "amount_vnd": 500_000_000}],
            "debtor": {"kind": "organisation", "full_name": "Công ty TNHH Thử"}, "occurred_at": at("2017-12-04")}
    async with httpx.AsyncClient(base_url=recovery.url, timeout=60) as c:
        r = await c.post("/banks/VCB/enforcement-requests", json=body, headers=bank)
        assert r.status_code == 200, r.text
        case_id = r.json()["case_id"]

    async def published() -> list:
        return [json.loads(m.value) for m in await read_topic(RECOVERY_DEBT, key=case_id.encode())]
    found = await wait_until(published, timeout=120, what="EnforcementRequested published")
    assert [(e["event_type"], e["occurred_at"]) for e in found] == [("recovery.EnforcementRequested.v1",
                                                                    at("2017-12-04"))]
