"""Which office should handle a request: the competence rule of LCJE Art. 35 as the portal applies
it — the regional enforcement office where the debtor resides (or works), or where the debtor's asset
is; when the request concerns an asset to be handed over or dealt with (an act, no money claim), the
asset's location comes first. The suggestion is only a suggestion: the citizen may choose another
office, and the office may refuse as not competent (Art. 31(5)).

OFFICES maps each office code to the places (communes, wards, former districts) it covers; place
names are matched without diacritics or case. A real deployment loads the Ministry's table of the
355 regional offices (QĐ 1898/QĐ-BTP); this one covers the demo provinces."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OFFICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "TH-KV01": ("Phòng Thi hành án dân sự khu vực 1 - Thanh Hóa",
              ("hac thanh", "tp thanh hoa", "thanh pho thanh hoa", "dong son", "sam son", "quang xuong")),
    "TH-KV02": ("Phòng Thi hành án dân sự khu vực 2 - Thanh Hóa",
              ("bim son", "ha trung", "nga son", "hau loc")),
    "TH-KV03": ("Phòng Thi hành án dân sự khu vực 3 - Thanh Hóa",
              ("tho xuan", "trieu son", "thieu hoa", "yen dinh")),
    "HN-KV01": ("Phòng Thi hành án dân sự khu vực 1 - Hà Nội",
              ("hoan kiem", "ba dinh", "dong da", "hai ba trung")),
    "HN-KV02": ("Phòng Thi hành án dân sự khu vực 2 - Hà Nội",
              ("cau giay", "thanh xuan", "ha dong", "nam tu liem", "bac tu liem")),
}


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


def office_of_place(place: str | None) -> str | None:
    if not place:
        return None
    plain = _plain(place)
    for code, (_, places) in OFFICES.items():
        if any(f" {p} " in plain for p in places):
            return code
    return None


@dataclass(frozen=True)
class Suggestion:
    unit: str | None
    basis: str | None       # "debtor_address" | "asset_location"
    label: str | None


def suggest(debtor_address: str | None, asset_location: str | None, concerns_asset: bool) -> Suggestion:
    order = [("asset_location", asset_location), ("debtor_address", debtor_address)]
    if not concerns_asset:
        order.reverse()
    for basis, place in order:
        unit = office_of_place(place)
        if unit is not None:
            return Suggestion(unit, basis, OFFICES[unit][0])
    return Suggestion(None, None, None)
