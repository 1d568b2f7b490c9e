"""The indicator tree of domain.md §2, for cases (việc) and money (đồng), ex officio / on request,
computed from intake's events by business time. Pure: no database, no Kafka (the projection stores
the facts, this module reads them).

Each case's events are folded in business-time order (occurred_at, then the case's version), once
up to the day before the period and once up to its last day, so an event recorded late lands in
the period it happened in. What each event does (the contract's docstrings name the column):

| event | cases | money |
|---|---|---|
| EnforcementDecided (QĐTHA: 1 decision = 1 case) | [3] new, or [2] carried over if open when the period starts | amount on the decision (or the claim items before it) |
| ClaimItemAdded after the decision | — | its amount added ([3] new money in its period) |
| MoneyCollected (any channel, in kind included) | — | [7] completed |
| ClaimReduced (partial termination, reduction, exemption) | — | [8] terminated (+ reduced) |
| CaseTerminated | [8] terminated | the remainder → [8] |
| CaseCompleted | [7] completed | a remainder left at completion → [8] (its rest was settled) |
| CaseDelegated whole / CaseRevoked whole | [4] deducted | the remainder → [4] |
| CaseDelegated part / CaseRevoked part | — | amount_vnd → [4] |
| RequestReturned (2026) | [4] deducted (returned) | the remainder → [4] |
| CaseMovedToSeparateRegister | [4] deducted, own line "separate register" | the remainder → its line |
| VerificationRecorded | with [6] / without [13] conditions (the latest) | same |
| CasePostponed / CaseSuspended / CaseContinued | [10] / [11] / back to [9] | same |
| UnclaimedMoneyDeposited | — (the case completes with its own event) | — (its money was counted when collected) |

Choices made here (documented in the README, tested in tests/unit):
* A case not yet verified is WITH conditions; a postponement by agreement stays with conditions
  (domain.md §2), as does every postponement unless a verification said "without".
* The separate register is outside "without conditions" and outside the carry-over: a case moved
  there in the period is shown on its own line under the deductions [4], so that
  [5] = [1] − [4] = [6] + [13] always holds. A case already in the register when the period starts
  is not carried over.
* [12] other (chưa phân loại) is reported and listed; nothing lands there today.
* Rate = resolved / with conditions × 100, two decimals, half up; targets are compared in
  percentage points.

Every figure keeps its lineage: per case, the amount and the event ids behind it (`Contribution`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping
from uuid import UUID

BASES = ("ex_officio", "on_request")
TREES = ("cases", "money")

# Figures in form order, with the Vietnamese labels of the form (TT 01/2013 as amended by TT 08/2015;
# the column numbers are the tree's, domain.md §2).
FIGURES: tuple[tuple[str, str], ...] = (
    ("accepted", "[1] Tổng số thụ lý"),
    ("carried_over", "[2] Năm trước chuyển sang"),
    ("new", "[3] Thụ lý mới"),
    ("deducted", "[4] Số phải trừ"),
    ("delegated", "   – Ủy thác thi hành án"),
    ("revoked", "   – Thu hồi, hủy quyết định thi hành án"),
    ("returned", "   – Gửi lại yêu cầu (trả đơn)"),
    ("separate_register", "   – Chuyển sổ theo dõi riêng"),
    ("to_enforce", "[5] Tổng số phải thi hành"),
    ("with_conditions", "[6] Có điều kiện thi hành"),
    ("completed", "[7] Thi hành xong"),
    ("terminated", "[8] Đình chỉ thi hành án"),
    ("reduced", "   – trong đó: giảm, miễn, đình chỉ một phần (tiền)"),
    ("in_progress", "[9] Đang thi hành"),
    ("postponed", "[10] Hoãn thi hành án"),
    ("suspended", "[11] Tạm đình chỉ thi hành án"),
    ("other", "[12] Lý do khác (chưa phân loại)"),
    ("without_conditions", "[13] Chưa có điều kiện thi hành"),
    ("resolved", "Giải quyết xong ([7] + [8])"),
    ("rate_percent", "Tỷ lệ giải quyết xong (%)"),
    ("target_percent", "Chỉ tiêu được giao (%)"),
    ("vs_target_points", "So với chỉ tiêu (điểm %)"),
    ("carry_over", "Chuyển kỳ sau"),
    ("carry_over_with_conditions", "   – Có điều kiện chuyển kỳ sau"),
    ("carry_over_without_conditions", "   – Chưa có điều kiện chuyển kỳ sau"),
)
LABELS: dict[str, str] = dict(FIGURES)
TREE_LABELS = {"cases": "Về việc", "money": "Về tiền (đồng)"}
BASIS_LABELS = {"ex_officio": "Chủ động", "on_request": "Theo đơn", "total": "Tổng số"}
# figures summed from contributions (the others are derived)
LEAVES = ("carried_over", "new", "delegated", "revoked", "returned", "separate_register", "completed",
          "terminated", "reduced", "in_progress", "postponed", "suspended", "other", "without_conditions")


@dataclass(frozen=True)
class Fact:
    """One intake event as the projection stores it (the payload as JSON-compatible dict)."""
    event_id: UUID
    case_id: UUID
    office: str
    event_type: str               # e.g. "intake.CaseTerminated.v2"
    occurred_at: datetime
    occurred_on: date             # business date in Vietnam (UTC+7)
    aggregate_version: int
    payload: Mapping[str, Any]

    @property
    def kind(self) -> str:
        """"CaseTerminated" for "intake.CaseTerminated.v2"."""
        return self.event_type.split(".")[1]


@dataclass(frozen=True)
class Contribution:
    tree: str
    basis: str
    figure: str
    case_id: UUID
    office: str
    amount: int
    event_ids: tuple[UUID, ...]


class NotPlaceable(Exception):
    """An event the statistics cannot place (the projection dead-letters it with this reason)."""

    rule = "statistics.event_not_placeable"
    message_vi = "Sự kiện không xếp được vào chỉ tiêu thống kê nào (xem lý do)."


# ------------------------------------------------------------------ one case, folded
@dataclass
class CaseState:
    office: str = ""
    decided: date | None = None
    basis: str | None = None
    decision_event: UUID | None = None
    pre_items_vnd: int = 0                     # claim items before the decision
    added_vnd: int = 0                         # amount to enforce (decision + items added later)
    collected_vnd: int = 0
    reduced_vnd: int = 0
    part_deducted_vnd: int = 0
    closed: str | None = None                  # completed|terminated|delegated|revoked|returned|separate_register
    closed_on: date | None = None
    close_event: UUID | None = None
    close_remainder_vnd: int = 0
    conditions: str = "with_conditions"
    conditions_event: UUID | None = None
    paused: str | None = None                  # postponed|suspended
    pause_event: UUID | None = None
    money_events: list[tuple[str, date, int, UUID]] = field(default_factory=list)   # (figure, day, amount, id)

    @property
    def remaining_vnd(self) -> int:
        return (self.added_vnd - self.collected_vnd - self.reduced_vnd - self.part_deducted_vnd
                - self.close_remainder_vnd)


def _close(state: CaseState, how: str, fact: Fact, remainder_figure: str | None) -> None:
    if state.closed is not None or state.decided is None:
        return                   # a case closes once; an exit before any decision is not in the tree
    rem = state.remaining_vnd
    state.closed, state.closed_on, state.close_event = how, fact.occurred_on, fact.event_id
    state.close_remainder_vnd = rem
    if remainder_figure and rem:
        state.money_events.append((remainder_figure, fact.occurred_on, rem, fact.event_id))


def fold(facts: Iterable[Fact], until: date) -> CaseState:
    """The case's statistical state from its events that happened on or before `until`."""
    s = CaseState()
    for f in facts:
        if f.occurred_on > until:
            break
        s.office = f.office
        p, k = f.payload, f.kind
        if k == "EnforcementDecided":
            if s.decided is None:
                s.decided, s.basis, s.decision_event = f.occurred_on, p["basis"], f.event_id
                amount = p.get("amount_to_enforce_vnd")
                s.added_vnd += int(amount) if amount is not None else s.pre_items_vnd
                if s.added_vnd:
                    s.money_events.append(("new", f.occurred_on, s.added_vnd, f.event_id))
        elif k == "ClaimItemAdded":
            if s.decided is None:
                s.pre_items_vnd += int(p["amount_vnd"])
            elif int(p["amount_vnd"]):
                s.added_vnd += int(p["amount_vnd"])
                s.money_events.append(("new", f.occurred_on, int(p["amount_vnd"]), f.event_id))
        elif k == "MoneyCollected":
            s.collected_vnd += int(p["amount_vnd"])
            s.money_events.append(("completed", f.occurred_on, int(p["amount_vnd"]), f.event_id))
        elif k == "ClaimReduced":
            s.reduced_vnd += int(p["amount_vnd"])
            s.money_events.append(("reduced", f.occurred_on, int(p["amount_vnd"]), f.event_id))
        elif k in ("CaseDelegated", "CaseRevoked"):
            figure = "delegated" if k == "CaseDelegated" else "revoked"
            if p.get("scope", "whole") == "part":
                amount = int(p.get("amount_vnd") or 0)
                s.part_deducted_vnd += amount
                if amount:
                    s.money_events.append((figure, f.occurred_on, amount, f.event_id))
            else:
                _close(s, figure, f, figure)
        elif k == "CaseTerminated":
            _close(s, "terminated", f, "terminated")
        elif k == "CaseCompleted":
            _close(s, "completed", f, "terminated")     # a remainder at completion was settled otherwise
        elif k == "RequestReturned":
            _close(s, "returned", f, "returned")
        elif k == "CaseMovedToSeparateRegister":
            _close(s, "separate_register", f, "separate_register")
        elif k == "VerificationRecorded":
            s.conditions, s.conditions_event = p["result"], f.event_id
        elif k == "CasePostponed":
            s.paused, s.pause_event = "postponed", f.event_id
        elif k == "CaseSuspended":
            s.paused, s.pause_event = "suspended", f.event_id
        elif k == "CaseContinued":
            s.paused, s.pause_event = None, f.event_id
    return s


def order(facts: Iterable[Fact]) -> list[Fact]:
    """Business-time order (the case's version breaks ties: one case's events are totally ordered)."""
    return sorted(facts, key=lambda f: (f.occurred_at, f.aggregate_version))


def contributions(facts: list[Fact], start: date, end: date) -> list[Contribution]:
    """What one case (its ordered facts) contributes to the period [start, end]."""
    at_start = fold(facts, _day_before(start))
    at_end = fold(facts, end)
    if at_end.decided is None:
        return []                                   # not accepted (yet): no QĐTHA
    if at_start.closed is not None:
        return []                                   # finished in an earlier period
    case_id = facts[0].case_id
    basis = at_end.basis or "on_request"
    out: list[Contribution] = []

    def add(tree: str, figure: str, amount: int, *events: UUID | None) -> None:
        if amount:
            out.append(Contribution(tree, basis, figure, case_id, at_end.office, amount,
                                    tuple(e for e in events if e is not None)))

    carried = at_start.decided is not None
    add("cases", "carried_over" if carried else "new", 1, at_end.decision_event)
    if carried:
        add("money", "carried_over", at_start.remaining_vnd, at_end.decision_event)
    # money movements inside the period
    moves: dict[str, tuple[int, list[UUID]]] = {}
    for figure, day, amount, event_id in at_end.money_events:
        if start <= day <= end or (not carried and day < start):   # a new case brings its history
            total, ids = moves.get(figure, (0, []))
            moves[figure] = (total + amount, [*ids, event_id])
    for figure, (amount, ids) in moves.items():
        if figure == "reduced":
            add("money", "terminated", amount, *ids)
            add("money", "reduced", amount, *ids)
        else:
            add("money", figure, amount, *ids)
    # the case's status on the period's last day
    if at_end.closed is not None:
        add("cases", at_end.closed, 1, at_end.close_event)
        # money moved after the case closed (a collection after completion) has no column: shown as
        # [12] other, so that the money identities still hold and a reader can find it
        add("money", "other", at_end.remaining_vnd, at_end.close_event)
        return out
    if at_end.conditions == "without_conditions":
        status, why = "without_conditions", at_end.conditions_event
    elif at_end.paused is not None:
        status, why = at_end.paused, at_end.pause_event
    else:
        status, why = "in_progress", at_end.conditions_event or at_end.decision_event
    add("cases", status, 1, why)
    add("money", status, at_end.remaining_vnd, why)
    return out


def _day_before(day: date) -> date:
    from datetime import timedelta
    return day - timedelta(days=1)


# ------------------------------------------------------------------ the tree
def rate(resolved: int, with_conditions: int) -> Decimal | None:
    if with_conditions <= 0:
        return None
    return (Decimal(resolved) * 100 / Decimal(with_conditions)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def derive(leaves: Mapping[str, int], target: Decimal | None = None) -> dict[str, Any]:
    """The whole tree from the summed leaves; every identity of domain.md §2 holds by construction
    and is asserted by the tests."""
    t = {name: int(leaves.get(name, 0)) for name in LEAVES}
    t["accepted"] = t["carried_over"] + t["new"]
    t["deducted"] = t["delegated"] + t["revoked"] + t["returned"] + t["separate_register"]
    t["to_enforce"] = t["accepted"] - t["deducted"]
    t["resolved"] = t["completed"] + t["terminated"]
    t["with_conditions"] = (t["resolved"] + t["in_progress"] + t["postponed"] + t["suspended"] + t["other"])
    t["carry_over"] = t["to_enforce"] - t["resolved"]
    t["carry_over_with_conditions"] = t["with_conditions"] - t["resolved"]
    t["carry_over_without_conditions"] = t["without_conditions"]
    r = rate(t["resolved"], t["with_conditions"])
    t["rate_percent"] = r
    t["target_percent"] = target
    t["vs_target_points"] = (r - target) if (r is not None and target is not None) else None
    return t


def build(cases: Mapping[UUID, list[Fact]], start: date, end: date) -> list[Contribution]:
    out: list[Contribution] = []
    for facts in cases.values():
        out.extend(contributions(order(facts), start, end))
    return out


def tree(contribs: Iterable[Contribution], targets: Mapping[str, Decimal | None] | None = None
         ) -> dict[str, dict[str, dict[str, Any]]]:
    """{tree: {basis|"total": figures}} from the contributions."""
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in contribs:
        sums[(c.tree, c.basis)][c.figure] += c.amount
        sums[(c.tree, "total")][c.figure] += c.amount
    targets = targets or {}
    return {tr: {b: derive(sums[(tr, b)], targets.get(tr) if b == "total" else None)
                 for b in (*BASES, "total")} for tr in TREES}
