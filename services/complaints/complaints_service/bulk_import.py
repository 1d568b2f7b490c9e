"""Complaints' bulk import of history (issue 12): `POST /import`, the kit's route
(thads_kit.bulk_import, where the rules of an import live) with the complaints' paths.

A line files a complaint (`/complaints`, with `bind` naming it in the file; the answer's
`complaint_id` is the new complaint; `decision_event_id` must be a decision the service has learned
from intake's or auctions' events) or acts on one (`/complaints/{complaint}/<command>`: acceptance,
refusal, decision, second-complaint, withdrawal; `complaint` names a complaint bound earlier in the
file or an existing one by its UUID). Lines act as a clerk, officer or head of the importing head's
office (the routes decide who may accept and decide: a head); every body carries its `occurred_at`:

    {"command_id": "TH-BIMSON/KN/0007/02", "path": "/complaints/{complaint}/acceptance",
     "complaint": "kn-0007", "role": "head", "actor": "tt-bimson",
     "body": {"accepted_on": "2018-03-05", "occurred_at": "2018-03-05T09:00:00+07:00"}}

Not in this import yet: denunciations (`/denunciations`, its own id field and placeholder) and the
citizen reception sessions; they are recorded through their routes one request at a time.
"""
from __future__ import annotations

from thads_kit import bulk_import as kit

CONFIG = kit.ImportConfig(
    service="complaints",
    opening={"/complaints": "complaint_id"},
    ref="complaint",
    path=r"/complaints(/\{complaint\}/(acceptance|refusal|decision|second-complaint|withdrawal))?",
    path_hint_vi="Đường dẫn lệnh không hợp lệ (chỉ /complaints hoặc /complaints/{complaint}/<lệnh> kèm trường "
                 "complaint).",
    roles=("clerk", "officer", "head"),
    tags=("khiếu nại",),
)
router = kit.router(CONFIG)
