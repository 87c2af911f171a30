"""Shared arrangements for the reporting calendar's tests."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

import pytest

from portal import clock
from portal.calendar.daily import run_daily
from tests.factories import create_company_with_admin, create_cycle, create_pledge


def local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=clock.timezone())


@pytest.fixture
def run_day(app, db, frozen_clock):
    """Run `daily` on a day with the clock frozen at noon there; returns its summary."""

    def run(day: date, **kwargs):
        frozen_clock(local_noon(day))
        with app.app_context():
            summary = run_daily(db, day, **kwargs)
            db.commit()
        return summary

    return run


@pytest.fixture
def cycle_2026(db):
    # Opens 1 April, due 31 July, accepted until 31 December (the factory's dates).
    return create_cycle(db, 2026)


@pytest.fixture
def pledged_company(db, frozen_clock):
    """A company that pledged in 2025 (its admin signed): it owes the 2026 attestation."""
    frozen_clock(local_noon(date(2025, 6, 1)))
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    frozen_clock(None)
    return organisation, admin


def mail_counts(outbox, **filters) -> Counter:
    """{(user id, kind): number of mails} in the outbox."""
    return Counter((mail.user_id, mail.kind) for mail in outbox(**filters))


def reminder_kinds(outbox, user_id: int) -> list[str]:
    return [mail.kind for mail in outbox(user_id=user_id) if mail.kind != "digest"]
