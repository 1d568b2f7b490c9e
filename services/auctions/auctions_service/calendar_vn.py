"""Working days for the auctions' deadlines (valuer within 5 WD, re-valuation within 5 WD, movables'
notice ≥ 7 WD): the platform's one Vietnamese civil-service calendar (`thads_calendar`: holidays,
swapped days off and the Saturdays worked in exchange), re-exported so that domain code keeps
importing it from its own service. A notice period counts whole days between the announcement and
the auction, neither of them included: `working_days_between` here."""
from __future__ import annotations

from datetime import date, timedelta

from thads_calendar import (  # noqa: F401
    COMPENSATORY_WORKING_DAYS,
    EXTRA_DAYS_OFF,
    add_calendar_days,
    add_months,
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
)
from thads_calendar import working_days_between as _after_start_through_end


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including the day before `end` (whole days of notice)."""
    return _after_start_through_end(start, end - timedelta(days=1)) if end > start else 0
