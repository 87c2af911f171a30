"""The staff calendar and mail pages, reminder choices, and one-click unsubscribe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal import clock
from portal.audit.models import AuditEvent
from portal.auth.models import OrgRole, StaffRole
from portal.calendar.models import ReminderOptOut
from portal.calendar.unsubscribe import unsubscribe_token
from portal.mail.models import OutboxMail
from tests.calendar.conftest import local_noon
from tests.factories import create_member, create_staff


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def opt_outs(db, user):
    db.expire_all()
    return set(db.execute(sa.select(ReminderOptOut.kind)
                          .where(ReminderOptOut.user_id == user.id)).scalars())


def audit_actions(db):
    return [e.action for e in db.execute(sa.select(AuditEvent).order_by(AuditEvent.seq))
            .scalars()]


# The staff calendar ----------------------------------------------------------------------

def test_calendar_shows_what_will_be_sent_when_and_what_was_sent(
        db, client, login_as, run_day, cycle_2026, pledged_company, frozen_clock):
    run_day(date(2026, 4, 1))
    frozen_clock(local_noon(date(2026, 4, 2)))
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    response = client.get("/staff/calendar")
    assert response.status_code == 200
    soup = page(response)
    assert soup.h1.text == "Reporting calendar" and len(soup.find_all("h1")) == 1
    rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all("td")]
            for tr in soup.find("table").tbody.find_all("tr")]
    assert rows[0][:2] == ["The cycle is open", "1 April 2026 (until 29 April 2026)"]
    assert rows[0][2:] == ["Sending", "1", "1", "0 of 1", "0"]
    assert rows[1][:5] == ["3 months before the due date", "30 April 2026 (until 29 June 2026)",
                           "Planned", "1", "0"]
    assert rows[4][:2] == ["Overdue notice (the day after the due date)",
                           "1 August 2026 (until 31 December 2026)"]
    words = soup.get_text(" ", strip=True)
    assert "1 company has not sent theirs yet" in words
    assert "The daily job last ran on 1 April 2026" in words
    sent = soup.find_all("table")[1].tbody.find_all("tr")
    assert len(sent) == 1 and "The cycle is open" in sent[0].text


def test_calendar_without_a_cycle_says_so(db, client, login_as):
    login_as(client, create_staff(db, StaffRole.ADMIN))
    soup = page(client.get("/staff/calendar"))
    assert "There is no reporting cycle open or planned" in soup.text
    assert "The daily job has never run" in soup.text
    assert "No certificate expiry or re-signing notices are planned" in soup.text


def test_calendar_before_a_cycle_opens_shows_its_dates(db, client, login_as, cycle_2026,
                                                       frozen_clock):
    frozen_clock(local_noon(date(2026, 2, 1)))
    login_as(client, create_staff(db))
    soup = page(client.get("/staff/calendar"))
    assert "The next cycle, 2026, opens on 1 April 2026" in soup.text
    assert len(soup.find("table").tbody.find_all("tr")) == 6


@pytest.mark.parametrize("url", ["/staff/calendar", "/staff/calendar/mail"])
def test_staff_pages_are_refused_to_members_and_need_a_sign_in(db, client, login_as,
                                                               pledged_company, url):
    assert client.get(url).status_code == 302
    login_as(client, pledged_company[1])
    assert client.get(url).status_code == 403


# The mail page ---------------------------------------------------------------------------

@pytest.fixture
def failed_mail(app, db):
    with app.test_request_context():
        from portal.mail.service import queue_mail

        mail = queue_mail(db, "verify_email", "sam@example.com", "Confirm your email address",
                          {"user": {"name": "Sam"}, "verify_url": "http://localhost/v/x"},
                          dedupe_key="test:failed")
    mail.attempts, mail.failed_at = 49, clock.now()
    mail.last_error = "(451, b'Try again later')"
    db.commit()
    return mail


def test_mail_page_shows_failed_mail_with_its_error_and_retries_it(db, client, login_as,
                                                                   failed_mail):
    admin = create_staff(db, StaffRole.ADMIN)
    login_as(client, admin)
    soup = page(client.get("/staff/calendar/mail"))
    row = soup.find("table").tbody.find("tr")
    assert "sam@example.com" in row.text and "Failed" in row.text
    assert "Error: (451, b'Try again later')" in row.text
    assert row.find("button").get_text(" ", strip=True).startswith("Retry")
    response = client.submit(f"/staff/calendar/mail/{failed_mail.id}/retry",
                             form_url="/staff/calendar/mail", follow_redirects=True)
    assert "will be sent again" in page(response).text
    db.expire_all()
    mail = db.get(OutboxMail, failed_mail.id)
    assert mail.failed_at is None and mail.next_attempt_at <= clock.now()
    assert "mail_retried" in audit_actions(db)
    assert "No mail has failed" in page(client.get("/staff/calendar/mail")).text


def test_retry_needs_a_staff_admin_and_a_csrf_token(db, client, login_as, failed_mail):
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    assert client.get("/staff/calendar/mail").status_code == 403
    assert client.post(f"/staff/calendar/mail/{failed_mail.id}/retry").status_code == 403
    login_as(client, create_staff(db, StaffRole.ADMIN))
    client.post(f"/staff/calendar/mail/{failed_mail.id}/retry")  # no token
    db.expire_all()
    assert db.get(OutboxMail, failed_mail.id).failed_at is not None
    assert client.submit("/staff/calendar/mail/999999/retry",
                         form_url="/staff/calendar/mail").status_code == 404


@pytest.mark.parametrize("show", ["failed", "waiting", "sent", "all", "nonsense"])
def test_mail_page_filters_never_fail(db, client, login_as, failed_mail, show):
    login_as(client, create_staff(db, StaffRole.ADMIN))
    response = client.get(f"/staff/calendar/mail?show={show}&page=x")
    assert response.status_code == 200
    assert len(page(response).find_all("h1")) == 1


# Reminder choices ------------------------------------------------------------------------

def test_an_admin_chooses_reminders_and_a_signatory_cannot_drop_the_final_notice(
        db, client, login_as, pledged_company):
    organisation, signatory = pledged_company
    login_as(client, signatory)
    soup = page(client.get("/company/reminders"))
    final = soup.find("input", value="reminder_final")
    assert final.has_attr("disabled") and final.has_attr("checked")
    assert "you always get the final notice" in soup.text
    response = client.submit("/company/reminders", {"kinds": ["reminder_open",
                                                              "reminder_overdue"]})
    assert response.status_code == 302
    assert opt_outs(db, signatory) == {"reminder_3_months", "reminder_1_month",
                                       "reminder_1_week", "reminder_resign",
                                       "certificate_expiring"}
    soup = page(client.get("/company/reminders"))
    assert soup.find("input", value="reminder_open").has_attr("checked")
    assert not soup.find("input", value="reminder_1_week").has_attr("checked")
    assert "reminder_preferences_changed" in audit_actions(db)


def test_an_admin_who_did_not_sign_may_switch_everything_off(db, client, login_as,
                                                             pledged_company):
    other_admin = create_member(db, pledged_company[0])
    login_as(client, other_admin)
    assert not page(client.get("/company/reminders")).find(
        "input", value="reminder_final").has_attr("disabled")
    client.submit("/company/reminders", {})
    assert "reminder_final" in opt_outs(db, other_admin)


def test_unknown_kinds_in_a_hand_made_post_are_ignored(db, client, login_as, pledged_company):
    login_as(client, pledged_company[1])
    response = client.submit("/company/reminders", {"kinds": ["reminder_open", "<script>"]})
    assert response.status_code == 302
    assert "reminder_open" not in opt_outs(db, pledged_company[1])
    assert "<script>" not in opt_outs(db, pledged_company[1])


def test_reminder_choices_are_for_company_admins(db, client, login_as, pledged_company):
    contributor = create_member(db, pledged_company[0], role=OrgRole.CONTRIBUTOR)
    login_as(client, contributor)
    assert client.get("/company/reminders").status_code == 403
    login_as(client, create_staff(db))
    assert client.get("/company/reminders").status_code == 403


def test_a_stale_form_is_shown_again_with_the_answers(db, client, login_as, pledged_company):
    login_as(client, pledged_company[1])
    response = client.post("/company/reminders", data={"kinds": ["reminder_open"],
                                                       "csrf_token": "stale"})
    assert response.status_code == 400
    soup = page(response)
    assert soup.title.text.startswith("Error:")
    assert soup.find("input", value="reminder_open").has_attr("checked")
    assert not soup.find("input", value="reminder_1_week").has_attr("checked")


# One-click unsubscribe -------------------------------------------------------------------

def test_one_click_unsubscribe_works_without_a_session_or_csrf(app, db, client,
                                                               pledged_company):
    other_admin = create_member(db, pledged_company[0])
    with app.test_request_context():
        token = unsubscribe_token(other_admin.id, "reminder_1_week")
    url = f"/unsubscribe/{token}"
    soup = page(client.get(url))  # a link scanner opening the URL changes nothing
    assert soup.find("button").text == "Unsubscribe" and opt_outs(db, other_admin) == set()
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert page(response).h1.text == "You are unsubscribed"
    assert opt_outs(db, other_admin) == {"reminder_1_week"}
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert audit_actions(db).count("reminder_unsubscribed") == 1


def test_a_signatory_cannot_unsubscribe_from_the_final_notice(app, db, client,
                                                              pledged_company):
    _, signatory = pledged_company
    with app.test_request_context():
        token = unsubscribe_token(signatory.id, "reminder_final")
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert page(response).h1.text == "This email cannot be switched off"
    assert opt_outs(db, signatory) == set()


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoieCJ9.abc.def"])
def test_a_broken_unsubscribe_link_is_a_clear_404(client, token):
    for response in (client.get(f"/unsubscribe/{token}"), client.post(f"/unsubscribe/{token}")):
        assert response.status_code == 404
        assert page(response).h1.text == "This link does not work"


def test_the_unsubscribe_link_in_a_real_reminder_works(db, client, run_day, cycle_2026,
                                                       pledged_company, outbox):
    run_day(date(2026, 4, 1))
    [mail] = outbox(kind="reminder_open")
    url = mail.headers["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert opt_outs(db, pledged_company[1]) == {"reminder_open"}
    run_day(date(2026, 4, 1) + timedelta(days=30))
    assert [m.kind for m in outbox(user_id=pledged_company[1].id)
            if m.kind.startswith("reminder")] == ["reminder_open", "reminder_3_months"]


def test_calendar_lists_certificate_and_resigning_notices_ahead(db, client, login_as,
                                                                frozen_clock):
    from portal.pledges.models import CodeVersion
    from tests.factories import (
        create_certificate,
        create_company_with_admin,
        create_cycle,
        create_pledge,
    )

    frozen_clock(local_noon(date(2026, 1, 10)))
    last = create_cycle(db, 2025)
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    create_certificate(db, organisation, last, valid_until=date(2026, 3, 31))
    db.add(CodeVersion(number=2, title="People Pillar v2", published_at=clock.now(),
                       commitments=[{"heading": "Learning", "body": "Two hours."}]))
    db.commit()
    create_cycle(db, 2026)   # version 1 pledges count until 31 July 2026
    frozen_clock(local_noon(date(2026, 5, 1)))
    login_as(client, create_staff(db))
    soup = page(client.get("/staff/calendar"))
    table = soup.find("h2", string="Other notices in the next 90 days").find_next("table")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.tbody.find_all("tr")]
    assert rows == [
        ["1 July 2026", "Sign again for version 2 (30 days before the deadline, 31 July 2026)",
         "1"],
        ["24 July 2026", "Sign again for version 2 (7 days before the deadline, 31 July 2026)",
         "1"],
    ]
    frozen_clock(local_noon(date(2026, 2, 1)))
    rows = page(client.get("/staff/calendar")).find(
        "h2", string="Other notices in the next 90 days").find_next("table").tbody.text
    assert "1 March 2026" in rows and "Certificate expires in 30 days" in rows


def test_reminder_choices_show_the_dates_still_to_come(db, client, login_as, cycle_2026,
                                                       pledged_company, frozen_clock):
    frozen_clock(local_noon(date(2026, 7, 1)))
    login_as(client, pledged_company[1])
    soup = page(client.get("/company/reminders"))
    assert soup.find("h2", string="The 2026 reporting cycle")
    dates = [row.dt.text for row in soup.select(".summary-list__row")]
    assert dates == ["24 July 2026", "1 August 2026", "17 December 2026"]
