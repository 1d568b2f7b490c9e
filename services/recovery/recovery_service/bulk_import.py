"""Recovery's bulk import of history (issue 12): `POST /import`, the kit's route
(thads_kit.bulk_import, where the rules of an import live) with the bad-debt team's paths.

A bad-debt file opens from intake's events (a credit institution becomes a creditor of a case), so
every line names an existing file by its UUID in `file` (`file_id` of GET /files) and acts on it:
`/files/{file}/collaterals`, `/files/{file}/team`, `/files/{file}/information-requests`,
`/files/{file}/collaterals/<collateral UUID>/seized-asset`. Lines act as an officer or head of the
importing head's office; every body carries its `occurred_at`. A bank's own messages (repayments,
acknowledgements, answers) are the bank's to send on its routes, not an office's to import:

    {"command_id": "TH-BIMSON/NX/0003/01", "path": "/files/{file}/team", "file": "0b7e...",
     "role": "head", "actor": "tt-bimson",
     "body": {"team": "Tổ xử lý nợ xấu số 1", "occurred_at": "2018-01-10T09:00:00+07:00"}}
"""
from __future__ import annotations

from thads_kit import bulk_import as kit

CONFIG = kit.ImportConfig(
    service="recovery",
    opening={},
    ref="file",
    path=r"/files/\{file\}/(collaterals|team|information-requests|collaterals/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
         r"[0-9a-f]{4}-[0-9a-f]{12}/seized-asset)",
    path_hint_vi="Đường dẫn lệnh không hợp lệ (chỉ /files/{file}/collaterals, /files/{file}/team, "
                 "/files/{file}/information-requests hoặc /files/{file}/collaterals/<mã>/seized-asset, kèm trường "
                 "file).",
    roles=("officer", "head"),
    tags=("nợ xấu",),
)
router = kit.router(CONFIG)
