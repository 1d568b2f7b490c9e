"""Outputs of a report: a text table, CSV and XLSX (openpyxl), with the Vietnamese labels of the
form (tree.FIGURES), one row per figure and one column per basis (Chủ động / Theo đơn / Tổng số),
cases first, then money, then the other indicators (indicators.GROUPS; totals only)."""
from __future__ import annotations

import csv
import io
from typing import Any

from .indicators import GROUP_LABELS, GROUPS
from .tree import BASIS_LABELS, FIGURES, TREE_LABELS, TREES

COLUMNS = ("ex_officio", "on_request", "total")


def _rows(report: dict[str, Any]) -> list[tuple[str, str, list[Any]]]:
    rows = []
    for tr in TREES:
        section = report[tr]
        for name, label in FIGURES:
            values = [section["by_basis"][b].get(name) for b in ("ex_officio", "on_request")]
            values.append(section["figures"].get(name))
            rows.append((TREE_LABELS[tr], label, values))
    other = report.get("other") or {}
    for group, figures in GROUPS.items():        # the other indicators: totals only
        for name, label in figures:
            if group in other:
                rows.append((GROUP_LABELS[group], label, [None, None, other[group].get(name)]))
    return rows


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.2f}".replace(".", ",")
    return f"{v:,}".replace(",", ".")


def title(report: dict[str, Any]) -> str:
    return (f"KẾT QUẢ THI HÀNH ÁN DÂN SỰ — {report['unit']['name']} (mã {report['unit']['code']}) — "
            f"{report['period']['label']}")


def table(report: dict[str, Any]) -> str:
    rows = _rows(report)
    width = max(len(r[1]) for r in rows)
    head = f"{'Chỉ tiêu':<{width}} " + "".join(f"{BASIS_LABELS[c]:>20}" for c in COLUMNS)
    lines = [title(report), ""]
    current = None
    for tree_label, label, values in rows:
        if tree_label != current:
            current = tree_label
            lines += ["", tree_label.upper(), head, "-" * len(head)]
        lines.append(f"{label:<{width}} " + "".join(f"{_fmt(v):>20}" for v in values))
    return "\n".join(lines) + "\n"


def csv_text(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Phần", "Chỉ tiêu", *(BASIS_LABELS[c] for c in COLUMNS)])
    for tree_label, label, values in _rows(report):
        w.writerow([tree_label, label.strip(), *("" if v is None else v for v in values)])
    return buf.getvalue()


def xlsx_bytes(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append([title(report)])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    ws.append(["Phần", "Chỉ tiêu", *(BASIS_LABELS[c] for c in COLUMNS)])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for tree_label, label, values in _rows(report):
        ws.append([tree_label, label.strip(), *values])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 60
    for col in ("C", "D", "E"):
        ws.column_dimensions[col].width = 22
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
