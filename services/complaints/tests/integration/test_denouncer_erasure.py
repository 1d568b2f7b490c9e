"""Erasure of denouncers' identity on the real database (issue 11 §4): refused while the
denunciation is open and for 5 years after its conclusion (nothing erased), refused for the head of
another office and for a clerk; accepted after the retention: the act is a DenouncersErased event of
the denunciation's stream (ground, who asked, the request), the erased denouncer reads "[erased]" in
the confidential view while the other keeps theirs, a second erasure is refused, every refused
attempt is an access-log entry, and `thads verify` still passes on complaints' store."""
from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from thads_infra.cli import app as cli
from thads_infra.testing import pg_connect, service_process
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
FIRST, SECOND = "Nguyễn Văn Tố", "Trần Thị Giác"


def auth(role: str, unit: str = "TH-KV05", sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub or f'{role}-{unit}')}"}


@pytest.fixture
def complaints(tmp_path):
    svc = service_process("complaints", tmp_path).start()
    yield svc
    svc.stop()


async def _denunciation(c: httpx.AsyncClient, received: str, accepted: str | None, concluded: str | None) -> str:
    r = await c.post("/denunciations", headers=auth("clerk"), json={
        "accused_role": "officer", "accused_unit": "TH-KV05", "accused_id": "cv-51", "received_on": received,
        "content": "Chấp hành viên nhận tiền của đương sự",
        "denouncers": [{"full_name": FIRST, "id_number": "038070000001", "phone": "0912000001"},
                       {"full_name": SECOND, "address": "Xóm 2, xã Y"}]})
    assert r.status_code == 201, r.text
    did = r.json()["denunciation_id"]
    if accepted:
        r = await c.post(f"/denunciations/{did}/acceptance", headers=auth("head"), json={"accepted_on": accepted})
        assert r.status_code == 200, r.text
    if concluded:
        r = await c.post(f"/denunciations/{did}/conclusion", headers=auth("head"), json={
            "finding": "unfounded", "conclusion_number": "05/KL-THADS", "concluded_on": concluded})
        assert r.status_code == 200, r.text
    return did


async def test_denouncers_are_erased_only_after_retention_with_an_event_and_the_chain_verifies(complaints):
    erasure = {"denouncers": [1], "ground": "consent_withdrawn", "requested_by": "data_subject",
               "request_ref": "03/ĐN-2026"}
    async with httpx.AsyncClient(base_url=complaints.url, timeout=30) as c:
        open_one = await _denunciation(c, "2026-11-02", None, None)
        recent = await _denunciation(c, "2025-01-06", "2025-01-08", "2025-02-20")
        old = await _denunciation(c, "2019-01-02", "2019-01-10", "2019-02-01")
        refused = {
            "open": await c.post(f"/denunciations/{open_one}/personal-data-erasures", headers=auth("head"), json=erasure),
            "recent": await c.post(f"/denunciations/{recent}/personal-data-erasures", headers=auth("head"), json=erasure),
            "other_office": await c.post(f"/denunciations/{old}/personal-data-erasures",
                                         headers=auth("head", "TH-KV06"), json=erasure),
            "clerk": await c.post(f"/denunciations/{old}/personal-data-erasures", headers=auth("clerk"), json=erasure),
            "bad_ground": await c.post(f"/denunciations/{old}/personal-data-erasures", headers=auth("head"),
                                       json=erasure | {"ground": "bored"}),
            "no_such_denouncer": await c.post(f"/denunciations/{old}/personal-data-erasures", headers=auth("head"),
                                              json=erasure | {"denouncers": [3]}),
        }
        kept = (await c.get(f"/denunciations/{old}/denouncers", headers=auth("head"))).json()["denouncers"]
        erased = await c.post(f"/denunciations/{old}/personal-data-erasures", headers=auth("head", sub="tt-head"),
                              json=erasure)
        again = await c.post(f"/denunciations/{old}/personal-data-erasures", headers=auth("head"), json=erasure)
        shown = (await c.get(f"/denunciations/{old}/denouncers", headers=auth("auditor", "TH", "tt-02"))).json()
        state = (await c.get(f"/denunciations/{old}", headers=auth("auditor", "TH", "tt-02"))).json()
        still = (await c.get(f"/denunciations/{recent}/denouncers", headers=auth("head"))).json()["denouncers"]

    assert refused["open"].status_code == 409 and refused["open"].json()["rule"] == \
        "denunciation.personal_data_retained", refused["open"].text
    assert refused["recent"].status_code == 409 and "2030" in refused["recent"].json()["message"], refused["recent"].text
    assert refused["other_office"].status_code == 409 and refused["other_office"].json()["rule"] == \
        "complaint.not_competent", refused["other_office"].text
    assert refused["clerk"].status_code == 403
    assert refused["bad_ground"].status_code == 422 and "ground" in refused["bad_ground"].text
    assert refused["no_such_denouncer"].status_code == 409
    assert [p["full_name"] for p in kept] == [FIRST, SECOND], "a refused erasure erases nothing"
    assert [p["full_name"] for p in still] == [FIRST, SECOND]

    assert erased.status_code == 200 and erased.json()["erased_denouncers"] == [1], erased.text
    assert again.status_code == 409 and again.json()["rule"] == "personal_data.already_erased", again.text
    people = shown["denouncers"]
    assert [(p["full_name"], p["id_number"], p["phone"], p["erased"]) for p in people] == [
        ("[erased]", "[erased]", "[erased]", True), (SECOND, None, None, False)]
    assert FIRST not in json.dumps(shown)
    (record,) = state["personal_data_erasures"]
    assert (record["seqs"], record["ground"], record["requested_by"], record["request_ref"], record["actor"]) == (
        [1], "consent_withdrawn", "data_subject", "03/ĐN-2026", "head/tt-head")

    conn = await pg_connect()
    try:
        stored = await conn.fetch("SELECT full_name, id_number, phone FROM complaints.denouncer_personal_data"
                                  " WHERE denunciation_id = $1::uuid ORDER BY seq", old)
        topics = [r["topic"] for r in await conn.fetch(
            "SELECT topic FROM complaints.complaints_events WHERE originator_id = $1::uuid ORDER BY originator_version",
            old)]
        logged = await conn.fetch("SELECT actor_id, action, status FROM complaints.access_log"
                                  " WHERE resource = 'denouncer_erasure' AND resource_id = $1 ORDER BY sequence", old)
    finally:
        await conn.close()
    assert [tuple(r) for r in stored] == [(None, None, None), (SECOND, None, None)], "nulled in the table itself"
    assert topics[-1].endswith("DenouncersErased"), topics
    assert [(r["action"], r["status"]) for r in logged] == [("refused", 409), ("refused", 409), ("refused", 409)], logged
    result = CliRunner().invoke(cli, ["verify", "--json", "--service", "complaints"])
    assert result.exit_code == 0, result.output
