"""A period report of one unit: the tree (tree.py) with its targets, its lineage, its hash, and the
difference from a frozen copy, case by case. Pure: the API hands it the facts and the targets.

Lineage: every figure is a sum of leaf figures (DERIVED), and every leaf a sum of per-case
contributions, each with the event ids behind it; `lineage(...)` lists them.
Freezing stores the report and its contributions with the sha256 of their canonical JSON (sorted
keys, contributions sorted); a later recompute compares the contributions per (tree, basis, figure,
case) and lists each difference."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any, Iterable, Mapping
from uuid import UUID

from .periods import Period
from .tree import BASES, FIGURES, TREES, Contribution, tree
from .units import Unit

KEYS = ("accepted", "carried_over", "new", "to_enforce", "with_conditions", "without_conditions", "completed",
        "terminated", "resolved", "rate_percent", "target_percent", "vs_target_points", "carry_over")
_OPEN = ("in_progress", "postponed", "suspended", "other")
DERIVED: dict[str, tuple[str, ...]] = {
    "accepted": ("carried_over", "new"),
    "deducted": ("delegated", "revoked", "returned", "separate_register"),
    "to_enforce": ("completed", "terminated", *_OPEN, "without_conditions"),
    "with_conditions": ("completed", "terminated", *_OPEN),
    "resolved": ("completed", "terminated"),
    "carry_over": (*_OPEN, "without_conditions"),
    "carry_over_with_conditions": _OPEN,
    "carry_over_without_conditions": ("without_conditions",),
}
FIGURE_NAMES = tuple(name for name, _label in FIGURES if name not in ("rate_percent", "target_percent",
                                                                       "vs_target_points"))


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    return v


def assemble(unit: Unit, period: Period, contribs: list[Contribution],
             targets: Mapping[str, Decimal]) -> dict[str, Any]:
    t = tree(contribs, targets)
    out: dict[str, Any] = {
        "unit": {"code": unit.code, "name": unit.name, "offices": list(unit.offices)},
        "period": {"name": period.name, "start": period.start.isoformat(), "end": period.end.isoformat(),
                   "label": period.label_vi},
    }
    for tr in TREES:
        total = {k: _json_value(v) for k, v in t[tr]["total"].items()}
        section = {k: total[k] for k in KEYS}
        section["figures"] = total
        section["by_basis"] = {b: {k: _json_value(v) for k, v in t[tr][b].items()} for b in BASES}
        out[tr] = section
    out["cases_counted"] = len({c.case_id for c in contribs})
    return out


def contribution_rows(contribs: Iterable[Contribution]) -> list[list[Any]]:
    """Canonical, sorted rows: [tree, basis, figure, case_id, office, amount, [event ids]]."""
    rows = [[c.tree, c.basis, c.figure, str(c.case_id), c.office, c.amount, sorted(str(e) for e in c.event_ids)]
            for c in contribs]
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return rows


def digest(report: Mapping[str, Any], rows: list[list[Any]]) -> str:
    canonical = json.dumps({"report": report, "lineage": rows}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class UnknownFigureError(Exception):
    status_code = 404
    rule = "statistics.unknown_figure"

    def __init__(self, figure: str) -> None:
        super().__init__(f"unknown figure {figure!r}; known: {', '.join(FIGURE_NAMES)}")
        self.message_vi = f"Không có chỉ tiêu {figure!r} trong biểu thống kê."


def lineage(contribs: Iterable[Contribution], tree_name: str, figure: str, basis: str = "total"
            ) -> list[dict[str, Any]]:
    """The cases (with the event ids and amounts) behind one figure."""
    if figure not in FIGURE_NAMES:
        raise UnknownFigureError(figure)
    leaves = DERIVED.get(figure, (figure,))
    out = []
    for c in contribs:
        if c.tree == tree_name and c.figure in leaves and (basis == "total" or c.basis == basis):
            out.append({"case_id": str(c.case_id), "office": c.office, "basis": c.basis, "figure": c.figure,
                        "amount": c.amount, "event_ids": [str(e) for e in c.event_ids]})
    out.sort(key=lambda r: (r["figure"], r["case_id"]))
    return out


def diff(then_rows: list[list[Any]], now_rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Per (tree, basis, figure, case): what changed between a frozen report and now."""
    def index(rows: list[list[Any]]) -> dict[tuple[str, str, str, str], list[Any]]:
        return {(r[0], r[1], r[2], r[3]): r for r in rows}
    then, now = index(then_rows), index(now_rows)
    out = []
    for key in sorted(set(then) | set(now)):
        a, b = then.get(key), now.get(key)
        if a is not None and b is not None and a[5] == b[5] and a[6] == b[6]:
            continue
        out.append({"tree": key[0], "basis": key[1], "figure": key[2], "case_id": key[3],
                    "then": a[5] if a else 0, "now": b[5] if b else 0,
                    "event_ids_then": a[6] if a else [], "event_ids_now": b[6] if b else []})
    return out


def case_ids(contribs: Iterable[Contribution]) -> set[UUID]:
    return {c.case_id for c in contribs}
