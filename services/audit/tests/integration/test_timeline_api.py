"""The case timeline and the as-of state through the audit process, on the real broker and database:
events of three services (one of a type no contract names yet) in business-time order with who, when
(both axes) and why; pages that add up to the whole; a retroactively recorded payment that makes the
legal state and the known state differ; and the bad inputs, each a clear 4xx."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import httpx
import pytest

from thads_contracts import Actor, encode
from thads_contracts import auctions as a
from thads_contracts import intake as i
from thads_contracts.envelope import make_event_id
from thads_contracts.topics import AUCTIONS_ASSET, COMPLAINTS_COMPLAINT, INTAKE_CASE
from thads_infra.testing import pg_connect, publish, service_process, wait_until
from thads_kit.auth import issue_token
from thads_kit.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
OFFICE = "TH-BIMSON"
HEAD = Actor(id="head-1", role="head", unit=OFFICE)
CLERK = Actor(id="clerk-2", role="clerk", unit=OFFICE)


def at(day: int, month: int = 7, hour: int = 9) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=VN)


def auth(role: str, unit: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit=unit)}"}


@pytest.fixture
def audit(tmp_path):
    svc = service_process("audit", tmp_path).start()
    yield svc
    svc.stop()


def a_case():
    """Opened 1 July, decided 3 July, a payment made on 10 July but recorded only on 20 July, proceeds on
    15 July, and a complaint event of a type the contracts do not know yet (12 July)."""
    case_id, asset_id, correlation = uuid4(), uuid4(), uuid4()
    pos = time.time_ns() // 1000
    common = dict(case_id=case_id, unit=OFFICE)
    opened = i.CaseOpenedV2.create(
        payload=i.CaseOpenedV2Payload(origin="request_received", channel="post", received_on=date(2025, 7, 1),
                                      judgment_number="1/2025/DS-ST", issuing_court="TAND khu vực 1"),
        source="intake", aggregate_id=case_id, aggregate_version=1, actor=CLERK, occurred_at=at(1),
        recorded_at=at(1), source_position=pos + 1, correlation_id=correlation, **common)
    decided = i.EnforcementDecidedV2.create(
        payload=i.EnforcementDecidedV2Payload(basis="on_request", decision_number="12/QĐ-CCTHADS",
                                              decided_on=date(2025, 7, 3)),
        source="intake", aggregate_id=case_id, aggregate_version=2, actor=HEAD, occurred_at=at(3),
        recorded_at=at(3), source_position=pos + 2, causation_id=opened.event_id, correlation_id=correlation, **common)
    paid = i.MoneyCollectedV2.create(
        payload=i.MoneyCollectedV2Payload(claim_item_id=uuid4(), amount_vnd=5_000_000, channel="voluntary",
                                          collected_on=date(2025, 7, 10)),
        source="intake", aggregate_id=case_id, aggregate_version=3, actor=CLERK, occurred_at=at(10),
        recorded_at=at(20), source_position=pos + 3, **common)
    proceeds = a.ProceedsTransferred.create(
        payload=a.ProceedsTransferredPayload(asset_id=asset_id, claim_item_ids=(uuid4(),), amount_vnd=1_000_000,
                                             sold_on=date(2025, 7, 14), transferred_on=date(2025, 7, 15)),
        source="auctions", aggregate_id=asset_id, aggregate_version=1, actor=HEAD, occurred_at=at(15),
        recorded_at=at(15), source_position=pos + 4, causation_id=decided.event_id, **common)
    complaint_id = uuid4()
    complaint = {
        "event_id": str(make_event_id("complaints", complaint_id, 1)), "event_type": "complaints.ComplaintLodged.v1",
        "schema_version": 1, "source": "complaints", "aggregate_id": str(complaint_id), "aggregate_version": 1,
        "case_id": str(case_id), "unit": OFFICE, "actor": {"id": "officer-9", "role": "officer", "unit": OFFICE},
        "occurred_at": at(12).isoformat(), "recorded_at": at(12).isoformat(), "causation_id": None,
        "correlation_id": str(correlation), "source_position": pos + 5,
        "payload": {"instance": "first", "object": "decision"}}
    return case_id, [opened, decided, paid, proceeds], complaint


async def publish_case(case_id, events, complaint) -> None:
    import json
    key = str(case_id).encode()
    await publish(INTAKE_CASE, [(key, encode(e)) for e in events if e.source == "intake"])
    await publish(AUCTIONS_ASSET, [(key, encode(e)) for e in events if e.source == "auctions"])
    await publish(COMPLAINTS_COMPLAINT, [(key, json.dumps(complaint).encode())])


async def test_the_timeline_shows_every_service_in_order_with_who_when_and_why_in_pages(audit):
    case_id, events, complaint = a_case()
    opened, decided, paid, proceeds = events
    await publish_case(case_id, events, complaint)
    url = f"/cases/{case_id}/timeline"
    async with httpx.AsyncClient(base_url=audit.url, timeout=30) as http:
        async def complete():
            r = await http.get(url, headers=auth("procuracy", "TH"))
            return r.status_code == 200 and r.json()["total_events"] == 5 and r.json()
        whole = await wait_until(complete, what="five events in the timeline")
        pages, cursor = [], None
        while True:
            r = await http.get(url, params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                               headers=auth("auditor", "TH-01"))
            assert r.status_code == 200, r.text
            pages.append(r.json())
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break

    entries = whole["events"]
    assert [e["event_type"] for e in entries] == [
        "intake.CaseOpened.v2", "intake.EnforcementDecided.v2", "intake.MoneyCollected.v2",
        "complaints.ComplaintLodged.v1", "auctions.ProceedsTransferred.v2"], "business-time order across services (v1 read upcast)"
    by_id = {e["event_id"]: e for e in entries}
    d = by_id[str(decided.event_id)]
    assert d["actor"] == {"id": "head-1", "role": "head", "unit": OFFICE}
    assert d["causation_id"] == str(opened.event_id) and d["correlation_id"] == str(opened.correlation_id)
    assert datetime.fromisoformat(d["occurred_at"]) == at(3) and d["payload"]["decision_number"] == "12/QĐ-CCTHADS"
    late = by_id[str(paid.event_id)]
    assert (datetime.fromisoformat(late["occurred_at"]), datetime.fromisoformat(late["recorded_at"])) == (at(10), at(20))
    assert by_id[complaint["event_id"]]["payload"] == complaint["payload"], "an unknown type is kept as sent"
    assert [len(p["events"]) for p in pages] == [2, 2, 1]
    assert [e["event_id"] for p in pages for e in p["events"]] == [e["event_id"] for e in entries]


async def test_as_of_state_differs_on_the_two_axes_for_a_retroactively_recorded_payment(audit):
    case_id, events, complaint = a_case()
    paid = events[2]
    await publish_case(case_id, events, complaint)
    async with httpx.AsyncClient(base_url=audit.url, timeout=30) as http:
        async def complete():
            r = await http.get(f"/cases/{case_id}/timeline", headers=auth("head", OFFICE))
            return r.status_code == 200 and r.json()["total_events"] == 5
        await wait_until(complete, what="five events in the timeline")
        before = (await http.get(f"/cases/{case_id}/state", params={"at": at(16).isoformat()},
                                 headers=auth("procuracy", "TH"))).json()
        after = (await http.get(f"/cases/{case_id}/state", params={"at": at(21).isoformat()},
                                headers=auth("procuracy", "TH"))).json()
        legal_only = (await http.get(f"/cases/{case_id}/timeline", params={"as_of_occurred": at(16).isoformat()},
                                     headers=auth("auditor", "TH"))).json()
        known_only = (await http.get(f"/cases/{case_id}/timeline", params={"as_of_recorded": at(16).isoformat()},
                                     headers=auth("auditor", "TH"))).json()

    # on 16 July the payment of 10 July had legally happened, but the system learned of it on 20 July
    assert before["legal"]["money_collected_vnd"] == 5_000_000
    assert before["known"]["money_collected_vnd"] == 0
    assert before["recorded_later"] == [str(paid.event_id)] and before["dated_later"] == []
    assert before["legal"]["status"] == before["known"]["status"] == "DECIDED"
    assert (before["legal"]["events"], before["known"]["events"]) == (5, 4)
    # from 20 July on, both axes agree
    assert after["legal"] == after["known"] and after["recorded_later"] == []
    assert str(paid.event_id) in {e["event_id"] for e in legal_only["events"]}
    assert str(paid.event_id) not in {e["event_id"] for e in known_only["events"]}


async def test_bad_input_gets_a_clear_4xx(audit):
    case_id, events, complaint = a_case()
    await publish_case(case_id, events, complaint)
    url = f"/cases/{case_id}/timeline"
    async with httpx.AsyncClient(base_url=audit.url, timeout=30) as http:
        async def complete():
            r = await http.get(url, headers=auth("head", OFFICE))
            return r.status_code == 200 and r.json()["total_events"] == 5
        await wait_until(complete, what="five events in the timeline")
        # the wait's own polls may have been refused (404 before audit knew the case): counted from here
        conn = await pg_connect()
        try:
            since = await conn.fetchval("SELECT coalesce(max(sequence), 0) FROM audit.access_log WHERE case_id = $1",
                                        case_id)
        finally:
            await conn.close()
        unknown = await http.get(f"/cases/{uuid4()}/timeline", headers=auth("procuracy", "TH"))
        too_early = await http.get(f"/cases/{case_id}/state", params={"at": at(30, month=6).isoformat()},
                                   headers=auth("procuracy", "TH"))
        too_early_known = await http.get(url, params={"as_of_recorded": at(30, month=6).isoformat()},
                                         headers=auth("auditor", "TH"))
        other_province = await http.get(url, headers=auth("auditor", "HN"))
        bad_cursor = await http.get(url, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=auth("auditor", "TH"))
        malformed_at = await http.get(f"/cases/{case_id}/state", params={"at": "hôm qua"},
                                      headers=auth("procuracy", "TH"))
        wrong_role = await http.get(url, headers=auth("clerk", OFFICE))

    assert unknown.status_code == 404 and unknown.json()["rule"] == "case.exists"
    for r in (too_early, too_early_known):
        assert r.status_code == 409 and r.json()["rule"] == "as_of.before_case", r.text
        assert "trước khi việc thi hành án" in r.json()["message"]
    assert other_province.status_code == 403 and other_province.json()["rule"] == "read_scope.own_province"
    assert "events" not in other_province.json()
    assert bad_cursor.status_code == 422 and bad_cursor.json()["rule"] == "timeline.cursor"
    assert malformed_at.status_code == 422 and "at" in malformed_at.text
    assert wrong_role.status_code == 403 and wrong_role.json()["rule"] == "auth.role"
    # every one of these attempts is an access-log entry, written before the answer left
    conn = await pg_connect()
    try:
        logged = await conn.fetch("SELECT actor_role, resource, status FROM audit.access_log WHERE case_id = $1"
                                  " AND action = 'refused' AND sequence > $2 ORDER BY sequence", case_id, since)
    finally:
        await conn.close()
    assert [(r["actor_role"], r["resource"], r["status"]) for r in logged] == [
        ("procuracy", "case_state", 409), ("auditor", "case_timeline", 409), ("auditor", "case_timeline", 403),
        ("auditor", "case_timeline", 422), ("procuracy", "case_state", 422), ("clerk", "case_timeline", 403)]
