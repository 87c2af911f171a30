"""Which reminder each company gets on each day around the cycle's boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from portal.calendar.models import ReminderOptOut
from portal.calendar.reminders import cycle_schedule, months_before
from tests.calendar.conftest import local_noon, reminder_kinds
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_member,
    create_pledge,
)


@pytest.mark.parametrize("first_run_on, expected", [
    (date(2026, 3, 31), []),                          # the day before opens_on
    (date(2026, 4, 1), ["reminder_open"]),            # on opens_on
    (date(2026, 4, 2), ["reminder_open"]),            # the day after: caught up
    (date(2026, 4, 30), ["reminder_3_months"]),       # 3 months before due_on
    (date(2026, 6, 30), ["reminder_1_month"]),
    (date(2026, 7, 24), ["reminder_1_week"]),
    (date(2026, 7, 30), ["reminder_1_week"]),         # the day before due_on
    (date(2026, 7, 31), ["reminder_1_week"]),         # on due_on: still relevant
    (date(2026, 8, 1), ["reminder_overdue"]),         # the day after due_on
    (date(2026, 12, 16), ["reminder_overdue"]),       # a missed overdue notice is still sent
    (date(2026, 12, 17), ["reminder_overdue", "reminder_final"]),  # 2 weeks before grace
    (date(2026, 12, 30), ["reminder_overdue", "reminder_final"]),  # the day before grace
    (date(2026, 12, 31), ["reminder_overdue", "reminder_final"]),  # on grace_until
    (date(2027, 1, 1), []),                           # the day after grace_until
])
def test_the_first_run_on_a_day_sends_what_is_still_relevant(
        run_day, cycle_2026, pledged_company, outbox, first_run_on, expected):
    _, admin = pledged_company
    run_day(first_run_on)
    assert sorted(reminder_kinds(outbox, admin.id)) == sorted(expected)


def test_a_stale_reminder_is_never_sent_after_the_due_date(run_day, cycle_2026,
                                                           pledged_company, outbox):
    _, admin = pledged_company
    run_day(date(2026, 7, 20))  # before the 1-week reminder: nothing relevant but "1 month"
    run_day(date(2026, 8, 3))   # the job did not run for two weeks
    assert reminder_kinds(outbox, admin.id) == ["reminder_1_month", "reminder_overdue"]


@pytest.mark.parametrize("day", [date(2026, 4, 1), date(2026, 8, 1), date(2026, 12, 17)])
def test_running_twice_a_day_queues_each_mail_once(run_day, cycle_2026, pledged_company,
                                                   outbox, day):
    _, admin = pledged_company
    first = run_day(day)
    second = run_day(day)
    assert first["reminders"] >= 1 and second["reminders"] == 0
    assert second["digest"] == 0
    kinds = reminder_kinds(outbox, admin.id)
    assert len(kinds) == len(set(kinds)) == first["reminders"]


@pytest.mark.parametrize("status", ["submitted", "in_review", "approved"])
@pytest.mark.parametrize("day", [date(2026, 7, 31), date(2026, 8, 1), date(2026, 12, 17)])
def test_a_company_that_submitted_gets_no_reminders(db, run_day, cycle_2026, pledged_company,
                                                    outbox, frozen_clock, status, day):
    organisation, admin = pledged_company
    frozen_clock(local_noon(date(2026, 7, 1)))
    create_attestation(db, organisation, cycle_2026, status=status, submitted_by=admin)
    run_day(day)
    assert reminder_kinds(outbox, admin.id) == []


def test_a_draft_does_not_stop_reminders(db, run_day, cycle_2026, pledged_company, outbox):
    organisation, admin = pledged_company
    create_attestation(db, organisation, cycle_2026, status="draft")
    run_day(date(2026, 8, 1))
    assert reminder_kinds(outbox, admin.id) == ["reminder_overdue"]


@pytest.mark.parametrize("signed_on, expected", [
    # 60-day window: pledged on or before 1 June (60 days before 31 July) it reports this cycle.
    (date(2026, 6, 1), ["reminder_1_week", "reminder_overdue"]),
    (date(2026, 6, 2), []),
    (date(2026, 7, 15), []),
])
def test_a_company_that_pledged_mid_cycle(db, run_day, cycle_2026, frozen_clock, outbox,
                                          signed_on, expected):
    frozen_clock(local_noon(signed_on))
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    run_day(date(2026, 7, 25))
    run_day(date(2026, 8, 1))
    assert reminder_kinds(outbox, admin.id) == expected


def test_the_new_signer_window_is_a_cycle_setting(db, run_day, frozen_clock, outbox):
    from tests.factories import create_cycle

    create_cycle(db, 2026, new_signer_window_days=10)
    frozen_clock(local_noon(date(2026, 7, 15)))  # 16 days before due_on
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    run_day(date(2026, 8, 1))
    assert reminder_kinds(outbox, admin.id) == ["reminder_overdue"]


def test_recipients_are_the_signatory_and_admins_with_confirmed_addresses(
        db, run_day, cycle_2026, pledged_company, outbox):
    organisation, signatory = pledged_company
    from portal.auth.models import OrgRole

    other_admin = create_member(db, organisation)
    contributor = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    unconfirmed = create_member(db, organisation, verified=False)
    run_day(date(2026, 4, 1))
    to = {mail.user_id for mail in outbox(kind="reminder_open")}
    assert to == {signatory.id, other_admin.id}
    assert contributor.id not in to and unconfirmed.id not in to


def test_a_signatory_who_became_a_contributor_still_gets_reminders(
        db, run_day, cycle_2026, pledged_company, outbox):
    from portal.auth.models import OrgRole

    organisation, signatory = pledged_company
    create_member(db, organisation)  # another admin, so the company keeps one
    signatory.org_role = OrgRole.CONTRIBUTOR
    db.commit()
    run_day(date(2026, 4, 1))
    assert signatory.id in {mail.user_id for mail in outbox(kind="reminder_open")}


def test_withdrawn_delisted_and_unpledged_companies_get_nothing(db, run_day, cycle_2026,
                                                                outbox, frozen_clock):
    from portal import clock

    frozen_clock(local_noon(date(2025, 6, 1)))
    withdrawn, withdrawn_admin = create_company_with_admin(db)
    pledge = create_pledge(db, withdrawn, withdrawn_admin)
    pledge.withdrawn_at, pledge.active_organisation_id = clock.now(), None
    delisted, delisted_admin = create_company_with_admin(db)
    create_pledge(db, delisted, delisted_admin)
    delisted.delisted_at, delisted.delisted_reason = clock.now(), "Did not report"
    _, unpledged_admin = create_company_with_admin(db)
    db.commit()
    run_day(date(2026, 8, 1))
    assert outbox(kind="reminder_overdue") == []


def test_opting_out_is_respected_but_a_signatory_always_gets_the_final_notice(
        db, run_day, cycle_2026, pledged_company, outbox):
    organisation, signatory = pledged_company
    other_admin = create_member(db, organisation)
    for user in (signatory, other_admin):
        for kind in ("reminder_overdue", "reminder_final"):
            db.add(ReminderOptOut(user_id=user.id, kind=kind))
    db.commit()
    run_day(date(2026, 12, 17))
    assert reminder_kinds(outbox, signatory.id) == ["reminder_final"]
    assert reminder_kinds(outbox, other_admin.id) == []


def test_reminder_mail_has_one_click_unsubscribe_except_the_locked_final_notice(
        db, run_day, cycle_2026, pledged_company, outbox):
    organisation, signatory = pledged_company
    other_admin = create_member(db, organisation)
    run_day(date(2026, 12, 17))
    by_key = {(m.user_id, m.kind): m for m in outbox()}
    overdue = by_key[(signatory.id, "reminder_overdue")]
    assert overdue.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert overdue.headers["List-Unsubscribe"].startswith("<http://localhost/unsubscribe/")
    assert "http://localhost/unsubscribe/" in overdue.text_body
    assert by_key[(signatory.id, "reminder_final")].headers == {}
    assert "List-Unsubscribe" in by_key[(other_admin.id, "reminder_final")].headers


def test_overdue_mail_counts_down_to_the_last_day(run_day, cycle_2026, pledged_company,
                                                  outbox):
    organisation, admin = pledged_company
    run_day(date(2026, 8, 1))
    [mail] = outbox(kind="reminder_overdue")
    assert mail.subject == f"{organisation.name}: your 2026 attestation is overdue"
    assert mail.dedupe_key == f"reminder_overdue:2026:{organisation.id}:{admin.id}"
    assert "until 31 December 2026 (152 days from today)" in mail.text_body
    assert "http://localhost/" in mail.text_body and "31 July 2026" in mail.html_body


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 31), 1) == date(2025, 12, 31)


def test_a_reminder_planned_before_the_cycle_opens_is_covered_by_the_opening_mail(db):
    from tests.factories import create_cycle

    cycle = create_cycle(db, 2026, opens_on=date(2026, 6, 1))
    kinds = [moment.kind for moment in cycle_schedule(cycle)]
    assert kinds == ["reminder_open", "reminder_1_month", "reminder_1_week",
                     "reminder_overdue", "reminder_final"]


def test_a_staff_extension_moves_the_overdue_notice(db, run_day, cycle_2026, pledged_company,
                                                    outbox):
    organisation, admin = pledged_company
    attestation = create_attestation(db, organisation, cycle_2026, status="draft")
    attestation.extended_until = date(2026, 8, 20)
    db.commit()
    for day in (date(2026, 8, 1), date(2026, 8, 20)):
        run_day(day)
    assert reminder_kinds(outbox, admin.id) == []
    run_day(date(2026, 8, 21))
    assert reminder_kinds(outbox, admin.id) == ["reminder_overdue"]


def test_changes_requested_gets_no_cycle_reminders(db, run_day, cycle_2026, pledged_company,
                                                   outbox):
    organisation, admin = pledged_company
    attestation = create_attestation(db, organisation, cycle_2026, status="changes_requested",
                                     submitted_by=admin)
    attestation.changes_due_on = date(2026, 8, 14)
    db.commit()
    for day in (date(2026, 8, 1), date(2026, 12, 17)):
        run_day(day)
    assert reminder_kinds(outbox, admin.id) == []


def test_company_names_are_escaped_in_html_mail(db, run_day, cycle_2026, frozen_clock, outbox):
    frozen_clock(local_noon(date(2025, 6, 1)))
    organisation, admin = create_company_with_admin(db, name="Smith & <Jones>")
    create_pledge(db, organisation, admin)
    run_day(date(2026, 4, 1))
    [mail] = outbox(kind="reminder_open")
    assert "Smith &amp; &lt;Jones&gt;" in mail.html_body and "<Jones>" not in mail.html_body
    assert "Smith & <Jones>" in mail.text_body and mail.subject.startswith("Smith & <Jones>")


def test_a_late_signer_is_reminded_from_the_next_cycle(db, run_day, cycle_2026, frozen_clock,
                                                       outbox):
    from tests.factories import create_cycle

    create_cycle(db, 2027)
    frozen_clock(local_noon(date(2026, 6, 20)))   # 41 days before the 2026 due date
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    for day in (date(2026, 8, 1), date(2026, 12, 17), date(2027, 4, 1)):
        run_day(day)
    [mail] = [m for m in outbox(user_id=admin.id) if m.kind.startswith("reminder")]
    assert mail.kind == "reminder_open"
    assert mail.dedupe_key == f"reminder_open:2027:{organisation.id}:{admin.id}"
