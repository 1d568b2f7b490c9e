"""Demo data for auctions: seized assets of OPEN demo cases taken through valuation and sale, played
through the real APIs (intake orders the seizure, auctions opens the asset from Kafka, then every
step goes through the auctions HTTP API).

    python -m auctions_service.demo --intake-url http://127.0.0.1:8101 --auctions-url http://127.0.0.1:8102

Which cases: five OPEN (ENFORCING) demo cases of their own, opened through intake's API (a bank's
debt and a court fee on a request, decided, assigned, notified, verified with conditions), so intake's
own demo cases (historical, most completed) keep their planned course and a sale's money lands on a
case still open, booked once on its claim item. Each case gets one asset, in this order:

1. a car: round 1 fails, the price is cut 10 %, round 2 sells; deposits refunded, the winner pays
   (enforcement costs deducted: ProceedsTransferred.v2's split), handed over;
2. a house: two failed rounds, two cuts, the creditor takes it against the debt (Art. 104(3));
3. a truck: auction organisation contracted, round 1 sells at once; paid and handed over;
4. a plot of land: round 1 fails, cut, round 2 announced (it shows in the public notices);
5. perishable goods sold without auction within 5 working days (Art. 101(4)).

Deterministic: the dates are fixed (2025), ids, intake references and prices derive from the seed
and the case's number, and every command carries an Idempotency-Key derived from (seed, case,
step), so a re-run changes nothing (the services answer each retried command with its original
result).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

VN_TZ = timezone(timedelta(hours=7))
DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "https://thads.moj.gov.vn/demo/auctions")
DEMO_ORGANISATION = "DGTS-TH-01"      # the auction organisation's id (its token's subject)
DEFAULT_INTAKE_URL = "http://127.0.0.1:8101"
DEFAULT_AUCTIONS_URL = "http://127.0.0.1:8102"
FIRST_SEIZURE = date(2025, 4, 1)              # a Tuesday: every demo case's seizure
MIN_OUTSTANDING_VND = 30_000_000
DECISION_BASE, DECISION_SUFFIX = 60, "/QĐ-CCTHADS-KB"     # the seizure of demo asset n is (60 + n)/QĐ-CCTHADS-KB
DEMO_UNIT = "TH-TPTH"
CASE_DAYS = {"received": date(2025, 3, 3), "decided": date(2025, 3, 5), "notified": date(2025, 3, 6),
             "verifying": date(2025, 3, 20), "verified": date(2025, 3, 25)}
SCENARIOS = ("sold_after_cut", "taken_by_creditor", "sold_first_round", "announced_after_cut",
             "sold_without_auction")
EXPECTED_STATUS = {"sold_after_cut": "sold", "taken_by_creditor": "taken_by_creditor",
                   "sold_first_round": "sold", "announced_after_cut": "announced",
                   "sold_without_auction": "sold"}


class DemoError(RuntimeError):
    pass


@dataclass
class Outcome:
    case_id: str
    asset_id: str
    scenario: str
    status: str
    claim_item_id: str
    proceeds_vnd: int = 0          # net of the enforcement costs, booked on the case
    taken_vnd: int = 0


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)


def _at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ).isoformat()


def _round_m(amount: float) -> int:
    """Down to the million đồng."""
    return int(amount) // 1_000_000 * 1_000_000


class Player:
    def __init__(self, intake_url: str, auctions_url: str, timeout: float = 60.0, seed: int = 2018) -> None:
        import httpx
        self.seed, self.ns = seed, uuid5(DEMO_NAMESPACE, f"seed/{seed}")
        self.intake = httpx.AsyncClient(base_url=intake_url, timeout=30)
        self.auctions = httpx.AsyncClient(base_url=auctions_url, timeout=30)
        self.timeout = timeout
        self.tokens: dict[tuple[str, str, str], str] = {}

    async def close(self) -> None:
        await self.intake.aclose()
        await self.auctions.aclose()

    def auth(self, role: str, unit: str, sub: str) -> dict[str, str]:
        from thads_infra.tokens import issue_token
        key = (role, unit, sub)
        if key not in self.tokens:
            self.tokens[key] = issue_token(role, unit, sub=sub, hours=12)
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def command(self, client: Any, path: str, body: dict[str, Any], headers: dict[str, str], key: str) -> Any:
        r = await client.post(path, json=body, headers=headers | {"Idempotency-Key": key})
        if r.status_code not in (200, 201):
            raise DemoError(f"POST {path}: {r.status_code} {r.text}")
        return r.json()

    async def case(self, case_id: str) -> dict[str, Any]:
        r = await self.intake.get(f"/cases/{case_id}", headers=self.auth("admin", "TH", "demo-auctions"))
        if r.status_code != 200:
            raise DemoError(f"GET /cases/{case_id}: {r.status_code} {r.text}")
        return r.json()

    async def open_case(self, n: int) -> dict[str, Any]:
        """Opens (idempotently) demo case n through intake's API: a bank's debt and a court fee on a
        request, the decision, the officer, the notice, verification with conditions: ENFORCING.
        The auctions demo has cases of its own, so intake's own demo cases keep their planned course."""
        ns = lambda what: str(uuid5(self.ns, f"case/{n}/{what}"))      # noqa: E731
        clerk, head = self.auth("clerk", DEMO_UNIT, "demo-clerk"), self.auth("head", DEMO_UNIT, "demo-head")
        officer_id = f"cv-dg-{n:02d}"
        officer = self.auth("officer", DEMO_UNIT, officer_id)
        steps = 0

        async def post(path: str, body: dict[str, Any], who: dict[str, str], day: date) -> Any:
            nonlocal steps
            steps += 1
            return await self.command(self.intake, path, body | {"occurred_at": _at(day)}, who,
                                      str(uuid5(self.ns, f"case/{n}/step/{steps}")))

        cid = (await post("/cases/requests", {
            "unit": DEMO_UNIT, "intake_ref": f"ĐƠN-ĐG-{self.seed}-{n + 1:03d}", "channel": "in_person",
            "judgment_number": f"{45 + n}/2024/KDTM-PT", "issuing_court": "Tòa án nhân dân tỉnh Thanh Hóa"},
            clerk, CASE_DAYS["received"]))["case_id"]
        creditor, state, debtor = ns("creditor"), ns("state"), ns("debtor")
        for party in ({"party_id": creditor, "role": "creditor", "kind": "credit_institution", "bank_code": "VCB",
                       "full_name": "Ngân hàng TMCP Ngoại thương Việt Nam - CN Thanh Hóa"},
                      {"party_id": state, "role": "creditor", "kind": "state", "full_name": "Ngân sách nhà nước"},
                      {"party_id": debtor, "role": "debtor", "kind": "individual",
                       "full_name": ("Lê Văn Bình", "Nguyễn Thị Hoa", "Trần Văn Nam", "Phạm Thị Lan", "Hoàng Văn Tùng")[n % 5],
                       "address": f"{12 + n} Lê Lợi, TP Thanh Hóa", "id_number": f"0380900{n:05d}"}):
            await post(f"/cases/{cid}/parties", party, clerk, CASE_DAYS["received"])
        debt = ns("debt")
        await post(f"/cases/{cid}/claim-items", {"claim_item_id": debt, "kind": "credit_debt",
                                                 "amount_vnd": 300_000_000 + 100_000_000 * n,
                                                 "creditor_party_id": creditor, "secured": False}, clerk,
                   CASE_DAYS["received"])
        await post(f"/cases/{cid}/claim-items", {"claim_item_id": ns("fee"), "kind": "court_fee",
                                                 "amount_vnd": 5_000_000, "creditor_party_id": state}, clerk,
                   CASE_DAYS["received"])
        await post(f"/cases/{cid}/decision", {"decision_no": f"{101 + n}/QĐ-CTHADS", "basis": "on_request"}, head,
                   CASE_DAYS["decided"])
        await post(f"/cases/{cid}/officer", {"officer_id": officer_id}, head, CASE_DAYS["decided"])
        await post(f"/cases/{cid}/notification", {}, officer, CASE_DAYS["notified"])
        await post(f"/cases/{cid}/verification/start", {}, officer, CASE_DAYS["verifying"])
        await post(f"/cases/{cid}/verification", {"outcome": "with_conditions"}, officer, CASE_DAYS["verified"])
        case = await self.case(cid)
        case["chosen_item"] = next(i for i in case["claim_items"] if i["id"] == debt)
        return case

    async def wait_asset(self, asset_id: str, headers: dict[str, str]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            r = await self.auctions.get(f"/assets/{asset_id}", headers=headers)
            if r.status_code == 200:
                return r.json()
            if loop.time() > deadline:
                raise DemoError(f"asset {asset_id} did not reach auctions from intake's SeizureOrdered "
                                f"within {self.timeout:.0f} s (is the auctions consumer running?)")
            await asyncio.sleep(0.5)

    async def play(self, index: int, case: dict[str, Any]) -> Outcome:
        scenario = SCENARIOS[index % len(SCENARIOS)]
        cid, unit, officer_id = case["case_id"], case["unit"], case["officer_id"]
        item = case["chosen_item"]
        officer = self.auth("officer", unit, officer_id)
        step = 0

        def key() -> str:
            nonlocal step
            step += 1
            return str(uuid5(self.ns, f"{cid}/{step}"))

        seized = FIRST_SEIZURE
        kind = "real_estate" if scenario in ("taken_by_creditor", "announced_after_cut") else "movable"
        description = {"sold_after_cut": "Xe ô tô con, biển kiểm soát 36A-{:03d}.{:02d}",
                       "taken_by_creditor": "Nhà và quyền sử dụng đất, thửa số {}, tờ bản đồ số {}",
                       "sold_first_round": "Xe ô tô tải, biển kiểm soát 36C-{:03d}.{:02d}",
                       "announced_after_cut": "Quyền sử dụng đất, thửa số {}, tờ bản đồ số {}",
                       "sold_without_auction": "Lô nông sản tươi (vải thiều) {} thùng, kho số {}"}[scenario]
        description = description.format(100 + index * 7 % 900, 10 + index % 89)
        decision_no = f"{DECISION_BASE + index}{DECISION_SUFFIX}"
        await self.command(self.intake, f"/cases/{cid}/seizures", {
            "decision_no": decision_no, "asset_description": description, "asset_kind": kind,
            "claim_item_ids": [item["id"]], "occurred_at": _at(seized)}, officer, key())
        asset_id = str(uuid5(UUID(cid), f"seizure/{decision_no}"))
        opened = await self.wait_asset(asset_id, officer)
        a = f"/assets/{asset_id}"
        # The valuation: from what the item owes, or, on a re-run, the price the earlier run set (the
        # item owes less once the sale is booked; the same request bodies keep the retries identical).
        earlier_price = (opened["rounds"][0]["starting_price_vnd"] if opened["rounds"]
                         else opened["starting_price_vnd"])
        out = Outcome(cid, asset_id, scenario, "", item["id"])

        async def act(path: str, body: dict[str, Any], day: date) -> dict[str, Any]:
            return await self.command(self.auctions, f"{a}/{path}", body | {"occurred_at": _at(day)}, officer, key())

        async def round_(price: int, announced: date, *, bidders: tuple[str, ...] = (), bids: tuple[int, ...] = (),
                         close: bool = True) -> date:
            auction_on = announced + timedelta(days=28)
            await act("auctions", {"announced_on": announced.isoformat(),
                                   "second_announced_on": (announced + timedelta(days=7)).isoformat(),
                                   "auction_on": auction_on.isoformat(), "deposit_vnd": price // 10,
                                   "place": "Trụ sở Chi cục Thi hành án dân sự",
                                   "organiser": "Công ty đấu giá hợp danh Thanh Hóa"}, announced)
            for b in bidders:
                await act("bidders", {"bidder_id": b, "deposit_paid_vnd": price // 10}, announced + timedelta(days=27))
            for n, amount in enumerate(bids):
                await act("bids", {"bidder_id": bidders[n % len(bidders)], "amount_vnd": amount}, auction_on)
            if close:
                await act("close", {"closed_on": auction_on.isoformat()}, auction_on)
            return auction_on

        async def cut(price: int, after: date) -> int:
            new = price - price // 10
            await act("price-cuts", {"new_starting_price_vnd": new, "decided_on": (after + timedelta(days=5)).isoformat()},
                      after + timedelta(days=5))
            return new

        async def pay(price: int, closed: date, costs: int) -> None:
            await act("deposit-refunds", {"refunded_on": (closed + timedelta(days=1)).isoformat()},
                      closed + timedelta(days=1))
            await act("payment", {"amount_vnd": price, "paid_on": (closed + timedelta(days=10)).isoformat(),
                                  "enforcement_costs_vnd": costs}, closed + timedelta(days=10))
            await act("handover", {"handed_over_on": (closed + timedelta(days=30)).isoformat()},
                      closed + timedelta(days=30))
            out.proceeds_vnd = price - costs

        valued = seized + timedelta(days=2)
        if scenario == "sold_without_auction":
            await act("valuation", {"method": "officer", "price_vnd": 1_500_000, "valued_on": valued.isoformat()},
                      valued)
            sold = seized + timedelta(days=3)
            await act("sale-without-auction", {"buyer_id": "NM-{:03d}".format(index), "price_vnd": 1_600_000,
                                               "sold_on": sold.isoformat(), "enforcement_costs_vnd": 100_000}, sold)
            await act("handover", {"handed_over_on": sold.isoformat()}, sold)
            out.proceeds_vnd = 1_500_000
        else:
            share = {"sold_after_cut": 0.6, "taken_by_creditor": 0.9, "sold_first_round": 0.5,
                     "announced_after_cut": 0.7}[scenario]
            price = earlier_price or _round_m(item["outstanding_vnd"] * share)
            await act("valuation", {"method": "agreed", "price_vnd": price, "valued_on": valued.isoformat()}, valued)
            announced = valued + timedelta(days=4)
            if (await self.auctions.get(a, headers=officer)).json()["sale_path"] == "auction_organisation":
                # the parties chose the organisation the day after the valuation (within their 5 WD)
                await act("organisation-contract", {"organisation": "Công ty đấu giá hợp danh Thanh Hóa",
                                                    "organisation_id": DEMO_ORGANISATION,
                                                    "parties_agreed_on": (valued + timedelta(days=1)).isoformat(),
                                                    "contracted_on": (valued + timedelta(days=3)).isoformat()},
                          valued + timedelta(days=3))
            if scenario == "sold_first_round":
                hammer = price + 2_000_000
                closed = await round_(price, announced, bidders=("DG-01", "DG-02"), bids=(price, price + 1_000_000,
                                                                                          hammer))
                await pay(hammer, closed, 3_000_000)
            elif scenario == "sold_after_cut":
                failed = await round_(price, announced)
                price = await cut(price, failed)
                hammer = price + 2_000_000
                closed = await round_(price, failed + timedelta(days=6), bidders=("DG-11", "DG-12", "DG-13"),
                                      bids=(price, price + 1_000_000, hammer))
                await pay(hammer, closed, 2_000_000)
            elif scenario == "taken_by_creditor":
                day = announced
                for _ in range(2):
                    failed = await round_(price, day)
                    price = await cut(price, failed)
                    day = failed + timedelta(days=6)
                accepted = day
                await act("creditor-acceptance", {"creditor_party_id": item["creditor_party_id"],
                                                  "claim_item_id": item["id"], "accepted_on": accepted.isoformat()},
                          accepted)
                taken = accepted + timedelta(days=31)        # after the debtor's 30 days (Art. 104(3))
                await act("creditor-takes", {"creditor_party_id": item["creditor_party_id"],
                                             "claim_item_id": item["id"], "taken_on": taken.isoformat()}, taken)
                out.taken_vnd = price
            else:                                             # announced_after_cut
                failed = await round_(price, announced)
                price = await cut(price, failed)
                await round_(price, failed + timedelta(days=6), close=False)
        r = await self.auctions.get(a, headers=officer)
        out.status = r.json()["status"]
        if out.status != EXPECTED_STATUS[scenario]:
            raise DemoError(f"asset {asset_id} ({scenario}) ended {out.status}, not {EXPECTED_STATUS[scenario]}")
        return out


async def run(intake_url: str, auctions_url: str, assets: int = 5, timeout: float = 60.0,
              seed: int = 2018) -> Summary:
    player = Player(intake_url, auctions_url, timeout, seed)
    try:
        summary = Summary()
        for n in range(assets):                      # one after the other: the order is the demo's
            summary.outcomes.append(await player.play(n, await player.open_case(n)))
        return summary
    finally:
        await player.close()


def main(argv: list[str] | None = None) -> int:
    import httpx
    p = argparse.ArgumentParser(prog="python -m auctions_service.demo",
                                description="Tạo dữ liệu mẫu: tài sản kê biên của các việc đang thi hành, "
                                            "qua thẩm định giá và bán đấu giá, nhập qua API.")
    p.add_argument("--intake-url", default=DEFAULT_INTAKE_URL)
    p.add_argument("--auctions-url", default=DEFAULT_AUCTIONS_URL)
    p.add_argument("--assets", type=int, default=5, help="how many assets (one per open case; default 5)")
    p.add_argument("--seed", type=int, default=2018, help="same seed, same cases and ids (default 2018)")
    args = p.parse_args(argv)
    try:
        summary = asyncio.run(run(args.intake_url, args.auctions_url, args.assets, seed=args.seed))
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, httpx.TransportError) as exc:
        print(f"error: cannot reach the services: {exc!r}", file=sys.stderr)
        return 1
    for o in summary.outcomes:
        print(f"{o.scenario:22} {o.asset_id}  {o.status:18} thu {o.proceeds_vnd:>14,} nhận {o.taken_vnd:>14,}")
    print(f"{len(summary.outcomes)} tài sản kê biên")
    return 0


if __name__ == "__main__":
    sys.exit(main())
