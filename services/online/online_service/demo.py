"""Demo data for the online requests service, played through its real API as citizens and clerks:

1. a worker owed wages files, the clerk sends it back (no copy of the judgment), the worker corrects
   it (same tracking code, history kept) and the clerk accepts it: intake opens the case online;
2. a parent owed maintenance files with the judgment attached; accepted at once;
3. a small business files a judgment of 2018: refused, limitation expired (Art. 30, 31(5));
4. a creditor files and waits in the office's inbox;
5. a filing sent back, waiting for the citizen's correction.

    python -m online_service.demo --url http://127.0.0.1:8107

The filing date is the submission time (the API does not take another), so the filings are dated on
the day the demo runs. Every command carries an Idempotency-Key derived from (seed, filing, step):
a re-run answers each step with its original result and adds nothing."""
from __future__ import annotations

import argparse
import asyncio
import base64
import sys
from typing import Any

import httpx

from thads_infra.tokens import issue_token

DEFAULT_URL = "http://127.0.0.1:8107"
UNIT = "TH-KV01"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JUDGMENT_COPY = {"kind": "judgment_copy", "filename": "ban-an.pdf", "content_type": "application/pdf",
                 "content_base64": base64.b64encode(PDF).decode()}

SCENARIOS: list[dict[str, Any]] = [
    {"steps": ["send_back", "correct", "accept"], "body": {
        "requester": {"role": "creditor", "full_name": "Lê Văn Công", "phone": "0912000101"},
        "judgment": {"issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa", "judgment_number": "21/2025/LĐ-ST",
                     "judgment_effective_on": "2025-07-15"},
        "claims": [{"kind": "wages", "amount_vnd": 42_500_000, "description": "Tiền lương và trợ cấp thôi việc"}],
        "debtor": {"full_name": "Công ty TNHH May Hạc Thành", "address": "phường Hạc Thành, Thanh Hóa",
                   "assets_and_income": "Tài khoản tại ngân hàng; nhà xưởng đang hoạt động"}}},
    {"person": "038190000102", "steps": ["accept"], "body": {
        "requester": {"role": "creditor", "full_name": "Phạm Thị Hoa", "email": "hoa@example.vn"},
        "judgment": {"issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa", "judgment_number": "9/2025/HNGĐ-ST",
                     "judgment_effective_on": "2025-05-02"},
        "claims": [{"kind": "maintenance", "amount_vnd": 24_000_000, "description": "Tiền cấp dưỡng nuôi con"}],
        "debtor": {"full_name": "Nguyễn Văn Tùng", "address": "xã Đông Sơn, Thanh Hóa",
                   "assets_and_income": "Thu nhập hằng tháng từ công ty xây dựng"},
        "attachments": [JUDGMENT_COPY]}},
    {"steps": ["refuse"], "body": {
        "requester": {"role": "creditor", "full_name": "Hộ kinh doanh Minh An"},
        "judgment": {"issuing_court": "Tòa án nhân dân thành phố Thanh Hóa", "judgment_number": "3/2018/KDTM-ST",
                     "judgment_effective_on": "2018-04-10"},
        "claims": [{"kind": "money", "amount_vnd": 15_000_000}],
        "debtor": {"full_name": "Trần Văn Bảy", "address": "Sầm Sơn, Thanh Hóa"}, "attachments": [JUDGMENT_COPY]}},
    {"steps": [], "body": {
        "requester": {"role": "creditor", "full_name": "Đỗ Thị Lan", "phone": "0912000104"},
        "judgment": {"issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa", "judgment_number": "55/2025/DS-ST",
                     "judgment_effective_on": "2025-10-01"},
        "claims": [{"kind": "money", "amount_vnd": 80_000_000, "description": "Tiền vay"}],
        "debtor": {"full_name": "Hoàng Văn Nam", "address": "Quảng Xương, Thanh Hóa"}, "attachments": [JUDGMENT_COPY]}},
    {"steps": ["send_back"], "body": {
        "requester": {"role": "representative", "full_name": "Luật sư Vũ Minh", "represents": "Bà Cao Thị Nga"},
        "judgment": {"issuing_court": "Tòa án nhân dân khu vực 1 - Thanh Hóa", "judgment_number": "60/2025/DS-ST",
                     "judgment_effective_on": "2025-09-20"},
        "claims": [], "act": "Trả lại quyền sử dụng thửa đất số 12, tờ bản đồ 5",
        "debtor": {"full_name": "Cao Văn Lực", "asset_location": "xã Đông Sơn, Thanh Hóa"},
        "attachments": [JUDGMENT_COPY]}},
]


def person(seed: int, n: int) -> str:
    """The demo citizen n's id number (12 digits), derived from the seed: a re-run is the same person."""
    return f"038{(seed * 10 + n) % 10**9:09d}"


def _auth(role: str, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(role, None if role == 'citizen' else UNIT, sub=sub)}"}


async def run(url: str, seed: int) -> list[dict[str, Any]]:
    clerk = _auth("clerk", "tk-demo")
    out = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        async def post(path: str, body: dict[str, Any], headers: dict[str, str], key: str) -> dict[str, Any]:
            r = await c.post(path, json=body, headers=headers | {"Idempotency-Key": f"demo-online-{seed}-{key}"})
            if r.status_code not in (200, 201):
                raise RuntimeError(f"{path}: {r.status_code} {r.text}")
            return r.json()

        for n, s in enumerate(SCENARIOS, start=1):
            citizen = _auth("citizen", person(seed, n))
            state = await post("/filings", s["body"] | {"unit": UNIT}, citizen, f"{n}-submit")
            code = state["tracking_code"]
            for step in s["steps"]:
                if step == "send_back":
                    state = await post(f"/filings/{code}/send-back", {"missing": ["judgment_copy"],
                                       "note": "Đề nghị bổ sung bản sao bản án có chứng thực"}, clerk, f"{n}-send-back")
                elif step == "correct":
                    state = await post(f"/filings/{code}/correction", s["body"] | {
                        "unit": UNIT, "attachments": [JUDGMENT_COPY]}, citizen, f"{n}-correct")
                elif step == "accept":
                    state = await post(f"/filings/{code}/acceptance", {}, clerk, f"{n}-accept")
                elif step == "refuse":
                    state = await post(f"/filings/{code}/refusal", {"ground": "limitation_expired"}, clerk,
                                       f"{n}-refuse")
            out.append({"tracking_code": code, "status": state["status"]})
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m online_service.demo")
    p.add_argument("--url", default=DEFAULT_URL)
    p.add_argument("--seed", type=int, default=2018)
    args = p.parse_args(argv)
    try:
        result = asyncio.run(run(args.url, args.seed))
    except (RuntimeError, httpx.HTTPError) as exc:
        print(f"online demo failed: {exc}", file=sys.stderr)
        return 1
    for r in result:
        print(f"{r['tracking_code']}: {r['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
