"""Auctions' bulk import (`POST /import`, thads_kit.bulk_import) on the real broker and database: a file
of several assets (one recorded in the file and named by `bind`, one existing named by its UUID) is
answered line by line in order and recorded with each line's business time; the same file again
changes nothing (same answers, no new event); bad lines get their 4xx and stop the later lines of their
asset only; a head imports into his own office only, and only a head imports."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from thads_contracts.topics import AUCTIONS_ASSET
from thads_infra.testing import read_topic, service_process, wait_until
from thads_infra.testing import send_import as send, count_events
from thads_infra.tokens import issue_token

pytestmark = pytest.mark.integration
UNIT, ORG = "TH-01", "DGTS-TH-01"


def auth(role: str, unit: str = UNIT, sub: str = "tt-01") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, unit, sub=sub)}"}


def at(day: str) -> str:
    return f"{day}T09:00:00+07:00"


@pytest.fixture
def auctions(tmp_path):
    svc = service_process("auctions", tmp_path).start()
    yield svc
    svc.stop()


async def events_of(ids: list[str]) -> int:
    return await count_events("auctions.auctions_events", ids)


def seizure(tag: str, bind: str, case_id: str, item: str, **body) -> dict:
    return {"command_id": f"{tag}/{bind}/1", "path": "/assets", "role": "officer", "actor": "cv-07", "bind": bind,
            "body": {"case_id": case_id, "kind": "movable", "description": "Xe ô tô tải",
                     "claim_item_ids": [item], "decision_number": f"{bind}/QĐ-CC", "seized_on": "2018-03-02",
                     "occurred_at": at("2018-03-02")} | body}


def step(tag: str, ref: str, n: int, path: str, body: dict, day: str, role: str = "officer", actor: str = "cv-07") -> dict:
    return {"command_id": f"{tag}/{ref[:8]}/{n}", "path": f"/assets/{{asset}}/{path}", "asset": ref, "role": role,
            "actor": actor, "body": body | {"occurred_at": at(day)}}


async def test_a_file_of_assets_is_answered_in_order_recorded_with_its_business_time_and_resent_changes_nothing(auctions):
    tag = uuid.uuid4().hex[:8]
    case_id, item = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=auctions.url, timeout=120) as c:
        r = await c.post("/assets", headers=auth("officer", sub="cv-07"), json={
            "case_id": case_id, "kind": "movable", "description": "Máy xúc", "claim_item_ids": [item],
            "decision_number": f"{tag}/QĐ-KB", "seized_on": "2018-03-01"})
        assert r.status_code == 200, r.text
        existing = r.json()["asset_id"]          # an asset the service already holds (as from intake's SeizureOrdered)
        contract = {"organisation": "Công ty đấu giá hợp danh Thanh Hóa", "organisation_id": ORG,
                    "contracted_on": "2018-03-11", "parties_agreed_on": "2018-03-11"}
        round_1 = {"announced_on": "2018-03-11", "second_announced_on": "2018-03-13", "auction_on": "2018-03-25",
                   "deposit_vnd": 20_000_000, "place": "Trụ sở Chi cục THADS", "organiser": "Công ty đấu giá"}
        lines = [
            seizure(tag, "a", case_id, item),
            step(tag, existing, 1, "valuation", {"method": "agreed", "price_vnd": 90_000_000, "valued_on": "2018-03-09"},
                 "2018-03-09"),
            step(tag, "a", 2, "valuation", {"method": "valuer", "price_vnd": 200_000_000, "valued_on": "2018-03-10",
                                            "valuer_contracted_on": "2018-03-05"}, "2018-03-10"),
            step(tag, "a", 3, "organisation-contract", contract, "2018-03-11"),
            step(tag, "a", 4, "auctions", round_1, "2018-03-11", role="organisation", actor=ORG),
            step(tag, existing, 2, "organisation-contract", contract, "2018-03-12"),
        ]
        head = auth("head")
        answers = await send(c, lines, head)
        assert [a["line"] for a in answers] == [1, 2, 3, 4, 5, 6]
        assert [a["status"] for a in answers] == [200] * 6, answers
        bound = answers[0]["asset_id"]
        assert bound == str(uuid.uuid5(uuid.UUID(case_id), "seizure/a/QĐ-CC"))
        assert [a["asset_id"] for a in answers] == [bound, existing, bound, bound, bound, existing]
        assert answers[4]["body"]["status"] == "announced"
        state = (await c.get(f"/assets/{bound}", headers=head)).json()
        assert state["status"] == "announced" and state["version"] == 4

        # the business time is the published event's occurred_at (the public notice); the recording time is now
        async def published() -> list:
            return [e for e in (json.loads(m.value) for m in await read_topic(AUCTIONS_ASSET, key=case_id.encode()))
                    if e["aggregate_id"] == bound]
        found = await wait_until(published, timeout=120, what="the imported announcement published")
        assert [(e["event_type"], e["occurred_at"]) for e in found] == [
            ("auctions.AuctionAnnounced.v1", "2018-03-11T09:00:00+07:00")]
        assert found[0]["actor"] == {"id": ORG, "role": "organisation", "unit": UNIT}
        recorded = datetime.fromisoformat(found[-1]["recorded_at"])
        assert datetime.now(timezone.utc) - recorded < timedelta(hours=1)

        # the same file again: the same answers, no new event
        count = await events_of([bound, existing])
        assert count == 4 + 1 + 2
        again = await send(c, lines, head)
        assert again == answers
        assert await events_of([bound, existing]) == count


async def test_bad_lines_stop_their_asset_only_and_only_a_head_imports_into_his_office(auctions):
    tag = uuid.uuid4().hex[:8]
    case_id, item = str(uuid.uuid4()), str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=auctions.url, timeout=120) as c:
        valuation = {"method": "agreed", "price_vnd": 90_000_000, "valued_on": "2018-03-09"}
        no_time = step(tag, "d", 1, "valuation", valuation, "2018-03-09")
        del no_time["body"]["occurred_at"]
        lines = [
            "{not json",
            seizure(tag, "b", case_id, item),
            step(tag, "b", 2, "price-cuts", {"new_starting_price_vnd": 80_000_000, "decided_on": "2018-03-10"},
                 "2018-03-10"),                                                       # refused: nothing to cut yet
            step(tag, "b", 3, "valuation", valuation, "2018-03-11"),                 # 424
            seizure(tag, "c", case_id, item),
            step(tag, "c", 2, "valuation", valuation, "2018-03-09"),                 # unaffected
            seizure(tag, "d", case_id, item),
            no_time,                                                                 # 422 occurred_at
            step(tag, "d", 3, "valuation", valuation, "2018-03-12"),                 # 424
            {**step(tag, "e", 1, "valuation", valuation, "2018-03-09"), "path": "/cases/{asset}/valuation"},
            step(tag, "e", 2, "nowhere", valuation, "2018-03-09") | {"asset": str(uuid.uuid4())},   # no such route
        ]
        answers = await send(c, lines, auth("head"))
        assert [a["status"] for a in answers] == [400, 200, 409, 424, 200, 200, 200, 422, 424, 422, 404], answers
        rules = [a["body"].get("rule") if isinstance(a["body"], dict) else None for a in answers]
        assert rules[0] == "import.line_shape" and rules[3] == rules[8] == "import.earlier_line_failed"
        assert rules[2] and not rules[2].startswith("import."), rules[2]     # the domain's rule, named
        assert rules[7] == "import.occurred_at" and rules[9] == "import.path"
        b, c_, d = answers[1]["asset_id"], answers[4]["asset_id"], answers[6]["asset_id"]
        states = {x: (await c.get(f"/assets/{x}", headers=auth("head"))).json() for x in (b, c_, d)}
        assert (states[b]["status"], states[b]["version"]) == ("seized", 1), "the refused line and the 424 wrote nothing"
        assert states[c_]["version"] == 2 and states[d]["version"] == 1
        count = await events_of([b, c_, d])

        # a head of another office: every line is refused by the office binding, nothing written
        other = await send(c, [step(tag, b, 9, "valuation", valuation, "2018-03-20"),
                               step(tag, c_, 9, "organisation-contract", {"organisation": "Công ty đấu giá",
                                                                          "contracted_on": "2018-03-20"}, "2018-03-20")],
                           auth("head", "TH-02", "tt-02"))
        assert [(a["status"], a["body"]["rule"]) for a in other] == [(403, "asset.other_office")] * 2, other
        # only a head posts a file
        for role in ("officer", "clerk", "organisation", "admin"):
            r = await c.post("/import", content=json.dumps(step(tag, b, 10, "valuation", valuation, "2018-03-20")),
                             headers=auth(role))
            assert (r.status_code, r.json()["rule"]) == (403, "auth.role"), role
        assert await events_of([b, c_, d]) == count
