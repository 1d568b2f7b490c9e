"""The audit timeline on the real broker and database reads through the kit's office scoping: the
case's office is the `unit` of its events, and an officer of another office gets 403."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import httpx
import pytest

from thads_contracts import Actor, encode
from thads_contracts import auctions as a
from thads_contracts.topics import AUCTIONS_ASSET
from thads_infra.testing import publish, service_process, wait_until
from thads_kit.auth import issue_token
from thads_kit.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration
AT = datetime(2025, 7, 1, 9, tzinfo=timezone(timedelta(hours=7)))


@pytest.fixture
def audit(tmp_path):
    svc = service_process("audit", tmp_path).start()
    yield svc
    svc.stop()


def auth(role: str, unit: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role=role, unit=unit)}"}


async def test_an_officer_of_another_office_cannot_read_a_case_timeline(audit):
    case_id, asset_id = uuid4(), uuid4()
    event = a.ProceedsTransferred.create(
        payload=a.ProceedsTransferredPayload(asset_id=asset_id, claim_item_ids=(uuid4(),), amount_vnd=1_000_000,
                                             sold_on=date(2025, 6, 18), transferred_on=date(2025, 7, 1)),
        source="auctions", aggregate_id=asset_id, aggregate_version=1, case_id=case_id, unit="TH-BIMSON",
        actor=Actor(id="officer-7", role="officer", unit="TH-BIMSON"), occurred_at=AT, recorded_at=AT,
        source_position=time.time_ns() // 1000)
    await publish(AUCTIONS_ASSET, [(str(case_id).encode(), encode(event))])

    async with httpx.AsyncClient(base_url=audit.url, timeout=30) as http:
        url = f"/cases/{case_id}/timeline"

        async def visible() -> bool:
            return (await http.get(url, headers=auth("officer", "TH-BIMSON"))).status_code == 200

        await wait_until(visible, what="the event in the timeline")
        other_office = await http.get(url, headers=auth("officer", "HN-02"))
        other_head = await http.get(url, headers=auth("head", "HN-02"))
        other_province = await http.get(url, headers=auth("procuracy", "HN"))
        same_province = await http.get(url, headers=auth("procuracy", "TH"))

    assert other_office.status_code == 403, other_office.text
    assert other_head.status_code == 403, other_head.text
    body = other_office.json()
    assert (body["error"], body["rule"]) == ("OutOfScopeError", "read_scope.own_office")
    assert "TH-BIMSON" in body["message"] and "events" not in body
    assert other_province.status_code == 403 and other_province.json()["rule"] == "read_scope.own_province"
    assert same_province.status_code == 200 and same_province.json()["count"] == 1
