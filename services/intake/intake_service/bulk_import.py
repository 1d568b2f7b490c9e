"""Intake's bulk import of case history (issue 12): `POST /import`, the kit's route
(thads_kit.bulk_import, where the rules of an import live) with intake's paths.

A line opens a case (`/cases/judgments`, `/cases/requests`, with `bind` naming it in the file; the
answer's `case_id` is the new case) or commands one (`/cases/{case}/<command>`, with `case` naming a
case bound earlier in the file or an existing case by its UUID). Lines act as a clerk, officer, head
or accountant of the importing head's office; every body carries its `occurred_at`:

    {"command_id": "TH-BIMSON/2018/00017/03", "path": "/cases/{case}/decision", "case": "00017",
     "role": "head", "actor": "head-bimson", "body": {"decision_no": "...", "basis": "on_request",
     "occurred_at": "2017-11-02T09:00:00+07:00"}}
"""
from __future__ import annotations

from thads_kit import bulk_import as kit
from thads_kit.bulk_import import MAX_LINES, TooManyLinesError  # noqa: F401  (intake's error map names it)

CONFIG = kit.ImportConfig(
    service="intake",
    opening={"/cases/judgments": "case_id", "/cases/requests": "case_id"},
    ref="case",
    path=r"/cases/(judgments|requests|\{case\}/[a-z][a-z\-/]{0,60})",
    path_hint_vi="Đường dẫn lệnh không hợp lệ (chỉ /cases/judgments, /cases/requests hoặc /cases/{case}/<lệnh> "
                 "kèm trường case).",
    roles=("clerk", "officer", "head", "accountant"),
)
router = kit.router(CONFIG)
