"""The case's decisions reach the assets exactly once (tracked consumer on thads.intake.case, on the
real broker and database): a seizure opens one asset however often it is delivered; a suspension
pauses the pending auction (a sale is then refused by rule), a continuation resumes it; a termination
cancels it — each recorded once although every message is delivered twice."""
from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from thads_contracts import encode
from thads_contracts import intake as i
from thads_contracts.envelope import Actor
from thads_contracts.topics import INTAKE_CASE
from thads_infra.testing import pg_connect, publish, service_process, wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
VN = timezone(timedelta(hours=7))


def auth(role: str, unit: str = "TH-01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub='cv-07')}"}


@pytest.fixture
def auctions(tmp_path):
    svc = service_process("auctions", tmp_path).start()
    yield svc
    svc.stop()


class Case:
    """Synthetic intake events of one case, with increasing versions (intake's envelope rules)."""

    def __init__(self) -> None:
        self.id, self.version = uuid.uuid4(), 10

    def env(self, model, payload, day: date):
        self.version += 1
        return model.create(payload=payload, source="intake", aggregate_id=self.id, aggregate_version=self.version,
                            case_id=self.id, unit="TH-01", actor=Actor(id="head-1", role="head", unit="TH-01"),
                            occurred_at=datetime(day.year, day.month, day.day, 9, tzinfo=VN),
                            recorded_at=datetime.now(VN), source_position=time.time_ns() // 1000 + self.version)


async def twice(env) -> None:
    await publish(INTAKE_CASE, [(env.kafka_key, encode(env))] * 2)


async def asset_events(asset_id: uuid.UUID) -> list[str]:
    conn = await pg_connect()
    try:
        rows = await conn.fetch("SELECT topic FROM auctions.auctions_events WHERE originator_id = $1"
                                " ORDER BY originator_version", asset_id)
    finally:
        await conn.close()
    return [r["topic"].rsplit(".", 1)[-1] for r in rows]


async def test_seizure_suspension_continuation_termination_each_applied_once(auctions):
    case, item = Case(), uuid.uuid4()
    asset_id = uuid.uuid5(case.id, "seizure/9/QĐ-CC")
    await twice(case.env(i.SeizureOrdered, i.SeizureOrderedPayload(
        asset_id=asset_id, asset_kind="real_estate", asset_description="Nhà và đất số 5 Lê Lai",
        claim_item_ids=(item,), decision_number="9/QĐ-CC", ordered_on=date(2026, 3, 2)), date(2026, 3, 2)))
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as c:
        async def seized():
            r = await c.get(f"/assets/{asset_id}", headers=auth("head"))
            return r.json() if r.status_code == 200 else None
        assert (await wait_until(seized, what="asset opened"))["kind"] == "real_estate"
        await c.post(f"/assets/{asset_id}/valuation", json={"method": "agreed", "price_vnd": 900_000_000,
                     "valued_on": "2026-03-03"}, headers=auth("officer"))
        r = await c.post(f"/assets/{asset_id}/auctions", json={
            "announced_on": "2026-03-04", "second_announced_on": "2026-03-06", "auction_on": "2026-03-25", "deposit_vnd": 90_000_000,
            "place": "Chi cục", "organiser": "Chấp hành viên", "no_organisation_available": True}, headers=auth("officer"))
        assert r.status_code == 200, r.text

        await twice(case.env(i.CaseSuspended, i.CaseSuspendedPayload(
            ground="cassation_or_retrial_protest", decision_number="3/QĐ-HTHA", suspended_on=date(2026, 3, 10)),
            date(2026, 3, 10)))

        async def paused():
            body = (await c.get(f"/assets/{asset_id}", headers=auth("head"))).json()
            return body if body["case_paused"] else None
        body = await wait_until(paused, what="asset paused by the suspension")
        assert body["status"] == "valued", "the announced round is postponed"
        refused = await c.post(f"/assets/{asset_id}/auctions", json={
            "announced_on": "2026-03-11", "second_announced_on": "2026-03-13", "auction_on": "2026-04-01", "deposit_vnd": 90_000_000,
            "place": "Chi cục", "organiser": "Công ty đấu giá"}, headers=auth("officer"))
        assert refused.status_code == 409 and refused.json()["rule"] == "case.paused"
        notices = (await c.get("/public/auction-notices")).json()["items"]
        assert str(asset_id) not in {n["asset_id"] for n in notices}, "a postponed round is no longer on notice"

        await twice(case.env(i.CaseContinued, i.CaseContinuedPayload(
            resumed_from="suspended", decision_number="4/QĐ-CTHADS", continued_on=date(2026, 3, 20)),
            date(2026, 3, 20)))
        await twice(case.env(i.CaseTerminatedV2, i.CaseTerminatedV2Payload(
            ground="creditor_waived_or_parties_agreed", decision_number="5/QĐ-CTHADS",
            terminated_on=date(2026, 3, 30)), date(2026, 3, 30)))

        async def cancelled():
            body = (await c.get(f"/assets/{asset_id}", headers=auth("head"))).json()
            return body if body["status"] == "cancelled" else None
        await wait_until(cancelled, what="asset cancelled by the termination")
    assert await asset_events(asset_id) == ["Seized", "Valued", "AuctionAnnounced", "PausedForCase",
                                            "ResumedForCase", "CancelledForCase"]


def bank(code: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token('bank', 'TH-01', sub=f'{code}-hq', bank=code)}"}


async def test_a_bank_reads_the_assets_of_a_case_where_it_is_a_party_and_no_other(auctions):
    """Intake's PartyAdded with a bank code (delivered twice) fills the case_banks read model once; the
    kit's bank rule then lets that bank, and only it, read the case's assets."""
    case, item, party = Case(), uuid.uuid4(), uuid.uuid4()
    asset_id = uuid.uuid5(case.id, "seizure/21/QĐ-CC")
    await twice(case.env(i.PartyAdded, i.PartyAddedPayload(party_id=party, role="creditor", kind="organisation",
                                                           bank_code="VCB"), date(2026, 3, 1)))
    await twice(case.env(i.SeizureOrdered, i.SeizureOrderedPayload(
        asset_id=asset_id, asset_kind="real_estate", asset_description="Nhà số 9 Trần Phú",
        claim_item_ids=(item,), decision_number="21/QĐ-CC", ordered_on=date(2026, 3, 2),
        secured_creditor_party_id=party), date(2026, 3, 2)))
    async with httpx.AsyncClient(base_url=auctions.url, timeout=30) as c:
        async def seized():
            r = await c.get(f"/assets/{asset_id}", headers=auth("head"))
            return r.json() if r.status_code == 200 else None
        assert (await wait_until(seized, what="asset opened"))["secured_creditor_party_id"] == str(party)
        own = await c.get(f"/assets/{asset_id}", headers=bank("VCB"))
        own_bids = await c.get(f"/assets/{asset_id}/bids", headers=bank("VCB"))
        other = await c.get(f"/assets/{asset_id}", headers=bank("BIDV"))
        other_list = await c.get("/assets", headers=bank("VCB"))
    assert own.status_code == 200 and own.json()["case_id"] == str(case.id)
    assert own_bids.status_code == 200
    assert other.status_code == 403 and other.json()["rule"] == "read_scope.bank_own_case"
    assert other_list.status_code == 403 and other_list.json()["rule"] == "auth.role", "no office-wide list"
    conn = await pg_connect()
    try:
        rows = await conn.fetch("SELECT bank_code FROM auctions.case_banks WHERE case_id = $1", case.id)
    finally:
        await conn.close()
    assert [r["bank_code"] for r in rows] == ["VCB"]
