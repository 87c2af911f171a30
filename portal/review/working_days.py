"""Working days for the review service level: Monday–Friday minus England & Wales bank holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SERVICE_LEVEL_DAYS = 10


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England's calendar is the one England & Wales share (Scotland and NI differ).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: a submission today has waited 0."""
    if end <= start:
        return 0
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the service-level deadline)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day
