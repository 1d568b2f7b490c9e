"""The access log on the real broker and database: audit's own reads and refusals go through the kit's
access log to `thads.audit.access` and come back into audit's access_entries, where the procuracy
reads them scoped to its province with filters and pages; re-sent entries count once; a consumer
killed between its commit and its offset commit loses and doubles nothing."""
from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import httpx
import pytest

from thads_contracts import Actor, encode
from thads_contracts import intake as i
from thads_contracts.access import AccessRecorded
from thads_contracts.topics import AUDIT_ACCESS, INTAKE_CASE
from thads_infra.testing import pg_connect, publish, service_process, wait_until
from thads_kit.auth import issue_token
from thads_kit.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))
OFFICE = "TH-BIMSON"


def auth(role: str, unit: str, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit=unit, sub=sub)}"}


@pytest.fixture
def audit(tmp_path):
    svc = service_process("audit", tmp_path).start()
    yield svc
    svc.stop()


async def open_case() -> UUID:
    case_id = uuid4()
    at = datetime(2025, 7, 1, 9, tzinfo=VN)
    opened = i.CaseOpenedV2.create(
        payload=i.CaseOpenedV2Payload(origin="request_received", channel="post", received_on=date(2025, 7, 1),
                                      judgment_number="1/2025/DS-ST", issuing_court="TAND khu vực 1"),
        source="intake", aggregate_id=case_id, aggregate_version=1, case_id=case_id, unit=OFFICE,
        actor=Actor(id="clerk-2", role="clerk", unit=OFFICE), occurred_at=at, recorded_at=at,
        source_position=time.time_ns() // 1000)
    await publish(INTAKE_CASE, [(str(case_id).encode(), encode(opened))])
    return case_id


def entry(sequence: int, *, case_id: UUID, entry_id: UUID | None = None, actor: str = "bank-officer-1",
          resource: str = "bank_feed", service: str = "recovery") -> AccessRecorded:
    return AccessRecorded(entry_id=entry_id or uuid4(), service=service, sequence=sequence,
                          actor=Actor(id=actor, role="bank", unit=None), action="read", resource=resource,
                          resource_id=str(case_id), case_id=case_id, unit=OFFICE, legal_basis="Điều 44 Luật THADS",
                          status=200, at=datetime.now(timezone.utc))


async def test_audit_reads_and_refusals_reach_the_access_log_scoped_to_the_province(audit):
    case_id = await open_case()
    who = f"kiemsat-{uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=audit.url, timeout=30) as http:
        url = f"/cases/{case_id}/timeline"
        await wait_until(lambda: _status(http, url, auth("procuracy", "TH", who), 200), what="the case in the timeline")
        assert (await http.get(url, headers=auth("auditor", "HN", "thanhtra-hn"))).status_code == 403
        ghost = uuid4()
        assert (await http.get(f"/cases/{ghost}/timeline", headers=auth("procuracy", "TH", who))).status_code == 404
        assert (await http.get(f"/cases/{case_id}/timeline", headers=auth("head", OFFICE))).status_code == 200

        async def entries(headers, **params):
            r = await http.get("/access", params={"case_id": str(case_id), **params}, headers=headers)
            assert r.status_code == 200, r.text
            return r.json()["entries"]

        async def both_arrived():
            got = await entries(auth("procuracy", "TH"))
            return got if {e["action"] for e in got} >= {"read", "refused"} else None

        seen = await wait_until(both_arrived, what="the read and the refusal in the access log")
        refused = [e for e in seen if e["action"] == "refused"]
        assert refused[0]["actor_id"] == "thanhtra-hn" and refused[0]["status"] == 403
        assert refused[0]["unit"] == OFFICE and refused[0]["service"] == "audit"
        read = [e for e in seen if e["action"] == "read" and e["actor_id"] == who]
        assert read and read[0]["resource"] == "case_timeline" and read[0]["legal_basis"]
        assert not [e for e in seen if e["actor_role"] == "head"], "an office head's own read is not an entry"
        # the attempt on an unknown case has no office: national readers see it, a province does not
        ghost_national = await wait_until(lambda: _nonempty(http, {"case_id": str(ghost)}, auth("admin", "TW")),
                                          what="the unknown-case attempt")
        assert ghost_national[0]["status"] == 404 and ghost_national[0]["action"] == "refused"
        assert await entries(auth("procuracy", "TH"), actor_id=who, action="refused") == []
        assert await entries(auth("procuracy", "HN")) == [], "another province's procuracy sees none of them"
        other = await http.get("/access", params={"unit": OFFICE}, headers=auth("procuracy", "HN"))
        assert other.status_code == 403 and other.json()["rule"] == "read_scope.own_province"
        officer = await http.get("/access", headers=auth("officer", OFFICE))
        assert officer.status_code == 403 and officer.json()["rule"] == "auth.role"


async def test_re_sent_entries_count_once_and_pages_add_up(audit):
    case_id = uuid4()
    base = time.time_ns() // 1000
    first = [entry(base + n, case_id=case_id, actor=f"nv-{n % 2}") for n in range(5)]
    key = str(case_id).encode()
    resent = entry(base + 10, case_id=case_id, entry_id=first[0].entry_id)       # same id, later sequence
    last = entry(base + 11, case_id=case_id, actor="nv-0")      # applied only once the re-sent one was skipped
    first.append(last)
    await publish(AUDIT_ACCESS, [(key, e.model_dump_json().encode()) for e in first[:5] + first[:2] + [resent, last]])
    async with httpx.AsyncClient(base_url=audit.url, timeout=30) as http:
        params = {"case_id": str(case_id), "limit": 2}
        await wait_until(lambda: _count(case_id, 6), what="six entries")
        pages, cursor = [], None
        while True:
            r = await http.get("/access", params={**params, **({"cursor": cursor} if cursor else {})},
                               headers=auth("procuracy", "TH"))
            assert r.status_code == 200, r.text
            pages.append(r.json()["entries"])
            if (cursor := r.json()["next_cursor"]) is None:
                break
        by_actor = (await http.get("/access", params={"case_id": str(case_id), "actor_id": "nv-1"},
                                   headers=auth("auditor", "TH-01"))).json()["entries"]
        later = (await http.get("/access", params={"case_id": str(case_id), "since": first[3].at.isoformat()},
                                headers=auth("auditor", "TH-01"))).json()["entries"]
    assert [len(p) for p in pages] == [2, 2, 2]
    assert sorted(e["entry_id"] for p in pages for e in p) == sorted(str(e.entry_id) for e in first)
    assert {e["actor_id"] for e in by_actor} == {"nv-1"} and len(by_actor) == 2
    assert {e["entry_id"] for e in later} == {str(e.entry_id) for e in first[3:]}
    assert await _count(case_id, None) == 6
    conn = await pg_connect()
    try:
        letters = await conn.fetchval("SELECT count(*) FROM audit.dead_letter WHERE consumer = 'audit.access'"
                                      " AND msg_key = $1", str(case_id))
    finally:
        await conn.close()
    assert letters == 0, "the re-sent entry was skipped on its entry_id, not dead-lettered"


async def test_a_consumer_killed_between_commit_and_offset_commit_loses_and_doubles_nothing(tmp_path):
    case_id = uuid4()
    base = time.time_ns() // 1000
    n = 600
    entries = [entry(base + k, case_id=case_id, actor=f"nv-{k % 7}") for k in range(n)]
    doomed = service_process("audit", tmp_path, fault="access:consumer_crash_before_offset_commit").start()
    try:
        await publish(AUDIT_ACCESS, [(str(case_id).encode(), e.model_dump_json().encode()) for e in entries])
        assert doomed.wait_exit(60) == -9, "the fault hook killed the consumer"
    finally:
        doomed.kill9()
    audit = service_process("audit", tmp_path).start()
    try:
        await wait_until(lambda: _count(case_id, n), timeout=120, what=f"{n} entries")
    finally:
        audit.stop()
    assert await _count(case_id, None) == n


async def _status(http, url, headers, expected) -> bool:
    return (await http.get(url, headers=headers)).status_code == expected


async def _nonempty(http, params, headers):
    r = await http.get("/access", params=params, headers=headers)
    return r.status_code == 200 and r.json()["entries"]


async def _count(case_id: UUID, expected: int | None):
    conn = await pg_connect()
    try:
        got = await conn.fetchval("SELECT count(*) FROM audit.access_entries WHERE case_id = $1", case_id)
    finally:
        await conn.close()
    return got if expected is None else got == expected
