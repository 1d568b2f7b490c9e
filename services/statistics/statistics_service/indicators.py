"""The report's other indicators (issue 12 §4), beside the tree: auctions, complaints, bad debt and
overdue steps, per unit and period. Pure: the API hands it the facts; every figure is a sum of
`Item`s, each naming the case and the event behind it (the lineage of these figures).

Flows are counted by business date inside the period [start, end]:
* **auctions** (thads.auctions.asset): rounds announced (AuctionAnnounced, the public notice); a
  round held ends sold or failed (AuctionOutcomeRecorded);
  the creditor taking the asset and its return to the debtor are counted apart; proceeds are the
  hammer prices of the sales, and the money auctions transferred to the case (ProceedsTransferred).
* **complaints** (thads.complaints.complaint): received (late ones, second instance), accepted
  (late ones), resolved (on time, late, upheld or partly upheld), deadlines missed, and petitions
  brought above the competent level (vượt cấp). Denunciations are not published by the complaints
  service (the denouncer is confidential, Art. 157), so they are not counted here.
* **bad debt**: cases with a credit-institution creditor (intake's PartyAdded with a bank code,
  on or before the period's end): those the tree accepts and resolves in the period, their money
  accepted, and the money recovered for the credit institutions — paid out to the bank
  (MoneyDisbursed to its party) or paid straight to it (MoneyCollected, channel paid_to_bank).
* **overdue**: legal deadlines that passed undone (intake's DeadlineMissed), by step and by office.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from uuid import UUID

from .tree import Contribution, Fact

# the event kinds these indicators read, by source (projections.py stores them beside the tree's)
KINDS: dict[str, frozenset[str]] = {
    "intake": frozenset({"PartyAdded", "MoneyDisbursed", "DeadlineMissed"}),
    "auctions": frozenset({"AuctionAnnounced", "AuctionOutcomeRecorded", "ProceedsTransferred"}),
    "complaints": frozenset({"ComplaintReceived", "ComplaintAccepted", "ComplaintResolved", "DeadlineMissed",
                             "PetitionForwarded"}),
}
GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "auctions": (
        ("announced", "Số cuộc bán đấu giá đã thông báo"),
        ("rounds_held", "Số cuộc bán đấu giá đã tổ chức"),
        ("sold", "Bán đấu giá thành"),
        ("failed", "Đấu giá không thành"),
        ("taken_by_creditor", "Người được thi hành án nhận tài sản"),
        ("returned", "Trả lại tài sản cho người phải thi hành án"),
        ("proceeds_vnd", "Số tiền bán được (đồng)"),
        ("proceeds_transferred_vnd", "Tiền bán tài sản đã chuyển về việc thi hành án (đồng)"),
    ),
    "complaints": (
        ("received", "Đơn khiếu nại đã nhận"),
        ("received_late", "Trong đó: quá thời hiệu khiếu nại"),
        ("received_second_instance", "Trong đó: khiếu nại lần hai"),
        ("accepted", "Đã thụ lý"),
        ("accepted_late", "Trong đó: thụ lý quá hạn"),
        ("resolved", "Đã giải quyết"),
        ("resolved_on_time", "Giải quyết đúng hạn"),
        ("resolved_late", "Giải quyết quá hạn"),
        ("upheld", "Khiếu nại đúng hoặc đúng một phần"),
        ("deadlines_missed", "Bước giải quyết quá hạn luật định"),
        ("vuot_cap", "Đơn gửi vượt cấp"),
    ),
    "bad_debt": (
        ("cases_accepted", "Việc có tổ chức tín dụng là người được thi hành án: thụ lý"),
        ("cases_resolved", "Trong đó: giải quyết xong"),
        ("money_accepted_vnd", "Số tiền thụ lý (đồng)"),
        ("money_recovered_vnd", "Số tiền đã thu hồi cho tổ chức tín dụng (đồng)"),
    ),
    "overdue": (
        ("deadlines_missed", "Bước thi hành án quá thời hạn luật định"),
    ),
}
GROUP_LABELS = {"auctions": "Bán đấu giá tài sản", "complaints": "Khiếu nại",
                "bad_debt": "Xử lý nợ xấu của tổ chức tín dụng", "overdue": "Vi phạm thời hạn"}


class UnknownIndicatorError(Exception):
    status_code = 404
    rule = "statistics.unknown_figure"

    def __init__(self, group: str, figure: str) -> None:
        known = ", ".join(name for name, _ in GROUPS.get(group, ()))
        super().__init__(f"unknown figure {figure!r} of {group!r}; known: {known}")
        self.message_vi = f"Không có chỉ tiêu {figure!r} trong phần {GROUP_LABELS.get(group, group)}."


@dataclass(frozen=True)
class Item:
    group: str
    figure: str
    case_id: UUID
    office: str
    amount: int
    event_id: UUID
    detail: str = ""             # the step of a missed deadline


def source(fact: Fact) -> str:
    return fact.event_type.split(".")[0]


def reads(fact: Fact) -> bool:
    return fact.kind in KINDS.get(source(fact), ())


def bank_parties(facts: Iterable[Fact]) -> dict[UUID, set[UUID]]:
    """Per case, the party ids of its credit-institution creditors."""
    out: dict[UUID, set[UUID]] = {}
    for f in facts:
        p = f.payload
        if source(f) == "intake" and f.kind == "PartyAdded" and p.get("bank_code") and p.get("role") == "creditor":
            out.setdefault(f.case_id, set()).add(UUID(str(p["party_id"])))
    return out


def items(period_facts: Iterable[Fact], banks: Mapping[UUID, set[UUID]],
          contribs: Iterable[Contribution]) -> list[Item]:
    """Every item of the period. `period_facts`: the unit's facts that happened in the period (of
    these kinds and intake's collections); `banks`: bank_parties() up to the period's end;
    `contribs`: the tree's contributions of the period (bad debt counts the tree's cases)."""
    out: list[Item] = []

    def add(group: str, figure: str, f: Fact, amount: int = 1, detail: str = "") -> None:
        if amount:
            out.append(Item(group, figure, f.case_id, f.office, amount, f.event_id, detail))

    for f in period_facts:
        p, k, src = f.payload, f.kind, source(f)
        if src == "auctions" and k == "AuctionAnnounced":
            add("auctions", "announced", f)
        elif src == "auctions" and k == "AuctionOutcomeRecorded":
            outcome = p["outcome"]
            if outcome in ("sold", "failed"):
                add("auctions", "rounds_held", f)
            add("auctions", outcome, f)
            if outcome == "sold":
                add("auctions", "proceeds_vnd", f, int(p.get("price_vnd") or 0))
        elif src == "auctions" and k == "ProceedsTransferred":
            add("auctions", "proceeds_transferred_vnd", f, int(p["amount_vnd"]))
        elif src == "complaints" and k == "ComplaintReceived":
            add("complaints", "received", f)
            if p.get("late"):
                add("complaints", "received_late", f)
            if p.get("instance") == "second":
                add("complaints", "received_second_instance", f)
        elif src == "complaints" and k == "ComplaintAccepted":
            add("complaints", "accepted", f)
            if not p.get("on_time", True):
                add("complaints", "accepted_late", f)
        elif src == "complaints" and k == "ComplaintResolved":
            add("complaints", "resolved", f)
            add("complaints", "resolved_on_time" if p.get("on_time") else "resolved_late", f)
            if p.get("resolution") in ("upheld", "partly_upheld"):
                add("complaints", "upheld", f)
        elif src == "complaints" and k == "DeadlineMissed":
            add("complaints", "deadlines_missed", f, detail=str(p.get("step", "")))
        elif src == "complaints" and k == "PetitionForwarded":
            if p.get("vuot_cap"):
                add("complaints", "vuot_cap", f)
        elif src == "intake" and k == "DeadlineMissed":
            add("overdue", "deadlines_missed", f, detail=str(p.get("step", "")))
        elif src == "intake" and f.case_id in banks:
            if k == "MoneyDisbursed" and p.get("payee_party_id") and UUID(str(p["payee_party_id"])) in banks[f.case_id]:
                add("bad_debt", "money_recovered_vnd", f, int(p["amount_vnd"]))
            elif k == "MoneyCollected" and p.get("channel") == "paid_to_bank":
                add("bad_debt", "money_recovered_vnd", f, int(p["amount_vnd"]))
    for c in contribs:
        if c.case_id not in banks or not c.event_ids:
            continue
        if c.tree == "cases" and c.figure in ("carried_over", "new"):
            out.append(Item("bad_debt", "cases_accepted", c.case_id, c.office, 1, c.event_ids[0]))
        elif c.tree == "cases" and c.figure in ("completed", "terminated"):
            out.append(Item("bad_debt", "cases_resolved", c.case_id, c.office, 1, c.event_ids[0]))
        elif c.tree == "money" and c.figure in ("carried_over", "new"):
            out.append(Item("bad_debt", "money_accepted_vnd", c.case_id, c.office, c.amount, c.event_ids[0]))
    return out


def section(all_items: Iterable[Item]) -> dict[str, Any]:
    """The JSON section: every group's figures (0 when nothing happened), and the overdue steps by
    office and by step."""
    out: dict[str, Any] = {g: {name: 0 for name, _ in figures} for g, figures in GROUPS.items()}
    by_office: dict[str, int] = {}
    by_step: dict[str, int] = {}
    for i in all_items:
        out[i.group][i.figure] += i.amount
        if i.group == "overdue":
            by_office[i.office] = by_office.get(i.office, 0) + 1
            by_step[i.detail] = by_step.get(i.detail, 0) + 1
    out["overdue"]["by_office"] = dict(sorted(by_office.items()))
    out["overdue"]["by_step"] = dict(sorted(by_step.items()))
    return out


def lineage(all_items: Iterable[Item], group: str, figure: str) -> list[dict[str, Any]]:
    if figure not in {name for name, _ in GROUPS.get(group, ())}:
        raise UnknownIndicatorError(group, figure)
    rows = [{"case_id": str(i.case_id), "office": i.office, "figure": i.figure, "amount": i.amount,
             "event_ids": [str(i.event_id)], **({"step": i.detail} if i.detail else {})}
            for i in all_items if i.group == group and i.figure == figure]
    rows.sort(key=lambda r: (r["case_id"], r["event_ids"][0]))
    return rows


def rows(all_items: Iterable[Item]) -> list[list[Any]]:
    """Canonical rows for the frozen report's hash: [group, figure, case, office, amount, event]."""
    out = [[i.group, i.figure, str(i.case_id), i.office, i.amount, str(i.event_id)] for i in all_items]
    out.sort()
    return out
