"""Working days for this service's deadlines: the platform's one Vietnamese civil-service calendar
(`thads_calendar`, holidays, swapped days off and the Saturdays worked in exchange), re-exported so
that domain code keeps importing it from its own service."""
from thads_calendar import (  # noqa: F401
    COMPENSATORY_WORKING_DAYS,
    EXTRA_DAYS_OFF,
    add_calendar_days,
    add_months,
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)
