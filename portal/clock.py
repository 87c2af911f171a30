"""One clock for the whole portal.

Timestamps are UTC; dates are in the association's time zone (a deadline "31 July" ends at
23:59:59 London time). Tests and demos may pin the clock; production refuses to.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_frozen_at: datetime | None = None
_timezone = ZoneInfo("Europe/London")
_may_freeze = False


def configure(timezone_name: str, may_freeze: bool, frozen_iso: str = "") -> None:
    global _timezone, _may_freeze
    _timezone = ZoneInfo(timezone_name)
    _may_freeze = may_freeze
    if frozen_iso:
        freeze(datetime.fromisoformat(frozen_iso))


def timezone() -> ZoneInfo:
    return _timezone


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen_at if _frozen_at is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in the association's time zone."""
    return now().astimezone(_timezone).date()


def freeze(moment: datetime | date | None) -> None:
    """Pin the clock (tests and demos only); None unpins it."""
    global _frozen_at
    if moment is not None and not _may_freeze:
        raise RuntimeError("The clock cannot be set in production")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12, 0), tzinfo=_timezone)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    _frozen_at = moment.astimezone(UTC) if moment is not None else None


def advance(delta: timedelta) -> None:
    freeze(now() + delta)


def start_of_day(day: date) -> datetime:
    """The first instant of a local date, in UTC: compare timestamps with it, not dates."""
    return datetime.combine(day, time(0, 0), tzinfo=_timezone).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last instant of a local date, in UTC: when a deadline on that date ends."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=_timezone)
    return local.astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(_timezone)
