"""The staff admins' digest, certificate expiry notices and re-signing reminders."""

from __future__ import annotations

from datetime import date, timedelta

from portal import clock
from portal.audit.service import head_hash, record
from portal.auth.models import StaffRole
from portal.pledges.models import CodeVersion
from tests.calendar.conftest import local_noon
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
    create_staff,
)


def digest_on(outbox, day: date):
    return [m for m in outbox(kind="digest") if m.dedupe_key.startswith(f"digest:{day}")]


def test_each_staff_admin_gets_one_digest_a_day_with_the_audit_head(db, app, run_day, outbox):
    admins = [create_staff(db, StaffRole.ADMIN), create_staff(db, StaffRole.ADMIN)]
    create_staff(db, StaffRole.REVIEWER)
    with app.app_context():
        record(db, "test_event", object_type="test")
        db.commit()
        head = head_hash(db)
    run_day(date(2026, 3, 2))
    run_day(date(2026, 3, 2))
    mails = digest_on(outbox, date(2026, 3, 2))
    assert sorted(m.user_id for m in mails) == sorted(a.id for a in admins)
    assert mails[0].subject == "Pledge Portal daily digest, 2 March 2026: nothing new"
    assert head in mails[0].text_body and head in mails[0].html_body


def test_new_overdue_is_reported_once(db, run_day, cycle_2026, pledged_company, outbox):
    create_staff(db, StaffRole.ADMIN)
    organisation, _ = pledged_company
    run_day(date(2026, 7, 31))
    run_day(date(2026, 8, 1))
    run_day(date(2026, 8, 2))
    [before] = digest_on(outbox, date(2026, 7, 31))
    [first] = digest_on(outbox, date(2026, 8, 1))
    [after] = digest_on(outbox, date(2026, 8, 2))
    assert "1 new overdue" in first.subject and "1 new overdue" not in after.subject
    assert f"- {organisation.name}" in first.text_body.split("New non-reporting")[0]
    assert "New overdue (0)" in after.text_body and "New overdue (0)" in before.text_body


def test_new_non_reporting_after_the_last_day(db, run_day, cycle_2026, pledged_company,
                                              outbox):
    create_staff(db, StaffRole.ADMIN)
    run_day(date(2026, 12, 31))
    run_day(date(2027, 1, 1))
    [mail] = digest_on(outbox, date(2027, 1, 1))
    assert "1 new non-reporting" in mail.subject
    assert f"New non-reporting (1):\n- {pledged_company[0].name}" in mail.text_body


def test_delist_candidates_missed_two_cycles_in_a_row(db, run_day, outbox, frozen_clock):
    create_staff(db, StaffRole.ADMIN)
    frozen_clock(local_noon(date(2024, 1, 10)))
    cycles = [create_cycle(db, 2024), create_cycle(db, 2025)]
    twice, twice_admin = create_company_with_admin(db, name="Missed Twice Ltd")
    create_pledge(db, twice, twice_admin)
    once, once_admin = create_company_with_admin(db, name="Missed Once Ltd")
    create_pledge(db, once, once_admin)
    create_attestation(db, once, cycles[0], status="approved", submitted_by=once_admin)
    run_day(date(2026, 1, 5))
    [mail] = digest_on(outbox, date(2026, 1, 5))
    section = mail.text_body.split("Delist candidates")[1].split("Certificates")[0]
    assert "Missed Once Ltd" not in section
    assert f"- Missed Twice Ltd: http://localhost/staff/companies/{twice.id}" in section
    assert f'href="http://localhost/staff/companies/{twice.id}"' in mail.html_body


def test_attestations_waiting_longer_than_ten_working_days(db, run_day, cycle_2026,
                                                           frozen_clock, outbox):
    create_staff(db, StaffRole.ADMIN)
    frozen_clock(local_noon(date(2026, 5, 1)))   # a Friday; 4 and 25 May are bank holidays
    slow, slow_admin = create_company_with_admin(db, name="Waiting Long Ltd")
    create_pledge(db, slow, slow_admin)
    create_attestation(db, slow, cycle_2026, status="submitted", submitted_by=slow_admin)
    frozen_clock(local_noon(date(2026, 5, 8)))
    recent, recent_admin = create_company_with_admin(db, name="Just Sent Ltd")
    create_pledge(db, recent, recent_admin)
    create_attestation(db, recent, cycle_2026, status="in_review", submitted_by=recent_admin)
    run_day(date(2026, 5, 15))   # 9 working days after 1 May: not yet
    run_day(date(2026, 5, 18))   # 10: still within the service level
    run_day(date(2026, 5, 19))   # 11
    bodies = {d: digest_on(outbox, d)[0].text_body
              for d in (date(2026, 5, 15), date(2026, 5, 18), date(2026, 5, 19))}
    assert "Waiting Long Ltd" not in bodies[date(2026, 5, 18)]
    assert "Waiting Long Ltd: 11 working days" in bodies[date(2026, 5, 19)]
    assert "Just Sent Ltd" not in bodies[date(2026, 5, 19)]


def test_certificate_expiring_notice_30_days_before_valid_until(db, run_day, frozen_clock,
                                                                outbox):
    frozen_clock(local_noon(date(2025, 8, 1)))
    cycle = create_cycle(db, 2025)
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    certificate = create_certificate(db, organisation, cycle, valid_until=date(2026, 3, 31))
    for day in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)):
        run_day(day)
    [mail] = outbox(kind="certificate_expiring")
    assert mail.created_at.date() == date(2026, 3, 1)
    assert certificate.number in mail.subject and "31 March 2026" in mail.subject
    assert mail.dedupe_key == f"certificate_expiring:2025:{organisation.id}:{admin.id}"
    assert "List-Unsubscribe" in mail.headers


def test_no_expiry_notice_when_revoked_or_already_renewed(db, run_day, frozen_clock, outbox):
    frozen_clock(local_noon(date(2025, 8, 1)))
    cycles = [create_cycle(db, 2025), create_cycle(db, 2026)]
    renewed, renewed_admin = create_company_with_admin(db)
    create_pledge(db, renewed, renewed_admin)
    create_certificate(db, renewed, cycles[0], valid_until=date(2026, 3, 31))
    create_certificate(db, renewed, cycles[1], valid_until=date(2027, 3, 31))
    revoked, revoked_admin = create_company_with_admin(db)
    create_pledge(db, revoked, revoked_admin)
    create_certificate(db, revoked, cycles[0], valid_until=date(2026, 3, 31),
                       revoked_at=clock.now())
    run_day(date(2026, 3, 15))
    assert outbox(kind="certificate_expiring") == []


def test_resigning_reminders_before_an_old_pledge_lapses(db, run_day, frozen_clock, outbox):
    frozen_clock(local_noon(date(2026, 1, 10)))
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)          # on version 1
    db.add(CodeVersion(number=2, title="People Pillar v2", commitments=[
        {"heading": "Learning", "body": "Two hours."}], published_at=clock.now()))
    db.commit()
    create_cycle(db, 2026)   # opens after v2 was published: v1 pledges count until 31 July
    for offset in (31, 30, 29, 7, 6):
        run_day(date(2026, 7, 31) - timedelta(days=offset))
    mails = outbox(kind="reminder_resign")
    assert [m.created_at.date() for m in mails] == [date(2026, 7, 1), date(2026, 7, 24)]
    assert "sign the People Pillar pledge again by 31 July 2026" in mails[0].subject
    assert "http://localhost/" in mails[0].text_body


def test_long_lists_are_cut_at_fifty_names(app):
    from types import SimpleNamespace

    from flask import render_template

    from portal.calendar.digest import Digest

    companies = [SimpleNamespace(name=f"Company {n:03d}") for n in range(120)]
    digest = Digest(date(2026, 8, 1), 2026, new_overdue=companies, audit_head="0" * 64)
    with app.app_context():
        urls = {id(c): "http://localhost/c" for c in companies}
        for company in companies:
            company.id = id(company)
        text = render_template("mail/digest.txt", digest=digest, recipient_name="Ada",
                               base_url="http://localhost", company_urls=urls)
        html = render_template("mail/digest.html", digest=digest, recipient_name="Ada",
                               base_url="http://localhost", subject=digest.subject,
                               company_urls=urls)
    assert "New overdue (120):" in text and "- Company 049" in text
    assert "Company 050" not in text and "- and 70 more: see the staff pages" in text
    assert "Company 050" not in html and "and 70 more" in html
    assert digest.subject == "Pledge Portal daily digest, 1 August 2026: 120 new overdue"
