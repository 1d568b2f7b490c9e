"""Working days for the complaints' limits (acceptance within 5 WD, Art. 148; account freeze: 3 WD to complain, 5 WD to decide;
other security measures: 5 WD to decide): Monday–Friday that are not Vietnamese public holidays of the `holidays` package
(`country_holidays("VN")`, with its "nghỉ bù" days). Intake keeps its own, corrected calendar for the
case's deadlines (services share no code); the Saturdays worked in exchange for a swapped day off are
not counted as working days here — a later notice, never an earlier one, so no legal period is cut short.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in _holidays(d.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (start itself not counted)."""
    d, left = start, n
    while left > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            left -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including the day before `end` (whole days of notice)."""
    d, count = start + timedelta(days=1), 0
    while d < end:
        count += is_working_day(d)
        d += timedelta(days=1)
    return count
