"""Keyboard only: register, sign in and sign the pledge with Tab, Shift+Tab, Enter, Space."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.postgres_only


def test_register_and_sign_in_with_the_keyboard_alone(page, audit, mailbox):
    company = steps.new_company()
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    steps.assert_focus_visible(page)

    steps.tab_to(page, page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Register your company"))
    page.keyboard.press("Enter")
    steps.heading(page, "Register your company")

    # A failed submit moves focus to the error summary; its links lead to the fields.
    steps.tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Space")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter your company's name")).to_be_focused()
    steps.assert_focus_visible(page)
    page.keyboard.press("Enter")
    company_name = page.get_by_label("Company name")
    expect(company_name).to_be_focused()
    page.keyboard.type(company.name)

    choices = (("Sector", "Information", "J"), ("Region", "London", "TLI"),
               ("Number of employees", "5", "50-249"))
    for label, typed, value in choices:
        select = page.get_by_label(label)
        steps.tab_to(page, select)
        page.keyboard.type(typed)
        expect(select).to_have_value(value)
    steps.type_into(page, page.get_by_label("Your full name"), company.person)
    email = page.get_by_label("Work email address")
    steps.type_into(page, email, company.email)
    steps.type_into(page, page.get_by_label("Create a password"), company.password)
    steps.tab_to(page, email, backwards=True)
    expect(email).to_have_value(company.email)
    steps.tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Enter")
    steps.heading(page, "Check your email")

    page.goto(mailbox.link(company.email, kind="verify_email", containing="/verify-email/"))
    steps.heading(page, "Sign in")
    # A wrong password first: the summary takes focus again.
    steps.type_into(page, page.get_by_label("Email address"), company.email)
    steps.type_into(page, page.get_by_label("Password"), "not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit(page, "sign in (errors)")
    steps.type_into(page, page.get_by_label("Password"), company.password)
    page.keyboard.press("Enter")
    steps.heading(page, company.name)

    # Signing the pledge: links with Enter, the checkbox with Space, the button with Enter.
    steps.tab_to(page, page.get_by_role("link", name="Read and sign the pledge"))
    page.keyboard.press("Enter")
    steps.heading(page, "Sign the People Pillar pledge")
    steps.type_into(page, page.get_by_label("Your job title"), "Founder")
    authorised = page.get_by_label(re.compile("^I am authorised to commit"))
    steps.tab_to(page, authorised)
    page.keyboard.press("Space")
    expect(authorised).to_be_checked()
    steps.type_into(page, page.get_by_label("Type your full name to sign"), company.person)
    steps.tab_to(page, page.get_by_role("button", name=re.compile("^Sign the pledge for")))
    page.keyboard.press("Enter")
    steps.heading(page, "Pledge signed")


def test_review_approval_and_public_verification_by_keyboard(
        open_page, audit, staff_account, open_cycle, pledged_company, portal_app):
    """A reviewer signs in with a code and approves; the public checks the certificate."""
    company = pledged_company
    organisation_id = _submitted_attestation(portal_app, company.name, open_cycle)
    page = open_page()
    email = staff_account("rita.reviewer@association.example", "reviewer")
    page.goto("/sign-in")
    steps.type_into(page, page.get_by_label("Email address"), email)
    steps.type_into(page, page.get_by_label("Password"), steps.PASSWORD)
    page.keyboard.press("Enter")
    steps.heading(page, "Enter your security code")
    steps.type_into(page, page.get_by_label("Code from your authenticator app"),
                    steps.security_code(email))
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Staff")).to_be_visible()
    queue = page.get_by_role("navigation", name="Staff").get_by_role("link", name="Review queue")
    steps.tab_to(page, queue)
    page.keyboard.press("Enter")
    steps.heading(page, "Review queue")
    steps.tab_to(page, page.get_by_role("link", name=company.name))
    page.keyboard.press("Enter")
    steps.heading(page, company.name)
    steps.tab_to(page, page.get_by_role("link", name="Approve", exact=True))
    page.keyboard.press("Enter")
    steps.heading(page, "Approve this attestation")
    steps.tab_to(page, page.get_by_role("button", name="Approve and issue the certificate"))
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("You approved")
    steps.tab_to(page, page.get_by_role("button", name="Sign out"))
    page.keyboard.press("Enter")
    steps.heading(page, "Sign in")

    public = open_page()
    public.goto("/")
    steps.tab_to(public, public.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Verify a certificate"))
    public.keyboard.press("Enter")
    steps.heading(public, "Verify a certificate")
    steps.type_into(public, public.get_by_label("Certificate number"),
                    _certificate_number(portal_app, organisation_id))
    public.keyboard.press("Enter")
    steps.heading(public, "This certificate is valid")


def _submitted_attestation(portal_app, company_name: str, year: int) -> int:
    import sqlalchemy as sa

    from portal.attestations.models import ReportingCycle
    from portal.db import get_session
    from portal.organisations.models import Organisation
    from tests.factories import create_attestation

    with portal_app.app_context():
        db = get_session()
        organisation = db.execute(sa.select(Organisation).where(
            Organisation.name == company_name)).scalar_one()
        cycle = db.execute(sa.select(ReportingCycle).where(
            ReportingCycle.year == year)).scalar_one()
        create_attestation(db, organisation, cycle, status="submitted")
        return organisation.id


def _certificate_number(portal_app, organisation_id: int) -> str:
    import sqlalchemy as sa

    from portal.certificates.models import Certificate
    from portal.db import get_session

    with portal_app.app_context():
        return get_session().execute(sa.select(Certificate.number).where(
            Certificate.organisation_id == organisation_id)).scalar_one()


def test_attestation_sections_by_keyboard(page, audit, open_cycle, pledged_company):
    """Dates, a mistake fixed from the error summary, radios and checkboxes: no mouse."""
    company, year = pledged_company, open_cycle
    page.goto("/sign-in")
    steps.type_into(page, page.get_by_label("Email address"), company.email)
    steps.type_into(page, page.get_by_label("Password"), company.password)
    page.keyboard.press("Enter")
    steps.heading(page, company.name)
    steps.tab_to(page, page.get_by_role("navigation", name="Your company").get_by_role(
        "link", name="Annual attestation"))
    page.keyboard.press("Enter")
    steps.heading(page, f"Annual attestation {year}")
    steps.tab_to(page, page.get_by_role("link", name="A. Workforce"))
    page.keyboard.press("Enter")
    steps.heading(page, "Workforce")

    for legend, (day, month) in (("Start date", ("1", "1")), ("End date", ("31", "12"))):
        group = page.get_by_role("group", name=legend)
        for label, text in (("Day", day), ("Month", month), ("Year", str(year - 1))):
            field = group.get_by_label(label)
            steps.tab_to(page, field)
            page.keyboard.press("Control+A")
            page.keyboard.type(text)
    headcount = page.get_by_label("Number of employees at the end of the period")
    steps.type_into(page, headcount, "four")
    steps.tab_to(page, page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(headcount).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    steps.tab_to(page, page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    steps.heading(page, "Learning time")

    has_policy = page.get_by_role("group", name="Do you have a protected learning time policy?")
    steps.tab_to(page, has_policy.get_by_label("Yes"))
    page.keyboard.press("Space")
    expect(has_policy.get_by_label("Yes")).to_be_checked()
    steps.type_into(page, page.get_by_label("Describe the policy"), "A learning hour weekly.")
    steps.type_into(page, page.get_by_label("Total hours of structured learning in the period"),
                    "235")
    steps.type_into(page, page.get_by_label("Employees who averaged at least one hour a week"),
                    "4")
    for label in ("Learning management system (LMS)", "Online courses"):
        box = page.get_by_label(label)
        steps.tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    steps.tab_to(page, page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")
    steps.heading(page, "Diversity, equity and inclusion")
