"""The Thanh Hóa statistical year 1/10/2017 – 30/9/2018 (seed report, domain.md §2), as a plan of
intake commands: pure (from `random.Random(seed)` and the scale only), written as NDJSON for intake's
bulk import, one file per office.

The plan decides what HAPPENS — how many cases take which course, and with how much money — shaped so
that the year's report comes out as the seed's (cases accepted 18,024; resolved 11,888 of 14,382 with
conditions = 82.66 %; money accepted 1,214.5 bn, resolved 419.1 bn of 983.8 bn with conditions =
42.60 %). The report itself is never written: the statistics service counts the events intake
publishes for these commands. `expected(scale)` is the plan's own arithmetic, for the tests.

Courses (the class of a case at the year's end), at full scale:

| class | carried over | new | money (đồng) | steps in the year |
|---|---|---|---|---|
| completed | 3,000 | 8,200 | 380.0 bn | paid (voluntarily, or collected and paid out), completed |
| terminated | 300 | 388 | 30.0 bn | terminated (creditor's waiver) |
| in progress | 1,200 | 1,000 | 513.8 bn, of which 9.1 bn collected | verified with conditions; some collections |
| postponed | 100 | 100 | 40.0 bn | postponed by agreement (with conditions) |
| suspended | 50 | 44 | 20.0 bn | suspended (protest) |
| without conditions | 1,300 | 2,142 | 224.7 bn | verified without conditions (Art. 44a) |
| delegated out | 0 | 150 | 4.5 bn | delegated to another province, QĐTHA revoked with it |
| revoked | 0 | 50 | 1.5 bn | QĐTHA revoked (material error) |

Beside intake's lines, a share of the carried-over completed cases is paid by an auction instead of a
direct collection of the same amount (`auction_lines`, for auctions' import, and `later`, the payout
and completion once the money reached the case), and a share of the new cases draws a complaint
(`complaint_lines`, for complaints' import and reception routes): see AUCTION_* and COMPLAINT_*
below. `expected_other()` sums what they move among the report's other indicators; the trees are
unchanged.

Carried-over cases are opened, decided, notified and verified in earlier years (2013–2017), so they
are open on 1/10/2017. Each case's business times increase step by step; the import records them as
`occurred_at`. Targets (chỉ tiêu) are the seed's: 73.50 % cases, 32.50 % money.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from thads_calendar import is_working_day

VN = timezone(timedelta(hours=7))
NS = uuid5(NAMESPACE_URL, "https://thads.moj.gov.vn/simulation/thanh-hoa-2018")
YEAR_START, YEAR_END = date(2017, 10, 1), date(2018, 9, 30)
BN = 1_000_000_000
TARGETS = {"cases": "73.50", "money": "32.50"}
UNIT = "38"
PERIOD = "2018"

# class → (carried over, new, money total in đồng, collected in the year on open cases)
CLASSES: dict[str, tuple[int, int, int]] = {
    "completed": (3_000, 8_200, 380 * BN),
    "terminated": (300, 388, 30 * BN),
    "in_progress": (1_200, 1_000, 513_800_000_000),
    "postponed": (100, 100, 40 * BN),
    "suspended": (50, 44, 20 * BN),
    "without_conditions": (1_300, 2_142, 224_700_000_000),
    "delegated": (0, 150, 4_500_000_000),
    "revoked": (0, 50, 1_500_000_000),
}
IN_PROGRESS_COLLECTED = 9_100_000_000
EX_OFFICIO_SHARE = 0.58

# offices and their weights (the city and the provincial agency carry more cases)
OFFICES: dict[str, float] = {
    "TH": 1.5, "TH-TPTH": 3.0, "TH-BIMSON": 1.0, "TH-SAMSON": 1.0, "TH-MUONGLAT": 0.3, "TH-QUANHOA": 0.4,
    "TH-BATHUOC": 0.5, "TH-QUANSON": 0.3, "TH-LANGCHANH": 0.4, "TH-NGOCLAC": 0.7, "TH-CAMTHUY": 0.7,
    "TH-THACHTHANH": 0.8, "TH-HATRUNG": 0.8, "TH-VINHLOC": 0.6, "TH-YENDINH": 1.0, "TH-THOXUAN": 1.2,
    "TH-THUONGXUAN": 0.6, "TH-TRIEUSON": 1.1, "TH-THIEUHOA": 0.9, "TH-HOANGHOA": 1.3, "TH-HAULOC": 0.9,
    "TH-NGASON": 0.9, "TH-NHUXUAN": 0.5, "TH-NHUTHANH": 0.6, "TH-NONGCONG": 1.0, "TH-DONGSON": 0.7,
    "TH-QUANGXUONG": 1.2, "TH-TINHGIA": 1.3,
}


def counts(scale: float) -> dict[str, tuple[int, int]]:
    return {k: (round(c * scale), round(n * scale)) for k, (c, n, _m) in CLASSES.items()}


def money_total(name: str, scale: float) -> int:
    if sum(counts(scale)[name]) == 0:
        return 0                         # a class with no case at this scale has no money either
    return int(round(CLASSES[name][2] * scale / 1000)) * 1000


def collected_total(scale: float) -> int:
    return int(round(IN_PROGRESS_COLLECTED * scale / 1000)) * 1000


def _split(rng: random.Random, total: int, n: int, floor: int = 1_000_000) -> list[int]:
    """n positive amounts (multiples of 1,000 đồng, each ≥ floor when the total allows) summing to total."""
    if n == 0:
        return []
    floor = min(floor, (total // n) // 1000 * 1000)
    spare = total - floor * n
    weights = [math.exp(rng.gauss(0.0, 1.0)) for _ in range(n)]
    s = sum(weights)
    parts = [floor + int(spare * w / s) // 1000 * 1000 for w in weights]
    parts[-1] += total - sum(parts)
    return parts


@dataclass
class Course:
    index: int
    office: str
    cls: str
    carried: bool
    ex_officio: bool
    amount: int
    collect: int = 0                     # in-progress cases: collected in the year
    lines: list[dict[str, Any]] = field(default_factory=list)
    auction: str | None = None           # the auction scenario of a completed case (AUCTION_SCENARIOS)
    complaint: str | None = None         # the complaint scenario (COMPLAINT_SCENARIOS)
    auction_lines: list[dict[str, Any]] = field(default_factory=list)      # auctions' commands
    later: list[dict[str, Any]] = field(default_factory=list)              # intake's, after the sale's money
    complaint_lines: list[dict[str, Any]] = field(default_factory=list)    # complaints' commands
    complaint_about: str | None = None   # the intake event (type) the complaint is about
    figures: dict[str, dict[str, int]] = field(default_factory=dict)      # the other indicators it moves
    ref: str = ""                        # intake's reference of the case (set when its lines are written)

    @property
    def case_id(self) -> str:
        """Intake's id of the case (Case.create_id: office, origin and reference)."""
        origin = "judgment" if self.ex_officio else "request"
        return str(uuid5(NAMESPACE_URL, f"/thads/units/{self.office}/{origin}s/{self.ref}"))

    def count(self, group: str, figure: str, amount: int = 1) -> None:
        g = self.figures.setdefault(group, {})
        g[figure] = g.get(figure, 0) + amount


def plan(scale: float = 1.0, seed: int = 2018, tag: str = "", auctions: bool = True,
         complaints: bool = True) -> list[Course]:
    """The year's courses and their lines. `auctions=False`: no case is sold at auction (each is paid
    as a direct collection, for a run without the auctions service); `complaints=False`: none."""
    rng = random.Random(seed)
    courses: list[Course] = []
    offices, weights = list(OFFICES), list(OFFICES.values())
    for name, (carried, new) in counts(scale).items():
        amounts = _split(rng, money_total(name, scale), carried + new)
        for k, amount in enumerate(amounts):
            courses.append(Course(len(courses), rng.choices(offices, weights)[0], name, k < carried,
                                  rng.random() < EX_OFFICIO_SHARE, amount))
    open_ones = [c for c in courses if c.cls == "in_progress"]
    rng.shuffle(open_ones)
    left = collected_total(scale)
    for c in open_ones:                  # the year's collections on open cases, at most half of each
        if left <= 0:
            break
        part = min(left, c.amount // 2 // 1000 * 1000)
        c.collect, left = part, left - part
    if left > 0:
        raise ValueError("the scale is too small for the in-progress collections")
    if auctions:
        _choose_auctions(courses)
    for c in courses:
        _write(rng, c, tag)
    if complaints:
        _choose_complaints(courses)
    for c in courses:
        if c.complaint:
            _complaint(c)
    return courses


class _Steps:
    def __init__(self, c: Course, start: date, tag: str = "") -> None:
        self.c = c
        self.day = start
        self.n = 0
        # the intake reference (intake derives the case id from office and reference); `tag` tells
        # apart the cases of separate runs on one database (tests)
        self.ref = f"{c.office}/2018/{tag}{c.index:06d}"
        self.officer = f"cv-{c.office.lower()}"
        self.head = f"tt-{c.office.lower()}"
        self.clerk = f"tk-{c.office.lower()}"

    def add(self, path: str, role: str, body: dict[str, Any], days: int = 0, bind: bool = False,
            later: bool = False) -> None:
        """One intake command `days` after the previous one; `later`: run once the auction's money or
        asset has reached the case (a file of its own, naming the case by its id)."""
        self.day += timedelta(days=days)
        self.n += 1
        at = datetime.combine(self.day, time(8, 0), tzinfo=VN) + timedelta(minutes=self.n)
        actor = {"clerk": self.clerk, "head": self.head, "officer": self.officer}[role]
        line: dict[str, Any] = {"command_id": f"sim/{self.ref}/{self.n:02d}", "path": path, "role": role,
                                "actor": actor, "body": {**body, "occurred_at": at.isoformat()}}
        if later:
            line["case"] = self.c.case_id
            self.c.later.append(line)
            return
        line["bind" if bind else "case"] = self.ref
        self.c.lines.append(line)

    def uuid(self, what: str) -> str:
        return str(uuid5(NS, f"{self.ref}/{what}"))


# Every BANK_EVERY-th case on request has a credit institution as its creditor (the bad-debt
# indicators and, in `make run`, the banks' feeds). A share chosen for the demo, not from the seed
# report, which gives no bank figures; by index, so the plan's random draws stay as they were.
BANK_EVERY = 16
BANKS = (("VCB", "Ngân hàng TMCP Ngoại thương Việt Nam - Chi nhánh Thanh Hóa"),
         ("BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam - Chi nhánh Thanh Hóa"),
         ("AGRIBANK", "Ngân hàng Nông nghiệp và Phát triển Nông thôn - Chi nhánh Thanh Hóa"),
         ("VIETINBANK", "Ngân hàng TMCP Công thương Việt Nam - Chi nhánh Thanh Hóa"))


def is_bank_case(c: Course) -> bool:
    return not c.ex_officio and c.index % BANK_EVERY == 0


def _creditor(c: Course) -> dict[str, Any]:
    if c.ex_officio:
        return {"kind": "state", "full_name": "Ngân sách nhà nước"}
    if is_bank_case(c):
        code, name = BANKS[c.index // BANK_EVERY % len(BANKS)]
        return {"kind": "credit_institution", "bank_code": code, "full_name": name}
    return {"kind": "individual", "full_name": "Lê Văn An"}


def _write(rng: random.Random, c: Course, tag: str = "") -> None:
    if c.carried:
        start = date(2013, 10, 1) + timedelta(days=rng.randrange((date(2017, 8, 1) - date(2013, 10, 1)).days))
    else:
        start = YEAR_START + timedelta(days=rng.randrange(1, 300))
    s = _Steps(c, start, tag)
    c.ref = s.ref
    basis = "ex_officio" if c.ex_officio else "on_request"
    no = f"{c.index + 1}/QĐ-THA"
    if c.ex_officio:
        s.add("/cases/judgments", "clerk", {"unit": c.office, "intake_ref": s.ref, "judgment_number": "12/2016/HS-ST",
                                            "issuing_court": "Tòa án nhân dân tỉnh Thanh Hóa"}, bind=True)
    else:
        s.add("/cases/requests", "clerk", {"unit": c.office, "intake_ref": s.ref, "channel": "in_person",
                                           "judgment_number": "34/2016/DS-ST",
                                           "issuing_court": "Tòa án nhân dân huyện"}, bind=True)
    creditor, debtor, item = s.uuid("creditor"), s.uuid("debtor"), s.uuid("item")
    s.add("/cases/{case}/parties", "clerk", {"party_id": creditor, "role": "creditor", **_creditor(c)})
    s.add("/cases/{case}/parties", "clerk", {"party_id": debtor, "role": "debtor", "kind": "individual",
                                             "full_name": "Trần Thị Bình"})
    s.add("/cases/{case}/claim-items", "clerk", {"claim_item_id": item, "kind": "court_fee" if c.ex_officio else "other",
                                                 "amount_vnd": c.amount, "creditor_party_id": creditor,
                                                 "ex_officio": c.ex_officio})
    s.add("/cases/{case}/decision", "head", {"decision_no": no, "basis": basis}, days=2)
    s.add("/cases/{case}/officer", "head", {"officer_id": s.officer})
    if c.cls in ("delegated", "revoked"):
        if c.cls == "delegated":
            s.add("/cases/{case}/delegation", "head", {"decision_no": f"{c.index + 1}/QĐ-UTTHA", "target_unit_id": "NA",
                                                       "ground": "assets_elsewhere",
                                                       "revocation_decision_no": f"{c.index + 1}/QĐ-THTHA"}, days=5)
        else:
            s.add("/cases/{case}/revocation", "head", {"decision_no": f"{c.index + 1}/QĐ-THTHA",
                                                       "ground": "material_error"}, days=5)
        return
    s.add("/cases/{case}/notification", "officer", {}, days=1)
    if c.cls == "completed" and not c.carried:
        s.add("/cases/{case}/voluntary-payments", "officer", {"claim_item_id": item, "amount_vnd": c.amount,
                                                              "source_ref": f"BL-{s.ref}-1"}, days=3)
        s.add("/cases/{case}/disbursements", "officer", {"claim_item_id": item, "amount_vnd": c.amount}, days=2)
        s.add("/cases/{case}/completion", "officer", {}, days=1)
        return
    s.add("/cases/{case}/verification/start", "officer", {}, days=30)   # after the voluntary period (10 days, holidays)
    if c.cls == "without_conditions":
        s.add("/cases/{case}/verification", "head", {"outcome": "without_conditions", "ground": "no_income_or_assets",
                                                     "decision_no": f"{c.index + 1}/QĐ-CĐKTHA"}, days=5)
        return
    s.add("/cases/{case}/verification", "officer", {"outcome": "with_conditions"}, days=5)
    if c.carried:                        # the year's steps start after 1/10/2017
        s.day = YEAR_START + timedelta(days=rng.randrange(1, 300))
        if c.auction:                    # a sale takes months: it starts in the year's first five
            s.day = YEAR_START + timedelta(days=1 + (s.day - YEAR_START).days % 150)
    if c.auction:
        _auction(s, c, item, creditor)
    elif c.cls == "completed":
        s.add("/cases/{case}/collections", "officer", {"claim_item_id": item, "amount_vnd": c.amount,
                                                       "channel": "voluntary", "source_ref": f"BL-{s.ref}-1"}, days=1)
        s.add("/cases/{case}/disbursements", "officer", {"claim_item_id": item, "amount_vnd": c.amount}, days=2)
        s.add("/cases/{case}/completion", "officer", {}, days=1)
    elif c.cls == "terminated":
        s.add("/cases/{case}/termination", "head", {"decision_no": f"{c.index + 1}/QĐ-ĐCTHA",
                                                    "ground": "creditor_waiver_or_parties_agreement"}, days=3)
    elif c.cls == "in_progress" and c.collect:
        s.add("/cases/{case}/collections", "officer", {"claim_item_id": item, "amount_vnd": c.collect,
                                                       "channel": "voluntary", "source_ref": f"BL-{s.ref}-1"}, days=1)
        s.add("/cases/{case}/disbursements", "officer", {"claim_item_id": item, "amount_vnd": c.collect}, days=2)
    elif c.cls == "postponed":
        s.add("/cases/{case}/postponement", "head", {"decision_no": f"{c.index + 1}/QĐ-HTHA", "ground": "parties_agree",
                                                     "until": (s.day + timedelta(days=400)).isoformat()}, days=3)
    elif c.cls == "suspended":
        s.add("/cases/{case}/suspension", "head", {"decision_no": f"{c.index + 1}/QĐ-TĐCTHA",
                                                   "ground": "cassation_or_retrial_protest"}, days=3)


# ---------------------------------------------------------------------------- auctions
# Which completed cases are sold at auction, and how. A demo choice (the seed report gives no auction
# figures): carried-over completed cases with a money claim of at least AUCTION_MIN_VND, not a bank's
# (the bad-debt figures stay those of a payout to the bank): the first AUCTION_SCENARIOS of them, then
# every AUCTION_EVERY-th, in the plan's order. Their money is the sale's instead of a direct collection
# of the same amount: the hammer price (or the value the creditor takes in kind) is exactly the claim, no
# enforcement costs are deducted, and the sale ends inside the statistical year, so the case and money
# trees are the same as without auctions. By position, so the plan's random draws stay as they were.
AUCTION_MIN_VND = 20_000_000             # a movable above 10 M đồng: sold by an auction organisation
AUCTION_EVERY = 5
AUCTION_SCENARIOS = ("sold_first_round", "sold_after_cut", "taken_by_creditor")
ORGANISATION = "Công ty đấu giá hợp danh Thanh Hóa"


def _choose_auctions(courses: list[Course]) -> None:
    k = 0
    for c in courses:
        if c.cls != "completed" or not c.carried or is_bank_case(c) or c.amount < AUCTION_MIN_VND:
            continue
        if k < len(AUCTION_SCENARIOS) or k % AUCTION_EVERY == 0:
            scenario = AUCTION_SCENARIOS[k % len(AUCTION_SCENARIOS)]
            if scenario == "taken_by_creditor" and c.ex_officio:
                scenario = "sold_after_cut"      # the State budget takes no asset in kind here
            c.auction = scenario
        k += 1


def asset_id(c: Course) -> str:
    """The asset auctions opens from intake's SeizureOrdered (uuid5 of the case id and the decision)."""
    return str(uuid5(UUID(c.case_id), f"seizure/{c.index + 1}/QĐ-KBTS"))


def _auction(s: _Steps, c: Course, item: str, creditor: str) -> None:
    """The seizure (intake), the sale (auctions) and, once the money or the asset reached the case, the
    payout and completion (intake, `later`). Timings as the auctions demo: every legal period kept."""
    s.day += timedelta(days=1)
    while not is_working_day(s.day):             # no coercion on days off (Art. 46(1))
        s.day += timedelta(days=1)
    s.add("/cases/{case}/seizures", "officer", {"decision_no": f"{c.index + 1}/QĐ-KBTS", "asset_kind": "movable",
                                                "asset_description": f"Xe ô tô tải, biển kiểm soát 36C-{c.index % 1000:03d}.01",
                                                "claim_item_ids": [item]})
    seized, asset, n = s.day, asset_id(c), 0

    def act(path: str, body: dict[str, Any], day: date) -> None:
        """A line of auctions' bulk import, on the asset intake's seizure opened (named by its id)."""
        nonlocal n
        n += 1
        at = datetime.combine(day, time(9, 0), tzinfo=VN) + timedelta(minutes=n)
        c.auction_lines.append({"command_id": f"sim/{s.ref}/a{n:02d}", "path": f"/assets/{{asset}}/{path}",
                                "asset": asset, "role": "officer", "actor": s.officer,
                                "body": {**body, "occurred_at": at.isoformat()}})

    def round_(price: int, announced: date, bids: tuple[int, ...] = ()) -> date:
        auction_on = announced + timedelta(days=28)
        act("auctions", {"announced_on": announced.isoformat(), "second_announced_on": (announced + timedelta(days=7)).isoformat(),
                         "auction_on": auction_on.isoformat(), "deposit_vnd": price // 10,
                         "place": "Trụ sở Chi cục Thi hành án dân sự", "organiser": ORGANISATION}, announced)
        c.count("auctions", "announced")
        bidders = [f"DG-{k + 1:02d}" for k in range(len(bids))]
        for b in bidders:
            act("bidders", {"bidder_id": b, "deposit_paid_vnd": price // 10}, announced + timedelta(days=27))
        for b, amount in zip(bidders, bids):
            act("bids", {"bidder_id": b, "amount_vnd": amount}, auction_on)
        act("close", {"closed_on": auction_on.isoformat()}, auction_on)
        c.count("auctions", "rounds_held")
        c.count("auctions", "sold" if bids else "failed")
        return auction_on

    def cut(new: int, failed: date) -> None:
        act("price-cuts", {"new_starting_price_vnd": new, "decided_on": (failed + timedelta(days=5)).isoformat()},
            failed + timedelta(days=5))

    def sell(price: int, closed: date) -> None:
        act("deposit-refunds", {"refunded_on": (closed + timedelta(days=1)).isoformat()}, closed + timedelta(days=1))
        paid = closed + timedelta(days=10)
        act("payment", {"amount_vnd": price, "paid_on": paid.isoformat(), "enforcement_costs_vnd": 0}, paid)
        act("handover", {"handed_over_on": (closed + timedelta(days=30)).isoformat()}, closed + timedelta(days=30))
        c.count("auctions", "proceeds_vnd", price)
        c.count("auctions", "proceeds_transferred_vnd", price)
        s.day = paid
        s.add("/cases/{case}/disbursements", "officer", {"claim_item_id": item, "amount_vnd": price}, days=2, later=True)

    amount, valued = c.amount, seized + timedelta(days=2)
    first = {"sold_first_round": amount * 9 // 10 // 1000 * 1000, "sold_after_cut": amount}.get(
        c.auction or "", amount + amount // 10 + (amount + amount // 10) // 10)
    act("valuation", {"method": "agreed", "price_vnd": first, "valued_on": valued.isoformat()}, valued)
    act("organisation-contract", {"organisation": ORGANISATION, "parties_agreed_on": (valued + timedelta(days=1)).isoformat(),
                                  "contracted_on": (valued + timedelta(days=3)).isoformat()}, valued + timedelta(days=3))
    announced = valued + timedelta(days=4)
    if c.auction == "sold_first_round":          # two bidders; the second bids the claim
        sell(amount, round_(first, announced, (first, amount)))
    elif c.auction == "sold_after_cut":          # nobody bids; the price is cut 10 %; sold at the claim
        failed = round_(first, announced)
        cut(first - first // 10, failed)
        sell(amount, round_(first - first // 10, failed + timedelta(days=6), (first - first // 10, amount)))
    else:                                        # two failed rounds, two cuts; the creditor takes it at the claim
        second = amount + amount // 10
        failed = round_(first, announced)
        cut(second, failed)
        failed = round_(second, failed + timedelta(days=6))
        cut(amount, failed)
        accepted = failed + timedelta(days=6)
        act("creditor-acceptance", {"creditor_party_id": creditor, "claim_item_id": item,
                                    "accepted_on": accepted.isoformat()}, accepted)
        taken = accepted + timedelta(days=31)    # after the debtor's 30 days (Art. 104(3))
        act("creditor-takes", {"creditor_party_id": creditor, "claim_item_id": item, "taken_on": taken.isoformat()}, taken)
        c.count("auctions", "taken_by_creditor")
        s.day = taken
    s.add("/cases/{case}/completion", "officer", {}, days=1, later=True)


# ---------------------------------------------------------------------------- complaints
# Which cases draw a complaint, and how it ends. A demo choice (the seed report gives no complaint
# figures): a complaint about the officer's verification "with conditions" of a new case of a district
# office (the office's head decides first, the province's head second: Art. 142), where the whole
# complaint fits in the year; the first COMPLAINT_SCENARIOS of them, then every COMPLAINT_EVERY-th.
# Complaints touch no figure of the case or money tree.
COMPLAINT_EVERY = 4
COMPLAINT_SCENARIOS = ("on_time", "late", "upheld", "second_instance", "received_late", "vuot_cap", "on_time")
PROVINCE_OFFICE = "TH"


def _verified(c: Course) -> date | None:
    for line in c.lines:
        if line["path"] == "/cases/{case}/verification" and line["body"].get("outcome") == "with_conditions":
            return datetime.fromisoformat(line["body"]["occurred_at"]).date()
    return None


def _choose_complaints(courses: list[Course]) -> None:
    k = 0
    for c in courses:
        day = _verified(c)
        if c.carried or c.office == PROVINCE_OFFICE or day is None or day + timedelta(days=60) > YEAR_END:
            continue
        if k < len(COMPLAINT_SCENARIOS) or k % COMPLAINT_EVERY == 0:
            c.complaint = COMPLAINT_SCENARIOS[k % len(COMPLAINT_SCENARIOS)]
        k += 1


def _complaint(c: Course) -> None:
    """The complaint's commands, as lines of complaints' bulk import plus `unit`, the office whose
    head imports the line (its clerk or head acts): the case's office, or the province for the second
    instance (that file names the complaint by the id the first file's answer gave). The first line's
    `decision_event_id` is "{decision}": the id of the intake event named by `complaint_about`, found
    when the run has imported the case. A reception day (vượt cấp) is not in the import: its two
    commands go to the reception routes, the session's id filling "{session}"."""
    office, n = c.office, 0
    verified = _verified(c)
    assert verified is not None
    c.complaint_about = "VerificationRecorded"

    def line(path: str, role: str, unit: str, body: dict[str, Any], day: date, bind: str | None = None) -> None:
        nonlocal n
        n += 1
        at = datetime.combine(day, time(10, 0), tzinfo=VN) + timedelta(minutes=n)
        who = {"clerk": "tk", "head": "tt"}[role]
        out: dict[str, Any] = {"command_id": f"sim/{c.ref}/k{n:02d}", "path": path, "role": role,
                               "actor": f"{who}-{unit.lower()}", "unit": unit,
                               "body": {**body, "occurred_at": at.isoformat()}}
        if bind:
            out["bind"] = bind
        elif path.startswith("/complaints/"):
            out["complaint"] = f"{c.ref}/KN"
        c.complaint_lines.append(out)

    k = "/complaints/{complaint}"
    if c.complaint == "vuot_cap":                 # brought to the province head's reception day
        day = verified + timedelta(days=5)
        line("/reception/sessions", "head", PROVINCE_OFFICE, {"kind": "scheduled", "held_on": day.isoformat()}, day,
             bind="session")
        line("/reception/sessions/{session}/visits", "head", PROVINCE_OFFICE, {
            "petition_kind": "complaint", "summary": "Không đồng ý với kết quả xác minh điều kiện thi hành án",
            "concerns_unit": office, "case_id": c.case_id}, day)
        c.count("complaints", "vuot_cap")
        return
    received = verified + timedelta(days=20 if c.complaint == "received_late" else 3)
    line("/complaints", "clerk", office, {"decision_event_id": "{decision}", "received_on": received.isoformat(),
                                         "content": "Khiếu nại kết quả xác minh điều kiện thi hành án"}, received,
         bind=f"{c.ref}/KN")
    c.count("complaints", "received")
    accepted = received + timedelta(days=2)
    if c.complaint == "received_late":            # after the 15 days: not accepted, time expired (Art. 141)
        line(f"{k}/refusal", "head", office, {"ground": "time_expired", "refused_on": accepted.isoformat()}, accepted)
        c.count("complaints", "received_late")
        c.count("complaints", "resolved")
        c.count("complaints", "resolved_on_time")
        return
    line(f"{k}/acceptance", "head", office, {"accepted_on": accepted.isoformat()}, accepted)
    c.count("complaints", "accepted")
    decided = accepted + timedelta(days=25 if c.complaint == "late" else 10)
    body: dict[str, Any] = {"outcome": "rejected", "decision_number": f"{c.index + 1}/QĐ-GQKN",
                            "decided_on": decided.isoformat()}
    if c.complaint == "upheld":
        body |= {"outcome": "partly_upheld", "corrections": "Xác minh lại điều kiện thi hành án của người phải thi hành án"}
        c.count("complaints", "upheld")
    line(f"{k}/decision", "head", office, body, decided)
    c.count("complaints", "resolved")
    c.count("complaints", "resolved_late" if c.complaint == "late" else "resolved_on_time")
    if c.complaint == "second_instance":          # complained of again within 15 days: the province decides
        again = decided + timedelta(days=5)
        line(f"{k}/second-complaint", "clerk", PROVINCE_OFFICE, {
            "received_on": again.isoformat(), "content": "Không đồng ý với quyết định giải quyết khiếu nại lần đầu"}, again)
        line(f"{k}/acceptance", "head", PROVINCE_OFFICE, {"accepted_on": (again + timedelta(days=2)).isoformat()},
             again + timedelta(days=2))
        final = again + timedelta(days=20)
        line(f"{k}/decision", "head", PROVINCE_OFFICE, {"outcome": "rejected", "decision_number": f"{c.index + 1}/QĐ-GQKN-CT",
                                                       "decided_on": final.isoformat()}, final)
        for figure in ("received", "received_second_instance", "accepted", "resolved", "resolved_on_time"):
            c.count("complaints", figure)


def expected_other(courses: list[Course]) -> dict[str, dict[str, int]]:
    """The other indicators the plan's auctions and complaints move (each course's own count, made
    as its lines were written)."""
    out: dict[str, dict[str, int]] = {}
    for c in courses:
        for group, figures in c.figures.items():
            for figure, amount in figures.items():
                out.setdefault(group, {})
                out[group][figure] = out[group].get(figure, 0) + amount
    return out


def files(courses: list[Course], which: str = "lines") -> dict[str, str]:
    """office → NDJSON text of its cases' intake commands: `lines` (the first file), or `later` (the
    payouts and completions of auctioned cases, sent once the sale's money reached the case)."""
    out: dict[str, list[str]] = {}
    for c in courses:
        if getattr(c, which):
            out.setdefault(c.office, []).extend(json.dumps(line, ensure_ascii=False) for line in getattr(c, which))
    return {office: "\n".join(lines) + "\n" for office, lines in out.items()}


def expected(scale: float = 1.0, courses: list[Course] | None = None) -> dict[str, dict[str, int]]:
    """What the year's report must show, from the plan's own figures (the tests compare the
    statistics service's count of the events with this); with `courses`, also the money carried
    over and new (which depend on the draw)."""
    n = counts(scale)
    m = {k: money_total(k, scale) for k in CLASSES}
    col = collected_total(scale)
    cases = {
        "carried_over": sum(c for c, _ in n.values()), "new": sum(x for _, x in n.values()),
        "completed": sum(n["completed"]), "terminated": sum(n["terminated"]),
        "without_conditions": sum(n["without_conditions"]),
        "with_conditions": sum(sum(n[k]) for k in ("completed", "terminated", "in_progress", "postponed", "suspended")),
        "deducted": sum(n["delegated"]) + sum(n["revoked"]),
    }
    cases["accepted"] = cases["carried_over"] + cases["new"]
    cases["resolved"] = cases["completed"] + cases["terminated"]
    money = {
        "accepted": sum(m.values()), "completed": m["completed"] + col, "terminated": m["terminated"],
        "without_conditions": m["without_conditions"],
        "with_conditions": sum(m[k] for k in ("completed", "terminated", "in_progress", "postponed", "suspended")),
        "deducted": m["delegated"] + m["revoked"],
    }
    money["resolved"] = money["completed"] + money["terminated"]
    if courses is not None:
        money["carried_over"] = sum(c.amount for c in courses if c.carried)
        money["new"] = sum(c.amount for c in courses if not c.carried)
    return {"cases": cases, "money": money}


__all__ = ["plan", "files", "expected", "expected_other", "asset_id", "TARGETS", "UNIT", "PERIOD", "UUID"]
