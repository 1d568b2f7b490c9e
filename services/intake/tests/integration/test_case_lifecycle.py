"""One case through its whole life on the real broker and database: request → decision →
verification → seizure order → auction proceeds arriving from Kafka → disbursement → completion."""
from __future__ import annotations

import json
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from thads_contracts import Actor, encode
from thads_contracts import auctions as a
from thads_contracts.topics import AUCTIONS_ASSET, INTAKE_CASE
from thads_infra.testing import pg_connect, publish, read_topic, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))


def at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN).isoformat()


def auth(role: str, sub: str | None = None, unit: str = "TH-01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub)}"}


def upstream_position(offset: int = 0) -> int:
    """A source position for a synthetic upstream message. Other tests publish on the same topics with
    time-based positions, and the consumer skips anything at or below the position it has seen for
    (source, topic, partition): a small constant would be taken for a duplicate."""
    return time.time_ns() // 1000 + offset


async def personal_data_rows(*, case_ids: list[str], party_ids: list[str]) -> list[dict]:
    conn = await pg_connect()
    try:
        rows = await conn.fetch(
            "SELECT party_id, case_id, full_name, id_number, address, phone, created_at, erased_at"
            " FROM intake.party_personal_data WHERE case_id = ANY($1::uuid[]) OR party_id = ANY($2::uuid[])"
            " ORDER BY party_id", [uuid.UUID(c) for c in case_ids], [uuid.UUID(p) for p in party_ids])
    finally:
        await conn.close()
    return [dict(r) for r in rows]


@pytest.fixture
def intake(tmp_path):
    svc = service_process("intake", tmp_path).start()
    yield svc
    svc.stop()


async def post(client: httpx.AsyncClient, path: str, body: dict, role: str, sub: str | None = None,
               expect: int = 200) -> dict:
    r = await client.post(path, json=body, headers=auth(role, sub))
    assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
    return r.json()


async def test_a_case_runs_from_request_to_completion_with_auction_proceeds_from_kafka(intake):
    creditor, debtor, state = (str(uuid.uuid4()) for _ in range(3))
    debt_item, fee_item = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as c:
        case = await post(c, "/cases/requests", {
            "unit": "TH-01", "intake_ref": f"ĐƠN-{uuid.uuid4().hex[:8]}", "channel": "in_person",
            "judgment_number": "45/2024/KDTM-PT", "issuing_court": "TAND tỉnh Thanh Hóa",
            "occurred_at": at(date(2025, 3, 3))}, "clerk", expect=201)
        cid = case["case_id"]
        for party in ({"party_id": creditor, "role": "creditor", "kind": "credit_institution", "bank_code": "VCB",
                       "full_name": "Ngân hàng TMCP Ngoại thương Việt Nam - CN Thanh Hóa"},
                      {"party_id": state, "role": "creditor", "kind": "state", "full_name": "Ngân sách nhà nước"},
                      {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Lê Văn Bình",
                       "address": "12 Lê Lợi, TP Thanh Hóa", "id_number": "038090001234"}):
            await post(c, f"/cases/{cid}/parties", party | {"occurred_at": at(date(2025, 3, 3), 10)}, "clerk")
        await post(c, f"/cases/{cid}/claim-items", {"claim_item_id": debt_item, "kind": "credit_debt",
                   "amount_vnd": 500_000_000, "creditor_party_id": creditor, "secured": False,
                   "occurred_at": at(date(2025, 3, 3), 11)}, "clerk")
        await post(c, f"/cases/{cid}/claim-items", {"claim_item_id": fee_item, "kind": "court_fee",
                   "amount_vnd": 5_000_000, "creditor_party_id": state, "occurred_at": at(date(2025, 3, 3), 11)},
                   "clerk")
        await post(c, f"/cases/{cid}/decision", {"decision_no": "101/QĐ-CTHADS", "basis": "on_request",
                                                 "occurred_at": at(date(2025, 3, 5))}, "head")
        await post(c, f"/cases/{cid}/officer", {"officer_id": "cv-07", "occurred_at": at(date(2025, 3, 5), 10)},
                   "head")
        await post(c, f"/cases/{cid}/notification", {"occurred_at": at(date(2025, 3, 6))}, "officer", "cv-07")
        await post(c, f"/cases/{cid}/verification/start", {"occurred_at": at(date(2025, 3, 20))}, "officer", "cv-07")
        await post(c, f"/cases/{cid}/verification", {"outcome": "with_conditions",
                                                     "occurred_at": at(date(2025, 3, 25))}, "officer", "cv-07")
        seized = await post(c, f"/cases/{cid}/seizures", {
            "decision_no": "15/QĐ-CC", "asset_description": "Quyền sử dụng đất thửa 112, tờ bản đồ 9",
            "asset_kind": "real_estate", "claim_item_ids": [debt_item], "occurred_at": at(date(2025, 4, 1))},
            "officer", "cv-07")
        assert seized["status"] == "ENFORCING"

        # Given the auctions service sold the asset: its proceeds arrive on Kafka — twice (redelivery)
        proceeds = a.ProceedsTransferred.create(
            payload=a.ProceedsTransferredPayload(asset_id=uuid.uuid4(), claim_item_ids=(uuid.UUID(debt_item),),
                                                 amount_vnd=505_000_000, sold_on=date(2025, 5, 20),
                                                 transferred_on=date(2025, 6, 2)),
            source="auctions", aggregate_id=uuid.uuid4(), aggregate_version=7, case_id=uuid.UUID(cid),
            unit="TH-01", actor=Actor(id="dgv-3", role="officer", unit="TH-01"),
            occurred_at=datetime(2025, 6, 2, 9, tzinfo=VN), recorded_at=datetime.now(VN),
            source_position=upstream_position())
        await publish(AUCTIONS_ASSET, [(proceeds.kafka_key, encode(proceeds))] * 2)

        async def money_held():
            r = await c.get(f"/cases/{cid}", headers=auth("head"))
            return r.json() if r.json()["status"] == "MONEY_HELD" else None
        state_now = await wait_until(money_held, what="proceeds collected from Kafka")
        assert state_now["held_vnd"] == 505_000_000, "collected once, not twice"

        # The payment order: the court fee (rank 2) before the bank's debt (rank 3)
        refused = await c.post(f"/cases/{cid}/disbursements", json={"claim_item_id": debt_item,
                               "amount_vnd": 505_000_000, "occurred_at": at(date(2025, 6, 3))},
                               headers=auth("officer", "cv-07"))
        assert refused.status_code in (409, 422), refused.text
        await post(c, f"/cases/{cid}/disbursements", {"claim_item_id": fee_item, "amount_vnd": 5_000_000,
                                                      "occurred_at": at(date(2025, 6, 3))}, "officer", "cv-07")
        await post(c, f"/cases/{cid}/disbursements", {"claim_item_id": debt_item, "amount_vnd": 500_000_000,
                                                      "occurred_at": at(date(2025, 6, 4))}, "officer", "cv-07")
        done = await post(c, f"/cases/{cid}/completion", {"occurred_at": at(date(2025, 6, 5))}, "officer", "cv-07")
        assert done["status"] == "COMPLETED"

        history = (await c.get(f"/cases/{cid}/events", headers=auth("procuracy"))).json()["events"]
    names = [e["event"] for e in history]
    assert names[0] == "RequestReceived" and names[-1] == "Completed"
    for expected in ("EnforcementDecided", "VerificationRecorded", "SeizureOrdered", "MoneyCollected",
                     "MoneyDisbursed"):
        assert expected in names
    assert names.count("MoneyCollected") == 1
    assert [e["version"] for e in history] == list(range(1, len(history) + 1))
    assert all(e["occurred_at"] and e["recorded_at"] for e in history)

    published = [json.loads(r.value)["event_type"] for r in await read_topic(INTAKE_CASE, key=cid.encode())]
    assert "intake.SeizureOrdered.v1" in published and published[-1] == "intake.CaseCompleted.v1"


async def test_bad_commands_are_refused_with_the_rule_and_change_nothing(intake):
    debtor, stranger = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as c:
        opened = {"channel": "post", "judgment_number": "1/2025/DS-ST", "issuing_court": "TAND khu vực 2",
                  "occurred_at": at(date(2025, 3, 3))}
        cid = (await post(c, "/cases/requests", opened | {"unit": "TH-01", "intake_ref": uuid.uuid4().hex[:10]},
                          "clerk", expect=201))["case_id"]
        other = (await post(c, "/cases/requests", opened | {"unit": "TH-01", "intake_ref": uuid.uuid4().hex[:10]},
                            "clerk", expect=201))["case_id"]
        await post(c, f"/cases/{cid}/parties", {"party_id": debtor, "role": "debtor", "kind": "individual",
                   "full_name": "Lê Văn Bình", "id_number": "038090001234", "address": "12 Lê Lợi, TP Thanh Hóa",
                   "phone": "0912000000", "occurred_at": at(date(2025, 3, 3), 10)}, "clerk")
        before = (await c.get(f"/cases/{cid}/events", headers=auth("head"))).json()["events"]
        other_before = (await c.get(f"/cases/{other}/events", headers=auth("head"))).json()["events"]
        personal_before = await personal_data_rows(case_ids=[cid, other], party_ids=[debtor, stranger])

        # refused /parties requests must not touch the personal data (of this party or any other)
        impostor = {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Kẻ Mạo Danh",
                    "id_number": "000000000000", "address": "nơi khác", "phone": "0900000000"}
        same_party_again = await c.post(f"/cases/{cid}/parties", json=impostor, headers=auth("clerk"))
        party_of_another_case = await c.post(f"/cases/{other}/parties", json=impostor, headers=auth("head"))
        backdated_party = await c.post(f"/cases/{cid}/parties", json=impostor | {
            "party_id": stranger, "occurred_at": "2000-01-01T09:00:00+07:00"}, headers=auth("clerk"))
        future_party = await c.post(f"/cases/{cid}/parties", json=impostor | {
            "party_id": stranger, "occurred_at": "2099-01-01T09:00:00+07:00"}, headers=auth("clerk"))
        other_office = await c.post(f"/cases/{cid}/parties", json=impostor | {"party_id": stranger},
                                    headers=auth("clerk", unit="TH-02"))
        unassigned_officer = await c.post(f"/cases/{cid}/parties", json=impostor | {"party_id": stranger},
                                          headers=auth("officer", "cv-1"))

        wrong_state = await c.post(f"/cases/{cid}/notification", json={}, headers=auth("clerk"))
        bad_body = await c.post(f"/cases/{cid}/claim-items", json={"kind": "fine", "amount_vnd": -5},
                                headers=auth("clerk"))
        no_token = await c.post(f"/cases/{cid}/decision", json={"decision_no": "1", "basis": "on_request"})
        wrong_role = await c.post(f"/cases/{cid}/decision", json={"decision_no": "1", "basis": "on_request"},
                                  headers=auth("clerk"))
        unknown = await c.get(f"/cases/{uuid.uuid4()}", headers=auth("head"))
        backdated = await c.post(f"/cases/{cid}/decision", json={"decision_no": "1", "basis": "on_request",
                                 "occurred_at": "2000-01-01T09:00:00+07:00"}, headers=auth("head"))

        after = (await c.get(f"/cases/{cid}/events", headers=auth("head"))).json()["events"]
        other_after = (await c.get(f"/cases/{other}/events", headers=auth("head"))).json()["events"]
        personal_after = await personal_data_rows(case_ids=[cid, other], party_ids=[debtor, stranger])
    assert same_party_again.status_code == 409 and same_party_again.json()["error"] == "DuplicatePartyError"
    assert party_of_another_case.status_code == 409
    assert party_of_another_case.json()["error"] == "PartyOfAnotherCaseError"
    assert backdated_party.status_code == 409 and backdated_party.json()["error"] == "BackdatedEventError"
    assert future_party.status_code == 409 and future_party.json()["error"] == "BusinessTimeInFutureError"
    assert other_office.status_code == 403 and other_office.json()["error"] == "WrongOfficeError"
    assert unassigned_officer.status_code == 403 and unassigned_officer.json()["error"] == "NotYourCaseError"
    assert [(str(r["party_id"]), r["full_name"]) for r in personal_before] == [(debtor, "Lê Văn Bình")]
    assert personal_after == personal_before, "no refused request touched the personal data"
    assert other_after == other_before
    assert wrong_state.status_code == 409 and "notif" in wrong_state.text.lower()
    assert bad_body.status_code == 422 and {"claim_item_id", "amount_vnd"} <= {e["field"] for e in bad_body.json()["errors"]}
    assert no_token.status_code == 401 and wrong_role.status_code == 403
    assert unknown.status_code == 404
    assert backdated.status_code == 409 and backdated.json()["error"] == "BackdatedEventError"
    assert after == before, "nothing was written"


async def test_a_repayment_received_directly_by_the_bank_settles_its_claim_item_once(intake):
    from thads_contracts import recovery as r

    creditor, debtor = str(uuid.uuid4()), str(uuid.uuid4())
    debt_item = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as c:
        cid = (await post(c, "/cases/requests", {
            "unit": "TH-01", "intake_ref": f"ĐƠN-{uuid.uuid4().hex[:8]}", "channel": "online",
            "judgment_number": "7/2025/KDTM-ST", "issuing_court": "TAND khu vực 3 - Thanh Hóa",
            "occurred_at": at(date(2025, 4, 1))}, "clerk", expect=201))["case_id"]
        await post(c, f"/cases/{cid}/parties", {"party_id": creditor, "role": "creditor", "kind": "credit_institution",
                   "bank_code": "BIDV", "full_name": "BIDV - CN Thanh Hóa", "occurred_at": at(date(2025, 4, 1), 10)},
                   "clerk")
        await post(c, f"/cases/{cid}/parties", {"party_id": debtor, "role": "debtor", "kind": "organisation",
                   "full_name": "Công ty TNHH Minh Phát", "occurred_at": at(date(2025, 4, 1), 10)}, "clerk")
        await post(c, f"/cases/{cid}/claim-items", {"claim_item_id": debt_item, "kind": "credit_debt",
                   "amount_vnd": 300_000_000, "creditor_party_id": creditor, "occurred_at": at(date(2025, 4, 1), 11)},
                   "clerk")
        await post(c, f"/cases/{cid}/decision", {"decision_no": "77/QĐ-CTHADS", "basis": "on_request",
                                                 "occurred_at": at(date(2025, 4, 3))}, "head")
        await post(c, f"/cases/{cid}/officer", {"officer_id": "cv-09", "occurred_at": at(date(2025, 4, 3), 10)}, "head")
        await post(c, f"/cases/{cid}/notification", {"occurred_at": at(date(2025, 4, 4))}, "officer", "cv-09")
        await post(c, f"/cases/{cid}/verification/start", {"occurred_at": at(date(2025, 4, 18))}, "officer", "cv-09")
        await post(c, f"/cases/{cid}/verification", {"outcome": "with_conditions",
                                                     "occurred_at": at(date(2025, 4, 22))}, "officer", "cv-09")

        def repayment(amount: int, position: int, ref: str):
            return r.BankRepaymentReceived.create(
                payload=r.BankRepaymentReceivedPayload(bank_code="BIDV", claim_item_id=uuid.UUID(debt_item),
                                                       amount_vnd=amount, received_on=date(2025, 5, 5),
                                                       bank_reference=ref),
                source="recovery", aggregate_id=uuid.uuid4(), aggregate_version=1, case_id=uuid.UUID(cid),
                unit="TH-01", actor=Actor(id="BIDV", role="bank"), occurred_at=datetime(2025, 5, 5, 9, tzinfo=VN),
                recorded_at=datetime.now(VN), source_position=position)

        first = repayment(120_000_000, upstream_position(), "BIDV-1")
        second = repayment(180_000_000, upstream_position(1), "BIDV-2")
        await publish("thads.recovery.debt", [(first.kafka_key, encode(first)), (first.kafka_key, encode(first)),
                                              (second.kafka_key, encode(second))])

        async def settled():
            body = (await c.get(f"/cases/{cid}", headers=auth("head"))).json()
            item = next(i for i in body["claim_items"] if i["id"] == debt_item)
            return body if item["settled"] else None
        body = await wait_until(settled, what="both repayments booked")
    item = body["claim_items"][0]
    assert item["collected_vnd"] == 300_000_000, "the redelivered repayment was booked once"
    assert body["held_vnd"] == 0, "money paid straight to the bank is never held by the agency"


async def test_staff_read_the_parties_personal_data_and_a_head_can_erase_it_once_the_file_is_no_longer_kept(intake):
    """Erasure is a Case event (who asked, on which ground) written with the nulled personal fields;
    refused while the case is open and for 5 years after its last step (domain/erasure.py)."""
    debtor, kept = str(uuid.uuid4()), str(uuid.uuid4())
    old = "2019-03-04T09:00:00+07:00"
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as c:
        cid = (await post(c, "/cases/requests", {"unit": "TH-01", "intake_ref": uuid.uuid4().hex[:10],
               "channel": "post", "judgment_number": "3/2019/DS-ST", "issuing_court": "TAND khu vực 2",
               "occurred_at": old}, "clerk", expect=201))["case_id"]
        await post(c, f"/cases/{cid}/parties", {"party_id": debtor, "role": "debtor", "kind": "individual",
                   "full_name": "Phạm Thị Hoa", "id_number": "038190004321", "address": "5 Trần Phú, Thanh Hóa",
                   "phone": "0912345678", "occurred_at": old}, "clerk")
        open_case = (await post(c, "/cases/requests", {"unit": "TH-01", "intake_ref": uuid.uuid4().hex[:10],
                     "channel": "post", "judgment_number": "4/2025/DS-ST", "issuing_court": "TAND khu vực 2"},
                     "clerk", expect=201))["case_id"]
        await post(c, f"/cases/{open_case}/parties", {"party_id": kept, "role": "debtor", "kind": "individual",
                   "full_name": "Lê Văn Giữ"}, "clerk")
        erasure = {"party_id": debtor, "ground": "purpose_fulfilled", "requested_by": "data_subject",
                   "request_ref": "05/ĐN-XDL"}
        while_open = await c.post(f"/cases/{open_case}/personal-data-erasures", json=erasure | {"party_id": kept},
                                  headers=auth("head"))
        await post(c, f"/cases/{cid}/refusal", {"ground": "not_competent", "occurred_at": "2019-03-06T09:00:00+07:00"},
                   "head")
        events_before = (await c.get(f"/cases/{cid}/events", headers=auth("head"))).json()["events"]
        state_before = (await c.get(f"/cases/{cid}", headers=auth("head"))).json()

        seen = (await c.get(f"/cases/{cid}/parties", headers=auth("officer", "cv-1"))).json()["parties"]
        by_procuracy = await c.get(f"/cases/{cid}/parties", headers=auth("procuracy"))
        other_office = await c.get(f"/cases/{cid}/parties", headers={
            "Authorization": f"Bearer {issue_token('head', 'TH-99')}"})
        # case reads by the procuracy (past the fast lane, to the logging route) and a refused one
        procuracy_reads = [(await c.get(f"/cases/{cid}{tail}", headers=auth("procuracy"))).status_code
                           for tail in ("", "/events")]
        other_office_state = await c.get(f"/cases/{cid}", headers={
            "Authorization": f"Bearer {issue_token('head', 'TH-99')}"})
        by_clerk = await c.post(f"/cases/{cid}/personal-data-erasures", json=erasure, headers=auth("clerk"))
        erased = await c.post(f"/cases/{cid}/personal-data-erasures", json=erasure, headers=auth("head"))
        again = await c.post(f"/cases/{cid}/personal-data-erasures", json=erasure, headers=auth("head"))
        after = (await c.get(f"/cases/{cid}/parties", headers=auth("head"))).json()["parties"]
        still_kept = (await c.get(f"/cases/{open_case}/parties", headers=auth("head"))).json()["parties"]
        events_after = (await c.get(f"/cases/{cid}/events", headers=auth("head"))).json()["events"]
        state_after = (await c.get(f"/cases/{cid}", headers=auth("head"))).json()

    assert seen[0]["full_name"] == "Phạm Thị Hoa" and seen[0]["id_number"] == "038190004321"
    assert by_procuracy.status_code == 200 and other_office.status_code == 403
    conn = await pg_connect()
    try:
        logged = [tuple(r) for r in await conn.fetch(
            "SELECT actor_role, action, resource, status FROM intake.access_log WHERE case_id = $1 ORDER BY sequence",
            uuid.UUID(cid))]
    finally:
        await conn.close()
    assert procuracy_reads == [200, 200] and other_office_state.status_code == 403
    assert logged == [("procuracy", "read", "personal_data", 200), ("head", "refused", "personal_data", 403),
                      ("procuracy", "read", "case", 200), ("procuracy", "read", "case_history", 200),
                      ("head", "refused", "case", 403)], \
        "the procuracy's reads and the refused attempts are access-log entries; the office's own are not"
    assert while_open.status_code == 409 and while_open.json()["rule"] == "transition.erase_personal_data"
    assert still_kept[0]["full_name"] == "Lê Văn Giữ", "a refused erasure erases nothing"
    assert by_clerk.status_code == 403
    assert erased.status_code == 200, erased.text
    assert again.status_code == 409 and again.json()["rule"] == "personal_data.already_erased"
    assert after[0]["erased"] is True and after[0]["full_name"] is None and after[0]["phone"] is None
    assert after[0]["party_id"] == debtor and after[0]["role"] == "debtor"
    assert events_after[:-1] == events_before, "erasure leaves the earlier events whole"
    last = events_after[-1]
    assert "PersonalDataErased" in json.dumps(last) and last["data"]["requested_by"] == "data_subject"
    assert "Phạm" not in json.dumps(events_after), "personal data was never in the events"
    assert {k: v for k, v in state_after.items() if k not in ("version", "modified_on")} == \
        {k: v for k, v in state_before.items() if k not in ("version", "modified_on")}, "the case state is unchanged"
