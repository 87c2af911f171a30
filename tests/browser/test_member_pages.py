"""A member admin's own pages, and a colleague invited by email who joins as a contributor."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.postgres_only


def test_member_admin_pages_and_an_invited_contributor(open_page, audit, mailbox,
                                                       pledged_company):
    company = pledged_company
    admin, colleague = open_page(), open_page()
    steps.sign_in(admin, audit, company.email, company.password)
    steps.heading(admin, company.name)

    company_nav = admin.get_by_role("navigation", name="Your company")
    labels = [link.inner_text().strip() for link in company_nav.get_by_role("link").all()]
    assert {"Overview", "Pledge", "People"} <= set(labels)
    for label in labels:
        if company_nav.count() == 0:  # a page without the company navigation: go back to it
            admin.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Your company").click()
        link = company_nav.get_by_role("link", name=label, exact=True)
        href = link.get_attribute("href")
        link.click()
        expect(admin).to_have_url(re.compile(re.escape(href) + "$"))
        admin.wait_for_load_state()
        audit(admin, f"company: {label.lower()}")

    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Your account").click()
    steps.heading(admin, "Your account")
    audit(admin, "your account")
    for link, title in (("Change email address", "Change your email address"),
                        ("Change password", "Change your password")):
        admin.get_by_role("link", name=link).click()
        expect(admin.get_by_role("heading", level=1)).to_be_visible()
        audit(admin, f"account: {title.lower()}")
        admin.go_back()

    # Invite a colleague as a contributor; they accept from the email.
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Your company").click()
    admin.get_by_role("navigation", name="Your company").get_by_role("link", name="People").click()
    admin.get_by_role("link", name="Invite a colleague").click()
    steps.heading(admin, "Invite a colleague")
    audit(admin, "invite a colleague")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit(admin, "invite a colleague (errors)")
    invitee = f"grace.{company.email}"
    admin.get_by_label("Colleague's work email address").fill(invitee)
    admin.get_by_label("Contributor – can help fill in the attestation").check()
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("status")).to_contain_text(f"We sent an invitation to {invitee}")
    audit(admin, "company: people (invitation sent)")

    colleague.goto(mailbox.link(invitee, kind="invitation", containing="/invitation/"))
    steps.heading(colleague, f"Join {company.name} on Pledge Portal")
    audit(colleague, "accept an invitation")
    colleague.get_by_label("Your full name").fill("Grace Mensah")
    colleague.get_by_label("Create a password").fill(steps.PASSWORD)
    colleague.get_by_role("button", name="Create my account").click()
    steps.heading(colleague, company.name)
    audit(colleague, "company overview (contributor)")
