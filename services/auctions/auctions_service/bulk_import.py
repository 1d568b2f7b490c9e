"""Auctions' bulk import of history (issue 12): `POST /import`, the kit's route (thads_kit.bulk_import,
where the rules of an import live) with the auctions' paths.

An asset usually arrives from intake's SeizureOrdered, so a line names it by its UUID in `asset`; a
line may also record the seizure itself (`/assets`, with `bind` naming the asset in the file; the
answer's `asset_id` is uuid5(case, "seizure/<decision number>"), the id intake gives the same
seizure). Later lines: `/assets/{asset}/<command>` (valuation, organisation-contract, auctions,
bidders, bids, close, payment, ...). Lines act as an officer or head of the importing head's office,
or as the auction organisation the asset is contracted to (`actor` = its id) for the rounds; every
body carries its `occurred_at`:

    {"command_id": "TH-BIMSON/TS/0042/05", "path": "/assets/{asset}/valuation",
     "asset": "6c1f8f1e-...", "role": "officer", "actor": "cv-bimson-01",
     "body": {"method": "agreed", "price_vnd": 120000000, "valued_on": "2018-02-01",
              "occurred_at": "2018-02-01T09:00:00+07:00"}}
"""
from __future__ import annotations

from thads_kit import bulk_import as kit

CONFIG = kit.ImportConfig(
    service="auctions",
    opening={"/assets": "asset_id"},
    ref="asset",
    path=r"/assets(/\{asset\}/[a-z][a-z\-]{0,40})?",
    path_hint_vi="Đường dẫn lệnh không hợp lệ (chỉ /assets hoặc /assets/{asset}/<lệnh> kèm trường asset).",
    roles=("officer", "head", "organisation"),
    tags=("auctions",),
)
router = kit.router(CONFIG)
