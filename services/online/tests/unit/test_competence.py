"""The competent office suggested from the debtor's address or the asset's location (LCJE Art. 35)."""
from __future__ import annotations

from online_service.competence import office_of_place, suggest


def test_debtor_address_first_for_a_money_claim():
    s = suggest("Khu công nghiệp Bỉm Sơn, Thanh Hóa", "Phường Cầu Giấy, Hà Nội", concerns_asset=False)
    assert (s.unit, s.basis) == ("TH-KV02", "debtor_address") and s.label


def test_asset_location_first_when_the_request_concerns_an_asset():
    s = suggest("Khu công nghiệp Bỉm Sơn, Thanh Hóa", "Phường Cầu Giấy, Hà Nội", concerns_asset=True)
    assert (s.unit, s.basis) == ("HN-KV02", "asset_location")


def test_falls_back_to_the_other_place_and_ignores_case_and_diacritics():
    assert suggest(None, "so 3 pho HOAN KIEM", concerns_asset=False).unit == "HN-KV01"
    assert office_of_place("xã Đông Sơn") == "TH-KV01"


def test_no_match_suggests_nothing():
    s = suggest("Nơi nào đó", None, concerns_asset=False)
    assert (s.unit, s.basis) == (None, None)
    assert office_of_place("Đông Sơnxyz") is None      # whole words only
