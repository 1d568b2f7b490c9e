"""Vietnamese working-day calendar for the civil service (THADS agencies).

A day is a working day when it is Monday–Friday and not a public holiday, or when it is a
Saturday the Government swapped into a working day ("làm bù"). Holidays come from the
`holidays` package (``country_holidays("VN")``), corrected by the two tables below.

What `holidays` 0.109 gets right for 2017–2027 (checked against the published schedules):
* fixed holidays (1/1, Hùng Kings 10/3 lunar, 30/4, 1/5, 2/9) and their "nghỉ bù" weekday
  when they fall on a weekend; since 2021 the extra National Day (1/9 or 3/9, Labor Code 2019
  Art. 112); Tết as 5 weekdays around lunar new year with the weekend compensation
  (Tết 2017 26/1–1/2, 2018 14–20/2, 2024 8–14/2, 2025 27–31/1, 2026 16–20/2);
* the Government's swapped days off (31/12/2018, 29/4/2019, 29/4/2024, 2/5/2025, 31/8/2026);
* from 2026 the Vietnam Culture Day 24/11 (Resolution 80-NQ/TW) — taken from the package.
What it does not do, and this module adds:
* the Saturday worked in exchange for a swapped day off is not a working day there
  (5/1/2019, 4/5/2019, 4/5/2024, 26/4/2025, 10/1/2026, 22/8/2026) → COMPENSATORY_WORKING_DAYS;
* it misses the 2026 New Year swap (Fri 2/1/2026 off, Sat 10/1/2026 worked; Công văn
  12729/VPCP-KGVX of 25/12/2025) → EXTRA_DAYS_OFF;
* years after the last published schedule (2027 on) are estimates: no swaps are known yet.
Swaps are decided for public servants each year; update both tables when a dispatch is issued.

One calendar for the whole platform: every service's deadlines (intake's case deadlines, auctions'
notices, complaints' and denunciations' time limits, banks' 3-working-day answers, the online
1-working-day send-back) count with this module. It is a pure package (the `holidays` data and the
two tables, no infrastructure), so domain code may import it; each service's `calendar_vn` module
re-exports it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

# Saturdays worked in exchange for a swapped weekday off (public servants).
COMPENSATORY_WORKING_DAYS: dict[date, str] = {
    # 2010–2015: the swaps listed by `holidays` (VietnamStaticHolidays), for imported history.
    date(2010, 2, 27): "làm bù cho 19/2/2010",
    date(2012, 2, 4): "làm bù cho 27/1/2012",
    date(2013, 5, 4): "làm bù cho 29/4/2013",
    date(2014, 4, 26): "làm bù cho 2/5/2014",
    date(2014, 9, 6): "làm bù cho 1/9/2014",
    date(2014, 12, 27): "làm bù cho 2/1/2015",
    date(2015, 2, 14): "làm bù cho 16/2/2015",
    date(2015, 4, 25): "làm bù cho 29/4/2015",
    date(2019, 1, 5): "Công văn 6519/VPCP-KGVX (2018): làm bù cho thứ Hai 31/12/2018",
    date(2019, 5, 4): "Công văn 6519/VPCP-KGVX (2018): làm bù cho thứ Hai 29/4/2019",
    date(2024, 5, 4): "Công văn 2450/VPCP-KGVX (2024): làm bù cho thứ Hai 29/4/2024",
    date(2025, 4, 26): "Thông báo 6150/TB-BLĐTBXH (2024): làm bù cho thứ Sáu 2/5/2025",
    date(2026, 1, 10): "Công văn 12729/VPCP-KGVX (25/12/2025): làm bù cho thứ Sáu 2/1/2026",
    date(2026, 8, 22): "Lịch nghỉ Quốc khánh 2026: làm bù cho thứ Hai 31/8/2026",
}

# Days off decided by the Government that the `holidays` package does not (yet) list.
EXTRA_DAYS_OFF: dict[date, str] = {
    date(2026, 1, 2): "Công văn 12729/VPCP-KGVX (25/12/2025): nghỉ Tết Dương lịch, hoán đổi",
}

CIVIL_CODE_ROLL_FORWARD = "Art. 148(5) Bộ luật Dân sự 2015"


@lru_cache(maxsize=64)
def _days_off(year: int) -> dict[date, str]:
    official = holidays.country_holidays("VN", years=year, language="vi")
    days = {d: str(name) for d, name in official.items()}
    days.update({d: n for d, n in EXTRA_DAYS_OFF.items() if d.year == year})
    return days


def holiday_name(day: date) -> str | None:
    """Vietnamese name of the public holiday on `day`, or None."""
    return _days_off(day.year).get(day)


def is_working_day(day: date) -> bool:
    if day in COMPENSATORY_WORKING_DAYS:
        return True
    return day.weekday() < 5 and day not in _days_off(day.year)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the start day itself is never counted).

    n == 0 returns `start`; used for deadlines "within n working days from" an event.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    day = start
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def add_calendar_days(start: date, n: int, *, roll_forward: bool = True) -> date:
    """`start` + n days; the period starts the day after the event (Civil Code Art. 147).

    With roll_forward, a period ending on a weekend or holiday ends on the next working
    day (Civil Code 2015 Art. 148(5)) [GK: applied to THADS periods as general law].
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    end = start + timedelta(days=n)
    return next_working_day(end) if roll_forward else end


def add_months(start: date, n: int, *, roll_forward: bool = True) -> date:
    """Same day n months later, or that month's last day if it has no such day."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    months = start.month - 1 + n
    year, month = start.year + months // 12, months % 12 + 1
    end = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return next_working_day(end) if roll_forward else end


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; 0 when end <= start."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
