"""Demo data: a deterministic generator of realistic enforcement cases, played through the real API.

    python -m intake_service.demo --url http://127.0.0.1:8101 --cases 200 --seed 2018

Two parts:

* `plan(seed, n, units, start)` is pure: from `random.Random(seed)` only it draws n cases of one
  statistical year (1/10 – 30/9, Vietnam time) shaped on the Thanh Hóa 2017–2018 report
  (domain.md §2): ≈ 58 % ex officio judgments (court fees, fines, confiscation), ≈ 42 % requests
  (bank debts, maintenance, compensation, other civil debts); ≈ 20 % of the cases to enforce
  without conditions (Art. 44a); ≈ 83 % of those with conditions resolved (completed or
  terminated); a few refused requests, delegations and revocations; and the law's other paths
  (issue 7): partial termination on a creditor's waiver, a seized asset taken by the creditor in
  kind, cases carried over without conditions and moved to the separate register (returned
  requests exist only from 1/7/2026 after 2 years, so a 2017–2018 plan has none); legal deadlines
  met except a few per cent. Each case is its own sub-generator, so plan(s, 200)[:20] == plan(s, 20).
* `run(url, plan)` plays every case's steps through the HTTP API with the role each step needs
  (clerk registers, head decides, officer verifies, collects and pays out), checks every answer,
  and is idempotent: a case whose intake reference is already registered (409
  CaseAlreadyRegisteredError) is skipped, or resumed where an interrupted run left it.

The names, addresses and numbers are synthetic; party and claim item ids are uuid5 of
(seed, case, index).
"""
from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence
from uuid import NAMESPACE_URL, UUID, uuid5

from intake_service.calendar_vn import add_working_days, is_working_day, next_working_day
from intake_service.deadlines import Step as Deadline
from intake_service.deadlines import due_date
from intake_service.domain import (
    FEE_EXEMPT_KINDS,
    STATUS_LABELS,
    Case,
    ClaimKind,
    Origin,
    Status,
    fee_due,
    payment_rank,
)

VN_TZ = timezone(timedelta(hours=7))
DEMO_NAMESPACE = uuid5(NAMESPACE_URL, "https://thads.moj.gov.vn/demo/intake")
DEFAULT_URL = "http://127.0.0.1:8101"
DEFAULT_START = date(2017, 10, 1)          # statistical year 1/10/2017 – 30/9/2018
LATE_P = 0.04                               # share of deadline-bound steps done late
REDRAWS, REDRAW_P = 3, 0.75                 # receipt dates redrawn when a course overruns the year

# ---------------------------------------------------------------- the HTTP API (see api.py)

RECEIVE_PATHS = {"receive_judgment": "/cases/judgments", "receive_request": "/cases/requests"}
COMMAND_PATHS: dict[str, str] = {
    "refuse_request": "refusal",
    "decide_enforcement": "decision",
    "add_party": "parties",
    "add_claim_item": "claim-items",
    "assign_officer": "officer",
    "reassign_officer": "officer/reassignment",
    "record_procuracy_copy": "procuracy-copies",
    "record_notice_to_parties": "notices-to-parties",
    "order_seizure": "seizures",
    "record_asset_taken_in_kind": "assets-taken-in-kind",
    "terminate_in_part": "partial-termination",
    "move_to_separate_register": "separate-register",
    "record_creditor_notice": "creditor-notices",
    "continue_from_no_condition": "no-condition/continuation",
    "notify": "notification",
    "record_voluntary_payment": "voluntary-payments",
    "start_verification": "verification/start",
    "record_verification": "verification",
    "reverify": "reverification",
    "apply_security_measure": "security-measures",
    "apply_coercive_measure": "coercive-measures",
    "collect_money": "collections",
    "disburse": "disbursements",
    "charge_enforcement_fee": "fees",
    "postpone": "postponement",
    "continue_after_postponement": "postponement/continuation",
    "suspend": "suspension",
    "continue_after_suspension": "suspension/continuation",
    "terminate": "termination",
    "delegate_out": "delegation",
    "revoke": "revocation",
    "complete": "completion",
    "receive_certificate_request": "certificate-requests",
    "issue_certificate": "certificates",
}
PERSONAL_FIELDS = frozenset({"full_name", "id_number", "address", "phone"})  # kept outside the events

# ---------------------------------------------------------------- the plan's data


@dataclass(frozen=True)
class PlannedStep:
    """One API call: `command` by a `role` token with subject `actor`, at business time `at`."""
    command: str
    role: str                      # token role: clerk | head | officer
    actor: str                     # token subject (= the domain actor id)
    at: datetime                   # business time, Vietnam time
    args: Mapping[str, Any]        # the body's fields (dates as date objects)
    status_after: str              # the case status the step leads to

    def body(self) -> dict[str, Any]:
        out = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.args.items()}
        out["occurred_at"] = self.at.isoformat()
        return out

    def path(self, case_id: UUID) -> str:
        if self.command in RECEIVE_PATHS:
            return RECEIVE_PATHS[self.command]
        return f"/cases/{case_id}/{COMMAND_PATHS[self.command]}"


@dataclass(frozen=True)
class CasePlan:
    index: int
    unit: str
    origin: str                    # "judgment" (ex officio) | "request"
    intake_ref: str
    case_id: UUID
    kind: str                      # court_fee, fine, confiscation, credit_debt, maintenance, compensation, other
    trajectory: str                # the case's intended course …
    steps: tuple[PlannedStep, ...]
    expected_status: str
    cut_at_year_end: bool          # … cut where the statistical year ends (the case is carried over)
    claimed_vnd: int
    collected_vnd: int
    disbursed_vnd: int             # paid out by the agency or straight to the creditor


# ---------------------------------------------------------------- Thanh Hóa: places, people, courts

FAMILY = ["Nguyễn", "Lê", "Trịnh", "Lê", "Nguyễn", "Trần", "Hoàng", "Phạm", "Mai", "Đỗ", "Vũ", "Lương",
          "Đinh", "Bùi", "Ngô", "Hà", "Cao", "Tống", "Lại", "Đặng", "Vương", "Phạm", "Nguyễn", "Lê"]
MIDDLE_M = ["Văn", "Văn", "Đình", "Hữu", "Đức", "Quang", "Xuân", "Minh", "Ngọc", "Trọng", "Công", "Bá"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Nam", "Bình", "Sơn", "Hải", "Long", "Cường", "Quân", "Thắng", "Toàn",
           "Trung", "Hoàng", "Lâm", "Thành", "Việt", "Phúc", "Đạt", "Kiên", "Tùng", "Mạnh", "Hưng", "Khánh"]
GIVEN_F = ["Hà", "Lan", "Hương", "Hoa", "Thảo", "Phương", "Trang", "Thủy", "Mai", "Linh", "Hằng", "Nga",
           "Yến", "Huyền", "Nhung", "Loan", "Tâm", "Ngân", "Oanh", "Vân"]

# district → (kind, wards or communes, streets or hamlets)
PLACES: dict[str, tuple[str, list[str], list[str]]] = {
    "thành phố Thanh Hóa": ("phường", ["Điện Biên", "Ba Đình", "Lam Sơn", "Trường Thi", "Đông Thọ", "Đông Vệ",
                                      "Ngọc Trạo", "Phú Sơn", "Tân Sơn", "Quảng Thắng", "Đông Hương"],
                           ["Lê Lợi", "Trần Phú", "Bà Triệu", "Quang Trung", "Lê Hoàn", "Nguyễn Trãi",
                            "Phan Chu Trinh", "Hạc Thành", "Tống Duy Tân", "Lê Lai", "Đội Cung", "Nguyễn Du"]),
    "thành phố Sầm Sơn": ("phường", ["Bắc Sơn", "Trường Sơn", "Trung Sơn", "Quảng Tiến", "Quảng Cư"],
                          ["Hồ Xuân Hương", "Nguyễn Du", "Lê Lợi", "Trần Hưng Đạo", "Thanh Niên"]),
    "thị xã Bỉm Sơn": ("phường", ["Ba Đình", "Lam Sơn", "Ngọc Trạo", "Bắc Sơn", "Đông Sơn"],
                       ["Trần Phú", "Nguyễn Văn Cừ", "Lê Lợi", "Nguyễn Huệ"]),
    "huyện Hoằng Hóa": ("xã", ["Hoằng Đạo", "Hoằng Quỳ", "Hoằng Phụ", "Hoằng Trường", "Hoằng Thanh",
                               "Hoằng Lộc"], ["thôn 1", "thôn 3", "thôn Trung", "thôn Đông", "thôn Nam"]),
    "huyện Quảng Xương": ("xã", ["Quảng Nham", "Quảng Lợi", "Quảng Thái", "Quảng Hải", "Quảng Bình"],
                          ["thôn Tân Thành", "thôn 5", "thôn Hải Tiến", "thôn Văn Phú"]),
    "huyện Thọ Xuân": ("xã", ["Xuân Lai", "Xuân Hòa", "Thọ Lập", "Xuân Thắng", "Thọ Diên"],
                       ["thôn Phú Xá", "thôn 2", "thôn Thọ Phú", "thôn Đông Lai"]),
    "huyện Tĩnh Gia": ("xã", ["Hải Thanh", "Nghi Sơn", "Tĩnh Hải", "Mai Lâm", "Hải Bình"],
                       ["thôn Hồng Kỳ", "thôn Trung Sơn", "thôn Bắc Hải", "thôn 7"]),
    "huyện Đông Sơn": ("xã", ["Đông Hòa", "Đông Tiến", "Đông Văn", "Đông Khê"], ["thôn 4", "thôn Văn Châu"]),
    "huyện Triệu Sơn": ("xã", ["Dân Lực", "Minh Sơn", "Thọ Dân", "Hợp Thắng"], ["thôn 6", "thôn Đồng Lạc"]),
    "huyện Nga Sơn": ("xã", ["Nga Điền", "Nga Thạch", "Nga Liên", "Nga Trường"], ["thôn Hậu Trạch", "thôn 3"]),
}

# unit code → (district of its area, its court); "TH" is the provincial agency (Cục THADS tỉnh)
UNITS: dict[str, tuple[str | None, str]] = {
    "TH": (None, "Tòa án nhân dân tỉnh Thanh Hóa"),
    "TH-TPTH": ("thành phố Thanh Hóa", "Tòa án nhân dân thành phố Thanh Hóa"),
    "TH-SAMSON": ("thành phố Sầm Sơn", "Tòa án nhân dân thành phố Sầm Sơn"),
    "TH-BIMSON": ("thị xã Bỉm Sơn", "Tòa án nhân dân thị xã Bỉm Sơn"),
    "TH-HOANGHOA": ("huyện Hoằng Hóa", "Tòa án nhân dân huyện Hoằng Hóa"),
    "TH-QUANGXUONG": ("huyện Quảng Xương", "Tòa án nhân dân huyện Quảng Xương"),
    "TH-THOXUAN": ("huyện Thọ Xuân", "Tòa án nhân dân huyện Thọ Xuân"),
    "TH-TINHGIA": ("huyện Tĩnh Gia", "Tòa án nhân dân huyện Tĩnh Gia"),
}
DEFAULT_UNITS = list(UNITS)
UNIT_WEIGHTS = {"TH": 1.5, "TH-TPTH": 3.0}
OUTSIDE_UNITS = ["NA", "NB", "HN-01", "HP-KV03", "HCM-01"]   # delegation targets in other provinces

BANKS: dict[str, str] = {
    "VCB": "Ngân hàng TMCP Ngoại thương Việt Nam - Chi nhánh Thanh Hóa",
    "BIDV": "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam - Chi nhánh Thanh Hóa",
    "AGRIBANK": "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam - Chi nhánh tỉnh Thanh Hóa",
    "VIETINBANK": "Ngân hàng TMCP Công thương Việt Nam - Chi nhánh Thanh Hóa",
    "SACOMBANK": "Ngân hàng TMCP Sài Gòn Thương Tín - Chi nhánh Thanh Hóa",
    "MB": "Ngân hàng TMCP Quân đội - Chi nhánh Thanh Hóa",
    "VPBANK": "Ngân hàng TMCP Việt Nam Thịnh Vượng - Chi nhánh Thanh Hóa",
}
BANK_WEIGHTS = {"AGRIBANK": 3, "BIDV": 2, "VIETINBANK": 2, "VCB": 1.5, "SACOMBANK": 1, "MB": 1, "VPBANK": 1}
COMPANY_TYPES = ["Công ty TNHH", "Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân"]
COMPANY_NAMES = ["Xây dựng Hoàng Long", "Thương mại Dịch vụ Minh Phát", "Vận tải Thanh Bình", "Đầu tư Lam Sơn",
                 "Thủy sản Sầm Sơn", "Vật liệu xây dựng Bỉm Sơn", "May mặc Hoằng Hóa", "Gỗ Thọ Xuân",
                 "Xăng dầu Tĩnh Gia", "Cơ khí Đông Sơn", "Nông sản Triệu Sơn", "Du lịch Biển Xanh"]

# ---------------------------------------------------------------- case kinds and trajectories

EX_OFFICIO_KINDS = ("court_fee", "fine", "confiscation")
KIND_WEIGHTS = {"court_fee": 30, "fine": 20, "confiscation": 8,
                "credit_debt": 9, "maintenance": 6, "compensation": 7, "other": 20}

REFUSED, REVOKED, DELEGATED = "refused", "revoked", "delegated"
NO_CONDITION, NC_FOUND = "no_condition", "no_condition_then_completed"
VOLUNTARY, ENFORCED, TERMINATED = "voluntary_full", "enforced_completed", "terminated"
POSTPONED_DONE, SUSPENDED_DONE, ANNULLED = "postponed_then_completed", "suspended_then_completed", \
    "suspended_then_terminated"
IN_PROGRESS, POSTPONED, SUSPENDED = "in_progress", "postponed", "suspended"
# issue 7: the law's other paths, so that a newcomer sees them in the demo data
PARTLY_TERMINATED = "partly_terminated_then_completed"   # Art. 50(1)(c): the creditor waives a part
IN_KIND = "taken_in_kind_then_completed"                 # Art. 104: the creditor takes the seized asset
SEPARATE = "separate_register"                           # carried over without conditions → register

FINAL_STATUS = {
    REFUSED: Status.REJECTED, REVOKED: Status.REVOKED, DELEGATED: Status.DELEGATED_OUT,
    NO_CONDITION: Status.NO_CONDITION, NC_FOUND: Status.COMPLETED, VOLUNTARY: Status.COMPLETED,
    ENFORCED: Status.COMPLETED, POSTPONED_DONE: Status.COMPLETED, SUSPENDED_DONE: Status.COMPLETED,
    TERMINATED: Status.TERMINATED, ANNULLED: Status.TERMINATED, IN_PROGRESS: Status.ENFORCING,
    POSTPONED: Status.POSTPONED, SUSPENDED: Status.SUSPENDED,
    PARTLY_TERMINATED: Status.COMPLETED, IN_KIND: Status.COMPLETED, SEPARATE: Status.SEPARATE_REGISTER,
}
# their weights, added to TRAJECTORIES below (small: the Thanh Hóa proportions stay as they were)
NEW_PATHS: dict[str, dict[str, float]] = {
    "court_fee": {SEPARATE: 1.5}, "fine": {SEPARATE: 2}, "confiscation": {SEPARATE: 1},
    "credit_debt": {PARTLY_TERMINATED: 2, IN_KIND: 2}, "maintenance": {PARTLY_TERMINATED: 1},
    "compensation": {PARTLY_TERMINATED: 1, IN_KIND: 1}, "other": {PARTLY_TERMINATED: 1.5, IN_KIND: 1},
}

# Per kind, the weight of each trajectory (calibrated so that, over all kinds, ≈ 20 % of the cases
# to enforce have no conditions and ≈ 83 % of those with conditions are resolved; big bank debts
# are resolved less often, so the money rate stays far below the case rate, as in domain.md §2).
TRAJECTORIES: dict[str, dict[str, float]] = {
    "court_fee": {REVOKED: .5, DELEGATED: 2, NO_CONDITION: 11.5, NC_FOUND: 1, VOLUNTARY: 44, ENFORCED: 27,
                  POSTPONED_DONE: .5, SUSPENDED_DONE: .5, TERMINATED: 4, ANNULLED: .2, IN_PROGRESS: 1.5,
                  POSTPONED: .6, SUSPENDED: .3},
    "fine": {REVOKED: .5, DELEGATED: 3, NO_CONDITION: 22, NC_FOUND: 1, VOLUNTARY: 25, ENFORCED: 27,
             POSTPONED_DONE: 1, SUSPENDED_DONE: .5, TERMINATED: 5, ANNULLED: .3, IN_PROGRESS: 2.5,
             POSTPONED: 1, SUSPENDED: .5},
    "confiscation": {REVOKED: .5, DELEGATED: 2, NO_CONDITION: 16.5, NC_FOUND: 1, VOLUNTARY: 28, ENFORCED: 31,
                     POSTPONED_DONE: 1, SUSPENDED_DONE: .5, TERMINATED: 5, ANNULLED: .3, IN_PROGRESS: 3,
                     POSTPONED: 1.2, SUSPENDED: .5},
    "credit_debt": {REFUSED: 2, REVOKED: .5, DELEGATED: 4, NO_CONDITION: 13, NC_FOUND: 1, VOLUNTARY: 6,
                    ENFORCED: 33, POSTPONED_DONE: 4, SUSPENDED_DONE: 1, TERMINATED: 11, ANNULLED: .5,
                    IN_PROGRESS: 10, POSTPONED: 6, SUSPENDED: 1},
    "maintenance": {REFUSED: 2, REVOKED: .5, DELEGATED: 3, NO_CONDITION: 13, NC_FOUND: 1, VOLUNTARY: 16,
                    ENFORCED: 40, POSTPONED_DONE: 1, SUSPENDED_DONE: .5, TERMINATED: 6, ANNULLED: .2,
                    IN_PROGRESS: 5, POSTPONED: 1.5, SUSPENDED: .5},
    "compensation": {REFUSED: 3, REVOKED: .5, DELEGATED: 3, NO_CONDITION: 16.5, NC_FOUND: 1, VOLUNTARY: 15,
                     ENFORCED: 34, POSTPONED_DONE: 1, SUSPENDED_DONE: 1, TERMINATED: 8, ANNULLED: .5,
                     IN_PROGRESS: 3, POSTPONED: 1.2, SUSPENDED: .5},
    "other": {REFUSED: 4, REVOKED: .5, DELEGATED: 3, NO_CONDITION: 16.5, NC_FOUND: 1, VOLUNTARY: 13,
              ENFORCED: 34, POSTPONED_DONE: 2, SUSPENDED_DONE: 1, TERMINATED: 9, ANNULLED: .5,
              IN_PROGRESS: 2.5, POSTPONED: 1.2, SUSPENDED: .5},
}

# Big claims are resolved far less often (hence a money rate of ≈ 43 % against ≈ 83 % of cases).
AMOUNT_TIERS: list[tuple[int, dict[str, float]]] = [
    (1_000_000_000, {VOLUNTARY: .05, ENFORCED: .15, POSTPONED_DONE: .3, SUSPENDED_DONE: .3, IN_PROGRESS: 5,
                     POSTPONED: 4, SUSPENDED: 3, NO_CONDITION: 2, TERMINATED: .3}),
    (200_000_000, {VOLUNTARY: .08, ENFORCED: .2, POSTPONED_DONE: .5, TERMINATED: .3, IN_PROGRESS: 3.5,
                   POSTPONED: 3, SUSPENDED: 2, NO_CONDITION: 1.6}),
    (50_000_000, {VOLUNTARY: .6, ENFORCED: .8, IN_PROGRESS: 1.6, POSTPONED: 1.5}),
]


def trajectory_weights(kind: str, amount_vnd: int) -> dict[str, float]:
    weights = dict(TRAJECTORIES[kind]) | NEW_PATHS.get(kind, {})
    for floor, factors in AMOUNT_TIERS:
        if amount_vnd >= floor:
            return {t: w * factors.get(t, 1.0) for t, w in weights.items()}
    return weights


JUDGMENT_CODES = {"court_fee": ["DS-ST", "HS-ST", "HNGĐ-ST", "KDTM-ST", "DS-PT"], "fine": ["HS-ST", "HS-PT"],
                  "confiscation": ["HS-ST", "HS-PT"], "credit_debt": ["KDTM-ST", "DS-ST", "QĐST-KDTM"],
                  "maintenance": ["HNGĐ-ST", "QĐST-HNGĐ"], "compensation": ["HS-ST", "DS-ST", "LĐ-ST"],
                  "other": ["DS-ST", "DS-PT", "QĐST-DS"]}


# ---------------------------------------------------------------- small helpers (all draws from the given rng)


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _round(amount: float, unit: int) -> int:
    return max(unit, int(round(amount / unit)) * unit)


def _lognormal(rng: random.Random, median: float, sigma: float, lo: int, hi: int, unit: int) -> int:
    return _round(min(hi, max(lo, median * math.exp(rng.gauss(0.0, sigma)))), unit)


def _working_day_between(rng: random.Random, lo: date, hi: date) -> date:
    """A working day in [lo, hi] (the first one after hi when there is none)."""
    days = [lo + timedelta(days=k) for k in range((hi - lo).days + 1)]
    days = [d for d in days if is_working_day(d)]
    return rng.choice(days) if days else next_working_day(hi)


def _year_end(start: date) -> date:
    return date(start.year + 1, start.month, start.day) - timedelta(days=1)


def party_id(seed: int, case_index: int, k: int) -> str:
    return str(uuid5(DEMO_NAMESPACE, f"{seed}/{case_index}/party/{k}"))


def claim_item_id(seed: int, case_index: int, k: int) -> str:
    return str(uuid5(DEMO_NAMESPACE, f"{seed}/{case_index}/claim-item/{k}"))


class _People:
    """Plausible Vietnamese names, ids and addresses from small lists."""

    def __init__(self, rng: random.Random, district: str | None) -> None:
        self.rng, self.district = rng, district

    def name(self, female: bool) -> str:
        r = self.rng
        middle, given = (MIDDLE_F, GIVEN_F) if female else (MIDDLE_M, GIVEN_M)
        return f"{r.choice(FAMILY)} {r.choice(middle)} {r.choice(given)}"

    def address(self, local: float = 0.8) -> str:
        r = self.rng
        district = self.district if self.district and r.random() < local else r.choice(list(PLACES))
        level, places, streets = PLACES[district]
        place, street = r.choice(places), r.choice(streets)
        if level == "phường":
            return f"Số {r.randint(1, 250)} {street}, phường {place}, {district}, tỉnh Thanh Hóa"
        return f"{street[0].upper()}{street[1:]}, xã {place}, {district}, tỉnh Thanh Hóa"

    def id_number(self, female: bool) -> str:
        r = self.rng
        if r.random() < 0.7:   # 9-digit CMND issued in Thanh Hóa (17x…)
            return f"17{r.randint(0, 9_999_999):07d}"
        return f"038{1 if female else 0}{r.randint(55, 99):02d}{r.randint(0, 999_999):06d}"   # 12-digit CCCD

    def phone(self) -> str | None:
        r = self.rng
        if r.random() < 0.35:
            return None
        return f"{r.choice(['091', '094', '097', '098', '096', '088', '083', '035', '036', '037'])}" \
               f"{r.randint(0, 9_999_999):07d}"

    def individual(self, female: bool | None = None) -> dict[str, Any]:
        female = self.rng.random() < 0.3 if female is None else female
        return {"kind": "individual", "female": female, "full_name": self.name(female),
                "id_number": self.id_number(female), "address": self.address(), "phone": self.phone()}

    def company(self) -> dict[str, Any]:
        r = self.rng
        return {"kind": "organisation", "full_name": f"{r.choice(COMPANY_TYPES)} {r.choice(COMPANY_NAMES)}",
                "id_number": f"28{r.randint(0, 99_999_999):08d}", "address": self.address(0.6),
                "phone": f"0237{r.randint(0, 9_999_999):07d}"}

    def bank(self) -> dict[str, Any]:
        code = _weighted(self.rng, BANK_WEIGHTS)
        return {"kind": "credit_institution", "bank_code": code, "full_name": BANKS[code],
                "id_number": None, "address": f"Số {self.rng.randint(1, 120)} Lê Lợi, thành phố Thanh Hóa, "
                                              f"tỉnh Thanh Hóa", "phone": None}

    @staticmethod
    def state() -> dict[str, Any]:
        return {"kind": "state", "full_name": "Nhà nước (Ngân sách nhà nước)", "id_number": None,
                "address": None, "phone": None}


def _claims(rng: random.Random, kind: str) -> list[tuple[ClaimKind, int, bool]]:
    """(claim kind, amount in đồng, secured) of a case's claim items; at most one item per rank."""
    if kind == "court_fee":
        r = rng.random()
        fee = 200_000 if r < 0.45 else 300_000 if r < 0.6 else _lognormal(rng, 1_500_000, 0.9, 300_000,
                                                                            9_000_000, 1_000)
        return [(ClaimKind.COURT_FEE, fee, False)]
    if kind == "fine":
        fine = _lognormal(rng, 12_000_000, 0.8, 3_000_000, 200_000_000, 1_000_000)
        items = [(ClaimKind.FINE, fine, False)]
        return items + [(ClaimKind.COURT_FEE, 200_000, False)] if rng.random() < 0.8 else items
    if kind == "confiscation":
        amount = _lognormal(rng, 6_000_000, 1.0, 500_000, 150_000_000, 100_000)
        items = [(ClaimKind.CONFISCATION, amount, False)]
        return items + [(ClaimKind.COURT_FEE, 200_000, False)] if rng.random() < 0.5 else items
    if kind == "credit_debt":
        return [(ClaimKind.CREDIT_DEBT, _lognormal(rng, 350_000_000, 0.9, 50_000_000, 9_000_000_000, 1_000),
                 rng.random() < 0.7)]
    if kind == "maintenance":
        monthly = rng.choice([800_000, 1_000_000, 1_000_000, 1_500_000, 1_500_000, 2_000_000, 2_500_000, 3_000_000])
        return [(ClaimKind.MAINTENANCE, monthly * rng.randint(4, 30), False)]
    if kind == "compensation":
        return [(ClaimKind.WAGES_LIFE_COMPENSATION, _lognormal(rng, 45_000_000, 0.9, 5_000_000, 600_000_000,
                                                               100_000), False)]
    return [(ClaimKind.OTHER, _lognormal(rng, 60_000_000, 1.0, 10_000_000, 2_500_000_000, 1_000), False)]


# ---------------------------------------------------------------- the case builder


@dataclass
class _Item:
    id: str
    kind: ClaimKind
    amount: int
    ex_officio: bool
    collected: int = 0
    direct: int = 0
    paid: int = 0
    fee_base: int = 0
    fee: int = 0
    claimed: int = 0               # the judgment's amount; `amount` is what is still to enforce
    exempt: int = 0                # paid within the voluntary period: no fee (TT 216 Art. 6(8))
    third: int = 0                 # settled directly before coercion: one third (TT 216 Art. 4(4))

    @property
    def rank(self) -> int:
        return payment_rank(self.kind)

    @property
    def settled(self) -> bool:
        return self.paid + self.direct == self.amount

    @property
    def feeable(self) -> bool:
        return not self.ex_officio and self.kind not in FEE_EXEMPT_KINDS


class _TooLate(Exception):
    """The trajectory runs past the end of the statistical year."""


class _Builder:
    """Builds one case's steps in business time, keeping the status and the money as the domain will."""

    def __init__(self, rng: random.Random, ctx: "_Context") -> None:
        self.rng, self.ctx = rng, ctx
        self.steps: list[PlannedStep] = []
        self.status: Status | None = None
        self.previous: Status | None = None       # status before a postponement
        self.last: datetime | None = None
        self.day: date = ctx.start
        self.decisions = 0
        self.receipts = 0
        self.officer = rng.choice(ctx.officers)
        self.items = [_Item(i, k, a, ctx.origin is Origin.JUDGMENT, claimed=a) for i, k, a, _ in ctx.items]
        self.fees = 0
        self.coerced = False                      # a coercive measure was applied (fee: TT 216 Art. 4(4))
        self.channel = "voluntary"
        self.notified: date = ctx.start
        self.long = False                         # re-verification every 12 months instead of 6
        self.checked: date = ctx.start            # last no-condition decision or re-verification
        self.checks = 0                           # re-verifications since the no-condition decision

    # -- time

    def _time_on(self, day: date) -> datetime:
        minute = self.rng.randint(7 * 60 + 30, 16 * 60 + 30)
        at = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=VN_TZ)
        if self.last is not None and at <= self.last:
            at = self.last + timedelta(minutes=self.rng.randint(1, 9))
        return at

    def add(self, command: str, role: str, day: date, status: Status | None = None, /, **args: Any) -> date:
        day = max(day, self.day)
        if day > self.ctx.end:
            raise _TooLate
        at = self._time_on(day)
        assert at.date() == day, "steps of one day stay within that day"
        if status is not None:
            self.status = status
        actor = {"clerk": self.ctx.clerk, "head": self.ctx.head, "officer": self.officer}[role]
        self.steps.append(PlannedStep(command, role, actor, at, args, self.status.value))  # type: ignore[union-attr]
        self.last, self.day = at, day
        return day

    def within(self, step: Deadline, start: date, lo_wd: int = 0, early: int | None = None) -> date:
        """A working day on time for `step` started on `start` (late with probability LATE_P)."""
        due = due_date(step, start)
        lo = max(self.day, add_working_days(start, lo_wd) if lo_wd else start)
        if self.rng.random() < LATE_P:
            return add_working_days(max(due, lo), self.rng.randint(1, 8))
        hi = due if early is None else min(due, add_working_days(lo, early))
        return _working_day_between(self.rng, lo, hi) if lo <= hi else next_working_day(lo)

    def later(self, lo_days: int, hi_days: int) -> date:
        return next_working_day(self.day + timedelta(days=self.rng.randint(lo_days, hi_days)))

    def decision_no(self) -> str:
        self.decisions += 1
        return f"{self.ctx.index + 1}{self.decisions:02d}/QĐ-{self.ctx.agency}"

    def copy(self, number: str, issued_on: date) -> None:
        """Every decision goes to the procuracy within 3 working days (Art. 38)."""
        sent = self.within(Deadline.PROCURACY_COPY, issued_on, early=2)
        self.add("record_procuracy_copy", "clerk", sent, decision_no=number, sent_on=sent)

    def notice(self, number: str, issued_on: date) -> None:
        """Every decision is notified to the parties within 3 working days (Art. 39(2))."""
        sent = self.within(Deadline.NOTICE_TO_PARTIES, issued_on, early=2)
        self.add("record_notice_to_parties", "clerk", sent, decision_no=number, sent_on=sent)

    def decide(self, command: str, role: str, day: date, status: Status | None = None, /, **args: Any) -> date:
        number = self.decision_no()
        day = self.add(command, role, day, status, decision_no=number, **args)
        self.copy(number, day)
        self.notice(number, day)
        return day

    # -- money (mirrors the domain's payment order for items of distinct ranks)

    @property
    def uncollected(self) -> int:
        return sum(i.amount - i.collected for i in self.items)

    @property
    def held(self) -> int:
        return sum(i.collected - i.direct - i.paid for i in self.items)

    def _settle(self) -> None:
        if self.status in (Status.ENFORCING, Status.MONEY_HELD):
            settled = all(i.settled for i in self.items)
            self.status = Status.MONEY_HELD if self.held > 0 or settled else Status.ENFORCING

    def _receipt(self) -> str:
        self.receipts += 1
        return f"BL-{self.ctx.unit}-{self.ctx.index + 1:05d}-{self.receipts:02d}"

    def collect(self, day: date, total: int, *, voluntary: bool, direct: bool = False) -> None:
        """One payment of `total`, booked item by item in the legal order (one receipt per item)."""
        for item in sorted(self.items, key=lambda i: i.rank):
            part = min(total, item.amount - item.collected)
            if part <= 0:
                continue
            total -= part
            item.collected += part
            if direct:
                item.direct += part
            self._settle()
            if voluntary:
                day = self.add("record_voluntary_payment", "officer", day, claim_item_id=item.id, amount_vnd=part,
                               source_ref=self._receipt(), direct_to_creditor=direct)
            else:
                channel = "paid_to_bank" if direct else self.channel
                day = self.add("collect_money", "officer", day, claim_item_id=item.id, amount_vnd=part,
                               channel=channel, source_ref=self._receipt())
            if voluntary and day <= due_date(Deadline.VOLUNTARY_PERIOD, self.notified):
                item.exempt += part
            elif direct and not self.coerced:
                item.third += part
            if total == 0:
                break

    def disburse(self, collected_on: date) -> None:
        """Pay out what is held, by rank, within 10 days of the collection (Art. 47(5))."""
        if self.held == 0:
            return
        day = self.within(Deadline.DISBURSEMENT, collected_on, early=4)
        pool = sum(i.collected - i.direct for i in self.items)
        for item in sorted(self.items, key=lambda i: i.rank):
            share = min(pool, item.amount - item.direct)
            pool -= share
            pay = share - item.paid
            if pay > 0:
                item.paid += pay
                self._settle()
                day = self.add("disburse", "officer", day, claim_item_id=item.id, amount_vnd=pay)

    def charge_fees(self) -> None:
        """The creditor's enforcement fee on what it received (TT 216/2016/TT-BTC, domain/fees.py)."""
        for item in self.items:
            received = item.paid + item.direct
            base = received - item.fee_base
            exempt = min(item.exempt, received)
            third = min(item.third, received - exempt)
            due = fee_due(charged_in_full_vnd=received - exempt - third, one_third_vnd=third, on=self.day)
            if item.feeable and base > 0 and due > item.fee:
                item.fee_base += base
                self.fees += due - item.fee
                item.fee = due
                self.add("charge_enforcement_fee", "officer", self.day, claim_item_id=item.id)

    def instalments(self, total: int, count: int) -> list[int]:
        count = max(1, min(count, total // 100_000))
        if count == 1:
            return [total]
        cuts = sorted(self.rng.uniform(0.15, 0.85) for _ in range(count - 1))
        parts, prev = [], 0
        for c in cuts:
            point = _round(total * c, 1_000)
            if prev < point < total:
                parts.append(point - prev)
                prev = point
        return parts + [total - prev]

    def collect_in_enforcement(self, total: int, count: int, gap: tuple[int, int]) -> None:
        for k, part in enumerate(self.instalments(total, count)):
            day = self.later(*gap) if k else self.later(1, 20)
            direct = self.channel == "paid_to_bank"
            self.collect(day, part, voluntary=False, direct=direct)
            self.disburse(self.day)
            self.charge_fees()

    # -- the lifecycle

    def judgment_number(self, effective: date) -> str:
        pronounced = effective - timedelta(days=self.rng.randint(0, 45))
        return f"{self.rng.randint(1, 320):02d}/{pronounced.year}/{self.ctx.judgment_code}"

    def receive(self, received: date) -> None:
        ctx = self.ctx
        if ctx.origin is Origin.JUDGMENT:
            effective = ctx.effective_on(received, self.rng)
            self.add("receive_judgment", "clerk", received, Status.JUDGMENT_RECEIVED, unit=ctx.unit,
                     intake_ref=ctx.intake_ref, judgment_number=self.judgment_number(effective),
                     issuing_court=ctx.court, judgment_effective_on=effective, matter="ordinary")
        else:
            channel = "in_person" if self.rng.random() < 0.7 else "post"
            filed = received if channel == "in_person" else received - timedelta(days=self.rng.randint(1, 4))
            effective = ctx.effective_on(filed, self.rng)
            self.add("receive_request", "clerk", received, Status.REQUEST_RECEIVED, unit=ctx.unit,
                     intake_ref=ctx.intake_ref, channel=channel, filed_on=filed,
                     judgment_number=self.judgment_number(effective), issuing_court=ctx.court,
                     judgment_effective_on=effective)
        for p in ctx.parties:
            self.add("add_party", "clerk", received, **p)
        for item_id, kind, amount, secured in ctx.items:
            self.add("add_claim_item", "clerk", received, claim_item_id=item_id, kind=kind.value,
                     amount_vnd=amount, creditor_party_id=ctx.parties[0]["party_id"], secured=secured,
                     ex_officio=ctx.origin is Origin.JUDGMENT)

    def decide_enforcement(self) -> date:
        step = Deadline.DECISION_EX_OFFICIO if self.ctx.origin is Origin.JUDGMENT else Deadline.DECISION_ON_REQUEST
        day = self.within(step, self.steps[0].at.date(), early=3)
        basis = "ex_officio" if self.ctx.origin is Origin.JUDGMENT else "on_request"
        number = self.decision_no()
        day = self.add("decide_enforcement", "head", day, Status.DECIDED, decision_no=number, basis=basis)
        self.add("assign_officer", "head", day, officer_id=self.officer)
        self.copy(number, day)
        return day

    def refuse(self) -> None:
        day = self.within(Deadline.REFUSAL, self.steps[0].at.date())
        self.add("refuse_request", "head", day, Status.REJECTED, ground=self.ctx.refusal_ground)

    def revoke(self) -> None:
        ground = _weighted(self.rng, {"material_error": 5, "issued_without_competence": 2, "basis_ceased": 2})
        self.decide("revoke", "head", self.later(1, 25), Status.REVOKED, ground=ground)

    def delegate(self, known_on: date) -> None:
        r = self.rng
        ctx = self.ctx
        inside = [u for u in ctx.units if u != ctx.unit]
        target = r.choice(inside) if inside and r.random() < 0.6 else r.choice(OUTSIDE_UNITS)
        if ctx.secured:
            ground = "secured_asset_elsewhere"
        elif ctx.debtor_kind == "organisation":
            ground = r.choice(["seat_elsewhere", "assets_elsewhere"])
        else:
            ground = r.choice(["residence_or_work_elsewhere", "assets_elsewhere"])
        day = self.within(Deadline.DELEGATION_DECISION, known_on)
        revocation = self.decision_no()   # the QĐTHA is revoked with the delegation (Art. 57(1)(a), 2022)
        day = self.decide("delegate_out", "head", day, Status.DELEGATED_OUT, target_unit_id=target, ground=ground,
                          ground_known_on=known_on, revocation_decision_no=revocation)
        self.copy(revocation, day)
        self.notice(revocation, day)

    def notify(self) -> date:
        """The notice of the QĐTHA: to the parties within 3 working days (Art. 39(2))."""
        return self.add("notify", "officer", self.within(Deadline.NOTICE_TO_PARTIES, self.day, early=2),
                        Status.VOLUNTARY)

    def voluntary(self, share: float) -> None:
        """Payments within the 10-day voluntary period (Art. 45), then paid out."""
        notified = self.day
        ends = due_date(Deadline.VOLUNTARY_PERIOD, notified)
        total = self.uncollected if share >= 1 else _round(self.uncollected * share, 1_000)
        total = min(total, self.uncollected)
        direct = self.ctx.origin is Origin.REQUEST and len(self.items) == 1 and self.rng.random() < 0.3
        for part in self.instalments(total, 1 if self.rng.random() < 0.8 or share < 1 else 2):
            self.collect(_working_day_between(self.rng, self.day, max(self.day, ends)), part, voluntary=True,
                         direct=direct)
        self.disburse(self.day)

    def start_verification(self) -> date:
        ends = due_date(Deadline.VOLUNTARY_PERIOD, self.notified)
        day = self.within(Deadline.VERIFICATION_START, ends, lo_wd=1, early=5)
        return self.add("start_verification", "officer", day, Status.VERIFYING)

    def no_condition(self) -> None:
        r = self.rng
        ground = "address_unknown" if r.random() < 0.15 else "no_income_or_assets"
        known = self.later(2, 25)
        day = self.within(Deadline.NO_CONDITION_DECISION, known, early=3)
        prison = ground == "no_income_or_assets" and self.ctx.kind in ("fine", "confiscation") and r.random() < 0.3
        self.long = prison or ground == "address_unknown"
        self.checked = self.decide("record_verification", "head", day, Status.NO_CONDITION,
                                   outcome="without_conditions", ground=ground, ground_known_on=known,
                                   imprisoned_two_years_or_more=prison)

    def reverify(self, found: bool) -> bool:
        """Re-verification before the 6 (or 12) months run out (Art. 44(2)); False past the year end."""
        step = Deadline.REVERIFICATION_LONG if self.long else Deadline.REVERIFICATION
        due = due_date(step, self.checked)
        if self.rng.random() < LATE_P:
            day = add_working_days(due, self.rng.randint(1, 15))
        else:
            day = _working_day_between(self.rng, max(self.day, due - timedelta(days=45)), due)
        if day > self.ctx.end:
            return False
        self.checked = self.add("reverify", "officer", day, Status.NO_CONDITION, found_conditions=found)
        self.checks += 1
        if found:  # conditions found: the head's continuation decision (Art. 44(2); ND 62/2015 Art. 9(4))
            self.decide("continue_from_no_condition", "head", self.later(0, 3), Status.ENFORCING)
        elif self.checks == 2:  # the creditor is told in writing after two checks
            sent = self.within(Deadline.CREDITOR_NOTICE_AFTER_TWO_CHECKS, self.checked, early=2)
            self.add("record_creditor_notice", "clerk", sent, sent_on=sent)
        return True

    def with_conditions(self) -> None:
        self.add("record_verification", "officer", self.later(2, 15), Status.ENFORCING,
                 outcome="with_conditions")

    def measures(self) -> None:
        """Security and coercive measures that fit the claim (Arts. 66, 71); sets the collection channel."""
        r, kind = self.rng, self.ctx.kind
        freeze = deduct_account = deduct_income = False
        if kind == "credit_debt":
            if r.random() < 0.45:
                self.channel = "paid_to_bank"
            else:
                freeze = r.random() < 0.5
                deduct_account = freeze or r.random() < 0.3
        elif kind == "maintenance":
            deduct_income = r.random() < 0.7
        elif kind in EX_OFFICIO_KINDS:
            deduct_income = r.random() < 0.25
        else:
            freeze = r.random() < 0.3
            deduct_account = freeze and r.random() < 0.7
            deduct_income = not deduct_account and r.random() < 0.2
        if freeze:
            self.decide("apply_security_measure", "officer", self.later(0, 5), measure="account_freeze")
        if deduct_account or deduct_income:
            measure = "deduction_from_account" if deduct_account else "deduction_from_income"
            self.decide("apply_coercive_measure", "officer", self.later(1, 9 if freeze else 20), measure=measure)
            self.coerced = True
            self.channel = "deduction"

    def collect_rest(self) -> None:
        kind = self.ctx.kind
        count, gap = {"maintenance": (self.rng.randint(1, 4), (25, 35)),
                      "credit_debt": (self.rng.randint(1, 3), (15, 45))}.get(kind, (self.rng.randint(1, 3), (7, 30)))
        self.collect_in_enforcement(self.uncollected, count, gap)

    def collect_part(self, p: float) -> None:
        share = self.rng.uniform(0.1, 0.6) if self.uncollected < 200_000_000 else self.rng.uniform(0.03, 0.25)
        if self.rng.random() < p and self.uncollected > 1_000_000:
            self.collect_in_enforcement(_round(self.uncollected * share, 1_000), self.rng.randint(1, 2), (20, 50))

    def complete(self) -> None:
        self.add("complete", "officer", self.later(0, 5), Status.COMPLETED)
        if self.ctx.origin is Origin.REQUEST and self.rng.random() < 0.15:
            requested = self.add("receive_certificate_request", "clerk", self.later(3, 40))
            day = self.within(Deadline.RESULT_CERTIFICATE, requested, early=3)
            self.add("issue_certificate", "head", day,
                     certificate_no=f"{self.ctx.index + 1}/XN-{self.ctx.agency}")

    def terminate_in_part(self) -> None:
        """The creditor waives a part of the biggest claim in writing (Art. 50(1)(c)): decided within 5 WD;
        that part leaves what is to be enforced."""
        item = max(self.items, key=lambda i: i.amount - i.collected)
        part = _round((item.amount - item.collected) * self.rng.uniform(0.2, 0.5), 1_000)
        if part <= 0:
            return
        known = self.later(1, 30)
        day = self.within(Deadline.TERMINATION_DECISION, known, early=3)
        item.amount -= part
        self.decide("terminate_in_part", "head", day, claim_item_id=item.id, amount_vnd=part,
                    ground="creditor_waiver_or_parties_agreement", ground_known_on=known)

    def taken_in_kind(self) -> None:
        """Seizure of the debtor's land; after two failed auctions and cuts the creditor takes it against
        the rank-3 claim (Art. 104): its value is performed in kind, straight to the creditor."""
        item = max(self.items, key=lambda i: i.rank)
        self.decide("order_seizure", "officer", self.later(3, 20), asset_kind="real_estate",
                    asset_description="Quyền sử dụng đất thửa số " + str(self.rng.randint(10, 400)) +
                                      ", tờ bản đồ số " + str(self.rng.randint(1, 40)),
                    claim_item_ids=[item.id])
        self.coerced = True
        value = item.amount - item.collected
        if value <= 0:
            return
        item.collected += value
        item.direct += value
        self._settle()
        self.add("record_asset_taken_in_kind", "officer", self.later(60, 120), claim_item_id=item.id,
                 value_vnd=value, source_ref=f"BB-GIAO-{self.ctx.index + 1:05d}")

    def separate_register(self) -> None:
        """Without conditions since last year: after 1 year (2 if in prison or address unknown) and two
        re-verifications with no news, moved to the separate register within 3 WD (ND 62/2015 Art. 9(5))."""
        while self.reverify(found=False):
            if self.checks >= 2:
                break
        waiting = 2 if self.long else 1
        first = self.steps_of("record_verification")[-1].at.date()
        ready = max(first.replace(year=first.year + waiting), self.checked)
        day = self.within(Deadline.SEPARATE_REGISTER_TRANSFER, max(ready, self.day), early=2)
        if self.checks < 2 or day > self.ctx.end:
            raise _TooLate
        self.add("move_to_separate_register", "head", day, Status.SEPARATE_REGISTER)

    def steps_of(self, command: str) -> list[PlannedStep]:
        return [s for s in self.steps if s.command == command]

    def terminate(self, ground: str) -> None:
        known = self.later(1, 40)
        day = self.within(Deadline.TERMINATION_DECISION, known, early=3)
        self.decide("terminate", "head", day, Status.TERMINATED, ground=ground, ground_known_on=known)

    def postpone(self) -> None:
        r, ctx = self.rng, self.ctx
        grounds = {"parties_agree": 5 if ctx.kind == "credit_debt" else 2, "debtor_ill_or_incapacitated": 2,
                   "asset_in_court_dispute": 1.5, "awaiting_court_explanation": 1, "recipient_absent": 0.5}
        ground = _weighted(r, grounds)
        day = self.later(5, 40)
        until = day + timedelta(days=r.randint(2, 8) * 30) if ground == "parties_agree" else None
        self.previous = self.status
        args = {"ground": ground} | ({"until": until} if until else {})
        self.decide("postpone", "head", day, Status.POSTPONED, **args)

    def continue_postponed(self) -> None:
        back = self.previous or Status.ENFORCING
        self.decide("continue_after_postponement", "head", self.later(20, 90), back)

    def suspend(self) -> None:
        organisation = self.ctx.debtor_kind == "organisation"
        ground = "bankruptcy_petition_accepted" if organisation and self.rng.random() < 0.5 \
            else "cassation_or_retrial_protest"
        known = self.later(3, 40)
        day = self.within(Deadline.SUSPENSION_DECISION, known, early=3)
        self.decide("suspend", "head", day, Status.SUSPENDED, ground=ground, ground_known_on=known)

    def continue_suspended(self) -> None:
        ended = self.later(20, 75)
        day = self.within(Deadline.CONTINUATION_AFTER_SUSPENSION, ended, early=3)
        self.decide("continue_after_suspension", "head", day, Status.ENFORCING, ground_ended_on=ended)

    def reassign(self) -> None:
        others = [o for o in self.ctx.officers if o != self.officer]
        if others:
            officer = self.rng.choice(others)
            self.add("reassign_officer", "head", self.later(0, 10), officer_id=officer,
                     reason="Điều động, luân chuyển chấp hành viên")
            self.officer = officer

    def build(self, trajectory: str, received: date) -> None:
        r = self.rng
        self.receive(received)
        if trajectory == REFUSED:
            self.refuse()
            return
        self.decide_enforcement()
        if trajectory == REVOKED and r.random() < 0.5:
            self.revoke()
            return
        if trajectory == DELEGATED and r.random() < 0.5:   # residence or assets elsewhere known at once
            self.delegate(self.day)
            return
        self.notified = self.notify()
        if trajectory == REVOKED:
            self.revoke()
            return
        if trajectory == VOLUNTARY:
            self.voluntary(1.0)
            self.complete()
            return
        if r.random() < 0.1 and self.uncollected > 1_000_000:
            self.voluntary(r.uniform(0.1, 0.5))
        self.start_verification()
        if trajectory == DELEGATED:
            self.delegate(self.later(2, 20))
            return
        if trajectory in (NO_CONDITION, NC_FOUND, SEPARATE):
            self.no_condition()
            if trajectory == SEPARATE:
                self.separate_register()
                return
            if trajectory == NO_CONDITION:
                while self.reverify(found=False):
                    pass
                return
            self.reverify(found=True)
            if self.status is not Status.ENFORCING:
                raise _TooLate
        else:
            self.with_conditions()
        if r.random() < 0.05:
            self.reassign()
        self.measures()
        if trajectory in (ENFORCED, NC_FOUND):
            self.collect_rest()
            self.complete()
        elif trajectory == PARTLY_TERMINATED:
            self.collect_part(0.5)
            self.terminate_in_part()
            self.collect_rest()
            self.complete()
        elif trajectory == IN_KIND:
            self.taken_in_kind()
            self.collect_rest()
            self.complete()
        elif trajectory in (POSTPONED, POSTPONED_DONE):
            self.collect_part(0.3)
            self.postpone()
            if trajectory == POSTPONED_DONE:
                self.continue_postponed()
                self.collect_rest()
                self.complete()
        elif trajectory in (SUSPENDED, SUSPENDED_DONE, ANNULLED):
            self.suspend()
            if trajectory == SUSPENDED_DONE:
                self.continue_suspended()
                self.collect_rest()
                self.complete()
            elif trajectory == ANNULLED:
                self.terminate("judgment_annulled")
        elif trajectory == TERMINATED:
            self.collect_part(0.35)
            self.terminate(self.ctx.termination_ground)
        elif trajectory == IN_PROGRESS:
            self.collect_part(0.6)


@dataclass
class _Context:
    """What is fixed about a case before its timeline is drawn."""
    index: int
    unit: str
    units: list[str]
    origin: Origin
    kind: str
    intake_ref: str
    judgment_code: str                 # e.g. HS-ST: criminal, first instance
    court: str
    parties: list[dict[str, Any]]
    items: list[tuple[str, ClaimKind, int, bool]]
    debtor_kind: str
    refusal_ground: str
    termination_ground: str
    officers: list[str]
    head: str
    clerk: str
    agency: str
    start: date
    end: date
    effective_years: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def secured(self) -> bool:
        return any(s for *_, s in self.items)

    def effective_on(self, filed_or_received: date, rng: random.Random) -> date:
        """Judgment in force: a few weeks before an ex officio receipt; months to years before a request
        (more than the 5-year limitation for requests refused on that ground)."""
        if self.origin is Origin.JUDGMENT:
            return filed_or_received - timedelta(days=rng.randint(3, 30))
        if self.refusal_ground == "limitation_expired" and self.extra.get("refused"):
            return filed_or_received - timedelta(days=5 * 365 + rng.randint(30, 900))
        return filed_or_received - timedelta(days=rng.randint(15, 1200))


def _context(rng: random.Random, seed: int, index: int, units: list[str], start: date, kind: str,
             claims: list[tuple[ClaimKind, int, bool]], trajectory: str) -> _Context:
    unit = rng.choices(units, weights=[UNIT_WEIGHTS.get(u, 1.0) for u in units])[0]
    district, court = UNITS.get(unit, (None, "Tòa án nhân dân tỉnh Thanh Hóa"))
    people = _People(rng, district)
    origin = Origin.JUDGMENT if kind in EX_OFFICIO_KINDS else Origin.REQUEST
    code = rng.choice(JUDGMENT_CODES[kind])
    if code.endswith("-PT"):                      # an appeal: the provincial court
        court = "Tòa án nhân dân tỉnh Thanh Hóa" if district else "Tòa án nhân dân cấp cao tại Hà Nội"

    # parties: the creditor first (it is every claim item's creditor), then debtors and related persons
    if origin is Origin.JUDGMENT:
        creditor = people.state()
        debtor = people.company() if kind == "court_fee" and rng.random() < 0.1 else people.individual(
            female=rng.random() < (0.3 if kind == "court_fee" else 0.12))
    elif kind == "credit_debt":
        creditor, debtor = people.bank(), people.company() if rng.random() < 0.3 else people.individual()
    elif kind == "maintenance":
        creditor = people.individual(female=rng.random() < 0.85)
        debtor = people.individual(female=not creditor["female"])
    elif kind == "compensation":
        creditor, debtor = people.individual(), people.individual(female=rng.random() < 0.15)
    else:
        creditor = people.company() if rng.random() < 0.25 else people.individual()
        debtor = people.company() if rng.random() < 0.15 else people.individual()
    parties = [creditor | {"role": "creditor"}, debtor | {"role": "debtor"}]
    if kind == "credit_debt" and debtor["kind"] == "individual" and rng.random() < 0.35:
        parties.append(people.individual(female=not debtor["female"]) | {"role": "debtor"})   # spouse, co-borrower
    if kind in ("credit_debt", "other") and rng.random() < 0.1:
        parties.append(people.individual() | {"role": "related"})   # co-owner or occupant of an asset
    parties = [{"party_id": party_id(seed, index, k), "role": p["role"], "kind": p["kind"]}
               | ({"bank_code": p["bank_code"]} if p.get("bank_code") else {})
               | {"full_name": p["full_name"]}
               | {f: p[f] for f in ("id_number", "address", "phone") if p.get(f)}
               for k, p in enumerate(parties)]
    items = [(claim_item_id(seed, index, k), ck, amount, secured)
             for k, (ck, amount, secured) in enumerate(claims)]
    assert len({payment_rank(ck) for _, ck, _, _ in items}) == len(items), "one item per rank"

    refusal = _weighted(rng, {"limitation_expired": 5, "not_competent": 3, "no_right_to_request": 2})
    termination = {
        "court_fee": {"exemption_granted": 6, "debtor_died_without_estate": 3, "organisation_dissolved": 1},
        "fine": {"exemption_granted": 6, "debtor_died_without_estate": 4},
        "confiscation": {"exemption_granted": 4, "debtor_died_without_estate": 4, "judgment_annulled": 1},
        "credit_debt": {"creditor_waiver_or_parties_agreement": 8,
                        ("bankruptcy_opened" if debtor["kind"] == "organisation" else "debtor_died_without_estate"): 2},
        "maintenance": {"child_died_or_of_age": 4, "creditor_waiver_or_parties_agreement": 6},
    }.get(kind, {"creditor_waiver_or_parties_agreement": 8, "debtor_died_without_estate": 2,
                 "creditor_died_without_heir": 0.5})
    code_of = unit.lower()
    prefix = "BA" if origin is Origin.JUDGMENT else "DON"
    return _Context(
        index=index, unit=unit, units=units, origin=origin, kind=kind,
        intake_ref=f"{prefix}-S{seed}-{index + 1:05d}", judgment_code=code, court=court,
        parties=parties, items=items, debtor_kind=debtor["kind"], refusal_ground=refusal,
        termination_ground=_weighted(rng, termination),
        officers=[f"chv-{code_of}-{k:02d}" for k in range(1, 7)], head=f"head-{code_of}",
        clerk=f"clerk-{code_of}-{rng.randint(1, 2)}", agency="CTHADS" if unit == "TH" else "CCTHADS",
        start=start, end=_year_end(start), extra={"refused": trajectory == REFUSED})


def _plan_case(rng: random.Random, seed: int, index: int, units: list[str], start: date) -> CasePlan:
    kind = _weighted(rng, KIND_WEIGHTS)
    claims = _claims(rng, kind)
    trajectory = _weighted(rng, trajectory_weights(kind, sum(a for _, a, _ in claims)))
    ctx = _context(rng, seed, index, units, start, kind, claims, trajectory)
    for attempt in range(REDRAWS + 1):
        builder = _Builder(rng, ctx)
        try:
            received = _working_day_between(rng, start, ctx.end)
            if trajectory == SEPARATE:   # carried over: received in an earlier year (domain.md §2, [2])
                received = next_working_day(start - timedelta(days=rng.randint(200, 330)))
                builder.day = received
            builder.build(trajectory, received)
            cut = False
            break
        except _TooLate:   # the rest would happen after 30/9: the case is carried over as it stands
            cut = True
            if rng.random() > REDRAW_P:
                break
    steps = tuple(builder.steps)
    assert cut or builder.status is FINAL_STATUS[trajectory]
    money = [(s.command, s.args) for s in steps]
    in_kind = sum(a["value_vnd"] for c, a in money if c == "record_asset_taken_in_kind")   # value, to the creditor
    collected = in_kind + sum(a["amount_vnd"] for c, a in money if c in ("record_voluntary_payment", "collect_money"))
    disbursed = in_kind + sum(a["amount_vnd"] for c, a in money
                              if c == "disburse" or a.get("direct_to_creditor") or a.get("channel") == "paid_to_bank")
    return CasePlan(
        index=index, unit=ctx.unit, origin=ctx.origin.value, intake_ref=ctx.intake_ref,
        case_id=Case.create_id(ctx.unit, ctx.origin.value, ctx.intake_ref), kind=kind, trajectory=trajectory,
        steps=steps, expected_status=steps[-1].status_after, cut_at_year_end=cut,
        claimed_vnd=sum(i.claimed for i in builder.items), collected_vnd=collected, disbursed_vnd=disbursed)


def plan(seed: int, n: int, units: Sequence[str] | None = None, start: date = DEFAULT_START) -> list[CasePlan]:
    """n cases of the statistical year starting on `start`, drawn from random.Random(seed) only.

    Each case draws from its own generator, seeded from the master one in order, so a plan's first
    k cases do not depend on n (a bigger --cases only adds cases)."""
    if n < 0:
        raise ValueError("n must not be negative")
    units = list(units or DEFAULT_UNITS)
    for u in units:
        if not u or len(u) > 32 or "." in u or any(c.isspace() for c in u):
            raise ValueError(f"unit code {u!r}: 1 to 32 characters, no dots or spaces")
    master = random.Random(seed)
    return [_plan_case(random.Random(master.getrandbits(64)), seed, i, units, start) for i in range(n)]


# ---------------------------------------------------------------- statistics of a plan (domain.md §2)

# not (or no longer) counted: no QĐTHA yet (1 QĐTHA = 1 case), refused, delegated out, revoked
NOT_TO_ENFORCE = frozenset({Status.JUDGMENT_RECEIVED, Status.REQUEST_RECEIVED, Status.REJECTED,
                            Status.DELEGATED_OUT, Status.REVOKED})
WITHOUT_CONDITIONS = frozenset({Status.NO_CONDITION, Status.SEPARATE_REGISTER, Status.RETURNED})
RESOLVED = frozenset({Status.COMPLETED, Status.TERMINATED})


def statistics(statuses: Iterable[tuple[str, int, int]]) -> dict[str, float]:
    """Case and money indicators from (final status, amount, amount completed) per case.

    To enforce = accepted − refused/delegated/revoked; with conditions = to enforce − without
    conditions; rate = (completed + terminated) / with conditions (TT 06/2019 identities)."""
    cases = with_c = resolved = without = 0
    money = money_with = money_done = 0
    for status, amount, done in statuses:
        s = Status(status)
        if s in NOT_TO_ENFORCE:
            continue
        cases += 1
        money += amount
        if s in WITHOUT_CONDITIONS:
            without += 1
            continue
        with_c += 1
        money_with += amount
        resolved += s in RESOLVED
        money_done += amount if s in RESOLVED else done
    return {"to_enforce": cases, "with_conditions": with_c, "without_conditions": without, "resolved": resolved,
            "rate": resolved / with_c if with_c else 0.0,
            "without_share": without / cases if cases else 0.0,
            "money_to_enforce": money, "money_with_conditions": money_with, "money_resolved": money_done,
            "money_rate": money_done / money_with if money_with else 0.0}


# ---------------------------------------------------------------- execution through the HTTP API


class DemoError(RuntimeError):
    """An answer of the API the plan did not expect."""


@dataclass
class RunSummary:
    played: int = 0
    skipped: int = 0
    resumed: int = 0
    interrupted: list[str] = field(default_factory=list)
    requests: int = 0
    elapsed_s: float = 0.0
    by_status: Counter[str] = field(default_factory=Counter)
    claimed_vnd: int = 0
    collected_vnd: int = 0
    disbursed_vnd: int = 0
    mismatches: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)


def _fail(case: CasePlan, what: str, response: Any) -> DemoError:
    return DemoError(f"case {case.index} ({case.unit} {case.intake_ref}, {case.case_id}): {what}: "
                     f"HTTP {response.status_code} {response.text}")


class _Client:
    def __init__(self, http: Any) -> None:
        self.http = http
        self.tokens: dict[tuple[str, str, str], str] = {}
        self.requests = 0

    def headers(self, role: str, unit: str, sub: str) -> dict[str, str]:
        from thads_infra.tokens import issue_token

        key = (role, unit, sub)
        if key not in self.tokens:
            self.tokens[key] = issue_token(role, unit, sub=sub, hours=12)
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def post(self, case: CasePlan, step: PlannedStep) -> Any:
        self.requests += 1
        return await self.http.post(step.path(case.case_id), json=step.body(),
                                    headers=self.headers(step.role, case.unit, step.actor))

    async def get(self, case: CasePlan, path: str) -> Any:
        self.requests += 1
        r = await self.http.get(path, headers=self.headers("head", case.unit, f"head-{case.unit.lower()}"))
        if r.status_code != 200:
            raise _fail(case, f"GET {path}", r)
        return r.json()


async def _planned_events_done(client: _Client, case: CasePlan) -> tuple[int, bool]:
    """How many of the case's planned steps are already recorded, and whether the deadline watch
    stamped the case at recording time (then no historical step can follow)."""
    events = (await client.get(case, f"/cases/{case.case_id}/events"))["events"]
    watched = [e for e in events if e["event"] == "DeadlineMissed"]
    return len(events) - len(watched), bool(watched)


async def _play(client: _Client, case: CasePlan, summary: RunSummary) -> None:
    first = case.steps[0]
    r = await client.post(case, first)
    begin = 1
    if r.status_code == 409 and r.json().get("error") == "CaseAlreadyRegisteredError":
        done, watched = await _planned_events_done(client, case)
        if done >= len(case.steps):
            summary.skipped += 1
            return
        if watched:
            summary.interrupted.append(f"{case.intake_ref}: stopped after {done}/{len(case.steps)} steps")
            return
        begin = done
        summary.resumed += 1
    elif r.status_code != 201 or r.json().get("status") != first.status_after:
        raise _fail(case, f"{first.command} (expected 201, status {first.status_after})", r)
    else:
        summary.played += 1
    for step in case.steps[begin:]:
        r = await client.post(case, step)
        if r.status_code == 200 and r.json().get("status") == step.status_after:
            continue
        if r.status_code == 409 and r.json().get("error") == "BackdatedEventError":
            done, watched = await _planned_events_done(client, case)
            if watched:   # the service's deadline watch recorded a miss "now" in the middle of the history
                summary.interrupted.append(f"{case.intake_ref}: deadline watch intervened after "
                                           f"{done}/{len(case.steps)} steps")
                return
        raise _fail(case, f"{step.command} at {step.at.isoformat()} (expected 200, status {step.status_after})", r)


async def _pool(items: Sequence[CasePlan], concurrency: int, work: Any, advance: Any) -> None:
    queue = iter(items)

    async def worker() -> None:
        for case in queue:
            await work(case)
            advance()

    tasks = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def run(url: str, plan: Sequence[CasePlan], concurrency: int = 8, *, progress: bool = True,
              timeout: float = 60.0) -> RunSummary:
    """Play every case of `plan` through the API at `url`; then read every case back and compare."""
    import httpx
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    summary = RunSummary()
    began = time.monotonic()
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        client = _Client(http)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=not progress, transient=False) as bar:
            task = bar.add_task("Nhập việc thi hành án", total=len(plan))
            await _pool(plan, concurrency, lambda c: _play(client, c, summary),
                        lambda: bar.advance(task))
            states: dict[int, dict[str, Any]] = {}

            async def read(case: CasePlan) -> None:
                states[case.index] = await client.get(case, f"/cases/{case.case_id}")

            check = bar.add_task("Kiểm tra trạng thái", total=len(plan))
            await _pool(plan, concurrency, read, lambda: bar.advance(check))
        summary.requests = client.requests
    interrupted = {s.split(":")[0] for s in summary.interrupted}
    rows = []
    for case in plan:
        state = states[case.index]
        items = state["claim_items"]
        summary.by_status[state["status"]] += 1
        claimed = sum(i["amount_vnd"] for i in items)
        disbursed = sum(i["disbursed_vnd"] for i in items)
        summary.claimed_vnd += claimed
        summary.collected_vnd += sum(i["collected_vnd"] for i in items)
        summary.disbursed_vnd += disbursed
        rows.append((state["status"], claimed, disbursed))
        if state["status"] != case.expected_status and case.intake_ref not in interrupted:
            summary.mismatches.append(f"{case.intake_ref} ({case.case_id}): {state['status']}, "
                                      f"planned {case.expected_status}")
    summary.stats = statistics(rows)
    summary.elapsed_s = time.monotonic() - began
    if summary.mismatches:
        raise DemoError("cases not in their planned status:\n" + "\n".join(summary.mismatches))
    return summary


# ---------------------------------------------------------------- CLI


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def print_summary(summary: RunSummary, console: Any | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="Việc thi hành án theo trạng thái cuối")
    table.add_column("Trạng thái")
    table.add_column("Mã")
    table.add_column("Số việc", justify="right")
    for status, count in sorted(summary.by_status.items(), key=lambda kv: -kv[1]):
        table.add_row(STATUS_LABELS[Status(status)], status, str(count))
    console.print(table)
    s = summary.stats
    console.print(
        f"Phải thi hành: {_vnd(summary.claimed_vnd)}; đã thu: {_vnd(summary.collected_vnd)}; "
        f"đã chi trả: {_vnd(summary.disbursed_vnd)}\n"
        f"Có điều kiện: {int(s.get('with_conditions', 0))} việc, thi hành xong (kể cả đình chỉ) "
        f"{s.get('rate', 0):.2%}; chưa có điều kiện: {s.get('without_share', 0):.1%} số phải thi hành; "
        f"tỷ lệ về tiền {s.get('money_rate', 0):.1%}\n"
        f"Đã nhập {summary.played}, bỏ qua (đã có) {summary.skipped}, tiếp tục {summary.resumed}; "
        f"{summary.requests} yêu cầu HTTP trong {summary.elapsed_s:.1f} s")
    for line in summary.interrupted:
        console.print(f"[yellow]Dừng giữa chừng:[/yellow] {line}")


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m intake_service.demo",
                                description="Tạo dữ liệu mẫu: các việc thi hành án giả lập, nhập qua API của intake.")
    p.add_argument("--url", default=DEFAULT_URL, help=f"intake service (default {DEFAULT_URL})")
    p.add_argument("--cases", type=int, default=200, help="number of cases (default 200)")
    p.add_argument("--seed", type=int, default=2018, help="random seed: same seed, same cases (default 2018)")
    p.add_argument("--units", default=",".join(DEFAULT_UNITS),
                   help="comma-separated office codes (default: Thanh Hóa's provincial agency and 7 districts)")
    p.add_argument("--concurrency", type=int, default=8, help="cases played at once (default 8)")
    p.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START,
                   help="first day of the statistical year (default 2017-10-01)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    if args.cases < 0 or args.concurrency < 1:
        p.error("--cases must be ≥ 0 and --concurrency ≥ 1")
    args.units = [u.strip() for u in args.units.split(",") if u.strip()]
    if not args.units:
        p.error("--units needs at least one office code")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    import httpx

    args = _parse_args(argv)
    try:
        cases = plan(args.seed, args.cases, args.units, args.start)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        summary = asyncio.run(run(args.url, cases, args.concurrency, progress=not args.no_progress))
    except DemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, httpx.TransportError) as exc:
        print(f"error: cannot reach {args.url}: {exc!r}", file=sys.stderr)
        return 1
    print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
