"""Registering a company and its first admin; email verification; no account enumeration."""

import re

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.audit.models import AuditEvent
from portal.auth.models import OrgRole, User
from portal.organisations.models import Organisation
from tests.factories import create_company, create_company_with_admin

VALID = {
    "company_name": "Müller Data Ltd", "company_number": "01234567", "sector": "M",
    "region": "TLI", "headcount_band": "50-249", "website": "www.muller.example",
    "name": "Jana Müller", "email": "Jana@Muller.example", "password": "a long enough password",
}


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def errors_of(response) -> dict[str, str]:
    """{field id: message} from the error summary links."""
    soup = page(response)
    return {a["href"].lstrip("#"): a.get_text(strip=True)
            for a in soup.select(".error-summary__list a")}


def test_register_creates_company_admin_and_sends_verification(client, db, outbox):
    response = client.submit("/register", VALID)
    assert response.status_code == 302 and response.location.endswith("/register/check-your-email")
    user = db.execute(sa.select(User).where(User.email == "jana@muller.example")).scalar_one()
    assert user.org_role == OrgRole.ADMIN and not user.is_verified
    assert user.organisation.slug == "muller-data-ltd"
    assert user.organisation.search_name == "muller data ltd"
    assert user.organisation.website == "https://www.muller.example"
    assert user.password_hash != VALID["password"]
    mails = outbox(kind="verify_email")
    assert [m.to_addr for m in mails] == ["jana@muller.example"]
    link = re.search(r"http://localhost(/verify-email/\S+)", mails[0].text_body).group(1)
    assert client.get(link).status_code == 302
    db.expire_all()
    assert db.get(User, user.id).is_verified
    actions = set(db.execute(sa.select(AuditEvent.action)).scalars())
    assert {"company_registered", "email_verified"} <= actions


def test_check_your_email_page_names_the_address(client):
    response = client.submit("/register", VALID, follow_redirects=True)
    assert "jana@muller.example" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("field, value, message", [
    ("company_name", "", "Enter your company's name"),
    ("company_name", "x" * 201,
     "Company name must be 200 characters or fewer (remove 1 character)"),
    ("company_number", "1234", "Enter a company number in the correct format: 8 characters, "
                               "like 01234567 or SC123456"),
    ("sector", "", "Select your company's sector"),
    ("sector", "Z", "Not a valid choice."),
    ("region", "", "Select the region where your company is based"),
    ("headcount_band", "", "Select how many people your company employs"),
    ("website", "javascript:alert(1)", "Enter the website address in the correct format, "
                                       "like https://www.example.com"),
    ("name", "", "Enter your full name"),
    ("email", "", "Enter your work email address"),
    ("email", "not-an-email", "Enter an email address in the correct format, like "
                              "name@example.com"),
    ("password", "short", "Password must be 10 characters or more"),
    ("password", "jana@muller.example", "Password must not be the same as your email address"),
])
def test_registration_errors_are_specific_and_keep_answers(client, db, field, value, message):
    response = client.submit("/register", {**VALID, field: value})
    assert response.status_code == 200
    assert errors_of(response).get(field) == message
    soup = page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert soup.select_one(f"#{field}-error").get_text(" ", strip=True).endswith(message)
    kept = soup.select_one("#name")["value"] if field != "name" else soup.select_one(
        "#company_name")["value"]
    assert kept in (VALID["name"], VALID["company_name"])
    assert db.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one() == 0


def test_existing_email_shows_the_same_page_and_mails_the_owner(client, db, outbox):
    _, admin = create_company_with_admin(db)
    response = client.submit("/register", {**VALID, "email": admin.email.upper()})
    assert response.status_code == 302 and response.location.endswith("/register/check-your-email")
    assert db.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one() == 1
    assert [m.to_addr for m in outbox(kind="account_exists")] == [admin.email]
    assert outbox(kind="verify_email") == []


def test_company_number_already_registered(client, db):
    create_company(db, "Taken Ltd", company_number="01234567")
    response = client.submit("/register", VALID)
    assert "Ask that company's admin to invite you" in errors_of(response)["company_number"]


def test_names_with_html_are_escaped(client, db, login_as):
    response = client.submit("/register", {**VALID, "company_name": "<script>alert(1)</script>"})
    assert response.status_code == 302
    user = db.execute(sa.select(User)).scalar_one()
    login_as(client, user)
    html = client.get("/company").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_missing_csrf_token_answers_400_and_keeps_answers(client, db):
    response = client.raw.post("/register", data=VALID)
    assert response.status_code == 400
    soup = page(response)
    assert "This page expired before you sent it" in soup.select_one(".error-summary").get_text()
    assert soup.select_one("#company_name")["value"] == VALID["company_name"]
    assert db.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one() == 0


def test_wrong_csrf_token_answers_400(client):
    response = client.raw.post("/register", data={**VALID, "csrf_token": "forged"})
    assert response.status_code == 400


def test_request_body_over_the_limit_gets_the_413_page(client):
    response = client.raw.post("/register", data={"company_name": "x" * (12 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_unverified_admin_can_sign_in_but_is_asked_to_verify(client, db, login_as):
    organisation, admin = create_company_with_admin(db, verified=False)
    login_as(client, admin)
    response = client.get("/company/people/invite")
    assert response.status_code == 302 and response.location.endswith("/confirm-your-email")
    assert "Confirm your email" in client.get("/confirm-your-email").get_data(as_text=True)
