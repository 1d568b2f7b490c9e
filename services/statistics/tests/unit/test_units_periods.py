"""Units (official codes, roll-up) and periods (statistical year, cuts, months, not started)."""
from datetime import date

import pytest

from statistics_service import periods, units


def test_offices_map_to_official_codes_and_roll_up_to_the_province() -> None:
    assert units.official_code("TH-BIMSON") == "381" and units.official_code("TH") == "38-CUC"
    assert units.official_code("TH-01") is None                     # not placeable: dead-lettered
    assert units.official_code("TH-KV01") == "38-KV01"              # a regional office (from 1/7/2025)
    assert "TH-KV02" in units.resolve("38").offices and units.resolve("38-KV03").offices == ("TH-KV03",)
    province = units.resolve("38")
    assert set(province.offices) == set(units.OFFICES) and "TH" in province.offices
    assert units.resolve("381").offices == ("TH-BIMSON",)
    with pytest.raises(units.UnknownUnitError):
        units.resolve("99")
    with pytest.raises(units.UnknownUnitError):
        units.resolve("38,99")


@pytest.mark.parametrize("name,start,end", [
    ("2018", date(2017, 10, 1), date(2018, 9, 30)),
    ("2018-3m", date(2017, 10, 1), date(2017, 12, 31)),
    ("2018-6m", date(2017, 10, 1), date(2018, 3, 31)),
    ("2018-9m", date(2017, 10, 1), date(2018, 6, 30)),
    ("2018-12m", date(2017, 10, 1), date(2018, 9, 30)),
    ("2018-02", date(2018, 2, 1), date(2018, 2, 28)),
])
def test_periods(name, start, end) -> None:
    p = periods.parse(name)
    assert (p.start, p.end) == (start, end)


def test_bad_and_future_periods() -> None:
    for bad in ("18", "2018-13", "2018-5m", "abcd"):
        with pytest.raises(periods.UnknownPeriodError):
            periods.parse(bad)
    with pytest.raises(periods.PeriodNotStartedError):
        periods.parse("2027", today=date(2026, 9, 30))
    assert periods.parse("2027", today=date(2026, 10, 1)).start == date(2026, 10, 1)
    assert periods.statistical_year("2018-03") == "2018" and periods.statistical_year("2018-11") == "2019"
