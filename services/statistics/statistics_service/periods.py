"""Reporting periods: the statistical year runs 1 October – 30 September (domain.md §2; TT 01/2013
as amended by TT 08/2015, TT 06/2019, TT 05/2024) and is named by the year it ends in ("2018" =
1/10/2017 – 30/9/2018).

Accepted names:
* `YYYY`       — the statistical year (the 12-month cut);
* `YYYY-3m`, `YYYY-6m`, `YYYY-9m`, `YYYY-12m` — cumulative cuts from 1 October (9m = to 30 June);
* `YYYY-MM`    — one calendar month (its carried-over figures are what was open on its first day).

A period is read on its last day, by business time. A period that has not started is refused
(PeriodNotStartedError, 409); a malformed name too (UnknownPeriodError, 404).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_NAME = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|-(?P<cut>3|6|9|12)m)?$")


class UnknownPeriodError(Exception):
    status_code = 404
    rule = "statistics.unknown_period"

    def __init__(self, name: str, why: str = "") -> None:
        super().__init__(f"unknown period {name!r}{': ' + why if why else ''}; use YYYY (statistical year "
                         "1 Oct – 30 Sep), YYYY-3m/6m/9m/12m (cumulative cuts) or YYYY-MM (one month)")
        self.message_vi = (f"Kỳ báo cáo {name!r} không hợp lệ. Dùng YYYY (năm thống kê 01/10–30/9), "
                           "YYYY-3m/6m/9m/12m (lũy kế từ 01/10) hoặc YYYY-MM (một tháng).")


class PeriodNotStartedError(Exception):
    status_code = 409
    rule = "statistics.period_not_started"

    def __init__(self, name: str, start: date) -> None:
        super().__init__(f"period {name} starts on {start.isoformat()}: it has not started yet")
        self.message_vi = f"Kỳ báo cáo {name} bắt đầu từ ngày {start:%d/%m/%Y}, chưa đến kỳ báo cáo."


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date            # inclusive: the day the status is read
    label_vi: str


def parse(name: str, today: date | None = None) -> Period:
    m = _NAME.match(name)
    if m is None:
        raise UnknownPeriodError(name)
    year = int(m["year"])
    if not 1990 <= year <= 2200:
        raise UnknownPeriodError(name, "year out of range")
    if m["month"]:
        month = int(m["month"])
        if not 1 <= month <= 12:
            raise UnknownPeriodError(name, "month must be 01–12")
        start = date(year, month, 1)
        end = date(year, month, calendar.monthrange(year, month)[1])
        label = f"Tháng {month:02d}/{year}"
    else:
        months = int(m["cut"] or 12)
        start = date(year - 1, 10, 1)
        last_month = (10 + months - 1 - 1) % 12 + 1          # 3 → 12, 6 → 3, 9 → 6, 12 → 9
        last_year = year - 1 if last_month >= 10 else year
        end = date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
        label = (f"Năm thống kê {year} (01/10/{year - 1} – 30/09/{year})" if months == 12
                 else f"{months} tháng năm thống kê {year} (01/10/{year - 1} – {end:%d/%m/%Y})")
    period = Period(name, start, end, label)
    if today is not None and start > today:
        raise PeriodNotStartedError(name, start)
    return period


def statistical_year(name: str) -> str:
    """The statistical year a period belongs to (its targets default to the year's)."""
    p = parse(name)
    return str(p.end.year + (1 if p.end.month >= 10 else 0))
