"""Issue 10 §6: the demo (`thads up --demo`) has bank creditors with collateral, a repayment received by
the bank (sent twice, booked once by intake) and an overdue information request; a re-run adds nothing.
Intake and recovery run as processes on the real broker and database."""
from __future__ import annotations

import random

import httpx
import pytest

from recovery_service import demo
from thads_infra.testing import wait_until
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration


def auth(role: str, **kw) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, 'TH-TPTH', sub='demo-test', **kw)}"}


async def test_demo_files_have_collateral_a_repayment_once_and_an_overdue_request(processes) -> None:
    intake = processes("intake", deadline_watch_seconds=3600)
    recovery = processes("recovery")
    seed = random.randrange(10**6)          # its own cases on a broker other runs used before
    first = await demo.run(intake.url, recovery.url, seed=seed)
    vcb, bidv = first.files
    assert (vcb["bank_code"], bidv["bank_code"]) == ("VCB", "BIDV")
    assert len(vcb["collaterals"]) == 1 and list(vcb["repayments"]) == [first.repayment_id]
    assert all(r["answered_on"] for r in vcb["information_requests"].values())
    async with httpx.AsyncClient(base_url=recovery.url, timeout=30) as rc, \
            httpx.AsyncClient(base_url=intake.url, timeout=30) as ic:
        overdue = (await rc.get("/information-requests/overdue", headers=auth("head"))).json()["items"]
        assert [o["request_id"] for o in overdue if o["case_id"] == bidv["case_id"]] == [first.overdue_request_id]
        assert not [o for o in overdue if o["case_id"] == vcb["case_id"]]

        async def booked():
            events = (await ic.get(f"/cases/{vcb['case_id']}/events", headers=auth("admin"))).json()["events"]
            got = [e for e in events if e["event"] == "MoneyCollected"]
            return got or None
        assert [e["data"]["amount_vnd"] for e in await wait_until(booked, what="intake booked the repayment")] == [20_000_000]

        again = await demo.run(intake.url, recovery.url, seed=seed)
        same = ("collaterals", "repayments", "information_requests", "claims")
        assert [{k: f[k] for k in same} for f in again.files] == [{k: f[k] for k in same} for f in first.files], \
            "a re-run adds nothing"
        events = (await ic.get(f"/cases/{vcb['case_id']}/events", headers=auth("admin"))).json()["events"]
        assert len([e for e in events if e["event"] == "MoneyCollected"]) == 1
