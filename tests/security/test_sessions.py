"""Sessions: fresh at sign-in, ended at sign-out, idle timeouts that keep a form's answers."""

import time

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.attestations.models import Attestation
from portal.audit.models import AuditEvent
from portal.auth.models import StaffRole
from tests.attestations.helpers import DEI_FORM, pledged_company
from tests.conftest import PortalClient
from tests.factories import (
    PASSWORD,
    create_company_with_admin,
    create_staff,
    enrol_two_factor,
    sign_in_with_two_factor,
    totp_code,
)

IDLE = 31 * 60  # past STAFF_IDLE_MINUTES
MEMBER_IDLE = 121 * 60  # past MEMBER_IDLE_MINUTES


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def age_session(client, seconds: float, key: str = "last_seen") -> None:
    with client.session_transaction() as session:
        session[key] = time.time() - seconds


def flash_text(client) -> str:
    return page(client.get("/sign-in")).select_one(".flash-region").get_text(" ", strip=True)


def time_out_reasons(db) -> list:
    db.expire_all()
    return [event.detail.get("reason") for event in db.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "session_timed_out")
        .order_by(AuditEvent.seq)).scalars()]


def test_sign_in_starts_a_fresh_session(client, db):
    _, admin = create_company_with_admin(db)
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.submit("/sign-in", {"email": admin.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{admin.id}:{admin.session_version}"


def test_sign_out_ends_the_session(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.submit("/sign-out", form_url="/account")
    assert response.headers["Location"] == "/sign-in"
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert not is_signed_in(client)


def test_sign_out_everywhere_ends_other_sessions(app, db, login_as):
    _, admin = create_company_with_admin(db)
    laptop = login_as(PortalClient(app.test_client()), admin)
    phone = login_as(PortalClient(app.test_client()), admin)
    phone.submit("/account/sign-out-everywhere", form_url="/account")
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_password_change_ends_other_sessions_but_not_this_one(app, db, login_as):
    _, admin = create_company_with_admin(db)
    other = login_as(PortalClient(app.test_client()), admin)
    this = login_as(PortalClient(app.test_client()), admin)
    response = this.submit("/account/password", {"current_password": PASSWORD,
                                                 "password": "a brand new password"})
    assert response.status_code == 302
    assert is_signed_in(this)
    assert not is_signed_in(other)


def test_staff_idle_for_30_minutes_are_signed_out(client, db, login_as):
    staff = create_staff(db)
    login_as(client, staff)
    assert is_signed_in(client)
    age_session(client, IDLE)
    response = client.get("/account")
    assert response.headers["Location"].startswith("/sign-in?next=/account")
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert flash_text(client) == (
        "You were signed out because you had not done anything for 30 minutes.")
    assert time_out_reasons(db) == ["idle"]


def test_staff_activity_keeps_the_session_alive(client, db, login_as):
    staff = create_staff(db)
    login_as(client, staff)
    age_session(client, 29 * 60)
    assert is_signed_in(client)
    age_session(client, 29 * 60)  # each request moved last_seen forward
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 29 * 60
    assert is_signed_in(client)


def test_staff_sessions_end_after_twelve_hours_even_when_busy(client, db, login_as):
    staff = create_staff(db, StaffRole.ADMIN)
    login_as(client, staff)
    client.get("/account")
    age_session(client, 12 * 3600 + 1, key="signed_in_at")
    response = client.get("/account")
    assert response.headers["Location"] == "/sign-in?next=/account"
    with client.session_transaction() as session:
        assert "_user_id" not in session
    # Not "had not done anything": they were busy until a moment ago.
    assert flash_text(client) == ("For security, staff are signed out 12 hours after signing "
                                  "in. Sign in again to carry on.")
    assert time_out_reasons(db) == ["session_limit"]
    assert not is_signed_in(client)


def test_staff_idle_past_the_twelve_hours_are_told_they_were_idle(client, db, login_as):
    login_as(client, create_staff(db))
    age_session(client, 13 * 3600, key="signed_in_at")
    age_session(client, 13 * 3600)
    client.get("/account")
    assert flash_text(client) == (
        "You were signed out because you had not done anything for 30 minutes.")
    assert time_out_reasons(db) == ["idle"]


def test_a_form_sent_after_the_twelve_hours_is_shown_again_with_its_answers(client, db,
                                                                            login_as):
    staff = create_staff(db)
    secret = enrol_two_factor(db, staff)
    login_as(client, staff)
    token = client.csrf_token("/account/email")
    age_session(client, 12 * 3600 + 1, key="signed_in_at")
    response = client.post("/account/email", data={
        "csrf_token": token, "email": "new.address@association.example"},
        headers={"Referer": "http://localhost/account/email"})
    assert response.headers["Location"] == "/sign-in?next=/account/email"
    assert flash_text(client) == ("For security, staff are signed out 12 hours after signing "
                                  "in. Sign in again: your answers have been kept.")
    assert time_out_reasons(db) == ["session_limit"]

    response = sign_in_with_two_factor(client, staff, secret, next_url="/account/email")
    assert response.headers["Location"] == "/account/email"
    html = page(client.get("/account/email"))
    assert html.select_one("#email")["value"] == "new.address@association.example"
    db.expire_all()
    assert staff.email != "new.address@association.example"


def test_members_idle_past_their_limit_are_signed_out(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    assert is_signed_in(client)
    age_session(client, MEMBER_IDLE)
    response = client.get("/company")
    assert response.headers["Location"].startswith("/sign-in?next=/company")
    with client.session_transaction() as session:
        assert "_user_id" not in session
    html = page(client.get("/sign-in"))
    assert html.select_one(".flash-region").get_text(" ", strip=True) == (
        "You were signed out because you had not done anything for 2 hours.")
    assert not is_signed_in(client)


def test_members_within_their_limit_stay_signed_in(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    age_session(client, IDLE)  # past the staff limit, well within the members'
    assert is_signed_in(client)
    age_session(client, 119 * 60)
    assert is_signed_in(client)
    with client.session_transaction() as session:  # the visit moved last_seen forward
        assert time.time() - session["last_seen"] < 60


def test_members_have_no_twelve_hour_ceiling(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    client.get("/account")
    age_session(client, 13 * 3600, key="signed_in_at")
    assert is_signed_in(client)


def test_the_member_limit_comes_from_the_configuration(app, client, db, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_IDLE_MINUTES", 45)
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    age_session(client, 44 * 60)
    assert is_signed_in(client)
    age_session(client, 46 * 60)
    response = client.get("/account")
    assert response.headers["Location"] == "/sign-in?next=/account"
    assert "had not done anything for 45 minutes" in page(client.get("/sign-in")).get_text()


def test_a_members_half_sent_form_is_shown_again_with_its_answers(client, db, login_as,
                                                                  frozen_clock):
    _, admin, _ = pledged_company(db, frozen_clock)
    login_as(client, admin)
    token = client.csrf_token("/company/attestation/dei")
    age_session(client, MEMBER_IDLE)
    response = client.post("/company/attestation/dei", data={
        **DEI_FORM, "csrf_token": token, "policy_url": "https://www.example.com/our-dei",
        "training_completion_pct": "72"},
        headers={"Referer": "http://localhost/company/attestation/dei"})
    assert response.headers["Location"] == "/sign-in?next=/company/attestation/dei"
    flash = page(client.get("/sign-in")).select_one(".flash-region").get_text(" ", strip=True)
    assert flash == ("You were signed out because you had not done anything for 2 hours. "
                     "Sign in again: your answers have been kept.")

    response = client.submit("/sign-in?next=/company/attestation/dei",
                             {"email": admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/company/attestation/dei"
    html = page(client.get("/company/attestation/dei"))
    assert html.select_one("#policy_url")["value"] == "https://www.example.com/our-dei"
    assert html.select_one("#training_completion_pct")["value"] == "72"
    assert html.select_one("#has_senior_sponsor").has_attr("checked")
    assert "We kept the answers" in html.get_text()
    # Put back once only, and nothing was saved while signed out.
    again = page(client.get("/company/attestation/dei"))
    assert again.select_one("#policy_url").get("value", "") == ""
    assert db.execute(sa.select(Attestation)).scalars().first() is None


def test_a_form_sent_after_the_timeout_is_shown_again_with_its_answers(client, db, login_as):
    staff = create_staff(db)
    secret = enrol_two_factor(db, staff)
    login_as(client, staff)
    token = client.csrf_token("/account/email")
    age_session(client, IDLE)
    response = client.post("/account/email", data={
        "csrf_token": token, "email": "new.address@association.example"},
        headers={"Referer": "http://localhost/account/email"})
    assert response.headers["Location"] == "/sign-in?next=/account/email"
    assert "answers have been kept" in page(client.get("/sign-in")).get_text()

    response = sign_in_with_two_factor(client, staff, secret, next_url="/account/email")
    assert response.headers["Location"] == "/account/email"
    html = page(client.get("/account/email"))
    assert html.select_one("#email")["value"] == "new.address@association.example"
    assert "We kept the answers" in html.get_text()
    # Put back once only.
    assert page(client.get("/account/email")).select_one("#email").get("value", "") == ""
    db.expire_all()
    assert staff.email != "new.address@association.example"  # nothing was sent for them


def test_kept_answers_are_never_shown_to_someone_else(app, db, login_as):
    staff = create_staff(db)
    other = create_staff(db)
    other_secret = enrol_two_factor(db, other)
    client = login_as(PortalClient(app.test_client()), staff)
    token = client.csrf_token("/account/email")
    age_session(client, IDLE)
    client.post("/account/email", data={"csrf_token": token, "email": "secret@example.com"})
    client.submit("/sign-in?next=/account/email", {"email": other.email, "password": PASSWORD})
    client.submit("/sign-in/two-factor", {"code": totp_code(other_secret)})
    html = page(client.get("/account/email"))
    assert "secret@example.com" not in html.decode()


def test_passwords_are_never_kept_in_the_session(client, db, login_as):
    staff = create_staff(db)
    login_as(client, staff)
    token = client.csrf_token("/account/password")
    age_session(client, IDLE)
    client.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                           "password": "another new password"})
    with client.session_transaction() as session:
        assert "saved_form" not in session
