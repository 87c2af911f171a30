"""A whole simulated year: `daily` runs every day with a frozen clock; count every mail."""

from __future__ import annotations

from datetime import date, timedelta

from portal.auth.models import OrgRole, StaffRole
from portal.calendar.models import DailyRun, ReminderOptOut
from tests.calendar.conftest import local_noon, mail_counts
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_member,
    create_pledge,
    create_staff,
)

ALL_REMINDERS = ["reminder_open", "reminder_3_months", "reminder_1_month", "reminder_1_week",
                 "reminder_overdue", "reminder_final"]


def test_a_year_of_daily_runs(db, run_day, frozen_clock, outbox):
    frozen_clock(local_noon(date(2025, 3, 1)))
    cycle_2025 = create_cycle(db, 2025)
    cycle_2026 = create_cycle(db, 2026)
    staff_admin = create_staff(db, StaffRole.ADMIN)
    create_staff(db, StaffRole.REVIEWER)  # reviewers get no digest

    silent, silent_admin = create_company_with_admin(db)      # never reports
    create_pledge(db, silent, silent_admin)
    silent_second = create_member(db, silent)                  # an admin who opted out
    db.add(ReminderOptOut(user_id=silent_second.id, kind="reminder_1_week"))
    create_member(db, silent, role=OrgRole.CONTRIBUTOR)        # contributors get nothing

    prompt, prompt_admin = create_company_with_admin(db)      # reports on 1 June
    create_pledge(db, prompt, prompt_admin)

    certified, certified_admin = create_company_with_admin(db)  # 2025 certificate, reports 1 July
    create_pledge(db, certified, certified_admin)
    create_certificate(db, certified, cycle_2025, valid_until=date(2026, 12, 31))
    db.commit()

    late_joiner = latecomer = None
    day = date(2026, 1, 1)
    while day <= date(2026, 12, 31):
        if day == date(2026, 5, 10):   # pledged 82 days before due_on: reports this cycle
            frozen_clock(local_noon(day))
            late_joiner, late_joiner_admin = create_company_with_admin(db)
            create_pledge(db, late_joiner, late_joiner_admin)
        if day == date(2026, 6, 20):   # 41 days before due_on: first reports in 2027
            frozen_clock(local_noon(day))
            latecomer, latecomer_admin = create_company_with_admin(db)
            create_pledge(db, latecomer, latecomer_admin)
        if day == date(2026, 6, 1):
            frozen_clock(local_noon(day))
            create_attestation(db, prompt, cycle_2026, status="submitted",
                               submitted_by=prompt_admin)
        if day == date(2026, 7, 1):
            frozen_clock(local_noon(day))
            create_attestation(db, certified, cycle_2026, status="submitted",
                               submitted_by=certified_admin)
        run_day(day)
        day += timedelta(days=1)

    counts = mail_counts(outbox)

    def got(user):
        return sorted(kind for (user_id, kind), n in counts.items() for _ in range(n)
                      if user_id == user.id)

    assert got(silent_admin) == sorted(ALL_REMINDERS)
    assert got(silent_second) == sorted(set(ALL_REMINDERS) - {"reminder_1_week"})
    assert got(prompt_admin) == sorted(["reminder_open", "reminder_3_months"])
    assert got(certified_admin) == sorted(["reminder_open", "reminder_3_months",
                                           "reminder_1_month", "certificate_expiring"])
    assert got(late_joiner_admin) == sorted(set(ALL_REMINDERS) - {"reminder_open"})
    assert got(latecomer_admin) == []
    assert counts[(staff_admin.id, "digest")] == 365
    assert sum(counts.values()) == 6 + 5 + 2 + 4 + 5 + 365
    assert db.query(DailyRun).count() == 365

    # The certificate notice came 30 days before valid_until; the overdue one the day after due_on.
    [expiring] = outbox(kind="certificate_expiring")
    assert expiring.created_at.date() == date(2026, 12, 1)
    assert {m.created_at.date() for m in outbox(kind="reminder_overdue")} == {date(2026, 8, 1)}
