"""Demo data for complaints, denunciations and citizen reception, played through the real APIs:
intake orders the seizures the complaints are about (the complaints service learns them from
thads.intake.case), then every step goes through the complaints HTTP API.

    python -m complaints_service.demo --intake-url http://127.0.0.1:8101 --complaints-url http://127.0.0.1:8103

1. a complaint at BOTH levels: a seizure of 1/4/2025 by an officer of the district office TH-TPTH
   (before the reform: its head decides first, the province head second); rejected, complained of
   again within 15 days, partly upheld at second instance → a correction request recorded by intake;
2. a LATE complaint (after its 30 days) about a seizure of 2/3/2026: not accepted, time expired;
3. an OVERDUE one: accepted by the province head (after 1/7/2025 the province decides first) and left
   undecided past its 30 days: the deadline watcher records DeadlineMissed, it shows in GET /overdue;
4. a reception day of the province head with a petition about a regional office's handling (that
   office's business): vượt cấp, forwarded;
5. a denunciation of an officer, and a group denunciation (6 people, 2 representatives) of a head,
   handled by the level above.
Deterministic: fixed dates, ids and references from the seed, an Idempotency-Key per step, so a
re-run adds nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

VN_TZ = timezone(timedelta(hours=7))
DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "https://thads.moj.gov.vn/demo/complaints")
DISTRICT = "TH-TPTH"            # a district office before 1/7/2025
REGIONAL = "TH-KV01"            # a regional office after it
PROVINCE = "TH"


class DemoError(RuntimeError):
    pass


def _at(day: date, hour: int = 9) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ).isoformat()


def _event_id(case_id: str, version: int) -> str:
    from thads_contracts.envelope import make_event_id
    return str(make_event_id("intake", case_id, version))


class Player:
    def __init__(self, intake_url: str, complaints_url: str, seed: int = 2018, timeout: float = 90.0) -> None:
        import httpx
        self.ns = uuid5(DEMO_NAMESPACE, f"seed/{seed}")
        self.seed, self.timeout = seed, timeout
        self.intake = httpx.AsyncClient(base_url=intake_url, timeout=30)
        self.complaints = httpx.AsyncClient(base_url=complaints_url, timeout=30)
        self.tokens: dict[tuple[str, str, str], str] = {}

    async def close(self) -> None:
        await self.intake.aclose()
        await self.complaints.aclose()

    def auth(self, role: str, unit: str, sub: str | None = None) -> dict[str, str]:
        from thads_infra.tokens import issue_token
        key = (role, unit, sub or f"demo-{role}-{unit}")
        if key not in self.tokens:
            self.tokens[key] = issue_token(role, unit, sub=key[2], hours=12)
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def command(self, client: Any, path: str, body: dict[str, Any], headers: dict[str, str], key: str) -> Any:
        r = await client.post(path, json=body, headers=headers | {"Idempotency-Key": str(uuid5(self.ns, key))})
        if r.status_code not in (200, 201):
            raise DemoError(f"POST {path}: {r.status_code} {r.text}")
        return r.json()

    async def seizure(self, n: int, unit: str, days: dict[str, date]) -> tuple[str, str]:
        """A case opened, decided, verified and seized through intake's API; returns (case id, the
        SeizureOrdered event id)."""
        clerk, head = self.auth("clerk", unit), self.auth("head", unit)
        officer_id = f"cv-kn-{n:02d}"
        officer = self.auth("officer", unit, officer_id)
        step = 0

        async def post(path: str, body: dict[str, Any], who: dict[str, str], day: date) -> Any:
            nonlocal step
            step += 1
            return await self.command(self.intake, path, body | {"occurred_at": _at(day)}, who, f"case/{n}/{step}")

        cid = (await post("/cases/requests", {
            "unit": unit, "intake_ref": f"ĐƠN-KN-{self.seed}-{n:03d}", "channel": "in_person",
            "judgment_number": f"{20 + n}/2024/DS-ST", "issuing_court": "Tòa án nhân dân tỉnh Thanh Hóa"},
            clerk, days["received"]))["case_id"]
        creditor, debtor, debt = (str(uuid5(self.ns, f"case/{n}/{w}")) for w in ("creditor", "debtor", "debt"))
        for party in ({"party_id": creditor, "role": "creditor", "kind": "individual", "full_name": "Đỗ Văn Minh"},
                      {"party_id": debtor, "role": "debtor", "kind": "individual", "full_name": "Vũ Thị Hằng",
                       "address": f"{n} Trần Phú, TP Thanh Hóa"}):
            await post(f"/cases/{cid}/parties", party, clerk, days["received"])
        await post(f"/cases/{cid}/claim-items", {"claim_item_id": debt, "kind": "other", "amount_vnd": 150_000_000,
                                                 "creditor_party_id": creditor}, clerk, days["received"])
        await post(f"/cases/{cid}/decision", {"decision_no": f"{200 + n}/QĐ-THADS", "basis": "on_request"}, head,
                   days["decided"])
        await post(f"/cases/{cid}/officer", {"officer_id": officer_id}, head, days["decided"])
        await post(f"/cases/{cid}/notification", {}, officer, days["notified"])
        await post(f"/cases/{cid}/verification/start", {}, officer, days["verifying"])
        await post(f"/cases/{cid}/verification", {"outcome": "with_conditions"}, officer, days["verified"])
        await post(f"/cases/{cid}/seizures", {"decision_no": f"{30 + n}/QĐ-KB", "asset_kind": "movable",
                                              "asset_description": f"Xe ô tô con biển kiểm soát 36A-{500 + n}.01",
                                              "claim_item_ids": [debt]}, officer, days["seized"])
        r = await self.intake.get(f"/cases/{cid}/events", headers=self.auth("admin", PROVINCE))
        if r.status_code != 200:
            raise DemoError(f"GET /cases/{cid}/events: {r.status_code} {r.text}")
        version = next(e["version"] for e in r.json()["events"] if e["event"] == "SeizureOrdered")
        event_id = _event_id(cid, version)
        await self.wait_known(event_id)
        return cid, event_id

    async def wait_known(self, event_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            r = await self.complaints.get(f"/decisions/{event_id}", headers=self.auth("admin", PROVINCE))
            if r.status_code == 200:
                return
            if loop.time() > deadline:
                raise DemoError(f"decision {event_id} did not reach the complaints service from intake's topic "
                                f"within {self.timeout:.0f} s (is its consumer running?)")
            await asyncio.sleep(0.5)

    async def play(self) -> dict[str, Any]:
        c, out = self.complaints, {}
        # 1. both levels, before the reform
        days = {"received": date(2025, 3, 3), "decided": date(2025, 3, 5), "notified": date(2025, 3, 6),
                "verifying": date(2025, 3, 20), "verified": date(2025, 3, 25), "seized": date(2025, 4, 1)}
        _, seizure = await self.seizure(1, DISTRICT, days)
        k = await self.command(c, "/complaints", {"decision_event_id": seizure, "received_on": "2025-04-10",
                                                  "content": "Kê biên xe ô tô có giá trị lớn hơn nhiều so với nghĩa vụ"},
                               self.auth("clerk", DISTRICT), "k1/file")
        kid, district_head, province_head = k["complaint_id"], self.auth("head", DISTRICT), self.auth("head", PROVINCE)
        await self.command(c, f"/complaints/{kid}/acceptance", {"accepted_on": "2025-04-14"}, district_head, "k1/accept")
        await self.command(c, f"/complaints/{kid}/decision", {"outcome": "rejected", "decision_number": "05/QĐ-GQKN",
                                                              "decided_on": "2025-05-05"}, district_head, "k1/decide")
        await self.command(c, f"/complaints/{kid}/second-complaint",
                           {"received_on": "2025-05-12", "content": "Không đồng ý với quyết định giải quyết lần đầu"},
                           self.auth("clerk", PROVINCE), "k1/second")
        await self.command(c, f"/complaints/{kid}/acceptance", {"accepted_on": "2025-05-13"}, province_head, "k1/accept2")
        await self.command(c, f"/complaints/{kid}/decision", {
            "outcome": "partly_upheld", "decision_number": "12/QĐ-GQKN-CT", "decided_on": "2025-06-20",
            "corrections": "Giải tỏa kê biên phần giá trị vượt quá nghĩa vụ; định giá lại tài sản",
            "legal_basis": "Điều 146, 147 Luật Thi hành án dân sự"}, province_head, "k1/decide2")
        out["both_levels"] = kid
        # 2. late, and 3. overdue: after the reform (the province head decides first)
        days = {"received": date(2026, 1, 5), "decided": date(2026, 1, 7), "notified": date(2026, 1, 8),
                "verifying": date(2026, 1, 26), "verified": date(2026, 2, 3), "seized": date(2026, 3, 2)}
        _, seizure = await self.seizure(2, REGIONAL, days)
        late = await self.command(c, "/complaints", {"decision_event_id": seizure, "received_on": "2026-04-20",
                                                     "content": "Khiếu nại việc kê biên xe ô tô"},
                                  self.auth("clerk", REGIONAL), "k2/file")
        await self.command(c, f"/complaints/{late['complaint_id']}/refusal",
                           {"ground": "time_expired", "refused_on": "2026-04-22"}, province_head, "k2/refuse")
        overdue = await self.command(c, "/complaints", {"decision_event_id": seizure, "received_on": "2026-03-10",
                                                        "content": "Kê biên tài sản chung của vợ chồng"},
                                     self.auth("clerk", REGIONAL), "k3/file")
        await self.command(c, f"/complaints/{overdue['complaint_id']}/acceptance", {"accepted_on": "2026-03-12"},
                           province_head, "k3/accept")
        out |= {"late": late["complaint_id"], "overdue": overdue["complaint_id"]}
        # 4. reception day of the province head: a regional office's matter brought to the province
        s = await self.command(c, "/reception/sessions", {"kind": "scheduled", "held_on": "2026-11-16"}, province_head,
                               "r1/open")
        visit = await self.command(c, f"/reception/sessions/{s['session_id']}/visits", {
            "petition_kind": "proposal", "summary": "Kiến nghị về việc chậm trả lời đơn của Phòng THADS khu vực",
            "concerns_unit": REGIONAL, "visitors": 2}, province_head, "r1/visit")
        out["vuot_cap"] = visit["vuot_cap"]
        # 5. denunciations
        d1 = await self.command(c, "/denunciations", {
            "accused_role": "officer", "accused_unit": REGIONAL, "accused_id": "cv-kn-02", "received_on": "2026-10-05",
            "content": "Chấp hành viên gây phiền hà khi xác minh tài sản",
            "denouncers": [{"full_name": "Phạm Văn Tố", "id_number": "038080001234", "address": "Xã Quảng Tâm"}]},
            self.auth("clerk", REGIONAL), "d1/file")
        await self.command(c, f"/denunciations/{d1['denunciation_id']}/acceptance", {"accepted_on": "2026-10-07"},
                           self.auth("head", REGIONAL), "d1/accept")
        group = [{"full_name": f"Công dân {i}", "representative": i <= 2} for i in range(1, 7)]
        d2 = await self.command(c, "/denunciations", {
            "accused_role": "head", "accused_unit": REGIONAL, "accused_id": "tt-kv01", "received_on": "2026-11-02",
            "content": "Thủ trưởng không giải quyết đơn đúng hạn", "denouncers": group},
            self.auth("clerk", PROVINCE), "d2/file")
        out |= {"denunciation": d1["denunciation_id"], "group_denunciation": d2["denunciation_id"]}
        return out


async def run(intake_url: str, complaints_url: str, seed: int, timeout: float = 90.0) -> dict[str, Any]:
    player = Player(intake_url, complaints_url, seed, timeout)
    try:
        return await player.play()
    finally:
        await player.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m complaints_service.demo",
                                description="Demo complaints, denunciations and reception through the APIs")
    p.add_argument("--intake-url", default="http://127.0.0.1:8101")
    p.add_argument("--complaints-url", default="http://127.0.0.1:8103")
    p.add_argument("--seed", type=int, default=2018)
    args = p.parse_args(argv)
    try:
        out = asyncio.run(run(args.intake_url, args.complaints_url, args.seed))
    except DemoError as exc:
        print(f"complaints demo failed: {exc}", file=sys.stderr)
        return 1
    print("complaints demo: " + ", ".join(f"{k}={v}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
