"""Sessions: fresh at sign-in, ended at sign-out, staff idle timeout that keeps a form's answers."""

import time

from bs4 import BeautifulSoup

from portal.auth.models import StaffRole
from tests.conftest import PortalClient
from tests.factories import (
    PASSWORD,
    create_company_with_admin,
    create_staff,
    enrol_two_factor,
    sign_in_with_two_factor,
    totp_code,
)

IDLE = 31 * 60


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def age_session(client, seconds: float, key: str = "last_seen") -> None:
    with client.session_transaction() as session:
        session[key] = time.time() - seconds


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
    html = page(client.get("/sign-in"))
    assert "30 minutes" in html.select_one(".flash-region").get_text()


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
    assert not is_signed_in(client)


def test_members_are_not_signed_out_when_idle(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    age_session(client, 5 * 3600)
    assert is_signed_in(client)


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
