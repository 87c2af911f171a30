"""Sign in/out, password reset and change, email change, rate limits, safe redirects."""

import re

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal import clock
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.views import safe_next
from tests.factories import PASSWORD, create_company_with_admin


def sign_in(client, email, password, url="/sign-in"):
    return client.submit(url, {"email": email, "password": password}, form_url="/sign-in")


def test_sign_in_and_out(client, db):
    _, admin = create_company_with_admin(db)
    response = sign_in(client, admin.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/company")
    assert client.get("/company").status_code == 200
    client.submit("/sign-out", form_url="/company")
    assert client.get("/company").status_code == 302


@pytest.mark.parametrize("email, password", [
    ("nobody@example.com", PASSWORD), ("{admin}", "wrong password!"),
])
def test_wrong_email_or_password_gives_one_message(client, db, email, password):
    _, admin = create_company_with_admin(db)
    response = sign_in(client, email.format(admin=admin.email), password)
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one(".error-summary").get_text(" ", strip=True).endswith(
        "Enter a correct email address and password")
    assert soup.select_one("#password")["type"] == "password"
    assert "value" not in soup.select_one("#password").attrs
    failed = db.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "login_failed")).scalar_one()
    assert failed.personal["email"] == email.format(admin=admin.email)


def test_sign_in_is_rate_limited(client, db):
    for _ in range(10):
        sign_in(client, "nobody@example.com", "wrong password")
    response = sign_in(client, "nobody@example.com", "wrong password")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/company/people", "/company/people"),
    ("https://evil.example/", "/home"),
    ("//evil.example/", "/home"),
    ("/\\evil.example", "/home"),
    ("javascript:alert(1)", "/home"),
    ("", "/home"),
])
def test_next_redirects_stay_on_the_site(target, expected):
    assert safe_next(target, "/home") == expected


def test_login_follows_a_local_next(client, db):
    _, admin = create_company_with_admin(db)
    response = sign_in(client, admin.email, PASSWORD, url="/sign-in?next=/company/people")
    assert response.location.endswith("/company/people")
    client.submit("/sign-out", form_url="/company")
    response = sign_in(client, admin.email, PASSWORD, url="/sign-in?next=https://evil.example")
    assert response.location.endswith("/company")


def reset_link(outbox):
    mail = outbox(kind="reset_password")[-1]
    return re.search(r"http://localhost(/reset-password/\S+)", mail.text_body).group(1)


def test_password_reset_is_single_use_and_ends_other_sessions(client, app, db, outbox, login_as):
    _, admin = create_company_with_admin(db)
    other_device = login_as(type(client)(app.test_client()), admin)
    response = client.submit("/forgot-password", {"email": admin.email})
    assert "If <strong>" in response.get_data(as_text=True)
    link = reset_link(outbox)
    response = client.submit(link, {"password": "a brand new password"})
    assert response.status_code == 302
    assert sign_in(client, admin.email, "a brand new password").status_code == 302
    assert client.get(link).status_code == 400  # used
    assert other_device.get("/company").status_code == 302  # signed out there


def test_password_reset_link_expires_after_an_hour(client, db, outbox, frozen_clock):
    from datetime import timedelta

    _, admin = create_company_with_admin(db)
    frozen_clock(clock.now())
    client.submit("/forgot-password", {"email": admin.email})
    clock.advance(timedelta(minutes=61))
    response = client.get(reset_link(outbox))
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_for_unknown_email_looks_the_same_and_sends_nothing(client, outbox):
    response = client.submit("/forgot-password", {"email": "nobody@example.com"})
    assert response.status_code == 200 and "If <strong>" in response.get_data(as_text=True)
    assert outbox(kind="reset_password") == []


def test_change_password_needs_the_current_one(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.submit("/account/password", {"current_password": "wrong one!!",
                                                    "password": "another good password"})
    assert "Your current password is not correct" in response.get_data(as_text=True)
    response = client.submit("/account/password", {"current_password": PASSWORD,
                                                    "password": "another good password"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays signed in


def test_change_email_takes_effect_only_after_confirmation(client, db, outbox, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    client.submit("/account/email", {"email": "New.Address@example.com"})
    db.expire_all()
    assert db.get(User, admin.id).email == admin.email
    mail = outbox(kind="confirm_new_email")[-1]
    assert mail.to_addr == "new.address@example.com"
    link = re.search(r"http://localhost(/account/confirm-email/\S+)", mail.text_body).group(1)
    client.get(link)
    db.expire_all()
    assert db.get(User, admin.id).email == "new.address@example.com"


def test_sign_out_everywhere(client, app, db, login_as):
    _, admin = create_company_with_admin(db)
    other_device = login_as(type(client)(app.test_client()), admin)
    login_as(client, admin)
    client.submit("/account/sign-out-everywhere", form_url="/account")
    assert other_device.get("/company").status_code == 302
    assert client.get("/company").status_code == 302


def test_disabled_user_cannot_sign_in(client, db):
    _, admin = create_company_with_admin(db)
    admin.disabled_at = clock.now()
    db.commit()
    response = sign_in(client, admin.email, PASSWORD)
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
