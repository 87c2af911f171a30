"""Properties of the reminder schedule for any cycle dates (pure functions, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from portal.calendar.reminders import cycle_schedule, due_moments

BEFORE_DUE = {"reminder_open", "reminder_3_months", "reminder_1_month", "reminder_1_week"}


@st.composite
def cycles(draw):
    opens_on = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    due_on = opens_on + timedelta(days=draw(st.integers(0, 400)))
    grace_until = due_on + timedelta(days=draw(st.integers(0, 200)))
    return SimpleNamespace(year=opens_on.year, opens_on=opens_on, due_on=due_on,
                           grace_until=grace_until)


@given(cycles())
def test_at_most_one_reminder_before_the_due_date_is_relevant_on_any_day(cycle):
    day = cycle.opens_on - timedelta(days=1)
    while day <= cycle.grace_until + timedelta(days=1):
        kinds = [m.kind for m in due_moments(cycle, day)]
        before_due = [k for k in kinds if k in BEFORE_DUE]
        assert len(before_due) <= 1
        if day > cycle.due_on:
            assert before_due == []          # never a stale "1 week before"
        if day < cycle.opens_on or day > cycle.grace_until:
            assert kinds == []
        if cycle.opens_on <= day <= cycle.due_on:
            assert len(before_due) == 1      # a late joiner always has a relevant reminder
        day += timedelta(days=1)


@given(cycles())
def test_the_schedule_starts_with_the_opening_and_keeps_date_order(cycle):
    moments = cycle_schedule(cycle)
    assert moments[0].kind == "reminder_open" and moments[0].on == cycle.opens_on
    planned = [m for m in moments if m.kind in BEFORE_DUE]
    assert [m.on for m in planned] == sorted({m.on for m in planned})
    assert all(m.on <= m.until <= cycle.due_on for m in planned)
    overdue = next(m for m in moments if m.kind == "reminder_overdue")
    assert overdue.on == cycle.due_on + timedelta(days=1) and overdue.until == cycle.grace_until
