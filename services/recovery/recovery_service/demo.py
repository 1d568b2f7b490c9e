"""Demo data for recovery (issue 10 §6): bank creditors with collateral, a repayment received by the bank,
and an overdue information request, played through the real APIs (intake opens the cases, recovery opens
the bad-debt files from Kafka, then the bank and the team act through recovery's HTTP API).

    python -m recovery_service.demo --intake-url http://127.0.0.1:8101 --recovery-url http://127.0.0.1:8104

Two cases of its own, opened through intake's API, decided and notified:
1. VCB's secured debt of 400 M đồng: the bank reports its collateral (a house), then a repayment of 20 M
   received directly from the debtor (sent twice: booked once by intake as "paid_to_bank"); the team asks
   the bank for the debtor's account balances and the bank answers within 3 working days;
2. BIDV's debt of 250 M đồng: the team's information request (2 April 2025) is unanswered: it shows in
   GET /information-requests/overdue.
Deterministic: fixed dates, ids from the seed, and an Idempotency-Key on every command, so a re-run adds nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, uuid5

VN_TZ = timezone(timedelta(hours=7))
DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "https://thads.moj.gov.vn/demo/recovery")
DEMO_UNIT = "TH-TPTH"
RECEIVED, DECIDED, NOTIFIED = date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 6)
BANKS = (("VCB", "Ngân hàng TMCP Ngoại thương Việt Nam - Chi nhánh Thanh Hóa", 400_000_000),
         ("BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam - Chi nhánh Thanh Hóa", 250_000_000))


class DemoError(RuntimeError):
    pass


@dataclass
class Summary:
    files: list[dict[str, Any]] = field(default_factory=list)
    overdue_request_id: str = ""
    repayment_id: str = ""


def _at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ).isoformat()


class Player:
    def __init__(self, intake_url: str, recovery_url: str, seed: int, timeout: float = 60.0) -> None:
        import httpx
        self.ns = uuid5(DEMO_NAMESPACE, f"seed/{seed}")
        self.seed, self.timeout = seed, timeout
        self.intake = httpx.AsyncClient(base_url=intake_url, timeout=30)
        self.recovery = httpx.AsyncClient(base_url=recovery_url, timeout=30)

    def id(self, what: str) -> str:
        return str(uuid5(self.ns, what))

    @staticmethod
    def auth(role: str, sub: str, bank: str | None = None) -> dict[str, str]:
        from thads_infra.tokens import issue_token
        return {"Authorization": f"Bearer {issue_token(role, DEMO_UNIT, sub=sub, bank=bank, hours=2)}"}

    async def command(self, client: Any, path: str, body: dict[str, Any], headers: dict[str, str], key: str) -> Any:
        r = await client.post(path, json=body, headers=headers | {"Idempotency-Key": key})
        if r.status_code not in (200, 201):
            raise DemoError(f"POST {path}: {r.status_code} {r.text}")
        return r.json()

    async def open_case(self, n: int, bank: str, name: str, amount: int) -> tuple[str, str]:
        clerk, head = self.auth("clerk", "demo-clerk"), self.auth("head", "demo-head")
        step = 0

        async def post(path: str, body: dict[str, Any], who: dict[str, str], day: date) -> Any:
            nonlocal step
            step += 1
            return await self.command(self.intake, path, body | {"occurred_at": _at(day)}, who,
                                      self.id(f"case/{n}/step/{step}"))
        cid = (await post("/cases/requests", {
            "unit": DEMO_UNIT, "intake_ref": f"ĐƠN-NX-{self.seed}-{n + 1:03d}", "channel": "in_person",
            "judgment_number": f"{70 + n}/2024/KDTM-PT", "issuing_court": "Tòa án nhân dân tỉnh Thanh Hóa"},
            clerk, RECEIVED))["case_id"]
        creditor, debt = self.id(f"case/{n}/creditor"), self.id(f"case/{n}/debt")
        for party in ({"party_id": creditor, "role": "creditor", "kind": "credit_institution", "bank_code": bank,
                       "full_name": name},
                      {"party_id": self.id(f"case/{n}/debtor"), "role": "debtor", "kind": "individual",
                       "full_name": ("Đỗ Văn Hải", "Vũ Thị Mai")[n % 2], "address": f"{30 + n} Trần Phú, TP Thanh Hóa",
                       "id_number": f"0380911{n:05d}"}):
            await post(f"/cases/{cid}/parties", party, clerk, RECEIVED)
        await post(f"/cases/{cid}/claim-items", {"claim_item_id": debt, "kind": "credit_debt", "amount_vnd": amount,
                                                 "creditor_party_id": creditor, "secured": n == 0}, clerk, RECEIVED)
        await post(f"/cases/{cid}/decision", {"decision_no": f"{201 + n}/QĐ-CTHADS", "basis": "on_request"}, head,
                   DECIDED)
        officer_id = f"cv-nx-{n + 1:02d}"
        await post(f"/cases/{cid}/officer", {"officer_id": officer_id}, head, DECIDED)
        # notified: from here a repayment straight to the bank can be booked (intake's AFTER_NOTICE)
        await post(f"/cases/{cid}/notification", {}, self.auth("officer", officer_id), NOTIFIED)
        return cid, debt

    async def file_of(self, cid: str, bank: str) -> dict[str, Any]:
        """Waits until recovery opened the bank's file from intake's events (it consumes them from Kafka)."""
        headers = self.auth("bank", f"demo-{bank.lower()}", bank=bank)
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            r = await self.recovery.get(f"/banks/{bank}/cases/{cid}", headers=headers)
            if r.status_code == 200 and r.json()["claims"]:
                return r.json()
            if asyncio.get_running_loop().time() > deadline:
                raise DemoError(f"recovery has no {bank} file for case {cid} after {self.timeout:.0f} s: {r.text}")
            await asyncio.sleep(0.3)

    async def play(self) -> Summary:
        out = Summary()
        officer = self.auth("officer", "cv-nx-01")
        (bank_a, name_a, amount_a), (bank_b, name_b, amount_b) = BANKS
        cid_a, debt_a = await self.open_case(0, bank_a, name_a, amount_a)
        cid_b, _ = await self.open_case(1, bank_b, name_b, amount_b)
        file_a, file_b = await self.file_of(cid_a, bank_a), await self.file_of(cid_b, bank_b)
        vcb = self.auth("bank", "demo-vcb", bank=bank_a)
        await self.command(self.recovery, f"/banks/{bank_a}/collaterals", {
            "case_id": cid_a, "collateral_id": self.id("collateral/0"), "kind": "real_estate",
            "description": "Nhà và đất thửa 215, tờ bản đồ 12, phường Điện Biên (hợp đồng thế chấp 08/2022/HĐTC)",
            "value_vnd": 650_000_000, "claim_item_ids": [debt_a], "reported_on": "2025-03-10"}, vcb, self.id("k/collateral"))
        out.repayment_id = self.id("repayment/0")
        repayment = {"case_id": cid_a, "repayment_id": out.repayment_id, "claim_item_id": debt_a,
                     "amount_vnd": 20_000_000, "received_on": "2025-03-20", "bank_reference": "VCB-TH-20250320-0042"}
        for _ in range(2):          # a bank resending: the original answer, booked once
            await self.command(self.recovery, f"/banks/{bank_a}/repayments", repayment, vcb, self.id("k/repayment"))
        answered = self.id("request/0")
        await self.command(self.recovery, f"/files/{file_a['file_id']}/information-requests", {
            "request_id": answered, "subject": "Số dư các tài khoản của người phải thi hành án tại ngân hàng",
            "requested_on": "2025-03-26"}, officer, self.id("k/request/0"))
        await self.command(self.recovery, f"/banks/{bank_a}/information-requests/{answered}/answer", {
            "case_id": cid_a, "answer": "Tài khoản thanh toán số dư 12.450.000 đồng (ngày 27/3/2025)",
            "answered_on": "2025-03-27"}, vcb, self.id("k/answer/0"))
        out.overdue_request_id = self.id("request/1")
        await self.command(self.recovery, f"/files/{file_b['file_id']}/information-requests", {
            "request_id": out.overdue_request_id, "subject": "Số dư tài khoản và khoản vay của người phải thi hành án",
            "requested_on": "2025-04-02"}, officer, self.id("k/request/1"))
        out.files = [await self.file_of(cid_a, bank_a), await self.file_of(cid_b, bank_b)]
        return out

    async def close(self) -> None:
        await self.intake.aclose()
        await self.recovery.aclose()


async def run(intake_url: str, recovery_url: str, seed: int = 2018, timeout: float = 60.0) -> Summary:
    player = Player(intake_url, recovery_url, seed, timeout)
    try:
        return await player.play()
    finally:
        await player.close()


def main(argv: list[str] | None = None) -> int:
    import httpx
    p = argparse.ArgumentParser(prog="python -m recovery_service.demo",
                                description="Tạo dữ liệu mẫu: hồ sơ nợ xấu của ngân hàng, tài sản bảo đảm, khoản trả nợ "
                                            "trực tiếp và yêu cầu cung cấp thông tin quá hạn, nhập qua API.")
    p.add_argument("--intake-url", default="http://127.0.0.1:8101")
    p.add_argument("--recovery-url", default="http://127.0.0.1:8104")
    p.add_argument("--seed", type=int, default=2018)
    args = p.parse_args(argv)
    try:
        summary = asyncio.run(run(args.intake_url, args.recovery_url, args.seed))
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, httpx.TransportError) as exc:
        print(f"error: cannot reach the services: {exc!r}", file=sys.stderr)
        return 1
    for f in summary.files:
        print(f"{f['bank_code']:6} {f['case_id']}  tài sản bảo đảm {len(f['collaterals'])}  trả nợ {len(f['repayments'])}"
              f"  yêu cầu thông tin {len(f['information_requests'])}")
    print(f"{len(summary.files)} hồ sơ nợ xấu; yêu cầu quá hạn {summary.overdue_request_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
