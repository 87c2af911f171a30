"""Markup typed into any field comes back as text: in pages, in mail and in PDFs."""

from __future__ import annotations

import io

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.db import get_session
from portal.mail.models import OutboxMail
from portal.mail.service import build_message
from tests.conftest import PortalClient
from tests.factories import PASSWORD, create_pledge

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src="http://attacker.example/x.png">'
TEMPLATE = "{{7*7}}"
HOSTILE = f"{SCRIPT}{IMG}{TEMPLATE}"


def assert_inert_html(body: str, where: str) -> None:
    assert SCRIPT not in body, f"raw <script> in {where}"
    assert "<img src=\"http://attacker" not in body, f"raw remote <img> in {where}"
    html = BeautifulSoup(body, "html.parser")
    assert not [s for s in html.find_all("script") if not s.get("src")], where
    assert not [i for i in html.find_all("img") if "attacker" in (i.get("src") or "")], where
    if TEMPLATE[:3] in body or "7*7" in body:
        assert "{{7*7}}" in html.get_text(), f"template syntax evaluated in {where}"


def _register(client: PortalClient, email: str):
    return client.submit("/register", {
        "company_name": f"Acme {HOSTILE}", "company_number": "", "sector": "M",
        "region": "TLI", "headcount_band": "50-249", "website": "",
        "name": f"Eve {HOSTILE}", "email": email, "password": PASSWORD})


def test_registration_fields_are_escaped_on_every_page_and_mail(app):
    client = PortalClient(app.test_client())
    assert _register(client, "eve@example.com").status_code == 302
    client.submit("/sign-in", {"email": "eve@example.com", "password": PASSWORD})
    for url in ("/company", "/company/people", "/account", "/company/profile"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert_inert_html(body, url)
        assert "Acme" in body or "Eve" in body
    with app.app_context():
        mail = get_session().execute(sa.select(OutboxMail).where(
            OutboxMail.kind == "verify_email")).scalar_one()
        assert_inert_html(mail.html_body, "verify_email mail (HTML)")
        assert "{{7*7}}" in mail.text_body and "49" not in mail.text_body.split("{{7*7}}")[0][-3:]


def test_invitation_mail_escapes_the_inviters_name_and_company(app):
    client = PortalClient(app.test_client())
    _register(client, "eve@example.com")
    with app.app_context():
        from portal.auth.models import User

        session = get_session()
        user = session.execute(sa.select(User)).scalar_one()
        user.email_verified_at = user.created_at
        session.commit()
    client.submit("/sign-in", {"email": "eve@example.com", "password": PASSWORD})
    response = client.submit("/company/people/invite", {"email": "colleague@example.com",
                                                        "org_role": "contributor"})
    assert response.status_code == 302
    assert_inert_html(client.get("/company/people").get_data(as_text=True), "people page")
    with app.app_context():
        mail = get_session().execute(sa.select(OutboxMail).where(
            OutboxMail.kind == "invitation")).scalar_one()
        assert_inert_html(mail.html_body, "invitation mail (HTML)")
        message = build_message(mail, "Pledge Portal <no-reply@example.com>")
        assert "\n" not in message["Subject"].replace("\n ", "")  # no header injection


def test_a_line_break_in_a_name_cannot_inject_mail_headers(app):
    client = PortalClient(app.test_client())
    response = client.submit("/register", {
        "company_name": "Acme\r\nBcc: victim@example.com", "sector": "M", "region": "TLI",
        "headcount_band": "50-249", "name": "Eve\r\nBcc: victim@example.com",
        "email": "eve@example.com", "password": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        from portal.auth.models import User

        user = get_session().execute(sa.select(User)).scalar_one()
        assert user.name == "Eve Bcc: victim@example.com"  # one line, as a name should be
        for mail in get_session().execute(sa.select(OutboxMail)).scalars():
            message = build_message(mail, "Pledge Portal <no-reply@example.com>")
            assert "victim@example.com" not in (message["Bcc"] or "")
            assert all("\r" not in v and "\n" not in v.replace("\n ", "")
                       for v in message.values())


def test_company_name_in_the_public_profile_and_pdf_is_text(app):
    from pypdf import PdfReader

    client = PortalClient(app.test_client())
    _register(client, "eve@example.com")
    with app.app_context():
        from portal.auth.models import User
        from portal.organisations.models import Organisation

        session = get_session()
        organisation = session.execute(sa.select(Organisation)).scalar_one()
        user = session.execute(sa.select(User)).scalar_one()
        pledge = create_pledge(session, organisation, user)
        slug, pledge_id, login_id = organisation.slug, pledge.id, user.get_id()
    response = client.get(f"/members/{slug}")
    if response.status_code == 200:
        assert_inert_html(response.get_data(as_text=True), "public profile")
    with client.session_transaction() as session:
        session["_user_id"] = login_id
    response = client.get(f"/company/pledge/{pledge_id}/statement.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    # The markup is printed as the characters typed, never interpreted.
    assert "{{7*7}}" in text.replace(" ", "") or "7*7" in text


def test_the_pdf_renderer_fetches_nothing_but_our_static_files():
    import pytest

    from portal.pdf import FetchRefused, restricted_url_fetcher

    for url in ("http://attacker.example/x.png", "https://169.254.169.254/latest/meta-data",
                "file:///etc/passwd", "portal-static:/../../etc/passwd",
                "portal-static:/../portal/config.py", "data:text/html,<script>x</script>"):
        with pytest.raises(FetchRefused):
            restricted_url_fetcher(url)
    assert restricted_url_fetcher("portal-static:/css/portal.css") is not None
