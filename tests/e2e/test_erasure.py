"""Erasure end to end (issue 11 §4): a party of a case closed more than 5 years ago is erased through
intake; the audit timeline then shows "[erased]" wherever it showed the party, `thads verify` still
passes on intake's store, and the case's statistics-relevant state (intake's state, audit's as-of
status and money) is unchanged. While the case file is kept, the erasure is refused and nothing is
erased."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from thads_infra.cli import app as cli
from thads_infra.testing import wait_until

pytestmark = pytest.mark.integration
OLD = "2019-03-04T09:00:00+07:00"


def verify(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["verify", "--json", *args])
    return result.exit_code, json.loads(result.output)


def comparable(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in ("version", "modified_on")}


async def test_an_erased_party_reads_erased_in_the_timeline_and_the_chains_and_figures_hold(processes, token):
    intake = processes("intake", chain_heads_seconds=0.2)
    audit = processes("audit")
    debtor, creditor = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as i, \
            httpx.AsyncClient(base_url=audit.url, timeout=30) as a:
        r = await i.post("/cases/requests", headers=token("clerk"), json={
            "unit": "TH-01", "intake_ref": f"REQ-{uuid.uuid4().hex[:12]}", "channel": "post",
            "judgment_number": "7/2019/DS-ST", "issuing_court": "TAND khu vực 1 - Thanh Hóa", "occurred_at": OLD})
        assert r.status_code == 201, r.text
        case_id = r.json()["case_id"]
        for party, role, name in ((debtor, "debtor", "Trần Văn Bình"), (creditor, "creditor", "Lê Thị Cúc")):
            r = await i.post(f"/cases/{case_id}/parties", headers=token("clerk"), json={
                "party_id": party, "role": role, "kind": "individual", "full_name": name,
                "id_number": "038090001234", "occurred_at": OLD})
            assert r.status_code == 200, r.text
        erasure = {"party_id": debtor, "ground": "consent_withdrawn", "requested_by": "data_subject",
                   "request_ref": "12/ĐN-2026"}
        kept = await i.post(f"/cases/{case_id}/personal-data-erasures", headers=token("head"), json=erasure)
        r = await i.post(f"/cases/{case_id}/refusal", headers=token("head"),
                         json={"ground": "not_competent", "occurred_at": "2019-03-07T09:00:00+07:00"})
        assert r.status_code == 200, r.text

        async def timeline():
            r = await a.get(f"/cases/{case_id}/timeline", headers=token("procuracy", "TH"))
            return r.json() if r.status_code == 200 else None

        before = await wait_until(lambda: _with_count(timeline(), 4), what="the case's four events in audit")
        state_before = comparable((await i.get(f"/cases/{case_id}", headers=token("head"))).json())
        as_of_before = (await a.get(f"/cases/{case_id}/state", params={"at": "2030-01-01T00:00:00+07:00"},
                                    headers=token("auditor", "TH"))).json()["legal"]

        erased = await i.post(f"/cases/{case_id}/personal-data-erasures", headers=token("head"), json=erasure)
        assert erased.status_code == 200, erased.text
        after = await wait_until(lambda: _with_count(timeline(), 5), what="the erasure in audit's timeline")
        parties = (await i.get(f"/cases/{case_id}/parties", headers=token("head"))).json()["parties"]
        state_after = comparable((await i.get(f"/cases/{case_id}", headers=token("head"))).json())
        as_of_after = (await a.get(f"/cases/{case_id}/state", params={"at": "2030-01-01T00:00:00+07:00"},
                                   headers=token("auditor", "TH"))).json()["legal"]

    assert kept.status_code == 409 and kept.json()["rule"] == "transition.erase_personal_data", kept.text
    assert debtor in json.dumps(before), "before the erasure the timeline names the party"
    shown = json.dumps(after)
    assert debtor not in shown, "after it, nowhere"
    added = [e for e in after["events"] if e["event_type"] == "intake.PartyAdded.v1"]
    assert {e["payload"]["party_id"] for e in added} == {"[erased]", creditor}
    last = after["events"][-1]
    assert last["event_type"] == "intake.PersonalDataErased.v1" and last["payload"]["party_id"] == "[erased]"
    assert (last["payload"]["ground"], last["payload"]["requested_by"], last["actor"]["role"]) == (
        "consent_withdrawn", "data_subject", "head")
    assert [p["full_name"] for p in parties if p["party_id"] == debtor] == [None]
    code, report = verify("--service", "intake", "--case", case_id)
    assert code == 0, report
    assert state_after == state_before
    assert (as_of_after["status"], as_of_after["money_collected_vnd"]) == (
        as_of_before["status"], as_of_before["money_collected_vnd"]) == ("REJECTED", 0)


async def _with_count(coro, n: int):
    got = await coro
    return got if got and got["total_events"] >= n else None
